//! The archive handle (XEP-0313).

use openxmpp_core::error::StanzaErrorType;
use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_im::delay::Timestamp;
use openxmpp_im::mam::{ArchiveFilter, ArchiveQuery, ArchivedMessage, Direction, MamError};
use openxmpp_im::session::{ArchiveStartError, ArchiveStep};

use crate::{Client, Error};

/// How far before a lost session [`ArchiveHandle::catch_up_missed`] looks when no message had
/// arrived live to start after (clocks and archive stamps differ a little).
pub const CATCH_UP_MARGIN: std::time::Duration = std::time::Duration::from_secs(60);

/// How many times [`ArchiveHandle::catch_up_missed`] asks when the archive answers with a
/// temporary (`wait`) error.
const CATCH_UP_ATTEMPTS: u32 = 3;

/// The message archive (XEP-0313): a conversation's history, a time range, or a catch-up on
/// what arrived while offline, paged with RSM and returned oldest first.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let romeo = "romeo@example.net".parse().unwrap();
/// for archived in client.archive().last_with(&romeo, 20).await? {
///     println!("{:?}: {}", archived.delay, archived.message.body().unwrap_or(""));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ArchiveHandle<'a> {
    pub(crate) client: &'a Client,
}

impl ArchiveHandle<'_> {
    /// The last `count` messages exchanged with `contact`, oldest first.
    pub async fn last_with(
        &self,
        contact: &BareJid,
        count: usize,
    ) -> Result<Vec<ArchivedMessage>, Error> {
        let (account, queryid) = self.ids();
        let query = ArchiveQuery::last(account, queryid, count)
            .filter(ArchiveFilter::new().with(Jid::from(contact.clone())));
        self.run(query).await
    }

    /// Every message between `start` and `end` (either open), optionally only with `with`,
    /// oldest first, at most `limit`.
    pub async fn range(
        &self,
        with: Option<Jid>,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<ArchivedMessage>, Error> {
        let (account, queryid) = self.ids();
        let mut filter = ArchiveFilter::new();
        if let Some(with) = with {
            filter = filter.with(with);
        }
        if let Some(start) = start {
            filter = filter.start(start);
        }
        if let Some(end) = end {
            filter = filter.end(end);
        }
        let query = ArchiveQuery::new(account, None, queryid)
            .filter(filter)
            .direction(Direction::Forward)
            .limit(limit);
        self.run(query).await
    }

    /// What the archive holds since `since` that did not arrive live in this session: the
    /// catch-up after being offline, without duplicates.
    pub async fn catch_up(
        &self,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<ArchivedMessage>, Error> {
        let results = self.range(None, Some(since), None, limit).await?;
        Ok(self.client.im.lock().retain_unseen(results))
    }

    /// What was missed while the connection was down, after a session that could not be
    /// resumed: the messages our archive holds after the last one that arrived live before
    /// the loss (or, when none had, from [`CATCH_UP_MARGIN`] before the loss), at most
    /// `limit`, oldest first, without any message that arrived live or in an earlier catch-up.
    /// Messages that arrive live afterwards and were found here (the server's offline store
    /// replaying them, a sender's resend) are then dropped as duplicates, so each message
    /// reaches the application once. Empty when nothing was lost. Call it once
    /// [`Event::Online`](crate::Event::Online) says `resumed: false`. A temporary refusal
    /// (a `wait` error, as from a server that has just restarted) is retried twice, after 1 s
    /// and 2 s.
    pub async fn catch_up_missed(&self, limit: usize) -> Result<Vec<ArchivedMessage>, Error> {
        let Some(anchor) = self.client.im.lock().missed_messages_anchor().cloned() else {
            return Ok(Vec::new());
        };
        let filter = match &anchor.after_id {
            Some(id) => ArchiveFilter::new().after_id(id.clone()),
            None => {
                let margin = i64::try_from(CATCH_UP_MARGIN.as_secs()).unwrap_or(i64::MAX);
                let start =
                    Timestamp::from_unix(anchor.lost_at.unix_seconds().saturating_sub(margin), 0)
                        .unwrap_or(Timestamp::UNIX_EPOCH);
                ArchiveFilter::new().start(start)
            }
        };
        let mut attempt = 1;
        let results = loop {
            let (account, queryid) = self.ids();
            let query = ArchiveQuery::new(account, None, queryid)
                .filter(filter.clone())
                .direction(Direction::Forward)
                .limit(limit);
            match self.run(query).await {
                Ok(results) => break results,
                // A temporary failure (a server just restarted, its database still busy):
                // RFC 6120 §8.3.2 says to retry after waiting.
                Err(Error::Archive(MamError::Archive(error)))
                    if error.kind == StanzaErrorType::Wait && attempt < CATCH_UP_ATTEMPTS =>
                {
                    tracing::info!(%error, attempt, "archive catch-up failed for now; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        };
        let mut im = self.client.im.lock();
        im.caught_up(&anchor);
        Ok(im.retain_unseen(results))
    }

    /// Runs a query built by hand (another archive, such as a room's; paging; ids).
    pub async fn query(&self, query: ArchiveQuery) -> Result<Vec<ArchivedMessage>, Error> {
        self.run(query).await
    }

    /// Our account and a fresh query id.
    fn ids(&self) -> (BareJid, String) {
        let mut im = self.client.im.lock();
        (im.account().clone(), im.new_query_id())
    }

    async fn run(&self, query: ArchiveQuery) -> Result<Vec<ArchivedMessage>, Error> {
        let queryid = query.queryid().to_owned();
        let mut request =
            self.client
                .im
                .lock()
                .start_archive_query(query)
                .map_err(|e| match e {
                    ArchiveStartError::TooMany => {
                        Error::InvalidArgument("too many archive queries at once")
                    }
                    _ => Error::InvalidArgument("the archive query asks for nothing"),
                })?;
        loop {
            let response = match self.client.request(request).await {
                Ok(iq) => Ok(iq),
                Err(Error::Stanza(error)) => Err(*error),
                Err(other) => {
                    self.client.im.lock().cancel_archive_query(&queryid);
                    return Err(other);
                }
            };
            let step = self
                .client
                .im
                .lock()
                .archive_page_answered(&queryid, response)
                .map_err(Error::Archive)?;
            match step {
                ArchiveStep::NextPage(next) => request = *next,
                ArchiveStep::Done(results) => return Ok(results),
            }
        }
    }
}
