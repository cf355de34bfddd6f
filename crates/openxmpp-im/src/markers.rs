//! Chat markers (XEP-0333): a sender marks a message `<markable/>`; the recipient answers with
//! received, displayed or acknowledged markers naming it.
//!
//! ```
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::markers::{Markable, Marker, is_markable, marker};
//!
//! let question = Message::chat("juliet@capulet.lit".parse()?, "Do you see it?")
//!     .with_id("message-1")
//!     .with_payload(Markable.into());
//! assert!(is_markable(&question));
//! let seen = Message::chat("romeo@montague.lit".parse()?, "")
//!     .with_payload(Marker::Displayed { id: "message-1".into() }.into());
//! assert_eq!(marker(&seen), Some(Ok(Marker::Displayed { id: "message-1".into() })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::Element;

use crate::parse_util::{expect, take_id};

/// The XEP-0333 namespace.
pub const NS: &str = "urn:xmpp:chat-markers:0";

/// `<markable/>`: the sender would like chat markers for this message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Markable;

/// A chat marker, naming the message it is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Marker {
    /// The message was received.
    Received {
        /// The marked message's id.
        id: String,
    },
    /// The message was displayed to the user.
    Displayed {
        /// The marked message's id.
        id: String,
    },
    /// The user acknowledged the message.
    Acknowledged {
        /// The marked message's id.
        id: String,
    },
}

impl Marker {
    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Marker::Received { .. } => "received",
            Marker::Displayed { .. } => "displayed",
            Marker::Acknowledged { .. } => "acknowledged",
        }
    }

    /// The id of the message the marker is about.
    pub fn id(&self) -> &str {
        match self {
            Marker::Received { id } | Marker::Displayed { id } | Marker::Acknowledged { id } => id,
        }
    }
}

impl TryFrom<Element> for Markable {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "markable", NS)?;
        Ok(Markable)
    }
}

impl From<Markable> for Element {
    fn from(_: Markable) -> Element {
        Element::new("markable", NS)
    }
}

impl TryFrom<Element> for Marker {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        let (name, make): (&'static str, fn(String) -> Marker) =
            match (element.ns() == NS, element.name()) {
                (true, "received") => ("received", |id| Marker::Received { id }),
                (true, "displayed") => ("displayed", |id| Marker::Displayed { id }),
                (true, "acknowledged") => ("acknowledged", |id| Marker::Acknowledged { id }),
                _ => {
                    return Err(StanzaParseError::UnexpectedElement {
                        expected: "received, displayed or acknowledged",
                        ns: NS,
                        found: element.name().to_owned(),
                        found_ns: element.ns().to_owned(),
                    });
                }
            };
        Ok(make(take_id(&mut element, name, "id", "id")?))
    }
}

impl From<Marker> for Element {
    fn from(marker: Marker) -> Element {
        let name = marker.name();
        let id = match marker {
            Marker::Received { id } | Marker::Displayed { id } | Marker::Acknowledged { id } => id,
        };
        Element::builder(name, NS).attr("id", id).build()
    }
}

/// Whether the message asks for chat markers.
pub fn is_markable(message: &Message) -> bool {
    message.payload("markable", NS).is_some()
}

/// The message's chat marker, if it carries one (`Some(Err)` if it is malformed).
pub fn marker(message: &Message) -> Option<Result<Marker, StanzaParseError>> {
    message
        .payloads
        .iter()
        .find(|p| p.ns() == NS && matches!(p.name(), "received" | "displayed" | "acknowledged"))
        .map(|p| Marker::try_from(p.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0333 examples 1 and 2.
        let sent = Message::try_from(element(
            "<message from='northumberland@shakespeare.lit/westminster' id='message-1' \
               to='kingrichard@royalty.england.lit/throne'>\
               <body>My lord, dispatch; read o'er these articles.</body>\
               <markable xmlns='urn:xmpp:chat-markers:0'/>\
             </message>",
        ))
        .unwrap();
        assert!(is_markable(&sent));
        assert_eq!(marker(&sent), None);
        let answer = Message::try_from(element(
            "<message from='kingrichard@royalty.england.lit/throne' id='message-2' \
               to='northumberland@shakespeare.lit/westminster'>\
               <received xmlns='urn:xmpp:chat-markers:0' id='message-1'/>\
             </message>",
        ))
        .unwrap();
        assert!(!is_markable(&answer));
        let m = marker(&answer).unwrap().unwrap();
        assert_eq!(
            m,
            Marker::Received {
                id: "message-1".into()
            }
        );
        assert_eq!(m.id(), "message-1");
        for (name, expected) in [
            ("displayed", Marker::Displayed { id: "x".into() }),
            ("acknowledged", Marker::Acknowledged { id: "x".into() }),
        ] {
            let e = element(&format!("<{name} xmlns='urn:xmpp:chat-markers:0' id='x'/>"));
            assert_eq!(Marker::try_from(e).unwrap(), expected);
        }
        assert_eq!(
            Markable::try_from(element("<markable xmlns='urn:xmpp:chat-markers:0'/>")).unwrap(),
            Markable
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&Markable.into()),
            "<markable xmlns='urn:xmpp:chat-markers:0'/>"
        );
        assert_eq!(
            xml(&Marker::Acknowledged { id: "m1".into() }.into()),
            "<acknowledged xmlns='urn:xmpp:chat-markers:0' id='m1'/>"
        );
    }

    #[test]
    fn round_trip() {
        for m in [
            Marker::Received { id: "1".into() },
            Marker::Displayed { id: "2".into() },
            Marker::Acknowledged { id: "3".into() },
        ] {
            assert_eq!(Marker::try_from(Element::from(m.clone())).unwrap(), m);
        }
        assert_eq!(
            Markable::try_from(Element::from(Markable)).unwrap(),
            Markable
        );
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            Marker::try_from(element("<displayed xmlns='urn:xmpp:chat-markers:0'/>")).unwrap_err(),
            StanzaParseError::Missing {
                element: "displayed",
                what: "id"
            }
        );
        assert!(matches!(
            Marker::try_from(element("<received xmlns='urn:xmpp:receipts' id='a'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            Marker::try_from(element("<markable xmlns='urn:xmpp:chat-markers:0'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            Markable::try_from(element("<markable xmlns='urn:xmpp:chat-markers:1'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let bad = Message::try_from(element(
            "<message><acknowledged xmlns='urn:xmpp:chat-markers:0' id=''/></message>",
        ))
        .unwrap();
        assert!(matches!(marker(&bad), Some(Err(_))));
    }
}
