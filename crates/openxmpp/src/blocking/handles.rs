//! The blocking client's IM handles: the async handles' operations, each waiting for its
//! answer on the client's private runtime.

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Message, Presence, Show};
use openxmpp_im::chat_states::ChatState;
use openxmpp_im::chats::ConversationKey;
use openxmpp_im::delay::Timestamp;
use openxmpp_im::disco::{DiscoInfoResult, DiscoItemsResult};
use openxmpp_im::mam::{ArchiveQuery, ArchivedMessage};
use openxmpp_im::markers::Marker;
use openxmpp_im::muc::Room;
use openxmpp_im::presence::ResourcePresence;
use openxmpp_im::roster::RosterItem;
use openxmpp_im::time::EntityTime;
use openxmpp_im::vcard::VCard;
use openxmpp_im::version::SoftwareVersion;
use tokio::runtime::Runtime;

use super::Client;
use crate::Error;

impl Client {
    /// The roster; see [`crate::RosterHandle`].
    pub fn roster(&self) -> RosterHandle<'_> {
        RosterHandle {
            inner: self.inner.roster(),
            rt: &self.runtime,
        }
    }

    /// Presence subscriptions; see [`crate::SubscriptionsHandle`].
    pub fn subscriptions(&self) -> SubscriptionsHandle<'_> {
        SubscriptionsHandle {
            inner: self.inner.subscriptions(),
            rt: &self.runtime,
        }
    }

    /// Presence; see [`crate::PresenceHandle`].
    pub fn presence(&self) -> PresenceHandle<'_> {
        PresenceHandle {
            inner: self.inner.presence(),
            rt: &self.runtime,
        }
    }

    /// Conversations; see [`crate::ChatsHandle`].
    pub fn chats(&self) -> ChatsHandle<'_> {
        ChatsHandle {
            inner: self.inner.chats(),
            rt: &self.runtime,
        }
    }

    /// Blocking; see [`crate::BlocklistHandle`].
    pub fn blocklist(&self) -> BlocklistHandle<'_> {
        BlocklistHandle {
            inner: self.inner.blocklist(),
            rt: &self.runtime,
        }
    }

    /// Multi-user chat; see [`crate::MucHandle`].
    pub fn muc(&self) -> MucHandle<'_> {
        MucHandle {
            inner: self.inner.muc(),
            rt: &self.runtime,
        }
    }

    /// The message archive; see [`crate::ArchiveHandle`].
    pub fn archive(&self) -> ArchiveHandle<'_> {
        ArchiveHandle {
            inner: self.inner.archive(),
            rt: &self.runtime,
        }
    }

    /// vCards; see [`crate::VCardHandle`].
    pub fn vcard(&self) -> VCardHandle<'_> {
        VCardHandle {
            inner: self.inner.vcard(),
            rt: &self.runtime,
        }
    }

    /// Questions to other entities; see [`crate::DiscoveryHandle`].
    pub fn discovery(&self) -> DiscoveryHandle<'_> {
        DiscoveryHandle {
            inner: self.inner.discovery(),
            rt: &self.runtime,
        }
    }
}

/// The roster, blocking; see [`crate::RosterHandle`].
#[derive(Debug, Clone, Copy)]
pub struct RosterHandle<'a> {
    inner: crate::RosterHandle<'a>,
    rt: &'a Runtime,
}

impl RosterHandle<'_> {
    /// Every contact, ordered by JID.
    pub fn items(&self) -> Vec<RosterItem> {
        self.inner.items()
    }

    /// The contact `jid`, if in the roster.
    pub fn get(&self, jid: &BareJid) -> Option<RosterItem> {
        self.inner.get(jid)
    }

    /// Adds or updates `jid` with a name and groups.
    pub fn add<G: Into<String>>(
        &self,
        jid: &BareJid,
        name: Option<&str>,
        groups: impl IntoIterator<Item = G>,
    ) -> Result<(), Error> {
        self.rt.block_on(self.inner.add(jid, name, groups))
    }

    /// Writes `item`.
    pub fn set(&self, item: RosterItem) -> Result<(), Error> {
        self.rt.block_on(self.inner.set(item))
    }

    /// Removes `jid`.
    pub fn remove(&self, jid: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.remove(jid))
    }
}

/// Presence subscriptions, blocking; see [`crate::SubscriptionsHandle`].
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionsHandle<'a> {
    inner: crate::SubscriptionsHandle<'a>,
    rt: &'a Runtime,
}

