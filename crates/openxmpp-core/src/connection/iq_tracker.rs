//! Outstanding IQ requests: unique ids, responses matched by id and sender, deadlines.

use std::collections::HashMap;
use std::time::Instant;

use crate::error::StanzaError;
use crate::jid::Jid;
use crate::stanza::{Iq, IqPayload};

/// Identifies one IQ request made with [`Connection::request`](super::Connection::request).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub(crate) String);

impl RequestId {
    /// The id attribute the request was sent with.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an IQ request did not get a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IqError {
    /// The responder answered with an error.
    #[error("{0}")]
    Stanza(StanzaError),
    /// No response came in time.
    #[error("no response within the timeout")]
    Timeout,
    /// The session ended before a response came.
    #[error("the session ended before a response came")]
    Disconnected,
}

/// Who may answer a request.
#[derive(Debug, Clone)]
enum Responder {
    /// The request went to this JID: only it may answer.
    Exactly(Jid),
    /// The request went to our own account (no `to`, or our bare JID): the server answers on
    /// its behalf, with no `from`, our bare JID, our full JID or our domain.
    OwnAccount,
}

#[derive(Debug)]
struct Pending {
    responder: Responder,
    deadline: Instant,
}

/// The tracker. Ids are `<prefix>-<counter>`, unique for the life of the connection.
#[derive(Debug)]
pub(crate) struct IqTracker {
    prefix: String,
    counter: u64,
    pending: HashMap<String, Pending>,
}

/// What became of an incoming IQ response.
pub(crate) enum Matched {
    /// It answers request `id`.
    Response(RequestId, Box<Result<Iq, IqError>>),
    /// Nobody asked for it (or the wrong entity sent it); it is dropped.
    Unsolicited,
}

impl IqTracker {
    pub(crate) fn new(prefix: String) -> Self {
        IqTracker {
            prefix,
            counter: 0,
            pending: HashMap::new(),
        }
    }

    /// A fresh id, for requests and for other stanzas that want one.
    pub(crate) fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("{}-{}", self.prefix, self.counter)
    }

    /// Registers `iq` (whose id is set by the caller) as outstanding until `deadline`.
    pub(crate) fn track(&mut self, iq: &Iq, own: &str, deadline: Instant) -> RequestId {
        let responder = match &iq.header.to {
            None => Responder::OwnAccount,
            Some(to) if to.as_str() == own => Responder::OwnAccount,
            Some(to) => Responder::Exactly(to.clone()),
        };
        self.pending.insert(
            iq.id.clone(),
            Pending {
                responder,
                deadline,
            },
        );
        RequestId(iq.id.clone())
    }

    /// Matches a result or error. `is_own` says whether an address is our account or server.
    pub(crate) fn match_response(
        &mut self,
        iq: Iq,
        is_own: impl Fn(Option<&Jid>) -> bool,
    ) -> Matched {
        let Some(pending) = self.pending.get(&iq.id) else {
            return Matched::Unsolicited;
        };
        let sender_ok = match &pending.responder {
            Responder::OwnAccount => is_own(iq.header.from.as_ref()),
            Responder::Exactly(to) => iq.header.from.as_ref() == Some(to),
        };
        if !sender_ok {
            tracing::warn!(id = %iq.id, from = ?iq.header.from.as_ref().map(|j| j.as_str()),
                "IQ response from an entity the request was not sent to; ignored");
            return Matched::Unsolicited;
        }
        self.pending.remove(&iq.id);
        let id = RequestId(iq.id.clone());
        let result = match iq.payload {
            IqPayload::Error { error, .. } => Err(IqError::Stanza(error)),
            IqPayload::Result(_) => Ok(iq),
            IqPayload::Get(_) | IqPayload::Set(_) => return Matched::Unsolicited,
        };
        Matched::Response(id, Box::new(result))
    }

    /// Forgets a request; a late response is then dropped.
    pub(crate) fn cancel(&mut self, id: &RequestId) -> bool {
        self.pending.remove(&id.0).is_some()
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().map(|p| p.deadline).min()
    }

    /// Removes and returns the requests whose deadline has passed, oldest id first.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<RequestId> {
        let mut expired: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        expired.sort();
        for id in &expired {
            self.pending.remove(id);
        }
        expired.into_iter().map(RequestId).collect()
    }

    /// Removes and returns every outstanding request.
    pub(crate) fn drain(&mut self) -> Vec<RequestId> {
        let mut all: Vec<String> = self.pending.drain().map(|(id, _)| id).collect();
        all.sort();
        all.into_iter().map(RequestId).collect()
    }
}
