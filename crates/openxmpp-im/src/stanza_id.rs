//! Unique and stable stanza ids (XEP-0359): the `<stanza-id/>` an archiving entity stamps and
//! the `<origin-id/>` the sending client sets.
//!
//! Anyone can put a `<stanza-id/>` in a message, so one is trusted only when its `by` is the
//! entity expected to stamp it (our own account for one-to-one chats, the room for group
//! chats) and that entity is known to strip forged ones; [`stanza_id_by`] applies the first half
//! of that rule.
//!
//! ```
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::stanza_id::{OriginId, StanzaId, origin_id, stanza_id_by};
//!
//! let archive: openxmpp_im::core::jid::Jid = "juliet@capulet.lit".parse()?;
//! let message = Message::chat("romeo@montague.lit".parse()?, "Hi")
//!     .with_payload(OriginId::new("de305d54").into())
//!     .with_payload(StanzaId::new("5f3dbc5e", archive.clone()).into());
//! assert_eq!(origin_id(&message), Some("de305d54"));
//! assert_eq!(stanza_id_by(&message, &archive), Some("5f3dbc5e"));
//! assert_eq!(stanza_id_by(&message, &"evil.example".parse()?), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::Jid;
use openxmpp_core::ns;
use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::Element;

use crate::parse_util::{expect, jid_attr, missing, take_id};

/// The XEP-0359 namespace.
pub const NS: &str = ns::STANZA_ID;

/// A `<stanza-id/>`: the id `by` gave the stanza (typically when archiving it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StanzaId {
    /// The id, unique within `by`'s scope.
    pub id: String,
    /// The entity that assigned it.
    pub by: Jid,
}

impl StanzaId {
    /// The id `id` assigned by `by`.
    pub fn new(id: impl Into<String>, by: Jid) -> Self {
        StanzaId { id: id.into(), by }
    }
}

/// An `<origin-id/>`: the id the sending client gave the stanza.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginId {
    /// The id.
    pub id: String,
}

impl OriginId {
    /// The origin id `id`.
    pub fn new(id: impl Into<String>) -> Self {
        OriginId { id: id.into() }
    }
}

impl TryFrom<Element> for StanzaId {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "stanza-id", NS)?;
        let by = jid_attr(&element, "stanza-id", "by")?.ok_or(missing("stanza-id", "by"))?;
        let id = take_id(&mut element, "stanza-id", "id", "id")?;
        Ok(StanzaId { id, by })
    }
}

impl From<StanzaId> for Element {
    fn from(sid: StanzaId) -> Element {
        Element::builder("stanza-id", NS)
            .attr("id", sid.id)
            .attr("by", sid.by.as_str().to_owned())
            .build()
    }
}

impl TryFrom<Element> for OriginId {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "origin-id", NS)?;
        let id = take_id(&mut element, "origin-id", "id", "id")?;
        Ok(OriginId { id })
    }
}

impl From<OriginId> for Element {
    fn from(oid: OriginId) -> Element {
        Element::builder("origin-id", NS).attr("id", oid.id).build()
    }
}

/// The message's `<origin-id/>`, if it has a non-empty one.
pub fn origin_id(message: &Message) -> Option<&str> {
    message
        .payload("origin-id", NS)
        .and_then(|e| e.attr("id"))
        .filter(|id| !id.is_empty())
}

