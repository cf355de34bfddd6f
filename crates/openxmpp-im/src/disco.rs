//! Service discovery (XEP-0030) with extended info (XEP-0128).
//!
//! ```
//! use openxmpp_im::disco::{DiscoInfoQuery, DiscoInfoResult, Identity};
//! use openxmpp_im::core::xml::Element;
//!
//! let request = DiscoInfoQuery::request("capulet.lit".parse()?, None);
//! let ours = DiscoInfoResult::new()
//!     .with_identity(Identity::new("client", "pc").with_name("openXMPP"))
//!     .with_feature("http://jabber.org/protocol/disco#info")
//!     .with_feature("urn:xmpp:ping");
//! let answer = request.result(Some(ours.clone().into()));
//! let parsed = DiscoInfoResult::try_from(answer.payload_element().cloned().ok_or("empty")?)?;
//! assert!(parsed.has_feature("urn:xmpp:ping"));
//! assert_eq!(parsed, ours);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;

use openxmpp_core::jid::Jid;
use openxmpp_core::ns as core_ns;
use openxmpp_core::stanza::{Iq, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::data_form::{self, DataForm};

/// The disco#info namespace.
pub const NS_INFO: &str = core_ns::DISCO_INFO;
/// The disco#items namespace.
pub const NS_ITEMS: &str = core_ns::DISCO_ITEMS;

fn unexpected(ns: &'static str, element: &Element) -> StanzaParseError {
    unexpected_child("query", ns, element)
}

fn unexpected_child(
    expected: &'static str,
    ns: &'static str,
    element: &Element,
) -> StanzaParseError {
    StanzaParseError::UnexpectedElement {
        expected,
        ns,
        found: element.name().to_owned(),
        found_ns: element.ns().to_owned(),
    }
}

fn query(ns: &'static str, node: Option<String>) -> Element {
    Element::builder("query", ns).attr_opt("node", node).build()
}

/// A disco#info request, optionally about a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoInfoQuery {
    /// The node queried.
    pub node: Option<String>,
}

impl DiscoInfoQuery {
    /// The IQ get asking `to` about itself or one of its `node`s, with an empty id for the
    /// connection to assign.
    pub fn request(to: Jid, node: Option<&str>) -> Iq {
        let query = DiscoInfoQuery {
            node: node.map(str::to_owned),
        };
        Iq::get("", query.into()).to(to)
    }
}

impl TryFrom<Element> for DiscoInfoQuery {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS_INFO) {
            return Err(unexpected(NS_INFO, &element));
        }
        Ok(DiscoInfoQuery {
            node: element.take_attr("node"),
        })
    }
}

impl From<DiscoInfoQuery> for Element {
    fn from(query_: DiscoInfoQuery) -> Element {
        query(NS_INFO, query_.node)
    }
}

/// An identity of an entity: what it is (XEP-0030 §3.1, the Disco Categories registry).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The category (`client`, `server`, `conference`, …).
    pub category: String,
    /// The type within the category (`pc`, `im`, `text`, …).
    pub kind: String,
    /// A natural-language name.
    pub name: Option<String>,
    /// The language of the name (`xml:lang`).
    pub lang: Option<String>,
}

impl Identity {
    /// An identity without a name.
    pub fn new(category: impl Into<String>, kind: impl Into<String>) -> Self {
        Identity {
            category: category.into(),
            kind: kind.into(),
            name: None,
            lang: None,
        }
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the language of the name.
    pub fn with_lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }
}

impl TryFrom<Element> for Identity {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("identity", NS_INFO) {
            return Err(unexpected_child("identity", NS_INFO, &element));
        }
        let lang = element.lang().map(str::to_owned);
        let (mut category, mut kind, mut name) = (None, None, None);
        for attr in element.into_attrs() {
            match (attr.ns(), attr.name()) {
                (None, "category") => category = Some(attr.into_value()),
                (None, "type") => kind = Some(attr.into_value()),
                (None, "name") => name = Some(attr.into_value()),
                _ => {}
            }
        }
        let missing = |what| StanzaParseError::Missing {
            element: "identity",
            what,
        };
        Ok(Identity {
            category: category.ok_or(missing("category attribute"))?,
            kind: kind.ok_or(missing("type attribute"))?,
            name,
            lang,
        })
    }
}

