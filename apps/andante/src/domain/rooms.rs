//! Group chats (XEP-0045) as the app shows them: who is there, what was said, the subject.

use std::collections::{BTreeMap, VecDeque};

use openxmpp::BareJid;
use openxmpp::im::muc::{LeaveReason, MucEvent, Occupant};

use super::time::timestamp_ms;

/// At most this many lines of a room are kept.
pub const MAX_ROOM_LINES: usize = 5_000;

/// A line in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomLine {
    /// Who said it (`None`: the room itself, or a notice).
    pub nick: Option<String>,
    /// What.
    pub body: String,
    /// When, in Unix milliseconds.
    pub at_ms: i64,
    /// Whether it was us.
    pub own: bool,
}

/// Someone in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupantView {
    /// The nickname.
    pub nick: String,
    /// The role's name (moderator, participant, visitor).
    pub role: &'static str,
    /// Whether they are away or busy (any `<show/>`).
    pub away: bool,
}

impl From<&Occupant> for OccupantView {
    fn from(o: &Occupant) -> Self {
        OccupantView {
            nick: o.nick.clone(),
            role: o.role.name(),
            away: o.show.is_some(),
        }
    }
}

/// A room we are in, or joining.
#[derive(Debug, Clone)]
pub struct RoomView {
    /// The room's address.
    pub jid: BareJid,
    /// Our nickname.
    pub nick: String,
    /// Whether the room let us in.
    pub joined: bool,
    /// The subject.
    pub subject: Option<String>,
    /// The occupants, by nickname.
    pub occupants: BTreeMap<String, OccupantView>,
    lines: VecDeque<RoomLine>,
    /// Lines since the room was last looked at.
    pub unread: usize,
}

impl RoomView {
    /// A room being joined as `nick`.
    pub fn new(jid: BareJid, nick: String) -> Self {
        RoomView {
            jid,
            nick,
            joined: false,
            subject: None,
            occupants: BTreeMap::new(),
            lines: VecDeque::new(),
            unread: 0,
        }
    }

    /// The lines, oldest first.
    pub fn lines(&self) -> &VecDeque<RoomLine> {
        &self.lines
    }

    fn push(&mut self, line: RoomLine) {
        self.lines.push_back(line);
        while self.lines.len() > MAX_ROOM_LINES {
            self.lines.pop_front();
        }
    }

    fn notice(&mut self, text: String, now_ms: i64) {
        self.push(RoomLine {
            nick: None,
            body: text,
            at_ms: now_ms,
            own: false,
        });
    }
}

/// What a room event means for the rooms list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomOutcome {
    /// Nothing to tell.
    Nothing,
    /// A message from someone else arrived (for unread counts and notifications).
    Message {
        /// From whom.
        nick: String,
        /// What.
        body: String,
    },
    /// We are out of the room, for this reason.
    Gone(String),
}

/// The rooms we are in.
#[derive(Debug, Default)]
pub struct Rooms {
    rooms: BTreeMap<BareJid, RoomView>,
}

impl Rooms {
    /// No rooms.
    pub fn new() -> Self {
        Rooms::default()
    }

    /// Starts joining `room` as `nick`.
    pub fn joining(&mut self, room: BareJid, nick: String) {
        self.rooms
            .entry(room.clone())
            .or_insert_with(|| RoomView::new(room, nick));
    }

    /// Forgets `room`.
    pub fn remove(&mut self, room: &BareJid) -> Option<RoomView> {
        self.rooms.remove(room)
    }

    /// The room `jid`.
    pub fn get(&self, jid: &BareJid) -> Option<&RoomView> {
        self.rooms.get(jid)
    }

    /// The room `jid`, to change.
    pub fn get_mut(&mut self, jid: &BareJid) -> Option<&mut RoomView> {
        self.rooms.get_mut(jid)
    }

    /// Every room, by address.
    pub fn iter(&self) -> impl Iterator<Item = &RoomView> {
        self.rooms.values()
    }

    /// Unread lines over all rooms.
    pub fn total_unread(&self) -> usize {
        self.rooms.values().map(|r| r.unread).sum()
    }

