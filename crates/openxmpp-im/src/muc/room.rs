//! One room as we see it: our nickname, how far our join got, the occupants and the subject.

use std::collections::BTreeMap;

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Presence, Show};

use super::{Affiliation, Item, JoinOptions, Role};

/// How far we are in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoomState {
    /// We sent the join presence and wait for our self-presence.
    Joining,
    /// We are in the room.
    Joined,
    /// We sent the leave presence and wait for the room to confirm.
    Leaving,
    /// We were in the room when the session ended; it is remembered so that
    /// [`Rooms::rejoin`](super::Rooms::rejoin) joins it again on the next session.
    Left,
}

/// An occupant of a room, as its last presence described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    /// Its nickname (the resourcepart of its occupant JID).
    pub nick: String,
    /// Its role.
    pub role: Role,
    /// Its affiliation.
    pub affiliation: Affiliation,
    /// Its real JID, where the room shows it to us (non-anonymous rooms, or to moderators).
    pub jid: Option<Jid>,
    /// Its availability sub-state.
    pub show: Option<Show>,
    /// Its status text.
    pub status: Option<String>,
}

impl Occupant {
    /// The occupant an available presence from `nick` describes.
    pub(crate) fn from_presence(nick: &str, presence: &Presence, item: Option<&Item>) -> Self {
        Occupant {
            nick: nick.to_owned(),
            role: item.and_then(|i| i.role).unwrap_or_default(),
            affiliation: item.and_then(|i| i.affiliation).unwrap_or_default(),
            jid: item.and_then(|i| i.jid.clone()),
            show: presence.show,
            status: presence.status().map(str::to_owned),
        }
    }
}

/// A room we joined (or are joining).
#[derive(Debug, Clone)]
pub struct Room {
    pub(crate) jid: BareJid,
    pub(crate) nick: String,
    pub(crate) state: RoomState,
    pub(crate) occupants: BTreeMap<String, Occupant>,
    pub(crate) subject: Option<String>,
    pub(crate) subject_by: Option<String>,
    pub(crate) options: JoinOptions,
    /// The nickname we asked to change to, until the room answers.
    pub(crate) pending_nick: Option<String>,
}

impl Room {
    pub(crate) fn new(jid: BareJid, nick: String, options: JoinOptions) -> Self {
        Room {
            jid,
            nick,
            state: RoomState::Joining,
            occupants: BTreeMap::new(),
            subject: None,
            subject_by: None,
            options,
            pending_nick: None,
        }
    }

    /// The room's address.
    pub fn jid(&self) -> &BareJid {
        &self.jid
    }

    /// Our nickname (the one the room confirmed, once joined).
    pub fn nick(&self) -> &str {
        &self.nick
    }

    /// How far we are in the room.
    pub fn state(&self) -> RoomState {
        self.state
    }

    /// The occupants, by nickname (us included once joined).
    pub fn occupants(&self) -> impl Iterator<Item = &Occupant> {
        self.occupants.values()
    }

    /// How many occupants we know of.
    pub fn occupant_count(&self) -> usize {
        self.occupants.len()
    }

    /// The occupant with this nickname.
    pub fn occupant(&self, nick: &str) -> Option<&Occupant> {
        self.occupants.get(nick)
    }

    /// Our own occupant: role, affiliation, presence.
    pub fn me(&self) -> Option<&Occupant> {
        self.occupants.get(&self.nick)
    }

    /// The subject, if one is set.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The nickname of who set the subject, if the room said.
    pub fn subject_by(&self) -> Option<&str> {
        self.subject_by.as_deref()
    }
}