/// The id that `by` gave the message: the `<stanza-id/>` whose `by` is exactly `by` (compared as
/// prepared JIDs). Stanza ids from anyone else are ignored, as XEP-0359 requires; if there are
/// several from `by`, which a well-behaved `by` never produces, none is trusted.
pub fn stanza_id_by<'m>(message: &'m Message, by: &Jid) -> Option<&'m str> {
    let mut matching = message
        .payloads
        .iter()
        .filter(|p| p.is("stanza-id", NS))
        .filter(|p| {
            p.attr("by")
                .and_then(|b| b.parse::<Jid>().ok())
                .is_some_and(|b| &b == by)
        })
        .filter_map(|p| p.attr("id"));
    match (matching.next(), matching.next()) {
        (Some(id), None) if !id.is_empty() => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0359 examples 1 and 2.
        let sid = StanzaId::try_from(element(
            "<stanza-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013' by='room@muc.xmpp.org'/>",
        ))
        .unwrap();
        assert_eq!(sid.id, "de305d54-75b4-431b-adb2-eb6b9e546013");
        assert_eq!(sid.by.as_str(), "room@muc.xmpp.org");
        let oid = OriginId::try_from(element(
            "<origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/>",
        ))
        .unwrap();
        assert_eq!(oid.id, "de305d54-75b4-431b-adb2-eb6b9e546013");
    }

    #[test]
    fn test_serialise() {
        let sid = StanzaId::new("abc", "Juliet@Capulet.lit".parse().unwrap());
        assert_eq!(
            xml(&sid.into()),
            "<stanza-id xmlns='urn:xmpp:sid:0' id='abc' by='juliet@capulet.lit'/>"
        );
        assert_eq!(
            xml(&OriginId::new("x'y").into()),
            "<origin-id xmlns='urn:xmpp:sid:0' id='x&apos;y'/>"
        );
    }

    #[test]
    fn round_trip() {
        let sid = StanzaId::new("1", "capulet.lit".parse().unwrap());
        assert_eq!(StanzaId::try_from(Element::from(sid.clone())).unwrap(), sid);
        let oid = OriginId::new("2");
        assert_eq!(OriginId::try_from(Element::from(oid.clone())).unwrap(), oid);
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            StanzaId::try_from(element("<stanza-id xmlns='urn:xmpp:sid:0' id='a'/>")).unwrap_err(),
            StanzaParseError::Missing {
                element: "stanza-id",
                what: "by"
            }
        );
        assert_eq!(
            StanzaId::try_from(element("<stanza-id xmlns='urn:xmpp:sid:0' by='a.b'/>"))
                .unwrap_err(),
            StanzaParseError::Missing {
                element: "stanza-id",
                what: "id"
            }
        );
        assert!(matches!(
            StanzaId::try_from(element(
                "<stanza-id xmlns='urn:xmpp:sid:0' id='' by='a.b'/>"
            )),
            Err(StanzaParseError::InvalidValue { what: "id", .. })
        ));
        assert!(matches!(
            StanzaId::try_from(element("<stanza-id xmlns='urn:xmpp:sid:0' id='a' by='@'/>")),
            Err(StanzaParseError::InvalidJid {
                attribute: "by",
                ..
            })
        ));
        assert!(matches!(
            OriginId::try_from(element("<origin-id xmlns='urn:xmpp:sid:0'/>")),
            Err(StanzaParseError::Missing { .. })
        ));
        assert!(matches!(
            OriginId::try_from(element("<stanza-id xmlns='urn:xmpp:sid:0' id='a'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            StanzaId::try_from(element("<stanza-id xmlns='urn:xmpp:sid:1' id='a' by='b'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }

    #[test]
    fn only_the_expected_stamper_is_trusted() {
        let message = Message::try_from(element(
            "<message from='mallory@evil.example/x' to='juliet@capulet.lit'>\
               <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='romeo@montague.lit'/>\
               <stanza-id xmlns='urn:xmpp:sid:0' id='bad-jid' by='@'/>\
               <stanza-id xmlns='urn:xmpp:sid:0' id='real' by='juliet@capulet.lit'/>\
               <origin-id xmlns='urn:xmpp:sid:0' id='origin'/>\
             </message>",
        ))
        .unwrap();
        let juliet: Jid = "Juliet@capulet.lit".parse().unwrap();
        assert_eq!(stanza_id_by(&message, &juliet), Some("real"));
        assert_eq!(
            stanza_id_by(&message, &"romeo@montague.lit".parse().unwrap()),
            Some("forged"),
            "trusting `by` is the caller's choice"
        );
        assert_eq!(
            stanza_id_by(&message, &"juliet@capulet.lit/balcony".parse().unwrap()),
            None
        );
        assert_eq!(origin_id(&message), Some("origin"));

        let twice = Message::try_from(element(
            "<message><stanza-id xmlns='urn:xmpp:sid:0' id='a' by='juliet@capulet.lit'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='b' by='juliet@capulet.lit'/>\
             <origin-id xmlns='urn:xmpp:sid:0' id=''/></message>",
        ))
        .unwrap();
        assert_eq!(stanza_id_by(&twice, &juliet), None);
        assert_eq!(origin_id(&twice), None);
    }
}
