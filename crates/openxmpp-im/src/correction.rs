//! Last message correction (XEP-0308): a message that replaces an earlier one, named by its id.
//!
//! Whether a correction is acceptable (same sender, a recent message) is the receiver's
//! decision; this module only reads and writes the `<replace/>` element.
//!
//! ```
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::correction::{Replace, replaced_id};
//!
//! let fixed = Message::chat("juliet@capulet.net".parse()?, "But soft, what light through yonder window breaks?")
//!     .with_id("good1")
//!     .with_payload(Replace::new("bad1").into());
//! assert_eq!(replaced_id(&fixed), Some("bad1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::Element;

use crate::parse_util::{expect, take_id};

/// The XEP-0308 namespace.
pub const NS: &str = "urn:xmpp:message-correct:0";

/// `<replace id='…'/>`: this message corrects the one with id `id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Replace {
    /// The id of the message being corrected.
    pub id: String,
}

impl Replace {
    /// A correction of the message with id `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Replace { id: id.into() }
    }
}

impl TryFrom<Element> for Replace {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "replace", NS)?;
        let id = take_id(&mut element, "replace", "id", "id")?;
        Ok(Replace { id })
    }
}

impl From<Replace> for Element {
    fn from(replace: Replace) -> Element {
        Element::builder("replace", NS)
            .attr("id", replace.id)
            .build()
    }
}

/// The id of the message this one corrects, if it is a correction with a non-empty id.
pub fn replaced_id(message: &Message) -> Option<&str> {
    message
        .payload("replace", NS)
        .and_then(|r| r.attr("id"))
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0308 example 2.
        let message = Message::try_from(element(
            "<message to='juliet@capulet.net/balcony' id='good1'>\
               <body>But soft, what light through yonder window breaks?</body>\
               <replace id='bad1' xmlns='urn:xmpp:message-correct:0'/>\
             </message>",
        ))
        .unwrap();
        assert_eq!(replaced_id(&message), Some("bad1"));
        let replace = Replace::try_from(message.payload("replace", NS).unwrap().clone()).unwrap();
        assert_eq!(replace, Replace::new("bad1"));
        let plain = Message::try_from(element("<message><body>x</body></message>")).unwrap();
        assert_eq!(replaced_id(&plain), None);
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&Replace::new("bad1").into()),
            "<replace xmlns='urn:xmpp:message-correct:0' id='bad1'/>"
        );
    }

    #[test]
    fn round_trip() {
        let r = Replace::new("a<b");
        assert_eq!(Replace::try_from(Element::from(r.clone())).unwrap(), r);
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            Replace::try_from(element("<replace xmlns='urn:xmpp:message-correct:0'/>"))
                .unwrap_err(),
            StanzaParseError::Missing {
                element: "replace",
                what: "id"
            }
        );
        assert!(matches!(
            Replace::try_from(element(
                "<replace xmlns='urn:xmpp:message-correct:0' id=''/>"
            )),
            Err(StanzaParseError::InvalidValue { .. })
        ));
        assert!(matches!(
            Replace::try_from(element(
                "<replace xmlns='urn:xmpp:message-correct:1' id='a'/>"
            )),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let empty = Message::try_from(element(
            "<message><replace xmlns='urn:xmpp:message-correct:0' id=''/></message>",
        ))
        .unwrap();
        assert_eq!(replaced_id(&empty), None);
    }
}
