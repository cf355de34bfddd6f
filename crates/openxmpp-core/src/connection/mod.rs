//! The sans-IO client connection: stream negotiation (RFC 6120 §4–§7) and the online session.
//!
//! A [`Connection`] never touches a socket or the clock. The driver:
//!
//! 1. calls [`Connection::connecting`] while it opens the transport, then
//!    [`Connection::transport_connected`] once it is up;
//! 2. passes every chunk it reads to [`Connection::handle_input`] (any split is fine), tells
//!    [`Connection::transport_closed`] when the peer closes, and calls
//!    [`Connection::handle_timeout`] when the deadline from [`Connection::poll_timeout`] passes;
//! 3. after each of those calls (and after commands: [`Connection::send`],
//!    [`Connection::request`], [`Connection::close`]) drains [`Connection::poll_transmit`]
//!    (bytes to write), [`Connection::poll_event`] (typed events) and
//!    [`Connection::poll_timeout`] (the next deadline) until each is empty;
//! 4. closes the transport once [`Connection::is_finished`] says so.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use openxmpp_core::connection::{Connection, ConnectionConfig, Event, State, TlsMode};
//!
//! let provider = Arc::new(rustls::crypto::ring::default_provider());
//! let tls = rustls::ClientConfig::builder_with_provider(provider)
//!     .with_safe_default_protocol_versions()?
//!     .with_root_certificates(rustls::RootCertStore::empty())
//!     .with_no_client_auth();
//! let config = ConnectionConfig::new("juliet@example.com".parse()?, "secret", Arc::new(tls));
//! let mut conn = Connection::new(config);
//! let now = Instant::now();
//! conn.connecting();
//! conn.transport_connected(now);
//! let header = conn.poll_transmit().expect("the stream header");
//! assert!(String::from_utf8(header)?.contains("to='example.com'"));
//! conn.handle_input(now, b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='example.com' id='s1'>\
//!     <stream:features/>");
//! // No STARTTLS offered: the connection refuses to go on in plaintext.
//! let mut last = None;
//! while let Some(event) = conn.poll_event() { last = Some(event); }
//! assert!(matches!(last, Some(Event::Disconnected { error: Some(_) })));
//! assert_eq!(conn.state(), State::Offline);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod error;
mod event;
mod features;
mod iq_tracker;
mod keepalive;
mod negotiation;
mod registration;
mod state;
mod stream_management;
mod xml_trace;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use config::{ConnectionConfig, Purpose, TlsMode};
pub use error::{AuthError, ConnectionError, UsageError};
pub use event::Event;
pub use features::StreamFeatures;
pub use iq_tracker::{IqError, RequestId};
pub use state::State;
pub use stream_management::ResumptionState;
pub use xml_trace::XmlDirection;

use crate::error::{StreamError, StreamErrorCondition};
use crate::jid::FullJid;
use crate::ns;
use crate::sasl::SaslSession;
use crate::stanza::{Iq, IqPayload, Stanza, StanzaParseError};
use crate::tls::TlsLayer;
use crate::xml::{self, Element, StreamEvent, StreamHeader, StreamParser};

use iq_tracker::{IqTracker, Matched};

/// One client-to-server session, from the first byte to the closing handshake.
#[derive(Debug)]
pub struct Connection {
    config: ConnectionConfig,
    state: State,
    parser: StreamParser,
    tls: Option<TlsLayer>,
    /// Bytes waiting to be written to the transport.
    outgoing: Vec<u8>,
    /// Scratch for decrypted input, reused.
    plaintext: Vec<u8>,
    events: VecDeque<Event>,
    tracker: IqTracker,
    /// The server's header of the current stream, once received.
    server_header: Option<StreamHeader>,
    features: Option<StreamFeatures>,
    sasl: Option<SaslSession>,
    authenticated: bool,
    /// The id of the bind or session request in flight during `Binding`.
    binding: Option<negotiation::BindStep>,
    bound_jid: Option<FullJid>,
    negotiation_deadline: Option<Instant>,
    close_deadline: Option<Instant>,
    /// TLS was started and the stream opens once its handshake completes.
    awaiting_tls_handshake: bool,
    keepalive: keepalive::Keepalive,
    sm: stream_management::StreamManagement,
    /// A previous session to resume instead of binding.
    resumption: Option<ResumptionState>,
    /// The driver should close the transport.
    finished: bool,
    /// Whether first-level elements are reported as [`Event::Xml`].
    xml_trace: bool,
}