impl SubscriptionsHandle<'_> {
    /// Contacts waiting for an answer.
    pub fn pending(&self) -> Vec<(BareJid, Option<String>)> {
        self.inner.pending()
    }

    /// Asks to see `contact`'s presence.
    pub fn request(&self, contact: &BareJid, text: Option<&str>) -> Result<(), Error> {
        self.rt.block_on(self.inner.request(contact, text))
    }

    /// Lets `contact` see our presence.
    pub fn approve(&self, contact: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.approve(contact))
    }

    /// Pre-approves `contact`.
    pub fn preapprove(&self, contact: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.preapprove(contact))
    }

    /// Refuses `contact`'s request.
    pub fn deny(&self, contact: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.deny(contact))
    }

    /// Stops `contact` from seeing our presence.
    pub fn cancel(&self, contact: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.cancel(contact))
    }

    /// Stops receiving `contact`'s presence.
    pub fn unsubscribe(&self, contact: &BareJid) -> Result<(), Error> {
        self.rt.block_on(self.inner.unsubscribe(contact))
    }
}

/// Presence, blocking; see [`crate::PresenceHandle`].
#[derive(Debug, Clone, Copy)]
pub struct PresenceHandle<'a> {
    inner: crate::PresenceHandle<'a>,
    rt: &'a Runtime,
}

impl PresenceHandle<'_> {
    /// Broadcasts our availability.
    pub fn set(&self, show: Option<Show>, status: Option<&str>, priority: i8) -> Result<(), Error> {
        self.rt.block_on(self.inner.set(show, status, priority))
    }

    /// Sends a presence built by hand (broadcast or directed).
    pub fn send(&self, presence: Presence) -> Result<(), Error> {
        self.rt.block_on(self.inner.send(presence))
    }

    /// Becomes unavailable while staying connected.
    pub fn unavailable(&self, status: Option<&str>) -> Result<(), Error> {
        self.rt.block_on(self.inner.unavailable(status))
    }

    /// The online resources of `contact`.
    pub fn resources(&self, contact: &BareJid) -> Vec<(String, ResourcePresence)> {
        self.inner.resources(contact)
    }

    /// The resource to talk to.
    pub fn best_resource(&self, contact: &BareJid) -> Option<(String, ResourcePresence)> {
        self.inner.best_resource(contact)
    }

    /// Whether `contact` has any online resource.
    pub fn is_online(&self, contact: &BareJid) -> bool {
        self.inner.is_online(contact)
    }
}

/// Conversations, blocking; see [`crate::ChatsHandle`].
#[derive(Debug, Clone, Copy)]
pub struct ChatsHandle<'a> {
    inner: crate::ChatsHandle<'a>,
    rt: &'a Runtime,
}

impl ChatsHandle<'_> {
    /// Where a message to `contact` goes now.
    pub fn address(&self, contact: &BareJid) -> Jid {
        self.inner.address(contact)
    }

    /// Sends `body` to `contact`; returns the message id.
    pub fn send(&self, contact: &BareJid, body: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.send(contact, body))
    }

    /// Sends `body` in `conversation`; returns the message id.
    pub fn send_in(&self, conversation: &ConversationKey, body: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_in(conversation, body))
    }

    /// Sends a message built by hand; returns its id.
    pub fn send_message(&self, message: Message) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_message(message))
    }

    /// Corrects our message `id`.
    pub fn correct(
        &self,
        conversation: &ConversationKey,
        id: &str,
        body: &str,
    ) -> Result<String, Error> {
        self.rt.block_on(self.inner.correct(conversation, id, body))
    }

    /// Sends a chat state.
    pub fn chat_state(
        &self,
        conversation: &ConversationKey,
        state: ChatState,
    ) -> Result<(), Error> {
        self.rt.block_on(self.inner.chat_state(conversation, state))
    }

    /// Sends a chat marker.
    pub fn mark(&self, conversation: &ConversationKey, marker: Marker) -> Result<(), Error> {
        self.rt.block_on(self.inner.mark(conversation, marker))
    }
}

/// Blocking (XEP-0191), blocking; see [`crate::BlocklistHandle`].
#[derive(Debug, Clone, Copy)]
pub struct BlocklistHandle<'a> {
    inner: crate::BlocklistHandle<'a>,
    rt: &'a Runtime,
}

impl BlocklistHandle<'_> {
    /// The blocked JIDs, once fetched.
    pub fn jids(&self) -> Option<Vec<String>> {
        self.inner.jids()
    }

    /// Blocks `jids`.
    pub fn block(&self, jids: impl IntoIterator<Item = Jid>) -> Result<(), Error> {
        self.rt.block_on(self.inner.block(jids))
    }

    /// Unblocks `jids`.
    pub fn unblock(&self, jids: impl IntoIterator<Item = Jid>) -> Result<(), Error> {
        self.rt.block_on(self.inner.unblock(jids))
    }

    /// Unblocks everyone.
    pub fn unblock_all(&self) -> Result<(), Error> {
        self.rt.block_on(self.inner.unblock_all())
    }
}

