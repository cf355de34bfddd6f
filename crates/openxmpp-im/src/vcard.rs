//! vCard-temp (XEP-0054): fetch a contact's (or one's own) vCard and publish one's own.
//!
//! The commonly used fields are typed ([`VCard`]); every other child (and every repeated
//! single-valued field after the first) is kept as received in [`VCard::payloads`], so a
//! vCard read, edited and published again loses nothing another client put there.
//!
//! Servers answer a request for a vCard that does not exist with an empty result, an empty
//! `<vCard/>` or an `item-not-found` error (Prosody and ejabberd differ); [`from_response`]
//! turns all three into `Ok(None)`. Photos are bounded: [`VCard::parse`] takes the largest
//! decoded photo accepted, [`DEFAULT_MAX_PHOTO_SIZE`] for [`VCard::try_from`].
//!
//! ```
//! use openxmpp_im::core::stanza::Iq;
//! use openxmpp_im::core::xml::Element;
//! use openxmpp_im::vcard::{self, Photo, VCard};
//!
//! let get = vcard::request(Some("juliet@capulet.lit".parse()?));
//! assert_eq!(
//!     Element::from(get.clone()).to_string(),
//!     "<iq xmlns='jabber:client' id='' to='juliet@capulet.lit' type='get'>\
//!      <vCard xmlns='vcard-temp'/></iq>"
//! );
//!
//! // The answer (here built locally), with a photo.
//! let mut card = VCard::new();
//! card.full_name = Some("Juliet Capulet".into());
//! card.photo = Some(Photo::binary("image/png", vec![0x89, b'P', b'N', b'G']));
//! let answer = get.result(Some(card.clone().into()));
//! assert_eq!(VCard::from_result(answer)?, Some(card.clone()));
//!
//! // No vCard: an empty one, or an item-not-found error.
//! assert_eq!(VCard::from_result(get.result(Some(VCard::new().into())))?, None);
//!
//! // Publishing one's own.
//! let set: Iq = vcard::publish(card);
//! # let _ = set;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use openxmpp_core::error::{StanzaError, StanzaErrorCondition};
use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::{Iq, IqPayload, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::parse_util::{expect, invalid, missing};

/// The vcard-temp namespace.
pub const NS: &str = "vcard-temp";

/// The largest decoded photo [`VCard::try_from`] and [`VCard::from_result`] accept: 1 MiB.
pub const DEFAULT_MAX_PHOTO_SIZE: usize = 1024 * 1024;

/// The IQ get asking for the vCard of `to`, or for one's own with `None`, with an empty id for
/// the connection to assign. The answer is read with [`VCard::from_result`] or
/// [`from_response`].
pub fn request(to: Option<BareJid>) -> Iq {
    let iq = Iq::get("", Element::new("vCard", NS));
    match to {
        Some(to) => iq.to(to.into()),
        None => iq,
    }
}

/// The IQ set that publishes `vcard` as one's own (it replaces the whole stored vCard), with an
/// empty id for the connection to assign.
pub fn publish(vcard: VCard) -> Iq {
    Iq::set("", vcard.into())
}

macro_rules! flags {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// The name of the empty element that carries the flag.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }

            /// The flag carried by an element named `name`, if it is one of these.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

flags! {
    /// What an e-mail address is for (the empty elements in `<EMAIL/>`).
    pub enum EmailType {
        /// A personal address.
        Home = "HOME",
        /// A work address.
        Work = "WORK",
        /// An Internet address (as opposed to X.400).
        Internet = "INTERNET",
        /// The preferred address.
        Pref = "PREF",
        /// An X.400 address.
        X400 = "X400",
    }
}

flags! {
    /// What a telephone number is for (the empty elements in `<TEL/>`).
    pub enum TelType {
        /// A home number.
        Home = "HOME",
        /// A work number.
        Work = "WORK",
        /// A voice line.
        Voice = "VOICE",
        /// A fax line.
        Fax = "FAX",
        /// A pager.
        Pager = "PAGER",
        /// A messaging service.
        Msg = "MSG",
        /// A mobile phone.
        Cell = "CELL",
        /// A video line.
        Video = "VIDEO",
        /// A bulletin board system.
        Bbs = "BBS",
        /// A modem.
        Modem = "MODEM",
        /// An ISDN line.
        Isdn = "ISDN",
        /// A personal communication services number.
        Pcs = "PCS",
        /// The preferred number.
        Pref = "PREF",
    }
}

flags! {
    /// What a postal address is for (the empty elements in `<ADR/>`).
    pub enum AdrType {
        /// A home address.
        Home = "HOME",
        /// A work address.
        Work = "WORK",
        /// A postal delivery address.
        Postal = "POSTAL",
        /// A parcel delivery address.
        Parcel = "PARCEL",
        /// A domestic address.
        Dom = "DOM",
        /// An international address.
        Intl = "INTL",
        /// The preferred address.
        Pref = "PREF",
    }
}

/// The structured name (`<N/>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// The family name (`FAMILY`).
    pub family: Option<String>,
    /// The given name (`GIVEN`).
    pub given: Option<String>,
    /// The middle name (`MIDDLE`).
    pub middle: Option<String>,
    /// An honorific prefix (`PREFIX`).
    pub prefix: Option<String>,
    /// An honorific suffix (`SUFFIX`).
    pub suffix: Option<String>,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

/// An e-mail address (`<EMAIL/>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Email {
    /// What the address is for, without repetitions.
    pub types: Vec<EmailType>,
    /// The address (`USERID`).
    pub userid: String,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

impl Email {
    /// An Internet address without other flags.
    pub fn internet(userid: impl Into<String>) -> Self {
        Email {
            types: vec![EmailType::Internet],
            userid: userid.into(),
            payloads: Vec::new(),
        }
    }

    /// Whether the address carries `flag`.
    pub fn is(&self, flag: EmailType) -> bool {
        self.types.contains(&flag)
    }
}

/// A telephone number (`<TEL/>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Telephone {
    /// What the number is for, without repetitions.
    pub types: Vec<TelType>,
    /// The number as written (`NUMBER`; may be empty, as in XEP-0054's own example).
    pub number: String,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

impl Telephone {
    /// Whether the number carries `flag`.
    pub fn is(&self, flag: TelType) -> bool {
        self.types.contains(&flag)
    }
}

/// A postal address (`<ADR/>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// What the address is for, without repetitions.
    pub types: Vec<AdrType>,
    /// Post office box (`POBOX`).
    pub pobox: Option<String>,
    /// Extended address, e.g. a suite (`EXTADD`).
    pub extadd: Option<String>,
    /// Street (`STREET`).
    pub street: Option<String>,
    /// Locality, e.g. a city (`LOCALITY`).
    pub locality: Option<String>,
    /// Region, e.g. a state (`REGION`).
    pub region: Option<String>,
    /// Postal code (`PCODE`).
    pub pcode: Option<String>,
    /// Country (`CTRY`).
    pub country: Option<String>,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

/// The organization (`<ORG/>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organization {
    /// Its name (`ORGNAME`).
    pub name: String,
    /// Its units, outermost first (`ORGUNIT`; empty ones are left out).
    pub units: Vec<String>,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

/// The photo (`<PHOTO/>`), the avatar of XEP-0153.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Photo {
    /// The image itself (`TYPE` and `BINVAL`).
    Binary {
        /// Its media type (`image/png`, …), if given.
        mime_type: Option<String>,
        /// The decoded image.
        data: Vec<u8>,
    },
    /// A link to the image (`EXTVAL`).
    External {
        /// The URI.
        url: String,
    },
}

impl Photo {
    /// An inline image of `mime_type`.
    pub fn binary(mime_type: impl Into<String>, data: Vec<u8>) -> Self {
        Photo::Binary {
            mime_type: Some(mime_type.into()),
            data,
        }
    }
}

/// A vCard (`<vCard xmlns='vcard-temp'/>`).
///
/// Typed fields are serialized in the order of XEP-0054's DTD, then [`VCard::payloads`].
/// Optional text fields that are empty or only white space read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VCard {
    /// The formatted name (`FN`).
    pub full_name: Option<String>,
    /// The structured name (`N`).
    pub name: Option<Name>,
    /// The nickname (`NICKNAME`).
    pub nickname: Option<String>,
    /// The photo (`PHOTO`); an empty `<PHOTO/>` (how XEP-0153 removes an avatar) reads as
    /// `None`.
    pub photo: Option<Photo>,
    /// The birthday as written (`BDAY`, normally an ISO 8601 date such as `1966-08-06`).
    pub birthday: Option<String>,
    /// Postal addresses (`ADR`).
    pub addresses: Vec<Address>,
    /// Telephone numbers (`TEL`).
    pub telephones: Vec<Telephone>,
    /// E-mail addresses (`EMAIL`).
    pub emails: Vec<Email>,
    /// The Jabber ID as written (`JABBERID`; not checked, since users type it).
    pub jabber_id: Option<String>,
    /// The job title (`TITLE`).
    pub title: Option<String>,
    /// The role (`ROLE`).
    pub role: Option<String>,
    /// The organization (`ORG`).
    pub organization: Option<Organization>,
    /// A note (`NOTE`).
    pub note: Option<String>,
    /// A web page (`URL`).
    pub url: Option<String>,
    /// A free-form description (`DESC`).
    pub description: Option<String>,
    /// Every other child, and repetitions of the single-valued fields above, kept as received.
    pub payloads: Vec<Element>,
}

