//! One-to-one conversations (RFC 6121 §5): messages keyed by the contact's bare JID and the
//! thread (XEP-0201), replies addressed to the resource the contact is talking from until its
//! presence changes (RFC 6121 §5.1), and outgoing messages with a unique id and origin-id
//! (XEP-0359) so that echoes, carbons and archive copies can be recognised.
//!
//! ```
//! use openxmpp_im::chats::{Chats, Direction};
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::core::xml::parse_element;
//!
//! let mut chats = Chats::new("c1");
//! let incoming = Message::try_from(parse_element(
//!     "<message type='chat' from='romeo@example.net/orchard' to='juliet@example.com/balcony'>\
//!        <body>Art thou not Romeo?</body><thread>t1</thread></message>",
//! )?)?;
//! let received = chats.incoming(incoming, Direction::Incoming).unwrap();
//! assert_eq!(received.conversation.peer.as_str(), "romeo@example.net");
//! assert_eq!(received.conversation.thread.as_deref(), Some("t1"));
//! // The reply goes to the resource Romeo wrote from, in the same thread.
//! let reply = chats.compose(&received.conversation, "Neither, fair saint");
//! assert_eq!(reply.header.to.as_ref().map(|j| j.as_str()), Some("romeo@example.net/orchard"));
//! assert_eq!(reply.thread.as_ref().map(|t| t.id.as_str()), Some("t1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use openxmpp_core::jid::{BareJid, FullJid, Jid};
use openxmpp_core::stanza::{Message, MessageType};

use crate::delay::{self, Timestamp};
use crate::stanza_id::{self, OriginId};

/// At most this many contacts have a locked resource; beyond it the oldest lock is dropped
/// (replies then go to the bare JID, which is always correct).
const MAX_LOCKS: usize = 10_000;

/// A conversation: the contact (bare JID) and the thread, if the messages carry one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationKey {
    /// The contact.
    pub peer: BareJid,
    /// The thread (XEP-0201), if any.
    pub thread: Option<String>,
}

impl ConversationKey {
    /// The conversation with `peer` outside any thread.
    pub fn with(peer: BareJid) -> Self {
        ConversationKey { peer, thread: None }
    }

    /// The conversation with `peer` in `thread`.
    pub fn in_thread(peer: BareJid, thread: impl Into<String>) -> Self {
        ConversationKey {
            peer,
            thread: Some(thread.into()),
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The contact wrote it to us.
    Incoming,
    /// We wrote it (from another of our resources: a carbon copy, or an archive copy).
    Outgoing,
}

/// How a message reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Directly, as it was sent.
    Live,
    /// As a carbon copy (XEP-0280) of a message to or from another of our resources.
    Carbon,
    /// Later than it was sent: the server stored it while we were offline (it carries a
    /// delayed-delivery stamp, XEP-0203).
    Delayed,
}

/// A chat, normal or headline message, with what the conversation layer derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The conversation it belongs to.
    pub conversation: ConversationKey,
    /// Who wrote it.
    pub direction: Direction,
    /// How it arrived.
    pub delivery: Delivery,
    /// When it was originally sent, if it says so (XEP-0203).
    pub sent_at: Option<Timestamp>,
    /// The message itself, with every extension kept.
    pub message: Message,
}

impl ChatMessage {
    /// The id the sender gave it: its origin-id (XEP-0359), else its `id` attribute.
    pub fn sender_id(&self) -> Option<&str> {
        stanza_id::origin_id(&self.message).or(self.message.header.id.as_deref())
    }

    /// The id our own archive gave it (a stanza-id by our account), for de-duplication with
    /// archive queries (XEP-0313).
    pub fn archive_id(&self, account: &BareJid) -> Option<&str> {
        stanza_id::stanza_id_by(&self.message, &Jid::from(account.clone()))
    }
}

/// Conversations: resource locks and outgoing message ids.
#[derive(Debug)]
pub struct Chats {
    /// Contact (bare JID) → the full JID it last wrote from, with an age for eviction.
    locks: HashMap<String, (FullJid, u64)>,
    clock: u64,
    id_prefix: String,
    next_id: u64,
}

impl Chats {
    /// Conversations whose outgoing message ids start with `id_prefix` (make it unique per
    /// session, e.g. random).
    pub fn new(id_prefix: impl Into<String>) -> Self {
        Chats {
            locks: HashMap::new(),
            clock: 0,
            id_prefix: id_prefix.into(),
            next_id: 0,
        }
    }

    /// Classifies a received chat, normal or headline message (or a carbon's inner message,
    /// with its direction) and, for an incoming message from a full JID, locks replies to
    /// that resource (RFC 6121 §5.1).
    /// `None` when the message names no peer (no `from` for an incoming one, no `to` for an
    /// outgoing one).
    pub fn incoming(&mut self, message: Message, direction: Direction) -> Option<ChatMessage> {
        let peer_jid = match direction {
            Direction::Incoming => message.header.from.as_ref(),
            Direction::Outgoing => message.header.to.as_ref(),
        };
        let peer = peer_jid.map(Jid::to_bare);
        if direction == Direction::Incoming
            && message.kind == MessageType::Chat
            && let Some(full) = peer_jid.and_then(Jid::as_full)
        {
            self.lock(full.clone());
        }
        let sent_at = delay::delay(&message).ok().flatten().map(|d| d.stamp);
        let delivery = if sent_at.is_some() {
            Delivery::Delayed
        } else {
            Delivery::Live
        };
        let peer = peer?;
        Some(ChatMessage {
            conversation: ConversationKey {
                peer,
                thread: message.thread.as_ref().map(|t| t.id.clone()),
            },
            direction,
            delivery,
            sent_at,
            message,
        })
    }