/// Questions to other entities, blocking; see [`crate::DiscoveryHandle`].
#[derive(Debug, Clone, Copy)]
pub struct DiscoveryHandle<'a> {
    inner: crate::DiscoveryHandle<'a>,
    rt: &'a Runtime,
}

impl DiscoveryHandle<'_> {
    /// `jid`'s identities and features.
    pub fn info(&self, jid: &Jid, node: Option<&str>) -> Result<DiscoInfoResult, Error> {
        self.rt.block_on(self.inner.info(jid, node))
    }

    /// `jid`'s items.
    pub fn items(&self, jid: &Jid, node: Option<&str>) -> Result<DiscoItemsResult, Error> {
        self.rt.block_on(self.inner.items(jid, node))
    }

    /// `jid`'s software.
    pub fn version(&self, jid: &Jid) -> Result<SoftwareVersion, Error> {
        self.rt.block_on(self.inner.version(jid))
    }

    /// `jid`'s time.
    pub fn time(&self, jid: &Jid) -> Result<EntityTime, Error> {
        self.rt.block_on(self.inner.time(jid))
    }

    /// Pings `jid` (`None`: our server).
    pub fn ping(&self, jid: Option<&Jid>) -> Result<std::time::Duration, Error> {
        self.rt.block_on(self.inner.ping(jid))
    }
}

/// The message archive, blocking; see [`crate::ArchiveHandle`].
#[derive(Debug, Clone, Copy)]
pub struct ArchiveHandle<'a> {
    inner: crate::ArchiveHandle<'a>,
    rt: &'a Runtime,
}

impl ArchiveHandle<'_> {
    /// The last `count` messages exchanged with `contact`, oldest first.
    pub fn last_with(
        &self,
        contact: &BareJid,
        count: usize,
    ) -> Result<Vec<ArchivedMessage>, Error> {
        self.rt.block_on(self.inner.last_with(contact, count))
    }

    /// Every message in a time range, optionally with one JID, oldest first.
    pub fn range(
        &self,
        with: Option<Jid>,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<ArchivedMessage>, Error> {
        self.rt.block_on(self.inner.range(with, start, end, limit))
    }

    /// What the archive holds since `since` that did not arrive live.
    pub fn catch_up(&self, since: Timestamp, limit: usize) -> Result<Vec<ArchivedMessage>, Error> {
        self.rt.block_on(self.inner.catch_up(since, limit))
    }

    /// What was missed while the connection was down (see
    /// [`ArchiveHandle::catch_up_missed`](crate::ArchiveHandle::catch_up_missed)).
    pub fn catch_up_missed(&self, limit: usize) -> Result<Vec<ArchivedMessage>, Error> {
        self.rt.block_on(self.inner.catch_up_missed(limit))
    }

    /// Runs a query built by hand.
    pub fn query(&self, query: ArchiveQuery) -> Result<Vec<ArchivedMessage>, Error> {
        self.rt.block_on(self.inner.query(query))
    }
}

/// vCards, blocking; see [`crate::VCardHandle`].
#[derive(Debug, Clone, Copy)]
pub struct VCardHandle<'a> {
    inner: crate::VCardHandle<'a>,
    rt: &'a Runtime,
}

impl VCardHandle<'_> {
    /// The vCard of `jid` (`None`: our own).
    pub fn fetch(&self, jid: Option<&BareJid>) -> Result<Option<VCard>, Error> {
        self.rt.block_on(self.inner.fetch(jid))
    }

    /// Publishes our vCard.
    pub fn publish(&self, card: VCard) -> Result<(), Error> {
        self.rt.block_on(self.inner.publish(card))
    }
}

/// Multi-user chat, blocking; see [`crate::MucHandle`].
#[derive(Debug, Clone, Copy)]
pub struct MucHandle<'a> {
    inner: crate::MucHandle<'a>,
    rt: &'a Runtime,
}

impl MucHandle<'_> {
    /// Joins `room` as `nick`; returns our nickname as the room has it.
    pub fn join(&self, room: &BareJid, nick: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.join(room, nick))
    }

    /// Leaves `room`.
    pub fn leave(&self, room: &BareJid, status: Option<&str>) -> Result<(), Error> {
        self.rt.block_on(self.inner.leave(room, status))
    }

    /// Talks in `room`; returns the message id.
    pub fn say(&self, room: &BareJid, body: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.say(room, body))
    }

    /// Sets `room`'s subject.
    pub fn set_subject(&self, room: &BareJid, subject: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.set_subject(room, subject))
    }

    /// The room as we know it.
    pub fn room(&self, room: &BareJid) -> Option<Room> {
        self.inner.room(room)
    }
}