impl VCard {
    /// An empty vCard.
    pub fn new() -> Self {
        VCard::default()
    }

    /// Whether the vCard has no content at all (what servers answer for "no vCard").
    pub fn is_empty(&self) -> bool {
        *self == VCard::default()
    }

    /// Reads a `<vCard/>`, refusing a photo larger than `max_photo_size` bytes once decoded.
    ///
    /// # Errors
    /// [`StanzaParseError::UnexpectedElement`] if it is not a vCard,
    /// [`StanzaParseError::Missing`] for an `EMAIL` without `USERID`, a `TEL` without `NUMBER`
    /// or an `ORG` without `ORGNAME`, [`StanzaParseError::InvalidValue`] for a `BINVAL` that is
    /// not base64 or decodes to more than `max_photo_size` bytes.
    pub fn parse(element: Element, max_photo_size: usize) -> Result<Self, StanzaParseError> {
        expect(&element, "vCard", NS)?;
        let mut card = VCard::default();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != NS {
                card.payloads.push(child);
                continue;
            }
            let slot = match child.name() {
                "FN" => &mut card.full_name,
                "NICKNAME" => &mut card.nickname,
                "BDAY" => &mut card.birthday,
                "JABBERID" => &mut card.jabber_id,
                "TITLE" => &mut card.title,
                "ROLE" => &mut card.role,
                "NOTE" => &mut card.note,
                "URL" => &mut card.url,
                "DESC" => &mut card.description,
                "EMAIL" => {
                    card.emails.push(parse_email(child)?);
                    continue;
                }
                "TEL" => {
                    card.telephones.push(parse_tel(child)?);
                    continue;
                }
                "ADR" => {
                    card.addresses.push(parse_adr(child));
                    continue;
                }
                "N" if card.name.is_none() => {
                    card.name = Some(parse_name(child));
                    continue;
                }
                "ORG" if card.organization.is_none() => {
                    card.organization = Some(parse_org(child)?);
                    continue;
                }
                "PHOTO" if card.photo.is_none() => {
                    card.photo = parse_photo(child, max_photo_size)?;
                    continue;
                }
                _ => {
                    card.payloads.push(child);
                    continue;
                }
            };
            if slot.is_some() {
                card.payloads.push(child);
            } else {
                *slot = non_empty(child);
            }
        }
        Ok(card)
    }

    /// The vCard an IQ result carries: `None` for an empty result or an empty `<vCard/>`
    /// (no vCard), with photos up to [`DEFAULT_MAX_PHOTO_SIZE`].
    ///
    /// # Errors
    /// [`StanzaParseError::InvalidValue`] if `iq` is not a result (see [`from_response`] for
    /// errors), else as [`VCard::parse`].
    pub fn from_result(iq: Iq) -> Result<Option<VCard>, StanzaParseError> {
        VCard::from_result_with_limit(iq, DEFAULT_MAX_PHOTO_SIZE)
    }

    /// [`VCard::from_result`] with another photo size limit.
    ///
    /// # Errors
    /// As [`VCard::from_result`].
    pub fn from_result_with_limit(
        iq: Iq,
        max_photo_size: usize,
    ) -> Result<Option<VCard>, StanzaParseError> {
        match iq.payload {
            IqPayload::Result(None) => Ok(None),
            IqPayload::Result(Some(element)) => {
                let card = VCard::parse(element, max_photo_size)?;
                Ok((!card.is_empty()).then_some(card))
            }
            other => Err(invalid("iq", "type (expected a result)", other.type_name())),
        }
    }
}

