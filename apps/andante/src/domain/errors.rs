//! The library's errors in words a person can act on: what happened, and what to try.

use openxmpp::core::sasl::FailureCondition;
use openxmpp::core::tls::TlsError;
use openxmpp::{AuthError, ConnectionError, Error, RegistrationError};

/// Why signing in (or staying signed in) failed.
pub fn sign_in(error: &Error) -> String {
    match error {
        Error::Config(detail) => format!("The account settings are not usable: {detail}."),
        Error::Resolve { domain, .. } => format!(
            "Could not find the server for {domain}. Check the address, or give the server host \
             under Advanced."
        ),
        Error::Connect { domain, attempts } => {
            let detail = attempts
                .first()
                .map(String::as_str)
                .unwrap_or("no address answered");
            format!(
                "Could not reach the server of {domain} ({detail}). Check your network \
                 connection and the server address."
            )
        }
        Error::Connection(e) => connection(e),
        Error::Timeout { seconds } => {
            format!("The server did not answer within {seconds} seconds. Try again later.")
        }
        Error::Io { domain, source } => {
            format!("The connection to {domain} failed: {source}. Check your network connection.")
        }
        Error::Closed => "The connection was closed.".to_owned(),
        other => format!("Signing in failed: {other}."),
    }
}

/// Why a session could not start or ended.
pub fn connection(error: &ConnectionError) -> String {
    match error {
        ConnectionError::Auth(auth) => authentication(auth),
        ConnectionError::Tls(tls) => tls_error(tls),
        ConnectionError::TlsNotOffered { domain } => format!(
            "The server of {domain} does not offer encryption (STARTTLS), so andante will not \
             send your password to it. Try Direct TLS under Advanced."
        ),
        ConnectionError::TlsRefused { domain } => {
            format!("The server of {domain} refused to start encryption.")
        }
        ConnectionError::Stream(stream) => format!("The server ended the session: {stream}."),
        ConnectionError::NegotiationTimeout { seconds, .. } => format!(
            "The server did not finish signing in within {seconds} seconds. Try again later."
        ),
        ConnectionError::TransportClosed => "The connection was lost.".to_owned(),
        ConnectionError::Unresponsive { .. } => {
            "The server stopped answering; the connection was lost.".to_owned()
        }
        other => format!("The connection failed: {other}."),
    }
}

fn authentication(error: &AuthError) -> String {
    match error {
        AuthError::Refused { account, failure } => match failure.condition {
            FailureCondition::NotAuthorized => {
                format!("Wrong password, or no account {account} on this server.")
            }
            FailureCondition::AccountDisabled => {
                format!("The account {account} is disabled. Contact the server's administrator.")
            }
            FailureCondition::CredentialsExpired => {
                format!(
                    "The password of {account} has expired. Contact the server's administrator."
                )
            }
            FailureCondition::TemporaryAuthFailure => {
                "The server could not check the password right now. Try again later.".to_owned()
            }
            _ => format!("The server refused to sign in {account}: {failure}."),
        },
        AuthError::Local { account, source } => format!(
            "Signing in as {account} was stopped because the server did not behave safely: \
             {source}."
        ),
    }
}

fn tls_error(error: &TlsError) -> String {
    match error {
        TlsError::UntrustedCertificate { host, reason } => format!(
            "The certificate of {host} is not trusted ({reason}). If this is your own server, \
             give its CA certificate under Advanced."
        ),
        TlsError::WrongHost { host, presented } => format!(
            "The certificate of {host} is for another server ({presented}). Someone may be \
             intercepting the connection, or the server is misconfigured."
        ),
        TlsError::CertificateNotValidNow { host, reason } => format!(
            "The certificate of {host} is {reason}. Check your computer's clock, or tell the \
             server's administrator."
        ),
        other => format!("The secure connection failed: {other}."),
    }
}

/// Why registering failed.
pub fn registration(error: &Error, username: &str, domain: &str) -> String {
    match error {
        Error::Registration(refusal) => match refusal.as_ref() {
            RegistrationError::UsernameTaken(_) => format!(
                "The username “{username}” is already taken on {domain}. Choose another one."
            ),
            RegistrationError::MissingOrInvalidFields(e) => {
                format!("The server did not accept the form: {e}.")
            }
            RegistrationError::RegistrationClosed(_) => {
                format!("{domain} does not allow creating accounts from a client.")
            }
            RegistrationError::RateLimited(_) => {
                "Too many attempts: the server asks to try again later.".to_owned()
            }
            other => format!("The server refused: {other}."),
        },
        other => sign_in(other),
    }
}

/// Why an action (sending, adding a contact, joining a room…) failed.
pub fn action(what: &str, error: &Error) -> String {
    match error {
        Error::Stanza(e) => format!("Could not {what}: {e}."),
        Error::MucJoin { reason, .. } => format!("Could not {what}: {reason}."),
        Error::Closed | Error::Usage(_) => format!("Could not {what}: you are offline."),
        Error::Timeout { .. } => format!("Could not {what}: the server did not answer."),
        other => format!("Could not {what}: {other}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_do() {
        let e = Error::Resolve {
            domain: "example.com".to_owned(),
            detail: "NXDOMAIN".to_owned(),
        };
        assert!(sign_in(&e).contains("Could not find the server for example.com"));
        let e = Error::Connect {
            domain: "example.com".to_owned(),
            attempts: vec!["127.0.0.1:5222: connection refused".to_owned()],
        };
        assert!(sign_in(&e).contains("Could not reach"));
        let e = Error::Connection(ConnectionError::TlsNotOffered {
            domain: "example.com".to_owned(),
        });
        assert!(sign_in(&e).contains("does not offer encryption"));
        let e = Error::Connection(ConnectionError::Tls(std::sync::Arc::new(
            TlsError::UntrustedCertificate {
                host: "example.com".to_owned(),
                reason: "UnknownIssuer".to_owned(),
            },
        )));
        assert!(sign_in(&e).contains("is not trusted"));
    }
}
