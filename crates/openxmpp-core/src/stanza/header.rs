//! The attributes every stanza shares: id, to, from, xml:lang, and any others kept as they are.

use crate::jid::Jid;
use crate::ns;
use crate::xml::{Attribute, Element};

use super::StanzaParseError;

/// The addressing and identification shared by message, presence and IQ stanzas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StanzaHeader {
    /// The stanza's `id`.
    pub id: Option<String>,
    /// The intended recipient (`to`).
    pub to: Option<Jid>,
    /// The sender (`from`), as stamped by the server.
    pub from: Option<Jid>,
    /// The stanza's `xml:lang` (the parser records the inherited one on every stanza).
    pub lang: Option<String>,
    /// Attributes not defined by RFC 6120, kept so that a round trip loses nothing.
    pub other_attributes: Vec<Attribute>,
}

impl StanzaHeader {
    /// Takes the shared attributes out of `element`'s attributes.
    pub(crate) fn take_from(
        element_name: &'static str,
        attributes: Vec<Attribute>,
    ) -> Result<(Self, Option<String>), StanzaParseError> {
        let mut header = StanzaHeader::default();
        let mut kind = None;
        for attr in attributes {
            match (attr.ns(), attr.name()) {
                (None, "id") => header.id = Some(attr.into_value()),
                (None, "type") => kind = Some(attr.into_value()),
                (None, "to") => header.to = Some(jid_from(element_name, "to", attr.into_value())?),
                (None, "from") => {
                    header.from = Some(jid_from(element_name, "from", attr.into_value())?);
                }
                (Some(ns::XML), "lang") => header.lang = Some(attr.into_value()),
                _ => header.other_attributes.push(attr),
            }
        }
        Ok((header, kind))
    }

    /// An empty element `name` in `jabber:client` with these attributes and `type`, the strings
    /// moved in rather than copied.
    pub(crate) fn into_element(self, name: &'static str, kind: Option<&'static str>) -> Element {
        let mut attrs = Vec::with_capacity(5 + self.other_attributes.len());
        if let Some(id) = self.id {
            attrs.push(Attribute::new("id", id));
        }
        if let Some(to) = self.to {
            attrs.push(Attribute::new("to", String::from(to)));
        }
        if let Some(from) = self.from {
            attrs.push(Attribute::new("from", String::from(from)));
        }
        if let Some(kind) = kind {
            attrs.push(Attribute::new("type", kind));
        }
        if let Some(lang) = self.lang {
            attrs.push(Attribute::with_ns(ns::XML, "lang", lang));
        }
        let mut element = Element::from_parts(name.into(), ns::JABBER_CLIENT.into(), attrs);
        for attr in self.other_attributes {
            element.set_attribute(attr);
        }
        element
    }
}

/// Parses a JID attribute value.
pub(crate) fn parse_jid(
    element: &'static str,
    attribute: &'static str,
    value: &str,
) -> Result<Jid, StanzaParseError> {
    value
        .parse()
        .map_err(|source| StanzaParseError::InvalidJid {
            element,
            attribute,
            source,
        })
}

/// Parses a JID attribute value, keeping its string when it is already prepared.
fn jid_from(
    element: &'static str,
    attribute: &'static str,
    value: String,
) -> Result<Jid, StanzaParseError> {
    Jid::try_from(value).map_err(|source| StanzaParseError::InvalidJid {
        element,
        attribute,
        source,
    })
}

/// Checks that `element` is `<name xmlns='jabber:client'/>`.
pub(crate) fn expect_stanza(element: &Element, name: &'static str) -> Result<(), StanzaParseError> {
    if element.is(name, ns::JABBER_CLIENT) {
        Ok(())
    } else {
        Err(StanzaParseError::unexpected(
            name,
            ns::JABBER_CLIENT,
            element,
        ))
    }
}
