//! One-to-one conversations: lines with their time, sender and delivery state; receipts,
//! markers, corrections and unread counts applied to them.

use std::collections::{BTreeMap, HashSet, VecDeque};

use openxmpp::BareJid;
use openxmpp::im::chat_states::ChatState;
use openxmpp::im::chats::{ChatMessage, Direction};
use openxmpp::im::correction;
use openxmpp::im::mam::ArchivedMessage;
use openxmpp::im::stanza_id;
use openxmpp::stanza::{Message, MessageType};

use super::time::timestamp_ms;

/// At most this many lines of a conversation are kept in memory; older ones stay in the
/// history database and are loaded on demand.
pub const MAX_LINES: usize = 100_000;

/// At most this many bytes of a message body are kept (a hostile peer may send more).
pub const MAX_BODY: usize = 64 * 1024;

/// Where one of our messages is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryState {
    /// Typed while offline: sent when the connection is back.
    Queued,
    /// Handed to the connection, not yet confirmed.
    Sending,
    /// Sent to the server.
    Sent,
    /// The contact's client received it (XEP-0184 or a `received` marker).
    Delivered,
    /// The contact displayed it (XEP-0333).
    Read,
    /// It bounced or could not be sent.
    Failed,
    /// A message from the contact (no delivery state).
    Received,
}

impl DeliveryState {
    /// The number stored in the history database.
    pub fn code(self) -> i64 {
        match self {
            DeliveryState::Queued => 0,
            DeliveryState::Sending => 1,
            DeliveryState::Sent => 2,
            DeliveryState::Delivered => 3,
            DeliveryState::Read => 4,
            DeliveryState::Failed => 5,
            DeliveryState::Received => 6,
        }
    }

    /// The state stored as `code`.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => DeliveryState::Queued,
            1 => DeliveryState::Sending,
            2 => DeliveryState::Sent,
            3 => DeliveryState::Delivered,
            4 => DeliveryState::Read,
            5 => DeliveryState::Failed,
            _ => DeliveryState::Received,
        }
    }

    /// A short mark for the message list.
    pub fn mark(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending…",
            DeliveryState::Sent => "✓ sent",
            DeliveryState::Delivered => "✓✓ delivered",
            DeliveryState::Read => "✓✓ read",
            DeliveryState::Failed => "not sent",
            DeliveryState::Received => "",
        }
    }
}

/// One message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// Its row in the history database, once stored.
    pub db_id: Option<i64>,
    /// The id its sender gave it (origin-id, else the stanza id).
    pub id: Option<String>,
    /// The id our server's archive gave it (XEP-0359 stanza-id).
    pub archive_id: Option<String>,
    /// Who wrote it.
    pub direction: Direction,
    /// The text (corrected, if it was).
    pub body: String,
    /// When it was sent, in Unix milliseconds.
    pub at_ms: i64,
    /// For our messages, how far it got.
    pub state: DeliveryState,
    /// Whether it was corrected (XEP-0308).
    pub edited: bool,
}

impl ChatLine {
    /// A message we write now.
    pub fn outgoing(id: String, body: String, at_ms: i64, state: DeliveryState) -> Self {
        ChatLine {
            db_id: None,
            id: Some(id),
            archive_id: None,
            direction: Direction::Outgoing,
            body,
            at_ms,
            state,
            edited: false,
        }
    }
}

/// A message as the conversation layer sees it: which conversation, the line, and the id of
/// the message it corrects, if it is a correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingLine {
    /// The contact.
    pub peer: BareJid,
    /// The line.
    pub line: ChatLine,
    /// The id of the message this one replaces (XEP-0308).
    pub replaces: Option<String>,
}

fn bounded_body(message: &Message) -> Option<String> {
    let body = message.body()?;
    if body.trim().is_empty() {
        return None;
    }
    if body.len() <= MAX_BODY {
        return Some(body.to_owned());
    }
    let mut end = MAX_BODY;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}…", &body[..end]))
}

impl IncomingLine {
    /// A chat message the client reported; `None` for one without a body or not a chat.
    pub fn from_chat(chat: &ChatMessage, account: &BareJid, now_ms: i64) -> Option<Self> {
        if !matches!(chat.message.kind, MessageType::Chat | MessageType::Normal) {
            return None;
        }
        let body = bounded_body(&chat.message)?;
        Some(IncomingLine {
            peer: chat.conversation.peer.clone(),
            replaces: correction::replaced_id(&chat.message).map(str::to_owned),
            line: ChatLine {
                db_id: None,
                id: chat.sender_id().map(str::to_owned),
                archive_id: chat.archive_id(account).map(str::to_owned),
                direction: chat.direction,
                body,
                at_ms: chat.sent_at.as_ref().map_or(now_ms, timestamp_ms),
                state: match chat.direction {
                    Direction::Incoming => DeliveryState::Received,
                    Direction::Outgoing => DeliveryState::Sent,
                },
                edited: false,
            },
        })
    }

