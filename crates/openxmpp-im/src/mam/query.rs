//! One archive query over many pages: [`ArchiveQuery`] and what it hands out.

use std::collections::{HashSet, VecDeque};

use openxmpp_core::error::StanzaError;
use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, IqPayload, Message, StanzaParseError};

use super::dedup::RecentIds;
use super::{MamError, MamFin, MamQuery, MamResult, NS, SetQuery, check_sender};
use crate::delay::{self, Timestamp};
use crate::parse_util::invalid;

/// The page size [`ArchiveQuery::new`] asks for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The largest page size asked for; larger ones are lowered to it.
pub const MAX_PAGE_SIZE: u32 = 500;

/// How many results beyond the page size a page may bring before the rest are refused
/// ([`MamError::TooManyResults`]).
pub const PAGE_SLACK: u32 = 10;

/// How many archive ids (and page cursors) a query remembers to drop results it already has.
const SEEN_CAPACITY: usize = 100_000;

/// Which end of the archive a query starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the oldest matching message on (RSM `<after/>` paging).
    #[default]
    Forward,
    /// From the newest matching message back ("the last N messages": RSM `<before/>` paging).
    Backward,
}

/// Which messages a query asks for. Everything is optional; the default asks for everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFilter {
    /// Only messages exchanged with this JID (a bare JID matches all its resources).
    pub with: Option<Jid>,
    /// Only messages from this instant on.
    pub start: Option<Timestamp>,
    /// Only messages up to this instant.
    pub end: Option<Timestamp>,
    /// Only messages after the one with this archive id. A forward query starts its paging
    /// there (RSM `<after/>`, which every archive understands); a backward one sends it as
    /// the `after-id` field, which needs `urn:xmpp:mam:2#extended`.
    pub after_id: Option<String>,
    /// Only messages before the one with this archive id. A backward query starts its paging
    /// there (RSM `<before/>`); a forward one sends it as the `before-id` field, which needs
    /// `urn:xmpp:mam:2#extended`.
    pub before_id: Option<String>,
}

impl ArchiveFilter {
    /// No filter: every message.
    pub fn new() -> Self {
        ArchiveFilter::default()
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

    /// Only messages after the one with archive id `id`.
    pub fn after_id(mut self, id: impl Into<String>) -> Self {
        self.after_id = Some(id.into());
        self
    }

    /// Only messages before the one with archive id `id`.
    pub fn before_id(mut self, id: impl Into<String>) -> Self {
        self.before_id = Some(id.into());
        self
    }
}

/// A message found in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedMessage {
    /// The archive it was found in: our own bare JID, or the room's.
    pub archive: BareJid,
    /// Its id in that archive (the result's `id`, which is also the XEP-0359 stanza id the
    /// archive stamped it with).
    pub archive_id: String,
    /// The message as archived.
    pub message: Message,
    /// When it was originally sent: the forward's `<delay/>`, else one inside the message.
    pub delay: Option<Timestamp>,
}

impl ArchivedMessage {
    /// The archived message `result` carries, found in `archive`.
    ///
    /// # Errors
    /// [`StanzaParseError::InvalidValue`] if the forwarded stanza is not a message.
    pub fn from_result(archive: BareJid, result: MamResult) -> Result<Self, StanzaParseError> {
        let outer = result.forwarded.delay.as_ref().map(|d| d.stamp);
        let message = result
            .forwarded
            .into_message()
            .ok_or_else(|| invalid("forwarded", "stanza", "not a message"))?;
        // A malformed stamp inside the message is not worth losing the message over.
        let delay = outer.or_else(|| delay::delay(&message).ok().flatten().map(|d| d.stamp));
        Ok(ArchivedMessage {
            archive,
            archive_id: result.id,
            message,
            delay,
        })
    }

    /// Who sent the message (absent for some of our own outgoing messages).
    pub fn from(&self) -> Option<&Jid> {
        self.message.header.from.as_ref()
    }

    /// Whom the message was sent to.
    pub fn to(&self) -> Option<&Jid> {
        self.message.header.to.as_ref()
    }
}

/// What [`ArchiveQuery::handle_message`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Claim {
    /// Not a result of this query (no result at all, or another query's): the caller handles
    /// the message as it would otherwise.
    NotOurs,
    /// A result of this query, collected.
    Collected,
    /// A result of this query that repeats one already collected: dropped.
    Duplicate,
}

/// Why a query ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryEnd {
    /// The archive said the last page was sent (`<fin complete='true'/>`).
    Complete,
    /// The query's limit was reached.
    LimitReached,
    /// A page came back empty without saying it was the last; taken as the end.
    EmptyPage,
    /// The archive cannot be paged further: a page's cursor repeats an earlier page's (an
    /// archive returning the same `<last/>` twice), a page gave no cursor at all, or a page
    /// brought nothing new (only repeats or malformed results). Stopped rather than asking for
    /// the same page forever.
    Stalled {
        /// The repeated cursor, if there was one.
        cursor: Option<String>,
    },
}

/// Where a query stands after a page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// There is more: call [`ArchiveQuery::next_request`] for the next page.
    NeedsNextPage {
        /// How many new results the page brought.
        collected: usize,
        /// How many messages match the query in all, if the archive says (RSM `<count/>`).
        count: Option<u32>,
    },
    /// The query is over.
    Complete {
        /// Why.
        end: QueryEnd,
        /// How many messages match the query in all, if the archive says.
        count: Option<u32>,
    },
}

/// A page request sent and not yet answered.
#[derive(Debug, Clone)]
struct Awaiting {
    /// The request's IQ id ("" if the connection assigns it).
    iq_id: String,
    /// The page size asked for.
    max: u32,
    /// How many results for this query arrived (malformed and repeated ones included).
    received: u32,
    /// The new results, in the archive's (chronological) order.
    page: Vec<ArchivedMessage>,
    /// Their archive ids.
    page_ids: HashSet<String>,
    /// The ids of the first and last results received, for archives that omit RSM.
    first_id: Option<String>,
    last_id: Option<String>,
}

#[derive(Debug, Clone)]
enum State {
    /// A page may be requested.
    Ready,
    /// A page was requested.
    Awaiting(Box<Awaiting>),
    /// The query ended.
    Done(QueryEnd),
    /// The archive refused the query or answered nonsense.
    Failed,
}

