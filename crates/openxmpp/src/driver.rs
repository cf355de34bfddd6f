//! The tokio driver: one task owns the socket and the sans-IO connection, moves bytes, sleeps
//! until the connection's next deadline, and turns commands into connection calls. All
//! protocol decisions are the core's.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use openxmpp_core::connection::{
    self, Connection, ConnectionConfig, ConnectionError, RequestId, ResumptionState, State, TlsMode,
};
use openxmpp_core::jid::FullJid;
use openxmpp_core::stanza::Iq;
use openxmpp_core::xml::Element;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use openxmpp_core::connection::IqError;
use openxmpp_im::delay::Timestamp;
use openxmpp_im::session::{Event as ImEvent, Output, RequestToken};

use crate::builder::{ClientBuilder, Security};
use crate::dns::{self, Target};
use crate::session::SharedSession;
use crate::{Client, Error, Event, Events, reconnect};

/// What a [`Client`] handle asks the driver to do.
pub(crate) enum Command {
    Send(Box<Element>),
    Request {
        iq: Box<Iq>,
        timeout: Duration,
        reply: oneshot::Sender<Result<Iq, Error>>,
    },
    Close {
        done: oneshot::Sender<()>,
    },
    XmlTrace(bool),
}

/// How many commands may wait for the driver before `send` waits for room.
const COMMAND_QUEUE: usize = 256;
/// The read buffer; the core's parser limits what a stanza may grow to.
pub(crate) const READ_CHUNK: usize = 16 * 1024;

thread_local! {
    /// One read buffer per thread, shared by every session the thread drives: what a read
    /// returns is handed to the connection before the task can yield, so no session holds
    /// the buffer across an `await`, and an idle session costs no buffer at all.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; READ_CHUNK]);
}

pub(crate) async fn connect(builder: ClientBuilder) -> Result<(Client, Events), Error> {
    let mut connector = Connector::new(builder)?;
    let im = SharedSession::new(
        connector.config.account.clone(),
        connector.builder.session.clone(),
        connector.builder.roster_store.clone(),
    );
    connector.config.iq_namespaces = im.lock().iq_namespaces();
    let (conn, stream) = connector.open(None).await?;
    let (commands_tx, commands_rx) = mpsc::channel(COMMAND_QUEUE);
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let (online_tx, online_rx) = oneshot::channel();
    let iq_timeout = connector.builder.iq_timeout;
    let driver = Driver {
        conn,
        im: im.clone(),
        im_requests: HashMap::new(),
        was_online: false,
        lost_at: None,
        xml_trace: false,
        events: events_tx,
        bound: None,
        online: Some(online_tx),
        pending: HashMap::new(),
        close_waiters: Vec::new(),
        queued: VecDeque::new(),
        resend: Vec::new(),
        resend_unacknowledged: connector.builder.resend_unacknowledged,
        closing: false,
    };
    tokio::spawn(driver.run(stream, commands_rx, connector));
    match online_rx.await {
        Ok(Ok(jid)) => Ok((
            Client::new(commands_tx, jid, iq_timeout, im),
            Events::new(events_rx),
        )),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::Closed),
    }
}

/// Everything needed to open a connection (again, for reconnecting).
pub(crate) struct Connector {
    pub(crate) builder: ClientBuilder,
    pub(crate) config: ConnectionConfig,
    pub(crate) domain: String,
}

impl Connector {
    fn new(builder: ClientBuilder) -> Result<Self, Error> {
        let config = builder.connection_config()?;
        let domain = config.domain().to_owned();
        Ok(Connector {
            builder,
            config,
            domain,
        })
    }

    /// Resolves, connects, and starts a session on the new transport: a resumption of
    /// `resume` when given, else a fresh one.
    pub(crate) async fn open(
        &self,
        resume: Option<ResumptionState>,
    ) -> Result<(Connection, TcpStream), Error> {
        let builder = &self.builder;
        let targets = match &builder.server {
            Some((host, port)) => vec![Target {
                host: host.clone(),
                port: *port,
                direct_tls: builder.security == Security::DirectTls,
            }],
            None => {
                let direct_allowed =
                    builder.security != Security::PlaintextInsecureForLocalTestingOnly;
                dns::resolve(&self.domain, direct_allowed).await
            }
        };
        let (stream, target) =
            connect_first(&self.domain, &targets, builder.connect_timeout).await?;
        let mut conn = Connection::new(adjust_for_target(self.config.clone(), &target));
        if let Some(state) = resume {
            conn.resume(state);
        }
        conn.connecting();
        conn.transport_connected(Instant::now());
        Ok((conn, stream))
    }
}