    /// A message from our archive (XEP-0313); `None` for one without a body, or not ours.
    pub fn from_archive(
        archived: &ArchivedMessage,
        account: &BareJid,
        now_ms: i64,
    ) -> Option<Self> {
        let message = &archived.message;
        if !matches!(message.kind, MessageType::Chat | MessageType::Normal) {
            return None;
        }
        let from = message.header.from.as_ref().map(|j| j.to_bare());
        let to = message.header.to.as_ref().map(|j| j.to_bare());
        let (direction, peer) = if from.as_ref() == Some(account) {
            (Direction::Outgoing, to?)
        } else {
            (Direction::Incoming, from?)
        };
        if &peer == account {
            return None;
        }
        let body = bounded_body(message)?;
        Some(IncomingLine {
            peer,
            replaces: correction::replaced_id(message).map(str::to_owned),
            line: ChatLine {
                db_id: None,
                id: stanza_id::origin_id(message)
                    .or(message.header.id.as_deref())
                    .map(str::to_owned),
                archive_id: Some(archived.archive_id.clone()),
                direction,
                body,
                at_ms: archived.delay.as_ref().map_or(now_ms, timestamp_ms),
                state: match direction {
                    Direction::Incoming => DeliveryState::Received,
                    Direction::Outgoing => DeliveryState::Sent,
                },
                edited: false,
            },
        })
    }
}

/// A conversation with one contact.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// The contact.
    pub peer: BareJid,
    lines: VecDeque<ChatLine>,
    /// The sender ids (with whether they are ours) and archive ids of the lines, to find
    /// duplicates without a scan.
    seen_ids: HashSet<(bool, String)>,
    seen_archive_ids: HashSet<String>,
    /// Messages received since the conversation was last looked at.
    pub unread: usize,
    /// What the contact is doing (XEP-0085), if they said.
    pub peer_state: Option<ChatState>,
    /// Whether the history database has nothing older than the first line.
    pub history_exhausted: bool,
    /// Whether the history was loaded from the database.
    pub history_loaded: bool,
}

impl Conversation {
    /// An empty conversation with `peer`.
    pub fn new(peer: BareJid) -> Self {
        Conversation {
            peer,
            lines: VecDeque::new(),
            seen_ids: HashSet::new(),
            seen_archive_ids: HashSet::new(),
            unread: 0,
            peer_state: None,
            history_exhausted: false,
            history_loaded: false,
        }
    }

    /// The lines, oldest first.
    pub fn lines(&self) -> &VecDeque<ChatLine> {
        &self.lines
    }

    /// The last line.
    pub fn last(&self) -> Option<&ChatLine> {
        self.lines.back()
    }

    fn position(&self, direction: Direction, id: &str) -> Option<usize> {
        self.lines
            .iter()
            .rposition(|l| l.direction == direction && l.id.as_deref() == Some(id))
    }

    /// Whether the conversation already holds this line (same sender id, or same archive id).
    pub fn contains(&self, line: &ChatLine) -> bool {
        let outgoing = line.direction == Direction::Outgoing;
        line.id
            .as_ref()
            .is_some_and(|id| self.seen_ids.contains(&(outgoing, id.clone())))
            || line
                .archive_id
                .as_ref()
                .is_some_and(|id| self.seen_archive_ids.contains(id))
    }

    fn remember(&mut self, line: &ChatLine) {
        if let Some(id) = &line.id {
            self.seen_ids
                .insert((line.direction == Direction::Outgoing, id.clone()));
        }
        if let Some(id) = &line.archive_id {
            self.seen_archive_ids.insert(id.clone());
        }
    }

    fn forget(&mut self, line: &ChatLine) {
        if let Some(id) = &line.id {
            self.seen_ids
                .remove(&(line.direction == Direction::Outgoing, id.clone()));
        }
        if let Some(id) = &line.archive_id {
            self.seen_archive_ids.remove(id);
        }
    }

    /// Adds a line in time order; false if it was already there.
    pub fn push(&mut self, line: ChatLine) -> bool {
        if self.contains(&line) {
            return false;
        }
        self.remember(&line);
        let at = self
            .lines
            .iter()
            .rposition(|l| l.at_ms <= line.at_ms)
            .map_or(0, |i| i + 1);
        self.lines.insert(at, line);
        while self.lines.len() > MAX_LINES {
            if let Some(old) = self.lines.pop_front() {
                self.forget(&old);
            }
            self.history_exhausted = false;
        }
        true
    }