impl From<Identity> for Element {
    fn from(identity: Identity) -> Element {
        let mut element = Element::builder("identity", NS_INFO)
            .attr("category", identity.category)
            .attr("type", identity.kind)
            .attr_opt("name", identity.name)
            .build();
        if let Some(lang) = identity.lang {
            element.set_lang(lang);
        }
        element
    }
}

/// A disco#info answer: identities, features and extended information forms (XEP-0128).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoInfoResult {
    /// The node described.
    pub node: Option<String>,
    /// The identities, no two alike.
    pub identities: Vec<Identity>,
    /// The supported features (namespaces), no two alike.
    pub features: Vec<String>,
    /// Extended information (XEP-0128), data forms of type `result`.
    pub extensions: Vec<DataForm>,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

impl DiscoInfoResult {
    /// An empty answer.
    pub fn new() -> Self {
        DiscoInfoResult::default()
    }

    /// Sets the node.
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Adds an identity.
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identities.push(identity);
        self
    }

    /// Adds a feature.
    pub fn with_feature(mut self, feature: impl Into<String>) -> Self {
        self.features.push(feature.into());
        self
    }

    /// Adds an extended information form.
    pub fn with_extension(mut self, form: DataForm) -> Self {
        self.extensions.push(form);
        self
    }

    /// Whether `feature` is supported.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// Whether the entity has an identity of `category` and `kind`.
    pub fn has_identity(&self, category: &str, kind: &str) -> bool {
        self.identities
            .iter()
            .any(|i| i.category == category && i.kind == kind)
    }

    /// The extended information form whose `FORM_TYPE` is `form_type`.
    pub fn extension(&self, form_type: &str) -> Option<&DataForm> {
        self.extensions
            .iter()
            .find(|f| f.form_type() == Some(form_type))
    }
}

impl TryFrom<Element> for DiscoInfoResult {
    type Error = StanzaParseError;

    /// Reads an answer, refusing duplicate identities (same category, type, language and
    /// name) and duplicate features, which XEP-0030 §3.1 forbids.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS_INFO) {
            return Err(unexpected(NS_INFO, &element));
        }
        let (attrs, nodes) = element.into_parts();
        let mut result = DiscoInfoResult {
            node: attrs
                .into_iter()
                .find(|a| a.ns().is_none() && a.name() == "node")
                .map(|a| a.into_value()),
            ..DiscoInfoResult::default()
        };
        for node in nodes {
            let Node::Element(child) = node else { continue };
            match (child.ns(), child.name()) {
                (NS_INFO, "identity") => result.identities.push(Identity::try_from(child)?),
                (NS_INFO, "feature") => {
                    let mut child = child;
                    let var = child.take_attr("var").ok_or(StanzaParseError::Missing {
                        element: "feature",
                        what: "var attribute",
                    })?;
                    result.features.push(var);
                }
                (data_form::NS, "x") => result.extensions.push(DataForm::try_from(child)?),
                _ => result.payloads.push(child),
            }
        }
        let mut identities = HashSet::with_capacity(result.identities.len());
        for identity in &result.identities {
            if !identities.insert(identity) {
                return Err(StanzaParseError::invalid(
                    "identity",
                    "duplicate identity",
                    &format!("{}/{}", identity.category, identity.kind),
                ));
            }
        }
        let mut features = HashSet::with_capacity(result.features.len());
        for feature in &result.features {
            if !features.insert(feature.as_str()) {
                return Err(StanzaParseError::invalid(
                    "feature",
                    "duplicate var",
                    feature,
                ));
            }
        }
        Ok(result)
    }
}

impl From<DiscoInfoResult> for Element {
    fn from(result: DiscoInfoResult) -> Element {
        let mut element = query(NS_INFO, result.node);
        for identity in result.identities {
            element.append_child(identity.into());
        }
        for feature in result.features {
            element.append_child(
                Element::builder("feature", NS_INFO)
                    .attr("var", feature)
                    .build(),
            );
        }
        for form in result.extensions {
            element.append_child(form.into());
        }
        for payload in result.payloads {
            element.append_child(payload);
        }
        element
    }
}