/// One archive query over as many pages as it takes (XEP-0313 with XEP-0059 paging), as a
/// sans-IO state machine.
///
/// The call order:
/// 1. [`ArchiveQuery::next_request`] gives the IQ asking for a page; the caller sends it.
/// 2. Every incoming message goes to [`ArchiveQuery::handle_message`] while the page is
///    answered; it claims the results of this query (from the archive queried only) and
///    leaves the rest ([`Claim::NotOurs`]) to the caller's other handlers.
/// 3. The IQ's answer goes to [`ArchiveQuery::handle_fin`], which says whether another page is
///    needed ([`Progress::NeedsNextPage`]: back to 1) or the query is over
///    ([`Progress::Complete`]).
/// 4. [`ArchiveQuery::take_results`] hands out what the finished pages brought, oldest first,
///    whichever way the query pages.
///
/// Hostile or broken archives are bounded: a page may not bring more results than asked for
/// (plus [`PAGE_SLACK`]), a page whose cursor repeats an earlier one or that brings nothing new
/// ends the query instead of looping, and so does an empty page that does not say it is the
/// last.
///
/// ```
/// use openxmpp_im::core::stanza::{Iq, Message};
/// use openxmpp_im::core::xml::parse_element;
/// use openxmpp_im::mam::{ArchiveQuery, Claim, Progress, QueryEnd};
///
/// // The last 20 messages of our own archive, 10 per page.
/// let mut query = ArchiveQuery::last("juliet@capulet.lit".parse()?, "q1", 20).page_size(10);
/// let request = query.next_request("iq1").expect("a first page");
/// assert_eq!(
///     openxmpp_im::core::xml::Element::from(request).to_string(),
///     "<iq xmlns='jabber:client' id='iq1' type='set'><query xmlns='urn:xmpp:mam:2' queryid='q1'>\
///      <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set></query></iq>"
/// );
///
/// // The archive sends the page's results…
/// let result = Message::try_from(parse_element(
///     "<message to='juliet@capulet.lit/balcony'>\
///        <result xmlns='urn:xmpp:mam:2' queryid='q1' id='28482-98726-73623'>\
///          <forwarded xmlns='urn:xmpp:forward:0'>\
///            <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
///            <message xmlns='jabber:client' from='romeo@montague.lit/orchard' type='chat'>\
///              <body>Hail to thee</body></message>\
///          </forwarded></result></message>",
/// )?)?;
/// assert_eq!(query.handle_message(&result)?, Claim::Collected);
///
/// // …then ends it: that was all there is.
/// let fin = Iq::try_from(parse_element(
///     "<iq type='result' id='iq1'><fin xmlns='urn:xmpp:mam:2' complete='true'>\
///        <set xmlns='http://jabber.org/protocol/rsm'>\
///          <first>28482-98726-73623</first><last>28482-98726-73623</last></set>\
///      </fin></iq>",
/// )?)?;
/// assert_eq!(query.handle_fin(Ok(fin))?, Progress::Complete { end: QueryEnd::Complete, count: None });
/// let messages = query.take_results();
/// assert_eq!(messages[0].message.body(), Some("Hail to thee"));
/// assert!(query.next_request("iq2").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArchiveQuery {
    own: BareJid,
    archive: Option<BareJid>,
    queryid: String,
    filter: ArchiveFilter,
    page_size: u32,
    limit: Option<usize>,
    direction: Direction,
    state: State,
    /// The RSM cursor the next page starts from.
    cursor: Option<String>,
    /// Results of finished pages not yet taken, oldest first.
    results: VecDeque<ArchivedMessage>,
    /// How many results were kept in all (taken or not).
    collected: usize,
    /// Archive ids and cursors of finished pages.
    seen: RecentIds<String>,
    pages: usize,
}

impl ArchiveQuery {
    /// A forward query for everything in `archive` (`None`: our own account's archive;
    /// `Some(room)`: a room's), [`DEFAULT_PAGE_SIZE`] messages per page, with no limit.
    ///
    /// `queryid` tells this query's results from any other's: it must be unique among the
    /// queries running at once (a fresh id from the connection will do). `own` is our own
    /// bare JID.
    pub fn new(own: BareJid, archive: Option<BareJid>, queryid: impl Into<String>) -> Self {
        // Our own archive addressed by name is our own archive.
        let archive = archive.filter(|a| a != &own);
        ArchiveQuery {
            own,
            archive,
            queryid: queryid.into(),
            filter: ArchiveFilter::default(),
            page_size: DEFAULT_PAGE_SIZE,
            limit: None,
            direction: Direction::Forward,
            state: State::Ready,
            cursor: None,
            results: VecDeque::new(),
            collected: 0,
            seen: RecentIds::new(SEEN_CAPACITY),
            pages: 0,
        }
    }

    /// The last `n` messages of our own archive (a backward query limited to `n`), handed out
    /// oldest first.
    pub fn last(own: BareJid, queryid: impl Into<String>, n: usize) -> Self {
        let page = u32::try_from(n).unwrap_or(MAX_PAGE_SIZE);
        ArchiveQuery::new(own, None, queryid)
            .direction(Direction::Backward)
            .limit(n)
            .page_size(page.min(DEFAULT_PAGE_SIZE))
    }

    /// Queries `archive` instead (`None`: our own account's).
    pub fn archive(mut self, archive: Option<BareJid>) -> Self {
        self.archive = archive.filter(|a| a != &self.own);
        self
    }

