//! Stanza forwarding (XEP-0297): a stanza wrapped in `<forwarded/>`, with an optional delay
//! stamp saying when it was first sent. Carbons (XEP-0280) and archive results (XEP-0313) carry
//! forwarded messages.
//!
//! ```
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::core::xml::Element;
//! use openxmpp_im::delay::Delay;
//! use openxmpp_im::forwarded::Forwarded;
//!
//! let original = Message::chat("mercutio@verona.lit".parse()?, "A most courteous exposition!");
//! let forwarded = Forwarded::message(original.clone())
//!     .with_delay(Delay::new("2010-07-10T23:08:25Z".parse()?));
//! let element = Element::from(forwarded.clone());
//! let again = Forwarded::try_from(element)?;
//! assert_eq!(again.as_message(), Some(&original));
//! assert_eq!(again, forwarded);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::ns;
use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::delay::{self, Delay};
use crate::parse_util::{expect, invalid, missing};

/// The XEP-0297 namespace.
pub const NS: &str = "urn:xmpp:forward:0";

/// The stanza inside a `<forwarded/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardedStanza {
    /// A forwarded message, typed.
    Message(Box<Message>),
    /// A forwarded presence or IQ, kept as it was received.
    Other(Box<Element>),
}

/// A forwarded stanza and when it was originally sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    /// When (and by whom) the stanza was originally sent or delayed.
    pub delay: Option<Delay>,
    /// The forwarded stanza.
    pub stanza: ForwardedStanza,
}

impl Forwarded {
    /// Forwards `message`, without a delay stamp.
    pub fn message(message: Message) -> Self {
        Forwarded {
            delay: None,
            stanza: ForwardedStanza::Message(Box::new(message)),
        }
    }

    /// Sets the delay stamp.
    pub fn with_delay(mut self, delay: Delay) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The forwarded message, if it is one.
    pub fn as_message(&self) -> Option<&Message> {
        match &self.stanza {
            ForwardedStanza::Message(m) => Some(m),
            ForwardedStanza::Other(_) => None,
        }
    }

    /// Moves the forwarded message out, if it is one.
    pub fn into_message(self) -> Option<Message> {
        match self.stanza {
            ForwardedStanza::Message(m) => Some(*m),
            ForwardedStanza::Other(_) => None,
        }
    }
}

impl TryFrom<Element> for Forwarded {
    type Error = StanzaParseError;

    /// Reads `<forwarded/>`: at most one XEP-0203 `<delay/>` and exactly one stanza in
    /// `jabber:client`. Other children are ignored.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "forwarded", NS)?;
        let mut delay = None;
        let mut stanza = None;
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("delay", delay::NS) {
                if delay.is_some() {
                    return Err(invalid("forwarded", "number of delay children", "2"));
                }
                delay = Some(Delay::try_from(child)?);
            } else if child.ns() == ns::JABBER_CLIENT
                && matches!(child.name(), "message" | "presence" | "iq")
            {
                if stanza.is_some() {
                    return Err(invalid("forwarded", "number of stanzas", "2"));
                }
                stanza = Some(if child.name() == "message" {
                    ForwardedStanza::Message(Box::new(Message::try_from(child)?))
                } else {
                    ForwardedStanza::Other(Box::new(child))
                });
            }
        }
        Ok(Forwarded {
            delay,
            stanza: stanza.ok_or(missing("forwarded", "stanza"))?,
        })
    }
}

impl From<Forwarded> for Element {
    fn from(forwarded: Forwarded) -> Element {
        let mut element = Element::new("forwarded", NS);
        if let Some(delay) = forwarded.delay {
            element.append_child(delay.into());
        }
        element.append_child(match forwarded.stanza {
            ForwardedStanza::Message(m) => (*m).into(),
            ForwardedStanza::Other(e) => *e,
        });
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    const EXAMPLE: &str = "<forwarded xmlns='urn:xmpp:forward:0'>\
          <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
          <message from='juliet@capulet.lit/orchard' id='0202197' to='romeo@montague.lit' \
                   type='chat' xmlns='jabber:client'>\
            <body>Yet I should kill thee with much cherishing.</body>\
            <mood xmlns='http://jabber.org/protocol/mood'><amorous/></mood>\
          </message>\
        </forwarded>";

    #[test]
    fn test_simple() {
        // XEP-0297 example 1 (the forwarded part).
        let f = Forwarded::try_from(element(EXAMPLE)).unwrap();
        assert_eq!(
            f.delay.as_ref().unwrap().stamp.to_string(),
            "2010-07-10T23:08:25Z"
        );
        let m = f.as_message().unwrap();
        assert_eq!(m.header.id.as_deref(), Some("0202197"));
        assert_eq!(
            m.body(),
            Some("Yet I should kill thee with much cherishing.")
        );
        assert!(
            m.payload("mood", "http://jabber.org/protocol/mood")
                .is_some()
        );
        let m = f.into_message().unwrap();
        assert_eq!(
            m.header.from.unwrap().as_str(),
            "juliet@capulet.lit/orchard"
        );
    }

    #[test]
    fn other_stanzas_are_kept_raw() {
        let f = Forwarded::try_from(element(
            "<forwarded xmlns='urn:xmpp:forward:0'><presence xmlns='jabber:client' from='a@b.c/d'/></forwarded>",
        ))
        .unwrap();
        assert_eq!(f.as_message(), None);
        assert!(matches!(&f.stanza, ForwardedStanza::Other(e) if e.name() == "presence"));
        assert_eq!(
            xml(&f.clone().into()),
            "<forwarded xmlns='urn:xmpp:forward:0'><presence xmlns='jabber:client' from='a@b.c/d'/></forwarded>"
        );
        assert_eq!(f.into_message(), None);
    }

    #[test]
    fn test_serialise() {
        let f = Forwarded::message(Message::chat("romeo@montague.lit".parse().unwrap(), "hi"))
            .with_delay(Delay::new("2010-07-10T23:08:25Z".parse().unwrap()));
        assert_eq!(
            xml(&f.into()),
            "<forwarded xmlns='urn:xmpp:forward:0'>\
             <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
             <message xmlns='jabber:client' to='romeo@montague.lit' type='chat'><body>hi</body></message>\
             </forwarded>"
        );
    }

    #[test]
    fn round_trip() {
        let f = Forwarded::try_from(element(EXAMPLE)).unwrap();
        assert_eq!(Forwarded::try_from(Element::from(f.clone())).unwrap(), f);
    }

    #[test]
    fn test_invalid() {
        let cases = [
            "<forwarded xmlns='urn:xmpp:forward:1'><message xmlns='jabber:client'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'/>",
            "<forwarded xmlns='urn:xmpp:forward:0'><message/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:server'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='bogus'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='@'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='now'/>\
             <message xmlns='jabber:client'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/>\
             <message xmlns='jabber:client'/></forwarded>",
            "<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
             <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/><message xmlns='jabber:client'/></forwarded>",
        ];
        for case in cases {
            assert!(Forwarded::try_from(element(case)).is_err(), "{case}");
        }
        assert_eq!(
            Forwarded::try_from(element("<forwarded xmlns='urn:xmpp:forward:0'/>")).unwrap_err(),
            StanzaParseError::Missing {
                element: "forwarded",
                what: "stanza"
            }
        );
    }
}
