//! Presence as the client tracks it (RFC 6121 §4): every contact's presence per resource, the
//! most available resource of a contact, and where we sent directed presence (so that it can
//! be withdrawn with `unavailable` when we go offline, RFC 6121 §4.6.3).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{LangTexts, Presence, PresenceType, Show};

/// How available a resource is, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Availability {
    /// Free for chat (`<show>chat</show>`).
    Chat,
    /// Available (no `<show/>`).
    Available,
    /// Away.
    Away,
    /// Extended away.
    ExtendedAway,
    /// Do not disturb.
    DoNotDisturb,
}

impl Availability {
    fn from_show(show: Option<Show>) -> Self {
        match show {
            None => Availability::Available,
            Some(Show::Chat) => Availability::Chat,
            Some(Show::Away) => Availability::Away,
            Some(Show::Xa) => Availability::ExtendedAway,
            Some(Show::Dnd) => Availability::DoNotDisturb,
        }
    }
}

/// The current presence of one resource of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePresence {
    /// How available it is.
    pub availability: Availability,
    /// Its status texts, by language.
    pub statuses: LangTexts,
    /// Its priority (RFC 6121 §4.7.2.3).
    pub priority: i8,
    /// The presence's `xml:lang`, to pick a status text.
    pub lang: Option<String>,
}

/// A change in a contact's presence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PresenceChange {
    /// A resource came online or changed its availability or status.
    Available {
        /// The contact.
        contact: BareJid,
        /// The resource (`None` for a presence from the bare JID).
        resource: Option<String>,
        /// Its new presence.
        presence: ResourcePresence,
    },
    /// A resource went offline (or, with `resource: None`, every resource).
    Unavailable {
        /// The contact.
        contact: BareJid,
        /// The resource, or `None` for all of them.
        resource: Option<String>,
    },
}

/// At most this many contacts outside the roster are tracked at once; presence from more (a
/// flood) is ignored. Contacts in the roster are always tracked (see
/// [`PresenceTracker::handle_with`]), so a flood cannot push them out.
pub const MAX_CONTACTS: usize = 20_000;
/// At most this many resources per contact are tracked.
pub const MAX_RESOURCES: usize = 64;
/// A status text is kept up to this many bytes (cut at a character boundary).
pub const MAX_STATUS_LEN: usize = 1024;
/// At most this many languages of a status text are kept.
pub const MAX_STATUS_LANGS: usize = 8;

/// The presence of every contact, by resource.
///
/// ```
/// use openxmpp_im::presence::{Availability, PresenceTracker};
/// use openxmpp_im::core::stanza::{Presence, Show};
///
/// let mut tracker = PresenceTracker::default();
/// let mut away = Presence::available().with_show(Show::Away).with_priority(5);
/// away.header.from = Some("romeo@example.net/orchard".parse()?);
/// tracker.handle(&away);
/// let mut chat = Presence::available().with_show(Show::Chat);
/// chat.header.from = Some("romeo@example.net/phone".parse()?);
/// tracker.handle(&chat);
/// // The highest priority wins; availability breaks ties.
/// let (resource, best) = tracker.best_resource(&"romeo@example.net".parse()?).unwrap();
/// assert_eq!((resource, best.availability), ("orchard", Availability::Away));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct PresenceTracker {
    /// Bare JID → resource ("" for the bare JID itself) → presence.
    contacts: HashMap<String, BTreeMap<String, ResourcePresence>>,
    /// The tracked contacts that are not in the roster (bounded by [`MAX_CONTACTS`]).
    strangers: HashSet<String>,
    /// Where we sent available directed presence.
    directed: BTreeSet<String>,
}

impl PresenceTracker {
    /// Applies an incoming presence from a contact outside the roster; returns what changed.
    /// Subscription-related presence types, probes and errors are not availability and return
    /// `None`. See [`PresenceTracker::handle_with`].
    pub fn handle(&mut self, presence: &Presence) -> Option<PresenceChange> {
        self.handle_with(presence, false)
    }

