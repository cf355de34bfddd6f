//! The client's errors: whose fault it was, and what to tell the user.

use openxmpp_core::connection::{ConnectionError, IqError, UsageError};
use openxmpp_core::error::StanzaError;
use openxmpp_im::register::RegistrationError;

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is unusable (an invalid JID, an unreadable CA file…).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The domain could not be resolved to any address.
    #[error("cannot resolve {domain}: {detail}")]
    Resolve {
        /// The domain.
        domain: String,
        /// What the resolver said.
        detail: String,
    },
    /// No address of the server accepted a connection.
    #[error("cannot connect to {domain}: {}", .attempts.join("; "))]
    Connect {
        /// The domain.
        domain: String,
        /// Each address tried, with what went wrong.
        attempts: Vec<String>,
    },
    /// The session could not be established or ended abnormally (TLS, authentication, a stream
    /// error…).
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// An IQ request failed: the responder returned an error.
    #[error("request failed: {0}")]
    Stanza(Box<StanzaError>),
    /// The server refused an in-band registration, a password change or an account
    /// cancellation (XEP-0077): the username is taken, a field is missing, registration is
    /// closed… (Boxed like [`Error::Stanza`]: it carries the server's stanza error.)
    #[error("the server refused: {0}")]
    Registration(Box<RegistrationError>),
    /// An IQ request got no response in time.
    #[error("no response within {seconds} s")]
    Timeout {
        /// The timeout.
        seconds: u64,
    },
    /// The operation needs an online session.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// A call was made with an argument it cannot use.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// The server does not offer what the operation needs.
    #[error("the server does not support {feature}")]
    Unsupported {
        /// What is missing.
        feature: &'static str,
    },
    /// A response could not be understood.
    #[error("invalid {what} response: {detail}")]
    InvalidResponse {
        /// What was asked.
        what: &'static str,
        /// What was wrong with the answer.
        detail: String,
    },
    /// A multi-user chat room refused our join (XEP-0045).
    #[error("cannot join {room}: {reason}")]
    MucJoin {
        /// The room.
        room: String,
        /// What the refusal means (e.g. "the nickname is already in use in this room").
        reason: String,
        /// The error as the room sent it.
        error: Box<StanzaError>,
    },
    /// A multi-user chat operation could not be done (an invalid nickname, not in the room…).
    #[error("{0}")]
    Muc(String),
    /// A message archive query failed (XEP-0313).
    #[error("archive query failed: {0}")]
    Archive(#[from] openxmpp_im::mam::MamError),
    /// The client was closed (or its connection ended) before the operation completed.
    #[error("the client is closed")]
    Closed,
    /// An I/O error on the transport.
    #[error("I/O error talking to {domain}: {source}")]
    Io {
        /// The server's domain.
        domain: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn from_iq(error: IqError, timeout: std::time::Duration) -> Self {
        match error {
            IqError::Stanza(e) => Error::Stanza(Box::new(e)),
            IqError::Timeout => Error::Timeout {
                seconds: timeout.as_secs(),
            },
            IqError::Disconnected => Error::Closed,
        }
    }
}
