//! What happened in a room, as [`Rooms`](super::Rooms) reports it: [`MucEvent`], and the
//! reasons that come with departures ([`LeaveReason`]) and refused joins ([`JoinFailure`]).

use std::fmt;

use openxmpp_core::error::{StanzaError, StanzaErrorCondition};
use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::Message;

use super::{Actor, Affiliation, Item, Occupant, Role, StatusCode};
use crate::delay::Timestamp;

/// Why a room refused to let us in (or refused a nickname change), from the error condition
/// XEP-0045 §7.2 assigns to each case. The [`StanzaError`] itself comes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JoinFailure {
    /// `conflict`: another occupant has the nickname, or it is registered to someone else.
    NicknameInUse,
    /// `not-authorized`: the room needs a password, and we gave none or a wrong one.
    PasswordRequired,
    /// `registration-required`: the room is members-only and we are not a member.
    MembersOnly,
    /// `forbidden`: we are banned from the room.
    Banned,
    /// `service-unavailable`: the room has reached its maximum number of occupants.
    RoomFull,
    /// `item-not-found`: the room does not exist (and we may not create it), or it is locked
    /// until its creator configures it.
    RoomNotFound,
    /// `not-allowed`: only some users may create rooms.
    CreationRestricted,
    /// `not-acceptable`: we must use our reserved nickname.
    ReservedNicknameRequired,
    /// `jid-malformed`: the nickname is missing or not acceptable to the service.
    InvalidNickname,
    /// Any other condition; see the error.
    Other,
}

impl JoinFailure {
    /// The failure an error condition stands for.
    pub fn from_error(error: &StanzaError) -> Self {
        use StanzaErrorCondition as C;
        match error.condition {
            C::Conflict => JoinFailure::NicknameInUse,
            C::NotAuthorized => JoinFailure::PasswordRequired,
            C::RegistrationRequired => JoinFailure::MembersOnly,
            C::Forbidden => JoinFailure::Banned,
            C::ServiceUnavailable => JoinFailure::RoomFull,
            C::ItemNotFound => JoinFailure::RoomNotFound,
            C::NotAllowed => JoinFailure::CreationRestricted,
            C::NotAcceptable => JoinFailure::ReservedNicknameRequired,
            C::JidMalformed => JoinFailure::InvalidNickname,
            _ => JoinFailure::Other,
        }
    }
}

impl fmt::Display for JoinFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JoinFailure::NicknameInUse => "the nickname is already in use in this room",
            JoinFailure::PasswordRequired => {
                "the room needs a password (none or a wrong one given)"
            }
            JoinFailure::MembersOnly => "the room is members-only and we are not a member",
            JoinFailure::Banned => "we are banned from this room",
            JoinFailure::RoomFull => "the room is full",
            JoinFailure::RoomNotFound => "the room does not exist or is locked",
            JoinFailure::CreationRestricted => "we may not create this room",
            JoinFailure::ReservedNicknameRequired => "we must use our reserved nickname here",
            JoinFailure::InvalidNickname => "the room does not accept this nickname",
            JoinFailure::Other => "the room refused the request",
        })
    }
}

/// Why an occupant (or we) left a room.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaveReason {
    /// It left by itself.
    Left,
    /// A moderator kicked it (status 307).
    Kicked {
        /// Who kicked.
        actor: Option<Actor>,
        /// Why.
        reason: Option<String>,
    },
    /// An admin banned it (status 301).
    Banned {
        /// Who banned.
        actor: Option<Actor>,
        /// Why.
        reason: Option<String>,
    },
    /// It changed its nickname (status 303); its presence under the new one follows.
    NickChanged {
        /// The new nickname.
        new_nick: String,
    },
    /// It lost its affiliation and with it the right to be in the room (status 321).
    RemovedAffiliationChange,
    /// The room became members-only and it is no member (status 322).
    MembersOnly,
    /// The MUC service is shutting down (status 332).
    Shutdown,
    /// The service removed it because of a technical problem (status 333).
    ServiceError,
}

impl LeaveReason {
    /// The reason an unavailable presence gives, from its status codes and item.
    pub(crate) fn from_status(status: &[StatusCode], item: Option<&Item>) -> Self {
        let actor = || item.and_then(|i| i.actor.clone());
        let reason = || item.and_then(|i| i.reason.clone());
        let has = |code| status.contains(&code);
        if has(StatusCode::Banned) {
            LeaveReason::Banned {
                actor: actor(),
                reason: reason(),
            }
        } else if has(StatusCode::Kicked) {
            LeaveReason::Kicked {
                actor: actor(),
                reason: reason(),
            }
        } else if let Some(new_nick) = item
            .and_then(|i| i.nick.clone())
            .filter(|n| has(StatusCode::NewNick) && !n.is_empty())
        {
            LeaveReason::NickChanged { new_nick }
        } else if has(StatusCode::RemovedAffiliationChange) {
            LeaveReason::RemovedAffiliationChange
        } else if has(StatusCode::RemovedMembersOnly) {
            LeaveReason::MembersOnly
        } else if has(StatusCode::RemovedShutdown) {
            LeaveReason::Shutdown
        } else if has(StatusCode::RemovedError) {
            LeaveReason::ServiceError
        } else {
            LeaveReason::Left
        }
    }
}