/// Why a vCard could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VCardError {
    /// The server (or the contact's server) refused the request with an error other than
    /// `item-not-found`.
    #[error("vCard request refused: {0}")]
    Refused(Box<StanzaError>),
    /// The answer is not a valid vCard.
    #[error("invalid vCard: {0}")]
    Invalid(#[from] StanzaParseError),
}

/// The vCard a response to [`request`] carries, `Ok(None)` when there is none: an empty
/// result, an empty `<vCard/>` or an `item-not-found` error all mean "no vCard". Takes the
/// response as a request API delivers it (an error IQ as `Err`), and accepts an error IQ as
/// `Ok` too.
///
/// # Errors
/// [`VCardError::Refused`] for any other stanza error, [`VCardError::Invalid`] as
/// [`VCard::from_result`].
pub fn from_response(response: Result<Iq, StanzaError>) -> Result<Option<VCard>, VCardError> {
    let error = match response {
        Ok(Iq {
            payload: IqPayload::Error { error, .. },
            ..
        })
        | Err(error) => error,
        Ok(iq) => return Ok(VCard::from_result(iq)?),
    };
    if error.condition == StanzaErrorCondition::ItemNotFound {
        Ok(None)
    } else {
        Err(VCardError::Refused(Box::new(error)))
    }
}

/// The text of a leaf element, `None` if it is empty or white space.
fn non_empty(element: Element) -> Option<String> {
    let text = element.into_text();
    (!text.trim().is_empty()).then_some(text)
}

/// Sets `flag` once, keeping the order of first appearance.
fn add_flag<T: PartialEq>(flags: &mut Vec<T>, flag: T) {
    if !flags.contains(&flag) {
        flags.push(flag);
    }
}

/// The vcard-temp child elements of `element`, others going to `payloads`.
fn vcard_children(element: Element, payloads: &mut Vec<Element>) -> Vec<Element> {
    let mut children = Vec::new();
    for node in element.into_nodes() {
        let Node::Element(child) = node else { continue };
        if child.ns() == NS {
            children.push(child);
        } else {
            payloads.push(child);
        }
    }
    children
}

