//! Message archive management (XEP-0313, `urn:xmpp:mam:2`) with result set management
//! (XEP-0059) for paging.
//!
//! A query is an IQ set of `<query/>` ([`MamQuery`]); the archive answers with one message per
//! archived message, each carrying a `<result/>` ([`MamResult`]), then the IQ result with
//! `<fin/>` ([`MamFin`]) saying which page that was. Result messages can be sent by anyone, so
//! [`unwrap_result`] only believes those from our own account or from the archive queried.
//!
//! On top of the payloads:
//! - [`ArchiveQuery`] runs one query over as many pages as it takes, forward from the oldest
//!   message or backward from the newest ("the last N"), and hands out [`ArchivedMessage`]s
//!   oldest first (see it for the call order and the guards against archives that page in
//!   circles);
//! - [`ArchiveDedup`] drops archived messages already seen live or in an earlier query, by
//!   archive id (XEP-0359 stanza id) or by origin id and sender.
//!
//! The payloads alone:
//!
//! ```
//! use openxmpp_im::core::jid::BareJid;
//! use openxmpp_im::core::stanza::{Iq, Message};
//! use openxmpp_im::core::xml::Element;
//! use openxmpp_im::forwarded::Forwarded;
//! use openxmpp_im::mam::{MamFin, MamQuery, MamResult, SetQuery, unwrap_result};
//!
//! // The last ten messages exchanged with Juliet since June.
//! let query = MamQuery::new()
//!     .queryid("f27")
//!     .with("juliet@capulet.lit".parse()?)
//!     .start("2010-06-07T00:00:00Z".parse()?)
//!     .rsm(SetQuery::last_page(10));
//! let iq: Iq = query.into_iq("juliet1", None);
//!
//! // One archived message arrives…
//! let me: BareJid = "romeo@montague.lit".parse()?;
//! let original = Message::chat("juliet@capulet.lit".parse()?, "Hail to thee");
//! let result = MamResult::new("28482-98726-73623", Forwarded::message(original));
//! let message = Message::default().with_payload(result.with_queryid("f27").into());
//! let result = unwrap_result(&message, &me, None)?.expect("a result");
//! assert_eq!(result.id, "28482-98726-73623");
//!
//! // …then the end of the page.
//! let fin = MamFin::try_from(openxmpp_im::core::xml::Element::builder("fin", openxmpp_im::mam::NS)
//!     .attr("complete", "true")
//!     .build())?;
//! assert!(fin.complete);
//! # let _ = iq;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use openxmpp_core::error::StanzaError;
use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, IqPayload, Message, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::delay::Timestamp;
use crate::forwarded::{self, Forwarded};
use crate::parse_util::{boolean, expect, from_own_account, invalid, missing, number, take_id};

mod dedup;
mod query;

pub use dedup::{ArchiveDedup, MAX_ID_LEN};
pub use query::{
    ArchiveFilter, ArchiveQuery, ArchivedMessage, Claim, DEFAULT_PAGE_SIZE, Direction,
    MAX_PAGE_SIZE, PAGE_SLACK, Progress, QueryEnd,
};

/// The XEP-0313 namespace (version 2).
pub const NS: &str = "urn:xmpp:mam:2";

/// The result set management namespace (XEP-0059).
pub const RSM_NS: &str = "http://jabber.org/protocol/rsm";

/// The data forms namespace (XEP-0004), for the query's filter form.
pub const DATA_FORMS_NS: &str = "jabber:x:data";

/// A page request (XEP-0059 `<set/>` in a query).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetQuery {
    /// The page size.
    pub max: Option<u32>,
    /// The page after the item with this id.
    pub after: Option<String>,
    /// The page before the item with this id; `Some("")` (an empty `<before/>`) asks for the
    /// last page.
    pub before: Option<String>,
}

impl SetQuery {
    /// The first page of at most `max` items.
    pub fn max(max: u32) -> Self {
        SetQuery {
            max: Some(max),
            ..SetQuery::default()
        }
    }