/// A disco#items request, optionally about a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoItemsQuery {
    /// The node queried.
    pub node: Option<String>,
}

impl DiscoItemsQuery {
    /// The IQ get asking `to` for its items (or those of `node`), with an empty id for the
    /// connection to assign.
    pub fn request(to: Jid, node: Option<&str>) -> Iq {
        let query = DiscoItemsQuery {
            node: node.map(str::to_owned),
        };
        Iq::get("", query.into()).to(to)
    }
}

impl TryFrom<Element> for DiscoItemsQuery {
    type Error = StanzaParseError;

    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS_ITEMS) {
            return Err(unexpected(NS_ITEMS, &element));
        }
        Ok(DiscoItemsQuery {
            node: element.take_attr("node"),
        })
    }
}

impl From<DiscoItemsQuery> for Element {
    fn from(query_: DiscoItemsQuery) -> Element {
        query(NS_ITEMS, query_.node)
    }
}

/// An item an entity lists: another entity, or a node of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The item's address.
    pub jid: Jid,
    /// The node at that address.
    pub node: Option<String>,
    /// A natural-language name.
    pub name: Option<String>,
}

impl Item {
    /// An item for `jid` without node or name.
    pub fn new(jid: Jid) -> Self {
        Item {
            jid,
            node: None,
            name: None,
        }
    }

    /// Sets the node.
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl TryFrom<Element> for Item {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("item", NS_ITEMS) {
            return Err(unexpected_child("item", NS_ITEMS, &element));
        }
        let (mut jid, mut node, mut name) = (None, None, None);
        for attr in element.into_attrs() {
            match (attr.ns(), attr.name()) {
                (None, "jid") => {
                    jid = Some(attr.value().parse::<Jid>().map_err(|source| {
                        StanzaParseError::InvalidJid {
                            element: "item",
                            attribute: "jid",
                            source,
                        }
                    })?);
                }
                (None, "node") => node = Some(attr.into_value()),
                (None, "name") => name = Some(attr.into_value()),
                _ => {}
            }
        }
        Ok(Item {
            jid: jid.ok_or(StanzaParseError::Missing {
                element: "item",
                what: "jid attribute",
            })?,
            node,
            name,
        })
    }
}

impl From<Item> for Element {
    fn from(item: Item) -> Element {
        Element::builder("item", NS_ITEMS)
            .attr("jid", item.jid.as_str())
            .attr_opt("node", item.node)
            .attr_opt("name", item.name)
            .build()
    }
}

/// A disco#items answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoItemsResult {
    /// The node listed.
    pub node: Option<String>,
    /// The items.
    pub items: Vec<Item>,
    /// Other children (such as a result set, XEP-0059), kept as received.
    pub payloads: Vec<Element>,
}

impl TryFrom<Element> for DiscoItemsResult {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS_ITEMS) {
            return Err(unexpected(NS_ITEMS, &element));
        }
        let mut result = DiscoItemsResult {
            node: element.attr("node").map(str::to_owned),
            ..DiscoItemsResult::default()
        };
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("item", NS_ITEMS) {
                result.items.push(Item::try_from(child)?);
            } else {
                result.payloads.push(child);
            }
        }
        Ok(result)
    }
}

impl From<DiscoItemsResult> for Element {
    fn from(result: DiscoItemsResult) -> Element {
        let mut element = query(NS_ITEMS, result.node);
        for item in result.items {
            element.append_child(item.into());
        }
        for payload in result.payloads {
            element.append_child(payload);
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_form::{Field, FieldType, FormType};
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0030 Example 2.
        let info = DiscoInfoResult::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
               <identity category='conference' type='text' name='Play-Specific Chatrooms'/>\
               <identity category='directory' type='chatroom' name='Play-Specific Chatrooms'/>\
               <feature var='http://jabber.org/protocol/disco#info'/>\
               <feature var='http://jabber.org/protocol/disco#items'/>\
               <feature var='http://jabber.org/protocol/muc'/>\
               <feature var='jabber:iq:register'/>\
               <feature var='jabber:iq:search'/>\
               <feature var='jabber:iq:time'/>\
               <feature var='jabber:iq:version'/>\
             </query>",
        ))
        .unwrap();
        assert_eq!(info.identities.len(), 2);
        assert_eq!(
            info.identities[0],
            Identity::new("conference", "text").with_name("Play-Specific Chatrooms")
        );
        assert!(info.has_identity("directory", "chatroom"));
        assert_eq!(info.features.len(), 7);
        assert!(info.has_feature("http://jabber.org/protocol/muc"));
        assert!(!info.has_feature("urn:xmpp:ping"));

