//! Stream management (XEP-0198): acknowledgements both ways, and resuming a session on a new
//! connection without losing or duplicating stanzas.
//!
//! Outbound: every stanza written after `<enable/>` is kept until the server acknowledges it.
//! One ack request (`<r/>`) is outstanding at a time, sent after a stanza goes out, so bursts
//! are acknowledged in batches. Inbound: every stanza handled is counted and the count is
//! reported when the server asks. When the connection is lost, [`Connection::take_resumption`]
//! yields what a new connection needs to resume: on `<resumed h=…/>` the stanzas the server
//! had not handled are sent again, exactly those, so nothing is lost or sent twice.

use std::collections::VecDeque;

use crate::error::{StreamError, StreamErrorCondition};
use crate::jid::FullJid;
use crate::ns;
use crate::stanza::Stanza;
use crate::xml::Element;

use super::{Connection, ConnectionError, Event, State};

/// What a lost session leaves behind for resuming it (XEP-0198 §5).
#[derive(Debug, Clone)]
pub struct ResumptionState {
    id: String,
    jid: FullJid,
    inbound: u32,
    acked: u32,
    unacked: VecDeque<Element>,
}

impl ResumptionState {
    /// The server's id of the session.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The JID the session was bound to.
    pub fn jid(&self) -> &FullJid {
        &self.jid
    }

    /// The stanzas sent that the server had not acknowledged, oldest first.
    pub fn unacked(&self) -> impl Iterator<Item = &Element> {
        self.unacked.iter()
    }
}

/// The stream management state of one connection.
#[derive(Debug, Default)]
pub(super) struct StreamManagement {
    /// `<enable/>` was sent: outbound stanzas are counted.
    active: bool,
    /// The server's session id, once `<enabled resume='true'/>` came.
    resume_id: Option<String>,
    /// Stanzas handled from the server (mod 2^32).
    inbound: u32,
    /// The server's last acknowledged count of our stanzas (mod 2^32).
    acked: u32,
    unacked: VecDeque<Element>,
    /// An `<r/>` is outstanding.
    requested: bool,
}

impl StreamManagement {
    fn from_resumption(state: &ResumptionState) -> Self {
        StreamManagement {
            active: true,
            resume_id: Some(state.id.clone()),
            inbound: state.inbound,
            acked: state.acked,
            unacked: VecDeque::new(),
            requested: false,
        }
    }

    /// Drops the stanzas the server acknowledged with `h`; `Err` when `h` acknowledges more
    /// than was sent.
    fn acknowledge(&mut self, h: u32) -> Result<(), u32> {
        let newly = h.wrapping_sub(self.acked);
        let outstanding = u32::try_from(self.unacked.len()).unwrap_or(u32::MAX);
        if newly > outstanding {
            return Err(self.acked.wrapping_add(outstanding));
        }
        for _ in 0..newly {
            self.unacked.pop_front();
        }
        self.acked = h;
        Ok(())
    }
}

fn parse_h(element: &Element) -> Option<u32> {
    element.attr("h").and_then(|h| h.trim().parse().ok())
}

impl Connection {
    /// After binding: ask for stream management with resumption, if the server offers it.
    pub(super) fn enable_stream_management(&mut self) {
        let offered = self.features.as_ref().is_some_and(|f| f.stream_management);
        if !offered || !self.config.stream_management {
            return;
        }
        self.write_element(
            &Element::builder("enable", ns::STREAM_MANAGEMENT)
                .attr("resume", "true")
                .build(),
        );
        self.sm = StreamManagement {
            active: true,
            ..StreamManagement::default()
        };
    }

    /// Counts a stanza we are writing and asks for an ack if none is outstanding.
    pub(super) fn sm_track_outbound(&mut self, element: &Element) {
        if !self.sm.active || !Stanza::is_stanza(element) {
            return;
        }
        self.sm.unacked.push_back(element.clone());
        if !self.sm.requested {
            self.sm.requested = true;
            self.write_raw(b"<r xmlns='urn:xmpp:sm:3'/>");
        }
    }

    /// Counts a stanza received while online.
    pub(super) fn sm_count_inbound(&mut self) {
        if self.sm.active {
            self.sm.inbound = self.sm.inbound.wrapping_add(1);
        }
    }