    /// The last page of at most `max` items (an empty `<before/>`).
    pub fn last_page(max: u32) -> Self {
        SetQuery {
            max: Some(max),
            before: Some(String::new()),
            ..SetQuery::default()
        }
    }

    /// The page after the item `id` (the `last` of the previous page).
    pub fn after(mut self, id: impl Into<String>) -> Self {
        self.after = Some(id.into());
        self
    }

    /// The page before the item `id` (the `first` of the next page).
    pub fn before(mut self, id: impl Into<String>) -> Self {
        self.before = Some(id.into());
        self
    }
}

/// Which page was returned (XEP-0059 `<set/>` in a response).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetResult {
    /// The id of the first item on the page.
    pub first: Option<String>,
    /// The position of the first item in the whole result set.
    pub first_index: Option<u32>,
    /// The id of the last item on the page.
    pub last: Option<String>,
    /// How many items the whole result set has, if the archive says.
    pub count: Option<u32>,
}

/// An archive query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MamQuery {
    /// An id the archive repeats in every result of this query.
    pub queryid: Option<String>,
    /// The pubsub node, for archives on a node.
    pub node: Option<String>,
    /// Only messages exchanged with this JID.
    pub with: Option<Jid>,
    /// Only messages from this instant on.
    pub start: Option<Timestamp>,
    /// Only messages up to this instant.
    pub end: Option<Timestamp>,
    /// Only messages archived after the one with this archive id (the `after-id` field of
    /// `urn:xmpp:mam:2#extended`; unlike RSM `<after/>` it bounds the whole result set).
    pub after_id: Option<String>,
    /// Only messages archived before the one with this archive id (the `before-id` field of
    /// `urn:xmpp:mam:2#extended`).
    pub before_id: Option<String>,
    /// The page wanted.
    pub rsm: Option<SetQuery>,
}

impl MamQuery {
    /// A query for everything (the archive pages it as it likes).
    pub fn new() -> Self {
        MamQuery::default()
    }

    /// Sets the query id.
    pub fn queryid(mut self, id: impl Into<String>) -> Self {
        self.queryid = Some(id.into());
        self
    }

    /// Sets the node.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Only messages exchanged with `jid`.
    pub fn with(mut self, jid: Jid) -> Self {
        self.with = Some(jid);
        self
    }

    /// Only messages from `start` on.
    pub fn start(mut self, start: Timestamp) -> Self {
        self.start = Some(start);
        self
    }

    /// Only messages up to `end`.
    pub fn end(mut self, end: Timestamp) -> Self {
        self.end = Some(end);
        self
    }

    /// Only messages archived after the one with archive id `id` (needs
    /// `urn:xmpp:mam:2#extended`).
    pub fn after_id(mut self, id: impl Into<String>) -> Self {
        self.after_id = Some(id.into());
        self
    }

    /// Only messages archived before the one with archive id `id` (needs
    /// `urn:xmpp:mam:2#extended`).
    pub fn before_id(mut self, id: impl Into<String>) -> Self {
        self.before_id = Some(id.into());
        self
    }

    /// Asks for a page.
    pub fn rsm(mut self, rsm: SetQuery) -> Self {
        self.rsm = Some(rsm);
        self
    }

    /// The IQ set sending this query to `archive` (`None`: our own account's archive).
    pub fn into_iq(self, id: impl Into<String>, archive: Option<Jid>) -> Iq {
        let iq = Iq::set(id, self.into());
        match archive {
            Some(archive) => iq.to(archive),
            None => iq,
        }
    }
}

/// One archived message, as the archive sends it while answering a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MamResult {
    /// The query id, if the query had one.
    pub queryid: Option<String>,
    /// The message's id in the archive (its stanza id), for paging and deduplication.
    pub id: String,
    /// The archived message and when it was archived.
    pub forwarded: Forwarded,
}

impl MamResult {
    /// A result with archive id `id`.
    pub fn new(id: impl Into<String>, forwarded: Forwarded) -> Self {
        MamResult {
            queryid: None,
            id: id.into(),
            forwarded,
        }
    }

