//! Roster management (RFC 6121 §2): the roster query, items, versioning.
//!
//! ```
//! use openxmpp_im::core::stanza::IqPayload;
//! use openxmpp_im::roster::{RosterItem, RosterQuery};
//!
//! // Fetch the roster, announcing the version we have cached.
//! let get = RosterQuery::get(Some("ver11"));
//! assert!(matches!(get.payload, IqPayload::Get(_)));
//!
//! // Add a contact to two groups.
//! let item = RosterItem::new("nurse@example.com".parse()?)
//!     .with_name("Nurse")
//!     .with_group("Servants")
//!     .with_group("Servants");
//! assert_eq!(item.groups, ["Servants"], "duplicate groups are dropped");
//! let set = RosterQuery::set_item(item);
//! assert!(matches!(set.payload, IqPayload::Set(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, IqPayload, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

mod state;

pub use state::{MemoryRosterStore, PushRejected, Roster, RosterEvent, RosterStore};

/// The roster namespace.
pub const NS: &str = openxmpp_core::ns::ROSTER;

/// The `subscription` state of a roster item (RFC 6121 §2.1.2.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Subscription {
    /// Neither side is subscribed to the other's presence.
    #[default]
    None,
    /// The user is subscribed to the contact's presence.
    To,
    /// The contact is subscribed to the user's presence.
    From,
    /// Both are subscribed to each other's presence.
    Both,
    /// In a roster set or push: the item is removed.
    Remove,
}

impl Subscription {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            Subscription::None => "none",
            Subscription::To => "to",
            Subscription::From => "from",
            Subscription::Both => "both",
            Subscription::Remove => "remove",
        }
    }

    /// The state with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "none" => Subscription::None,
            "to" => Subscription::To,
            "from" => Subscription::From,
            "both" => Subscription::Both,
            "remove" => Subscription::Remove,
            _ => return None,
        })
    }
}

/// One contact in the roster (RFC 6121 §2.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterItem {
    /// The contact's bare JID.
    pub jid: BareJid,
    /// The name the user gave the contact.
    pub name: Option<String>,
    /// The subscription state.
    pub subscription: Subscription,
    /// Whether the user asked to subscribe to the contact's presence and awaits the answer
    /// (`ask='subscribe'`).
    pub ask: bool,
    /// Whether the user pre-approved the contact's subscription request (`approved='true'`).
    pub approved: bool,
    /// The groups, without duplicates, none empty.
    pub groups: Vec<String>,
}

impl RosterItem {
    /// An item for `jid` with no name, no groups and subscription `none`.
    pub fn new(jid: BareJid) -> Self {
        RosterItem {
            jid,
            name: None,
            subscription: Subscription::None,
            ask: false,
            approved: false,
            groups: Vec::new(),
        }
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a group unless it is already there or empty (RFC 6121 §2.1.2.5 forbids both).
    pub fn with_group(mut self, group: impl Into<String>) -> Self {
        let group = group.into();
        if !group.is_empty() && !self.groups.contains(&group) {
            self.groups.push(group);
        }
        self
    }

    /// Sets the subscription state.
    pub fn with_subscription(mut self, subscription: Subscription) -> Self {
        self.subscription = subscription;
        self
    }
}

/// The roster query element: a full roster in a result, one item in a set or push.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterQuery {
    /// The roster version (RFC 6121 §2.6), if the server supports versioning.
    pub ver: Option<String>,
    /// The items.
    pub items: Vec<RosterItem>,
}

impl RosterQuery {
    /// A roster get (RFC 6121 §2.2). `ver` is the cached version to announce (`Some("")` when
    /// versioning is supported but nothing is cached), `None` when not using versioning.
    ///
    /// The id is left empty for the connection to assign.
    pub fn get(ver: Option<&str>) -> Iq {
        let query = RosterQuery {
            ver: ver.map(str::to_owned),
            items: Vec::new(),
        };
        Iq::get("", query.into())
    }

    /// A roster set adding or updating `item` (RFC 6121 §2.3, §2.4). The attributes a client
    /// must not send (`ask`, `approved`, a subscription other than `remove`) are cleared.
    pub fn set_item(mut item: RosterItem) -> Iq {
        if item.subscription != Subscription::Remove {
            item.subscription = Subscription::None;
        }
        item.ask = false;
        item.approved = false;
        let query = RosterQuery {
            ver: None,
            items: vec![item],
        };
        Iq::set("", query.into())
    }

    /// A roster set removing `jid` (RFC 6121 §2.5), which also cancels subscriptions both ways.
    pub fn remove(jid: BareJid) -> Iq {
        RosterQuery::set_item(RosterItem::new(jid).with_subscription(Subscription::Remove))
    }