fn parse_name(element: Element) -> Name {
    let mut name = Name::default();
    for child in vcard_children(element, &mut name.payloads) {
        let slot = match child.name() {
            "FAMILY" => &mut name.family,
            "GIVEN" => &mut name.given,
            "MIDDLE" => &mut name.middle,
            "PREFIX" => &mut name.prefix,
            "SUFFIX" => &mut name.suffix,
            _ => {
                name.payloads.push(child);
                continue;
            }
        };
        if slot.is_some() {
            name.payloads.push(child);
        } else {
            *slot = non_empty(child);
        }
    }
    name
}

fn parse_email(element: Element) -> Result<Email, StanzaParseError> {
    let mut email = Email::default();
    let mut userid = None;
    for child in vcard_children(element, &mut email.payloads) {
        if let Some(flag) = EmailType::from_name(child.name()) {
            add_flag(&mut email.types, flag);
        } else if child.name() == "USERID" && userid.is_none() {
            userid = Some(child.into_text());
        } else {
            email.payloads.push(child);
        }
    }
    email.userid = userid.ok_or(missing("EMAIL", "USERID child"))?;
    Ok(email)
}

fn parse_tel(element: Element) -> Result<Telephone, StanzaParseError> {
    let mut tel = Telephone::default();
    let mut number = None;
    for child in vcard_children(element, &mut tel.payloads) {
        if let Some(flag) = TelType::from_name(child.name()) {
            add_flag(&mut tel.types, flag);
        } else if child.name() == "NUMBER" && number.is_none() {
            number = Some(child.into_text());
        } else {
            tel.payloads.push(child);
        }
    }
    tel.number = number.ok_or(missing("TEL", "NUMBER child"))?;
    Ok(tel)
}

fn parse_adr(element: Element) -> Address {
    let mut adr = Address::default();
    for child in vcard_children(element, &mut adr.payloads) {
        if let Some(flag) = AdrType::from_name(child.name()) {
            add_flag(&mut adr.types, flag);
            continue;
        }
        let slot = match child.name() {
            "POBOX" => &mut adr.pobox,
            "EXTADD" => &mut adr.extadd,
            "STREET" => &mut adr.street,
            "LOCALITY" => &mut adr.locality,
            "REGION" => &mut adr.region,
            "PCODE" => &mut adr.pcode,
            "CTRY" => &mut adr.country,
            _ => {
                adr.payloads.push(child);
                continue;
            }
        };
        if slot.is_some() {
            adr.payloads.push(child);
        } else {
            *slot = non_empty(child);
        }
    }
    adr
}

fn parse_org(element: Element) -> Result<Organization, StanzaParseError> {
    let mut org = Organization::default();
    let mut name = None;
    for child in vcard_children(element, &mut org.payloads) {
        match child.name() {
            "ORGNAME" if name.is_none() => name = Some(child.into_text()),
            "ORGUNIT" => org.units.extend(non_empty(child)),
            _ => org.payloads.push(child),
        }
    }
    org.name = name.ok_or(missing("ORG", "ORGNAME child"))?;
    Ok(org)
}

fn parse_photo(element: Element, max_size: usize) -> Result<Option<Photo>, StanzaParseError> {
    let (mut mime_type, mut binval, mut extval) = (None, None, None);
    for node in element.into_nodes() {
        let Node::Element(child) = node else { continue };
        if child.ns() != NS {
            continue;
        }
        match child.name() {
            "TYPE" if mime_type.is_none() => mime_type = non_empty(child),
            "BINVAL" if binval.is_none() => binval = Some(child.into_text()),
            "EXTVAL" if extval.is_none() => extval = non_empty(child),
            _ => {}
        }
    }
    if let Some(url) = extval {
        return Ok(Some(Photo::External { url }));
    }
    let Some(binval) = binval else {
        return Ok(None);
    };
    // Servers and clients wrap BINVAL at 76 (or 64) columns: white space is not data.
    let compact: Vec<u8> = binval
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Ok(None);
    }
    // Every 4 base64 characters carry 3 bytes: refuse before decoding what cannot fit.
    let at_least = (compact.len() / 4 * 3).saturating_sub(2);
    if at_least > max_size {
        return Err(too_large(at_least));
    }
    let data = STANDARD_PAD_INDIFFERENT
        .decode(&compact)
        .map_err(|_| invalid("BINVAL", "base64", &binval))?;
    if data.len() > max_size {
        return Err(too_large(data.len()));
    }
    Ok(Some(Photo::Binary { mime_type, data }))
}

fn too_large(size: usize) -> StanzaParseError {
    invalid("PHOTO", "size (larger than the limit)", &size.to_string())
}

/// A leaf `<name>text</name>` in vcard-temp.
fn leaf(name: &'static str, text: String) -> Element {
    Element::builder(name, NS).text(text).build()
}