impl Connection {
    /// A connection in [`State::Offline`] with `config`.
    pub fn new(config: ConnectionConfig) -> Self {
        let prefix = config.id_prefix.clone().unwrap_or_else(random_prefix);
        Connection {
            parser: StreamParser::with_limits(config.parser_limits),
            config,
            state: State::Offline,
            tls: None,
            outgoing: Vec::new(),
            plaintext: Vec::new(),
            events: VecDeque::new(),
            tracker: IqTracker::new(prefix),
            server_header: None,
            features: None,
            sasl: None,
            authenticated: false,
            binding: None,
            bound_jid: None,
            negotiation_deadline: None,
            close_deadline: None,
            awaiting_tls_handshake: false,
            keepalive: keepalive::Keepalive::default(),
            sm: stream_management::StreamManagement::default(),
            resumption: None,
            finished: false,
            xml_trace: false,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The full JID bound for this session, once online.
    pub fn bound_jid(&self) -> Option<&FullJid> {
        self.bound_jid.as_ref()
    }

    /// The features of the current stream, once received.
    pub fn features(&self) -> Option<&StreamFeatures> {
        self.features.as_ref()
    }

    /// The TLS session, once started (for its negotiated parameters).
    pub fn tls(&self) -> Option<&TlsLayer> {
        self.tls.as_ref()
    }

    /// Whether the session is over and the driver should close the transport.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// A fresh id for a stanza the caller builds.
    pub fn next_id(&mut self) -> String {
        self.tracker.next_id()
    }

    // ----- inputs ---------------------------------------------------------------------------

    /// The driver is opening the transport (DNS, TCP connect).
    pub fn connecting(&mut self) {
        if self.state == State::Offline {
            self.finished = false;
            self.set_state(State::Connecting);
        }
    }

    /// The transport is up: the connection writes the stream header (or, with Direct TLS, the
    /// TLS ClientHello) and starts the negotiation deadline.
    pub fn transport_connected(&mut self, now: Instant) {
        if !matches!(self.state, State::Offline | State::Connecting) {
            return;
        }
        self.reset_session();
        self.negotiation_deadline = Some(now + self.config.negotiation_timeout);
        match self.config.tls.clone() {
            TlsMode::DirectTls(tls_config) => {
                self.set_state(State::StartingTls);
                self.start_tls(tls_config);
            }
            TlsMode::StartTls(_) | TlsMode::PlaintextInsecureForLocalTestingOnly => {
                self.set_state(State::Connected);
                self.open_stream();
            }
        }
    }

    /// Bytes read from the transport, split anywhere.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        if matches!(self.state, State::Offline | State::Connecting) {
            return;
        }
        self.keepalive_received(now);
        if let Some(tls) = self.tls.as_mut() {
            let mut plaintext = std::mem::take(&mut self.plaintext);
            plaintext.clear();
            let received = tls.receive(data, &mut plaintext);
            tls.drain_outgoing(&mut self.outgoing);
            if let Err(e) = received {
                self.plaintext = plaintext;
                self.fail(e.into());
                return;
            }
            if self.awaiting_tls_handshake && !tls.is_handshaking() {
                self.awaiting_tls_handshake = false;
                if let Some(info) = tls.info() {
                    self.events.push_back(Event::TlsEstablished { info });
                }
                self.open_stream();
            }
            self.parser.feed(&plaintext);
            self.plaintext = plaintext;
        } else {
            self.parser.feed(data);
        }
        self.process_stream(now);
    }