/// Something that happened in a room we are in (or, for invitations, a room we are not in).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MucEvent {
    /// Our self-presence arrived: we are in the room. The occupants already present came
    /// before as [`MucEvent::OccupantJoined`]; the history and then the subject follow.
    Joined {
        /// The room.
        room: BareJid,
        /// Our nickname, as the room has it (it may have normalised or assigned it).
        nick: String,
        /// How many occupants the room has, us included.
        occupants: usize,
        /// Our role.
        role: Role,
        /// Our affiliation.
        affiliation: Affiliation,
        /// Whether our join created the room (status 201). The room may stay locked until it
        /// is configured; [`instant_room`](super::instant_room) accepts the default
        /// configuration.
        created: bool,
        /// Every status code of the self-presence (100 non-anonymous, 170 logged, 210 nick
        /// assigned, …).
        status: Vec<StatusCode>,
    },
    /// The room refused our join. The room is forgotten.
    JoinFailed {
        /// The room.
        room: BareJid,
        /// The nickname we asked for.
        nick: String,
        /// What the error means for a join.
        reason: JoinFailure,
        /// The error as the room sent it.
        error: StanzaError,
    },
    /// Our nickname changed (we asked for it, or the room changed it).
    NickChanged {
        /// The room.
        room: BareJid,
        /// The old nickname.
        old_nick: String,
        /// The new nickname.
        new_nick: String,
    },
    /// The room refused our nickname change; we keep the old one.
    NickChangeFailed {
        /// The room.
        room: BareJid,
        /// The nickname we asked for.
        nick: String,
        /// What the error means (usually [`JoinFailure::NicknameInUse`]).
        reason: JoinFailure,
        /// The error as the room sent it.
        error: StanzaError,
    },
    /// Our role or affiliation changed: voice granted or revoked, made a moderator or a
    /// member, …
    PrivilegesChanged {
        /// The room.
        room: BareJid,
        /// Our role before.
        old_role: Role,
        /// Our role now.
        role: Role,
        /// Our affiliation before.
        old_affiliation: Affiliation,
        /// Our affiliation now.
        affiliation: Affiliation,
        /// Who changed it.
        actor: Option<Actor>,
        /// Why.
        reason: Option<String>,
    },
    /// An occupant entered (or, while we join, was already there).
    OccupantJoined {
        /// The room.
        room: BareJid,
        /// The occupant.
        occupant: Occupant,
    },
    /// An occupant's presence, role or affiliation changed (ours included, when only our
    /// presence changed).
    OccupantChanged {
        /// The room.
        room: BareJid,
        /// The occupant as it is now.
        occupant: Occupant,
    },
    /// An occupant left.
    OccupantLeft {
        /// The room.
        room: BareJid,
        /// Its nickname.
        nick: String,
        /// Why.
        reason: LeaveReason,
        /// Its parting status text.
        status: Option<String>,
    },
    /// A new occupant was not recorded because the room holds the most occupants we keep
    /// (see [`Rooms::with_max_occupants`](super::Rooms::with_max_occupants)); the occupant
    /// list of the room is incomplete.
    OccupantIgnored {
        /// The room.
        room: BareJid,
        /// The occupant's nickname.
        nick: String,
    },
    /// We are out of the room: we left (a presence error while leaving counts too), or we
    /// were removed. The room is forgotten.
    Left {
        /// The room.
        room: BareJid,
        /// Why: [`LeaveReason::Left`] when we asked, else kicked, banned, …
        reason: LeaveReason,
        /// The status text of the presence.
        status: Option<String>,
    },
    /// The room was destroyed. The room is forgotten.
    RoomDestroyed {
        /// The room.
        room: BareJid,
        /// The room to go to instead.
        alternate: Option<Jid>,
        /// Why it was destroyed.
        reason: Option<String>,
        /// The alternate room's password.
        password: Option<String>,
    },
    /// A message to the room (or from the room itself, `nick: None`), live or from the
    /// history the room sends on joining.
    Message {
        /// The room.
        room: BareJid,
        /// The sender's nickname; `None` for the room itself.
        nick: Option<String>,
        /// Whether it was sent under our nickname (the echo of our own message, or ours in
        /// the history).
        own: bool,
        /// When it was sent, for a message from the history (the room's delay stamp).
        delay: Option<Timestamp>,
        /// The message.
        message: Message,
    },
    /// A private message from an occupant.
    PrivateMessage {
        /// The room.
        room: BareJid,
        /// The sender's nickname.
        nick: String,
        /// When it was sent, if it was delayed by the room.
        delay: Option<Timestamp>,
        /// The message.
        message: Message,
    },
    /// The subject changed (or, when joining, this is the current one; it ends the history).
    Subject {
        /// The room.
        room: BareJid,
        /// The subject; `None` when it was cleared.
        subject: Option<String>,
        /// The nickname of who set it, if the room says.
        by: Option<String>,
    },
    /// The room returned one of our messages with an error.
    MessageError {
        /// The room.
        room: BareJid,
        /// The occupant it was for, for a private message.
        nick: Option<String>,
        /// The id of the message that failed, if it had one.
        id: Option<String>,
        /// The error.
        error: StanzaError,
    },
    /// The room returned a presence of ours (other than a join or a nick change) with an
    /// error.
    PresenceError {
        /// The room.
        room: BareJid,
        /// The error.
        error: StanzaError,
    },
    /// The room announced a configuration change (status 104, 170–173, …).
    ConfigChanged {
        /// The room.
        room: BareJid,
        /// The status codes.
        status: Vec<StatusCode>,
    },
    /// We are invited to a room (a mediated invitation, forwarded by the room). Reported for
    /// any room, known or not.
    Invited {
        /// The room we are invited to.
        room: BareJid,
        /// Who invites us.
        from: Option<Jid>,
        /// Their message.
        reason: Option<String>,
        /// The room's password.
        password: Option<String>,
    },
    /// Someone declined our invitation to a room.
    InvitationDeclined {
        /// The room.
        room: BareJid,
        /// Who declined.
        from: Option<Jid>,
        /// Their message.
        reason: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_failures_from_conditions() {
        use StanzaErrorCondition as C;
        let cases = [
            (C::Conflict, JoinFailure::NicknameInUse),
            (C::NotAuthorized, JoinFailure::PasswordRequired),
            (C::RegistrationRequired, JoinFailure::MembersOnly),
            (C::Forbidden, JoinFailure::Banned),
            (C::ServiceUnavailable, JoinFailure::RoomFull),
            (C::ItemNotFound, JoinFailure::RoomNotFound),
            (C::NotAllowed, JoinFailure::CreationRestricted),
            (C::NotAcceptable, JoinFailure::ReservedNicknameRequired),
            (C::JidMalformed, JoinFailure::InvalidNickname),
            (C::InternalServerError, JoinFailure::Other),
        ];
        for (condition, failure) in cases {
            assert_eq!(
                JoinFailure::from_error(&StanzaError::new(condition)),
                failure
            );
        }
        assert_eq!(
            JoinFailure::NicknameInUse.to_string(),
            "the nickname is already in use in this room"
        );
    }

    #[test]
    fn leave_reasons_from_status() {
        let item = Item {
            nick: Some("🦀".into()),
            reason: Some("spam".into()),
            actor: Some(Actor {
                nick: Some("mod".into()),
                jid: None,
            }),
            ..Item::default()
        };
        let reason = |codes: &[StatusCode]| LeaveReason::from_status(codes, Some(&item));
        assert_eq!(reason(&[]), LeaveReason::Left);
        assert!(matches!(
            reason(&[StatusCode::SelfPresence, StatusCode::Kicked]),
            LeaveReason::Kicked { reason: Some(r), actor: Some(_) } if r == "spam"
        ));
        assert!(matches!(
            reason(&[StatusCode::Banned]),
            LeaveReason::Banned { .. }
        ));
        assert_eq!(
            reason(&[StatusCode::NewNick]),
            LeaveReason::NickChanged {
                new_nick: "🦀".into()
            }
        );
        assert_eq!(
            LeaveReason::from_status(&[StatusCode::NewNick], None),
            LeaveReason::Left,
            "a nick change without the new nick is a departure"
        );
        assert_eq!(
            reason(&[StatusCode::RemovedAffiliationChange]),
            LeaveReason::RemovedAffiliationChange
        );
        assert_eq!(
            reason(&[StatusCode::RemovedMembersOnly]),
            LeaveReason::MembersOnly
        );
        assert_eq!(
            reason(&[StatusCode::RemovedShutdown]),
            LeaveReason::Shutdown
        );
        assert_eq!(
            reason(&[StatusCode::RemovedError]),
            LeaveReason::ServiceError
        );
    }
}
