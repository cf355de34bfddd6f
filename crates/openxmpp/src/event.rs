//! What a client reports to the application.

use openxmpp_core::connection::{self, ConnectionError, State, StreamFeatures, XmlDirection};
use openxmpp_core::jid::FullJid;
use openxmpp_core::sasl::Mechanism;
use openxmpp_core::stanza::{Stanza, StanzaParseError};
use openxmpp_core::tls::TlsInfo;

/// An event from [`Events`](crate::Events).
#[derive(Debug, Clone)]
#[non_exhaustive]
// `Stanza` is both the largest and by far the most frequent variant: boxing it would cost an
// allocation per stanza to save space only on the rare small events.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// The session moved to `state`.
    StateChanged {
        /// The new state.
        state: State,
    },
    /// TLS is up and the server's certificate was verified.
    TlsEstablished {
        /// Version and cipher suite.
        info: TlsInfo,
    },
    /// SASL succeeded (and for SCRAM the server proved it knows the credentials).
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism,
    },
    /// The session is established, or after a lost connection, resumed (XEP-0198): a resumed
    /// session lost nothing, and presence need not be sent again; a new one (after a reconnect
    /// without resumption) starts afresh, and what was missed meanwhile is in the archive
    /// ([`ArchiveHandle::catch_up_missed`](crate::ArchiveHandle::catch_up_missed)).
    Online {
        /// The full JID the server bound.
        jid: FullJid,
        /// The features of the final stream.
        features: StreamFeatures,
        /// Whether the previous session was resumed.
        resumed: bool,
    },
    /// Resuming failed and a new session began: these stanzas were sent but never
    /// acknowledged, so they may not have been delivered. Messages with an origin id are not
    /// among them: they are sent again instead (see
    /// [`ClientBuilder::resend_unacknowledged`](crate::ClientBuilder::resend_unacknowledged)).
    StanzasMaybeLost {
        /// The stanzas, oldest first.
        stanzas: Vec<openxmpp_core::xml::Element>,
    },
    /// A stanza no IM module handled: a message or presence with extensions the application
    /// may know, or an IQ request in a namespace it registered with
    /// [`ClientBuilder::handle_iq`](crate::ClientBuilder::handle_iq) (answer it).
    Stanza {
        /// The stanza.
        stanza: Stanza,
    },
    /// A stanza from the server could not be read and was dropped (IQ requests among them are
    /// answered with an error).
    InvalidStanza {
        /// What was wrong with it.
        error: StanzaParseError,
    },
    /// The session ended; `error` is `None` after a clean close.
    Disconnected {
        /// Why, if it was not a clean close.
        error: Option<ConnectionError>,
    },
    /// Something the IM layer understood: the roster, a contact's presence or subscription,
    /// a chat message, a receipt, the blocklist… (see [`ImEvent`](crate::ImEvent)).
    Im {
        /// What happened.
        event: openxmpp_im::session::Event,
    },
    /// XML sent or received, while the trace is on ([`Client::set_xml_trace`](crate::Client::set_xml_trace)).
    Xml {
        /// Which way it went.
        direction: XmlDirection,
        /// The element, with secrets redacted.
        xml: String,
    },
    /// The connection was lost; the client will try again after `delay`. An
    /// [`Event::Online`] follows when it succeeds. Without stream management the new session
    /// starts afresh: send initial presence again.
    Reconnecting {
        /// The attempt about to be made (1 for the first).
        attempt: u32,
        /// How long the client waits before it.
        delay: std::time::Duration,
    },
}

impl Event {
    /// The client's view of a core event; IQ responses are delivered to their requests instead.
    pub(crate) fn from_core(event: connection::Event) -> Option<Event> {
        use connection::Event as E;
        Some(match event {
            E::StateChanged { state } => Event::StateChanged { state },
            E::TlsEstablished { info } => Event::TlsEstablished { info },
            E::Authenticated { mechanism } => Event::Authenticated { mechanism },
            E::Online {
                jid,
                features,
                resumed,
            } => Event::Online {
                jid,
                features,
                resumed,
            },
            E::StanzasMaybeLost { stanzas } => Event::StanzasMaybeLost { stanzas },
            E::Stanza { stanza } => Event::Stanza { stanza },
            E::InvalidStanza { error } => Event::InvalidStanza { error },
            E::Disconnected { error } => Event::Disconnected { error },
            E::Xml { direction, xml } => Event::Xml { direction, xml },
            E::IqResponse { .. } => return None,
            _ => return None,
        })
    }
}
