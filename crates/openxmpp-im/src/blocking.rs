//! Blocking command (XEP-0191): fetch the blocklist, block and unblock JIDs, and follow the
//! server's pushes when another resource changes the list.
//!
//! ```
//! use openxmpp_im::blocking::{Block, BlockingPush, Unblock, parse_push, request_blocklist};
//! use openxmpp_im::core::jid::BareJid;
//! use openxmpp_im::core::stanza::Iq;
//! use openxmpp_im::core::xml::Element;
//!
//! let get = request_blocklist("blocklist1");
//! let block = Block::one("romeo@montague.net".parse()?).into_iq("block1");
//! let unblock_all = Unblock::all().into_iq("unblock2");
//! assert_eq!(
//!     Element::from(unblock_all).to_string(),
//!     "<iq xmlns='jabber:client' id='unblock2' type='set'><unblock xmlns='urn:xmpp:blocking'/></iq>"
//! );
//!
//! // The server pushes the change to every resource (`from` absent or our bare JID).
//! let me: BareJid = "juliet@capulet.com".parse()?;
//! let push = Iq::try_from(Element::from(block))?;
//! let Some(BlockingPush::Block(b)) = parse_push(&push, &me)? else { panic!() };
//! assert_eq!(b.items[0].as_str(), "romeo@montague.net");
//! # let _ = get;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, IqPayload, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::parse_util::{expect, from_own_account, jid_attr, missing};

/// The XEP-0191 namespace.
pub const NS: &str = "urn:xmpp:blocking";

/// The IQ that asks for the blocklist; the result carries a [`Blocklist`].
pub fn request_blocklist(id: impl Into<String>) -> Iq {
    Iq::get(id, Element::new("blocklist", NS))
}

/// The blocklist: every blocked JID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocklist {
    /// The blocked JIDs, in the order the server listed them.
    pub items: Vec<Jid>,
}

/// A request (or push) to block one or more JIDs. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The JIDs to block (at least one).
    pub items: Vec<Jid>,
}

/// A request (or push) to unblock some JIDs, or every JID if `items` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unblock {
    /// The JIDs to unblock; empty means all of them.
    pub items: Vec<Jid>,
}

impl Block {
    /// Blocks one JID.
    pub fn one(jid: Jid) -> Self {
        Block { items: vec![jid] }
    }

    /// Blocks these JIDs; `None` if there are none (a block needs at least one).
    pub fn new(jids: impl IntoIterator<Item = Jid>) -> Option<Self> {
        let items: Vec<Jid> = jids.into_iter().collect();
        (!items.is_empty()).then_some(Block { items })
    }

    /// The IQ set that sends this request.
    pub fn into_iq(self, id: impl Into<String>) -> Iq {
        Iq::set(id, self.into())
    }
}

impl Unblock {
    /// Unblocks every JID.
    pub fn all() -> Self {
        Unblock { items: Vec::new() }
    }

    /// Unblocks one JID.
    pub fn one(jid: Jid) -> Self {
        Unblock { items: vec![jid] }
    }

    /// Unblocks these JIDs; `None` if there are none, so that an empty selection never turns
    /// into "unblock everyone" by accident (use [`Unblock::all`] for that).
    pub fn new(jids: impl IntoIterator<Item = Jid>) -> Option<Self> {
        let items: Vec<Jid> = jids.into_iter().collect();
        (!items.is_empty()).then_some(Unblock { items })
    }

    /// Whether this unblocks every JID.
    pub fn is_all(&self) -> bool {
        self.items.is_empty()
    }

    /// The IQ set that sends this request.
    pub fn into_iq(self, id: impl Into<String>) -> Iq {
        Iq::set(id, self.into())
    }
}

/// Reads the `<item jid='…'/>` children of a blocking element.
fn items(element: Element) -> Result<Vec<Jid>, StanzaParseError> {
    let mut items = Vec::new();
    for node in element.into_nodes() {
        let Node::Element(child) = node else { continue };
        if child.is("item", NS) {
            items.push(jid_attr(&child, "item", "jid")?.ok_or(missing("item", "jid"))?);
        }
    }
    Ok(items)
}

/// An element `name` with one `<item/>` per JID.
fn with_items(name: &'static str, items: Vec<Jid>) -> Element {
    Element::builder(name, NS)
        .children(items.into_iter().map(|jid| {
            Element::builder("item", NS)
                .attr("jid", jid.as_str().to_owned())
                .build()
        }))
        .build()
}

