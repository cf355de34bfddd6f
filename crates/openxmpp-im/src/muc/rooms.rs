//! The rooms we are in: the stanzas that join, leave and talk, and what the rooms' presences
//! and messages mean ([`MucEvent`]).

use std::collections::BTreeMap;

use openxmpp_core::error::{StanzaError, StanzaErrorCondition};
use openxmpp_core::jid::{BareJid, Jid, JidError};
use openxmpp_core::stanza::{Message, MessageType, Presence, PresenceType};
use openxmpp_core::xml::Element;

use super::{
    JoinFailure, LeaveReason, MucEvent, MucJoin, MucUser, NS_USER, Occupant, Room, RoomState,
    StatusCode,
};
use crate::delay::{self, Delay, Timestamp};

/// The most occupants kept per room by default; see [`Rooms::with_max_occupants`].
pub const DEFAULT_MAX_OCCUPANTS: usize = 10_000;

/// How to join a room: its password and how much history to ask for. It is the join
/// payload itself (XEP-0045 §7.2), sent as given.
pub type JoinOptions = MucJoin;

/// Why a request about a room could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The nickname is not a valid resourcepart (empty, too long, a control character, …).
    #[error("invalid room nickname {nick:?}: {source}")]
    InvalidNick {
        /// The nickname given.
        nick: String,
        /// Why it is not a valid resourcepart.
        #[source]
        source: JidError,
    },
    /// We are already in the room, joining it or leaving it; change the nickname with
    /// [`Rooms::change_nick`], or wait for [`MucEvent::Left`] to join again.
    #[error("already in (or joining, or leaving) {room}")]
    AlreadyJoined {
        /// The room.
        room: BareJid,
    },
    /// We are not in the room.
    #[error("not in {room}")]
    NotJoined {
        /// The room.
        room: BareJid,
    },
}

/// The rooms we are in, and the state machine that follows them.
///
/// Commands ([`join`](Rooms::join), [`leave`](Rooms::leave), [`message`](Rooms::message),
/// …) return the stanza to send. Incoming presences and messages go through
/// [`handle_presence`](Rooms::handle_presence) and [`handle_message`](Rooms::handle_message),
/// which return `None` for stanzas that are not about a room we know (pass those on to the
/// presence tracker or the chat logic) and otherwise what happened. Our own occupant is
/// recognised by status code 110, so a nickname the room normalised or assigned is still ours;
/// only without a 110 is the nickname compared.
///
/// ```
/// use openxmpp_im::core::stanza::Presence;
/// use openxmpp_im::core::xml::parse_element;
/// use openxmpp_im::muc::{JoinOptions, MucEvent, RoomState, Rooms};
///
/// let mut rooms = Rooms::default();
/// let room = "coven@chat.shakespeare.lit".parse()?;
/// let join = rooms.join(room, "🦀", JoinOptions::default())?;
/// assert_eq!(join.header.to.unwrap().as_str(), "coven@chat.shakespeare.lit/🦀");
///
/// let own = Presence::try_from(parse_element(
///     "<presence from='coven@chat.shakespeare.lit/🦀'>\
///        <x xmlns='http://jabber.org/protocol/muc#user'>\
///          <item affiliation='member' role='participant'/><status code='110'/></x></presence>",
/// )?)?;
/// let Some(MucEvent::Joined { nick, occupants, .. }) = rooms.handle_presence(&own) else { panic!() };
/// assert_eq!((nick.as_str(), occupants), ("🦀", 1));
/// let room = rooms.room(&"coven@chat.shakespeare.lit".parse()?).unwrap();
/// assert_eq!(room.state(), RoomState::Joined);
///
/// let hello = rooms.message(room.jid(), "Thrice the brinded cat hath mew'd.");
/// assert_eq!(hello.header.to.unwrap().as_str(), "coven@chat.shakespeare.lit");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Rooms {
    rooms: BTreeMap<BareJid, Room>,
    max_occupants: usize,
}

