//! The client for code without async: the same driver and core, run on a private runtime
//! thread, with calls that block (the seed design's synchronous `Open()` and IQ).

use std::time::Duration;

use openxmpp_core::jid::FullJid;
use openxmpp_core::stanza::{Iq, Stanza};
use openxmpp_core::xml::Element;

use crate::{ClientBuilder, Error, Event, Events};

mod handles;

pub use crate::registration::{
    BlockingAccountManagement as AccountManagement, BlockingRegistration as Registration,
};
pub use handles::{
    ArchiveHandle, BlocklistHandle, ChatsHandle, DiscoveryHandle, MucHandle, PresenceHandle,
    RosterHandle, SubscriptionsHandle, VCardHandle,
};

/// A connected XMPP client for blocking code.
///
/// ```no_run
/// use std::time::Duration;
/// use openxmpp::stanza::Message;
///
/// let mut client = openxmpp::Client::builder("juliet@example.com", "secret").connect_blocking()?;
/// client.send(Message::chat("romeo@example.net".parse().unwrap(), "Hi"))?;
/// while let Some(event) = client.next_event(Duration::from_secs(5)) {
///     println!("{event:?}");
/// }
/// client.close()?;
/// # Ok::<(), openxmpp::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) inner: crate::Client,
    events: Events,
}

/// The private runtime a blocking handle runs its async counterpart on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    // One worker thread runs the driver while the caller's thread is elsewhere.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("openxmpp-driver")
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the client's runtime: {e}")))
}

impl Client {
    /// Connects and blocks until the session is online, or fails.
    pub fn connect(builder: ClientBuilder) -> Result<Self, Error> {
        let runtime = runtime()?;
        let (inner, events) = runtime.block_on(builder.connect())?;
        Ok(Client {
            runtime,
            inner,
            events,
        })
    }

    /// The full JID of the current session.
    pub fn jid(&self) -> FullJid {
        self.inner.jid()
    }

    /// Queues a stanza for sending.
    pub fn send(&self, stanza: impl Into<Stanza>) -> Result<(), Error> {
        self.runtime.block_on(self.inner.send(stanza))
    }

    /// Queues any element as a first-level child of the stream.
    pub fn send_element(&self, element: Element) -> Result<(), Error> {
        self.runtime.block_on(self.inner.send_element(element))
    }

    /// Sends an IQ request and blocks until its response or the IQ timeout.
    pub fn request(&self, iq: Iq) -> Result<Iq, Error> {
        self.runtime.block_on(self.inner.request(iq))
    }

    /// Like [`Client::request`] with its own timeout.
    pub fn request_with_timeout(&self, iq: Iq, timeout: Duration) -> Result<Iq, Error> {
        self.runtime
            .block_on(self.inner.request_with_timeout(iq, timeout))
    }

    /// Blocks up to `timeout` for the next event.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        let events = &mut self.events;
        self.runtime.block_on(async {
            tokio::time::timeout(timeout, events.next())
                .await
                .ok()
                .flatten()
        })
    }

    /// The next event if one is waiting.
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.events.try_next()
    }

    /// Turns the XML trace on or off (see [`crate::Client::set_xml_trace`]).
    pub fn set_xml_trace(&self, on: bool) -> Result<(), Error> {
        self.runtime.block_on(self.inner.set_xml_trace(on))
    }

    /// Closes the session with the closing handshake.
    pub fn close(self) -> Result<(), Error> {
        self.runtime.block_on(self.inner.close())
    }
}