impl TryFrom<Element> for Blocklist {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "blocklist", NS)?;
        Ok(Blocklist {
            items: items(element)?,
        })
    }
}

impl From<Blocklist> for Element {
    fn from(list: Blocklist) -> Element {
        with_items("blocklist", list.items)
    }
}

impl TryFrom<Element> for Block {
    type Error = StanzaParseError;

    /// Reads `<block/>`, which must name at least one JID.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "block", NS)?;
        Block::new(items(element)?).ok_or(missing("block", "item"))
    }
}

impl From<Block> for Element {
    fn from(block: Block) -> Element {
        with_items("block", block.items)
    }
}

impl TryFrom<Element> for Unblock {
    type Error = StanzaParseError;

    /// Reads `<unblock/>`; without items it unblocks everyone.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "unblock", NS)?;
        Ok(Unblock {
            items: items(element)?,
        })
    }
}

impl From<Unblock> for Element {
    fn from(unblock: Unblock) -> Element {
        with_items("unblock", unblock.items)
    }
}

/// A change to the blocklist pushed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockingPush {
    /// These JIDs are now blocked.
    Block(Block),
    /// These JIDs (or all, if none are named) are now unblocked.
    Unblock(Unblock),
}

/// Why an IQ that looks like a blocking push was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The push does not come from our own account.
    #[error("blocklist push from {from}, not from our own account {own}")]
    NotFromAccount {
        /// Who sent it.
        from: Jid,
        /// Our bare JID.
        own: BareJid,
    },
    /// The push is malformed.
    #[error("invalid blocklist push: {0}")]
    Invalid(#[from] StanzaParseError),
}