    /// Sets the query id.
    pub fn with_queryid(mut self, queryid: impl Into<String>) -> Self {
        self.queryid = Some(queryid.into());
        self
    }
}

/// The end of a query's answer: the IQ result's `<fin/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MamFin {
    /// Whether this was the last page in the direction of the query.
    pub complete: bool,
    /// Whether the results are stable (`false`: the archive may still change them).
    pub stable: bool,
    /// Which page this was.
    pub rsm: SetResult,
}

impl Default for MamFin {
    fn default() -> Self {
        MamFin {
            complete: false,
            stable: true,
            rsm: SetResult::default(),
        }
    }
}

impl MamFin {
    /// The `<fin/>` of an IQ result answering a query.
    ///
    /// # Errors
    /// [`StanzaParseError::Missing`] if the IQ is not a result with a payload, and the parse
    /// error of the `<fin/>` if it is malformed. An IQ error is the caller's to read.
    pub fn from_iq(iq: Iq) -> Result<Self, StanzaParseError> {
        match iq.payload {
            IqPayload::Result(Some(fin)) => MamFin::try_from(fin),
            _ => Err(missing("iq", "fin child")),
        }
    }
}

fn text_child(name: &'static str, ns: &'static str, text: String) -> Element {
    let mut e = Element::new(name, ns);
    e.append_text_string(text);
    e
}

fn field(var: &'static str, value: String) -> Element {
    Element::builder("field", DATA_FORMS_NS)
        .attr("var", var)
        .child(text_child("value", DATA_FORMS_NS, value))
        .build()
}

impl From<SetQuery> for Element {
    fn from(set: SetQuery) -> Element {
        let mut element = Element::new("set", RSM_NS);
        if let Some(max) = set.max {
            element.append_child(text_child("max", RSM_NS, max.to_string()));
        }
        if let Some(after) = set.after {
            element.append_child(text_child("after", RSM_NS, after));
        }
        if let Some(before) = set.before {
            element.append_child(text_child("before", RSM_NS, before));
        }
        element
    }
}

impl TryFrom<Element> for SetQuery {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "set", RSM_NS)?;
        let mut set = SetQuery::default();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != RSM_NS {
                continue;
            }
            match child.name() {
                "max" => set.max = Some(number("set", "max", &child.text())?),
                "after" => set.after = Some(child.into_text()),
                "before" => set.before = Some(child.into_text()),
                _ => {}
            }
        }
        Ok(set)
    }
}

impl From<SetResult> for Element {
    fn from(set: SetResult) -> Element {
        let mut element = Element::new("set", RSM_NS);
        if let Some(first) = set.first {
            let mut child = text_child("first", RSM_NS, first);
            if let Some(index) = set.first_index {
                child.set_attr("index", index.to_string());
            }
            element.append_child(child);
        }
        if let Some(last) = set.last {
            element.append_child(text_child("last", RSM_NS, last));
        }
        if let Some(count) = set.count {
            element.append_child(text_child("count", RSM_NS, count.to_string()));
        }
        element
    }
}

impl TryFrom<Element> for SetResult {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "set", RSM_NS)?;
        let mut set = SetResult::default();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != RSM_NS {
                continue;
            }
            match child.name() {
                "first" => {
                    set.first_index = child
                        .attr("index")
                        .map(|i| number("first", "index", i))
                        .transpose()?;
                    set.first = Some(child.into_text());
                }
                "last" => set.last = Some(child.into_text()),
                "count" => set.count = Some(number("set", "count", &child.text())?),
                _ => {}
            }
        }
        Ok(set)
    }
}