impl Default for Rooms {
    fn default() -> Self {
        Rooms::with_max_occupants(DEFAULT_MAX_OCCUPANTS)
    }
}

/// What handling a stanza did to its room.
enum Outcome {
    /// The room stays; maybe something to report.
    Keep(Option<MucEvent>),
    /// We are out of the room: forget it.
    Remove(MucEvent),
}

impl Rooms {
    /// No rooms, at most [`DEFAULT_MAX_OCCUPANTS`] occupants kept per room.
    pub fn new() -> Self {
        Rooms::default()
    }

    /// No rooms, at most `max` occupants kept per room (we are always kept). Presences of
    /// further occupants are dropped and reported as [`MucEvent::OccupantIgnored`], so a room
    /// (or a hostile service) cannot make us hold unbounded state.
    pub fn with_max_occupants(max: usize) -> Self {
        Rooms {
            rooms: BTreeMap::new(),
            max_occupants: max,
        }
    }

    /// The room at `room`, if we know it.
    pub fn room(&self, room: &BareJid) -> Option<&Room> {
        self.rooms.get(room)
    }

    /// Every room we know, by address.
    pub fn rooms(&self) -> impl Iterator<Item = &Room> {
        self.rooms.values()
    }

    /// Joins `room` as `nick`: the presence to send. The room is [`RoomState::Joining`] until
    /// the room answers with [`MucEvent::Joined`] or [`MucEvent::JoinFailed`].
    ///
    /// # Errors
    /// [`JoinError::InvalidNick`] when `nick` is not a valid resourcepart;
    /// [`JoinError::AlreadyJoined`] when we are in the room, joining it or leaving it.
    pub fn join(
        &mut self,
        room: BareJid,
        nick: &str,
        options: JoinOptions,
    ) -> Result<Presence, JoinError> {
        let occupant_jid = occupant_jid(&room, nick)?;
        if let Some(existing) = self.rooms.get(&room)
            && existing.state != RoomState::Left
        {
            return Err(JoinError::AlreadyJoined { room });
        }
        let presence = join_presence(occupant_jid.clone(), &options, None);
        let nick = occupant_jid.resource().unwrap_or(nick).to_owned();
        self.rooms
            .insert(room.clone(), Room::new(room, nick, options));
        Ok(presence)
    }

    /// Leaves `room` with an optional parting status: the presence to send, `None` when we
    /// are not in the room (a room remembered for a rejoin is simply forgotten). The room is
    /// [`RoomState::Leaving`] until the room confirms with [`MucEvent::Left`].
    pub fn leave(&mut self, room: &BareJid, status: Option<&str>) -> Option<Presence> {
        let entry = self.rooms.get_mut(room)?;
        if entry.state == RoomState::Left {
            self.rooms.remove(room);
            return None;
        }
        entry.state = RoomState::Leaving;
        let to = occupant_jid(room, &entry.nick).ok()?;
        let mut presence = Presence::unavailable().to(to);
        if let Some(status) = status {
            presence = presence.with_status(None, status);
        }
        Some(presence)
    }

    /// Asks the room for a new nickname: the presence to send. The answer is
    /// [`MucEvent::NickChanged`] or [`MucEvent::NickChangeFailed`]. The presence carries no
    /// show or status; add ours before sending, or the room will show us as plainly available.
    ///
    /// # Errors
    /// [`JoinError::NotJoined`] unless we are in the room; [`JoinError::InvalidNick`] when
    /// `nick` is not a valid resourcepart.
    pub fn change_nick(&mut self, room: &BareJid, nick: &str) -> Result<Presence, JoinError> {
        let entry = self
            .rooms
            .get_mut(room)
            .filter(|r| r.state == RoomState::Joined)
            .ok_or_else(|| JoinError::NotJoined { room: room.clone() })?;
        let to = occupant_jid(room, nick)?;
        entry.pending_nick = to.resource().map(str::to_owned);
        Ok(Presence::available().to(to))
    }