    /// Reads the result of a roster get: `Ok(None)` for an empty result, which with versioning
    /// means "your cached roster is current; the changes follow as pushes" (RFC 6121 §2.6.3).
    ///
    /// # Errors
    /// When the IQ is not a result or its payload is not a valid roster query.
    pub fn from_result(iq: Iq) -> Result<Option<RosterQuery>, StanzaParseError> {
        match iq.payload {
            IqPayload::Result(None) => Ok(None),
            IqPayload::Result(Some(element)) => RosterQuery::try_from(element).map(Some),
            other => Err(StanzaParseError::invalid("iq", "type", other.type_name())),
        }
    }
}

/// A roster push (RFC 6121 §2.1.6): an IQ set from the server with exactly one item.
///
/// Accept one only when [`RosterPush::sender_allowed`] says so, and answer it with
/// [`Iq::result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterPush {
    /// The new roster version.
    pub ver: Option<String>,
    /// The added, changed or (with subscription `remove`) removed item.
    pub item: RosterItem,
}

impl RosterPush {
    /// Whether a push from `from` may be trusted by the account `account`: it must come
    /// from no one (the server) or from the account's own bare JID (RFC 6121 §2.1.6).
    pub fn sender_allowed(from: Option<&Jid>, account: &BareJid) -> bool {
        match from {
            None => true,
            Some(Jid::Bare(bare)) => bare == account,
            Some(Jid::Full(_)) => false,
        }
    }

    fn from_payload(payload: &IqPayload) -> Result<&Element, StanzaParseError> {
        match payload {
            IqPayload::Set(element) => Ok(element),
            other => Err(StanzaParseError::invalid("iq", "type", other.type_name())),
        }
    }

    fn from_query(query: RosterQuery) -> Result<Self, StanzaParseError> {
        let count = query.items.len();
        let mut items = query.items.into_iter();
        match (items.next(), items.next()) {
            (Some(item), None) => Ok(RosterPush {
                ver: query.ver,
                item,
            }),
            _ => Err(StanzaParseError::invalid(
                "query",
                "number of items in a roster push",
                &count.to_string(),
            )),
        }
    }
}

impl TryFrom<Iq> for RosterPush {
    type Error = StanzaParseError;

    fn try_from(iq: Iq) -> Result<Self, Self::Error> {
        match iq.payload {
            IqPayload::Set(element) => Self::from_query(RosterQuery::try_from(element)?),
            other => Err(StanzaParseError::invalid("iq", "type", other.type_name())),
        }
    }
}

impl TryFrom<&Iq> for RosterPush {
    type Error = StanzaParseError;

    fn try_from(iq: &Iq) -> Result<Self, Self::Error> {
        let element = Self::from_payload(&iq.payload)?;
        if !element.is("query", NS) {
            return Err(StanzaParseError::unexpected("query", NS, element));
        }
        Self::from_query(RosterQuery::try_from(element.clone())?)
    }
}

impl From<RosterPush> for Element {
    fn from(push: RosterPush) -> Element {
        RosterQuery {
            ver: push.ver,
            items: vec![push.item],
        }
        .into()
    }
}

impl TryFrom<Element> for RosterItem {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("item", NS) {
            return Err(StanzaParseError::unexpected("item", NS, &element));
        }
        let (attrs, nodes) = element.into_parts();
        let mut jid = None;
        let mut name = None;
        let mut subscription = Subscription::None;
        let mut ask = false;
        let mut approved = false;
        for attr in attrs {
            if attr.ns().is_some() {
                continue;
            }
            match attr.name() {
                "jid" => {
                    let parsed = attr.value().parse::<BareJid>().map_err(|source| {
                        StanzaParseError::InvalidJid {
                            element: "item",
                            attribute: "jid",
                            source,
                        }
                    })?;
                    jid = Some(parsed);
                }
                "name" => name = Some(attr.into_value()),
                "subscription" => {
                    subscription = Subscription::from_name(attr.value()).ok_or_else(|| {
                        StanzaParseError::invalid("item", "subscription", attr.value())
                    })?;
                }
                "ask" => match attr.value() {
                    "subscribe" => ask = true,
                    other => return Err(StanzaParseError::invalid("item", "ask", other)),
                },
                "approved" => match attr.value() {
                    "true" | "1" => approved = true,
                    "false" | "0" => approved = false,
                    other => return Err(StanzaParseError::invalid("item", "approved", other)),
                },
                _ => {}
            }
        }
        let jid = jid.ok_or(StanzaParseError::Missing {
            element: "item",
            what: "jid attribute",
        })?;
        let mut groups = Vec::new();
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if !child.is("group", NS) {
                continue;
            }
            let group = child.into_text();
            if group.is_empty() {
                return Err(StanzaParseError::invalid("group", "name (empty)", ""));
            }
            groups.push(group);
        }
        dedup_keep_first(&mut groups);
        Ok(RosterItem {
            jid,
            name,
            subscription,
            ask,
            approved,
            groups,
        })
    }
}

