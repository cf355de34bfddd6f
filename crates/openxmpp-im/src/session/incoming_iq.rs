//! IQ requests the session answers: roster and blocklist pushes, disco#info, software
//! version, entity time, ping.

use openxmpp_core::error::{StanzaError, StanzaErrorCondition};
use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Iq, IqPayload};

use super::{BlocklistEvent, Event, Session};
use crate::blocking::{self, BlockingPush, PushError};
use crate::delay::Timestamp;
use crate::disco::DiscoInfoQuery;
use crate::roster::{PushRejected, RosterStore};
use crate::time::EntityTime;

impl<S: RosterStore> Session<S> {
    pub(super) fn handle_iq(&mut self, iq: Iq, now: &Timestamp) -> Option<Iq> {
        let (is_get, ns, name) = match &iq.payload {
            IqPayload::Get(p) => (true, p.ns().to_owned(), p.name().to_owned()),
            IqPayload::Set(p) => (false, p.ns().to_owned(), p.name().to_owned()),
            // Responses are the connection's business; nothing to do here.
            _ => return None,
        };
        if self.config.app_iq_namespaces.contains(&ns) {
            return Some(iq);
        }
        let answer = match (is_get, ns.as_str(), name.as_str()) {
            (false, crate::roster::NS, "query") => self.roster_push(&iq),
            (false, blocking::NS, _) => self.blocklist_push(&iq),
            (true, crate::disco::NS_INFO, "query") => Some(self.answer_disco_info(&iq)),
            // XEP-0199 §4.2: anyone may ping us (the connection answers our server itself).
            (true, crate::ping::NS, "ping") => Some(iq.result(None)),
            (true, crate::version::NS, "query") => Some(match &self.config.modules.version {
                Some(version) => iq.result(Some(version.clone().into())),
                None => unavailable(&iq),
            }),
            (true, crate::time::NS, "time") if self.config.modules.time => {
                Some(self.answer_time(&iq, now))
            }
            _ => Some(unavailable(&iq)),
        };
        if let Some(answer) = answer {
            self.send(answer);
        }
        None
    }

    fn roster_push(&mut self, iq: &Iq) -> Option<Iq> {
        match self.roster.handle_push(iq) {
            Ok((answer, event)) => {
                if let Some(event) = event {
                    if let crate::roster::RosterEvent::Removed(jid) = &event {
                        self.chats.unlock(jid);
                    }
                    self.emit(Event::Roster { event });
                }
                Some(answer)
            }
            // RFC 6121 §2.1.6: a push from anyone else is ignored.
            Err(PushRejected::NotFromAccount { .. }) => {
                self.forgery(iq.header.from.as_ref(), "a roster push");
                None
            }
            Err(PushRejected::Invalid(error)) => {
                tracing::warn!(%error, "invalid roster push");
                Some(iq.error(StanzaError::new(StanzaErrorCondition::BadRequest)))
            }
        }
    }

    fn blocklist_push(&mut self, iq: &Iq) -> Option<Iq> {
        match blocking::parse_push(iq, &self.account) {
            Ok(Some(push)) => {
                let list = self.blocklist.get_or_insert_with(Default::default);
                let event = match push {
                    BlockingPush::Block(block) => {
                        list.extend(block.items.iter().map(|j| j.as_str().to_owned()));
                        BlocklistEvent::Blocked { jids: block.items }
                    }
                    BlockingPush::Unblock(unblock) if unblock.items.is_empty() => {
                        list.clear();
                        BlocklistEvent::UnblockedAll
                    }
                    BlockingPush::Unblock(unblock) => {
                        for jid in &unblock.items {
                            list.remove(jid.as_str());
                        }
                        BlocklistEvent::Unblocked {
                            jids: unblock.items,
                        }
                    }
                };
                self.emit(Event::Blocklist { event });
                Some(iq.result(None))
            }
            Ok(None) => Some(unavailable(iq)),
            Err(PushError::NotFromAccount { .. }) => {
                self.forgery(iq.header.from.as_ref(), "a blocklist push");
                None
            }
            Err(error) => {
                tracing::warn!(%error, "invalid blocklist push");
                Some(iq.error(StanzaError::new(StanzaErrorCondition::BadRequest)))
            }
        }
    }

    fn answer_disco_info(&self, iq: &Iq) -> Iq {
        let query = iq
            .payload_element()
            .cloned()
            .and_then(|p| DiscoInfoQuery::try_from(p).ok())
            .unwrap_or_default();
        let info = self.disco_info();
        match query.node {
            None => iq.result(Some(info.into())),
            // The node of our capabilities (XEP-0115 §6.2) describes the same.
            Some(node)
                if self
                    .caps
                    .as_ref()
                    .is_some_and(|caps| caps.disco_node() == node) =>
            {
                iq.result(Some(info.with_node(node).into()))
            }
            Some(_) => iq.error(StanzaError::new(StanzaErrorCondition::ItemNotFound)),
        }
    }

    fn answer_time(&self, iq: &Iq, now: &Timestamp) -> Iq {
        let utc = Timestamp::from_unix(now.unix_seconds(), 0).map(|t| t.to_string());
        match utc.and_then(|utc| EntityTime::new(self.config.time_zone.clone(), utc).ok()) {
            Some(time) => iq.result(Some(time.into())),
            None => iq.error(StanzaError::new(StanzaErrorCondition::InternalServerError)),
        }
    }

    pub(super) fn forgery(&mut self, from: Option<&Jid>, what: &'static str) {
        let from = from.cloned().unwrap_or_else(|| self.account.clone().into());
        tracing::warn!(%from, what, "forged stanza dropped");
        self.emit(Event::Forgery { from, what });
    }
}

fn unavailable(iq: &Iq) -> Iq {
    iq.error(StanzaError::new(StanzaErrorCondition::ServiceUnavailable))
}