/// The blocklist push `iq` carries: `Ok(None)` if it is not an IQ set of `<block/>` or
/// `<unblock/>`. The caller answers a push with an empty result ([`Iq::result`]), and one that
/// was refused with an error.
///
/// # Errors
/// [`PushError::NotFromAccount`] if it comes from anyone but our account (`from` absent or our
/// bare JID), [`PushError::Invalid`] if it is malformed.
pub fn parse_push(iq: &Iq, own_bare: &BareJid) -> Result<Option<BlockingPush>, PushError> {
    let IqPayload::Set(payload) = &iq.payload else {
        return Ok(None);
    };
    if payload.ns() != NS || !matches!(payload.name(), "block" | "unblock") {
        return Ok(None);
    }
    if !from_own_account(iq.header.from.as_ref(), own_bare) {
        return Err(PushError::NotFromAccount {
            from: iq
                .header
                .from
                .clone()
                .unwrap_or_else(|| own_bare.clone().into()),
            own: own_bare.clone(),
        });
    }
    let push = if payload.name() == "block" {
        BlockingPush::Block(Block::try_from(payload.clone())?)
    } else {
        BlockingPush::Unblock(Unblock::try_from(payload.clone())?)
    };
    Ok(Some(push))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    fn me() -> BareJid {
        "juliet@capulet.com".parse().unwrap()
    }

    fn iq(xml: &str) -> Iq {
        Iq::try_from(element(xml)).unwrap()
    }

    #[test]
    fn test_simple() {
        // XEP-0191 example 2: the blocklist.
        let result = iq("<iq type='result' id='blocklist1'>\
               <blocklist xmlns='urn:xmpp:blocking'>\
                 <item jid='romeo@montague.net'/>\
                 <item jid='iago@shakespeare.lit'/>\
               </blocklist>\
             </iq>");
        let list = Blocklist::try_from(result.payload_element().unwrap().clone()).unwrap();
        assert_eq!(
            list.items,
            vec![jid("romeo@montague.net"), jid("iago@shakespeare.lit")]
        );
        // Example 3: an empty blocklist.
        let empty = Blocklist::try_from(element("<blocklist xmlns='urn:xmpp:blocking'/>")).unwrap();
        assert!(empty.items.is_empty());
        // Examples 5 and 7: a block request and its push.
        let push = iq("<iq to='juliet@capulet.com/chamber' type='set' id='push1'>\
               <block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></block>\
             </iq>");
        assert_eq!(
            parse_push(&push, &me()).unwrap(),
            Some(BlockingPush::Block(Block::one(jid("romeo@montague.net"))))
        );
        // Examples 13 and 18: unblock one, unblock all.
        let one = iq(
            "<iq from='juliet@capulet.com' to='juliet@capulet.com/chamber' type='set' id='push3'>\
               <unblock xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></unblock>\
             </iq>",
        );
        assert_eq!(
            parse_push(&one, &me()).unwrap(),
            Some(BlockingPush::Unblock(Unblock::one(jid(
                "romeo@montague.net"
            ))))
        );
        let all = iq("<iq to='juliet@capulet.com/chamber' type='set' id='push5'>\
               <unblock xmlns='urn:xmpp:blocking'/>\
             </iq>");
        let Some(BlockingPush::Unblock(u)) = parse_push(&all, &me()).unwrap() else {
            panic!()
        };
        assert!(u.is_all());
        // Not a push at all.
        assert_eq!(parse_push(&request_blocklist("b"), &me()), Ok(None));
        assert_eq!(
            parse_push(
                &iq("<iq type='set' id='r'><query xmlns='jabber:iq:roster'/></iq>"),
                &me()
            ),
            Ok(None)
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&request_blocklist("blocklist1").into()),
            "<iq xmlns='jabber:client' id='blocklist1' type='get'><blocklist xmlns='urn:xmpp:blocking'/></iq>"
        );
        let block = Block::new([jid("romeo@montague.net"), jid("iago@shakespeare.lit")]).unwrap();
        assert_eq!(
            xml(&block.into_iq("block1").into()),
            "<iq xmlns='jabber:client' id='block1' type='set'><block xmlns='urn:xmpp:blocking'>\
             <item jid='romeo@montague.net'/><item jid='iago@shakespeare.lit'/></block></iq>"
        );
        assert_eq!(
            xml(&Unblock::one(jid("romeo@montague.net"))
                .into_iq("unblock1")
                .into()),
            "<iq xmlns='jabber:client' id='unblock1' type='set'><unblock xmlns='urn:xmpp:blocking'>\
             <item jid='romeo@montague.net'/></unblock></iq>"
        );
        assert_eq!(
            xml(&Blocklist::default().into()),
            "<blocklist xmlns='urn:xmpp:blocking'/>"
        );
    }

    #[test]
    fn round_trip() {
        let list = Blocklist {
            items: vec![jid("a@b.c"), jid("d.e/f")],
        };
        assert_eq!(
            Blocklist::try_from(Element::from(list.clone())).unwrap(),
            list
        );
        let block = Block::one(jid("a@b.c"));
        assert_eq!(
            Block::try_from(Element::from(block.clone())).unwrap(),
            block
        );
        for unblock in [Unblock::all(), Unblock::one(jid("a@b.c"))] {
            assert_eq!(
                Unblock::try_from(Element::from(unblock.clone())).unwrap(),
                unblock
            );
        }
    }

    #[test]
    fn test_invalid() {
        assert_eq!(Block::new([]), None);
        assert_eq!(
            Unblock::new([]),
            None,
            "an empty selection is not 'unblock all'"
        );
        assert_eq!(
            Block::try_from(element("<block xmlns='urn:xmpp:blocking'/>")).unwrap_err(),
            StanzaParseError::Missing {
                element: "block",
                what: "item"
            }
        );
        assert_eq!(
            Blocklist::try_from(element(
                "<blocklist xmlns='urn:xmpp:blocking'><item/></blocklist>"
            ))
            .unwrap_err(),
            StanzaParseError::Missing {
                element: "item",
                what: "jid"
            }
        );
        assert!(matches!(
            Unblock::try_from(element(
                "<unblock xmlns='urn:xmpp:blocking'><item jid='@'/></unblock>"
            )),
            Err(StanzaParseError::InvalidJid {
                element: "item",
                ..
            })
        ));
        assert!(matches!(
            Blocklist::try_from(element("<blocklist xmlns='urn:xmpp:block'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        // A push from anyone but our account is refused.
        let forged = iq("<iq from='romeo@montague.net' type='set' id='p'>\
               <unblock xmlns='urn:xmpp:blocking'/></iq>");
        let err = parse_push(&forged, &me()).unwrap_err();
        assert_eq!(
            err,
            PushError::NotFromAccount {
                from: jid("romeo@montague.net"),
                own: me()
            }
        );
        assert!(err.to_string().contains("romeo@montague.net"));
        let from_resource = iq("<iq from='juliet@capulet.com/other' type='set' id='p'>\
               <unblock xmlns='urn:xmpp:blocking'/></iq>");
        assert!(matches!(
            parse_push(&from_resource, &me()),
            Err(PushError::NotFromAccount { .. })
        ));
        let empty_block = iq("<iq type='set' id='p'><block xmlns='urn:xmpp:blocking'/></iq>");
        assert!(matches!(
            parse_push(&empty_block, &me()),
            Err(PushError::Invalid(StanzaParseError::Missing { .. }))
        ));
    }
}