fn flag_elements<'a>(
    names: impl Iterator<Item = &'static str> + 'a,
) -> impl Iterator<Item = Element> + 'a {
    names.map(|name| Element::new(name, NS))
}

impl From<Name> for Element {
    fn from(name: Name) -> Element {
        let mut element = Element::new("N", NS);
        for (tag, value) in [
            ("FAMILY", name.family),
            ("GIVEN", name.given),
            ("MIDDLE", name.middle),
            ("PREFIX", name.prefix),
            ("SUFFIX", name.suffix),
        ] {
            if let Some(value) = value {
                element.append_child(leaf(tag, value));
            }
        }
        for payload in name.payloads {
            element.append_child(payload);
        }
        element
    }
}

impl From<Email> for Element {
    fn from(email: Email) -> Element {
        Element::builder("EMAIL", NS)
            .children(flag_elements(email.types.iter().map(|t| t.name())))
            .child(leaf("USERID", email.userid))
            .children(email.payloads)
            .build()
    }
}

impl From<Telephone> for Element {
    fn from(tel: Telephone) -> Element {
        Element::builder("TEL", NS)
            .children(flag_elements(tel.types.iter().map(|t| t.name())))
            .child(leaf("NUMBER", tel.number))
            .children(tel.payloads)
            .build()
    }
}

impl From<Address> for Element {
    fn from(adr: Address) -> Element {
        let mut element = Element::builder("ADR", NS)
            .children(flag_elements(adr.types.iter().map(|t| t.name())))
            .build();
        for (tag, value) in [
            ("POBOX", adr.pobox),
            ("EXTADD", adr.extadd),
            ("STREET", adr.street),
            ("LOCALITY", adr.locality),
            ("REGION", adr.region),
            ("PCODE", adr.pcode),
            ("CTRY", adr.country),
        ] {
            if let Some(value) = value {
                element.append_child(leaf(tag, value));
            }
        }
        for payload in adr.payloads {
            element.append_child(payload);
        }
        element
    }
}

impl From<Organization> for Element {
    fn from(org: Organization) -> Element {
        Element::builder("ORG", NS)
            .child(leaf("ORGNAME", org.name))
            .children(org.units.into_iter().map(|unit| leaf("ORGUNIT", unit)))
            .children(org.payloads)
            .build()
    }
}

impl From<Photo> for Element {
    fn from(photo: Photo) -> Element {
        let mut element = Element::new("PHOTO", NS);
        match photo {
            Photo::Binary { mime_type, data } => {
                if let Some(mime_type) = mime_type {
                    element.append_child(leaf("TYPE", mime_type));
                }
                element.append_child(leaf("BINVAL", STANDARD.encode(data)));
            }
            Photo::External { url } => element.append_child(leaf("EXTVAL", url)),
        }
        element
    }
}

impl TryFrom<Element> for VCard {
    type Error = StanzaParseError;

    /// [`VCard::parse`] with photos up to [`DEFAULT_MAX_PHOTO_SIZE`].
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        VCard::parse(element, DEFAULT_MAX_PHOTO_SIZE)
    }
}

