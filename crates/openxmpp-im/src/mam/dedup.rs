//! Telling archived messages apart from messages already seen: [`ArchiveDedup`].

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Message, MessageType};

use super::ArchivedMessage;
use crate::stanza_id::{origin_id, stanza_id_by};

/// Ids longer than this (in bytes) are not remembered. Archive ids and origin ids in the wild
/// are short (a UUID is 36 bytes).
pub const MAX_ID_LEN: usize = 256;

/// A bounded set of the most recently inserted keys: beyond its capacity, it forgets the
/// oldest (first in, first out).
#[derive(Debug, Clone)]
pub(crate) struct RecentIds<K> {
    set: HashSet<K>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone> RecentIds<K> {
    /// An empty ring remembering up to `capacity` keys (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        RecentIds {
            set: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Whether `key` is remembered.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.set.contains(key)
    }

    /// Remembers `key`; `false` if it already was (its age is then unchanged).
    pub(crate) fn insert(&mut self, key: K) -> bool {
        if self.set.contains(&key) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.set.insert(key.clone());
        self.order.push_back(key);
        true
    }

    /// How many keys are remembered.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

/// The key of an archive id: which archive, which id.
type ArchiveKey = (BareJid, String);
/// The key of an origin id: which sender, which id.
type OriginKey = (Jid, String);

/// Recently seen message ids, to tell archived messages apart from messages already seen.
///
/// A client that was online receives a message live, and later finds it again when it catches
/// up from the archive; two overlapping queries find the same messages twice. [`ArchiveDedup`]
/// remembers, in bounded rings, the ids that identify a message across both paths:
///
/// 1. **The archive id.** An archive stamps each message it stores with a XEP-0359
///    `<stanza-id by='archive'/>`, and a XEP-0313 result's `id` is that same stanza id. A live
///    message's stanza id counts only when `by` is the archive we name
///    ([`stanza_id_by`]): our own bare JID for one-to-one messages (carbons included: pass the
///    unwrapped message), the room's bare JID for groupchat messages. Name an archive only when
///    it is known to strip stanza ids forged by senders (our server always does for our
///    account; a room that advertises `urn:xmpp:sid:0`), or a sender could hide its next
///    messages from the history.
/// 2. **The origin id and its sender.** A sender's XEP-0359 `<origin-id/>` travels with the
///    message into the archive. It is only unique per sender, so it is remembered together with
///    the sender: the bare JID for one-to-one messages (the resource may differ between the
///    live copy and the archived one), the occupant JID (`room@service/nick`) for groupchat
///    messages. A message without `from` is our own outgoing one and counts as sent by the
///    archive's owner.
///
/// An archived message is a duplicate if either key was recorded before. Ids longer than
/// [`MAX_ID_LEN`] bytes are never remembered (nor matched), so that a hostile sender cannot fill
/// the memory; each ring forgets its oldest entries beyond its capacity.
///
/// ```
/// use openxmpp_im::core::jid::BareJid;
/// use openxmpp_im::core::stanza::Message;
/// use openxmpp_im::forwarded::Forwarded;
/// use openxmpp_im::mam::{ArchiveDedup, ArchivedMessage, MamResult};
/// use openxmpp_im::stanza_id::StanzaId;
///
/// let me: BareJid = "juliet@capulet.lit".parse()?;
/// let mut dedup = ArchiveDedup::new();
///
/// // Live: our server stamped the message with its archive id.
/// let mut live = Message::chat(me.clone().into(), "Art thou not Romeo?")
///     .with_payload(StanzaId::new("5f3dbc5e", me.clone().into()).into());
/// live.header.from = Some("romeo@montague.lit/orchard".parse()?);
/// dedup.record_live(&live, &me);
///
/// // Later, the same message in the archive.
/// let result = MamResult::new("5f3dbc5e", Forwarded::message(live));
/// let archived = ArchivedMessage::from_result(me.clone(), result)?;
/// assert!(dedup.is_duplicate(&archived));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArchiveDedup {
    archive_ids: RecentIds<ArchiveKey>,
    origin_ids: RecentIds<OriginKey>,
}

impl Default for ArchiveDedup {
    fn default() -> Self {
        ArchiveDedup::new()
    }
}

impl ArchiveDedup {
    /// How many archive ids (and as many origin ids) [`ArchiveDedup::new`] remembers.
    pub const DEFAULT_CAPACITY: usize = 10_000;