    /// Only messages matching `filter`.
    pub fn filter(mut self, filter: ArchiveFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Asks for `size` messages per page (between 1 and [`MAX_PAGE_SIZE`]; the archive may send
    /// fewer).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Stops after `limit` messages in all.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Pages in `direction`.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// The query id the archive repeats in each result.
    pub fn queryid(&self) -> &str {
        &self.queryid
    }

    /// The archive queried: `None` for our own account's.
    pub fn archive_jid(&self) -> Option<&BareJid> {
        self.archive.as_ref()
    }

    /// The paging direction.
    pub fn paging(&self) -> Direction {
        self.direction
    }

    /// How many results were kept so far (including those already taken).
    pub fn collected(&self) -> usize {
        self.collected
    }

    /// How many pages were answered.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Why the query ended, if it did normally.
    pub fn end(&self) -> Option<&QueryEnd> {
        match &self.state {
            State::Done(end) => Some(end),
            _ => None,
        }
    }

    /// Whether the query is over (ended, or failed): no page will be requested any more.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Done(_) | State::Failed)
    }

    /// Whether a page was requested and its answer is awaited.
    pub fn is_awaiting(&self) -> bool {
        matches!(self.state, State::Awaiting(_))
    }

    /// The IQ asking for the first or next page, with id `iq_id` (an empty id is one the
    /// connection fills in; the answer's id is then not checked). `None` if the query is
    /// over or a page is already awaited.
    pub fn next_request(&mut self, iq_id: impl Into<String>) -> Option<Iq> {
        if !matches!(self.state, State::Ready) {
            return None;
        }
        let max = match self.remaining() {
            Some(0) => {
                self.state = State::Done(QueryEnd::LimitReached);
                return None;
            }
            Some(remaining) => u32::try_from(remaining)
                .unwrap_or(self.page_size)
                .min(self.page_size),
            None => self.page_size,
        };
        let filter = &self.filter;
        let mut query = MamQuery::new().queryid(self.queryid.clone());
        query.with = filter.with.clone();
        query.start = filter.start;
        query.end = filter.end;
        let rsm = match self.direction {
            Direction::Forward => {
                query.before_id = filter.before_id.clone();
                let after = self.cursor.clone().or_else(|| filter.after_id.clone());
                SetQuery {
                    max: Some(max),
                    after,
                    before: None,
                }
            }
            Direction::Backward => {
                query.after_id = filter.after_id.clone();
                let before = self.cursor.clone().or_else(|| filter.before_id.clone());
                SetQuery {
                    max: Some(max),
                    after: None,
                    before: Some(before.unwrap_or_default()),
                }
            }
        };
        let iq_id = iq_id.into();
        let iq = query
            .rsm(rsm)
            .into_iq(iq_id.clone(), self.archive.clone().map(Jid::from));
        self.state = State::Awaiting(Box::new(Awaiting {
            iq_id,
            max,
            received: 0,
            page: Vec::new(),
            page_ids: HashSet::new(),
            first_id: None,
            last_id: None,
        }));
        Some(iq)
    }

    /// Offers an incoming message. A result carrying this query's id is claimed only if it
    /// comes from the archive queried (for our own archive: no `from` or our bare JID; for a
    /// room's: the room's bare JID) and a page is awaited.
    ///
    /// # Errors
    /// For a result of this query that is refused (the message must then be dropped):
    /// [`MamError::UnexpectedSender`] if someone else sent it, [`MamError::NoPageInFlight`] if
    /// no page is awaited, [`MamError::TooManyResults`] beyond the page size plus
    /// [`PAGE_SLACK`], [`MamError::Invalid`] if it is malformed.
    pub fn handle_message(&mut self, message: &Message) -> Result<Claim, MamError> {
        let Some(element) = message.payload("result", NS) else {
            return Ok(Claim::NotOurs);
        };
        if element.attr("queryid") != Some(self.queryid.as_str()) {
            return Ok(Claim::NotOurs);
        }
        self.check_sender(message)?;
        let State::Awaiting(awaiting) = &mut self.state else {
            tracing::warn!(queryid = %self.queryid, "archive result while no page is awaited");
            return Err(MamError::NoPageInFlight {
                queryid: self.queryid.clone(),
            });
        };
        let limit = awaiting.max.saturating_add(PAGE_SLACK);
        if awaiting.received >= limit {
            tracing::warn!(queryid = %self.queryid, limit, "archive sent too many results");
            return Err(MamError::TooManyResults { limit });
        }
        awaiting.received += 1;
        let result = MamResult::try_from(element.clone())?;
        let archive = self.archive.clone().unwrap_or_else(|| self.own.clone());
        let archived = ArchivedMessage::from_result(archive, result)?;
        let id = &archived.archive_id;
        if awaiting.first_id.is_none() {
            awaiting.first_id = Some(id.clone());
        }
        awaiting.last_id = Some(id.clone());
        if awaiting.page_ids.contains(id) || self.seen.contains(id) {
            tracing::debug!(queryid = %self.queryid, id, "archive result already collected");
            return Ok(Claim::Duplicate);
        }
        awaiting.page_ids.insert(id.clone());
        awaiting.page.push(archived);
        Ok(Claim::Collected)
    }

    /// The answer to the page request: the IQ result with its `<fin/>`, or the error the
    /// archive answered with.
    ///
    /// # Errors
    /// [`MamError::Archive`] if the archive refused the page (`item-not-found` for an
    /// `after_id` it does not know, say) and [`MamError::Invalid`] for an answer without a
    /// valid `<fin/>`: the query then fails, keeping the results of earlier pages.
    /// [`MamError::NoPageInFlight`] if no page was awaited and [`MamError::WrongResponse`]
    /// for an IQ with another id; these leave the query as it was.
    pub fn handle_fin(&mut self, response: Result<Iq, StanzaError>) -> Result<Progress, MamError> {
        let awaiting = match std::mem::replace(&mut self.state, State::Failed) {
            State::Awaiting(awaiting) => awaiting,
            other => {
                self.state = other;
                return Err(MamError::NoPageInFlight {
                    queryid: self.queryid.clone(),
                });
            }
        };
        if let Ok(iq) = &response
            && !awaiting.iq_id.is_empty()
            && iq.id != awaiting.iq_id
        {
            let error = MamError::WrongResponse {
                id: iq.id.clone(),
                expected: awaiting.iq_id.clone(),
            };
            self.state = State::Awaiting(awaiting);
            return Err(error);
        }
        let iq = response.map_err(|error| self.refused(error))?;
        if let IqPayload::Error { error, .. } = iq.payload {
            return Err(self.refused(error));
        }
        let fin = MamFin::from_iq(iq).inspect_err(|error| {
            tracing::warn!(queryid = %self.queryid, %error, "archive query answered without a valid fin");
        })?;
        Ok(self.finish_page(*awaiting, fin))
    }

    /// Hands out the results of the pages answered so far, oldest first, and forgets them.
    /// For a backward query taken page by page, each batch is older than the one before.
    pub fn take_results(&mut self) -> Vec<ArchivedMessage> {
        self.results.drain(..).collect()
    }

    fn refused(&self, error: StanzaError) -> MamError {
        tracing::info!(queryid = %self.queryid, %error, "the archive refused the query");
        MamError::Archive(Box::new(error))
    }

    fn remaining(&self) -> Option<usize> {
        self.limit.map(|limit| limit.saturating_sub(self.collected))
    }

    fn check_sender(&self, message: &Message) -> Result<(), MamError> {
        let verdict = match &self.archive {
            None => check_sender(message, &self.own, None),
            Some(room) if message.header.from.as_ref().is_some_and(|f| f == room) => Ok(()),
            Some(_) => Err(MamError::UnexpectedSender {
                from: message
                    .header
                    .from
                    .clone()
                    .unwrap_or_else(|| self.own.clone().into()),
                own: self.own.clone(),
            }),
        };
        verdict.inspect_err(|error| {
            tracing::warn!(queryid = %self.queryid, %error, "archive result from a stranger ignored");
        })
    }

    fn finish_page(&mut self, awaiting: Awaiting, fin: MamFin) -> Progress {
        let Awaiting {
            mut page,
            received,
            first_id,
            last_id,
            ..
        } = awaiting;
        self.pages += 1;
        let count = fin.rsm.count;

        // Beyond the limit (an archive sending more than asked for): keep the messages nearest
        // to where the query started.
        if let Some(remaining) = self.remaining()
            && page.len() > remaining
        {
            match self.direction {
                Direction::Forward => page.truncate(remaining),
                Direction::Backward => {
                    page.drain(..page.len() - remaining);
                }
            }
        }

        let cursor = match self.direction {
            Direction::Forward => fin.rsm.last.or(last_id),
            Direction::Backward => fin.rsm.first.or(first_id),
        };
        let repeated = cursor.as_ref().is_some_and(|c| self.seen.contains(c));

        let collected = page.len();
        self.collected += collected;
        for archived in &page {
            self.seen.insert(archived.archive_id.clone());
        }
        match self.direction {
            Direction::Forward => self.results.extend(page),
            Direction::Backward => {
                for archived in page.into_iter().rev() {
                    self.results.push_front(archived);
                }
            }
        }

        let end = if fin.complete {
            Some(QueryEnd::Complete)
        } else if self.remaining() == Some(0) {
            Some(QueryEnd::LimitReached)
        } else if received == 0 {
            tracing::info!(queryid = %self.queryid, "empty archive page without complete='true': taken as the end");
            Some(QueryEnd::EmptyPage)
        } else if repeated || cursor.is_none() || collected == 0 {
            tracing::warn!(queryid = %self.queryid, ?cursor, "archive paging does not advance: stopped");
            Some(QueryEnd::Stalled {
                cursor: cursor.clone(),
            })
        } else {
            None
        };
        match end {
            Some(end) => {
                self.state = State::Done(end.clone());
                Progress::Complete { end, count }
            }
            None => {
                if let Some(cursor) = &cursor {
                    self.seen.insert(cursor.clone());
                }
                self.cursor = cursor;
                self.state = State::Ready;
                Progress::NeedsNextPage { collected, count }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use openxmpp_core::error::StanzaErrorCondition;
    use openxmpp_core::xml::Element;

    use super::*;
    use crate::mam::ArchiveDedup;
    use crate::test_support::element;

    fn me() -> BareJid {
        "juliet@capulet.lit".parse().unwrap()
    }

    fn room() -> BareJid {
        "coven@chat.shakespeare.lit".parse().unwrap()
    }

    fn msg(xml: &str) -> Message {
        Message::try_from(element(xml)).unwrap()
    }

    fn iq(xml: &str) -> Iq {
        Iq::try_from(element(xml)).unwrap()
    }

    fn sent(iq: Iq) -> String {
        Element::from(iq).to_string()
    }

    /// A result as Prosody 0.12 sends it from our own archive: no `from`, the `<delay/>` first
    /// inside `<forwarded/>`, whole-second stamps.
    fn prosody_result(queryid: &str, id: &str, body: &str) -> Message {
        msg(&format!(
            "<message to='juliet@capulet.lit/balcony'>\
               <result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='{id}'>\
                 <forwarded xmlns='urn:xmpp:forward:0'>\
                   <delay xmlns='urn:xmpp:delay' stamp='2023-01-16T11:25:25Z'/>\
                   <message xmlns='jabber:client' from='romeo@montague.lit/orchard' \
                            to='juliet@capulet.lit' type='chat' id='m-{id}'>\
                     <body>{body}</body>\
                     <origin-id xmlns='urn:xmpp:sid:0' id='o-{id}'/>\
                   </message>\
                 </forwarded>\
               </result>\
             </message>"
        ))
    }

    /// A result as ejabberd 23.01 sends it: from our bare JID, the stanza id inside the
    /// message, the `<delay/>` after it with microseconds.
    fn ejabberd_result(queryid: &str, id: &str, body: &str) -> Message {
        msg(&format!(
            "<message xmlns='jabber:client' from='juliet@capulet.lit' \
                      to='juliet@capulet.lit/balcony'>\
               <result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='{id}'>\
                 <forwarded xmlns='urn:xmpp:forward:0'>\
                   <message xmlns='jabber:client' xml:lang='en' to='juliet@capulet.lit' \
                            from='romeo@montague.lit/orchard' type='chat' id='m-{id}'>\
                     <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='{id}'/>\
                     <body>{body}</body>\
                   </message>\
                   <delay xmlns='urn:xmpp:delay' from='capulet.lit' \
                          stamp='2023-01-16T11:25:25.234567Z'/>\
                 </forwarded>\
               </result>\
             </message>"
        ))
    }

    /// An IQ result ending a page, as ejabberd 23.01 sends it (`complete` only on the last
    /// page, a `<count/>`).
    fn ejabberd_fin(id: &str, complete: bool, first: &str, last: &str, count: u32) -> Iq {
        let complete = if complete { " complete='true'" } else { "" };
        iq(&format!(
            "<iq xmlns='jabber:client' from='juliet@capulet.lit' \
                 to='juliet@capulet.lit/balcony' type='result' id='{id}'>\
               <fin xmlns='urn:xmpp:mam:2'{complete}>\
                 <set xmlns='http://jabber.org/protocol/rsm'>\
                   <count>{count}</count><first index='0'>{first}</first><last>{last}</last>\
                 </set>\
               </fin>\
             </iq>"
        ))
    }

    /// An IQ result ending a page, as Prosody 0.12 sends it (no `<count/>`).
    fn prosody_fin(id: &str, complete: bool, first: &str, last: &str) -> Iq {
        let complete = if complete { " complete='true'" } else { "" };
        iq(&format!(
            "<iq type='result' id='{id}' to='juliet@capulet.lit/balcony'>\
               <fin xmlns='urn:xmpp:mam:2'{complete}>\
                 <set xmlns='http://jabber.org/protocol/rsm'><first>{first}</first><last>{last}</last></set>\
               </fin>\
             </iq>"
        ))
    }

    fn ids(results: &[ArchivedMessage]) -> Vec<&str> {
        results.iter().map(|a| a.archive_id.as_str()).collect()
    }

    fn not_found() -> StanzaError {
        StanzaError::new(StanzaErrorCondition::ItemNotFound)
    }

    #[test]
    fn single_page_complete() {
        // XEP-0313 examples 2 to 4, answered the way Prosody 0.12 does.
        let mut query = ArchiveQuery::new(me(), None, "f27").page_size(10);
        assert_eq!(query.queryid(), "f27");
        assert_eq!(
            sent(query.next_request("juliet1").unwrap()),
            "<iq xmlns='jabber:client' id='juliet1' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='f27'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>\
             </query></iq>"
        );
        assert!(query.is_awaiting());
        assert!(
            query.next_request("juliet2").is_none(),
            "one page at a time"
        );

        let first = prosody_result("f27", "28482-98726-73623", "Hail to thee");
        let second = prosody_result("f27", "09af3-cc343-b409f", "And thee!");
        assert_eq!(query.handle_message(&first), Ok(Claim::Collected));
        assert_eq!(query.handle_message(&second), Ok(Claim::Collected));
        assert!(
            query.take_results().is_empty(),
            "handed out when the page ends"
        );

        let progress = query.handle_fin(Ok(prosody_fin(
            "juliet1",
            true,
            "28482-98726-73623",
            "09af3-cc343-b409f",
        )));
        assert_eq!(
            progress,
            Ok(Progress::Complete {
                end: QueryEnd::Complete,
                count: None
            })
        );
        assert!(query.is_finished());
        assert_eq!(query.end(), Some(&QueryEnd::Complete));
        assert_eq!((query.pages(), query.collected()), (1, 2));

        let results = query.take_results();
        assert_eq!(ids(&results), ["28482-98726-73623", "09af3-cc343-b409f"]);
        let hail = &results[0];
        assert_eq!(hail.archive, me());
        assert_eq!(hail.message.body(), Some("Hail to thee"));
        assert_eq!(hail.from().unwrap().as_str(), "romeo@montague.lit/orchard");
        assert_eq!(hail.to().unwrap().as_str(), "juliet@capulet.lit");
        assert_eq!(hail.delay.unwrap().to_string(), "2023-01-16T11:25:25Z");
        assert!(query.take_results().is_empty());
        assert!(query.next_request("juliet3").is_none());
    }

    #[test]
    fn three_pages_forward() {
        // ejabberd 23.01, five messages, two per page.
        let mut query = ArchiveQuery::new(me(), None, "q1")
            .filter(ArchiveFilter::new().with("romeo@montague.lit".parse().unwrap()))
            .page_size(2);
        let archive = [
            "1673868325000001",
            "1673868325000002",
            "1673868325000003",
            "1673868325000004",
            "1673868325000005",
        ];
        let form = "<x xmlns='jabber:x:data' type='submit'>\
                    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
                    <field var='with'><value>romeo@montague.lit</value></field></x>";
        let pages: [(&str, &[&str], Option<&str>); 3] = [
            ("iq1", &archive[0..2], None),
            ("iq2", &archive[2..4], Some(archive[1])),
            ("iq3", &archive[4..5], Some(archive[3])),
        ];
        for (n, (iq_id, page, after)) in pages.into_iter().enumerate() {
            let after = after
                .map(|a| format!("<after>{a}</after>"))
                .unwrap_or_default();
            assert_eq!(
                sent(query.next_request(iq_id).unwrap()),
                format!(
                    "<iq xmlns='jabber:client' id='{iq_id}' type='set'>\
                     <query xmlns='urn:xmpp:mam:2' queryid='q1'>{form}\
                     <set xmlns='http://jabber.org/protocol/rsm'><max>2</max>{after}</set>\
                     </query></iq>"
                )
            );
            for id in page {
                assert_eq!(
                    query.handle_message(&ejabberd_result("q1", id, "x")),
                    Ok(Claim::Collected)
                );
            }
            let last_page = n == 2;
            let fin = ejabberd_fin(iq_id, last_page, page[0], page[page.len() - 1], 5);
            let expected = if last_page {
                Progress::Complete {
                    end: QueryEnd::Complete,
                    count: Some(5),
                }
            } else {
                Progress::NeedsNextPage {
                    collected: 2,
                    count: Some(5),
                }
            };
            assert_eq!(query.handle_fin(Ok(fin)), Ok(expected));
        }
        let results = query.take_results();
        assert_eq!(ids(&results), archive);
        assert_eq!(
            results[0].delay.unwrap().to_string(),
            "2023-01-16T11:25:25.234567Z"
        );
        assert!(query.next_request("iq4").is_none());
    }

    #[test]
    fn backward_last_five_oldest_first() {
        let mut query = ArchiveQuery::last(me(), "last5", 5).page_size(3);
        assert_eq!(query.paging(), Direction::Backward);
        assert_eq!(
            sent(query.next_request("b1").unwrap()),
            "<iq xmlns='jabber:client' id='b1' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='last5'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>3</max><before/></set>\
             </query></iq>"
        );
        // The newest three, in chronological order as XEP-0313 requires.
        for id in ["m8", "m9", "m10"] {
            query
                .handle_message(&prosody_result("last5", id, id))
                .unwrap();
        }
        assert_eq!(
            query.handle_fin(Ok(prosody_fin("b1", false, "m8", "m10"))),
            Ok(Progress::NeedsNextPage {
                collected: 3,
                count: None
            })
        );
        // Taken page by page, a backward query's batches go back in time.
        assert_eq!(ids(&query.take_results()), ["m8", "m9", "m10"]);

        // Only two more are wanted, before the oldest seen.
        assert_eq!(
            sent(query.next_request("b2").unwrap()),
            "<iq xmlns='jabber:client' id='b2' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='last5'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>2</max><before>m8</before></set>\
             </query></iq>"
        );
        // An archive that ignores the smaller max: the newest two are kept.
        for id in ["m5", "m6", "m7"] {
            query
                .handle_message(&prosody_result("last5", id, id))
                .unwrap();
        }
        assert_eq!(
            query.handle_fin(Ok(prosody_fin("b2", false, "m5", "m7"))),
            Ok(Progress::Complete {
                end: QueryEnd::LimitReached,
                count: None
            })
        );
        assert_eq!(ids(&query.take_results()), ["m6", "m7"]);
        assert_eq!(query.collected(), 5);
    }

    #[test]
    fn backward_pages_are_handed_out_oldest_first() {
        // Taken once at the end, pages arrived newest first but come out oldest first; the
        // archive runs out before the limit.
        let mut query = ArchiveQuery::last(me(), "q", 10).page_size(2);
        let pages: [(&[&str], bool); 3] = [
            (&["c1", "c2"], false),
            (&["b1", "b2"], false),
            (&["a1"], true),
        ];
        for (n, (page, complete)) in pages.into_iter().enumerate() {
            let iq_id = format!("p{n}");
            query.next_request(iq_id.as_str()).unwrap();
            for id in page {
                query.handle_message(&prosody_result("q", id, id)).unwrap();
            }
            let fin = prosody_fin(&iq_id, complete, page[0], page[page.len() - 1]);
            query.handle_fin(Ok(fin)).unwrap();
        }
        assert_eq!(query.end(), Some(&QueryEnd::Complete));
        assert_eq!(ids(&query.take_results()), ["a1", "b1", "b2", "c1", "c2"]);
    }

    #[test]
    fn forged_results_are_not_collected() {
        let mut query = ArchiveQuery::new(me(), None, "q1");
        query.next_request("iq1").unwrap();
        let from = |sender: &str, id: &str| {
            let mut m = prosody_result("q1", id, "Give me your password");
            m.header.from = Some(sender.parse().unwrap());
            m
        };
        for forger in [
            "romeo@montague.lit",
            "juliet@capulet.lit/balcony",
            "capulet.lit",
            "coven@chat.shakespeare.lit",
        ] {
            let err = query.handle_message(&from(forger, "forged")).unwrap_err();
            assert!(
                matches!(&err, MamError::UnexpectedSender { from, .. } if from.as_str() == forger),
                "{forger}: {err:?}"
            );
        }
        // Our bare JID (ejabberd) and no from (Prosody) are our archive.
        assert_eq!(
            query.handle_message(&from("juliet@capulet.lit", "real1")),
            Ok(Claim::Collected)
        );
        assert_eq!(
            query.handle_message(&prosody_result("q1", "real2", "hi")),
            Ok(Claim::Collected)
        );
        query
            .handle_fin(Ok(prosody_fin("iq1", true, "real1", "real2")))
            .unwrap();
        assert_eq!(ids(&query.take_results()), ["real1", "real2"]);

        // A room's archive: only the room.
        let mut query = ArchiveQuery::new(me(), Some(room()), "q2");
        assert_eq!(query.archive_jid(), Some(&room()));
        assert_eq!(
            sent(query.next_request("iq2").unwrap()),
            "<iq xmlns='jabber:client' id='iq2' to='coven@chat.shakespeare.lit' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='q2'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>50</max></set>\
             </query></iq>"
        );
        let muc_result = |from: Option<&str>| {
            let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
            msg(&format!(
                "<message to='juliet@capulet.lit/balcony'{from}>\
                   <result xmlns='urn:xmpp:mam:2' queryid='q2' id='5f3dbc5e'>\
                     <forwarded xmlns='urn:xmpp:forward:0'>\
                       <delay xmlns='urn:xmpp:delay' stamp='2023-01-16T11:25:25Z'/>\
                       <message xmlns='jabber:client' from='coven@chat.shakespeare.lit/firstwitch' \
                                type='groupchat'><body>Thrice the brinded cat hath mew'd.</body></message>\
                     </forwarded></result></message>"
            ))
        };
        for forger in [
            None,
            Some("juliet@capulet.lit"),
            Some("coven@chat.shakespeare.lit/firstwitch"),
        ] {
            assert!(
                matches!(
                    query.handle_message(&muc_result(forger)),
                    Err(MamError::UnexpectedSender { .. })
                ),
                "{forger:?}"
            );
        }
        assert_eq!(
            query.handle_message(&muc_result(Some("coven@chat.shakespeare.lit"))),
            Ok(Claim::Collected)
        );
        query
            .handle_fin(Ok(iq(
                "<iq type='result' id='iq2' from='coven@chat.shakespeare.lit'>\
                   <fin xmlns='urn:xmpp:mam:2' complete='true'/></iq>",
            )))
            .unwrap();
        let results = query.take_results();
        assert_eq!(ids(&results), ["5f3dbc5e"]);
        assert_eq!(results[0].archive, room());

        // Naming our own account is querying our own archive.
        let query = ArchiveQuery::new(me(), Some(me()), "q3");
        assert_eq!(query.archive_jid(), None);
    }

    #[test]
    fn other_queries_results_are_not_claimed() {
        let mut query = ArchiveQuery::new(me(), None, "mine");
        query.next_request("iq1").unwrap();
        assert_eq!(
            query.handle_message(&prosody_result("theirs", "a", "x")),
            Ok(Claim::NotOurs)
        );
        let no_queryid = msg("<message><result xmlns='urn:xmpp:mam:2' id='b'>\
               <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded>\
             </result></message>");
        assert_eq!(query.handle_message(&no_queryid), Ok(Claim::NotOurs));
        let chat =
            msg("<message from='romeo@montague.lit/orchard' type='chat'><body>Hi</body></message>");
        assert_eq!(query.handle_message(&chat), Ok(Claim::NotOurs));
        // Another query's results from a stranger are not ours to judge either.
        let mut stranger = prosody_result("theirs", "c", "x");
        stranger.header.from = Some("mallory@evil.example".parse().unwrap());
        assert_eq!(query.handle_message(&stranger), Ok(Claim::NotOurs));
        query
            .handle_fin(Ok(iq(
                "<iq type='result' id='iq1'><fin xmlns='urn:xmpp:mam:2' complete='true'>\
                   <set xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin></iq>",
            )))
            .unwrap();
        assert!(query.take_results().is_empty());
    }

    #[test]
    fn repeated_last_stops() {
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(2);
        query.next_request("iq1").unwrap();
        for id in ["a", "b"] {
            query.handle_message(&prosody_result("q", id, id)).unwrap();
        }
        assert!(matches!(
            query.handle_fin(Ok(prosody_fin("iq1", false, "a", "b"))),
            Ok(Progress::NeedsNextPage { collected: 2, .. })
        ));

        // A broken archive answers the next page with the same one.
        let request = sent(query.next_request("iq2").unwrap());
        assert!(request.contains("<after>b</after>"), "{request}");
        for id in ["a", "b"] {
            assert_eq!(
                query.handle_message(&prosody_result("q", id, id)),
                Ok(Claim::Duplicate)
            );
        }
        assert_eq!(
            query.handle_fin(Ok(prosody_fin("iq2", false, "a", "b"))),
            Ok(Progress::Complete {
                end: QueryEnd::Stalled {
                    cursor: Some("b".into())
                },
                count: None
            })
        );
        assert!(query.next_request("iq3").is_none());
        assert_eq!(ids(&query.take_results()), ["a", "b"]);

        // New results, but the same <last/> again: stopped all the same, results kept.
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(2);
        query.next_request("iq1").unwrap();
        query
            .handle_message(&prosody_result("q", "a", "a"))
            .unwrap();
        query
            .handle_fin(Ok(prosody_fin("iq1", false, "a", "a")))
            .unwrap();
        query.next_request("iq2").unwrap();
        query
            .handle_message(&prosody_result("q", "c", "c"))
            .unwrap();
        assert!(matches!(
            query.handle_fin(Ok(prosody_fin("iq2", false, "c", "a"))),
            Ok(Progress::Complete {
                end: QueryEnd::Stalled { .. },
                ..
            })
        ));
        assert_eq!(ids(&query.take_results()), ["a", "c"]);

        // A fresh <last/> each time over the same results: nothing new, stopped.
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(2);
        query.next_request("iq1").unwrap();
        query
            .handle_message(&prosody_result("q", "a", "a"))
            .unwrap();
        query
            .handle_fin(Ok(prosody_fin("iq1", false, "a", "a")))
            .unwrap();
        query.next_request("iq2").unwrap();
        assert_eq!(
            query.handle_message(&prosody_result("q", "a", "a")),
            Ok(Claim::Duplicate)
        );
        assert_eq!(
            query.handle_fin(Ok(prosody_fin("iq2", false, "a", "fresh"))),
            Ok(Progress::Complete {
                end: QueryEnd::Stalled {
                    cursor: Some("fresh".into())
                },
                count: None
            })
        );
    }

    #[test]
    fn delay_inside_the_message() {
        // Some archives stamp the archived message itself rather than the forward.
        let inner_delay = |stamp: &str| {
            msg(&format!(
                "<message><result xmlns='urn:xmpp:mam:2' queryid='q' id='{stamp}'>\
                   <forwarded xmlns='urn:xmpp:forward:0'>\
                     <message xmlns='jabber:client' from='romeo@montague.lit/o' type='chat'>\
                       <body>hi</body><delay xmlns='urn:xmpp:delay' stamp='{stamp}'/></message>\
                   </forwarded></result></message>"
            ))
        };
        let mut query = ArchiveQuery::new(me(), None, "q");
        query.next_request("iq1").unwrap();
        for stamp in ["2023-01-16T11:25:25Z", "yesterday"] {
            assert_eq!(
                query.handle_message(&inner_delay(stamp)),
                Ok(Claim::Collected)
            );
        }
        query
            .handle_fin(Ok(prosody_fin("iq1", true, "a", "b")))
            .unwrap();
        let results = query.take_results();
        assert_eq!(
            results[0].delay.map(|d| d.to_string()).as_deref(),
            Some("2023-01-16T11:25:25Z")
        );
        assert_eq!(results[1].delay, None, "a malformed stamp is ignored");
    }

    #[test]
    fn empty_page_without_complete_ends() {
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(1);
        query.next_request("iq1").unwrap();
        query
            .handle_message(&prosody_result("q", "a", "a"))
            .unwrap();
        query
            .handle_fin(Ok(prosody_fin("iq1", false, "a", "a")))
            .unwrap();
        query.next_request("iq2").unwrap();
        // Nothing, and no <set/> at all.
        assert_eq!(
            query.handle_fin(Ok(iq(
                "<iq type='result' id='iq2'><fin xmlns='urn:xmpp:mam:2'/></iq>"
            ))),
            Ok(Progress::Complete {
                end: QueryEnd::EmptyPage,
                count: None
            })
        );
        assert!(query.next_request("iq3").is_none());
        assert_eq!(ids(&query.take_results()), ["a"]);

        // A page of nothing but malformed results gives no cursor to go on from.
        let mut query = ArchiveQuery::new(me(), None, "q");
        query.next_request("iq1").unwrap();
        let broken = msg("<message><result xmlns='urn:xmpp:mam:2' queryid='q' id='x'/></message>");
        assert!(matches!(
            query.handle_message(&broken),
            Err(MamError::Invalid(_))
        ));
        assert_eq!(
            query.handle_fin(Ok(iq(
                "<iq type='result' id='iq1'><fin xmlns='urn:xmpp:mam:2'/></iq>"
            ))),
            Ok(Progress::Complete {
                end: QueryEnd::Stalled { cursor: None },
                count: None
            })
        );
    }

    #[test]
    fn stale_after_id_is_an_error() {
        let mut query = ArchiveQuery::new(me(), None, "q")
            .filter(ArchiveFilter::new().after_id("gone-since-retention"))
            .page_size(20);
        assert_eq!(
            sent(query.next_request("iq1").unwrap()),
            "<iq xmlns='jabber:client' id='iq1' type='set'>\
             <query xmlns='urn:xmpp:mam:2' queryid='q'>\
             <set xmlns='http://jabber.org/protocol/rsm'><max>20</max>\
             <after>gone-since-retention</after></set>\
             </query></iq>"
        );
        assert_eq!(
            query.handle_fin(Err(not_found())),
            Err(MamError::Archive(Box::new(not_found())))
        );
        assert!(query.is_finished());
        assert_eq!(query.end(), None);
        assert!(query.next_request("iq2").is_none());

        // The same, handed over as the error IQ Prosody sends.
        let mut query = ArchiveQuery::new(me(), None, "q")
            .filter(ArchiveFilter::new().after_id("gone-since-retention"));
        query.next_request("iq1").unwrap();
        let err = query
            .handle_fin(Ok(iq("<iq type='error' id='iq1'>\
                   <error type='cancel'>\
                     <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
                   </error></iq>")))
            .unwrap_err();
        assert!(
            matches!(&err, MamError::Archive(e) if e.condition == StanzaErrorCondition::ItemNotFound)
        );
        assert!(err.to_string().contains("item-not-found"), "{err}");
        assert!(query.is_finished());
    }

    #[test]
    fn bounded_collection() {
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(2);
        query.next_request("iq1").unwrap();
        let limit = 2 + PAGE_SLACK;
        for n in 0..limit {
            assert_eq!(
                query.handle_message(&prosody_result("q", &format!("id{n}"), "spam")),
                Ok(Claim::Collected)
            );
        }
        for n in limit..limit + 3 {
            assert_eq!(
                query.handle_message(&prosody_result("q", &format!("id{n}"), "spam")),
                Err(MamError::TooManyResults { limit })
            );
        }
        // Repeats count against the bound too.
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(1);
        query.next_request("iq1").unwrap();
        let same = prosody_result("q", "same", "spam");
        assert_eq!(query.handle_message(&same), Ok(Claim::Collected));
        for _ in 1..1 + PAGE_SLACK {
            assert_eq!(query.handle_message(&same), Ok(Claim::Duplicate));
        }
        assert!(matches!(
            query.handle_message(&same),
            Err(MamError::TooManyResults { .. })
        ));
        query
            .handle_fin(Ok(prosody_fin("iq1", true, "same", "same")))
            .unwrap();
        assert_eq!(query.take_results().len(), 1);

        // Page sizes are kept sensible.
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(0);
        assert!(sent(query.next_request("a").unwrap()).contains("<max>1</max>"));
        let mut query = ArchiveQuery::new(me(), None, "q").page_size(u32::MAX);
        assert!(sent(query.next_request("a").unwrap()).contains("<max>500</max>"));
        let mut query = ArchiveQuery::new(me(), None, "q").limit(0);
        assert!(query.next_request("a").is_none());
        assert_eq!(query.end(), Some(&QueryEnd::LimitReached));
    }

    #[test]
    fn misplaced_answers() {
        let mut query = ArchiveQuery::new(me(), None, "q");
        // Before any request.
        assert_eq!(
            query.handle_message(&prosody_result("q", "a", "x")),
            Err(MamError::NoPageInFlight {
                queryid: "q".into()
            })
        );
        assert!(matches!(
            query.handle_fin(Err(not_found())),
            Err(MamError::NoPageInFlight { .. })
        ));
        query.next_request("iq1").unwrap();
        // Another request's answer leaves the page awaited.
        assert_eq!(
            query.handle_fin(Ok(prosody_fin("other", true, "a", "a"))),
            Err(MamError::WrongResponse {
                id: "other".into(),
                expected: "iq1".into()
            })
        );
        assert!(query.is_awaiting());
        // A malformed result is refused; the page goes on.
        let broken = msg(
            "<message><result xmlns='urn:xmpp:mam:2' queryid='q' id='a'>\
               <forwarded xmlns='urn:xmpp:forward:0'><presence xmlns='jabber:client'/></forwarded>\
             </result></message>",
        );
        assert!(matches!(
            query.handle_message(&broken),
            Err(MamError::Invalid(_))
        ));
        assert_eq!(
            query.handle_message(&prosody_result("q", "b", "x")),
            Ok(Claim::Collected)
        );
        // An answer without <fin/> fails the query.
        assert!(matches!(
            query.handle_fin(Ok(iq("<iq type='result' id='iq1'/>"))),
            Err(MamError::Invalid(_))
        ));
        assert!(query.is_finished());
        assert!(
            query.take_results().is_empty(),
            "the failed page is dropped"
        );
        // Late results are refused.
        assert!(matches!(
            query.handle_message(&prosody_result("q", "c", "x")),
            Err(MamError::NoPageInFlight { .. })
        ));

        // With an id left for the connection to fill in, any answer is taken.
        let mut query = ArchiveQuery::new(me(), None, "q");
        let request = query.next_request("").unwrap();
        assert_eq!(request.id, "");
        assert!(
            query
                .handle_fin(Ok(prosody_fin("conn-7", true, "a", "a")))
                .is_ok()
        );
    }

    #[test]
    fn filters_in_both_directions() {
        let filter = ArchiveFilter::new()
            .with("romeo@montague.lit".parse().unwrap())
            .start("2023-01-01T00:00:00Z".parse().unwrap())
            .end("2023-02-01T00:00:00Z".parse().unwrap())
            .after_id("A")
            .before_id("B");
        let form = |extra: &str| {
            format!(
                "<x xmlns='jabber:x:data' type='submit'>\
                 <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
                 <field var='with'><value>romeo@montague.lit</value></field>\
                 <field var='start'><value>2023-01-01T00:00:00Z</value></field>\
                 <field var='end'><value>2023-02-01T00:00:00Z</value></field>{extra}</x>"
            )
        };
        let mut forward = ArchiveQuery::new(me(), None, "f")
            .filter(filter.clone())
            .page_size(5);
        assert_eq!(
            sent(forward.next_request("1").unwrap()),
            format!(
                "<iq xmlns='jabber:client' id='1' type='set'>\
                 <query xmlns='urn:xmpp:mam:2' queryid='f'>{}\
                 <set xmlns='http://jabber.org/protocol/rsm'><max>5</max><after>A</after></set>\
                 </query></iq>",
                form("<field var='before-id'><value>B</value></field>")
            )
        );
        let mut backward = ArchiveQuery::new(me(), None, "b")
            .filter(filter)
            .direction(Direction::Backward)
            .page_size(5);
        assert_eq!(
            sent(backward.next_request("2").unwrap()),
            format!(
                "<iq xmlns='jabber:client' id='2' type='set'>\
                 <query xmlns='urn:xmpp:mam:2' queryid='b'>{}\
                 <set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before>B</before></set>\
                 </query></iq>",
                form("<field var='after-id'><value>A</value></field>")
            )
        );
    }

    #[test]
    fn live_message_later_seen_in_the_archive() {
        // Online, Romeo's message arrives with the id our server (ejabberd) archived it under.
        let mut dedup = ArchiveDedup::new();
        dedup.record_live(
            &msg(
                "<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' \
                          type='chat' id='m-1673868325000002'>\
                   <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='1673868325000002'/>\
                   <body>seen live</body></message>",
            ),
            &me(),
        );
        // After a reconnect, catching up from the archive finds it again.
        let mut query = ArchiveQuery::new(me(), None, "catchup")
            .filter(ArchiveFilter::new().after_id("1673868325000001"));
        query.next_request("iq1").unwrap();
        for id in ["1673868325000002", "1673868325000003"] {
            query
                .handle_message(&ejabberd_result("catchup", id, "x"))
                .unwrap();
        }
        query
            .handle_fin(Ok(ejabberd_fin(
                "iq1",
                true,
                "1673868325000002",
                "1673868325000003",
                2,
            )))
            .unwrap();
        let results = query.take_results();
        assert!(dedup.is_duplicate(&results[0]));
        assert!(!dedup.is_duplicate(&results[1]));
        let new = dedup.retain_new(results);
        assert_eq!(ids(&new), ["1673868325000003"]);
    }
}
