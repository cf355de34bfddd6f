//! In-band registration (XEP-0077) on a secured, unauthenticated stream: the connection stops
//! before SASL, reports [`Event::ReadyToRegister`], and carries IQ requests to the server and
//! their responses until it is closed. The payloads are the IM layer's (`openxmpp_im::register`).

use crate::jid::Jid;
use crate::stanza::{Iq, Stanza};
use crate::xml::Element;

use super::iq_tracker::Matched;
use super::{Connection, Event, State, StreamFeatures, UsageError};

impl Connection {
    /// The stream is secured (or plaintext by explicit opt-in): registration may begin.
    pub(super) fn ready_to_register(&mut self, features: StreamFeatures) {
        if self.state == State::Registering {
            self.protocol_violation("a second <stream:features/> on the registration stream");
            return;
        }
        tracing::debug!(
            advertised = features.registration,
            "ready for in-band registration"
        );
        // Registration waits for a person to fill in a form: no negotiation deadline. Each
        // request still has its own timeout, and the server bounds unauthenticated streams.
        self.negotiation_deadline = None;
        self.set_state(State::Registering);
        self.events.push_back(Event::ReadyToRegister { features });
    }

    /// Before authentication only the server itself may be asked: no `to`, or its domain.
    pub(super) fn check_registration_request(&self, iq: &Iq) -> Result<(), UsageError> {
        match &iq.header.to {
            Some(to) if !is_server(Some(to), self.config.domain()) => Err(UsageError {
                action: "send a request to anyone but the server before authenticating",
                state: self.state,
            }),
            _ => Ok(()),
        }
    }

    /// A stanza on the registration stream: responses to our requests are matched (from the
    /// server only), requests are refused, anything else is dropped.
    pub(super) fn handle_registration_stanza(&mut self, element: Element) {
        match Stanza::try_from(element) {
            Ok(Stanza::Iq(iq)) if !iq.payload.is_request() => {
                let domain = self.config.domain();
                match self
                    .tracker
                    .match_response(iq, |from| is_server(from, domain))
                {
                    Matched::Response(id, result) => self.events.push_back(Event::IqResponse {
                        id,
                        result: *result,
                    }),
                    Matched::Unsolicited => tracing::debug!("unsolicited IQ response dropped"),
                }
            }
            Ok(Stanza::Iq(iq)) => self.answer_unclaimed(&iq),
            Ok(_) => tracing::debug!("stanza on a registration stream ignored"),
            Err(error) => tracing::warn!(%error, "invalid stanza on a registration stream dropped"),
        }
    }
}

/// Whether `jid` is the server before authentication: no address (the server itself) or
/// exactly its domain.
fn is_server(jid: Option<&Jid>, domain: &str) -> bool {
    jid.is_none_or(|jid| jid.as_str() == domain)
}
