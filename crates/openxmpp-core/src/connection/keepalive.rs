//! Keepalive (XEP-0199): answering the server's pings, pinging it after an idle period, and
//! declaring the connection dead when nothing arrives in time after such a ping.

use std::time::Instant;

use crate::ns;
use crate::stanza::{Iq, IqPayload};
use crate::xml::Element;

use super::{Connection, ConnectionError};

/// The keepalive state of an online session.
#[derive(Debug, Default)]
pub(super) struct Keepalive {
    /// When anything was last received.
    pub(super) last_received: Option<Instant>,
    /// The ping in flight and when the connection counts as dead without an answer.
    pub(super) ping: Option<(String, Instant)>,
}

impl Connection {
    /// The keepalive's next deadline: the dead-connection check when a ping is out, else the
    /// next idle ping.
    pub(super) fn keepalive_deadline(&self) -> Option<Instant> {
        if let Some((_, dead_at)) = &self.keepalive.ping {
            return Some(*dead_at);
        }
        let interval = self.config.keepalive_interval?;
        self.keepalive.last_received.map(|t| t + interval)
    }

    /// Something arrived: the connection is alive.
    pub(super) fn keepalive_received(&mut self, now: Instant) {
        self.keepalive.last_received = Some(now);
    }

    pub(super) fn keepalive_timeout(&mut self, now: Instant) {
        if let Some((_, dead_at)) = &self.keepalive.ping {
            if *dead_at <= now {
                if self
                    .keepalive
                    .last_received
                    .is_some_and(|t| t + self.config.dead_timeout > now)
                {
                    // Data arrived after the ping (the answer may be behind it): alive.
                    self.keepalive.ping = None;
                } else {
                    let seconds = self.config.dead_timeout.as_secs();
                    self.fail(ConnectionError::Unresponsive { seconds });
                }
            }
            return;
        }
        let Some(interval) = self.config.keepalive_interval else {
            return;
        };
        if self
            .keepalive
            .last_received
            .is_some_and(|t| t + interval <= now)
        {
            let id = self.tracker.next_id();
            let mut ping = Iq::get(id.clone(), Element::new("ping", ns::PING));
            if let Ok(server) = self.config.domain().parse() {
                ping = ping.to(server);
            }
            self.write_element(&Element::from(ping));
            self.keepalive.ping = Some((id, now + self.config.dead_timeout));
        }
    }

    /// Consumes the answer to our keepalive ping; returns whether `iq` was it.
    pub(super) fn keepalive_answer(&mut self, iq: &Iq) -> bool {
        match &self.keepalive.ping {
            Some((id, _)) if *id == iq.id && !iq.payload.is_request() => {
                // Any answer, even an error (a server without XEP-0199), proves it is alive.
                self.keepalive.ping = None;
                true
            }
            _ => false,
        }
    }

    /// Answers a ping from our server (or our own account); returns whether `iq` was one.
    /// Pings from other entities are left to the application.
    pub(super) fn answer_server_ping(&mut self, iq: &Iq) -> bool {
        let is_ping = matches!(&iq.payload, IqPayload::Get(p) if p.is("ping", ns::PING));
        if !is_ping
            || !self
                .config
                .is_own_or_server(iq.header.from.as_ref(), self.bound_jid.as_ref())
        {
            return false;
        }
        let answer = iq.result(None);
        self.write_element(&Element::from(answer));
        true
    }
}
