//! Delayed delivery (XEP-0203), its XEP-0082 timestamps, and the legacy `jabber:x:delay`
//! (XEP-0091) that old servers still send.
//!
//! ```
//! use openxmpp_im::core::xml::Element;
//! use openxmpp_im::delay::{Delay, Timestamp};
//!
//! let delay = Delay::new("2002-09-10T23:08:25Z".parse()?)
//!     .with_from("capulet.com".parse()?)
//!     .with_reason("Offline Storage");
//! let element = Element::from(delay.clone());
//! assert_eq!(
//!     element.to_string(),
//!     "<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>"
//! );
//! assert_eq!(Delay::try_from(element)?, delay);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod timestamp;

pub use timestamp::{Timestamp, TimestampError};

use openxmpp_core::jid::Jid;
use openxmpp_core::ns;
use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::Element;

use crate::parse_util::{invalid, jid_attr, missing};

/// The XEP-0203 namespace.
pub const NS: &str = ns::DELAY;

/// The legacy XEP-0091 namespace, read but never written.
pub const LEGACY_NS: &str = "jabber:x:delay";

/// A delayed-delivery stamp: when the stanza was originally sent, who delayed it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    /// The entity that sent the stanza originally or delayed it (a server, a room).
    pub from: Option<Jid>,
    /// When the stanza was originally sent.
    pub stamp: Timestamp,
    /// A human-readable reason (the element's text), if any.
    pub reason: Option<String>,
}

impl Delay {
    /// A stamp with no `from` and no reason.
    pub fn new(stamp: Timestamp) -> Self {
        Delay {
            from: None,
            stamp,
            reason: None,
        }
    }

    /// Sets who delayed the stanza.
    pub fn with_from(mut self, from: Jid) -> Self {
        self.from = Some(from);
        self
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

impl TryFrom<Element> for Delay {
    type Error = StanzaParseError;

    /// Reads `<delay xmlns='urn:xmpp:delay'/>`, or the legacy `<x xmlns='jabber:x:delay'/>`
    /// (whose stamp is `CCYYMMDDThh:mm:ss`; a XEP-0082 stamp is accepted there too). Either
    /// way the result serializes as XEP-0203.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        let (name, legacy) = if element.is("x", LEGACY_NS) {
            ("x", true)
        } else {
            crate::parse_util::expect(&element, "delay", NS)?;
            ("delay", false)
        };
        let from = jid_attr(&element, name, "from")?;
        let stamp = element.attr("stamp").ok_or(missing(name, "stamp"))?;
        let parsed = if legacy {
            Timestamp::parse_legacy(stamp).or_else(|_| Timestamp::parse(stamp))
        } else {
            Timestamp::parse(stamp)
        };
        let stamp = parsed.map_err(|_| invalid(name, "stamp", stamp))?;
        let reason = Some(element.into_text()).filter(|r| !r.is_empty());
        Ok(Delay {
            from,
            stamp,
            reason,
        })
    }
}

impl From<Delay> for Element {
    fn from(delay: Delay) -> Element {
        let mut element = Element::builder("delay", NS)
            .attr_opt("from", delay.from.map(|j| j.as_str().to_owned()))
            .attr("stamp", delay.stamp.to_string())
            .build();
        if let Some(reason) = delay.reason {
            element.append_text_string(reason);
        }
        element
    }
}

