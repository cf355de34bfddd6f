//! What an IM session reports.

use openxmpp_core::error::StanzaError;
use openxmpp_core::jid::Jid;

use crate::chat_states::ChatState;
use crate::chats::{ChatMessage, ConversationKey};
use crate::markers::Marker;
use crate::muc::MucEvent;
use crate::presence::PresenceChange;
use crate::roster::RosterEvent;
use crate::subscriptions::SubscriptionEvent;

/// A change to the blocklist (XEP-0191).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlocklistEvent {
    /// The blocklist was fetched.
    Loaded {
        /// The blocked JIDs.
        jids: Vec<Jid>,
    },
    /// These JIDs were blocked (by us, from any of our resources).
    Blocked {
        /// The JIDs.
        jids: Vec<Jid>,
    },
    /// These JIDs were unblocked.
    Unblocked {
        /// The JIDs.
        jids: Vec<Jid>,
    },
    /// Every JID was unblocked.
    UnblockedAll,
}

/// An event of the IM session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The roster changed (or was loaded).
    Roster {
        /// What changed.
        event: RosterEvent,
    },
    /// The roster could not be fetched.
    RosterUnavailable {
        /// The server's error, if it answered with one.
        error: Option<StanzaError>,
    },
    /// A contact's presence changed.
    Presence {
        /// What changed.
        change: PresenceChange,
    },
    /// A contact did something about a subscription.
    Subscription {
        /// What they did.
        event: SubscriptionEvent,
    },
    /// A chat, normal or headline message with a body or subject.
    Message {
        /// The message and its conversation.
        message: Box<ChatMessage>,
    },
    /// A message we sent bounced with an error.
    MessageError {
        /// Who returned it.
        from: Jid,
        /// The id of the message that failed, if the error says.
        id: Option<String>,
        /// What went wrong.
        error: StanzaError,
    },
    /// A contact's chat state (XEP-0085) in a message without a body.
    ChatState {
        /// The conversation.
        conversation: ConversationKey,
        /// Who.
        from: Jid,
        /// The state.
        state: ChatState,
    },
    /// A contact's client confirmed it received our message (XEP-0184).
    Receipt {
        /// Who.
        from: Jid,
        /// The id of our message.
        id: String,
    },
    /// A contact marked our messages (XEP-0333), or another of our resources did.
    Marker {
        /// The conversation.
        conversation: ConversationKey,
        /// Who sent the marker.
        from: Jid,
        /// The marker, with the id of the message it refers to.
        marker: Marker,
    },
    /// Something happened in a multi-user chat room (XEP-0045).
    Muc {
        /// What happened.
        event: Box<MucEvent>,
    },
    /// The blocklist changed.
    Blocklist {
        /// What changed.
        event: BlocklistEvent,
    },
    /// A message claiming to be a carbon copy or a roster push came from someone other than
    /// our account: a forgery, dropped.
    Forgery {
        /// Who sent it.
        from: Jid,
        /// What it pretended to be.
        what: &'static str,
    },
}
