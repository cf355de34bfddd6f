//! Affiliations and roles (XEP-0045 §5): the long-lived relation of a user to a room, and the
//! privileges of an occupant while it is in the room.

use std::fmt;

/// A user's long-lived relation to a room (XEP-0045 §5.2), kept across visits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Affiliation {
    /// Owns the room: configures and destroys it.
    Owner,
    /// Administers the room: bans users, grants membership and moderation.
    Admin,
    /// A member: may enter a members-only room.
    Member,
    /// Banned from the room.
    Outcast,
    /// No affiliation.
    #[default]
    None,
}

impl Affiliation {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Affiliation::Owner => "owner",
            Affiliation::Admin => "admin",
            Affiliation::Member => "member",
            Affiliation::Outcast => "outcast",
            Affiliation::None => "none",
        }
    }

    /// The affiliation with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "owner" => Affiliation::Owner,
            "admin" => Affiliation::Admin,
            "member" => Affiliation::Member,
            "outcast" => Affiliation::Outcast,
            "none" => Affiliation::None,
            _ => return None,
        })
    }
}

impl fmt::Display for Affiliation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An occupant's privileges while it is in the room (XEP-0045 §5.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Kicks visitors and participants, grants and revokes voice.
    Moderator,
    /// May speak (has voice).
    Participant,
    /// May read but not speak in a moderated room.
    Visitor,
    /// Not in the room (the role of a departing occupant).
    #[default]
    None,
}

impl Role {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Visitor => "visitor",
            Role::None => "none",
        }
    }

    /// The role with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "moderator" => Role::Moderator,
            "participant" => Role::Participant,
            "visitor" => Role::Visitor,
            "none" => Role::None,
            _ => return None,
        })
    }

    /// Whether an occupant with this role may send messages to all occupants.
    pub const fn has_voice(self) -> bool {
        matches!(self, Role::Moderator | Role::Participant)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in [
            Affiliation::Owner,
            Affiliation::Admin,
            Affiliation::Member,
            Affiliation::Outcast,
            Affiliation::None,
        ] {
            assert_eq!(Affiliation::from_name(a.name()), Some(a));
            assert_eq!(a.to_string(), a.name());
        }
        for r in [
            Role::Moderator,
            Role::Participant,
            Role::Visitor,
            Role::None,
        ] {
            assert_eq!(Role::from_name(r.name()), Some(r));
        }
        assert_eq!(Affiliation::from_name("Owner"), None);
        assert_eq!(Role::from_name("guest"), None);
        assert!(Role::Participant.has_voice() && !Role::Visitor.has_voice());
    }
}
