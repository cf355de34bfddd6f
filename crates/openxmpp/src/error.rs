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