    /// A message to every occupant of `room` (type `groupchat`). The room echoes it back to
    /// us as a [`MucEvent::Message`] with `own: true`; set an id on it to recognise the echo.
    pub fn message(&self, room: &BareJid, body: impl Into<String>) -> Message {
        Message::new(MessageType::Groupchat, Some(Jid::from(room.clone()))).with_body(None, body)
    }

    /// A message that sets the subject of `room` (an empty subject clears it).
    pub fn subject(&self, room: &BareJid, subject: impl Into<String>) -> Message {
        Message::new(MessageType::Groupchat, Some(Jid::from(room.clone())))
            .with_subject(None, subject)
    }

    /// A private message to the occupant `nick` of `room` (type `chat`, marked as a MUC
    /// private message, XEP-0045 §7.5).
    ///
    /// # Errors
    /// [`JoinError::InvalidNick`] when `nick` is not a valid resourcepart.
    pub fn private_message(
        &self,
        room: &BareJid,
        nick: &str,
        body: impl Into<String>,
    ) -> Result<Message, JoinError> {
        let to = occupant_jid(room, nick)?;
        Ok(Message::chat(to, body).with_payload(Element::new("x", NS_USER)))
    }

    /// A mediated invitation of `to` to `room` (XEP-0045 §7.8.2), to send to the room.
    pub fn invite(&self, room: &BareJid, to: Jid, reason: Option<&str>) -> Message {
        Message::new(MessageType::Normal, Some(Jid::from(room.clone())))
            .with_payload(MucUser::invite(to, reason).into())
    }

    /// Declines an invitation to `room` from `inviter`, to send to the room.
    pub fn decline(&self, room: &BareJid, inviter: Jid, reason: Option<&str>) -> Message {
        Message::new(MessageType::Normal, Some(Jid::from(room.clone())))
            .with_payload(MucUser::decline(inviter, reason).into())
    }

    /// Forgets `room` without sending anything (for a room remembered for a rejoin that the
    /// user no longer wants).
    pub fn forget(&mut self, room: &BareJid) -> Option<Room> {
        self.rooms.remove(room)
    }

    /// The session ended without being resumed: every room we were in (or joining) becomes
    /// [`RoomState::Left`], with its occupants forgotten, and rooms we were leaving are
    /// forgotten. Returns the rooms to join again; [`Rooms::rejoin`] makes the presences once
    /// the new session is up.
    pub fn offline(&mut self) -> Vec<BareJid> {
        self.rooms
            .retain(|_, room| room.state != RoomState::Leaving);
        for room in self.rooms.values_mut() {
            room.state = RoomState::Left;
            room.occupants.clear();
            room.pending_nick = None;
        }
        self.rooms.keys().cloned().collect()
    }

    /// The join presences for every room [`Rooms::offline`] left, with the nickname and
    /// options of the first join; the rooms become [`RoomState::Joining`]. With `since` (when
    /// the last session ended) the history asked for starts there, so that nothing is seen
    /// twice or missed.
    pub fn rejoin(&mut self, since: Option<Timestamp>) -> Vec<Presence> {
        let mut presences = Vec::new();
        for room in self.rooms.values_mut() {
            if room.state != RoomState::Left {
                continue;
            }
            match occupant_jid(&room.jid, &room.nick) {
                Ok(to) => {
                    presences.push(join_presence(to, &room.options, since));
                    room.state = RoomState::Joining;
                }
                Err(e) => tracing::warn!(room = %room.jid, error = %e, "cannot rejoin"),
            }
        }
        presences
    }