/// Drops repeated strings, keeping the first of each, in linear time and without copies.
fn dedup_keep_first(values: &mut Vec<String>) {
    let keep: Vec<bool> = {
        let mut seen = HashSet::with_capacity(values.len());
        values.iter().map(|v| seen.insert(v.as_str())).collect()
    };
    let mut keep = keep.into_iter();
    values.retain(|_| keep.next().unwrap_or(true));
}

impl TryFrom<Element> for RosterQuery {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS) {
            return Err(StanzaParseError::unexpected("query", NS, &element));
        }
        let ver = element.attr("ver").map(str::to_owned);
        let mut items = Vec::new();
        for node in element.into_nodes() {
            if let Node::Element(child) = node
                && child.is("item", NS)
            {
                items.push(RosterItem::try_from(child)?);
            }
        }
        Ok(RosterQuery { ver, items })
    }
}

impl From<RosterItem> for Element {
    fn from(item: RosterItem) -> Element {
        let subscription =
            (item.subscription != Subscription::None).then_some(item.subscription.name());
        Element::builder("item", NS)
            .attr("jid", item.jid.as_str())
            .attr_opt("name", item.name)
            .attr_opt("subscription", subscription)
            .attr_opt("ask", item.ask.then_some("subscribe"))
            .attr_opt("approved", item.approved.then_some("true"))
            .children(
                item.groups
                    .into_iter()
                    .map(|g| Element::builder("group", NS).text(g).build()),
            )
            .build()
    }
}

