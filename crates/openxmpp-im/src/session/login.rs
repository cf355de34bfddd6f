//! What a session does when it comes online, and the answers to its own requests.

use openxmpp_core::connection::StreamFeatures;
use openxmpp_core::jid::FullJid;
use openxmpp_core::stanza::{Iq, IqPayload};

use super::{BlocklistEvent, Event, Purpose, RequestFailure, RequestToken, Session};
use crate::blocking::{self, Blocklist};
use crate::roster::RosterStore;

impl<S: RosterStore> Session<S> {
    /// The connection is online as `jid` with the final stream's `features`. A resumed
    /// session (XEP-0198) lost nothing and needs nothing; a new one fetches the roster, then
    /// sends the initial presence (or the last one we sent), enables carbons and fetches the
    /// blocklist.
    pub fn online(&mut self, jid: &FullJid, features: &StreamFeatures, resumed: bool) {
        self.pre_approval = features.pre_approval;
        let previous = self.jid.replace(jid.clone());
        if resumed && previous.is_some() {
            // Nothing was lost but our own requests in flight, whose answers went with the
            // old transport: ask again.
            let lost: Vec<Purpose> = self.requests.drain().map(|(_, p)| p).collect();
            for purpose in lost {
                self.start(purpose, features);
            }
            return;
        }
        self.presence_sent = false;
        self.requests.clear();
        if self.config.fetch_roster {
            self.start(Purpose::Roster, features);
        } else {
            self.send_initial_presence();
        }
        if self.config.modules.carbons {
            self.start(Purpose::EnableCarbons, features);
        }
        if self.config.modules.blocking {
            self.start(Purpose::Blocklist, features);
        }
    }

    /// Sends the request for `purpose`.
    fn start(&mut self, purpose: Purpose, features: &StreamFeatures) {
        let iq = match purpose {
            Purpose::Roster => self.roster.request(features.roster_versioning),
            Purpose::EnableCarbons => crate::carbons::enable(""),
            Purpose::Blocklist => blocking::request_blocklist(""),
            // A lookup lost with the transport: let the cache ask again (or another JID).
            Purpose::Capabilities(key) => {
                self.caps_cache.cancel_lookup(key);
                self.launch_caps_lookups();
                return;
            }
        };
        self.request(purpose, iq);
    }

    /// Sends the presence that makes us available: the last broadcast presence the
    /// application sent in an earlier session, else the configured initial presence.
    fn send_initial_presence(&mut self) {
        if self.presence_sent {
            return;
        }
        let presence = self
            .own_presence
            .clone()
            .or_else(|| self.config.initial_presence.clone());
        if let Some(presence) = presence {
            let presence = self.outgoing_presence(presence);
            self.send(presence);
        }
        self.rejoin_rooms();
    }

    /// The response to the session's request `token`: the result, or the error (`None` when
    /// the request timed out or the connection was lost).
    pub fn handle_response(&mut self, token: RequestToken, response: Result<Iq, RequestFailure>) {
        let Some(purpose) = self.requests.remove(&token) else {
            return;
        };
        match purpose {
            Purpose::Roster => {
                match response {
                    Ok(iq) => match self.roster.handle_result(iq) {
                        Ok(events) => {
                            for event in events {
                                self.emit(Event::Roster { event });
                            }
                        }
                        Err(error) => {
                            tracing::warn!(%error, "invalid roster result");
                            self.emit(Event::RosterUnavailable { error: None });
                        }
                    },
                    Err(error) => {
                        tracing::warn!(?error, "roster fetch failed");
                        self.emit(Event::RosterUnavailable { error });
                    }
                }
                // RFC 6121 §2.2: the roster before the initial presence, so that presence
                // from contacts finds them in it.
                self.send_initial_presence();
            }
            Purpose::EnableCarbons => match response {
                Ok(_) => tracing::debug!("carbons enabled"),
                Err(error) => tracing::info!(?error, "the server did not enable carbons"),
            },
            Purpose::Capabilities(key) => {
                let response = response.map_err(|error| {
                    error.unwrap_or_else(|| {
                        openxmpp_core::error::StanzaError::new(
                            openxmpp_core::error::StanzaErrorCondition::RemoteServerTimeout,
                        )
                    })
                });
                match self.caps_cache.handle_lookup_result(key, response) {
                    Ok(resolved) => {
                        tracing::debug!(jid = %resolved.jid, ver = %resolved.ver, "capabilities learned")
                    }
                    Err(error) => tracing::debug!(%error, "capabilities not learned"),
                }
                self.launch_caps_lookups();
            }
            Purpose::Blocklist => match response {
                Ok(Iq {
                    payload: IqPayload::Result(Some(payload)),
                    ..
                }) => match Blocklist::try_from(payload) {
                    Ok(list) => {
                        self.blocklist = Some(
                            list.items
                                .iter()
                                .map(|jid| jid.as_str().to_owned())
                                .collect(),
                        );
                        self.emit(Event::Blocklist {
                            event: BlocklistEvent::Loaded { jids: list.items },
                        });
                    }
                    Err(error) => tracing::warn!(%error, "invalid blocklist"),
                },
                Ok(_) => tracing::warn!("blocklist result without a blocklist"),
                Err(error) => tracing::info!(?error, "no blocklist from the server"),
            },
        }
    }

    /// Sends the capability lookups the cache has queued.
    pub(super) fn launch_caps_lookups(&mut self) {
        while let Some(lookup) = self.caps_cache.poll_lookup() {
            self.request(Purpose::Capabilities(lookup.key), lookup.iq);
        }
    }
}