    /// Applies a presence. `None` when it is not from a room we know (or says nothing about
    /// the room, like a presence from the room's bare JID); pass it on then.
    pub fn handle_presence(&mut self, presence: &Presence) -> Option<MucEvent> {
        let from = presence.header.from.as_ref()?;
        let room_jid = from.to_bare();
        let room = self
            .rooms
            .get_mut(&room_jid)
            .filter(|r| r.state != RoomState::Left)?;
        let outcome = match presence.kind {
            PresenceType::Error => presence_error(room, from, presence),
            PresenceType::Available => {
                let nick = from.resource()?;
                available(room, nick, presence, self.max_occupants)
            }
            PresenceType::Unavailable => {
                let nick = from.resource()?;
                unavailable(room, nick, presence)
            }
            _ => return None,
        };
        match outcome {
            Outcome::Keep(event) => event,
            Outcome::Remove(event) => {
                self.rooms.remove(&room_jid);
                Some(event)
            }
        }
    }

    /// Applies a message. `None` when it is not from a room we know (pass it on then), except
    /// for mediated invitations and declines, which are reported for any room. Messages from
    /// a room's own address that are neither groupchat nor errors (forms, notices) are passed
    /// on too.
    pub fn handle_message(&mut self, message: &Message) -> Option<MucEvent> {
        let from = message.header.from.as_ref()?;
        let room_jid = from.to_bare();
        if from.is_bare()
            && message.kind != MessageType::Error
            && let Some(event) = invitation(&room_jid, message)
        {
            return Some(event);
        }
        let room = self
            .rooms
            .get_mut(&room_jid)
            .filter(|r| r.state != RoomState::Left)?;
        let nick = from.resource().map(str::to_owned);
        match message.kind {
            MessageType::Error => Some(MucEvent::MessageError {
                room: room_jid,
                nick,
                id: message.header.id.clone(),
                error: error_of(message.error.as_ref()),
            }),
            MessageType::Groupchat => Some(groupchat(room, nick, message)),
            MessageType::Chat | MessageType::Normal => {
                let nick = nick?;
                Some(MucEvent::PrivateMessage {
                    delay: room_delay(message, &room_jid),
                    room: room_jid,
                    nick,
                    message: message.clone(),
                })
            }
            MessageType::Headline => None,
        }
    }
}

/// `room/nick`, or why `nick` cannot be a nickname.
fn occupant_jid(room: &BareJid, nick: &str) -> Result<Jid, JoinError> {
    room.with_resource(nick)
        .map(Jid::from)
        .map_err(|source| JoinError::InvalidNick {
            nick: nick.to_owned(),
            source,
        })
}

/// The presence that joins a room, with the history starting at `since` if given.
fn join_presence(to: Jid, options: &JoinOptions, since: Option<Timestamp>) -> Presence {
    let history = match since {
        Some(since) => Some(
            options
                .history
                .clone()
                .unwrap_or_default()
                .with_since(since),
        ),
        None => options.history.clone(),
    };
    let x = MucJoin {
        password: options.password.clone(),
        history,
        payloads: Vec::new(),
    };
    Presence::available().to(to).with_payload(x.into())
}

/// The stanza's error, or `undefined-condition` if it carried none.
fn error_of(error: Option<&StanzaError>) -> StanzaError {
    error
        .cloned()
        .unwrap_or_else(|| StanzaError::new(StanzaErrorCondition::UndefinedCondition))
}

/// The `muc#user` payload; an invalid one is logged and treated as absent.
fn user_of(presence: &Presence) -> MucUser {
    match MucUser::in_presence(presence) {
        Ok(user) => user.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "ignoring an invalid muc#user payload");
            MucUser::default()
        }
    }
}

/// Whether a presence from `nick` is about our own occupant: status 110 says so; without it,
/// the nickname must be ours (or the one we are changing to).
fn is_self(room: &Room, nick: &str, user: &MucUser) -> bool {
    user.has_status(StatusCode::SelfPresence)
        || nick == room.nick
        || room.pending_nick.as_deref() == Some(nick)
}