impl From<VCard> for Element {
    fn from(card: VCard) -> Element {
        let mut element = Element::new("vCard", NS);
        let text = |element: &mut Element, tag: &'static str, value: Option<String>| {
            if let Some(value) = value {
                element.append_child(leaf(tag, value));
            }
        };
        text(&mut element, "FN", card.full_name);
        if let Some(name) = card.name {
            element.append_child(name.into());
        }
        text(&mut element, "NICKNAME", card.nickname);
        if let Some(photo) = card.photo {
            element.append_child(photo.into());
        }
        text(&mut element, "BDAY", card.birthday);
        for adr in card.addresses {
            element.append_child(adr.into());
        }
        for tel in card.telephones {
            element.append_child(tel.into());
        }
        for email in card.emails {
            element.append_child(email.into());
        }
        text(&mut element, "JABBERID", card.jabber_id);
        text(&mut element, "TITLE", card.title);
        text(&mut element, "ROLE", card.role);
        if let Some(org) = card.organization {
            element.append_child(org.into());
        }
        text(&mut element, "NOTE", card.note);
        text(&mut element, "URL", card.url);
        text(&mut element, "DESC", card.description);
        for payload in card.payloads {
            element.append_child(payload);
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    fn iq(xml: &str) -> Iq {
        Iq::try_from(element(xml)).unwrap()
    }

    /// XEP-0054 Example 2: Peter Saint-Andre's vCard.
    const STPETER: &str = "<vCard xmlns='vcard-temp'>
          <FN>Peter Saint-Andre</FN>
          <N>
            <FAMILY>Saint-Andre</FAMILY>
            <GIVEN>Peter</GIVEN>
            <MIDDLE/>
          </N>
          <NICKNAME>stpeter</NICKNAME>
          <URL>http://www.xmpp.org/xsf/people/stpeter.shtml</URL>
          <BDAY>1966-08-06</BDAY>
          <ORG>
            <ORGNAME>XMPP Standards Foundation</ORGNAME>
            <ORGUNIT/>
          </ORG>
          <TITLE>Executive Director</TITLE>
          <ROLE>Patron Saint</ROLE>
          <TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL>
          <TEL><WORK/><FAX/><NUMBER/></TEL>
          <TEL><WORK/><MSG/><NUMBER/></TEL>
          <ADR>
            <WORK/>
            <EXTADD>Suite 600</EXTADD>
            <STREET>1899 Wynkoop Street</STREET>
            <LOCALITY>Denver</LOCALITY>
            <REGION>CO</REGION>
            <PCODE>80202</PCODE>
            <CTRY>USA</CTRY>
          </ADR>
          <TEL><HOME/><VOICE/><NUMBER>303-555-1212</NUMBER></TEL>
          <TEL><HOME/><FAX/><NUMBER/></TEL>
          <TEL><HOME/><MSG/><NUMBER/></TEL>
          <ADR>
            <HOME/>
            <EXTADD/>
            <STREET/>
            <LOCALITY>Denver</LOCALITY>
            <REGION>CO</REGION>
            <PCODE>80209</PCODE>
            <CTRY>USA</CTRY>
          </ADR>
          <EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.org</USERID></EMAIL>
          <JABBERID>stpeter@jabber.org</JABBERID>
          <DESC>More information about me is located on my personal website: http://www.saint-andre.com/</DESC>
        </vCard>";

    #[test]
    fn test_simple() {
        let card = VCard::try_from(element(STPETER)).unwrap();
        assert_eq!(card.full_name.as_deref(), Some("Peter Saint-Andre"));
        let name = card.name.as_ref().unwrap();
        assert_eq!(name.family.as_deref(), Some("Saint-Andre"));
        assert_eq!(name.given.as_deref(), Some("Peter"));
        assert_eq!(name.middle, None, "<MIDDLE/> is empty");
        assert_eq!(card.nickname.as_deref(), Some("stpeter"));
        assert_eq!(
            card.url.as_deref(),
            Some("http://www.xmpp.org/xsf/people/stpeter.shtml")
        );
        assert_eq!(card.birthday.as_deref(), Some("1966-08-06"));
        let org = card.organization.as_ref().unwrap();
        assert_eq!(org.name, "XMPP Standards Foundation");
        assert!(org.units.is_empty());
        assert_eq!(card.title.as_deref(), Some("Executive Director"));
        assert_eq!(card.role.as_deref(), Some("Patron Saint"));
        assert_eq!(card.telephones.len(), 6);
        assert_eq!(card.telephones[0].types, [TelType::Work, TelType::Voice]);
        assert_eq!(card.telephones[0].number, "303-308-3282");
        assert!(card.telephones[1].is(TelType::Fax));
        assert_eq!(card.telephones[1].number, "");
        assert_eq!(card.telephones[3].types, [TelType::Home, TelType::Voice]);
        assert_eq!(card.addresses.len(), 2);
        assert_eq!(card.addresses[0].types, [AdrType::Work]);
        assert_eq!(card.addresses[0].extadd.as_deref(), Some("Suite 600"));
        assert_eq!(card.addresses[0].country.as_deref(), Some("USA"));
        assert_eq!(card.addresses[1].street, None);
        assert_eq!(card.addresses[1].pcode.as_deref(), Some("80209"));
        assert_eq!(card.emails.len(), 1);
        assert_eq!(card.emails[0].userid, "stpeter@jabber.org");
        assert!(card.emails[0].is(EmailType::Internet) && card.emails[0].is(EmailType::Pref));
        assert!(!card.emails[0].is(EmailType::Home));
        assert_eq!(card.jabber_id.as_deref(), Some("stpeter@jabber.org"));
        assert!(card.description.unwrap().starts_with("More information"));
        assert_eq!(card.photo, None);
        assert!(card.payloads.is_empty());

        // Example 2 in its IQ result.
        let result = iq(&format!(
            "<iq from='stpeter@jabber.org' to='stpeter@jabber.org/roundabout' type='result' \
             id='v1'>{STPETER}</iq>"
        ));
        let card = VCard::from_result(result).unwrap().unwrap();
        assert_eq!(card.nickname.as_deref(), Some("stpeter"));
    }

    #[test]
    fn no_vcard() {
        // Empty result, empty <vCard/> (Prosody), item-not-found (XEP-0054 §3.1).
        assert_eq!(
            VCard::from_result(iq("<iq type='result' id='v1'/>")),
            Ok(None)
        );
        assert_eq!(
            VCard::from_result(iq(
                "<iq type='result' id='v1'><vCard xmlns='vcard-temp'/></iq>"
            )),
            Ok(None)
        );
        assert_eq!(
            VCard::from_result(iq(
                "<iq type='result' id='v1'><vCard xmlns='vcard-temp'>\n  </vCard></iq>"
            )),
            Ok(None)
        );
        let not_found = iq("<iq type='error' id='v1'><vCard xmlns='vcard-temp'/>\
               <error type='cancel'>\
                 <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
               </error></iq>");
        assert_eq!(from_response(Ok(not_found)), Ok(None));
        assert_eq!(
            from_response(Err(StanzaError::new(StanzaErrorCondition::ItemNotFound))),
            Ok(None)
        );
        let refused = StanzaError::new(StanzaErrorCondition::ServiceUnavailable);
        assert_eq!(
            from_response(Err(refused.clone())),
            Err(VCardError::Refused(Box::new(refused)))
        );
        let card = from_response(Ok(iq(&format!("<iq type='result' id='v1'>{STPETER}</iq>"))))
            .unwrap()
            .unwrap();
        assert_eq!(card.full_name.as_deref(), Some("Peter Saint-Andre"));
    }

    #[test]
    fn multi_line_photo() {
        // XEP-0153 style: BINVAL wrapped over several lines, with CR LF and indentation.
        let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        let encoded = STANDARD.encode(&data);
        let wrapped: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let card = VCard::try_from(element(&format!(
            "<vCard xmlns='vcard-temp'><PHOTO>\n  <TYPE>image/png</TYPE>\n  <BINVAL>\r\n    {}\r\n  </BINVAL>\n</PHOTO></vCard>",
            wrapped.join("\r\n    ")
        )))
        .unwrap();
        assert_eq!(card.photo, Some(Photo::binary("image/png", data)));

        // Missing padding is tolerated too.
        let card = VCard::try_from(element(
            "<vCard xmlns='vcard-temp'><PHOTO><BINVAL>AAEC\nAw</BINVAL></PHOTO></vCard>",
        ))
        .unwrap();
        assert_eq!(
            card.photo,
            Some(Photo::Binary {
                mime_type: None,
                data: vec![0, 1, 2, 3]
            })
        );

        // An external photo; an empty <PHOTO/> means "no avatar" (XEP-0153).
        let card = VCard::try_from(element(
            "<vCard xmlns='vcard-temp'><PHOTO><EXTVAL>https://example.org/a.png</EXTVAL>\
             </PHOTO></vCard>",
        ))
        .unwrap();
        assert_eq!(
            card.photo,
            Some(Photo::External {
                url: "https://example.org/a.png".into()
            })
        );
        for empty in [
            "<PHOTO/>",
            "<PHOTO><TYPE/><BINVAL/></PHOTO>",
            "<PHOTO><BINVAL>\n</BINVAL></PHOTO>",
        ] {
            let card = VCard::try_from(element(&format!(
                "<vCard xmlns='vcard-temp'>{empty}</vCard>"
            )))
            .unwrap();
            assert_eq!(card.photo, None, "{empty}");
        }
    }

    #[test]
    fn oversize_photo_is_refused() {
        // Built directly: the parser's own limits would refuse the largest of these.
        let photo = |size: usize| {
            Element::from(VCard {
                photo: Some(Photo::binary("image/jpeg", vec![7u8; size])),
                ..VCard::default()
            })
        };
        // Exactly at the limit is fine; one byte more is not, whatever the padding.
        for limit in [10, 11, 12, 1000] {
            let card = VCard::parse(photo(limit), limit).unwrap();
            assert!(
                matches!(card.photo, Some(Photo::Binary { ref data, .. }) if data.len() == limit)
            );
            assert_eq!(
                VCard::parse(photo(limit + 1), limit),
                Err(too_large(limit + 1)),
                "limit {limit}"
            );
        }
        // The default limit, refused before decoding.
        let big = photo(DEFAULT_MAX_PHOTO_SIZE + 3000);
        assert!(matches!(
            VCard::try_from(big.clone()),
            Err(StanzaParseError::InvalidValue {
                element: "PHOTO",
                ..
            })
        ));
        let result = Iq::get("v", Element::new("vCard", NS)).result(Some(big));
        assert!(VCard::from_result(result.clone()).is_err());
        assert!(
            VCard::from_result_with_limit(result, 2 * DEFAULT_MAX_PHOTO_SIZE)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&request(None).into()),
            "<iq xmlns='jabber:client' id='' type='get'><vCard xmlns='vcard-temp'/></iq>"
        );
        let card = VCard {
            full_name: Some("Peter Saint-Andre".into()),
            name: Some(Name {
                family: Some("Saint-Andre".into()),
                given: Some("Peter".into()),
                ..Name::default()
            }),
            nickname: Some("stpeter".into()),
            photo: Some(Photo::binary("image/png", b"\x89PNG".to_vec())),
            telephones: vec![Telephone {
                types: vec![TelType::Work, TelType::Voice],
                number: "303-308-3282".into(),
                payloads: Vec::new(),
            }],
            emails: vec![Email::internet("stpeter@jabber.org")],
            organization: Some(Organization {
                name: "XSF".into(),
                units: vec!["Council".into()],
                payloads: Vec::new(),
            }),
            ..VCard::default()
        };
        assert_eq!(
            xml(&publish(card).into()),
            "<iq xmlns='jabber:client' id='' type='set'><vCard xmlns='vcard-temp'>\
             <FN>Peter Saint-Andre</FN>\
             <N><FAMILY>Saint-Andre</FAMILY><GIVEN>Peter</GIVEN></N>\
             <NICKNAME>stpeter</NICKNAME>\
             <PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw==</BINVAL></PHOTO>\
             <TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL>\
             <EMAIL><INTERNET/><USERID>stpeter@jabber.org</USERID></EMAIL>\
             <ORG><ORGNAME>XSF</ORGNAME><ORGUNIT>Council</ORGUNIT></ORG>\
             </vCard></iq>"
        );
        assert_eq!(xml(&VCard::new().into()), "<vCard xmlns='vcard-temp'/>");
    }

    #[test]
    fn test_round_trip() {
        let card = VCard::try_from(element(STPETER)).unwrap();
        assert_eq!(VCard::try_from(Element::from(card.clone())), Ok(card));

        // Unknown children, other namespaces and repeated single fields survive.
        let card = VCard::try_from(element(
            "<vCard xmlns='vcard-temp'>\
               <FN>A</FN><FN>B</FN>\
               <N><GIVEN>A</GIVEN><NICK xmlns='urn:x'/></N>\
               <EMAIL><HOME/><HOME/><USERID>a@b</USERID><X-FOO/></EMAIL>\
               <TEL><CELL/><NUMBER>1</NUMBER></TEL>\
               <ADR><INTL/><CTRY>FR</CTRY><X-GEO>1,2</X-GEO></ADR>\
               <PHOTO><EXTVAL>https://e.org/a</EXTVAL></PHOTO>\
               <PHOTO><EXTVAL>https://e.org/b</EXTVAL></PHOTO>\
               <ORG><ORGNAME>O</ORGNAME><ORGUNIT>U1</ORGUNIT><ORGUNIT>U2</ORGUNIT></ORG>\
               <NOTE>n</NOTE>\
               <TZ>+01:00</TZ>\
               <GEO><LAT>1</LAT><LON>2</LON></GEO>\
               <avatar xmlns='urn:example'/>\
             </vCard>",
        ))
        .unwrap();
        assert_eq!(card.full_name.as_deref(), Some("A"));
        assert_eq!(card.emails[0].types, [EmailType::Home]);
        assert_eq!(card.emails[0].payloads.len(), 1);
        assert_eq!(card.name.as_ref().unwrap().payloads.len(), 1);
        assert_eq!(card.addresses[0].payloads.len(), 1);
        assert_eq!(card.organization.as_ref().unwrap().units, ["U1", "U2"]);
        let kept: Vec<&str> = card.payloads.iter().map(Element::name).collect();
        assert_eq!(kept, ["FN", "PHOTO", "TZ", "GEO", "avatar"]);
        assert_eq!(VCard::try_from(Element::from(card.clone())), Ok(card));

        let card = VCard {
            photo: Some(Photo::Binary {
                mime_type: None,
                data: (0..=255).collect(),
            }),
            addresses: vec![Address {
                types: vec![AdrType::Postal, AdrType::Pref],
                pobox: Some("42".into()),
                ..Address::default()
            }],
            note: Some("  spaced  ".into()),
            ..VCard::default()
        };
        assert_eq!(VCard::try_from(Element::from(card.clone())), Ok(card));
    }

    #[test]
    fn test_invalid() {
        assert!(matches!(
            VCard::try_from(element("<vCard xmlns='vcard-temp:x'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            VCard::try_from(element("<VCARD xmlns='vcard-temp'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let card = |body: &str| {
            VCard::try_from(element(&format!(
                "<vCard xmlns='vcard-temp'>{body}</vCard>"
            )))
        };
        assert_eq!(
            card("<EMAIL><INTERNET/></EMAIL>"),
            Err(missing("EMAIL", "USERID child"))
        );
        assert_eq!(
            card("<TEL><HOME/></TEL>"),
            Err(missing("TEL", "NUMBER child"))
        );
        assert_eq!(
            card("<ORG><ORGUNIT>x</ORGUNIT></ORG>"),
            Err(missing("ORG", "ORGNAME child"))
        );
        assert_eq!(
            card("<PHOTO><BINVAL>not base64!</BINVAL></PHOTO>"),
            Err(invalid("BINVAL", "base64", "not base64!"))
        );
        assert!(card("<PHOTO><BINVAL>AAA=AAA=</BINVAL></PHOTO>").is_err());
        // An IQ that is not a result.
        assert_eq!(
            VCard::from_result(request(None)),
            Err(invalid("iq", "type (expected a result)", "get"))
        );
        // A result with another payload.
        assert!(matches!(
            VCard::from_result(iq(
                "<iq type='result' id='v'><query xmlns='jabber:iq:roster'/></iq>"
            )),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            from_response(Ok(iq(
                "<iq type='result' id='v'><vCard xmlns='vcard-temp'><TEL/></vCard></iq>"
            ))),
            Err(VCardError::Invalid(StanzaParseError::Missing { .. }))
        ));
    }
}
