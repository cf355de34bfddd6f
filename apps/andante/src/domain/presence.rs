//! Presence as the user chooses it and as the roster shows it.

use std::fmt;

use openxmpp::im::presence::Availability;
use openxmpp::stanza::Show;

/// What the user shows to their contacts (the presence selector).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MyPresence {
    /// Available.
    #[default]
    Available,
    /// Free to chat.
    Chat,
    /// Away.
    Away,
    /// Extended away.
    ExtendedAway,
    /// Do not disturb.
    DoNotDisturb,
    /// Signed out: the session is closed (unavailable presence first).
    Offline,
}

impl MyPresence {
    /// Every choice, in the order the selector lists them.
    pub const ALL: [MyPresence; 6] = [
        MyPresence::Available,
        MyPresence::Chat,
        MyPresence::Away,
        MyPresence::ExtendedAway,
        MyPresence::DoNotDisturb,
        MyPresence::Offline,
    ];

    /// The `<show/>` to send (`None`: plainly available, or offline).
    pub fn show(self) -> Option<Show> {
        match self {
            MyPresence::Chat => Some(Show::Chat),
            MyPresence::Away => Some(Show::Away),
            MyPresence::ExtendedAway => Some(Show::Xa),
            MyPresence::DoNotDisturb => Some(Show::Dnd),
            MyPresence::Available | MyPresence::Offline => None,
        }
    }

    /// How the roster would show it.
    pub fn as_contact(self) -> ContactPresence {
        match self {
            MyPresence::Available => ContactPresence::Available,
            MyPresence::Chat => ContactPresence::Chat,
            MyPresence::Away => ContactPresence::Away,
            MyPresence::ExtendedAway => ContactPresence::ExtendedAway,
            MyPresence::DoNotDisturb => ContactPresence::DoNotDisturb,
            MyPresence::Offline => ContactPresence::Offline,
        }
    }
}

impl fmt::Display for MyPresence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_contact().label())
    }
}

/// A contact's presence as the roster shows it, from most to least available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactPresence {
    /// Free to chat.
    Chat,
    /// Available.
    Available,
    /// Away.
    Away,
    /// Extended away.
    ExtendedAway,
    /// Do not disturb.
    DoNotDisturb,
    /// No resource online.
    Offline,
}

impl ContactPresence {
    /// The words for it.
    pub fn label(self) -> &'static str {
        match self {
            ContactPresence::Chat => "Free to chat",
            ContactPresence::Available => "Available",
            ContactPresence::Away => "Away",
            ContactPresence::ExtendedAway => "Extended away",
            ContactPresence::DoNotDisturb => "Do not disturb",
            ContactPresence::Offline => "Offline",
        }
    }

    /// Whether the contact is online at all.
    pub fn is_online(self) -> bool {
        self != ContactPresence::Offline
    }
}

impl From<Availability> for ContactPresence {
    fn from(availability: Availability) -> Self {
        match availability {
            Availability::Chat => ContactPresence::Chat,
            Availability::Available => ContactPresence::Available,
            Availability::Away => ContactPresence::Away,
            Availability::ExtendedAway => ContactPresence::ExtendedAway,
            Availability::DoNotDisturb => ContactPresence::DoNotDisturb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_map_to_show_values() {
        assert_eq!(MyPresence::Available.show(), None);
        assert_eq!(MyPresence::Away.show(), Some(Show::Away));
        assert_eq!(MyPresence::ExtendedAway.show(), Some(Show::Xa));
        assert_eq!(MyPresence::DoNotDisturb.show(), Some(Show::Dnd));
        assert_eq!(MyPresence::Chat.show(), Some(Show::Chat));
        assert_eq!(MyPresence::Offline.to_string(), "Offline");
    }

    #[test]
    fn contacts_order_from_most_available() {
        assert!(ContactPresence::Chat < ContactPresence::Available);
        assert!(ContactPresence::DoNotDisturb < ContactPresence::Offline);
        assert!(!ContactPresence::Offline.is_online());
    }
}