/// A presence error: a failed join, a failed nick change, or another refused presence (while
/// leaving, the end of the room).
fn presence_error(room: &mut Room, from: &Jid, presence: &Presence) -> Outcome {
    let error = error_of(presence.error.as_ref());
    let reason = JoinFailure::from_error(&error);
    let room_jid = room.jid.clone();
    if room.state == RoomState::Leaving {
        // Whatever was refused, we asked to be out, and now we are.
        tracing::debug!(room = %room_jid, %error, "presence error while leaving");
        return Outcome::Remove(MucEvent::Left {
            room: room_jid,
            reason: LeaveReason::Left,
            status: None,
        });
    }
    if room.state == RoomState::Joining {
        return Outcome::Remove(MucEvent::JoinFailed {
            room: room_jid,
            nick: room.nick.clone(),
            reason,
            error,
        });
    }
    let about_pending = match from.resource() {
        None => true,
        Some(nick) => room.pending_nick.as_deref() == Some(nick),
    };
    if about_pending && let Some(nick) = room.pending_nick.take() {
        return Outcome::Keep(Some(MucEvent::NickChangeFailed {
            room: room_jid,
            nick,
            reason,
            error,
        }));
    }
    Outcome::Keep(Some(MucEvent::PresenceError {
        room: room_jid,
        error,
    }))
}

/// An available presence from occupant `nick`.
fn available(room: &mut Room, nick: &str, presence: &Presence, max: usize) -> Outcome {
    let user = user_of(presence);
    let occupant = Occupant::from_presence(nick, presence, user.item());
    let room_jid = room.jid.clone();
    if !is_self(room, nick, &user) {
        let known = room.occupants.contains_key(nick);
        if !known && room.occupants.len() >= max {
            tracing::warn!(room = %room_jid, nick, max, "too many occupants, dropping one");
            return Outcome::Keep(Some(MucEvent::OccupantIgnored {
                room: room_jid,
                nick: nick.to_owned(),
            }));
        }
        room.occupants.insert(nick.to_owned(), occupant.clone());
        return Outcome::Keep(Some(if known {
            MucEvent::OccupantChanged {
                room: room_jid,
                occupant,
            }
        } else {
            MucEvent::OccupantJoined {
                room: room_jid,
                occupant,
            }
        }));
    }

    // Our own occupant. The room may have normalised or assigned the nickname (status 210).
    let old_nick = std::mem::replace(&mut room.nick, nick.to_owned());
    let previous = room.occupants.remove(&old_nick);
    room.pending_nick = None;
    room.occupants.insert(nick.to_owned(), occupant.clone());
    if room.state == RoomState::Joining {
        room.state = RoomState::Joined;
        return Outcome::Keep(Some(MucEvent::Joined {
            room: room_jid,
            nick: nick.to_owned(),
            occupants: room.occupants.len(),
            role: occupant.role,
            affiliation: occupant.affiliation,
            created: user.has_status(StatusCode::RoomCreated),
            status: user.status,
        }));
    }
    if old_nick != nick {
        // The room changed our nickname without a 303 first.
        return Outcome::Keep(Some(MucEvent::NickChanged {
            room: room_jid,
            old_nick,
            new_nick: nick.to_owned(),
        }));
    }
    match previous {
        Some(previous)
            if previous.role != occupant.role || previous.affiliation != occupant.affiliation =>
        {
            let item = user.item();
            Outcome::Keep(Some(MucEvent::PrivilegesChanged {
                room: room_jid,
                old_role: previous.role,
                role: occupant.role,
                old_affiliation: previous.affiliation,
                affiliation: occupant.affiliation,
                actor: item.and_then(|i| i.actor.clone()),
                reason: item.and_then(|i| i.reason.clone()),
            }))
        }
        _ => Outcome::Keep(Some(MucEvent::OccupantChanged {
            room: room_jid,
            occupant,
        })),
    }
}

