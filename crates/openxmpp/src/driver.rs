//! The tokio driver: one task owns the socket and the sans-IO connection, moves bytes, sleeps
//! until the connection's next deadline, and turns commands into connection calls. All
//! protocol decisions are the core's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use openxmpp_core::connection::{self, Connection, ConnectionConfig, RequestId, TlsMode};
use openxmpp_core::jid::FullJid;
use openxmpp_core::stanza::Iq;
use openxmpp_core::xml::Element;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::builder::{ClientBuilder, Security};
use crate::dns::{self, Target};
use crate::{Client, Error, Event, Events};

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
}

/// How many commands may wait for the driver before `send` waits for room.
const COMMAND_QUEUE: usize = 256;
/// The read buffer; the core's parser limits what a stanza may grow to.
const READ_CHUNK: usize = 16 * 1024;

pub(crate) async fn connect(builder: ClientBuilder) -> Result<(Client, Events), Error> {
    let config = builder.connection_config()?;
    let domain = config.domain().to_owned();
    let targets = match &builder.server {
        Some((host, port)) => vec![Target {
            host: host.clone(),
            port: *port,
            direct_tls: builder.security == Security::DirectTls,
        }],
        None => {
            let direct_allowed = builder.security != Security::PlaintextInsecureForLocalTestingOnly;
            dns::resolve(&domain, direct_allowed).await
        }
    };
    let (stream, target) = connect_first(&domain, &targets, builder.connect_timeout).await?;
    let config = adjust_for_target(config, &target);
    let mut conn = Connection::new(config);
    conn.connecting();
    conn.transport_connected(Instant::now());

    let (commands_tx, commands_rx) = mpsc::channel(COMMAND_QUEUE);
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let (online_tx, online_rx) = oneshot::channel();
    tokio::spawn(drive(
        conn,
        stream,
        commands_rx,
        events_tx,
        online_tx,
        domain,
    ));
    match online_rx.await {
        Ok(Ok(jid)) => Ok((
            Client::new(commands_tx, jid, builder.iq_timeout),
            Events::new(events_rx),
        )),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::Closed),
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

struct Driver {
    conn: Connection,
    events: mpsc::UnboundedSender<Event>,
    online: Option<oneshot::Sender<Result<FullJid, Error>>>,
    pending: HashMap<RequestId, (oneshot::Sender<Result<Iq, Error>>, Duration)>,
    close_waiters: Vec<oneshot::Sender<()>>,
}

impl Driver {
    fn dispatch_events(&mut self) {
        while let Some(event) = self.conn.poll_event() {
            match event {
                connection::Event::IqResponse { id, result } => {
                    if let Some((reply, timeout)) = self.pending.remove(&id) {
                        let _ = reply.send(result.map_err(|e| Error::from_iq(e, timeout)));
                    }
                }
                connection::Event::Online { ref jid, .. } => {
                    if let Some(online) = self.online.take() {
                        let _ = online.send(Ok(jid.clone()));
                    }
                    self.forward(event);
                }
                connection::Event::Disconnected { ref error } => {
                    if let Some(online) = self.online.take() {
                        let error = error
                            .clone()
                            .map(Error::Connection)
                            .unwrap_or(Error::Closed);
                        let _ = online.send(Err(error));
                    }
                    self.forward(event);
                }
                other => self.forward(other),
            }
        }
    }

    fn forward(&self, event: connection::Event) {
        if let Some(event) = Event::from_core(event) {
            // The application may have dropped its event stream; the session goes on.
            let _ = self.events.send(event);
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Send(element) => {
                if let Err(e) = self.conn.send_element(&element) {
                    tracing::warn!(error = %e, "stanza dropped");
                }
            }
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
                self.conn.close(now);
            }
        }
    }
}

async fn drive(
    conn: Connection,
    mut stream: TcpStream,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    online: oneshot::Sender<Result<FullJid, Error>>,
    domain: String,
) {
    let mut driver = Driver {
        conn,
        events,
        online: Some(online),
        pending: HashMap::new(),
        close_waiters: Vec::new(),
    };
    let mut buf = vec![0u8; READ_CHUNK];
    let mut commands_open = true;
    loop {
        while let Some(bytes) = driver.conn.poll_transmit() {
            if let Err(e) = stream.write_all(&bytes).await {
                tracing::info!(%domain, error = %e, "write failed");
                driver.conn.transport_closed(Instant::now());
            }
        }
        driver.dispatch_events();
        if driver.conn.is_finished() {
            break;
        }
        let deadline = driver.conn.poll_timeout();
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = stream.read(&mut buf) => {
                let now = Instant::now();
                match read {
                    Ok(0) => driver.conn.transport_closed(now),
                    Ok(n) => driver.conn.handle_input(now, &buf[..n]),
                    Err(e) => {
                        tracing::info!(%domain, error = %e, "read failed");
                        driver.conn.transport_closed(now);
                    }
                }
            }
            command = commands.recv(), if commands_open => match command {
                Some(command) => driver.command(command),
                None => {
                    // Every client handle is gone: end the session politely.
                    commands_open = false;
                    driver.conn.close(Instant::now());
                }
            },
            () = sleep => driver.conn.handle_timeout(Instant::now()),
        }
    }
    while let Some(bytes) = driver.conn.poll_transmit() {
        if stream.write_all(&bytes).await.is_err() {
            break;
        }
    }
    let _ = stream.shutdown().await;
    for (_, (reply, _)) in driver.pending.drain() {
        let _ = reply.send(Err(Error::Closed));
    }
    for done in driver.close_waiters.drain(..) {
        let _ = done.send(());
    }
}
