//! Typed stanzas (RFC 6120 §8, RFC 6121): [`Message`], [`Presence`], [`Iq`], and [`Stanza`]
//! over the three.
//!
//! Every type converts from an [`Element`] by value (`TryFrom<Element>`, moving strings out
//! rather than copying them) and back (`From<T> for Element`). Children and attributes that are
//! not defined here are kept as they are, so a round trip loses nothing a peer sent.

mod header;
mod iq;
mod lang_texts;
mod message;
mod parse_error;
mod presence;

#[cfg(test)]
pub(crate) mod tests;

pub use header::StanzaHeader;
pub use iq::{Iq, IqPayload};
pub use lang_texts::{LangText, LangTexts};
pub use message::{Message, MessageType, Thread};
pub use parse_error::StanzaParseError;
pub use presence::{Presence, PresenceType, Show};

pub(crate) use header::parse_jid;

use crate::ns;
use crate::xml::Element;

/// Any of the three stanza kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stanza {
    /// A message.
    Message(Message),
    /// A presence.
    Presence(Presence),
    /// An IQ request or response.
    Iq(Iq),
}

impl Stanza {
    /// Whether `element` is a stanza (rather than a nonza such as `<r/>` or `<features/>`).
    pub fn is_stanza(element: &Element) -> bool {
        element.ns() == ns::JABBER_CLIENT && matches!(element.name(), "message" | "presence" | "iq")
    }

    /// The common attributes.
    pub fn header(&self) -> &StanzaHeader {
        match self {
            Stanza::Message(m) => &m.header,
            Stanza::Presence(p) => &p.header,
            Stanza::Iq(iq) => &iq.header,
        }
    }

    /// The stanza's id (an IQ's is required; messages and presences may lack one).
    pub fn id(&self) -> Option<&str> {
        match self {
            Stanza::Iq(iq) => Some(&iq.id),
            other => other.header().id.as_deref(),
        }
    }
}

impl TryFrom<Element> for Stanza {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        match (element.ns() == ns::JABBER_CLIENT, element.name()) {
            (true, "message") => Message::try_from(element).map(Stanza::Message),
            (true, "presence") => Presence::try_from(element).map(Stanza::Presence),
            (true, "iq") => Iq::try_from(element).map(Stanza::Iq),
            _ => Err(StanzaParseError::UnexpectedElement {
                expected: "message, presence or iq",
                ns: ns::JABBER_CLIENT,
                found: element.name().to_owned(),
                found_ns: element.ns().to_owned(),
            }),
        }
    }
}

impl From<Stanza> for Element {
    fn from(stanza: Stanza) -> Element {
        match stanza {
            Stanza::Message(m) => m.into(),
            Stanza::Presence(p) => p.into(),
            Stanza::Iq(iq) => iq.into(),
        }
    }
}

impl From<Message> for Stanza {
    fn from(m: Message) -> Self {
        Stanza::Message(m)
    }
}

impl From<Presence> for Stanza {
    fn from(p: Presence) -> Self {
        Stanza::Presence(p)
    }
}

impl From<Iq> for Stanza {
    fn from(iq: Iq) -> Self {
        Stanza::Iq(iq)
    }
}
