//! Chat state notifications (XEP-0085): active, composing, paused, inactive, gone.
//!
//! ```
//! use openxmpp_im::chat_states::{ChatState, chat_state};
//! use openxmpp_im::core::stanza::{Message, MessageType};
//!
//! let typing = Message::new(MessageType::Chat, Some("bernardo@shakespeare.lit".parse()?))
//!     .with_payload(ChatState::Composing.into());
//! assert_eq!(chat_state(&typing), Some(ChatState::Composing));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::stanza::{Message, StanzaParseError};
use openxmpp_core::xml::Element;

/// The XEP-0085 namespace.
pub const NS: &str = "http://jabber.org/protocol/chatstates";

/// A participant's state in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatState {
    /// Actively participating.
    Active,
    /// Composing a message.
    Composing,
    /// Had been composing and stopped.
    Paused,
    /// Not actively participating.
    Inactive,
    /// Has ended the conversation.
    Gone,
}

impl ChatState {
    /// Every state, in the XEP's order.
    pub const ALL: [ChatState; 5] = [
        ChatState::Active,
        ChatState::Composing,
        ChatState::Paused,
        ChatState::Inactive,
        ChatState::Gone,
    ];

    /// The element name.
    pub const fn name(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        ChatState::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl TryFrom<Element> for ChatState {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        match ChatState::from_name(element.name()) {
            Some(state) if element.ns() == NS => Ok(state),
            _ => Err(StanzaParseError::UnexpectedElement {
                expected: "active, composing, paused, inactive or gone",
                ns: NS,
                found: element.name().to_owned(),
                found_ns: element.ns().to_owned(),
            }),
        }
    }
}

impl From<ChatState> for Element {
    fn from(state: ChatState) -> Element {
        Element::new(state.name(), NS)
    }
}

/// The message's chat state: its first child in the chat states namespace, if that is one of
/// the five states.
pub fn chat_state(message: &Message) -> Option<ChatState> {
    message
        .payloads
        .iter()
        .find(|p| p.ns() == NS)
        .and_then(|p| ChatState::from_name(p.name()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0085 examples 1 and 5.
        let first = Message::try_from(element(
            "<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit/elsinore' type='chat'>\
               <body>Who's there?</body>\
               <active xmlns='http://jabber.org/protocol/chatstates'/>\
             </message>",
        ))
        .unwrap();
        assert_eq!(chat_state(&first), Some(ChatState::Active));
        let composing = Message::try_from(element(
            "<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'>\
               <composing xmlns='http://jabber.org/protocol/chatstates'/>\
             </message>",
        ))
        .unwrap();
        assert_eq!(chat_state(&composing), Some(ChatState::Composing));
        for state in ChatState::ALL {
            let e = element(&format!("<{} xmlns='{NS}'/>", state.name()));
            assert_eq!(ChatState::try_from(e).unwrap(), state);
        }
        let none = Message::try_from(element("<message><body>x</body></message>")).unwrap();
        assert_eq!(chat_state(&none), None);
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&ChatState::Paused.into()),
            "<paused xmlns='http://jabber.org/protocol/chatstates'/>"
        );
        assert_eq!(
            xml(&ChatState::Gone.into()),
            "<gone xmlns='http://jabber.org/protocol/chatstates'/>"
        );
    }

    #[test]
    fn round_trip() {
        for state in ChatState::ALL {
            assert_eq!(ChatState::try_from(Element::from(state)).unwrap(), state);
        }
    }

    #[test]
    fn test_invalid() {
        for bad in [
            "<typing xmlns='http://jabber.org/protocol/chatstates'/>",
            "<active xmlns='http://jabber.org/protocol/chatstate'/>",
            "<Active xmlns='http://jabber.org/protocol/chatstates'/>",
        ] {
            assert!(
                matches!(
                    ChatState::try_from(element(bad)),
                    Err(StanzaParseError::UnexpectedElement { .. })
                ),
                "{bad}"
            );
        }
        let unknown = Message::try_from(element(
            "<message><typing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        ))
        .unwrap();
        assert_eq!(chat_state(&unknown), None);
    }
}
