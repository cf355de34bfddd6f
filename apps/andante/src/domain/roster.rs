//! The roster as the contact list shows it: contacts with their groups, subscription and
//! presence, grouped, sorted and filtered into rows.

use std::cell::{Cell, Ref, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use openxmpp::BareJid;
use openxmpp::im::presence::{PresenceChange, ResourcePresence};
use openxmpp::im::roster::{RosterEvent, RosterItem, Subscription};

use super::presence::ContactPresence;

/// The group contacts without a group are listed under.
pub const UNGROUPED: &str = "Contacts";

/// At most this many resources are kept per contact (the library bounds them too).
const MAX_RESOURCES: usize = 64;

/// One online resource of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceState {
    /// How available it is.
    pub presence: ContactPresence,
    /// Its status text.
    pub status: Option<String>,
    /// Its priority.
    pub priority: i8,
}

impl From<&ResourcePresence> for ResourceState {
    fn from(p: &ResourcePresence) -> Self {
        ResourceState {
            presence: p.availability.into(),
            status: p
                .statuses
                .for_language(None, p.lang.as_deref())
                .map(str::to_owned),
            priority: p.priority,
        }
    }
}

/// A contact in the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The roster item as the server has it.
    pub item: RosterItem,
    /// The lower-case name or JID, for sorting and filtering.
    sort_key: String,
}

impl Contact {
    fn new(item: RosterItem) -> Self {
        let sort_key = item
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(item.jid.as_str())
            .to_lowercase();
        Contact { item, sort_key }
    }

    /// The contact's address.
    pub fn jid(&self) -> &BareJid {
        &self.item.jid
    }

    /// The name to show: the one the user gave, else the JID.
    pub fn display_name(&self) -> &str {
        self.item
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(self.item.jid.as_str())
    }

    /// Whether we asked to see their presence and wait for the answer.
    pub fn request_pending(&self) -> bool {
        self.item.ask
            && matches!(
                self.item.subscription,
                Subscription::None | Subscription::From
            )
    }

    /// Whether we see their presence.
    pub fn sees_presence(&self) -> bool {
        matches!(
            self.item.subscription,
            Subscription::To | Subscription::Both
        )
    }
}

/// A line of the contact list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterRow {
    /// A group header.
    Group {
        /// The group's name.
        name: String,
        /// How many contacts it has (after filtering).
        contacts: usize,
        /// How many of them are online.
        online: usize,
        /// Whether its contacts are hidden.
        collapsed: bool,
    },
    /// A contact.
    Contact {
        /// The contact.
        jid: BareJid,
        /// The group it is listed under.
        group: String,
    },
}

/// What the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterFilter {
    /// Only contacts whose name or address contains this (case-insensitive).
    pub text: String,
    /// Hide offline contacts (unless the text filter is used).
    pub hide_offline: bool,
    /// Groups whose contacts are hidden.
    pub collapsed: BTreeSet<String>,
}

/// The contacts and their presence.
#[derive(Debug, Default)]
pub struct RosterView {
    contacts: BTreeMap<BareJid, Contact>,
    /// Presence by contact and resource; kept apart from the roster so that presence from
    /// JIDs not (yet) in the roster is not lost.
    presence: HashMap<BareJid, BTreeMap<String, ResourceState>>,
    /// The rows last built and the filter they were built for; rebuilt when `dirty`.
    rows: RefCell<(Option<RosterFilter>, Vec<RosterRow>)>,
    dirty: Cell<bool>,
}

impl RosterView {
    /// An empty roster.
    pub fn new() -> Self {
        RosterView::default()
    }

    /// Replaces every contact (the roster was loaded).
    pub fn replace_all(&mut self, items: impl IntoIterator<Item = RosterItem>) {
        self.contacts = items
            .into_iter()
            .map(|item| (item.jid.clone(), Contact::new(item)))
            .collect();
        self.dirty.set(true);
    }

    /// Applies a roster change. `Loaded` carries no items: the caller replaces them.
    pub fn apply(&mut self, event: &RosterEvent) {
        match event {
            RosterEvent::Added(item) | RosterEvent::Updated { after: item, .. } => {
                self.contacts
                    .insert(item.jid.clone(), Contact::new(item.clone()));
            }
            RosterEvent::Removed(jid) => {
                self.contacts.remove(jid);
            }
            _ => return,
        }
        self.dirty.set(true);
    }