    fn lock(&mut self, full: FullJid) {
        self.clock += 1;
        if self.locks.len() >= MAX_LOCKS && !self.locks.contains_key(full.bare_str()) {
            let oldest = self
                .locks
                .iter()
                .min_by_key(|(_, (_, age))| *age)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.locks.remove(&oldest);
            }
        }
        self.locks
            .insert(full.bare_str().to_owned(), (full, self.clock));
    }

    /// Forgets the resource lock for `contact`: its presence changed (RFC 6121 §5.1).
    pub fn unlock(&mut self, contact: &BareJid) {
        self.locks.remove(contact.as_str());
    }

    /// Forgets every resource lock (a new session).
    pub fn unlock_all(&mut self) {
        self.locks.clear();
    }

    /// Where a message to `contact` goes: the resource it is talking from, else its bare JID.
    pub fn address(&self, contact: &BareJid) -> Jid {
        match self.locks.get(contact.as_str()) {
            Some((full, _)) => Jid::from(full.clone()),
            None => Jid::from(contact.clone()),
        }
    }

    /// A fresh message id.
    pub fn next_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-m{}", self.id_prefix, self.next_id)
    }

    /// A chat message with `body` in `conversation`: addressed per the resource lock, in its
    /// thread, with a fresh id that is also its origin-id (XEP-0359).
    pub fn compose(&mut self, conversation: &ConversationKey, body: impl Into<String>) -> Message {
        let id = self.next_id();
        let mut message = Message::chat(self.address(&conversation.peer), body)
            .with_id(id.clone())
            .with_payload(OriginId::new(id).into());
        if let Some(thread) = &conversation.thread {
            message = message.with_thread(thread.clone(), None);
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::element;

    fn message(xml: &str) -> Message {
        Message::try_from(element(xml)).unwrap()
    }

    #[test]
    fn a_message_without_peer_is_not_a_conversation() {
        let mut chats = Chats::new("x");
        let m = message("<message type='chat'><body>who?</body></message>");
        assert!(chats.incoming(m, Direction::Incoming).is_none());
    }

    #[test]
    fn incoming_locks_and_presence_unlocks() {
        let mut chats = Chats::new("x");
        let romeo: BareJid = "romeo@example.net".parse().unwrap();
        assert_eq!(chats.address(&romeo).as_str(), "romeo@example.net");
        chats.incoming(
            message(
                "<message type='chat' from='romeo@example.net/orchard'><body>hi</body></message>",
            ),
            Direction::Incoming,
        );
        assert_eq!(chats.address(&romeo).as_str(), "romeo@example.net/orchard");
        // A message from another resource moves the lock.
        chats.incoming(
            message(
                "<message type='chat' from='romeo@example.net/phone'><body>hi</body></message>",
            ),
            Direction::Incoming,
        );
        assert_eq!(chats.address(&romeo).as_str(), "romeo@example.net/phone");
        chats.unlock(&romeo);
        assert_eq!(chats.address(&romeo).as_str(), "romeo@example.net");
    }

    #[test]
    fn headline_and_outgoing_do_not_lock() {
        let mut chats = Chats::new("x");
        let news: BareJid = "news.example.net".parse().unwrap();
        let m = chats.incoming(
            message("<message type='headline' from='news.example.net/feed'><body>x</body></message>"),
            Direction::Incoming,
        ).unwrap();
        assert_eq!(m.conversation, ConversationKey::with(news.clone()));
        assert_eq!(chats.address(&news).as_str(), "news.example.net");
        let romeo: BareJid = "romeo@example.net".parse().unwrap();
        let m = chats.incoming(
            message("<message type='chat' to='romeo@example.net/orchard' from='juliet@example.com/phone'><body>x</body></message>"),
            Direction::Outgoing,
        ).unwrap();
        assert_eq!(m.conversation.peer, romeo);
        assert_eq!(chats.address(&romeo).as_str(), "romeo@example.net");
    }

    #[test]
    fn threads_key_conversations_and_delay_is_read() {
        let mut chats = Chats::new("x");
        let m = chats
            .incoming(
                message(
                    "<message type='chat' from='romeo@example.net/orchard'><body>late</body>\
                 <thread parent='p0'>t7</thread>\
                 <delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>",
                ),
                Direction::Incoming,
            )
            .unwrap();
        assert_eq!(m.conversation.thread.as_deref(), Some("t7"));
        assert_eq!(m.delivery, Delivery::Delayed);
        assert_eq!(m.sent_at.unwrap().unix_seconds(), 1_031_699_305);
    }

    #[test]
    fn compose_has_unique_ids_and_origin_id() {
        let mut chats = Chats::new("s1");
        let key = ConversationKey::in_thread("romeo@example.net".parse().unwrap(), "t1");
        let a = chats.compose(&key, "one");
        let b = chats.compose(&key, "two");
        assert_ne!(a.header.id, b.header.id);
        assert_eq!(stanza_id::origin_id(&a), a.header.id.as_deref());
        assert_eq!(a.thread.as_ref().unwrap().id, "t1");
        let sent = ChatMessage {
            conversation: key,
            direction: Direction::Outgoing,
            delivery: Delivery::Live,
            sent_at: None,
            message: a.clone(),
        };
        assert_eq!(sent.sender_id(), a.header.id.as_deref());
    }

    #[test]
    fn locks_are_bounded() {
        let mut chats = Chats::new("x");
        for i in 0..MAX_LOCKS + 10 {
            let full: FullJid = format!("c{i}@example.net/r").parse().unwrap();
            chats.lock(full);
        }
        assert_eq!(chats.locks.len(), MAX_LOCKS);
        // The newest survive.
        let newest: BareJid = format!("c{}@example.net", MAX_LOCKS + 9).parse().unwrap();
        assert!(chats.address(&newest).is_full());
    }
}
