//! `<presence/>` stanzas (RFC 6121 §3, §4).

use crate::error::StanzaError;
use crate::jid::Jid;
use crate::ns;
use crate::xml::{Element, Node};

use super::header::{StanzaHeader, expect_stanza};
use super::{LangTexts, StanzaParseError};

/// The `type` of a presence stanza; `Available` is the absent attribute (RFC 6121 §4.7.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PresenceType {
    /// Available for communication (no `type` attribute).
    #[default]
    Available,
    /// No longer available.
    Unavailable,
    /// A request to subscribe to the recipient's presence.
    Subscribe,
    /// The sender allowed the recipient to receive its presence.
    Subscribed,
    /// A request to stop receiving the recipient's presence.
    Unsubscribe,
    /// The subscription was denied or cancelled.
    Unsubscribed,
    /// A request for the recipient's current presence (normally sent by servers).
    Probe,
    /// An error about a presence stanza sent earlier.
    Error,
}

impl PresenceType {
    /// The wire name; `None` for `Available`, which has no `type` attribute.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            PresenceType::Available => return None,
            PresenceType::Unavailable => "unavailable",
            PresenceType::Subscribe => "subscribe",
            PresenceType::Subscribed => "subscribed",
            PresenceType::Unsubscribe => "unsubscribe",
            PresenceType::Unsubscribed => "unsubscribed",
            PresenceType::Probe => "probe",
            PresenceType::Error => "error",
        })
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "unavailable" => PresenceType::Unavailable,
            "subscribe" => PresenceType::Subscribe,
            "subscribed" => PresenceType::Subscribed,
            "unsubscribe" => PresenceType::Unsubscribe,
            "unsubscribed" => PresenceType::Unsubscribed,
            "probe" => PresenceType::Probe,
            "error" => PresenceType::Error,
            _ => return None,
        })
    }
}

/// The availability sub-state (`<show/>`, RFC 6121 §4.7.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Show {
    /// Actively interested in chatting.
    Chat,
    /// Temporarily away.
    Away,
    /// Away for an extended period.
    Xa,
    /// Busy: do not disturb.
    Dnd,
}

impl Show {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Show::Chat => "chat",
            Show::Away => "away",
            Show::Xa => "xa",
            Show::Dnd => "dnd",
        }
    }

    /// The value for a wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "chat" => Show::Chat,
            "away" => Show::Away,
            "xa" => Show::Xa,
            "dnd" => Show::Dnd,
            _ => return None,
        })
    }
}

/// A presence stanza.
///
/// ```
/// use openxmpp_core::stanza::{Presence, PresenceType, Show};
/// use openxmpp_core::xml::Element;
///
/// let p = Presence::available().with_show(Show::Dnd).with_status(Some("en"), "in a meeting").with_priority(5);
/// let again = Presence::try_from(Element::from(p.clone()))?;
/// assert_eq!(again, p);
/// let sub = Presence::subscribe("juliet@example.com".parse()?);
/// assert_eq!(sub.kind, PresenceType::Subscribe);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    /// id, to, from, xml:lang and other attributes.
    pub header: StanzaHeader,
    /// The presence type.
    pub kind: PresenceType,
    /// The availability sub-state.
    pub show: Option<Show>,
    /// Status texts, by language.
    pub statuses: LangTexts,
    /// The resource's priority, -128 to 127 (0 when absent).
    pub priority: i8,
    /// The error, for a presence of type `error`.
    pub error: Option<StanzaError>,
    /// Every other child element (capabilities, MUC, vCard updates…), kept as received.
    pub payloads: Vec<Element>,
}

impl Presence {
    /// A presence of `kind` to `to` (`None`: broadcast by the server).
    pub fn new(kind: PresenceType, to: Option<Jid>) -> Self {
        Presence {
            header: StanzaHeader {
                to,
                ..StanzaHeader::default()
            },
            kind,
            ..Presence::default()
        }
    }

    /// Available presence, broadcast (the initial presence when sent first).
    pub fn available() -> Self {
        Presence::new(PresenceType::Available, None)
    }