impl From<MamQuery> for Element {
    fn from(query: MamQuery) -> Element {
        let mut element = Element::builder("query", NS)
            .attr_opt("queryid", query.queryid)
            .attr_opt("node", query.node)
            .build();
        let filters = [
            ("with", query.with.map(|j| j.as_str().to_owned())),
            ("start", query.start.map(|t| t.to_string())),
            ("end", query.end.map(|t| t.to_string())),
            ("after-id", query.after_id),
            ("before-id", query.before_id),
        ];
        if filters.iter().any(|(_, v)| v.is_some()) {
            let mut form = Element::builder("x", DATA_FORMS_NS)
                .attr("type", "submit")
                .child(
                    Element::builder("field", DATA_FORMS_NS)
                        .attr("var", "FORM_TYPE")
                        .attr("type", "hidden")
                        .child(text_child("value", DATA_FORMS_NS, NS.to_owned())),
                )
                .build();
            for (var, value) in filters {
                if let Some(value) = value {
                    form.append_child(field(var, value));
                }
            }
            element.append_child(form);
        }
        if let Some(rsm) = query.rsm {
            element.append_child(rsm.into());
        }
        element
    }
}

impl TryFrom<Element> for MamQuery {
    type Error = StanzaParseError;

    /// Reads a `<query/>`: its form's `with`, `start`, `end`, `after-id` and `before-id` fields
    /// (other fields are ignored) and its `<set/>`. A form whose FORM_TYPE is not `urn:xmpp:mam:2` is refused.
    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "query", NS)?;
        let mut query = MamQuery {
            queryid: element.take_attr("queryid"),
            node: element.take_attr("node"),
            ..MamQuery::default()
        };
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("set", RSM_NS) {
                query.rsm = Some(SetQuery::try_from(child)?);
            } else if child.is("x", DATA_FORMS_NS) {
                read_form(child, &mut query)?;
            }
        }
        Ok(query)
    }
}

fn read_form(form: Element, query: &mut MamQuery) -> Result<(), StanzaParseError> {
    for field in form.children().filter(|f| f.is("field", DATA_FORMS_NS)) {
        let value = field
            .get_child("value", DATA_FORMS_NS)
            .map(|v| v.text())
            .unwrap_or_default();
        let timestamp = |what| Timestamp::parse(&value).map_err(|_| invalid("field", what, &value));
        match field.attr("var") {
            Some("FORM_TYPE") if value != NS => return Err(invalid("x", "FORM_TYPE", &value)),
            Some("with") => {
                query.with =
                    Some(
                        value
                            .parse()
                            .map_err(|source| StanzaParseError::InvalidJid {
                                element: "field",
                                attribute: "with",
                                source,
                            })?,
                    );
            }
            Some("start") => query.start = Some(timestamp("start")?),
            Some("end") => query.end = Some(timestamp("end")?),
            Some("after-id") => query.after_id = Some(archive_id("after-id", value)?),
            Some("before-id") => query.before_id = Some(archive_id("before-id", value)?),
            _ => {}
        }
    }
    Ok(())
}

/// An archive id field's value, which must not be empty.
fn archive_id(what: &'static str, value: Cow<'_, str>) -> Result<String, StanzaParseError> {
    if value.is_empty() {
        return Err(invalid("field", what, ""));
    }
    Ok(value.into_owned())
}

impl TryFrom<Element> for MamResult {
    type Error = StanzaParseError;

    /// Reads `<result/>`: a non-empty `id` and exactly one `<forwarded/>`.
    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "result", NS)?;
        let id = take_id(&mut element, "result", "id", "id")?;
        let queryid = element.take_attr("queryid");
        let mut forwarded = None;
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("forwarded", forwarded::NS) {
                if forwarded.is_some() {
                    return Err(invalid("result", "number of forwarded children", "2"));
                }
                forwarded = Some(Forwarded::try_from(child)?);
            }
        }
        Ok(MamResult {
            queryid,
            id,
            forwarded: forwarded.ok_or(missing("result", "forwarded child"))?,
        })
    }
}

impl From<MamResult> for Element {
    fn from(result: MamResult) -> Element {
        Element::builder("result", NS)
            .attr_opt("queryid", result.queryid)
            .attr("id", result.id)
            .child(Element::from(result.forwarded))
            .build()
    }
}

impl TryFrom<Element> for MamFin {
    type Error = StanzaParseError;

