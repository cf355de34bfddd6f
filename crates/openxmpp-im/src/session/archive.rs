//! Message archive queries (XEP-0313) run by the session: their result messages are claimed
//! as they arrive, pages are chained, and live messages are remembered so that a catch-up can
//! leave out what already arrived.

use openxmpp_core::error::StanzaError;
use openxmpp_core::stanza::{Iq, Message};

use super::Session;
use crate::mam::{ArchiveQuery, ArchivedMessage, Claim, MamError, Progress};
use crate::roster::RosterStore;

/// At most this many archive queries run at once.
pub const MAX_ARCHIVE_QUERIES: usize = 16;

/// Where the messages missed while offline start in our archive (XEP-0313): after the last
/// message that arrived live before the session was lost, or — when none had — from about when
/// it was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatchUpAnchor {
    /// The archive id of the last message received live, if any.
    pub after_id: Option<String>,
    /// When the session was lost.
    pub lost_at: crate::delay::Timestamp,
}

/// What to do after an archive page was answered.
#[derive(Debug)]
pub enum ArchiveStep {
    /// Send this request for the next page.
    NextPage(Box<Iq>),
    /// The query is over: its results, oldest first.
    Done(Vec<ArchivedMessage>),
}

/// Why an archive query could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveStartError {
    /// Too many queries are running.
    #[error("{MAX_ARCHIVE_QUERIES} archive queries are already running")]
    TooMany,
    /// The query had nothing to ask.
    #[error("the archive query has nothing to ask")]
    NothingToAsk,
}

impl<S: RosterStore> Session<S> {
    /// A fresh, unique query id.
    pub fn new_query_id(&mut self) -> String {
        self.chats.next_id()
    }

    /// Starts `query`: returns its first page request (its id empty, for the connection to
    /// assign). Results are then claimed from incoming messages until
    /// [`Session::archive_page_answered`] ends the query.
    pub fn start_archive_query(
        &mut self,
        mut query: ArchiveQuery,
    ) -> Result<Iq, ArchiveStartError> {
        if self.archive_queries.len() >= MAX_ARCHIVE_QUERIES {
            return Err(ArchiveStartError::TooMany);
        }
        let request = query
            .next_request("")
            .ok_or(ArchiveStartError::NothingToAsk)?;
        self.archive_queries.push(query);
        Ok(request)
    }

    /// The answer to the current page request of query `queryid`: the next page's request,
    /// or the results. A query that fails is forgotten.
    pub fn archive_page_answered(
        &mut self,
        queryid: &str,
        response: Result<Iq, StanzaError>,
    ) -> Result<ArchiveStep, MamError> {
        let Some(index) = self
            .archive_queries
            .iter()
            .position(|q| q.queryid() == queryid)
        else {
            return Err(MamError::NoPageInFlight {
                queryid: queryid.to_owned(),
            });
        };
        let step = match self.archive_queries[index].handle_fin(response) {
            Ok(Progress::NeedsNextPage { .. }) => self.archive_queries[index]
                .next_request("")
                .map(|iq| ArchiveStep::NextPage(Box::new(iq))),
            Ok(Progress::Complete { .. }) => None,
            Err(error) => {
                self.archive_queries.remove(index);
                return Err(error);
            }
        };
        match step {
            Some(step) => Ok(step),
            None => {
                let mut query = self.archive_queries.remove(index);
                Ok(ArchiveStep::Done(query.take_results()))
            }
        }
    }

    /// Forgets query `queryid` (its requester gave up).
    pub fn cancel_archive_query(&mut self, queryid: &str) {
        self.archive_queries.retain(|q| q.queryid() != queryid);
    }

    /// Whether `archived` already arrived live in this session (or an earlier query).
    pub fn seen_live(&self, archived: &ArchivedMessage) -> bool {
        self.dedup.is_duplicate(archived)
    }

    /// Keeps the archived messages not seen before (live or in an earlier query), in their
    /// order, and remembers them: a live copy arriving later (the server's offline store, a
    /// sender's resend) is then dropped as a duplicate.
    pub fn retain_unseen(&mut self, results: Vec<ArchivedMessage>) -> Vec<ArchivedMessage> {
        self.dedup.retain_new(results)
    }

    /// Where the messages missed since a session was lost (without resumption) start, until
    /// [`Session::caught_up`] says they were fetched. `None` while nothing was missed.
    pub fn missed_messages_anchor(&self) -> Option<&CatchUpAnchor> {
        self.missed.as_ref()
    }

    /// The messages missed since `anchor` were fetched from the archive: forget it (unless
    /// another session was lost since, with a newer anchor).
    pub fn caught_up(&mut self, anchor: &CatchUpAnchor) {
        if self.missed.as_ref() == Some(anchor) {
            self.missed = None;
        }
    }

    /// The archive id of the newest message received live that our account's archive
    /// stamped (XEP-0359), if any.
    pub fn last_archive_id(&self) -> Option<&str> {
        self.last_archive_id.as_deref()
    }

    /// Offers `message` to the running queries; true if one of them claimed it.
    pub(super) fn claim_archive_result(&mut self, message: &Message) -> bool {
        for query in &mut self.archive_queries {
            match query.handle_message(message) {
                Ok(Claim::NotOurs) => continue,
                Ok(Claim::Collected | Claim::Duplicate) => return true,
                Err(error) => {
                    tracing::warn!(%error, "archive result dropped");
                    return true;
                }
            }
        }
        false
    }
}
