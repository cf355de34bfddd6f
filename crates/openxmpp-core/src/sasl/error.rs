//! [`SaslError`]: why a SASL exchange could not start, go on, or be trusted.

use super::failure::SaslFailure;
use super::mechanism::Mechanism;

/// Why a SASL exchange could not start, go on, or be trusted.
///
/// No variant ever carries a password, a key, a proof or a channel binding: the values shown are
/// mechanism names, counts, and what the server itself sent in the clear.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The server offered no mechanism that the configuration and the TLS state accept.
    #[error(
        "the server offered no acceptable SASL mechanism (offered: {})",
        list(offered)
    )]
    NoAcceptableMechanism {
        /// The mechanism names the server offered, as received.
        offered: Vec<String>,
    },
    /// PLAIN was the only usable mechanism, but the stream is not encrypted and the configuration
    /// does not allow sending the password in the clear.
    #[error(
        "PLAIN refused on an unencrypted stream (offered: {}); use TLS or allow plaintext PLAIN explicitly",
        list(offered)
    )]
    PlainWithoutTls {
        /// The mechanism names the server offered, as received.
        offered: Vec<String>,
    },
    /// A session was asked for a mechanism the server did not offer.
    #[error(
        "{mechanism} was not offered by the server (offered: {})",
        list(offered)
    )]
    NotOffered {
        /// The mechanism that was asked for.
        mechanism: Mechanism,
        /// The mechanism names the server offered, as received.
        offered: Vec<String>,
    },
    /// The configuration disables this mechanism (DIGEST-MD5 and ANONYMOUS must be enabled
    /// explicitly; PLAIN and channel binding can be disabled).
    #[error("{mechanism} is disabled by the SASL configuration")]
    MechanismDisabled {
        /// The disabled mechanism.
        mechanism: Mechanism,
    },
    /// The configuration lacks what the mechanism needs (a password, a client certificate).
    #[error("{mechanism} needs {missing}, which the SASL configuration does not have")]
    MissingCredentials {
        /// The mechanism.
        mechanism: Mechanism,
        /// What is missing.
        missing: &'static str,
    },
    /// A -PLUS mechanism was asked for, but the TLS state offers no channel binding type the
    /// server accepts.
    #[error("{mechanism} needs channel binding data that the TLS state does not provide")]
    ChannelBindingUnavailable {
        /// The -PLUS mechanism.
        mechanism: Mechanism,
    },
    /// A mechanism name this library does not implement.
    #[error("unknown SASL mechanism name {name:?}")]
    UnknownMechanism {
        /// The name as given.
        name: String,
    },
    /// A channel binding type name this library does not implement.
    #[error("unknown channel binding type {name:?}")]
    UnknownChannelBindingType {
        /// The name as given.
        name: String,
    },
    /// The password is not a valid PRECIS OpaqueString (RFC 8265 §4.2): empty, or with
    /// disallowed code points.
    #[error("the password is not a valid PRECIS OpaqueString (empty or disallowed characters)")]
    PasswordPreparation,
    /// A caller-supplied value cannot be used (say which and why).
    #[error("invalid {what}: {reason}")]
    InvalidParameter {
        /// Which value.
        what: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("no randomness available to generate a client nonce")]
    RandomUnavailable,
    /// SCRAM: the server's nonce does not start with (and extend) the client nonce.
    #[error("{mechanism}: the server nonce does not extend the client nonce")]
    NonceMismatch {
        /// The SCRAM mechanism.
        mechanism: Mechanism,
    },
    /// SCRAM: the server asked for fewer iterations than the minimum of RFC 5802/7677.
    #[error("{mechanism}: iteration count {iterations} is below the minimum of {minimum}")]
    IterationsTooLow {
        /// The SCRAM mechanism.
        mechanism: Mechanism,
        /// The count the server asked for.
        iterations: u32,
        /// The minimum ([`MIN_ITERATIONS`](super::MIN_ITERATIONS)).
        minimum: u32,
    },
    /// SCRAM: the server asked for more iterations than the configured cap (denial of service
    /// guard).
    #[error(
        "{mechanism}: iteration count {iterations} is above the configured maximum of {maximum}"
    )]
    IterationsTooHigh {
        /// The SCRAM mechanism.
        mechanism: Mechanism,
        /// The count the server asked for (saturated at `u32::MAX`).
        iterations: u32,
        /// The configured maximum.
        maximum: u32,
    },
    /// The server's proof (SCRAM `v=`, DIGEST-MD5 `rspauth=`) is wrong: the server does not know
    /// the password, or someone is in the middle.
    #[error(
        "{mechanism}: the server's signature is wrong; the server did not prove it knows the password"
    )]
    BadServerSignature {
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// The server reported success without proving that it knows the password (no SCRAM `v=`,
    /// no DIGEST-MD5 `rspauth=`).
    #[error("{mechanism}: the server reported success without proving it knows the password")]
    MissingVerifier {
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// SCRAM: the server sent `e=` (RFC 5802 §7 server-error).
    #[error("{mechanism}: the server reported error {message:?}")]
    ServerError {
        /// The mechanism.
        mechanism: Mechanism,
        /// The `e=` value as sent by the server (e.g. `invalid-proof`).
        message: String,
    },
    /// SCRAM: the server requires a mandatory extension (`m=`) this client does not implement.
    #[error("{mechanism}: the server requires the unsupported mandatory extension {extension:?}")]
    UnsupportedExtension {
        /// The mechanism.
        mechanism: Mechanism,
        /// The `m=` value.
        extension: String,
    },
    /// A server message does not follow the mechanism's grammar.
    #[error("{mechanism}: malformed server message: {reason}")]
    MalformedChallenge {
        /// The mechanism.
        mechanism: Mechanism,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The server sent a challenge after the mechanism had nothing more to say.
    #[error("{mechanism}: unexpected challenge, the exchange was already complete")]
    UnexpectedChallenge {
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// The server sent additional data with `<success/>` that this mechanism does not define.
    #[error("{mechanism}: unexpected additional data with <success/>")]
    UnexpectedSuccessData {
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// API misuse: a [`SaslSession`](super::SaslSession) method was called out of order.
    #[error("SASL session misuse: `{call}` called while the session is {state}")]
    OutOfOrder {
        /// The method that was called.
        call: &'static str,
        /// The state the session was in.
        state: &'static str,
    },
    /// The server answered `<failure/>` (RFC 6120 §6.5).
    #[error("the server refused authentication: {0}")]
    Failure(SaslFailure),
    /// A cryptographic primitive refused its input (a bug in this library).
    #[error("internal SASL error: {0}")]
    Internal(&'static str),
}

impl From<SaslFailure> for SaslError {
    fn from(failure: SaslFailure) -> Self {
        Self::Failure(failure)
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_list_what_was_offered() {
        let e = SaslError::NoAcceptableMechanism {
            offered: vec!["X-OAUTH2".into(), "PLAIN".into()],
        };
        assert_eq!(
            e.to_string(),
            "the server offered no acceptable SASL mechanism (offered: X-OAUTH2, PLAIN)"
        );
        let e = SaslError::NoAcceptableMechanism { offered: vec![] };
        assert!(e.to_string().ends_with("(offered: nothing)"));
    }
}