        // XEP-0128 Example 1: extended information.
        let info = DiscoInfoResult::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
               <identity category='server' type='im'/>\
               <feature var='http://jabber.org/protocol/disco'/>\
               <x xmlns='jabber:x:data' type='result'>\
                 <field var='FORM_TYPE' type='hidden'>\
                   <value>http://jabber.org/network/serverinfo</value>\
                 </field>\
                 <field var='c2s_port'><value>5222</value></field>\
                 <field var='c2s_port_ssl'><value>5223</value></field>\
                 <field var='http_access'><value>http://shakespeare.lit/jabber</value></field>\
                 <field var='ip_version' type='text-multi'>\
                   <value>ipv4</value><value>ipv6</value>\
                 </field>\
                 <field var='info_url'><value>http://shakespeare.lit/support.php</value></field>\
               </x>\
             </query>",
        ))
        .unwrap();
        let form = info
            .extension("http://jabber.org/network/serverinfo")
            .unwrap();
        assert_eq!(form.value("c2s_port"), Some("5222"));
        assert_eq!(form.field("ip_version").unwrap().values, ["ipv4", "ipv6"]);

        // XEP-0030 Example 10: items, and Example 16: a node.
        let items = DiscoItemsResult::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#items'>\
               <item jid='people.shakespeare.lit' name='Directory of Characters'/>\
               <item jid='plays.shakespeare.lit' name='Play-Specific Chatrooms'/>\
               <item jid='catalog.shakespeare.lit' node='books' name='Books by and about Shakespeare'/>\
             </query>",
        ))
        .unwrap();
        assert_eq!(items.items.len(), 3);
        assert_eq!(items.items[0].jid.as_str(), "people.shakespeare.lit");
        assert_eq!(items.items[2].node.as_deref(), Some("books"));
        let query = DiscoItemsQuery::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#items' node='music'/>",
        ))
        .unwrap();
        assert_eq!(query.node.as_deref(), Some("music"));
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&DiscoInfoQuery::request("capulet.lit".parse().unwrap(), Some("n")).into()),
            "<iq xmlns='jabber:client' id='' to='capulet.lit' type='get'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='n'/></iq>"
        );
        assert_eq!(
            xml(&DiscoItemsQuery::request("capulet.lit".parse().unwrap(), None).into()),
            "<iq xmlns='jabber:client' id='' to='capulet.lit' type='get'>\
             <query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
        );
        let info = DiscoInfoResult::new()
            .with_identity(Identity::new("client", "pc").with_name("Ψ").with_lang("el"))
            .with_feature("urn:xmpp:ping");
        assert_eq!(
            xml(&info.into()),
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='client' type='pc' name='Ψ' xml:lang='el'/>\
             <feature var='urn:xmpp:ping'/></query>"
        );
        let items = DiscoItemsResult {
            node: None,
            items: vec![
                Item::new("a@b/c".parse().unwrap())
                    .with_node("n")
                    .with_name("x"),
            ],
            payloads: Vec::new(),
        };
        assert_eq!(
            xml(&items.into()),
            "<query xmlns='http://jabber.org/protocol/disco#items'>\
             <item jid='a@b/c' node='n' name='x'/></query>"
        );
    }

    #[test]
    fn test_round_trip() {
        let info = DiscoInfoResult::new()
            .with_node("http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=")
            .with_identity(
                Identity::new("client", "pc")
                    .with_name("Psi")
                    .with_lang("en"),
            )
            .with_identity(Identity::new("client", "pc").with_name("Ψ").with_lang("el"))
            .with_feature("http://jabber.org/protocol/caps")
            .with_extension(
                DataForm::new(FormType::Result)
                    .with_field(Field::hidden("FORM_TYPE", "urn:x"))
                    .with_field(Field::new("m", FieldType::TextMulti).with_value("1")),
            );
        let mut info = info;
        info.payloads.push(Element::new("other", "urn:example"));
        assert_eq!(
            DiscoInfoResult::try_from(Element::from(info.clone())),
            Ok(info)
        );
        let items = DiscoItemsResult {
            node: Some("n".into()),
            items: vec![Item::new("example.org".parse().unwrap())],
            payloads: vec![Element::new("set", "http://jabber.org/protocol/rsm")],
        };
        assert_eq!(
            DiscoItemsResult::try_from(Element::from(items.clone())),
            Ok(items)
        );
        let query = DiscoInfoQuery {
            node: Some("x".into()),
        };
        assert_eq!(
            DiscoInfoQuery::try_from(Element::from(query.clone())),
            Ok(query)
        );
    }

    #[test]
    fn test_invalid() {
        let info = |body: &str| {
            DiscoInfoResult::try_from(element(&format!(
                "<query xmlns='http://jabber.org/protocol/disco#info'>{body}</query>"
            )))
        };
        assert_eq!(
            info("<identity type='pc'/>"),
            Err(StanzaParseError::Missing {
                element: "identity",
                what: "category attribute"
            })
        );
        assert_eq!(
            info("<identity category='client'/>"),
            Err(StanzaParseError::Missing {
                element: "identity",
                what: "type attribute"
            })
        );
        assert_eq!(
            info("<feature/>"),
            Err(StanzaParseError::Missing {
                element: "feature",
                what: "var attribute"
            })
        );
        assert_eq!(
            info(
                "<identity category='client' type='pc' name='a'/><identity category='client' type='pc' name='a'/>"
            ),
            Err(StanzaParseError::invalid(
                "identity",
                "duplicate identity",
                "client/pc"
            ))
        );
        assert!(
            info("<identity category='client' type='pc' name='a'/><identity category='client' type='pc' name='a' xml:lang='fr'/>")
                .is_ok(),
            "a different language is a different identity"
        );
        assert_eq!(
            info("<feature var='a'/><feature var='b'/><feature var='a'/>"),
            Err(StanzaParseError::invalid("feature", "duplicate var", "a"))
        );
        assert!(matches!(
            info("<x xmlns='jabber:x:data'/>"),
            Err(StanzaParseError::Missing { element: "x", .. })
        ));
        assert!(matches!(
            DiscoItemsResult::try_from(element(
                "<query xmlns='http://jabber.org/protocol/disco#items'><item jid='@x'/></query>"
            )),
            Err(StanzaParseError::InvalidJid {
                element: "item",
                ..
            })
        ));
        assert_eq!(
            DiscoItemsResult::try_from(element(
                "<query xmlns='http://jabber.org/protocol/disco#items'><item name='x'/></query>"
            )),
            Err(StanzaParseError::Missing {
                element: "item",
                what: "jid attribute"
            })
        );
        assert!(matches!(
            DiscoInfoResult::try_from(element(
                "<query xmlns='http://jabber.org/protocol/disco#items'/>"
            )),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            Identity::try_from(Element::new("identity", NS_ITEMS)),
            Err(StanzaParseError::UnexpectedElement {
                expected: "identity",
                ..
            })
        ));
        assert!(matches!(
            Item::try_from(Element::new("item", NS_INFO)),
            Err(StanzaParseError::UnexpectedElement {
                expected: "item",
                ..
            })
        ));
        assert!(matches!(
            DiscoItemsQuery::try_from(element(
                "<query xmlns='http://jabber.org/protocol/disco#info'/>"
            )),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }

    #[test]
    fn many_features_are_checked_in_linear_time() {
        let mut info = DiscoInfoResult::new();
        for i in 0..50_000 {
            info = info.with_feature(format!("urn:f:{i}"));
        }
        let element = Element::from(info.with_feature("urn:f:0"));
        assert_eq!(
            DiscoInfoResult::try_from(element),
            Err(StanzaParseError::invalid(
                "feature",
                "duplicate var",
                "urn:f:0"
            ))
        );
    }
}