    /// Puts older lines from the history database before the first one.
    pub fn prepend(&mut self, older: Vec<ChatLine>, exhausted: bool) {
        let room = MAX_LINES.saturating_sub(self.lines.len());
        let skip = older.len().saturating_sub(room);
        for line in older.into_iter().skip(skip).rev() {
            if !self.contains(&line) {
                self.remember(&line);
                self.lines.push_front(line);
            }
        }
        self.history_exhausted = exhausted;
        self.history_loaded = true;
    }

    /// Applies a correction: the line `replaced` by the same sender gets `body`. False when
    /// there is no such line (the correction is then shown as a new message).
    pub fn correct(&mut self, direction: Direction, replaced: &str, body: &str) -> bool {
        match self.position(direction, replaced) {
            Some(i) => {
                let line = &mut self.lines[i];
                line.body = body.to_owned();
                line.edited = true;
                true
            }
            None => false,
        }
    }

    /// Moves our message `id` to `state` (never backwards, except to `Failed`/`Queued`).
    pub fn set_state(&mut self, id: &str, state: DeliveryState) -> Option<&ChatLine> {
        let i = self.position(Direction::Outgoing, id)?;
        let line = &mut self.lines[i];
        let forward = state > line.state && line.state != DeliveryState::Failed;
        if forward || matches!(state, DeliveryState::Failed | DeliveryState::Queued) {
            line.state = state;
        }
        Some(&self.lines[i])
    }

    /// The contact displayed our message `id`, and so every earlier one (XEP-0333 §3).
    /// Returns the ids whose state changed.
    pub fn read_up_to(&mut self, id: &str) -> Vec<String> {
        let Some(end) = self.position(Direction::Outgoing, id) else {
            return Vec::new();
        };
        let mut changed = Vec::new();
        for line in self.lines.range_mut(..=end) {
            if line.direction == Direction::Outgoing
                && matches!(
                    line.state,
                    DeliveryState::Sending | DeliveryState::Sent | DeliveryState::Delivered
                )
            {
                line.state = DeliveryState::Read;
                if let Some(id) = &line.id {
                    changed.push(id.clone());
                }
            }
        }
        changed
    }

    /// The id of the last message from the contact, to mark as displayed.
    pub fn last_incoming_id(&self) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .find(|l| l.direction == Direction::Incoming)
            .and_then(|l| l.id.as_deref())
    }

    /// Our last message, the one a correction may replace.
    pub fn last_outgoing(&self) -> Option<&ChatLine> {
        self.lines
            .iter()
            .rev()
            .find(|l| l.direction == Direction::Outgoing)
    }

    /// Sets the database row of the line with this sender id.
    pub fn set_db_id(&mut self, direction: Direction, id: &str, db_id: i64) {
        if let Some(i) = self.position(direction, id) {
            self.lines[i].db_id = Some(db_id);
        }
    }
}

/// Every conversation, by contact.
#[derive(Debug, Default)]
pub struct Conversations {
    map: BTreeMap<BareJid, Conversation>,
}

impl Conversations {
    /// No conversations.
    pub fn new() -> Self {
        Conversations::default()
    }

    /// The conversation with `peer`, created if needed.
    pub fn open(&mut self, peer: &BareJid) -> &mut Conversation {
        self.map
            .entry(peer.clone())
            .or_insert_with(|| Conversation::new(peer.clone()))
    }

    /// The conversation with `peer`, if there is one.
    pub fn get(&self, peer: &BareJid) -> Option<&Conversation> {
        self.map.get(peer)
    }

    /// The conversation with `peer`, to change.
    pub fn get_mut(&mut self, peer: &BareJid) -> Option<&mut Conversation> {
        self.map.get_mut(peer)
    }

    /// Unread messages over all conversations.
    pub fn total_unread(&self) -> usize {
        self.map.values().map(|c| c.unread).sum()
    }

    /// Unread messages with `peer`.
    pub fn unread(&self, peer: &BareJid) -> usize {
        self.map.get(peer).map_or(0, |c| c.unread)
    }

    /// Every conversation, most recently active first.
    pub fn recent(&self) -> Vec<&Conversation> {
        let mut all: Vec<&Conversation> =
            self.map.values().filter(|c| !c.lines.is_empty()).collect();
        all.sort_by_key(|c| std::cmp::Reverse(c.last().map_or(0, |l| l.at_ms)));
        all
    }