    /// Reads `<fin/>`. `complete` defaults to false and `stable` to true; a missing `<set/>`
    /// (which some archives omit for an empty result) reads as an empty one.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "fin", NS)?;
        let complete = element
            .attr("complete")
            .map(|v| boolean("fin", "complete", v))
            .transpose()?
            .unwrap_or(false);
        let stable = element
            .attr("stable")
            .map(|v| boolean("fin", "stable", v))
            .transpose()?
            .unwrap_or(true);
        let mut rsm = SetResult::default();
        for node in element.into_nodes() {
            if let Node::Element(child) = node
                && child.is("set", RSM_NS)
            {
                rsm = SetResult::try_from(child)?;
            }
        }
        Ok(MamFin {
            complete,
            stable,
            rsm,
        })
    }
}

impl From<MamFin> for Element {
    fn from(fin: MamFin) -> Element {
        Element::builder("fin", NS)
            .attr_opt("complete", fin.complete.then_some("true"))
            .attr_opt("stable", (!fin.stable).then_some("false"))
            .child(Element::from(fin.rsm))
            .build()
    }
}

/// Why an archive result, or a query's answer, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MamError {
    /// The result comes from neither our own account nor the archive queried.
    #[error(
        "archive result from {from}, which is neither our account {own} nor the archive queried"
    )]
    UnexpectedSender {
        /// Who sent it.
        from: Jid,
        /// Our bare JID.
        own: BareJid,
    },
    /// The result or the `<fin/>` is malformed.
    #[error("invalid archive result: {0}")]
    Invalid(#[from] StanzaParseError),
    /// The archive refused the query (`item-not-found` for an archive id it does not know,
    /// `feature-not-implemented` for a filter it does not support, …).
    #[error("the archive refused the query: {0}")]
    Archive(Box<StanzaError>),
    /// A page brought more results than asked for, beyond the slack allowed: the rest are
    /// refused.
    #[error("the archive sent more than {limit} results for one page")]
    TooManyResults {
        /// How many results the page could bring.
        limit: u32,
    },
    /// A result or an answer for the query came while no page was awaited.
    #[error("archive query {queryid} awaits no page")]
    NoPageInFlight {
        /// The query's id.
        queryid: String,
    },
    /// An IQ answer that does not answer the page request (another id).
    #[error("IQ response {id} does not answer the archive page request {expected}")]
    WrongResponse {
        /// The answer's id.
        id: String,
        /// The request's id.
        expected: String,
    },
}

/// Checks that a result message comes from an archive we queried: our own account's (`from`
/// absent or our bare JID) or `archive`, the JID the query was sent to (a room, say).
///
/// # Errors
/// [`MamError::UnexpectedSender`] for any other sender.
pub fn check_sender(
    message: &Message,
    own_bare: &BareJid,
    archive: Option<&Jid>,
) -> Result<(), MamError> {
    let from = message.header.from.as_ref();
    if from_own_account(from, own_bare) || (from.is_some() && from == archive) {
        return Ok(());
    }
    Err(MamError::UnexpectedSender {
        from: from.cloned().unwrap_or_else(|| own_bare.clone().into()),
        own: own_bare.clone(),
    })
}