/// With SRV, a `_xmpps-client` target speaks Direct TLS and an `_xmpp-client` one STARTTLS,
/// whatever the configured default; both keep the configured roots.
fn adjust_for_target(mut config: ConnectionConfig, target: &Target) -> ConnectionConfig {
    config.tls = match (config.tls, target.direct_tls) {
        (TlsMode::StartTls(c), true) => TlsMode::DirectTls(c),
        (TlsMode::DirectTls(c), false) => TlsMode::StartTls(c),
        (mode, _) => mode,
    };
    config
}

/// Tries each target's addresses in turn, each with `timeout`.
async fn connect_first(
    domain: &str,
    targets: &[Target],
    timeout: Duration,
) -> Result<(TcpStream, Target), Error> {
    let mut attempts = Vec::new();
    for target in targets {
        let addrs = match tokio::net::lookup_host((target.host.as_str(), target.port)).await {
            Ok(addrs) => addrs.collect::<Vec<_>>(),
            Err(e) => {
                attempts.push(format!("{}:{}: {e}", target.host, target.port));
                continue;
            }
        };
        for addr in addrs {
            match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    tracing::debug!(%addr, direct_tls = target.direct_tls, "connected");
                    return Ok((stream, target.clone()));
                }
                Ok(Err(e)) => attempts.push(format!("{addr}: {e}")),
                Err(_) => attempts.push(format!("{addr}: no answer within {timeout:?}")),
            }
        }
    }
    if attempts.is_empty() {
        return Err(Error::Resolve {
            domain: domain.to_owned(),
            detail: "no address found".to_owned(),
        });
    }
    if attempts
        .iter()
        .all(|a| a.contains("failed to lookup") || a.contains("Name or service"))
    {
        return Err(Error::Resolve {
            domain: domain.to_owned(),
            detail: attempts.join("; "),
        });
    }
    Err(Error::Connect {
        domain: domain.to_owned(),
        attempts,
    })
}

/// How many stanzas may await the server's acknowledgement (XEP-0198) at once; more wait in
/// the queue. This bounds what is kept for resending and what is sent again after a lost
/// session, and keeps a server that never acknowledges from making the client hold an
/// unbounded backlog.
const MAX_IN_FLIGHT: usize = 500;

/// How many stanzas may wait for a reconnect (or for acknowledgements); beyond it the driver takes no more commands, so
/// that `send` waits (its channel fills) instead of stanzas being dropped.
const RECONNECT_QUEUE: usize = 1000;

/// The current session's JID, shared with the client handles.
type SharedJid = Arc<RwLock<FullJid>>;

struct Driver {
    conn: Connection,
    /// The IM session beside the connection.
    im: SharedSession,
    /// The IM session's requests in flight.
    im_requests: HashMap<RequestId, RequestToken>,
    /// Whether a session was online before (a later one that is not resumed starts afresh).
    was_online: bool,
    /// When the last session was lost.
    lost_at: Option<Timestamp>,
    /// Whether the XML trace is on (kept across reconnects).
    xml_trace: bool,
    /// Boxed: a channel allocates its slots 32 at a time, and a slot for an unboxed `Event`
    /// (a whole stanza) would cost every idle session 14 KiB.
    events: mpsc::UnboundedSender<Box<Event>>,
    /// Set at the first online session; updated by later ones.
    bound: Option<SharedJid>,
    online: Option<oneshot::Sender<Result<SharedJid, Error>>>,
    pending: HashMap<RequestId, (oneshot::Sender<Result<Iq, Error>>, Duration)>,
    close_waiters: Vec<oneshot::Sender<()>>,
    /// Stanzas sent while no session was online, sent once one is.
    queued: VecDeque<Box<Element>>,
    /// Messages a lost session had not had acknowledged, sent again first by the next one.
    resend: Vec<Element>,
    /// Whether unacknowledged messages with an origin id are sent again after a lost session.
    resend_unacknowledged: bool,
    /// The application asked to close (or dropped every handle): no reconnecting.
    closing: bool,
}

/// Whether `element` is a message a receiver can recognise when it gets it twice: it carries
/// an origin id (XEP-0359).
fn resendable(element: &Element) -> bool {
    element.name() == "message"
        && element
            .get_child("origin-id", openxmpp_im::stanza_id::NS)
            .and_then(|o| o.attr("id"))
            .is_some_and(|id| !id.is_empty())
}