    /// Applies a presence change.
    pub fn presence_changed(&mut self, change: &PresenceChange) {
        let contact = match change {
            PresenceChange::Available {
                contact,
                resource,
                presence,
            } => {
                let resources = self.presence.entry(contact.clone()).or_default();
                let name = resource.clone().unwrap_or_default();
                if resources.len() >= MAX_RESOURCES && !resources.contains_key(&name) {
                    return;
                }
                resources.insert(name, ResourceState::from(presence));
                contact
            }
            PresenceChange::Unavailable { contact, resource } => {
                match (resource, self.presence.get_mut(contact)) {
                    (Some(resource), Some(resources)) => {
                        resources.remove(resource);
                        if resources.is_empty() {
                            self.presence.remove(contact);
                        }
                    }
                    (None, _) => {
                        self.presence.remove(contact);
                    }
                    (Some(_), None) => {}
                }
                contact
            }
            _ => return,
        };
        if self.contacts.contains_key(contact) {
            self.dirty.set(true);
        }
    }

    /// Forgets every contact's presence (the session ended).
    pub fn all_offline(&mut self) {
        self.presence.clear();
        self.dirty.set(true);
    }

    /// The contact `jid`.
    pub fn get(&self, jid: &BareJid) -> Option<&Contact> {
        self.contacts.get(jid)
    }

