//! Why a session could not be established or ended: said in terms of whose fault it was.

use crate::error::{StanzaError, StreamError};
use crate::sasl::{SaslError, SaslFailure};
use crate::stanza::StanzaParseError;
use crate::tls::TlsError;
use crate::xml::XmlError;

/// Authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The server refused the credentials or the exchange (`<failure/>`, RFC 6120 §6.5).
    #[error("the server refused authentication as {account}: {failure}")]
    Refused {
        /// The account.
        account: String,
        /// The server's condition and text.
        failure: SaslFailure,
    },
    /// Our side refused to go on: no acceptable mechanism, a server that failed to prove it
    /// knows the password, a hostile iteration count, a malformed challenge…
    #[error("authentication as {account} stopped: {source}")]
    Local {
        /// The account.
        account: String,
        /// What the SASL layer found.
        #[source]
        source: SaslError,
    },
}

impl AuthError {
    /// Whether retrying with the same credentials cannot help (a wrong password, a disabled
    /// account, no acceptable mechanism): reconnect logic must not retry these.
    pub fn is_permanent(&self) -> bool {
        use crate::sasl::FailureCondition as F;
        match self {
            AuthError::Refused { failure, .. } => {
                !matches!(failure.condition, F::TemporaryAuthFailure | F::Aborted)
            }
            AuthError::Local { .. } => true,
        }
    }
}

/// Why a connection failed or ended abnormally.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The server ended the stream with a stream error.
    #[error("the server ended the stream: {0}")]
    Stream(Box<StreamError>),
    /// The server sent XML we refuse; we ended the stream with the matching stream error.
    #[error("the server sent invalid XML: {0}")]
    Xml(XmlError),
    /// TLS failed (certificate, handshake, or a broken record).
    #[error(transparent)]
    Tls(std::sync::Arc<TlsError>),
    /// The server did not offer STARTTLS, and plaintext was not explicitly allowed.
    #[error("{domain} does not offer STARTTLS; refusing to continue without encryption")]
    TlsNotOffered {
        /// The server's domain.
        domain: String,
    },
    /// The server answered `<starttls/>` with `<failure/>`.
    #[error("{domain} refused to start TLS")]
    TlsRefused {
        /// The server's domain.
        domain: String,
    },
    /// Authentication failed.
    #[error(transparent)]
    Auth(AuthError),
    /// Resource binding failed.
    #[error("binding a resource failed: {0}")]
    Bind(Box<StanzaError>),
    /// The server broke the protocol during negotiation.
    #[error("protocol violation by the server: {0}")]
    Protocol(String),
    /// Negotiation did not finish in time.
    #[error("no session within {seconds} s (stuck while {state})")]
    NegotiationTimeout {
        /// The configured limit.
        seconds: u64,
        /// The state it was stuck in.
        state: super::State,
    },
    /// The transport closed without the closing handshake.
    #[error("the connection closed unexpectedly")]
    TransportClosed,
    /// Nothing arrived for too long, even after a keepalive ping: the connection is dead.
    #[error("the server stopped answering (nothing received for {seconds} s after a ping)")]
    Unresponsive {
        /// How long the connection waited after its ping.
        seconds: u64,
    },
}

impl ConnectionError {
    /// Whether reconnecting cannot help: authentication refused for good, or the server said
    /// another session replaced this one (`conflict`).
    pub fn forbids_reconnect(&self) -> bool {
        match self {
            ConnectionError::Auth(auth) => auth.is_permanent(),
            ConnectionError::Stream(e) => {
                e.condition == crate::error::StreamErrorCondition::Conflict
            }
            ConnectionError::Tls(_) | ConnectionError::TlsNotOffered { .. } => true,
            _ => false,
        }
    }
}

impl From<TlsError> for ConnectionError {
    fn from(e: TlsError) -> Self {
        ConnectionError::Tls(std::sync::Arc::new(e))
    }
}

impl From<StanzaParseError> for ConnectionError {
    fn from(e: StanzaParseError) -> Self {
        ConnectionError::Protocol(e.to_string())
    }
}

/// A command that cannot be carried out in the connection's current state (API misuse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} while {state}")]
pub struct UsageError {
    /// What was attempted.
    pub action: &'static str,
    /// The state the connection was in.
    pub state: super::State,
}