    /// Applies an incoming presence; returns what changed. `in_roster` says whether the
    /// sender is a contact of ours (or our own account): contacts outside the roster are
    /// tracked only up to [`MAX_CONTACTS`], roster contacts always. Status texts are kept up
    /// to [`MAX_STATUS_LEN`] bytes in up to [`MAX_STATUS_LANGS`] languages.
    pub fn handle_with(&mut self, presence: &Presence, in_roster: bool) -> Option<PresenceChange> {
        let from = presence.header.from.as_ref()?;
        let contact = from.to_bare();
        let resource = from.resource().map(str::to_owned);
        match presence.kind {
            PresenceType::Available => {
                let state = ResourcePresence {
                    availability: Availability::from_show(presence.show),
                    statuses: bounded_statuses(&presence.statuses),
                    priority: presence.priority,
                    lang: presence.header.lang.clone(),
                };
                let known = self.contacts.contains_key(contact.as_str());
                if !known && !in_roster {
                    if self.strangers.len() >= MAX_CONTACTS {
                        tracing::warn!(%contact, "presence of too many contacts: ignored");
                        return None;
                    }
                    self.strangers.insert(contact.as_str().to_owned());
                }
                let resources = self
                    .contacts
                    .entry(contact.as_str().to_owned())
                    .or_default();
                let key = resource.clone().unwrap_or_default();
                if !resources.contains_key(&key) && resources.len() >= MAX_RESOURCES {
                    tracing::warn!(%contact, "presence of too many resources: ignored");
                    return None;
                }
                resources.insert(key, state.clone());
                Some(PresenceChange::Available {
                    contact,
                    resource,
                    presence: state,
                })
            }
            PresenceType::Unavailable => {
                let key = contact.as_str().to_owned();
                match &resource {
                    Some(r) => {
                        if let Some(resources) = self.contacts.get_mut(&key) {
                            resources.remove(r);
                            if resources.is_empty() {
                                self.contacts.remove(&key);
                                self.strangers.remove(&key);
                            }
                        }
                    }
                    None => {
                        self.contacts.remove(&key);
                        self.strangers.remove(&key);
                    }
                }
                Some(PresenceChange::Unavailable { contact, resource })
            }
            _ => None,
        }
    }

    /// The online resources of `contact`, by name ("" for a presence from the bare JID).
    pub fn resources(&self, contact: &BareJid) -> impl Iterator<Item = (&str, &ResourcePresence)> {
        self.contacts
            .get(contact.as_str())
            .into_iter()
            .flat_map(|resources| resources.iter().map(|(r, p)| (r.as_str(), p)))
    }

    /// The resource to talk to: the highest priority, then the most available, then the first
    /// by name. Resources with negative priority are never chosen (RFC 6121 §4.7.2.3).
    pub fn best_resource(&self, contact: &BareJid) -> Option<(&str, &ResourcePresence)> {
        self.resources(contact)
            .filter(|(_, p)| p.priority >= 0)
            .min_by(|(ra, a), (rb, b)| {
                b.priority
                    .cmp(&a.priority)
                    .then(a.availability.cmp(&b.availability))
                    .then(ra.cmp(rb))
            })
    }

    /// Every contact with at least one online resource.
    pub fn contacts(&self) -> impl Iterator<Item = BareJid> + '_ {
        // The keys were bare JIDs when stored.
        self.contacts.keys().filter_map(|k| k.parse().ok())
    }

    /// Whether `contact` has any online resource.
    pub fn is_online(&self, contact: &BareJid) -> bool {
        self.contacts.contains_key(contact.as_str())
    }

    /// Records directed presence we sent: available adds `to`, unavailable removes it.
    pub fn directed_sent(&mut self, to: &Jid, kind: PresenceType) {
        match kind {
            PresenceType::Available => {
                self.directed.insert(to.as_str().to_owned());
            }
            PresenceType::Unavailable => {
                self.directed.remove(to.as_str());
            }
            _ => {}
        }
    }

    /// Where available directed presence was sent and not withdrawn: the entities to send
    /// `unavailable` to when going offline.
    pub fn directed_targets(&self) -> impl Iterator<Item = &str> {
        self.directed.iter().map(String::as_str)
    }

    /// Forgets everything (the session ended: presence will be sent again).
    pub fn clear(&mut self) {
        self.contacts.clear();
        self.strangers.clear();
        self.directed.clear();
    }
}

