//! The roster as the client keeps it (RFC 6121 §2): fetched at login, with versioning through
//! a store the application provides, changed by pushes that only our own account may send.
//!
//! Sans-IO: [`Roster::request`] builds the IQ to send; the connection's answers and pushes go
//! to [`Roster::handle_result`] and [`Roster::handle_push`], which return what changed (and,
//! for a push, the result IQ to send back).

use std::collections::BTreeMap;

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, StanzaParseError};

use super::{RosterItem, RosterPush, RosterQuery, Subscription};

/// Where the roster and its version are kept between sessions, so that a versioned server can
/// answer "unchanged" instead of sending the whole roster again (RFC 6121 §2.6).
pub trait RosterStore {
    /// The stored version and items, if any.
    fn load(&self) -> Option<(String, Vec<RosterItem>)>;
    /// Replaces what is stored.
    fn save(&mut self, version: &str, items: &[RosterItem]);
    /// Forgets what is stored (the server does not version, or the cache cannot be trusted).
    fn clear(&mut self);
}

/// A [`RosterStore`] in memory: versioning across reconnects within one process.
#[derive(Debug, Clone, Default)]
pub struct MemoryRosterStore {
    stored: Option<(String, Vec<RosterItem>)>,
}

impl RosterStore for MemoryRosterStore {
    fn load(&self) -> Option<(String, Vec<RosterItem>)> {
        self.stored.clone()
    }

    fn save(&mut self, version: &str, items: &[RosterItem]) {
        self.stored = Some((version.to_owned(), items.to_vec()));
    }

    fn clear(&mut self) {
        self.stored = None;
    }
}

/// A change to the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RosterEvent {
    /// The roster is known: fetched, or confirmed current by a versioned server.
    Loaded {
        /// How many contacts it has.
        items: usize,
        /// Whether the server said the stored copy was current.
        from_cache: bool,
    },
    /// A contact was added.
    Added(RosterItem),
    /// A contact's name, groups or subscription changed.
    Updated {
        /// How it was.
        before: RosterItem,
        /// How it is.
        after: RosterItem,
    },
    /// A contact was removed.
    Removed(BareJid),
}

/// Why a roster push was not applied. The push must then be ignored (RFC 6121 §2.1.6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushRejected {
    /// The push did not come from our server or our own bare JID: a forgery.
    #[error("roster push from {from}, which is not our account: ignored")]
    NotFromAccount {
        /// Who sent it.
        from: String,
    },
    /// The push is malformed.
    #[error("invalid roster push: {0}")]
    Invalid(#[from] StanzaParseError),
}

/// The client's roster.
///
/// ```
/// use openxmpp_im::roster::{MemoryRosterStore, Roster, RosterEvent};
/// use openxmpp_im::core::stanza::Iq;
/// use openxmpp_im::core::xml::parse_element;
///
/// let mut roster = Roster::new("juliet@example.com".parse()?, MemoryRosterStore::default());
/// let request = roster.request(true);
/// // … sent; the server answers:
/// let result = Iq::try_from(parse_element(
///     "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='v1'>\
///        <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>\
///      </query></iq>",
/// )?)?;
/// let events = roster.handle_result(result)?;
/// assert_eq!(events, [RosterEvent::Loaded { items: 1, from_cache: false }]);
/// assert_eq!(roster.get(&"romeo@example.net".parse()?).and_then(|i| i.name.as_deref()), Some("Romeo"));
/// # let _ = request;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Roster<S = MemoryRosterStore> {
    account: BareJid,
    items: BTreeMap<String, RosterItem>,
    version: Option<String>,
    store: S,
    versioned: bool,
}

impl<S: RosterStore> Roster<S> {
    /// The roster of `account`, starting from what `store` holds.
    pub fn new(account: BareJid, store: S) -> Self {
        let mut roster = Roster {
            account,
            items: BTreeMap::new(),
            version: None,
            store,
            versioned: false,
        };
        if let Some((version, items)) = roster.store.load() {
            roster.version = Some(version);
            roster.replace(items);
        }
        roster
    }