    /// Finds the conversation holding our message `id`.
    pub fn find_outgoing(&mut self, id: &str) -> Option<&mut Conversation> {
        self.map
            .values_mut()
            .find(|c| c.position(Direction::Outgoing, id).is_some())
    }
}

#[cfg(test)]
mod tests {
    use openxmpp::core::xml::parse_element;
    use openxmpp::im::chats::{ConversationKey, Delivery};

    use super::*;

    fn incoming(id: &str, body: &str, at: i64) -> ChatLine {
        ChatLine {
            db_id: None,
            id: Some(id.to_owned()),
            archive_id: None,
            direction: Direction::Incoming,
            body: body.to_owned(),
            at_ms: at,
            state: DeliveryState::Received,
            edited: false,
        }
    }

    fn romeo() -> BareJid {
        "romeo@montague.lit".parse().unwrap()
    }

    #[test]
    fn lines_are_kept_in_time_order_without_duplicates() {
        let mut c = Conversation::new(romeo());
        assert!(c.push(incoming("a", "first", 10)));
        assert!(c.push(incoming("c", "third", 30)));
        assert!(c.push(incoming("b", "second", 20)));
        assert!(!c.push(incoming("b", "second again", 25)));
        let bodies: Vec<_> = c.lines().iter().map(|l| l.body.as_str()).collect();
        assert_eq!(bodies, ["first", "second", "third"]);
    }

    #[test]
    fn receipts_and_markers_move_our_messages_forward_only() {
        let mut c = Conversation::new(romeo());
        c.push(ChatLine::outgoing(
            "m1".into(),
            "one".into(),
            1,
            DeliveryState::Sent,
        ));
        c.push(ChatLine::outgoing(
            "m2".into(),
            "two".into(),
            2,
            DeliveryState::Sent,
        ));
        c.push(ChatLine::outgoing(
            "m3".into(),
            "three".into(),
            3,
            DeliveryState::Sent,
        ));
        c.set_state("m1", DeliveryState::Delivered);
        assert_eq!(c.read_up_to("m2"), ["m1", "m2"]);
        c.set_state("m2", DeliveryState::Delivered);
        let states: Vec<_> = c.lines().iter().map(|l| l.state).collect();
        assert_eq!(
            states,
            [
                DeliveryState::Read,
                DeliveryState::Read,
                DeliveryState::Sent
            ]
        );
    }

    #[test]
    fn corrections_replace_the_text_of_the_same_senders_message() {
        let mut c = Conversation::new(romeo());
        c.push(incoming("a", "helo", 1));
        assert!(!c.correct(Direction::Outgoing, "a", "hello"));
        assert!(c.correct(Direction::Incoming, "a", "hello"));
        assert_eq!(c.lines()[0].body, "hello");
        assert!(c.lines()[0].edited);
    }

    #[test]
    fn chat_messages_become_lines() {
        let message = Message::try_from(
            parse_element(
                "<message type='chat' from='romeo@montague.lit/orchard' id='x1'>\
                 <body>Hi</body><replace xmlns='urn:xmpp:message-correct:0' id='x0'/>\
                 <stanza-id xmlns='urn:xmpp:sid:0' id='arch1' by='juliet@capulet.lit'/>\
                 </message>",
            )
            .unwrap(),
        )
        .unwrap();
        let chat = ChatMessage {
            conversation: ConversationKey::with(romeo()),
            direction: Direction::Incoming,
            delivery: Delivery::Live,
            sent_at: None,
            message,
        };
        let account: BareJid = "juliet@capulet.lit".parse().unwrap();
        let line = IncomingLine::from_chat(&chat, &account, 42).unwrap();
        assert_eq!(line.peer, romeo());
        assert_eq!(line.replaces.as_deref(), Some("x0"));
        assert_eq!(line.line.id.as_deref(), Some("x1"));
        assert_eq!(line.line.archive_id.as_deref(), Some("arch1"));
        assert_eq!(line.line.at_ms, 42);
    }

    #[test]
    fn unread_counts_add_up() {
        let mut all = Conversations::new();
        all.open(&romeo()).unread = 2;
        all.open(&"nurse@capulet.lit".parse().unwrap()).unread = 3;
        assert_eq!(all.total_unread(), 5);
        assert_eq!(all.unread(&romeo()), 2);
    }

    #[test]
    fn hostile_bodies_are_cut() {
        let body = "é".repeat(MAX_BODY);
        let message = Message::chat(romeo().into(), body);
        let kept = bounded_body(&message).unwrap();
        assert!(kept.len() <= MAX_BODY + 3);
    }
}