    /// The transport was closed by the peer or failed.
    pub fn transport_closed(&mut self, _now: Instant) {
        match self.state {
            State::Offline => {}
            State::Disconnecting => self.finish(None),
            _ => self.fail(ConnectionError::TransportClosed),
        }
    }

    /// A deadline from [`Connection::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.close_deadline.is_some_and(|d| d <= now) {
            self.close_deadline = None;
            self.finish(None);
            return;
        }
        if self.state != State::Online && self.negotiation_deadline.is_some_and(|d| d <= now) {
            let seconds = self.config.negotiation_timeout.as_secs();
            let state = self.state;
            self.fail(ConnectionError::NegotiationTimeout { seconds, state });
            return;
        }
        for id in self.tracker.expire(now) {
            self.events.push_back(Event::IqResponse {
                id,
                result: Err(IqError::Timeout),
            });
        }
        if self.state == State::Online {
            self.keepalive_timeout(now);
        }
    }

    // ----- commands -------------------------------------------------------------------------

    /// Sends a stanza. Only while online.
    pub fn send(&mut self, stanza: impl Into<Stanza>) -> Result<(), UsageError> {
        self.ensure_online("send a stanza")?;
        self.write_element(&Element::from(stanza.into()));
        Ok(())
    }

    /// Sends any element as a first-level child of the stream (raw XML checked to be one
    /// element by the caller's parser). Only while online.
    pub fn send_element(&mut self, element: &Element) -> Result<(), UsageError> {
        self.ensure_online("send an element")?;
        self.write_element(element);
        Ok(())
    }

    /// Sends an IQ get or set and tracks its response, which comes as [`Event::IqResponse`]
    /// (or as an [`IqError::Timeout`] after the configured IQ timeout). An empty id is replaced
    /// by a fresh one.
    ///
    /// Online, or in [`State::Registering`] for requests to the server (no `to`, or its
    /// domain), whose responses are accepted only from the server (no `from`, or its domain).
    pub fn request(&mut self, now: Instant, iq: Iq) -> Result<RequestId, UsageError> {
        let timeout = self.config.iq_timeout;
        self.request_with_timeout(now, iq, timeout)
    }

    /// Like [`Connection::request`] with its own timeout.
    pub fn request_with_timeout(
        &mut self,
        now: Instant,
        mut iq: Iq,
        timeout: Duration,
    ) -> Result<RequestId, UsageError> {
        let registering = self.state == State::Registering;
        if registering {
            self.check_registration_request(&iq)?;
        } else {
            self.ensure_online("send a request")?;
        }
        if !iq.payload.is_request() {
            return Err(UsageError {
                action: "track a result or error as a request",
                state: self.state,
            });
        }
        if iq.id.is_empty() {
            iq.id = self.tracker.next_id();
        }
        let own = if registering {
            self.config.domain()
        } else {
            self.config.account.as_str()
        };
        let id = self.tracker.track(&iq, own, now + timeout);
        self.write_element(&Element::from(iq));
        Ok(id)
    }

    /// Stops waiting for a request's response; a late response is dropped. Returns whether
    /// the request was still outstanding.
    pub fn cancel(&mut self, id: &RequestId) -> bool {
        self.tracker.cancel(id)
    }

    /// Starts the closing handshake: `</stream:stream>`, then wait (bounded) for the server's.
    pub fn close(&mut self, now: Instant) {
        match self.state {
            State::Offline | State::Disconnecting => {}
            State::Connecting => self.finish(None),
            _ => {
                self.write_raw(b"</stream:stream>");
                self.set_state(State::Disconnecting);
                self.close_deadline = Some(now + self.config.close_timeout);
            }
        }
    }

    // ----- outputs --------------------------------------------------------------------------

    /// Bytes to write to the transport, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.outgoing.is_empty()).then(|| std::mem::take(&mut self.outgoing))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_none() && self.events.capacity() > 0 {
            // Drained: an event is a whole stanza wide, and an idle connection should not
            // keep room for a burst of them (a thousand sessions, 2 KiB each).
            self.events = VecDeque::new();
        }
        event
    }

    /// When [`Connection::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let (negotiation, keepalive) = if self.state == State::Online {
            (None, self.keepalive_deadline())
        } else {
            (self.negotiation_deadline, None)
        };
        [
            negotiation,
            keepalive,
            self.close_deadline,
            self.tracker.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ----- internals ------------------------------------------------------------------------

    fn ensure_online(&self, action: &'static str) -> Result<(), UsageError> {
        if self.state == State::Online {
            Ok(())
        } else {
            Err(UsageError {
                action,
                state: self.state,
            })
        }
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            tracing::debug!(from = %self.state, to = %state, "connection state");
            self.state = state;
            self.events.push_back(Event::StateChanged { state });
        }
    }

    fn reset_session(&mut self) {
        self.parser.reset();
        self.tls = None;
        self.server_header = None;
        self.features = None;
        self.sasl = None;
        self.authenticated = false;
        self.binding = None;
        self.bound_jid = None;
        self.close_deadline = None;
        self.awaiting_tls_handshake = false;
        self.keepalive = keepalive::Keepalive::default();
        self.sm = stream_management::StreamManagement::default();
        self.finished = false;
    }

    fn start_tls(&mut self, tls_config: std::sync::Arc<rustls::ClientConfig>) {
        match TlsLayer::new(tls_config, self.config.domain()) {
            Ok(mut tls) => {
                tls.drain_outgoing(&mut self.outgoing);
                self.tls = Some(tls);
                self.awaiting_tls_handshake = true;
                self.parser.reset();
                self.server_header = None;
            }
            Err(e) => self.fail(e.into()),
        }
    }

    /// Writes our stream header for a new stream.
    fn open_stream(&mut self) {
        let mut header = StreamHeader::client(self.config.domain());
        if self.tls.is_some() && self.config.purpose == Purpose::Login {
            // RFC 6120 §4.7.1: include `from` once the stream is protected (there is no
            // account yet to name when registering one).
            header.from = Some(self.config.account.as_str().to_owned());
        }
        header.lang = self.config.lang.clone();
        let mut bytes = Vec::with_capacity(256);
        xml::write_stream_header(&header, &mut bytes);
        self.write_raw(&bytes);
    }

    /// Starts a new stream after TLS or SASL success (RFC 6120 §5.4.3.3, §6.4.6).
    fn restart_stream(&mut self) {
        self.parser.reset();
        self.server_header = None;
        self.features = None;
        self.open_stream();
    }

    fn write_element(&mut self, element: &Element) {
        self.trace_xml(XmlDirection::Sent, element);
        let mut bytes = Vec::with_capacity(256);
        xml::write_stanza(element, ns::JABBER_CLIENT, &mut bytes);
        self.write_raw(&bytes);
        if self.state == State::Online {
            self.sm_track_outbound(element);
        }
    }

    fn write_raw(&mut self, bytes: &[u8]) {
        match self.tls.as_mut() {
            Some(tls) => {
                if tls.send(bytes).is_ok() {
                    tls.drain_outgoing(&mut self.outgoing);
                }
            }
            None => self.outgoing.extend_from_slice(bytes),
        }
    }

    fn process_stream(&mut self, now: Instant) {
        while !matches!(self.state, State::Offline) {
            match self.parser.next_event() {
                Ok(None) => break,
                Ok(Some(event)) => self.handle_stream_event(now, event),
                Err(e) => {
                    self.send_stream_error(StreamError::new(xml_condition(&e)));
                    self.fail(ConnectionError::Xml(e));
                }
            }
        }
    }

    fn handle_stream_event(&mut self, now: Instant, event: StreamEvent) {
        match event {
            StreamEvent::StreamOpen(header) => self.handle_stream_open(header),
            StreamEvent::StreamClose => {
                if self.state == State::Disconnecting {
                    self.finish(None);
                } else {
                    // The server closed: answer the handshake, then report.
                    self.write_raw(b"</stream:stream>");
                    self.fail(ConnectionError::Protocol(
                        "the server closed the stream".to_owned(),
                    ));
                }
            }
            StreamEvent::Stanza(element) => {
                self.trace_xml(XmlDirection::Received, &element);
                self.handle_element(now, element);
            }
        }
    }

    fn handle_stream_open(&mut self, header: StreamHeader) {
        if self.server_header.is_some() {
            self.send_stream_error(StreamError::new(StreamErrorCondition::InvalidXml));
            self.fail(ConnectionError::Protocol(
                "a second stream header".to_owned(),
            ));
            return;
        }
        let major = header
            .version
            .as_deref()
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if major != Some(1) {
            self.send_stream_error(StreamError::new(StreamErrorCondition::UnsupportedVersion));
            self.fail(ConnectionError::Protocol(format!(
                "the server speaks stream version {:?}, not 1.x",
                header.version
            )));
            return;
        }
        if header.content_ns != ns::JABBER_CLIENT {
            // A server-to-server (or component) stream: nothing in it is for a client.
            self.send_stream_error(StreamError::new(StreamErrorCondition::InvalidNamespace));
            self.fail(ConnectionError::Protocol(format!(
                "the server opened a stream in {}, not jabber:client",
                header.content_ns
            )));
            return;
        }
        if header
            .from
            .as_deref()
            .is_some_and(|from| from != self.config.domain())
        {
            tracing::warn!(expected = self.config.domain(), from = ?header.from,
                "the server's stream header names another domain");
        }
        self.server_header = Some(header);
    }

    fn handle_element(&mut self, now: Instant, element: Element) {
        if self.server_header.is_none() {
            self.send_stream_error(StreamError::new(StreamErrorCondition::InvalidXml));
            self.fail(ConnectionError::Protocol(
                "an element before the stream header".to_owned(),
            ));
            return;
        }
        match element.ns() {
            ns::STREAM if element.name() == "error" => {
                let error = StreamError::try_from(element)
                    .unwrap_or_else(|_| StreamError::new(StreamErrorCondition::UndefinedCondition));
                self.fail(ConnectionError::Stream(Box::new(error)));
            }
            ns::STREAM if element.name() == "features" => self.handle_features(&element),
            ns::TLS => self.handle_tls_element(&element),
            ns::SASL => self.handle_sasl_element(&element),
            ns::STREAM_MANAGEMENT => self.handle_sm_element(&element),
            ns::JABBER_CLIENT if Stanza::is_stanza(&element) => match self.state {
                State::Registering => self.handle_registration_stanza(element),
                State::Disconnecting if self.config.purpose == Purpose::Register => {
                    self.handle_registration_stanza(element);
                }
                State::Online | State::Disconnecting => self.handle_stanza(now, element),
                State::Binding => self.handle_binding_stanza(element),
                State::Resuming => tracing::debug!("stanza before <resumed/> ignored"),
                _ => self.protocol_violation("a stanza before the session was established"),
            },
            _ => {
                tracing::debug!(
                    name = element.name(),
                    ns = element.ns(),
                    "unhandled element"
                );
            }
        }
    }

    fn handle_stanza(&mut self, _now: Instant, element: Element) {
        self.sm_count_inbound();
        let request_id = (element.name() == "iq")
            .then(|| element.attr("id").map(str::to_owned))
            .flatten()
            .filter(|_| matches!(element.attr("type"), Some("get" | "set")));
        match Stanza::try_from(element) {
            Ok(Stanza::Iq(iq)) if self.keepalive_answer(&iq) || self.answer_server_ping(&iq) => {}
            Ok(Stanza::Iq(iq)) if !iq.payload.is_request() => {
                let bound = self.bound_jid.clone();
                let config = &self.config;
                let matched = self
                    .tracker
                    .match_response(iq, |jid| config.is_own_or_server(jid, bound.as_ref()));
                match matched {
                    Matched::Response(id, result) => {
                        self.events.push_back(Event::IqResponse {
                            id,
                            result: *result,
                        });
                    }
                    Matched::Unsolicited => tracing::debug!("unsolicited IQ response dropped"),
                }
            }
            Ok(Stanza::Iq(iq)) if !self.claims(&iq) => self.answer_unclaimed(&iq),
            Ok(stanza) => self.events.push_back(Event::Stanza { stanza }),
            Err(error) => {
                tracing::warn!(%error, "invalid stanza from the server");
                if let Some(id) = request_id {
                    self.answer_invalid_request(id, &error);
                }
                self.events.push_back(Event::InvalidStanza { error });
            }
        }
    }

    /// Whether the application handles this request's payload namespace.
    fn claims(&self, iq: &Iq) -> bool {
        let namespace = iq.payload_element().map(Element::ns).unwrap_or_default();
        self.config.iq_namespaces.iter().any(|ns| ns == namespace)
    }

    /// Answers a request nobody handles with `service-unavailable` (RFC 6120 §8.4).
    fn answer_unclaimed(&mut self, iq: &Iq) {
        use crate::error::{StanzaError, StanzaErrorCondition};
        tracing::debug!(id = %iq.id, ns = iq.payload_element().map(Element::ns),
            "IQ request nobody handles; answering service-unavailable");
        let answer = iq.error(StanzaError::new(StanzaErrorCondition::ServiceUnavailable));
        self.write_element(&Element::from(answer));
    }

    /// Answers an IQ request we could not read with `bad-request` or `jid-malformed`.
    fn answer_invalid_request(&mut self, id: String, error: &StanzaParseError) {
        use crate::error::{StanzaError, StanzaErrorCondition as C};
        let condition = match error {
            StanzaParseError::InvalidJid { .. } => C::JidMalformed,
            _ => C::BadRequest,
        };
        let answer = Iq {
            id,
            header: Default::default(),
            payload: IqPayload::Error {
                error: StanzaError::new(condition).with_text(None, error.to_string()),
                request: None,
            },
        };
        self.write_element(&Element::from(answer));
    }

    fn protocol_violation(&mut self, what: &str) {
        self.send_stream_error(StreamError::new(
            StreamErrorCondition::UnsupportedStanzaType,
        ));
        self.fail(ConnectionError::Protocol(what.to_owned()));
    }

    fn send_stream_error(&mut self, error: StreamError) {
        if self.server_header.is_some() || self.state != State::Offline {
            self.write_element(&Element::from(error));
            self.write_raw(b"</stream:stream>");
        }
    }

    /// Ends the session with an error.
    fn fail(&mut self, error: ConnectionError) {
        if self.state == State::Offline {
            return;
        }
        tracing::info!(%error, "connection failed");
        self.finish(Some(error));
    }

    /// Ends the session: TLS close_notify, pending requests failed, `Offline`.
    fn finish(&mut self, error: Option<ConnectionError>) {
        if error.is_none() {
            // A clean close ends the session for good: nothing to resume.
            self.sm = stream_management::StreamManagement::default();
        }
        if let Some(tls) = self.tls.as_mut() {
            tls.close();
            tls.drain_outgoing(&mut self.outgoing);
        }
        for id in self.tracker.drain() {
            self.events.push_back(Event::IqResponse {
                id,
                result: Err(IqError::Disconnected),
            });
        }
        self.negotiation_deadline = None;
        self.close_deadline = None;
        self.finished = true;
        self.set_state(State::Offline);
        self.events.push_back(Event::Disconnected { error });
    }
}

/// The stream error condition for an XML refusal.
fn xml_condition(e: &xml::XmlError) -> StreamErrorCondition {
    StreamErrorCondition::from_name(e.condition()).unwrap_or(StreamErrorCondition::NotWellFormed)
}

/// A random id prefix, so ids of different connections never collide.
fn random_prefix() -> String {
    let mut bytes = [0u8; 6];
    match getrandom::fill(&mut bytes) {
        Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        // Ids need to be unique per connection, not secret; a fixed prefix still is.
        Err(_) => "oxmpp".to_owned(),
    }
}