/// The status texts of a presence within [`MAX_STATUS_LEN`] and [`MAX_STATUS_LANGS`].
fn bounded_statuses(statuses: &LangTexts) -> LangTexts {
    if statuses.len() <= MAX_STATUS_LANGS && statuses.iter().all(|s| s.text.len() <= MAX_STATUS_LEN)
    {
        return statuses.clone();
    }
    let mut bounded = LangTexts::new();
    for status in statuses.iter().take(MAX_STATUS_LANGS) {
        let mut end = status.text.len().min(MAX_STATUS_LEN);
        while !status.text.is_char_boundary(end) {
            end -= 1;
        }
        bounded.set(
            status.lang.as_deref(),
            status.text.get(..end).unwrap_or_default(),
        );
    }
    bounded
}

#[cfg(test)]
mod tests {
    use openxmpp_core::stanza::Presence;

    use super::*;
    use crate::test_support::element;

    fn presence(xml: &str) -> Presence {
        Presence::try_from(element(xml)).unwrap()
    }

    fn romeo() -> BareJid {
        "romeo@example.net".parse().unwrap()
    }

    #[test]
    fn resources_are_tracked_and_the_best_one_chosen() {
        let mut t = PresenceTracker::default();
        t.handle(&presence(
            "<presence from='romeo@example.net/orchard'><show>away</show><priority>1</priority></presence>",
        ));
        t.handle(&presence("<presence from='romeo@example.net/phone'><show>chat</show><priority>1</priority></presence>"));
        t.handle(&presence(
            "<presence from='romeo@example.net/bot'><priority>-1</priority></presence>",
        ));
        assert_eq!(t.resources(&romeo()).count(), 3);
        // Equal priority: the more available wins; negative priority never does.
        assert_eq!(t.best_resource(&romeo()).map(|(r, _)| r), Some("phone"));
        let change = t.handle(&presence(
            "<presence from='romeo@example.net/phone' type='unavailable'/>",
        ));
        assert!(
            matches!(change, Some(PresenceChange::Unavailable { resource: Some(r), .. }) if r == "phone")
        );
        assert_eq!(t.best_resource(&romeo()).map(|(r, _)| r), Some("orchard"));
        t.handle(&presence(
            "<presence from='romeo@example.net/orchard' type='unavailable'/>",
        ));
        assert!(
            t.best_resource(&romeo()).is_none(),
            "only a negative-priority resource left"
        );
        assert!(t.is_online(&romeo()));
        t.handle(&presence(
            "<presence from='romeo@example.net' type='unavailable'/>",
        ));
        assert!(!t.is_online(&romeo()));
    }

    #[test]
    fn statuses_by_language_are_kept() {
        let mut t = PresenceTracker::default();
        let change = t.handle(&presence(
            "<presence from='romeo@example.net/orchard' xml:lang='en'><status>Wooing</status>\
             <status xml:lang='cs'>Dvořím se</status></presence>",
        ));
        match change {
            Some(PresenceChange::Available { presence, .. }) => {
                assert_eq!(presence.availability, Availability::Available);
                assert_eq!(presence.statuses.get(Some("cs")), Some("Dvořím se"));
                assert_eq!(
                    presence
                        .statuses
                        .for_language(Some("en"), presence.lang.as_deref()),
                    Some("Wooing")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subscriptions_and_probes_are_not_availability() {
        let mut t = PresenceTracker::default();
        for kind in [
            "subscribe",
            "subscribed",
            "unsubscribe",
            "unsubscribed",
            "probe",
        ] {
            let p = presence(&format!(
                "<presence from='romeo@example.net' type='{kind}'/>"
            ));
            assert!(t.handle(&p).is_none(), "{kind}");
        }
        assert!(t.handle(&presence("<presence/>")).is_none(), "no sender");
        assert!(!t.is_online(&romeo()));
    }

    #[test]
    fn directed_presence_is_remembered_until_withdrawn() {
        let mut t = PresenceTracker::default();
        let room: Jid = "room@conference.example.net/nick".parse().unwrap();
        let friend: Jid = "mercutio@example.net".parse().unwrap();
        t.directed_sent(&room, PresenceType::Available);
        t.directed_sent(&friend, PresenceType::Available);
        t.directed_sent(&friend, PresenceType::Unavailable);
        assert_eq!(
            t.directed_targets().collect::<Vec<_>>(),
            ["room@conference.example.net/nick"]
        );
        t.clear();
        assert_eq!(t.directed_targets().count(), 0);
    }
}