/// The message's delay stamp: the first XEP-0203 `<delay/>`, else a legacy `jabber:x:delay`
/// one; `None` if it has neither.
///
/// # Errors
/// The parse error of the element found, if it is invalid.
pub fn delay(message: &Message) -> Result<Option<Delay>, StanzaParseError> {
    message
        .payload("delay", NS)
        .or_else(|| message.payload("x", LEGACY_NS))
        .map(|element| Delay::try_from(element.clone()))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0203 example 1: a message stored offline.
        let message = Message::try_from(element(
            "<message from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>\
               <body>O blessed, blessed night! I am afeard.</body>\
               <delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>\
             </message>",
        ))
        .unwrap();
        let delay = delay(&message).unwrap().unwrap();
        assert_eq!(delay.from.unwrap().as_str(), "capulet.com");
        assert_eq!(delay.stamp, "2002-09-10T23:08:25Z".parse().unwrap());
        assert_eq!(delay.reason.as_deref(), Some("Offline Storage"));

        // XEP-0203 example 2: last available presence.
        let d = Delay::try_from(element(
            "<delay xmlns='urn:xmpp:delay' from='juliet@capulet.com/balcony' stamp='2002-09-10T23:41:07Z'/>",
        ))
        .unwrap();
        assert_eq!(d.from.unwrap().as_str(), "juliet@capulet.com/balcony");
        assert_eq!(d.reason, None);

        // XEP-0091: the legacy form.
        let d = Delay::try_from(element(
            "<x xmlns='jabber:x:delay' from='capulet.com' stamp='20020910T23:08:25'>Offline Storage</x>",
        ))
        .unwrap();
        assert_eq!(d.stamp, "2002-09-10T23:08:25Z".parse().unwrap());
        assert_eq!(d.reason.as_deref(), Some("Offline Storage"));
    }

    #[test]
    fn modern_is_preferred_to_legacy() {
        let message = Message::try_from(element(
            "<message><x xmlns='jabber:x:delay' stamp='20020910T23:08:25'/>\
             <delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:26Z'/></message>",
        ))
        .unwrap();
        assert_eq!(
            delay(&message).unwrap().unwrap().stamp.to_string(),
            "2002-09-10T23:08:26Z"
        );
        let plain = Message::try_from(element("<message><body>hi</body></message>")).unwrap();
        assert_eq!(delay(&plain).unwrap(), None);
    }

    #[test]
    fn test_serialise() {
        let d = Delay::new(Timestamp::from_unix(1_031_699_305, 0).unwrap());
        assert_eq!(
            xml(&d.into()),
            "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/>"
        );
        // The legacy form is written as XEP-0203, in UTC.
        let d = Delay::try_from(element(
            "<x xmlns='jabber:x:delay' stamp='20020910T23:08:25'/>",
        ))
        .unwrap();
        assert_eq!(
            xml(&d.into()),
            "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/>"
        );
        let d = Delay::try_from(element(
            "<delay xmlns='urn:xmpp:delay' stamp='2002-09-11T01:08:25.25+02:00'>a &amp; b</delay>",
        ))
        .unwrap();
        assert_eq!(
            xml(&d.into()),
            "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25.25Z'>a &amp; b</delay>"
        );
    }

    #[test]
    fn round_trip() {
        let d = Delay::new("2002-09-10T23:08:25.123Z".parse().unwrap())
            .with_from("room@muc.example/nick".parse().unwrap())
            .with_reason("history");
        assert_eq!(Delay::try_from(Element::from(d.clone())).unwrap(), d);
    }

    #[test]
    fn test_invalid() {
        let cases: &[(&str, StanzaParseError)] = &[
            (
                "<delay xmlns='urn:xmpp:delay:1' stamp='2002-09-10T23:08:25Z'/>",
                StanzaParseError::UnexpectedElement {
                    expected: "delay",
                    ns: NS,
                    found: "delay".into(),
                    found_ns: "urn:xmpp:delay:1".into(),
                },
            ),
            (
                "<delay xmlns='urn:xmpp:delay'/>",
                StanzaParseError::Missing {
                    element: "delay",
                    what: "stamp",
                },
            ),
            (
                "<delay xmlns='urn:xmpp:delay' stamp='20020910T23:08:25'/>",
                invalid("delay", "stamp", "20020910T23:08:25"),
            ),
            (
                "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25'/>",
                invalid("delay", "stamp", "2002-09-10T23:08:25"),
            ),
            (
                "<x xmlns='jabber:x:delay' stamp='yesterday'/>",
                invalid("x", "stamp", "yesterday"),
            ),
            (
                "<x xmlns='jabber:x:delay'/>",
                StanzaParseError::Missing {
                    element: "x",
                    what: "stamp",
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                &Delay::try_from(element(input)).unwrap_err(),
                expected,
                "{input}"
            );
        }
        assert!(matches!(
            Delay::try_from(element(
                "<delay xmlns='urn:xmpp:delay' from='@bad' stamp='2002-09-10T23:08:25Z'/>"
            )),
            Err(StanzaParseError::InvalidJid {
                element: "delay",
                attribute: "from",
                ..
            })
        ));
        let huge = format!(
            "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25.{}Z'/>",
            "9".repeat(10_000)
        );
        match Delay::try_from(element(&huge)).unwrap_err() {
            StanzaParseError::InvalidValue { value, .. } => assert_eq!(value.chars().count(), 64),
            other => panic!("{other:?}"),
        }
    }
}