    /// The roster get to send at login. With `versioning` (the server offers it), it carries
    /// the stored version, or `ver=''` to start versioning (RFC 6121 §2.6.2).
    pub fn request(&mut self, versioning: bool) -> Iq {
        self.versioned = versioning;
        if versioning {
            RosterQuery::get(Some(self.version.as_deref().unwrap_or("")))
        } else {
            RosterQuery::get(None)
        }
    }

    /// Applies the answer to [`Roster::request`].
    pub fn handle_result(&mut self, iq: Iq) -> Result<Vec<RosterEvent>, StanzaParseError> {
        match RosterQuery::from_result(iq)? {
            // Versioned and unchanged: the stored copy is current; changes come as pushes.
            None => Ok(vec![RosterEvent::Loaded {
                items: self.items.len(),
                from_cache: true,
            }]),
            Some(query) => {
                self.replace(query.items);
                self.version = query.ver;
                self.persist();
                Ok(vec![RosterEvent::Loaded {
                    items: self.items.len(),
                    from_cache: false,
                }])
            }
        }
    }

    /// Applies a roster push and returns the result IQ to send back with what changed. A push
    /// from anyone but our server or our own bare JID is rejected (and must be ignored).
    pub fn handle_push(&mut self, iq: &Iq) -> Result<(Iq, Option<RosterEvent>), PushRejected> {
        if !RosterPush::sender_allowed(iq.header.from.as_ref(), &self.account) {
            let from = iq.header.from.as_ref().map(Jid::as_str).unwrap_or("");
            tracing::warn!(from, "roster push from a foreign entity ignored");
            return Err(PushRejected::NotFromAccount {
                from: from.to_owned(),
            });
        }
        let push = RosterPush::try_from(iq)?;
        let event = self.apply(push.item);
        if push.ver.is_some() {
            self.version = push.ver;
        }
        self.persist();
        Ok((iq.result(None), event))
    }

    /// The contact `jid`, if in the roster.
    pub fn get(&self, jid: &BareJid) -> Option<&RosterItem> {
        self.items.get(jid.as_str())
    }

    /// Every contact, ordered by JID.
    pub fn items(&self) -> impl Iterator<Item = &RosterItem> {
        self.items.values()
    }

    /// The roster version, if the server versions it.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The store, e.g. to inspect it.
    pub fn store(&self) -> &S {
        &self.store
    }

    fn replace(&mut self, items: Vec<RosterItem>) {
        self.items = items
            .into_iter()
            .filter(|i| i.subscription != Subscription::Remove)
            .map(|i| (i.jid.as_str().to_owned(), i))
            .collect();
    }

    fn apply(&mut self, item: RosterItem) -> Option<RosterEvent> {
        let key = item.jid.as_str().to_owned();
        if item.subscription == Subscription::Remove {
            return self
                .items
                .remove(&key)
                .map(|_| RosterEvent::Removed(item.jid));
        }
        match self.items.insert(key, item.clone()) {
            None => Some(RosterEvent::Added(item)),
            Some(before) if before == item => None,
            Some(before) => Some(RosterEvent::Updated {
                before,
                after: item,
            }),
        }
    }