/// The archive result `message` carries: `Ok(None)` if it carries none, else the result after
/// [`check_sender`]. The caller matches `queryid` against its query.
///
/// # Errors
/// [`MamError::UnexpectedSender`] for a result from anyone but the archives we query, and
/// [`MamError::Invalid`] for a malformed one.
pub fn unwrap_result(
    message: &Message,
    own_bare: &BareJid,
    archive: Option<&Jid>,
) -> Result<Option<MamResult>, MamError> {
    let Some(result) = message.payload("result", NS) else {
        return Ok(None);
    };
    check_sender(message, own_bare, archive)?;
    Ok(Some(MamResult::try_from(result.clone())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    fn me() -> BareJid {
        "juliet@capulet.lit".parse().unwrap()
    }

    const RESULT: &str = "<message id='aeb213' to='juliet@capulet.lit/chamber'>\
          <result xmlns='urn:xmpp:mam:2' queryid='f27' id='28482-98726-73623'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
              <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
              <message xmlns='jabber:client' from='witch@shakespeare.lit' to='macbeth@shakespeare.lit'>\
                <body>Hail to thee</body>\
              </message>\
            </forwarded>\
          </result>\
        </message>";

    #[test]
    fn test_simple() {
        // XEP-0313 example 2: a bare query.
        let iq = Iq::try_from(element(
            "<iq type='set' id='juliet1'><query xmlns='urn:xmpp:mam:2' queryid='f27'/></iq>",
        ))
        .unwrap();
        let query = MamQuery::try_from(iq.payload_element().unwrap().clone()).unwrap();
        assert_eq!(query, MamQuery::new().queryid("f27"));

        // Example 3: a result.
        let message = Message::try_from(element(RESULT)).unwrap();
        let result = unwrap_result(&message, &me(), None).unwrap().unwrap();
        assert_eq!(result.queryid.as_deref(), Some("f27"));
        assert_eq!(result.id, "28482-98726-73623");
        assert_eq!(
            result.forwarded.delay.as_ref().unwrap().stamp.to_string(),
            "2010-07-10T23:08:25Z"
        );
        assert_eq!(
            result.forwarded.as_message().unwrap().body(),
            Some("Hail to thee")
        );

        // Example 4: the end of the results.
        let iq = Iq::try_from(element(
            "<iq type='result' id='juliet1'>\
               <fin xmlns='urn:xmpp:mam:2'>\
                 <set xmlns='http://jabber.org/protocol/rsm'>\
                   <first index='0'>28482-98726-73623</first>\
                   <last>09af3-cc343-b409f</last>\
                 </set>\
               </fin>\
             </iq>",
        ))
        .unwrap();
        let fin = MamFin::from_iq(iq).unwrap();
        assert!(!fin.complete);
        assert!(fin.stable);
        assert_eq!(
            fin.rsm,
            SetResult {
                first: Some("28482-98726-73623".into()),
                first_index: Some(0),
                last: Some("09af3-cc343-b409f".into()),
                count: None,
            }
        );

        // Filtering by JID and time, and paging.
        let query = MamQuery::try_from(element(
            "<query xmlns='urn:xmpp:mam:2'>\
               <x xmlns='jabber:x:data' type='submit'>\
                 <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
                 <field var='with'><value>juliet@capulet.lit</value></field>\
                 <field var='start'><value>2010-06-07T00:00:00Z</value></field>\
                 <field var='end'><value>2010-07-07T13:23:54Z</value></field>\
               </x>\
               <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set>\
             </query>",
        ))
        .unwrap();
        assert_eq!(query.with.unwrap().as_str(), "juliet@capulet.lit");
        assert_eq!(query.start.unwrap().to_string(), "2010-06-07T00:00:00Z");
        assert_eq!(query.end.unwrap().to_string(), "2010-07-07T13:23:54Z");
        assert_eq!(query.rsm, Some(SetQuery::last_page(10)));

        // The last page, complete and unstable, with a count.
        let fin = MamFin::try_from(element(
            "<fin xmlns='urn:xmpp:mam:2' complete='true' stable='false'>\
               <set xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin>",
        ))
        .unwrap();
        assert!(fin.complete);
        assert!(!fin.stable);
        assert_eq!(fin.rsm.count, Some(0));
    }

    #[test]
    fn test_serialise() {
        let query = MamQuery::new()
            .queryid("f27")
            .with("juliet@capulet.lit".parse().unwrap())
            .start("2010-06-07T02:00:00+02:00".parse().unwrap())
            .rsm(SetQuery::max(10).after("09af3-cc343-b409f"));
        assert_eq!(
            xml(&query.into_iq("q1", None).into()),
            "<iq xmlns='jabber:client' id='q1' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='f27'>\
             <x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
             <field var='with'><value>juliet@capulet.lit</value></field>\
             <field var='start'><value>2010-06-07T00:00:00Z</value></field>\
             </x>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>09af3-cc343-b409f</after></set>\
             </query></iq>"
        );
        assert_eq!(
            xml(&MamQuery::new()
                .rsm(SetQuery::last_page(20))
                .into_iq("q2", Some("coven@chat.shakespeare.lit".parse().unwrap()))
                .into()),
            "<iq xmlns='jabber:client' id='q2' to='coven@chat.shakespeare.lit' type='set'>\
             <query xmlns='urn:xmpp:mam:2'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>20</max><before/></set>\
             </query></iq>"
        );
        assert_eq!(
            xml(&MamQuery::new()
                .after_id("09af3-cc343-b409f")
                .before_id("28482-98726-73623")
                .into()),
            "<query xmlns='urn:xmpp:mam:2'>\
             <x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
             <field var='after-id'><value>09af3-cc343-b409f</value></field>\
             <field var='before-id'><value>28482-98726-73623</value></field>\
             </x></query>"
        );
        let fin = MamFin {
            complete: true,
            stable: false,
            rsm: SetResult {
                first: Some("a".into()),
                first_index: Some(3),
                last: Some("b".into()),
                count: Some(5),
            },
        };
        assert_eq!(
            xml(&fin.into()),
            "<fin xmlns='urn:xmpp:mam:2' complete='true' stable='false'>\
             <set xmlns='http://jabber.org/protocol/rsm'><first index='3'>a</first><last>b</last>\
             <count>5</count></set></fin>"
        );
    }

    #[test]
    fn round_trip() {
        let query = MamQuery::new()
            .queryid("q")
            .node("n")
            .with("a@b.c/d".parse().unwrap())
            .start(Timestamp::from_unix(0, 0).unwrap())
            .end(Timestamp::from_unix(1, 5).unwrap())
            .after_id("a1")
            .before_id("b2")
            .rsm(SetQuery::max(5).before("x"));
        assert_eq!(
            MamQuery::try_from(Element::from(query.clone())).unwrap(),
            query
        );
        let message = Message::try_from(element(RESULT)).unwrap();
        let result = unwrap_result(&message, &me(), None).unwrap().unwrap();
        assert_eq!(
            MamResult::try_from(Element::from(result.clone())).unwrap(),
            result
        );
        for fin in [
            MamFin::default(),
            MamFin {
                complete: true,
                stable: false,
                rsm: SetResult {
                    count: Some(1),
                    ..SetResult::default()
                },
            },
        ] {
            assert_eq!(MamFin::try_from(Element::from(fin.clone())).unwrap(), fin);
        }
    }

    #[test]
    fn results_only_from_the_archives_queried() {
        let with_from = |from: &str| {
            Message::try_from(element(
                &RESULT.replace("<message id", &format!("<message from='{from}' id")),
            ))
            .unwrap()
        };
        // Our own archive: from absent (above) or our bare JID.
        assert!(
            unwrap_result(&with_from("juliet@capulet.lit"), &me(), None)
                .unwrap()
                .is_some()
        );
        // A room's archive we queried.
        let room: Jid = "coven@chat.shakespeare.lit".parse().unwrap();
        assert!(
            unwrap_result(&with_from("coven@chat.shakespeare.lit"), &me(), Some(&room))
                .unwrap()
                .is_some()
        );
        // Anyone else is refused.
        for forger in [
            "witch@shakespeare.lit",
            "juliet@capulet.lit/balcony",
            "capulet.lit",
        ] {
            let err = unwrap_result(&with_from(forger), &me(), Some(&room)).unwrap_err();
            assert_eq!(
                err,
                MamError::UnexpectedSender {
                    from: forger.parse().unwrap(),
                    own: me()
                }
            );
            assert!(err.to_string().contains(forger));
        }
        // The room, when we did not query it.
        assert!(unwrap_result(&with_from("coven@chat.shakespeare.lit"), &me(), None).is_err());
        // Not a result.
        let plain = Message::try_from(element("<message from='witch@shakespeare.lit'/>")).unwrap();
        assert_eq!(unwrap_result(&plain, &me(), None), Ok(None));
    }

    #[test]
    fn test_invalid() {
        let fwd =
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded>";
        let results = [
            (
                format!("<result xmlns='urn:xmpp:mam:2'>{fwd}</result>"),
                "id",
            ),
            (
                format!("<result xmlns='urn:xmpp:mam:2' id=''>{fwd}</result>"),
                "id",
            ),
            (
                "<result xmlns='urn:xmpp:mam:2' id='a'/>".to_owned(),
                "forwarded child",
            ),
            (
                format!("<result xmlns='urn:xmpp:mam:2' id='a'>{fwd}{fwd}</result>"),
                "number of forwarded children",
            ),
        ];
        for (input, what) in &results {
            let err = MamResult::try_from(element(input)).unwrap_err();
            assert!(
                matches!(&err, StanzaParseError::Missing { what: w, .. } | StanzaParseError::InvalidValue { what: w, .. } if w == what),
                "{input}: {err:?}"
            );
        }
        assert!(matches!(
            MamResult::try_from(element(&format!(
                "<result xmlns='urn:xmpp:mam:1' id='a'>{fwd}</result>"
            ))),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let bad_in_message = Message::try_from(element(&format!(
            "<message><result xmlns='urn:xmpp:mam:2'>{fwd}</result></message>"
        )))
        .unwrap();
        assert!(matches!(
            unwrap_result(&bad_in_message, &me(), None),
            Err(MamError::Invalid(_))
        ));

        let form = |fields: &str| {
            MamQuery::try_from(element(&format!(
                "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{fields}</x></query>"
            )))
        };
        assert!(matches!(
            form("<field var='FORM_TYPE'><value>urn:xmpp:mam:1</value></field>"),
            Err(StanzaParseError::InvalidValue {
                what: "FORM_TYPE",
                ..
            })
        ));
        assert!(matches!(
            form("<field var='with'><value>@</value></field>"),
            Err(StanzaParseError::InvalidJid {
                attribute: "with",
                ..
            })
        ));
        assert!(matches!(
            form("<field var='start'><value>2010-06-07</value></field>"),
            Err(StanzaParseError::InvalidValue { what: "start", .. })
        ));
        assert!(matches!(
            form("<field var='end'/>"),
            Err(StanzaParseError::InvalidValue { what: "end", .. })
        ));
        assert!(matches!(
            form("<field var='after-id'><value></value></field>"),
            Err(StanzaParseError::InvalidValue {
                what: "after-id",
                ..
            })
        ));
        assert!(matches!(
            form("<field var='before-id'/>"),
            Err(StanzaParseError::InvalidValue {
                what: "before-id",
                ..
            })
        ));
        assert!(matches!(
            MamQuery::try_from(element(
                "<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>-1</max></set></query>"
            )),
            Err(StanzaParseError::InvalidValue { what: "max", .. })
        ));
        assert!(matches!(
            SetQuery::try_from(element(
                "<set xmlns='http://jabber.org/protocol/rsm'><max>99999999999999999999</max></set>"
            )),
            Err(StanzaParseError::InvalidValue { what: "max", .. })
        ));
        for fin in [
            "<fin xmlns='urn:xmpp:mam:2' complete='yes'/>",
            "<fin xmlns='urn:xmpp:mam:2' stable='no'/>",
            "<fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><count>many</count></set></fin>",
            "<fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><first index='x'>a</first></set></fin>",
        ] {
            assert!(
                matches!(
                    MamFin::try_from(element(fin)),
                    Err(StanzaParseError::InvalidValue { .. })
                ),
                "{fin}"
            );
        }
        assert!(matches!(
            MamFin::try_from(element("<fin xmlns='urn:xmpp:mam:1'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert_eq!(
            MamFin::from_iq(Iq::try_from(element("<iq type='result' id='a'/>")).unwrap()),
            Err(StanzaParseError::Missing {
                element: "iq",
                what: "fin child"
            })
        );
    }
}