/// An unavailable presence from occupant `nick`: a departure, a nick change, a removal, or the
/// room's destruction.
fn unavailable(room: &mut Room, nick: &str, presence: &Presence) -> Outcome {
    let user = user_of(presence);
    let room_jid = room.jid.clone();
    if let Some(destroy) = user.destroy {
        return Outcome::Remove(MucEvent::RoomDestroyed {
            room: room_jid,
            alternate: destroy.alternate,
            reason: destroy.reason,
            password: destroy.password,
        });
    }
    let reason = LeaveReason::from_status(&user.status, user.item());
    let status = presence.status().map(str::to_owned);
    if !is_self(room, nick, &user) {
        room.occupants.remove(nick);
        return Outcome::Keep(Some(MucEvent::OccupantLeft {
            room: room_jid,
            nick: nick.to_owned(),
            reason,
            status,
        }));
    }
    match reason {
        LeaveReason::NickChanged { new_nick } if room.state != RoomState::Joining => {
            // Our new nickname as the address will carry it (prepared), if it is valid.
            let new_nick = match room.jid.with_resource(&new_nick) {
                Ok(full) => full.resource().to_owned(),
                Err(_) => new_nick,
            };
            let old_nick = std::mem::replace(&mut room.nick, new_nick.clone());
            room.pending_nick = None;
            if let Some(mut me) = room.occupants.remove(&old_nick) {
                me.nick.clone_from(&new_nick);
                room.occupants.insert(new_nick.clone(), me);
            }
            Outcome::Keep(Some(MucEvent::NickChanged {
                room: room_jid,
                old_nick,
                new_nick,
            }))
        }
        reason => Outcome::Remove(MucEvent::Left {
            room: room_jid,
            reason,
            status,
        }),
    }
}

/// A groupchat message: a subject change, a configuration notice, or a message.
fn groupchat(room: &mut Room, nick: Option<String>, message: &Message) -> MucEvent {
    let room_jid = room.jid.clone();
    // XEP-0045 §8.1: a subject with neither body nor thread is a subject change.
    if !message.subjects.is_empty() && message.bodies.is_empty() && message.thread.is_none() {
        let subject = message
            .subject()
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        room.subject.clone_from(&subject);
        room.subject_by.clone_from(&nick);
        return MucEvent::Subject {
            room: room_jid,
            subject,
            by: nick,
        };
    }
    if nick.is_none() && message.bodies.is_empty() {
        let status = MucUser::in_message(message)
            .ok()
            .flatten()
            .map(|u| u.status)
            .unwrap_or_default();
        if !status.is_empty() {
            return MucEvent::ConfigChanged {
                room: room_jid,
                status,
            };
        }
    }
    MucEvent::Message {
        own: nick.as_deref() == Some(room.nick.as_str()),
        delay: room_delay(message, &room_jid),
        room: room_jid,
        nick,
        message: message.clone(),
    }
}

/// A mediated invitation or a decline, from the room's address.
fn invitation(room: &BareJid, message: &Message) -> Option<MucEvent> {
    let user = MucUser::in_message(message).ok().flatten()?;
    if let Some(invite) = user.invites.into_iter().next() {
        return Some(MucEvent::Invited {
            room: room.clone(),
            from: invite.from,
            reason: invite.reason,
            password: user.password,
        });
    }
    let decline = user.decline?;
    Some(MucEvent::InvitationDeclined {
        room: room.clone(),
        from: decline.from,
        reason: decline.reason,
    })
}

/// The stamp of the room's delay on a message from the history. Only a delay the room itself
/// added (`from` the room's address) counts: an occupant can put any delay in its message.
fn room_delay(message: &Message, room: &BareJid) -> Option<Timestamp> {
    message
        .payloads
        .iter()
        .filter(|p| p.is("delay", delay::NS) || p.is("x", delay::LEGACY_NS))
        .filter_map(|p| Delay::try_from(p.clone()).ok())
        .find(|d| d.from.as_ref().is_some_and(|from| from == room))
        .map(|d| d.stamp)
}