    /// A first-level element in the stream management namespace.
    pub(super) fn handle_sm_element(&mut self, element: &Element) {
        match element.name() {
            "r" if self.sm.active => {
                let a = format!("<a xmlns='urn:xmpp:sm:3' h='{}'/>", self.sm.inbound);
                self.write_raw(a.as_bytes());
            }
            "a" if self.sm.active => {
                let Some(h) = parse_h(element) else {
                    return self.protocol_violation("an <a/> without a valid h");
                };
                self.sm.requested = false;
                if let Err(sent) = self.sm.acknowledge(h) {
                    self.sm_count_too_high(h, sent);
                    return;
                }
                if !self.sm.unacked.is_empty() {
                    self.sm.requested = true;
                    self.write_raw(b"<r xmlns='urn:xmpp:sm:3'/>");
                }
            }
            "enabled" if self.sm.active => {
                let resumable = matches!(element.attr("resume"), Some("true" | "1"));
                self.sm.resume_id = element.attr("id").filter(|_| resumable).map(str::to_owned);
                tracing::debug!(resumable, "stream management enabled");
            }
            "resumed" if self.state == State::Resuming => self.resumed(element),
            "failed" if self.state == State::Resuming => self.resume_failed(element),
            "failed" => {
                tracing::info!("the server refused stream management");
                self.sm = StreamManagement::default();
            }
            _ => tracing::debug!(
                name = element.name(),
                "unexpected stream management element"
            ),
        }
    }

    fn sm_count_too_high(&mut self, h: u32, sent: u32) {
        let mut error = StreamError::new(StreamErrorCondition::UndefinedCondition);
        error.application = Some(
            Element::builder("handled-count-too-high", ns::STREAM_MANAGEMENT)
                .attr("h", h.to_string())
                .attr("send-count", sent.to_string())
                .build(),
        );
        self.send_stream_error(error);
        self.fail(ConnectionError::Protocol(format!(
            "the server acknowledged {h} stanzas, but only {sent} were sent"
        )));
    }

    /// How many stanzas were sent that the server has not acknowledged yet (XEP-0198; always 0
    /// without stream management). A driver keeps this bounded by holding back what it sends:
    /// the server acknowledges only what it has handled.
    pub fn unacked_stanzas(&self) -> usize {
        self.sm.unacked.len()
    }

    /// What a new connection needs to resume this session, once it has ended abnormally.
    /// `None` when the server did not offer resumption, or the session closed cleanly.
    pub fn take_resumption(&mut self) -> Option<ResumptionState> {
        let id = self.sm.resume_id.take()?;
        let jid = self.bound_jid.clone()?;
        let sm = std::mem::take(&mut self.sm);
        Some(ResumptionState {
            id,
            jid,
            inbound: sm.inbound,
            acked: sm.acked,
            unacked: sm.unacked,
        })
    }

    /// Resume `state` on this connection instead of binding a new session (call before
    /// [`Connection::transport_connected`]).
    pub fn resume(&mut self, state: ResumptionState) {
        self.resumption = Some(state);
    }

    /// After authentication: `<resume/>` instead of binding.
    pub(super) fn send_resume(&mut self) {
        let Some(state) = &self.resumption else {
            return;
        };
        let resume = Element::builder("resume", ns::STREAM_MANAGEMENT)
            .attr("h", state.inbound.to_string())
            .attr("previd", state.id.clone())
            .build();
        self.set_state(State::Resuming);
        self.write_element(&resume);
    }

    fn resumed(&mut self, element: &Element) {
        let Some(state) = self.resumption.take() else {
            return;
        };
        if element.attr("previd") != Some(state.id.as_str()) {
            return self.protocol_violation("<resumed/> names another session");
        }
        let Some(h) = parse_h(element) else {
            return self.protocol_violation("<resumed/> without a valid h");
        };
        self.sm = StreamManagement::from_resumption(&state);
        self.sm.unacked = state.unacked;
        let resend: Vec<Element> = match self.sm.acknowledge(h) {
            Ok(()) => self.sm.unacked.drain(..).collect(),
            Err(sent) => return self.sm_count_too_high(h, sent),
        };
        self.bound_jid = Some(state.jid.clone());
        self.negotiation_deadline = None;
        self.set_state(State::Online);
        let features = self.features.clone().unwrap_or_default();
        self.events.push_back(Event::Online {
            jid: state.jid,
            features,
            resumed: true,
        });
        tracing::debug!(h, resend = resend.len(), "session resumed");
        // Exactly the stanzas the server had not handled, in their order.
        for stanza in &resend {
            self.write_element(stanza);
        }
    }

    fn resume_failed(&mut self, element: &Element) {
        let Some(state) = self.resumption.take() else {
            return;
        };
        let mut lost = StreamManagement::from_resumption(&state);
        lost.unacked = state.unacked;
        // The server may still say how many of our stanzas it had handled.
        if let Some(h) = parse_h(element) {
            let _ = lost.acknowledge(h);
        }
        let stanzas: Vec<Element> = lost.unacked.into_iter().collect();
        tracing::info!(
            lost = stanzas.len(),
            "resumption failed; starting a new session"
        );
        if !stanzas.is_empty() {
            self.events.push_back(Event::StanzasMaybeLost { stanzas });
        }
        self.sm = StreamManagement::default();
        let resource = self.config.resource.clone();
        self.send_bind(resource);
    }
}
