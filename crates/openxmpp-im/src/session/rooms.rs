//! Multi-user chat (XEP-0045) in the session: the rooms' stanzas routed to [`Rooms`], our
//! presence carried into the rooms, rooms rejoined after a new session, join outcomes kept
//! for whoever waits for them.

use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::{Presence, PresenceType};

use super::{Event, Session};
use crate::delay::Timestamp;
use crate::muc::{JoinError, JoinOptions, MucEvent, Rooms};
use crate::roster::RosterStore;

/// How a join ended, for whoever waits for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    /// We are in the room, with this nickname.
    Joined {
        /// Our nickname as the room has it.
        nick: String,
        /// Whether our join created the room (it may be locked until configured).
        created: bool,
    },
    /// The room refused.
    Failed {
        /// Why, as the room's event said it.
        event: Box<MucEvent>,
    },
}

impl<S: RosterStore> Session<S> {
    /// The rooms we are in, joining or leaving.
    pub fn rooms(&self) -> &Rooms {
        &self.rooms
    }

    /// Joins `room` as `nick`: the presence to send (with our current show and status and
    /// our capabilities).
    pub fn join_room(
        &mut self,
        room: BareJid,
        nick: &str,
        options: JoinOptions,
    ) -> Result<Presence, JoinError> {
        self.join_outcomes.remove(room.as_str());
        let presence = self.rooms.join(room, nick, options)?;
        Ok(self.with_own_availability(presence))
    }

    /// Leaves `room`: the presence to send, `None` when we are not in it.
    pub fn leave_room(&mut self, room: &BareJid, status: Option<&str>) -> Option<Presence> {
        self.rooms.leave(room, status)
    }

    /// Changes our nickname in `room`: the presence to send.
    pub fn change_room_nick(&mut self, room: &BareJid, nick: &str) -> Result<Presence, JoinError> {
        let presence = self.rooms.change_nick(room, nick)?;
        Ok(self.with_own_availability(presence))
    }

    /// How the last join of `room` ended, once it has (taken: asked once).
    pub fn take_join_outcome(&mut self, room: &BareJid) -> Option<JoinOutcome> {
        self.join_outcomes.remove(room.as_str())
    }

    /// The presences that carry our new broadcast `presence` into each room we are in: rooms
    /// do not get the server's broadcast (XEP-0045 §7.7).
    pub fn presence_for_rooms(&self, presence: &Presence) -> Vec<Presence> {
        if presence.header.to.is_some() || presence.kind != PresenceType::Available {
            return Vec::new();
        }
        self.rooms
            .rooms()
            .filter(|room| room.state() == crate::muc::RoomState::Joined)
            .filter_map(|room| room.jid().with_resource(room.nick()).ok())
            .map(|occupant| {
                let mut copy = presence.clone();
                copy.header.to = Some(occupant.into());
                copy
            })
            .collect()
    }

    /// `presence` with our current show, status and priority (and capabilities) added.
    fn with_own_availability(&self, mut presence: Presence) -> Presence {
        if let Some(own) = &self.own_presence {
            presence.show = own.show;
            presence.statuses = own.statuses.clone();
        }
        if let Some(caps) = &self.caps {
            presence.payloads.push(caps.clone().into());
        }
        presence
    }

    /// Sends the joins of the rooms we were in before the session was lost, asking only for
    /// the history since `since`.
    pub(super) fn rejoin_rooms(&mut self) {
        let since = self.offline_since.take();
        for presence in self.rooms.rejoin(since) {
            let presence = self.with_own_availability(presence);
            self.send(presence);
        }
    }

    pub(super) fn rooms_offline(&mut self, now: &Timestamp) {
        let rooms = self.rooms.offline();
        if !rooms.is_empty() {
            self.offline_since = Some(*now);
        }
    }

    /// Routes a room's presence; false if it is not from a room we know.
    pub(super) fn room_presence(&mut self, presence: &Presence) -> bool {
        match self.rooms.handle_presence(presence) {
            Some(event) => {
                self.muc_event(event);
                true
            }
            None => false,
        }
    }

    /// Routes a room's message; false if it is not from a room we know.
    pub(super) fn room_message(&mut self, message: &openxmpp_core::stanza::Message) -> bool {
        match self.rooms.handle_message(message) {
            Some(event) => {
                self.muc_event(event);
                true
            }
            None => false,
        }
    }

    fn muc_event(&mut self, event: MucEvent) {
        match &event {
            MucEvent::Joined {
                room,
                nick,
                created,
                ..
            } => {
                self.join_outcomes.insert(
                    room.as_str().to_owned(),
                    JoinOutcome::Joined {
                        nick: nick.clone(),
                        created: *created,
                    },
                );
            }
            MucEvent::JoinFailed { room, .. } => {
                self.join_outcomes.insert(
                    room.as_str().to_owned(),
                    JoinOutcome::Failed {
                        event: Box::new(event.clone()),
                    },
                );
            }
            _ => {}
        }
        // Keep the outcome map small: only rooms someone may still be waiting for.
        if self.join_outcomes.len() > 64 {
            self.join_outcomes.clear();
        }
        self.emit(Event::Muc {
            event: Box::new(event),
        });
    }
}
