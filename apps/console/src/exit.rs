//! Exit statuses: one per kind of failure, so that scripts can tell them apart.

use openxmpp::{ConnectionError, Error};

/// How the program ends. The numbers are part of the interface (documented in the README
/// and in `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// A clean session.
    Ok,
    /// Anything not listed below (a terminal that failed, an internal error).
    Other,
    /// The command line (or the configuration it gives) is unusable.
    Usage,
    /// The server could not be reached, or the connection was lost.
    Connection,
    /// TLS failed: an untrusted or wrong certificate, no STARTTLS offered…
    Tls,
    /// The server refused the credentials (or could not prove it knows them).
    Auth,
    /// The stream ended with a stream error (another session replaced this one, the server
    /// shut down, invalid XML…).
    Stream,
    /// In-band registration was refused.
    Registration,
}

impl Exit {
    /// The process exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Other => 1,
            Exit::Usage => 2,
            Exit::Connection => 3,
            Exit::Tls => 4,
            Exit::Auth => 5,
            Exit::Stream => 6,
            Exit::Registration => 7,
        }
    }

    /// The `kind` of the JSON `error` event that reports it.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Exit::Ok => "none",
            Exit::Other => "other",
            Exit::Usage => "usage",
            Exit::Connection => "connection",
            Exit::Tls => "tls",
            Exit::Auth => "authentication",
            Exit::Stream => "stream",
            Exit::Registration => "registration",
        }
    }

    /// The exit for a client error.
    pub(crate) fn for_error(error: &Error) -> Exit {
        match error {
            Error::Config(_) => Exit::Usage,
            Error::Resolve { .. }
            | Error::Connect { .. }
            | Error::Io { .. }
            | Error::Timeout { .. }
            | Error::Closed => Exit::Connection,
            Error::Connection(e) => Exit::for_connection(e),
            Error::Registration(_) => Exit::Registration,
            _ => Exit::Other,
        }
    }

    /// The exit for a session that could not start or ended with `error`.
    pub(crate) fn for_connection(error: &ConnectionError) -> Exit {
        match error {
            ConnectionError::Tls(_)
            | ConnectionError::TlsNotOffered { .. }
            | ConnectionError::TlsRefused { .. } => Exit::Tls,
            ConnectionError::Auth(_) => Exit::Auth,
            ConnectionError::Stream(_)
            | ConnectionError::Xml(_)
            | ConnectionError::Protocol(_)
            | ConnectionError::Bind(_) => Exit::Stream,
            _ => Exit::Connection,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_has_its_own_code_and_kind() {
        let all = [
            Exit::Ok,
            Exit::Other,
            Exit::Usage,
            Exit::Connection,
            Exit::Tls,
            Exit::Auth,
            Exit::Stream,
            Exit::Registration,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.code(), b.code());
                assert_ne!(a.kind(), b.kind());
            }
        }
        assert_eq!(
            Exit::for_error(&Error::Connection(ConnectionError::TlsNotOffered {
                domain: "example.com".to_owned()
            })),
            Exit::Tls
        );
        assert_eq!(
            Exit::for_error(&Error::Config("bad".to_owned())),
            Exit::Usage
        );
        assert_eq!(
            Exit::for_connection(&ConnectionError::TransportClosed),
            Exit::Connection
        );
    }
}