    /// Every contact, by JID.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values()
    }

    /// How many contacts there are.
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// The best presence of `jid`: its highest-priority resource, the most available first
    /// among equals; `Offline` without one.
    pub fn presence(&self, jid: &BareJid) -> ContactPresence {
        self.best(jid)
            .map_or(ContactPresence::Offline, |r| r.presence)
    }

    /// The status text of the best resource.
    pub fn status(&self, jid: &BareJid) -> Option<&str> {
        self.best(jid).and_then(|r| r.status.as_deref())
    }

    /// The online resources of `jid`.
    pub fn resources(&self, jid: &BareJid) -> impl Iterator<Item = (&str, &ResourceState)> {
        self.presence
            .get(jid)
            .into_iter()
            .flat_map(|r| r.iter().map(|(name, state)| (name.as_str(), state)))
    }

    fn best(&self, jid: &BareJid) -> Option<&ResourceState> {
        self.presence.get(jid)?.values().min_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.presence.cmp(&b.presence))
        })
    }

    /// Every group name in use, sorted.
    pub fn groups(&self) -> BTreeSet<String> {
        self.contacts
            .values()
            .flat_map(|c| c.item.groups.iter().cloned())
            .collect()
    }

    /// The rows for `filter`, rebuilt only when something changed.
    pub fn rows(&self, filter: &RosterFilter) -> Ref<'_, [RosterRow]> {
        let stale = self.dirty.get() || self.rows.borrow().0.as_ref() != Some(filter);
        if stale {
            let rows = self.build_rows(filter);
            *self.rows.borrow_mut() = (Some(filter.clone()), rows);
            self.dirty.set(false);
        }
        Ref::map(self.rows.borrow(), |(_, rows)| rows.as_slice())
    }

    fn build_rows(&self, filter: &RosterFilter) -> Vec<RosterRow> {
        let needle = filter.text.trim().to_lowercase();
        let mut groups: BTreeMap<(bool, &str), Vec<(&Contact, ContactPresence)>> = BTreeMap::new();
        for contact in self.contacts.values() {
            let presence = self.presence(contact.jid());
            if !needle.is_empty() {
                if !contact.sort_key.contains(&needle)
                    && !contact.jid().as_str().to_lowercase().contains(&needle)
                {
                    continue;
                }
            } else if filter.hide_offline && !presence.is_online() {
                continue;
            }
            if contact.item.groups.is_empty() {
                groups
                    .entry((true, UNGROUPED))
                    .or_default()
                    .push((contact, presence));
            }
            for group in &contact.item.groups {
                groups
                    .entry((false, group.as_str()))
                    .or_default()
                    .push((contact, presence));
            }
        }
        let mut rows = Vec::with_capacity(self.contacts.len() + groups.len());
        for ((_, name), mut members) in groups {
            members.sort_by(|(a, pa), (b, pb)| {
                pa.is_online()
                    .cmp(&pb.is_online())
                    .reverse()
                    .then_with(|| a.sort_key.cmp(&b.sort_key))
                    .then_with(|| a.jid().cmp(b.jid()))
            });
            let collapsed = filter.collapsed.contains(name);
            rows.push(RosterRow::Group {
                name: name.to_owned(),
                contacts: members.len(),
                online: members.iter().filter(|(_, p)| p.is_online()).count(),
                collapsed,
            });
            if !collapsed {
                rows.extend(members.into_iter().map(|(c, _)| RosterRow::Contact {
                    jid: c.jid().clone(),
                    group: name.to_owned(),
                }));
            }
        }
        rows
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use openxmpp::im::presence::Availability;
    use openxmpp::stanza::LangTexts;

    use super::*;

    pub(crate) fn item(jid: &str, name: Option<&str>, groups: &[&str]) -> RosterItem {
        let mut item = RosterItem::new(jid.parse().unwrap()).with_subscription(Subscription::Both);
        if let Some(name) = name {
            item = item.with_name(name);
        }
        for g in groups {
            item = item.with_group(*g);
        }
        item
    }

    pub(crate) fn online(jid: &str, resource: &str, availability: Availability) -> PresenceChange {
        PresenceChange::Available {
            contact: jid.parse().unwrap(),
            resource: Some(resource.to_owned()),
            presence: ResourcePresence {
                availability,
                statuses: LangTexts::default(),
                priority: 0,
                lang: None,
            },
        }
    }

    fn names(view: &RosterView, filter: &RosterFilter) -> Vec<String> {
        view.rows(filter)
            .iter()
            .map(|r| match r {
                RosterRow::Group {
                    name,
                    contacts,
                    online,
                    ..
                } => format!("[{name} {online}/{contacts}]"),
                RosterRow::Contact { jid, .. } => jid.to_string(),
            })
            .collect()
    }

    #[test]
    fn contacts_are_grouped_online_first_then_by_name() {
        let mut view = RosterView::new();
        view.replace_all([
            item("zed@x.org", Some("Zed"), &["Friends"]),
            item("amy@x.org", Some("Amy"), &["Friends", "Work"]),
            item("bob@x.org", None, &[]),
        ]);
        view.presence_changed(&online("zed@x.org", "phone", Availability::Away));
        let filter = RosterFilter::default();
        assert_eq!(
            names(&view, &filter),
            [
                "[Friends 1/2]",
                "zed@x.org",
                "amy@x.org",
                "[Work 0/1]",
                "amy@x.org",
                "[Contacts 0/1]",
                "bob@x.org"
            ]
        );
        assert_eq!(
            view.presence(&"zed@x.org".parse().unwrap()),
            ContactPresence::Away
        );
    }

    #[test]
    fn the_filter_matches_names_and_addresses_and_hides_offline() {
        let mut view = RosterView::new();
        view.replace_all([
            item("romeo@montague.lit", Some("Romeo"), &[]),
            item("nurse@capulet.lit", Some("Nurse"), &[]),
        ]);
        view.presence_changed(&online("nurse@capulet.lit", "r", Availability::Available));
        let mut filter = RosterFilter {
            text: "CAPU".to_owned(),
            ..RosterFilter::default()
        };
        assert_eq!(
            names(&view, &filter),
            ["[Contacts 1/1]", "nurse@capulet.lit"]
        );
        filter.text = "rom".to_owned();
        assert_eq!(
            names(&view, &filter),
            ["[Contacts 0/1]", "romeo@montague.lit"]
        );
        filter.text.clear();
        filter.hide_offline = true;
        assert_eq!(
            names(&view, &filter),
            ["[Contacts 1/1]", "nurse@capulet.lit"]
        );
        filter.collapsed.insert(UNGROUPED.to_owned());
        assert_eq!(names(&view, &filter), ["[Contacts 1/1]"]);
    }

    #[test]
    fn the_best_resource_wins_and_unavailable_clears_it() {
        let mut view = RosterView::new();
        view.replace_all([item("romeo@montague.lit", None, &[])]);
        let romeo: BareJid = "romeo@montague.lit".parse().unwrap();
        view.presence_changed(&online(
            "romeo@montague.lit",
            "a",
            Availability::DoNotDisturb,
        ));
        view.presence_changed(&online("romeo@montague.lit", "b", Availability::Chat));
        assert_eq!(view.presence(&romeo), ContactPresence::Chat);
        view.presence_changed(&PresenceChange::Unavailable {
            contact: romeo.clone(),
            resource: Some("b".to_owned()),
        });
        assert_eq!(view.presence(&romeo), ContactPresence::DoNotDisturb);
        view.presence_changed(&PresenceChange::Unavailable {
            contact: romeo.clone(),
            resource: None,
        });
        assert_eq!(view.presence(&romeo), ContactPresence::Offline);
    }

    #[test]
    fn roster_pushes_add_update_and_remove() {
        let mut view = RosterView::new();
        view.apply(&RosterEvent::Added(item("a@x.org", None, &[])));
        let before = item("a@x.org", None, &[]);
        let mut after = item("a@x.org", Some("A"), &["G"]);
        after.ask = true;
        after.subscription = Subscription::None;
        view.apply(&RosterEvent::Updated {
            before,
            after: after.clone(),
        });
        let contact = view.get(&"a@x.org".parse().unwrap()).unwrap();
        assert_eq!(contact.display_name(), "A");
        assert!(contact.request_pending());
        view.apply(&RosterEvent::Removed("a@x.org".parse().unwrap()));
        assert!(view.is_empty());
    }
}
