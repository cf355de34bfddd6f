//! The async client handle and its event stream.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use openxmpp_core::jid::FullJid;
use openxmpp_core::stanza::{Iq, Stanza};
use openxmpp_core::xml::Element;
use tokio::sync::{mpsc, oneshot};

use crate::driver::Command;
use crate::session::SharedSession;
use crate::{ClientBuilder, Error, Event};

/// A connected XMPP client (tokio). Cheap to clone; the session ends when [`Client::close`] is
/// called or every clone is dropped.
///
/// ```no_run
/// use openxmpp::{Client, Event};
/// use openxmpp::stanza::{Message, Stanza};
///
/// # async fn run() -> Result<(), openxmpp::Error> {
/// let (client, mut events) = Client::builder("juliet@example.com", "secret").connect().await?;
/// client.send(Message::chat("romeo@example.net".parse().unwrap(), "Art thou not Romeo?")).await?;
/// while let Some(event) = events.next().await {
///     if let Event::Stanza { stanza: Stanza::Message(m) } = event {
///         println!("{:?}: {:?}", m.header.from, m.body());
///         break;
///     }
/// }
/// client.close().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    commands: mpsc::Sender<Command>,
    /// The current session's JID; the driver updates it when a reconnect binds another.
    jid: Arc<RwLock<FullJid>>,
    pub(crate) iq_timeout: Duration,
    /// The IM session the driver runs.
    pub(crate) im: SharedSession,
}

impl Client {
    /// Starts configuring a client for `jid` with `password`.
    pub fn builder(jid: impl Into<String>, password: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(jid, password)
    }

    pub(crate) fn new(
        commands: mpsc::Sender<Command>,
        jid: Arc<RwLock<FullJid>>,
        iq_timeout: Duration,
        im: SharedSession,
    ) -> Self {
        Client {
            commands,
            jid,
            iq_timeout,
            im,
        }
    }

    /// The full JID of the current session (after a reconnect the server may have bound
    /// another resource).
    pub fn jid(&self) -> FullJid {
        match self.jid.read() {
            Ok(jid) => jid.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Queues a stanza for sending; waits only for room in the queue, not for delivery.
    pub async fn send(&self, stanza: impl Into<Stanza>) -> Result<(), Error> {
        self.send_element(Element::from(stanza.into())).await
    }

    /// Queues any element as a first-level child of the stream.
    pub async fn send_element(&self, element: Element) -> Result<(), Error> {
        self.commands
            .send(Command::Send(Box::new(element)))
            .await
            .map_err(|_| Error::Closed)
    }

    /// Sends an IQ get or set (an empty id is replaced by a fresh one) and waits for the
    /// response from the entity it was sent to, or the configured IQ timeout.
    pub async fn request(&self, iq: Iq) -> Result<Iq, Error> {
        self.request_with_timeout(iq, self.iq_timeout).await
    }

    /// Like [`Client::request`] with its own timeout.
    pub async fn request_with_timeout(&self, iq: Iq, timeout: Duration) -> Result<Iq, Error> {
        let (reply, response) = oneshot::channel();
        self.commands
            .send(Command::Request {
                iq: Box::new(iq),
                timeout,
                reply,
            })
            .await
            .map_err(|_| Error::Closed)?;
        response.await.map_err(|_| Error::Closed)?
    }

    /// Turns the XML trace on or off: while on, every first-level element sent and received
    /// arrives as [`Event::Xml`] (SASL exchanges and passwords redacted), across reconnects.
    pub async fn set_xml_trace(&self, on: bool) -> Result<(), Error> {
        self.commands
            .send(Command::XmlTrace(on))
            .await
            .map_err(|_| Error::Closed)
    }

    /// Closes the session with the closing handshake and waits until it is done.
    pub async fn close(&self) -> Result<(), Error> {
        // RFC 6121 §4.5.2: unavailable presence before the stream closes, and withdrawn
        // directed presence (§4.6.3).
        let presences = self.im.lock().closing_presences(None);
        for presence in presences {
            if self.send(presence).await.is_err() {
                return Ok(()); // already closed
            }
        }
        let (done, finished) = oneshot::channel();
        if self.commands.send(Command::Close { done }).await.is_err() {
            return Ok(()); // already closed
        }
        let _ = finished.await;
        Ok(())
    }
}

/// The client's events, in order. Read them: they are queued until you do.
#[derive(Debug)]
pub struct Events {
    rx: mpsc::UnboundedReceiver<Box<Event>>,
}

impl Events {
    pub(crate) fn new(rx: mpsc::UnboundedReceiver<Box<Event>>) -> Self {
        Events { rx }
    }

    /// The next event; `None` once the session has ended and every event was read.
    pub async fn next(&mut self) -> Option<Event> {
        self.rx.recv().await.map(|event| *event)
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<Event> {
        self.rx.try_recv().ok().map(|event| *event)
    }
}
