//! What a connection reports.

use crate::jid::FullJid;
use crate::sasl::Mechanism;
use crate::stanza::{Iq, Stanza, StanzaParseError};
use crate::tls::TlsInfo;

use super::{ConnectionError, IqError, RequestId, State, StreamFeatures, XmlDirection};

/// An event from [`Connection::poll_event`](super::Connection::poll_event).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// A first-level element sent or received, as text, while the XML trace is on
    /// ([`Connection::set_xml_trace`](super::Connection::set_xml_trace)); secrets redacted.
    Xml {
        /// Which way it went.
        direction: XmlDirection,
        /// The element.
        xml: String,
    },
    /// The connection moved to `state`.
    StateChanged {
        /// The new state.
        state: State,
    },
    /// TLS is up and the server's certificate was verified.
    TlsEstablished {
        /// Version and cipher suite.
        info: TlsInfo,
    },
    /// For in-band registration ([`Purpose::Register`](super::Purpose::Register)): the stream
    /// is secured and the connection is in [`State::Registering`]; registration requests to
    /// the server may be sent with [`Connection::request`](super::Connection::request).
    ReadyToRegister {
        /// The features of the secured stream; `features.registration` says whether the
        /// server advertised in-band registration (some servers answer without advertising).
        features: StreamFeatures,
    },
    /// SASL succeeded and the server proved it knows the credentials (for SCRAM).
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism,
    },
    /// The session is established, or a lost one resumed (XEP-0198): then nothing was lost,
    /// presence and subscriptions carry on, and stanzas the server had not received are sent
    /// again.
    Online {
        /// The full JID the server bound.
        jid: FullJid,
        /// The features of the final stream (roster versioning, pre-approval, SM…).
        features: StreamFeatures,
        /// Whether a previous session was resumed rather than a new one started.
        resumed: bool,
    },
    /// Resuming the previous session failed and a new one was started: these stanzas were
    /// sent but never acknowledged by the server, so they may not have been delivered.
    StanzasMaybeLost {
        /// The stanzas, oldest first.
        stanzas: Vec<crate::xml::Element>,
    },
    /// A message, a presence, or an IQ request (get/set) that the application should answer.
    Stanza {
        /// The stanza.
        stanza: Stanza,
    },
    /// The response to a request made with [`Connection::request`](super::Connection::request).
    IqResponse {
        /// Which request.
        id: RequestId,
        /// The result IQ, or why there is none.
        result: Result<Iq, IqError>,
    },
    /// A stanza from the server could not be read; it was dropped (and an IQ request was
    /// answered with an error).
    InvalidStanza {
        /// What was wrong with it.
        error: StanzaParseError,
    },
    /// The session ended. `error` is `None` after a clean closing handshake.
    Disconnected {
        /// Why, if it was not a clean close.
        error: Option<ConnectionError>,
    },
}