impl From<RosterQuery> for Element {
    fn from(query: RosterQuery) -> Element {
        Element::builder("query", NS)
            .attr_opt("ver", query.ver)
            .children(query.items.into_iter().map(Element::from))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    fn bare(s: &str) -> BareJid {
        s.parse().unwrap()
    }

    #[test]
    fn test_simple() {
        // RFC 6121 §2.1.4, Example: the roster result.
        let iq = Iq::try_from(element(
            "<iq id='bv1bs71f' to='juliet@example.com/chamber' type='result'>\
               <query xmlns='jabber:iq:roster' ver='ver11'>\
                 <item jid='romeo@example.net' name='Romeo' subscription='both'>\
                   <group>Friends</group>\
                 </item>\
                 <item jid='mercutio@example.com' name='Mercutio' subscription='from'/>\
                 <item jid='benvolio@example.net' name='Benvolio' subscription='both'/>\
               </query>\
             </iq>",
        ))
        .unwrap();
        let roster = RosterQuery::from_result(iq).unwrap().unwrap();
        assert_eq!(roster.ver.as_deref(), Some("ver11"));
        assert_eq!(roster.items.len(), 3);
        assert_eq!(roster.items[0].jid, bare("romeo@example.net"));
        assert_eq!(roster.items[0].name.as_deref(), Some("Romeo"));
        assert_eq!(roster.items[0].subscription, Subscription::Both);
        assert_eq!(roster.items[0].groups, ["Friends"]);
        assert_eq!(roster.items[1].subscription, Subscription::From);

        // RFC 6121 §2.6.3: an empty result means the cached roster is current.
        let iq = Iq::try_from(element("<iq id='r' type='result'/>")).unwrap();
        assert_eq!(RosterQuery::from_result(iq), Ok(None));

        // RFC 6121 §2.1.6: a roster push; ask and approved (§2.1.2.1, §2.1.2.2).
        let iq = Iq::try_from(element(
            "<iq id='a78b4q6ha463' to='juliet@example.com/chamber' type='set'>\
               <query xmlns='jabber:iq:roster' ver='ver14'>\
                 <item jid='nurse@example.com' ask='subscribe' approved='true' \
                       subscription='none'><group>Servants</group><group>Servants</group></item>\
               </query>\
             </iq>",
        ))
        .unwrap();
        assert!(RosterPush::sender_allowed(
            iq.header.from.as_ref(),
            &bare("juliet@example.com")
        ));
        let push = RosterPush::try_from(&iq).unwrap();
        assert_eq!(push, RosterPush::try_from(iq).unwrap());
        assert_eq!(push.ver.as_deref(), Some("ver14"));
        assert!(push.item.ask);
        assert!(push.item.approved);
        assert_eq!(push.item.groups, ["Servants"], "duplicate group dropped");
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&RosterQuery::get(None).into()),
            "<iq xmlns='jabber:client' id='' type='get'><query xmlns='jabber:iq:roster'/></iq>"
        );
        assert_eq!(
            xml(&RosterQuery::get(Some("")).into()),
            "<iq xmlns='jabber:client' id='' type='get'>\
             <query xmlns='jabber:iq:roster' ver=''/></iq>"
        );
        let mut item = RosterItem::new(bare("nurse@example.com"))
            .with_name("Nurse")
            .with_group("Servants")
            .with_subscription(Subscription::Both);
        item.ask = true;
        item.approved = true;
        assert_eq!(
            xml(&RosterQuery::set_item(item).into()),
            "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:roster'>\
             <item jid='nurse@example.com' name='Nurse'><group>Servants</group></item>\
             </query></iq>",
            "a client never sends subscription, ask or approved"
        );
        assert_eq!(
            xml(&RosterQuery::remove(bare("nurse@example.com")).into()),
            "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:roster'>\
             <item jid='nurse@example.com' subscription='remove'/></query></iq>"
        );
    }

    #[test]
    fn test_round_trip() {
        let mut item = RosterItem::new(bare("romeo@example.net"))
            .with_name("Romeo & co")
            .with_group("Friends")
            .with_group("Lovers")
            .with_subscription(Subscription::To);
        item.ask = true;
        item.approved = true;
        let query = RosterQuery {
            ver: Some("v2".into()),
            items: vec![item, RosterItem::new(bare("example.org"))],
        };
        let again = RosterQuery::try_from(Element::from(query.clone())).unwrap();
        assert_eq!(again, query);
        let push = RosterPush {
            ver: None,
            item: RosterItem::new(bare("a@b.c")),
        };
        let iq = Iq::set("p", push.clone().into());
        assert_eq!(RosterPush::try_from(iq), Ok(push));
    }

    #[test]
    fn test_invalid() {
        let cases: &[(&str, StanzaParseError)] = &[
            (
                "<query xmlns='jabber:iq:roster'><item name='x'/></query>",
                StanzaParseError::Missing {
                    element: "item",
                    what: "jid attribute",
                },
            ),
            (
                "<query xmlns='jabber:iq:roster'><item jid='a@b' subscription='all'/></query>",
                StanzaParseError::invalid("item", "subscription", "all"),
            ),
            (
                "<query xmlns='jabber:iq:roster'><item jid='a@b' ask='unsubscribe'/></query>",
                StanzaParseError::invalid("item", "ask", "unsubscribe"),
            ),
            (
                "<query xmlns='jabber:iq:roster'><item jid='a@b' approved='yes'/></query>",
                StanzaParseError::invalid("item", "approved", "yes"),
            ),
            (
                "<query xmlns='jabber:iq:roster'><item jid='a@b'><group/></item></query>",
                StanzaParseError::invalid("group", "name (empty)", ""),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                RosterQuery::try_from(element(text)).as_ref(),
                Err(expected),
                "{text}"
            );
        }
        for text in [
            "<query xmlns='jabber:iq:roster'><item jid='a@b/res'/></query>",
            "<query xmlns='jabber:iq:roster'><item jid='@b'/></query>",
        ] {
            assert!(
                matches!(
                    RosterQuery::try_from(element(text)),
                    Err(StanzaParseError::InvalidJid {
                        element: "item",
                        ..
                    })
                ),
                "{text}"
            );
        }
        assert!(matches!(
            RosterQuery::try_from(element("<query xmlns='jabber:iq:private'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        // Pushes: exactly one item, in an IQ set.
        let two = Iq::set(
            "p",
            element("<query xmlns='jabber:iq:roster'><item jid='a@b'/><item jid='c@d'/></query>"),
        );
        assert_eq!(
            RosterPush::try_from(&two),
            Err(StanzaParseError::invalid(
                "query",
                "number of items in a roster push",
                "2"
            ))
        );
        let get = RosterQuery::get(None);
        assert_eq!(
            RosterPush::try_from(get),
            Err(StanzaParseError::invalid("iq", "type", "get"))
        );
        assert!(!RosterPush::sender_allowed(
            Some(&"mallory@evil.example".parse().unwrap()),
            &bare("juliet@example.com")
        ));
        assert!(!RosterPush::sender_allowed(
            Some(&"juliet@example.com/balcony".parse().unwrap()),
            &bare("juliet@example.com")
        ));
    }
}