    /// A deduplicator remembering the last [`ArchiveDedup::DEFAULT_CAPACITY`] ids of each kind.
    pub fn new() -> Self {
        ArchiveDedup::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A deduplicator remembering the last `capacity` ids of each kind (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        ArchiveDedup {
            archive_ids: RecentIds::new(capacity),
            origin_ids: RecentIds::new(capacity),
        }
    }

    /// Notes a message received (or sent) live: its stanza id stamped by `archive` (our own
    /// bare JID for a one-to-one message, the room for a groupchat message) and its origin id
    /// with its sender.
    pub fn record_live(&mut self, message: &Message, archive: &BareJid) {
        let archive_jid = Jid::from(archive.clone());
        if let Some(id) = stanza_id_by(message, &archive_jid).filter(|id| id.len() <= MAX_ID_LEN) {
            self.archive_ids.insert((archive.clone(), id.to_owned()));
        }
        if let Some(key) = origin_key(message, archive) {
            self.origin_ids.insert(key);
        }
    }

    /// Notes a message received live like [`ArchiveDedup::record_live`], and tells whether it
    /// is new: `false` when its archive id, or its origin id from the same sender, was seen
    /// before (live or in an archive) — a second copy of a message already delivered, such as
    /// a sender's resend after a lost acknowledgement, the server's offline store replaying what
    /// the archive catch-up already found, or the reverse.
    pub fn record_live_is_new(&mut self, message: &Message, archive: &BareJid) -> bool {
        let archive_jid = Jid::from(archive.clone());
        let archive_key = stanza_id_by(message, &archive_jid)
            .filter(|id| id.len() <= MAX_ID_LEN)
            .map(|id| (archive.clone(), id.to_owned()));
        let origin = origin_key(message, archive);
        let seen = archive_key
            .as_ref()
            .is_some_and(|key| self.archive_ids.contains(key))
            || origin
                .as_ref()
                .is_some_and(|key| self.origin_ids.contains(key));
        if let Some(key) = archive_key {
            self.archive_ids.insert(key);
        }
        if let Some(key) = origin {
            self.origin_ids.insert(key);
        }
        !seen
    }

    /// Notes a message found in an archive, so that another query finding it again sees a
    /// duplicate.
    pub fn record_archived(&mut self, archived: &ArchivedMessage) {
        if archived.archive_id.len() <= MAX_ID_LEN {
            self.archive_ids
                .insert((archived.archive.clone(), archived.archive_id.clone()));
        }
        if let Some(key) = origin_key(&archived.message, &archived.archive) {
            self.origin_ids.insert(key);
        }
    }

    /// Whether `archived` was seen before: live with the same archive id or the same origin id
    /// from the same sender, or recorded from an earlier query.
    pub fn is_duplicate(&self, archived: &ArchivedMessage) -> bool {
        let by_archive_id = archived.archive_id.len() <= MAX_ID_LEN
            && self
                .archive_ids
                .contains(&(archived.archive.clone(), archived.archive_id.clone()));
        by_archive_id
            || origin_key(&archived.message, &archived.archive)
                .is_some_and(|key| self.origin_ids.contains(&key))
    }

    /// Keeps the messages of `results` not seen before (nor earlier in `results`), in their
    /// order, and records them.
    pub fn retain_new(&mut self, results: Vec<ArchivedMessage>) -> Vec<ArchivedMessage> {
        let mut kept = Vec::with_capacity(results.len());
        for archived in results {
            if self.is_duplicate(&archived) {
                tracing::debug!(id = %archived.archive_id, "archived message already seen: dropped");
                continue;
            }
            self.record_archived(&archived);
            kept.push(archived);
        }
        kept
    }

    /// How many archive ids are remembered.
    pub fn archive_ids(&self) -> usize {
        self.archive_ids.len()
    }

    /// How many origin ids are remembered.
    pub fn origin_ids(&self) -> usize {
        self.origin_ids.len()
    }
}

/// The sender of `message` as the origin-id rule sees it: the occupant JID for groupchat, the
/// bare JID otherwise, the archive's owner when there is no `from` (our own message). `None` for
/// a groupchat message without `from`.
fn sender(message: &Message, archive: &BareJid) -> Option<Jid> {
    match (&message.header.from, message.kind) {
        (Some(from), MessageType::Groupchat) => Some(from.clone()),
        (Some(from), _) => Some(from.to_bare().into()),
        (None, MessageType::Groupchat) => None,
        (None, _) => Some(archive.clone().into()),
    }
}

fn origin_key(message: &Message, archive: &BareJid) -> Option<OriginKey> {
    let id = origin_id(message).filter(|id| id.len() <= MAX_ID_LEN)?;
    Some((sender(message, archive)?, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mam::MamResult;
    use crate::test_support::element;

    fn me() -> BareJid {
        "juliet@capulet.lit".parse().unwrap()
    }

    fn room() -> BareJid {
        "coven@chat.shakespeare.lit".parse().unwrap()
    }

    fn message(xml: &str) -> Message {
        Message::try_from(element(xml)).unwrap()
    }

    fn archived(archive: BareJid, id: &str, inner: &str) -> ArchivedMessage {
        let result = MamResult::try_from(element(&format!(
            "<result xmlns='urn:xmpp:mam:2' id='{id}'>\
               <forwarded xmlns='urn:xmpp:forward:0'>\
                 <delay xmlns='urn:xmpp:delay' stamp='2023-01-16T11:25:25Z'/>{inner}\
               </forwarded></result>"
        )))
        .unwrap();
        ArchivedMessage::from_result(archive, result).unwrap()
    }

    #[test]
    fn live_message_later_found_in_the_archive() {
        // Prosody stamps the live message with the id it archived it under.
        let mut dedup = ArchiveDedup::new();
        dedup.record_live(
            &message(
                "<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' \
                          type='chat' id='m1'>\
                   <body>Art thou not Romeo?</body>\
                   <stanza-id xmlns='urn:xmpp:sid:0' id='AcXr4vPiR9Lx-ZWB' by='juliet@capulet.lit'/>\
                 </message>",
            ),
            &me(),
        );
        assert_eq!(dedup.archive_ids(), 1);
        assert_eq!(dedup.origin_ids(), 0);

        let inner = "<message xmlns='jabber:client' from='romeo@montague.lit/orchard' \
                        to='juliet@capulet.lit/balcony' type='chat' id='m1'>\
                       <body>Art thou not Romeo?</body></message>";
        assert!(dedup.is_duplicate(&archived(me(), "AcXr4vPiR9Lx-ZWB", inner)));
        // The same id in another archive is another message.
        assert!(!dedup.is_duplicate(&archived(room(), "AcXr4vPiR9Lx-ZWB", inner)));
        assert!(!dedup.is_duplicate(&archived(me(), "other", inner)));
    }

    #[test]
    fn origin_id_with_the_same_sender() {
        let mut dedup = ArchiveDedup::new();
        // A message Romeo sent live, with an origin id but no stanza id (our server did not
        // stamp it, say because archiving was off for a moment).
        dedup.record_live(
            &message(
                "<message from='romeo@montague.lit/orchard' type='chat'>\
                   <body>Hi</body><origin-id xmlns='urn:xmpp:sid:0' id='de305d54'/></message>",
            ),
            &me(),
        );
        // One we sent: no from, so it counts as ours.
        dedup.record_live(
            &message(
                "<message to='romeo@montague.lit' type='chat'>\
                   <body>Hello</body><origin-id xmlns='urn:xmpp:sid:0' id='a9f0c1'/></message>",
            ),
            &me(),
        );
        assert_eq!(dedup.origin_ids(), 2);
        let from_romeo = |resource: &str, origin: &str| {
            format!(
                "<message xmlns='jabber:client' from='romeo@montague.lit/{resource}' type='chat'>\
                   <body>Hi</body><origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>"
            )
        };
        // Another resource of the same sender: still Romeo.
        assert!(dedup.is_duplicate(&archived(me(), "1", &from_romeo("phone", "de305d54"))));
        assert!(!dedup.is_duplicate(&archived(me(), "2", &from_romeo("orchard", "other"))));
        // Someone else reusing Romeo's origin id is not Romeo.
        assert!(!dedup.is_duplicate(&archived(
            me(),
            "3",
            "<message xmlns='jabber:client' from='mallory@evil.example/x' type='chat'>\
               <origin-id xmlns='urn:xmpp:sid:0' id='de305d54'/></message>"
        )));
        // Our own message as the archive keeps it: from our full JID.
        assert!(dedup.is_duplicate(&archived(
            me(),
            "4",
            "<message xmlns='jabber:client' from='juliet@capulet.lit/balcony' \
                      to='romeo@montague.lit' type='chat'>\
               <body>Hello</body><origin-id xmlns='urn:xmpp:sid:0' id='a9f0c1'/></message>"
        )));
    }

    #[test]
    fn groupchat_by_room_and_occupant() {
        let mut dedup = ArchiveDedup::new();
        // The room's reflection of a message: stanza id by the room, origin id by the sender.
        dedup.record_live(
            &message(
                "<message from='coven@chat.shakespeare.lit/firstwitch' type='groupchat'>\
                   <body>Thrice the brinded cat hath mew'd.</body>\
                   <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='juliet@capulet.lit'/>\
                   <stanza-id xmlns='urn:xmpp:sid:0' id='5f3dbc5e' by='coven@chat.shakespeare.lit'/>\
                   <origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>",
            ),
            &room(),
        );
        let inner = |from: &str, origin: &str| {
            format!(
                "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/{from}' \
                          type='groupchat'><body>x</body>\
                   <origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>"
            )
        };
        assert!(dedup.is_duplicate(&archived(room(), "5f3dbc5e", &inner("firstwitch", "zz"))));
        assert!(dedup.is_duplicate(&archived(room(), "n", &inner("firstwitch", "o1"))));
        // Another occupant's message with the same origin id is another message.
        assert!(!dedup.is_duplicate(&archived(room(), "n", &inner("secondwitch", "o1"))));
        // The stanza id claiming to be by our account was not recorded.
        assert!(!dedup.is_duplicate(&archived(me(), "forged", &inner("x", "y"))));
        // A groupchat message without from has no sender to key its origin id on.
        let before = dedup.origin_ids();
        dedup.record_live(
            &message(
                "<message type='groupchat'><origin-id xmlns='urn:xmpp:sid:0' id='o2'/></message>",
            ),
            &room(),
        );
        assert_eq!(dedup.origin_ids(), before);
    }

    #[test]
    fn live_copies_of_a_message_are_told_apart() {
        let mut dedup = ArchiveDedup::new();
        let live = |origin: &str, stanza_id: &str| {
            message(&format!(
                "<message from='romeo@montague.lit/orchard' type='chat'><body>Hi</body>\
                   <origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/>\
                   <stanza-id xmlns='urn:xmpp:sid:0' id='{stanza_id}' by='juliet@capulet.lit'/>\
                 </message>"
            ))
        };
        assert!(dedup.record_live_is_new(&live("o1", "s1"), &me()));
        // Resent by the sender after a lost ack: archived again under a new id, same origin id.
        assert!(!dedup.record_live_is_new(&live("o1", "s2"), &me()));
        // Replayed by the server's offline store: the same archive id.
        assert!(!dedup.record_live_is_new(&live("o9", "s1"), &me()));
        assert!(dedup.record_live_is_new(&live("o2", "s3"), &me()));
        // Found by an archive catch-up first, then delivered live.
        let inner = "<message xmlns='jabber:client' from='romeo@montague.lit/orchard' \
                        type='chat'><body>Hi</body><origin-id xmlns='urn:xmpp:sid:0' id='o3'/>\
                     </message>";
        assert_eq!(dedup.retain_new(vec![archived(me(), "s4", inner)]).len(), 1);
        assert!(!dedup.record_live_is_new(&live("o3", "s4"), &me()));
        // Without any id a message cannot be recognised: always new.
        let bare =
            message("<message from='romeo@montague.lit/o' type='chat'><body>x</body></message>");
        assert!(dedup.record_live_is_new(&bare, &me()));
        assert!(dedup.record_live_is_new(&bare, &me()));
        // Someone else's origin id is not Romeo's.
        let other = message(
            "<message from='mallory@evil.example/x' type='chat'><body>x</body>\
               <origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>",
        );
        assert!(dedup.record_live_is_new(&other, &me()));
    }

    #[test]
    fn overlapping_queries_and_batches() {
        let mut dedup = ArchiveDedup::new();
        let inner = "<message xmlns='jabber:client' from='romeo@montague.lit/o' type='chat'/>";
        let first = dedup.retain_new(vec![
            archived(me(), "a", inner),
            archived(me(), "b", inner),
            archived(me(), "a", inner),
        ]);
        let ids: Vec<_> = first.iter().map(|a| a.archive_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let second = dedup.retain_new(vec![archived(me(), "b", inner), archived(me(), "c", inner)]);
        let ids: Vec<_> = second.iter().map(|a| a.archive_id.as_str()).collect();
        assert_eq!(ids, ["c"]);
    }

    #[test]
    fn bounded() {
        let mut dedup = ArchiveDedup::with_capacity(3);
        let inner = "<message xmlns='jabber:client' from='romeo@montague.lit/o' type='chat'/>";
        for id in ["1", "2", "3", "4"] {
            dedup.record_archived(&archived(me(), id, inner));
        }
        assert_eq!(dedup.archive_ids(), 3);
        assert!(
            !dedup.is_duplicate(&archived(me(), "1", inner)),
            "forgotten"
        );
        assert!(dedup.is_duplicate(&archived(me(), "4", inner)));

        // Overlong ids are neither remembered nor matched.
        let long = "x".repeat(MAX_ID_LEN + 1);
        let mut dedup = ArchiveDedup::new();
        dedup.record_live(
            &message(&format!(
                "<message from='romeo@montague.lit/o'>\
                   <stanza-id xmlns='urn:xmpp:sid:0' id='{long}' by='juliet@capulet.lit'/>\
                   <origin-id xmlns='urn:xmpp:sid:0' id='{long}'/></message>"
            )),
            &me(),
        );
        assert_eq!((dedup.archive_ids(), dedup.origin_ids()), (0, 0));
        dedup.record_archived(&archived(me(), &long, inner));
        assert_eq!(dedup.archive_ids(), 0);

        let mut ring = RecentIds::new(0);
        assert!(ring.insert(1));
        assert!(!ring.insert(1));
        assert!(ring.insert(2));
        assert_eq!(ring.len(), 1);
        assert!(!ring.contains(&1));
    }
}