    /// Unavailable presence, broadcast.
    pub fn unavailable() -> Self {
        Presence::new(PresenceType::Unavailable, None)
    }

    /// A subscription request to `to`.
    pub fn subscribe(to: Jid) -> Self {
        Presence::new(PresenceType::Subscribe, Some(to))
    }

    /// Approves `to`'s subscription request (or pre-approves it).
    pub fn subscribed(to: Jid) -> Self {
        Presence::new(PresenceType::Subscribed, Some(to))
    }

    /// Stops receiving `to`'s presence.
    pub fn unsubscribe(to: Jid) -> Self {
        Presence::new(PresenceType::Unsubscribe, Some(to))
    }

    /// Denies `to`'s request, or cancels its subscription.
    pub fn unsubscribed(to: Jid) -> Self {
        Presence::new(PresenceType::Unsubscribed, Some(to))
    }

    /// Addresses the presence to one entity (directed presence).
    pub fn to(mut self, to: Jid) -> Self {
        self.header.to = Some(to);
        self
    }

    /// Sets the availability sub-state.
    pub fn with_show(mut self, show: Show) -> Self {
        self.show = Some(show);
        self
    }

    /// Sets the status text for `lang` (`None`: the stanza's language).
    pub fn with_status(mut self, lang: Option<&str>, status: impl Into<String>) -> Self {
        self.statuses.set(lang, status);
        self
    }

    /// Sets the priority.
    pub fn with_priority(mut self, priority: i8) -> Self {
        self.priority = priority;
        self
    }

    /// Adds an extension element.
    pub fn with_payload(mut self, payload: Element) -> Self {
        self.payloads.push(payload);
        self
    }

    /// The status in the stanza's own language, else the first.
    pub fn status(&self) -> Option<&str> {
        self.statuses
            .for_language(None, self.header.lang.as_deref())
    }
}

impl TryFrom<Element> for Presence {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect_stanza(&element, "presence")?;
        let (attrs, nodes) = element.into_parts();
        let (header, kind) = StanzaHeader::take_from("presence", attrs)?;
        let kind = match kind {
            None => PresenceType::Available,
            Some(k) => PresenceType::from_name(&k)
                .ok_or_else(|| StanzaParseError::invalid("presence", "type", &k))?,
        };
        let mut presence = Presence {
            header,
            kind,
            ..Presence::default()
        };
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if child.ns() != ns::JABBER_CLIENT {
                presence.payloads.push(child);
                continue;
            }
            match child.name() {
                "show" => {
                    let text = child.text();
                    let show = Show::from_name(text.trim())
                        .ok_or_else(|| StanzaParseError::invalid("presence", "show", &text))?;
                    presence.show = Some(show);
                }
                "status" => {
                    let lang = child.lang().map(str::to_owned);
                    presence.statuses.push(lang, child.into_text());
                }
                "priority" => {
                    let text = child.text();
                    presence.priority = text
                        .trim()
                        .parse()
                        .map_err(|_| StanzaParseError::invalid("presence", "priority", &text))?;
                }
                "error" if presence.error.is_none() => {
                    presence.error = Some(StanzaError::try_from(child)?);
                }
                _ => presence.payloads.push(child),
            }
        }
        Ok(presence)
    }
}

impl From<Presence> for Element {
    fn from(presence: Presence) -> Element {
        let mut element = presence
            .header
            .into_element("presence", presence.kind.name());
        if let Some(show) = presence.show {
            let mut child = Element::new("show", ns::JABBER_CLIENT);
            child.append_text(show.name());
            element.append_child(child);
        }
        super::lang_texts::append_owned(&mut element, "status", presence.statuses);
        if presence.priority != 0 {
            let mut child = Element::new("priority", ns::JABBER_CLIENT);
            child.append_text_string(presence.priority.to_string());
            element.append_child(child);
        }
        if let Some(error) = presence.error {
            element.append_child(error.into());
        }
        for payload in presence.payloads {
            element.append_child(payload);
        }
        element
    }
}