    fn persist(&mut self) {
        match (&self.version, self.versioned) {
            (Some(version), true) => {
                let items: Vec<RosterItem> = self.items.values().cloned().collect();
                self.store.save(version, &items);
            }
            _ => self.store.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use openxmpp_core::stanza::Iq;
    use openxmpp_core::xml::Element;

    use super::*;
    use crate::test_support::{element, xml};

    fn iq(text: &str) -> Iq {
        Iq::try_from(element(text)).unwrap()
    }

    fn juliet() -> BareJid {
        "juliet@example.com".parse().unwrap()
    }

    const FULL: &str = "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='v1'>\
        <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>\
        <item jid='nurse@example.com' subscription='to'/></query></iq>";

    #[test]
    fn first_login_fetches_everything_and_starts_versioning() {
        let mut roster = Roster::new(juliet(), MemoryRosterStore::default());
        assert_eq!(
            xml(&Element::from(roster.request(true))),
            "<iq xmlns='jabber:client' id='' type='get'><query xmlns='jabber:iq:roster' ver=''/></iq>"
        );
        let events = roster.handle_result(iq(FULL)).unwrap();
        assert_eq!(
            events,
            [RosterEvent::Loaded {
                items: 2,
                from_cache: false
            }]
        );
        assert_eq!(roster.version(), Some("v1"));
        assert_eq!(
            roster.store().load().map(|(v, i)| (v, i.len())),
            Some(("v1".to_owned(), 2))
        );
    }

    #[test]
    fn a_versioned_server_can_say_unchanged() {
        let mut first = Roster::new(juliet(), MemoryRosterStore::default());
        first.request(true);
        first.handle_result(iq(FULL)).unwrap();
        let store = first.store().clone();
        let mut second = Roster::new(juliet(), store);
        assert!(xml(&Element::from(second.request(true))).contains("ver='v1'"));
        let events = second
            .handle_result(iq("<iq type='result' id='r2'/>"))
            .unwrap();
        assert_eq!(
            events,
            [RosterEvent::Loaded {
                items: 2,
                from_cache: true
            }]
        );
        assert!(second.get(&"romeo@example.net".parse().unwrap()).is_some());
    }

    #[test]
    fn without_versioning_nothing_is_kept() {
        let mut roster = Roster::new(juliet(), MemoryRosterStore::default());
        assert!(!xml(&Element::from(roster.request(false))).contains("ver"));
        roster.handle_result(iq(FULL)).unwrap();
        assert!(roster.store().load().is_none());
        assert_eq!(roster.items().count(), 2);
    }

    #[test]
    fn pushes_add_update_and_remove_and_are_answered() {
        let mut roster = Roster::new(juliet(), MemoryRosterStore::default());
        roster.request(true);
        roster.handle_result(iq(FULL)).unwrap();
        let (answer, event) = roster
            .handle_push(&iq(
                "<iq type='set' id='p1'><query xmlns='jabber:iq:roster' ver='v2'>\
                 <item jid='benvolio@example.net' subscription='none'/></query></iq>",
            ))
            .unwrap();
        assert_eq!(
            xml(&Element::from(answer)),
            "<iq xmlns='jabber:client' id='p1' type='result'/>"
        );
        assert!(
            matches!(event, Some(RosterEvent::Added(i)) if i.jid.as_str() == "benvolio@example.net")
        );
        assert_eq!(roster.version(), Some("v2"));
        let (_, event) = roster
            .handle_push(&iq(
                "<iq type='set' id='p2' from='juliet@example.com'><query xmlns='jabber:iq:roster' ver='v3'>\
                 <item jid='romeo@example.net' name='Romeo M.' subscription='both'/></query></iq>",
            ))
            .unwrap();
        assert!(matches!(event, Some(RosterEvent::Updated { before, after })
            if before.name.as_deref() == Some("Romeo") && after.name.as_deref() == Some("Romeo M.")));
        let (_, event) = roster
            .handle_push(&iq(
                "<iq type='set' id='p3'><query xmlns='jabber:iq:roster' ver='v4'>\
                 <item jid='nurse@example.com' subscription='remove'/></query></iq>",
            ))
            .unwrap();
        assert_eq!(
            event,
            Some(RosterEvent::Removed("nurse@example.com".parse().unwrap()))
        );
        assert_eq!(roster.items().count(), 2);
        assert_eq!(
            roster.store().load().map(|(v, i)| (v, i.len())),
            Some(("v4".to_owned(), 2))
        );
    }

    #[test]
    fn forged_and_malformed_pushes_are_rejected() {
        let mut roster = Roster::new(juliet(), MemoryRosterStore::default());
        for from in [
            "mallory@evil.example",
            "juliet@example.com/balcony",
            "example.com",
        ] {
            let push = iq(&format!(
                "<iq type='set' id='x' from='{from}'><query xmlns='jabber:iq:roster'>\
                 <item jid='mallory@evil.example' subscription='both'/></query></iq>"
            ));
            assert!(
                matches!(
                    roster.handle_push(&push),
                    Err(PushRejected::NotFromAccount { .. })
                ),
                "{from}"
            );
        }
        assert_eq!(roster.items().count(), 0, "nothing was applied");
        let two_items = iq("<iq type='set' id='y'><query xmlns='jabber:iq:roster'>\
             <item jid='a@example.net'/><item jid='b@example.net'/></query></iq>");
        assert!(matches!(
            roster.handle_push(&two_items),
            Err(PushRejected::Invalid(_))
        ));
    }
}
