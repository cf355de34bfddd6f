//! The join request (XEP-0045 §7.2): `<x xmlns='http://jabber.org/protocol/muc'/>` in the
//! presence that enters a room, with the room password and how much history to send.

use openxmpp_core::stanza::StanzaParseError;
use openxmpp_core::xml::{Element, Node};

use super::NS;
use crate::delay::Timestamp;
use crate::parse_util::{expect, invalid, number};

/// How much discussion history the room should send on entering (XEP-0045 §7.2.14). Every
/// limit is optional; the room applies all that are given, and its own default when none is.
///
/// ```
/// use openxmpp_im::muc::History;
///
/// let last_twenty = History::default().with_max_stanzas(20);
/// assert_eq!(last_twenty.max_stanzas, Some(20));
/// assert_eq!(History::none().max_chars, Some(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// At most this many characters of XML in total (`maxchars`).
    pub max_chars: Option<u32>,
    /// At most this many messages (`maxstanzas`).
    pub max_stanzas: Option<u32>,
    /// Only messages from the last this many seconds (`seconds`).
    pub seconds: Option<u32>,
    /// Only messages sent since this instant (`since`).
    pub since: Option<Timestamp>,
}

impl History {
    /// No history at all (`maxchars='0'`, and `maxstanzas='0'` for services that only read
    /// that one).
    pub fn none() -> Self {
        History {
            max_chars: Some(0),
            max_stanzas: Some(0),
            ..History::default()
        }
    }

    /// Limits the number of messages.
    pub fn with_max_stanzas(mut self, max: u32) -> Self {
        self.max_stanzas = Some(max);
        self
    }

    /// Limits the number of characters.
    pub fn with_max_chars(mut self, max: u32) -> Self {
        self.max_chars = Some(max);
        self
    }

    /// Only the last `seconds` seconds.
    pub fn with_seconds(mut self, seconds: u32) -> Self {
        self.seconds = Some(seconds);
        self
    }

    /// Only messages since `since` (typically when we last saw the room).
    pub fn with_since(mut self, since: Timestamp) -> Self {
        self.since = Some(since);
        self
    }
}

impl TryFrom<Element> for History {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "history", NS)?;
        let count = |attribute: &'static str| {
            element
                .attr(attribute)
                .map(|value| number("history", attribute, value))
                .transpose()
        };
        let since = element
            .attr("since")
            .map(|value| Timestamp::parse(value).map_err(|_| invalid("history", "since", value)))
            .transpose()?;
        Ok(History {
            max_chars: count("maxchars")?,
            max_stanzas: count("maxstanzas")?,
            seconds: count("seconds")?,
            since,
        })
    }
}

impl From<History> for Element {
    fn from(history: History) -> Element {
        Element::builder("history", NS)
            .attr_opt("maxchars", history.max_chars.map(|n| n.to_string()))
            .attr_opt("maxstanzas", history.max_stanzas.map(|n| n.to_string()))
            .attr_opt("seconds", history.seconds.map(|n| n.to_string()))
            .attr_opt("since", history.since.map(|t| t.to_string()))
            .build()
    }
}

/// The `<x xmlns='http://jabber.org/protocol/muc'/>` of a join presence. Its presence is what
/// tells the service that we speak MUC; an error presence from the room echoes it back.
///
/// ```
/// use openxmpp_im::core::xml::Element;
/// use openxmpp_im::muc::{History, MucJoin};
///
/// let join = MucJoin::default()
///     .with_password("cauldronburn")
///     .with_history(History::default().with_max_stanzas(20));
/// assert_eq!(
///     Element::from(join).to_string(),
///     "<x xmlns='http://jabber.org/protocol/muc'><password>cauldronburn</password>\
///      <history maxstanzas='20'/></x>"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MucJoin {
    /// The room password, for a password-protected room.
    pub password: Option<String>,
    /// The history wanted; `None` leaves it to the room.
    pub history: Option<History>,
    /// Children this crate does not know, kept as received.
    pub payloads: Vec<Element>,
}

impl MucJoin {
    /// Sets the room password.
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the history wanted.
    pub fn with_history(mut self, history: History) -> Self {
        self.history = Some(history);
        self
    }
}

impl TryFrom<Element> for MucJoin {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "x", NS)?;
        let mut join = MucJoin::default();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("password", NS) && join.password.is_none() {
                join.password = Some(child.into_text());
            } else if child.is("history", NS) && join.history.is_none() {
                join.history = Some(History::try_from(child)?);
            } else {
                join.payloads.push(child);
            }
        }
        Ok(join)
    }
}

impl From<MucJoin> for Element {
    fn from(join: MucJoin) -> Element {
        let mut element = Element::new("x", NS);
        if let Some(password) = join.password {
            element.append_child(Element::builder("password", NS).text(password).build());
        }
        if let Some(history) = join.history {
            element.append_child(history.into());
        }
        for payload in join.payloads {
            element.append_child(payload);
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0045 example 18: a plain join.
        let join =
            MucJoin::try_from(element("<x xmlns='http://jabber.org/protocol/muc'/>")).unwrap();
        assert_eq!(join, MucJoin::default());

        // Examples 27 and 37-40: password and history limits.
        let join = MucJoin::try_from(element(
            "<x xmlns='http://jabber.org/protocol/muc'><password>cauldronburn</password>\
             <history maxchars='65000' maxstanzas='20' seconds='180' since='1970-01-01T00:00:00Z'/></x>",
        ))
        .unwrap();
        assert_eq!(join.password.as_deref(), Some("cauldronburn"));
        let history = join.history.unwrap();
        assert_eq!(history.max_chars, Some(65000));
        assert_eq!(history.max_stanzas, Some(20));
        assert_eq!(history.seconds, Some(180));
        assert_eq!(history.since, Some(Timestamp::from_unix(0, 0).unwrap()));
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&MucJoin::default().into()),
            "<x xmlns='http://jabber.org/protocol/muc'/>"
        );
        let join = MucJoin::default().with_history(History::none());
        assert_eq!(
            xml(&join.into()),
            "<x xmlns='http://jabber.org/protocol/muc'><history maxchars='0' maxstanzas='0'/></x>"
        );
        let since = History::default()
            .with_since("2002-10-13T23:58:37.5+02:00".parse().unwrap())
            .with_seconds(180)
            .with_max_chars(100);
        assert_eq!(
            xml(&since.into()),
            "<history xmlns='http://jabber.org/protocol/muc' maxchars='100' seconds='180' since='2002-10-13T21:58:37.5Z'/>"
        );
    }

    #[test]
    fn round_trip() {
        let mut join = MucJoin::default()
            .with_password("🔑 p&ss")
            .with_history(History::default().with_max_stanzas(5));
        join.payloads.push(Element::new("extra", "urn:example"));
        assert_eq!(
            MucJoin::try_from(Element::from(join.clone())).unwrap(),
            join
        );
    }

    #[test]
    fn test_invalid() {
        assert!(matches!(
            MucJoin::try_from(element("<x xmlns='http://jabber.org/protocol/muc#user'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        for bad in [
            "<history maxstanzas='-1'/>",
            "<history maxchars='lots'/>",
            "<history seconds='99999999999'/>",
            "<history since='yesterday'/>",
        ] {
            let x = format!("<x xmlns='http://jabber.org/protocol/muc'>{bad}</x>");
            assert!(
                matches!(
                    MucJoin::try_from(element(&x)),
                    Err(StanzaParseError::InvalidValue {
                        element: "history",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }
}