    /// Applies a room event.
    pub fn apply(&mut self, event: &MucEvent, now_ms: i64) -> RoomOutcome {
        match event {
            MucEvent::Joined {
                room, nick, role, ..
            } => {
                let view = self
                    .rooms
                    .entry(room.clone())
                    .or_insert_with(|| RoomView::new(room.clone(), nick.clone()));
                view.joined = true;
                view.nick = nick.clone();
                view.occupants.insert(
                    nick.clone(),
                    OccupantView {
                        nick: nick.clone(),
                        role: role.name(),
                        away: false,
                    },
                );
                view.notice(format!("You joined as {nick}."), now_ms);
            }
            MucEvent::JoinFailed { room, reason, .. } => {
                self.rooms.remove(room);
                return RoomOutcome::Gone(format!("Could not join {room}: {reason}."));
            }
            MucEvent::NickChanged {
                room,
                old_nick,
                new_nick,
            } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    view.nick = new_nick.clone();
                    view.notice(format!("You are now {new_nick} (was {old_nick})."), now_ms);
                }
            }
            MucEvent::OccupantJoined { room, occupant } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    if view.joined {
                        view.notice(format!("{} joined.", occupant.nick), now_ms);
                    }
                    view.occupants
                        .insert(occupant.nick.clone(), OccupantView::from(occupant));
                }
            }
            MucEvent::OccupantChanged { room, occupant } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    view.occupants
                        .insert(occupant.nick.clone(), OccupantView::from(occupant));
                }
            }
            MucEvent::OccupantLeft {
                room, nick, reason, ..
            } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    view.occupants.remove(nick);
                    let text = match reason {
                        LeaveReason::NickChanged { new_nick } => {
                            format!("{nick} is now {new_nick}.")
                        }
                        LeaveReason::Kicked { .. } => format!("{nick} was kicked."),
                        LeaveReason::Banned { .. } => format!("{nick} was banned."),
                        _ => format!("{nick} left."),
                    };
                    view.notice(text, now_ms);
                }
            }
            MucEvent::Left { room, reason, .. } => {
                self.rooms.remove(room);
                let why = match reason {
                    LeaveReason::Left => "You left",
                    LeaveReason::Kicked { .. } => "You were kicked from",
                    LeaveReason::Banned { .. } => "You were banned from",
                    _ => "You are no longer in",
                };
                return RoomOutcome::Gone(format!("{why} {room}."));
            }
            MucEvent::RoomDestroyed { room, reason, .. } => {
                self.rooms.remove(room);
                return RoomOutcome::Gone(match reason {
                    Some(reason) => format!("{room} was destroyed: {reason}."),
                    None => format!("{room} was destroyed."),
                });
            }
            MucEvent::Message {
                room,
                nick,
                own,
                delay,
                message,
            } => {
                let Some(view) = self.rooms.get_mut(room) else {
                    return RoomOutcome::Nothing;
                };
                let Some(body) = message.body().filter(|b| !b.trim().is_empty()) else {
                    return RoomOutcome::Nothing;
                };
                let body: String = body.chars().take(super::conversation::MAX_BODY).collect();
                view.push(RoomLine {
                    nick: nick.clone(),
                    body: body.clone(),
                    at_ms: delay.as_ref().map_or(now_ms, timestamp_ms),
                    own: *own,
                });
                if !*own && delay.is_none() {
                    return RoomOutcome::Message {
                        nick: nick.clone().unwrap_or_else(|| room.to_string()),
                        body,
                    };
                }
            }
            MucEvent::Subject { room, subject, by } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    view.subject = subject.clone();
                    if let (Some(by), Some(subject)) = (by, subject) {
                        view.notice(format!("{by} set the subject: {subject}"), now_ms);
                    }
                }
            }
            MucEvent::MessageError { room, error, .. } => {
                if let Some(view) = self.rooms.get_mut(room) {
                    view.notice(format!("A message was not delivered: {error}."), now_ms);
                }
            }
            _ => {}
        }
        RoomOutcome::Nothing
    }
}

#[cfg(test)]
mod tests {
    use openxmpp::im::muc::{Affiliation, Role};
    use openxmpp::stanza::{Message, MessageType};

    use super::*;

    fn room() -> BareJid {
        "balcony@conference.capulet.lit".parse().unwrap()
    }

    fn occupant(nick: &str) -> Occupant {
        Occupant {
            nick: nick.to_owned(),
            role: Role::Participant,
            affiliation: Affiliation::None,
            jid: None,
            show: None,
            status: None,
        }
    }

    #[test]
    fn joining_listing_talking_and_leaving() {
        let mut rooms = Rooms::new();
        rooms.joining(room(), "juliet".to_owned());
        rooms.apply(
            &MucEvent::OccupantJoined {
                room: room(),
                occupant: occupant("romeo"),
            },
            1,
        );
        rooms.apply(
            &MucEvent::Joined {
                room: room(),
                nick: "juliet".to_owned(),
                occupants: 2,
                role: Role::Participant,
                affiliation: Affiliation::None,
                created: false,
                status: Vec::new(),
            },
            2,
        );
        let message = Message::new(MessageType::Groupchat, None).with_body(None, "hi all");
        let outcome = rooms.apply(
            &MucEvent::Message {
                room: room(),
                nick: Some("romeo".to_owned()),
                own: false,
                delay: None,
                message,
            },
            3,
        );
        assert_eq!(
            outcome,
            RoomOutcome::Message {
                nick: "romeo".to_owned(),
                body: "hi all".to_owned()
            }
        );
        rooms.apply(
            &MucEvent::Subject {
                room: room(),
                subject: Some("Love".to_owned()),
                by: None,
            },
            4,
        );
        let view = rooms.get(&room()).unwrap();
        assert!(view.joined);
        assert_eq!(view.subject.as_deref(), Some("Love"));
        assert_eq!(view.occupants.len(), 2, "romeo and us");
        assert_eq!(view.lines().back().unwrap().body, "hi all");
        let gone = rooms.apply(
            &MucEvent::Left {
                room: room(),
                reason: LeaveReason::Left,
                status: None,
            },
            5,
        );
        assert!(matches!(gone, RoomOutcome::Gone(_)));
        assert!(rooms.get(&room()).is_none());
    }
}
