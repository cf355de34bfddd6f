//! [`SaslFailure`] and [`FailureCondition`]: the server's `<failure/>` (RFC 6120 §6.5).

use std::fmt;

/// A defined condition of a SASL `<failure/>` element (RFC 6120 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureCondition {
    /// `aborted`: the receiving entity acknowledges an `<abort/>` sent by the initiator.
    Aborted,
    /// `account-disabled`: the account is (temporarily) disabled.
    AccountDisabled,
    /// `credentials-expired`: the credentials have expired.
    CredentialsExpired,
    /// `encryption-required`: the mechanism requires an encrypted stream.
    EncryptionRequired,
    /// `incorrect-encoding`: the data was not correctly base64-encoded.
    IncorrectEncoding,
    /// `invalid-authzid`: the authorization identity is invalid or not allowed.
    InvalidAuthzid,
    /// `invalid-mechanism`: the mechanism is not supported by the server.
    InvalidMechanism,
    /// `malformed-request`: the request was malformed.
    MalformedRequest,
    /// `mechanism-too-weak`: the mechanism is weaker than the server's policy allows.
    MechanismTooWeak,
    /// `not-authorized`: the credentials are wrong (or the server keeps the reason to itself).
    NotAuthorized,
    /// `temporary-auth-failure`: a temporary error on the server side; try again later.
    TemporaryAuthFailure,
}

impl FailureCondition {
    /// Every defined condition, in RFC 6120 order.
    pub const ALL: [Self; 11] = [
        Self::Aborted,
        Self::AccountDisabled,
        Self::CredentialsExpired,
        Self::EncryptionRequired,
        Self::IncorrectEncoding,
        Self::InvalidAuthzid,
        Self::InvalidMechanism,
        Self::MalformedRequest,
        Self::MechanismTooWeak,
        Self::NotAuthorized,
        Self::TemporaryAuthFailure,
    ];

    /// The element name of the condition.
    ///
    /// ```
    /// use openxmpp_core::sasl::FailureCondition;
    /// assert_eq!(FailureCondition::NotAuthorized.name(), "not-authorized");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aborted => "aborted",
            Self::AccountDisabled => "account-disabled",
            Self::CredentialsExpired => "credentials-expired",
            Self::EncryptionRequired => "encryption-required",
            Self::IncorrectEncoding => "incorrect-encoding",
            Self::InvalidAuthzid => "invalid-authzid",
            Self::InvalidMechanism => "invalid-mechanism",
            Self::MalformedRequest => "malformed-request",
            Self::MechanismTooWeak => "mechanism-too-weak",
            Self::NotAuthorized => "not-authorized",
            Self::TemporaryAuthFailure => "temporary-auth-failure",
        }
    }

    /// The condition named `name`, or `None` for a name RFC 6120 does not define.
    ///
    /// ```
    /// use openxmpp_core::sasl::FailureCondition;
    /// assert_eq!(
    ///     FailureCondition::from_name("temporary-auth-failure"),
    ///     Some(FailureCondition::TemporaryAuthFailure)
    /// );
    /// assert_eq!(FailureCondition::from_name("bad-password"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for FailureCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The content of a `<failure/>` from the server: a defined condition and an optional
/// human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaslFailure {
    /// The defined condition.
    pub condition: FailureCondition,
    /// The optional `<text/>` child, as sent by the server.
    pub text: Option<String>,
}

impl SaslFailure {
    /// A failure with a condition and an optional text.
    #[must_use]
    pub fn new(condition: FailureCondition, text: Option<String>) -> Self {
        Self { condition, text }
    }
}

impl fmt::Display for SaslFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(text) => write!(f, "{} ({text})", self.condition),
            None => write!(f, "{}", self.condition),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in FailureCondition::ALL {
            assert_eq!(FailureCondition::from_name(c.name()), Some(c));
        }
        assert_eq!(FailureCondition::from_name("Not-Authorized"), None);
        assert_eq!(FailureCondition::from_name(""), None);
    }

    #[test]
    fn display_includes_text() {
        let f = SaslFailure::new(FailureCondition::AccountDisabled, Some("banned".into()));
        assert_eq!(f.to_string(), "account-disabled (banned)");
        let f = SaslFailure::new(FailureCondition::NotAuthorized, None);
        assert_eq!(f.to_string(), "not-authorized");
    }
}