/// How a session ended.
enum Ended {
    /// Cleanly, or by the application's wish.
    Closed,
    /// With an error.
    Failed(Option<ConnectionError>),
}

impl Driver {
    fn dispatch_events(&mut self) -> Option<Ended> {
        let mut ended = None;
        while let Some(event) = self.conn.poll_event() {
            match event {
                connection::Event::IqResponse { id, result } => {
                    if let Some(token) = self.im_requests.remove(&id) {
                        let response = result.map_err(|e| match e {
                            IqError::Stanza(error) => Some(error),
                            _ => None,
                        });
                        self.im.lock().handle_response(token, response);
                        self.pump_im();
                    } else if let Some((reply, timeout)) = self.pending.remove(&id) {
                        let _ = reply.send(result.map_err(|e| Error::from_iq(e, timeout)));
                    }
                }
                connection::Event::Stanza { stanza } => {
                    let unhandled = self.im.lock().handle_stanza(stanza, &timestamp_now());
                    self.pump_im();
                    if let Some(stanza) = unhandled {
                        self.emit(Event::Stanza { stanza });
                    }
                }
                connection::Event::Online { ref jid, .. } => {
                    match &self.bound {
                        Some(shared) => match shared.write() {
                            Ok(mut current) => *current = jid.clone(),
                            Err(poisoned) => *poisoned.into_inner() = jid.clone(),
                        },
                        None => {
                            let shared = Arc::new(RwLock::new(jid.clone()));
                            self.bound = Some(Arc::clone(&shared));
                            if let Some(online) = self.online.take() {
                                let _ = online.send(Ok(shared));
                            }
                        }
                    }
                    if let connection::Event::Online {
                        jid,
                        features,
                        resumed,
                    } = &event
                    {
                        let mut im = self.im.lock();
                        if self.was_online && !resumed {
                            let lost_at = self.lost_at.take().unwrap_or_else(timestamp_now);
                            im.offline(&lost_at);
                        }
                        im.online(jid, features, *resumed);
                    }
                    self.was_online = true;
                    self.forward(event);
                    self.pump_im();
                    if !self.queued.is_empty() {
                        tracing::debug!(
                            queued = self.queued.len(),
                            "online: sending what was queued"
                        );
                    }
                    if !self.resend.is_empty() {
                        tracing::info!(
                            resent = self.resend.len(),
                            "new session: sending again what the lost one had not had acknowledged"
                        );
                    }
                    for element in std::mem::take(&mut self.resend) {
                        if let Err(e) = self.conn.send_element(&element) {
                            tracing::warn!(error = %e, "unacknowledged stanza not resent");
                        }
                    }
                    self.flush_queued();
                }
                connection::Event::Disconnected { ref error } => {
                    self.lost_at = Some(timestamp_now());
                    if let Some(online) = self.online.take() {
                        let error = error
                            .clone()
                            .map(Error::Connection)
                            .unwrap_or(Error::Closed);
                        let _ = online.send(Err(error));
                        // The first session never came up: connect() reports it, no retries.
                        self.closing = true;
                    }
                    ended = Some(match error {
                        None => Ended::Closed,
                        Some(e) => Ended::Failed(Some(e.clone())),
                    });
                    self.forward(event);
                }
                connection::Event::StanzasMaybeLost { stanzas } if self.resend_unacknowledged => {
                    // Each failed resumption of the same outage reports the same stanzas.
                    let (resend, lost): (Vec<Element>, Vec<Element>) =
                        stanzas.into_iter().partition(resendable);
                    self.resend = resend;
                    if !lost.is_empty() {
                        self.forward(connection::Event::StanzasMaybeLost { stanzas: lost });
                    }
                }
                other => self.forward(other),
            }
        }
        ended
    }

    fn forward(&self, event: connection::Event) {
        if let Some(event) = Event::from_core(event) {
            self.emit(event);
        }
    }

    fn emit(&self, event: Event) {
        // The application may have dropped its event stream; the session goes on.
        let _ = self.events.send(Box::new(event));
    }

    /// Whether a stanza may go out now: online, and fewer than [`MAX_IN_FLIGHT`] stanzas
    /// await the server's acknowledgement.
    fn may_send(&self) -> bool {
        self.conn.state() == State::Online && self.conn.unacked_stanzas() < MAX_IN_FLIGHT
    }

    /// Sends what was queued, in order, as far as the server's acknowledgements allow.
    fn flush_queued(&mut self) {
        while self.may_send() {
            let Some(element) = self.queued.pop_front() else {
                break;
            };
            if let Err(e) = self.conn.send_element(&element) {
                tracing::warn!(error = %e, "queued stanza dropped");
            }
        }
    }

