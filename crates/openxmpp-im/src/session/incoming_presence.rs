//! Presence: subscriptions (RFC 6121 §3) and availability (§4).

use openxmpp_core::stanza::{Presence, PresenceType};

use super::{Event, Session};
use crate::roster::RosterStore;

impl<S: RosterStore> Session<S> {
    pub(super) fn handle_presence(&mut self, presence: Presence) -> Option<Presence> {
        if self.room_presence(&presence) {
            return None;
        }
        match presence.kind {
            PresenceType::Subscribe
            | PresenceType::Subscribed
            | PresenceType::Unsubscribe
            | PresenceType::Unsubscribed => {
                if let Some(event) = self.subscriptions.handle(&presence) {
                    self.emit(Event::Subscription { event });
                }
                None
            }
            PresenceType::Available | PresenceType::Unavailable => {
                let ours =
                    presence.header.from.as_ref().and_then(|f| f.as_full()) == self.jid.as_ref();
                if !ours && let Some(lookup) = self.caps_cache.handle_presence(&presence) {
                    self.request(super::Purpose::Capabilities(lookup.key), lookup.iq);
                }
                // Contacts in the roster (and our own resources) are always tracked; anyone
                // else only within the tracker's bound, so a flood cannot push them out.
                let in_roster = presence.header.from.as_ref().is_some_and(|from| {
                    let bare = from.to_bare();
                    bare == self.account || self.roster.get(&bare).is_some()
                });
                match self.presence.handle_with(&presence, in_roster) {
                    Some(change) => {
                        if let Some(from) = &presence.header.from {
                            // RFC 6121 §5.1: a presence change ends the resource lock.
                            self.chats.unlock(&from.to_bare());
                        }
                        self.emit(Event::Presence { change });
                        None
                    }
                    // No sender, or beyond the tracker's bounds (logged there).
                    None => None,
                }
            }
            // Probes are the server's business; errors go to the application.
            PresenceType::Probe => None,
            PresenceType::Error => Some(presence),
        }
    }
}