    /// Sends `element` now if online and the server keeps up, else queues it (behind what is
    /// already queued) for when it does or for the next session.
    fn send_or_queue(&mut self, element: Box<Element>) {
        if self.queued.is_empty() && self.may_send() {
            if let Err(e) = self.conn.send_element(&element) {
                tracing::warn!(error = %e, "stanza dropped");
            }
        } else if self.queued.len() < RECONNECT_QUEUE {
            self.queued.push_back(element);
        } else {
            tracing::warn!("not connected and the queue is full: stanza dropped");
        }
    }

    /// Sends what the IM session wants sent and forwards its events, until it has nothing.
    fn pump_im(&mut self) {
        loop {
            let (outputs, events): (Vec<Output>, Vec<ImEvent>) = {
                let mut im = self.im.lock();
                (
                    std::iter::from_fn(|| im.poll_output()).collect(),
                    std::iter::from_fn(|| im.poll_event()).collect(),
                )
            };
            if outputs.is_empty() && events.is_empty() {
                self.im.changed();
                return;
            }
            for event in events {
                self.emit(Event::Im { event });
            }
            for output in outputs {
                match output {
                    Output::Send(stanza) => self.send_or_queue(Box::new(Element::from(stanza))),
                    Output::Request { token, iq } => match self.conn.request(Instant::now(), iq) {
                        Ok(id) => {
                            self.im_requests.insert(id, token);
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "IM request not sent");
                            self.im.lock().handle_response(token, Err(None));
                        }
                    },
                }
            }
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Send(element) => self.send_or_queue(element),
            Command::Request { iq, timeout, reply } => {
                match self.conn.request_with_timeout(now, *iq, timeout) {
                    Ok(id) => {
                        self.pending.insert(id, (reply, timeout));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                    }
                }
            }
            Command::Close { done } => {
                self.close_waiters.push(done);
                self.closing = true;
                self.conn.close(now);
            }
            Command::XmlTrace(on) => {
                self.xml_trace = on;
                self.conn.set_xml_trace(on);
            }
        }
    }

    /// Drives one session until its transport is done with.
    async fn run_session(
        &mut self,
        stream: &mut TcpStream,
        commands: &mut mpsc::Receiver<Command>,
        domain: &str,
    ) -> Ended {
        let mut ended = Ended::Failed(None);
        loop {
            // Dispatching events can produce output (stanzas queued while offline are sent
            // when a session comes online) and writing can produce events (a failed write
            // ends the session): alternate until neither has anything left, so that nothing
            // waits in a buffer for the next input.
            loop {
                if let Some(end) = self.dispatch_events() {
                    ended = end;
                }
                // Acknowledgements may have made room for what waits.
                if !self.queued.is_empty() {
                    self.flush_queued();
                }
                let mut wrote = false;
                while let Some(bytes) = self.conn.poll_transmit() {
                    wrote = true;
                    if let Err(e) = stream.write_all(&bytes).await {
                        tracing::info!(%domain, error = %e, "write failed");
                        self.conn.transport_closed(Instant::now());
                    }
                }
                if !wrote {
                    break;
                }
            }
            if self.conn.is_finished() {
                break;
            }
            let deadline = self.conn.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                readable = stream.readable() => {
                    let now = Instant::now();
                    let read = readable.and_then(|()| {
                        READ_BUFFER.with_borrow_mut(|buf| {
                            let n = stream.try_read(buf)?;
                            if n > 0 {
                                self.conn.handle_input(now, &buf[..n]);
                            }
                            Ok(n)
                        })
                    });
                    match read {
                        Ok(0) => self.conn.transport_closed(now),
                        Ok(_) => {}
                        // Readiness can be spurious.
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) => {
                            tracing::info!(%domain, error = %e, "read failed");
                            self.conn.transport_closed(now);
                        }
                    }
                }
                command = commands.recv(), if !self.closing && self.queued.len() < RECONNECT_QUEUE => match command {
                    Some(command) => self.command(command),
                    None => {
                        // Every client handle is gone: end the session politely.
                        self.closing = true;
                        self.conn.close(Instant::now());
                    }
                },
                () = sleep => self.conn.handle_timeout(Instant::now()),
            }
        }
        while let Some(bytes) = self.conn.poll_transmit() {
            if stream.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = stream.shutdown().await;
        // Requests of a lost session cannot be answered any more. The IM session's are
        // forgotten: it starts its own afresh with the next session.
        for (_, (reply, _)) in self.pending.drain() {
            let _ = reply.send(Err(Error::Closed));
        }
        self.im_requests.clear();
        if self.closing { Ended::Closed } else { ended }
    }

    /// Waits `delay` while still serving commands; returns false if the client was closed.
    async fn wait_serving(
        &mut self,
        delay: Duration,
        commands: &mut mpsc::Receiver<Command>,
    ) -> bool {
        let until = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(until) => return true,
                // A full queue stops taking commands: senders wait instead of losing stanzas.
                command = commands.recv(), if self.queued.len() < RECONNECT_QUEUE => match command {
                    None => return false,
                    Some(Command::Close { done }) => {
                        self.close_waiters.push(done);
                        return false;
                    }
                    Some(command) => self.command(command),
                },
            }
        }
    }

    /// The task: sessions until the client is closed or reconnecting gives up.
    ///
    /// Not an `async fn`: its arguments would be stored in the task twice (once as
    /// arguments, once moved into locals), which costs an idle session kilobytes; an
    /// `async move` block uses what it captured in place.
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn would store its arguments twice in the task"
    )]
    fn run(
        mut self,
        mut stream: TcpStream,
        mut commands: mpsc::Receiver<Command>,
        connector: Connector,
    ) -> impl std::future::Future<Output = ()> + Send {
        async move {
            let policy = connector.builder.reconnect.clone();
            'sessions: loop {
                let ended = self
                    .run_session(&mut stream, &mut commands, &connector.domain)
                    .await;
                let retry = match &ended {
                    Ended::Closed => false,
                    Ended::Failed(error) => {
                        policy.enabled
                            && !self.closing
                            && !error
                                .as_ref()
                                .is_some_and(ConnectionError::forbids_reconnect)
                    }
                };
                if !retry {
                    break;
                }
                // What the lost session leaves for resuming it (XEP-0198), kept across attempts.
                let resumption = self.conn.take_resumption();
                let mut attempt = 0u32;
                loop {
                    attempt += 1;
                    if policy.max_attempts.is_some_and(|max| attempt > max) {
                        tracing::warn!(attempts = attempt - 1, "giving up reconnecting");
                        break 'sessions;
                    }
                    let delay = policy.delay(attempt, reconnect::jitter_unit());
                    self.emit(Event::Reconnecting { attempt, delay });
                    if !self.wait_serving(delay, &mut commands).await {
                        break 'sessions;
                    }
                    match Box::pin(connector.open(resumption.clone())).await {
                        Ok((mut conn, new_stream)) => {
                            conn.set_xml_trace(self.xml_trace);
                            self.conn = conn;
                            stream = new_stream;
                            continue 'sessions;
                        }
                        Err(e) => tracing::info!(attempt, error = %e, "reconnect attempt failed"),
                    }
                }
            }
            for (_, (reply, _)) in self.pending.drain() {
                let _ = reply.send(Err(Error::Closed));
            }
            // Offline for good: contacts are reported unavailable.
            self.im.lock().offline(&timestamp_now());
            self.pump_im();
            for done in self.close_waiters.drain(..) {
                let _ = done.send(());
            }
        }
    }
}

/// The current time for the IM session (which never reads the clock itself).
fn timestamp_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_unix(seconds, since_epoch.subsec_nanos()).unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openxmpp_core::xml::parse_element;

    #[test]
    fn only_messages_with_an_origin_id_are_sent_again() {
        let resendable = |xml: &str| resendable(&parse_element(xml).unwrap());
        assert!(resendable(
            "<message xmlns='jabber:client' to='romeo@example.net' id='a'><body>x</body>\
             <origin-id xmlns='urn:xmpp:sid:0' id='a'/></message>"
        ));
        // A receiver could not tell a second copy from a new message.
        assert!(!resendable(
            "<message xmlns='jabber:client' to='romeo@example.net' id='a'><body>x</body></message>"
        ));
        assert!(!resendable(
            "<message xmlns='jabber:client' to='romeo@example.net'>\
             <origin-id xmlns='urn:xmpp:sid:0' id=''/></message>"
        ));
        // IQs are answered or timed out with their session; presence is sent again by the IM
        // session itself.
        assert!(!resendable(
            "<iq xmlns='jabber:client' type='get' id='a'>\
             <origin-id xmlns='urn:xmpp:sid:0' id='a'/></iq>"
        ));
        assert!(!resendable("<presence xmlns='jabber:client'/>"));
    }
}
