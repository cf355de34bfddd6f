//! [`Mechanism`]: the SASL mechanisms this library implements, by IANA name.

use std::fmt;
use std::str::FromStr;

use super::error::SaslError;

/// A client-side SASL mechanism implemented here, named as in the IANA SASL registry.
///
/// ```
/// use openxmpp_core::sasl::Mechanism;
/// let m: Mechanism = "SCRAM-SHA-256-PLUS".parse()?;
/// assert_eq!(m, Mechanism::ScramSha256Plus);
/// assert!(m.is_plus());
/// assert_eq!(m.name(), "SCRAM-SHA-256-PLUS");
/// # Ok::<(), openxmpp_core::sasl::SaslError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `SCRAM-SHA-512-PLUS`: SCRAM with SHA-512 and channel binding.
    ScramSha512Plus,
    /// `SCRAM-SHA-256-PLUS`: SCRAM with SHA-256 and channel binding (RFC 7677).
    ScramSha256Plus,
    /// `SCRAM-SHA-1-PLUS`: SCRAM with SHA-1 and channel binding (RFC 5802).
    ScramSha1Plus,
    /// `SCRAM-SHA-512`: SCRAM with SHA-512.
    ScramSha512,
    /// `SCRAM-SHA-256`: SCRAM with SHA-256 (RFC 7677).
    ScramSha256,
    /// `SCRAM-SHA-1`: SCRAM with SHA-1 (RFC 5802).
    ScramSha1,
    /// `PLAIN` (RFC 4616): the password in the clear; only over TLS unless explicitly allowed.
    Plain,
    /// `DIGEST-MD5` (RFC 2831, historic per RFC 6331): only when explicitly enabled.
    DigestMd5,
    /// `EXTERNAL` (RFC 4422 appendix A): authentication by the TLS client certificate.
    External,
    /// `ANONYMOUS` (RFC 4505).
    Anonymous,
}

impl Mechanism {
    /// Every mechanism, in the order [`select_mechanism`](super::select_mechanism) prefers them
    /// (EXTERNAL first: it is only eligible when a client certificate is configured).
    pub const PREFERENCE: [Self; 10] = [
        Self::External,
        Self::ScramSha512Plus,
        Self::ScramSha256Plus,
        Self::ScramSha1Plus,
        Self::ScramSha512,
        Self::ScramSha256,
        Self::ScramSha1,
        Self::Plain,
        Self::DigestMd5,
        Self::Anonymous,
    ];

    /// The IANA name, as used in `<mechanism/>` and `<auth mechanism=…/>`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ScramSha512Plus => "SCRAM-SHA-512-PLUS",
            Self::ScramSha256Plus => "SCRAM-SHA-256-PLUS",
            Self::ScramSha1Plus => "SCRAM-SHA-1-PLUS",
            Self::ScramSha512 => "SCRAM-SHA-512",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha1 => "SCRAM-SHA-1",
            Self::Plain => "PLAIN",
            Self::DigestMd5 => "DIGEST-MD5",
            Self::External => "EXTERNAL",
            Self::Anonymous => "ANONYMOUS",
        }
    }

    /// The mechanism with this exact IANA name (names are case-sensitive upper case), if
    /// implemented here.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::PREFERENCE.into_iter().find(|m| m.name() == name)
    }

    /// Whether this is a SCRAM mechanism (with or without channel binding).
    #[must_use]
    pub const fn is_scram(self) -> bool {
        self.scram_hash().is_some()
    }

    /// Whether this is a -PLUS (channel binding) mechanism.
    #[must_use]
    pub const fn is_plus(self) -> bool {
        matches!(
            self,
            Self::ScramSha512Plus | Self::ScramSha256Plus | Self::ScramSha1Plus
        )
    }

    /// The hash of a SCRAM mechanism.
    #[must_use]
    pub const fn scram_hash(self) -> Option<ScramHash> {
        match self {
            Self::ScramSha512Plus | Self::ScramSha512 => Some(ScramHash::Sha512),
            Self::ScramSha256Plus | Self::ScramSha256 => Some(ScramHash::Sha256),
            Self::ScramSha1Plus | Self::ScramSha1 => Some(ScramHash::Sha1),
            Self::Plain | Self::DigestMd5 | Self::External | Self::Anonymous => None,
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mechanism {
    type Err = SaslError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or_else(|| SaslError::UnknownMechanism {
            name: name.to_owned(),
        })
    }
}

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScramHash {
    /// SHA-1 (20-byte keys).
    Sha1,
    /// SHA-256 (32-byte keys).
    Sha256,
    /// SHA-512 (64-byte keys).
    Sha512,
}

impl ScramHash {
    /// The output length of the hash in bytes, which is also the length of SCRAM keys.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    /// The hash name as in the mechanism name (`SHA-256`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }
}

impl fmt::Display for ScramHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Mechanism::PREFERENCE {
            assert_eq!(m.name().parse::<Mechanism>(), Ok(m));
            assert_eq!(m.to_string(), m.name());
            assert_eq!(m.is_plus(), m.name().ends_with("-PLUS"));
            assert_eq!(m.is_scram(), m.name().starts_with("SCRAM-"));
        }
    }

    #[test]
    fn unknown_and_lowercase_names_are_refused() {
        assert_eq!(
            "scram-sha-1".parse::<Mechanism>(),
            Err(SaslError::UnknownMechanism {
                name: "scram-sha-1".into()
            })
        );
        assert!("X-OAUTH2".parse::<Mechanism>().is_err());
        assert!("".parse::<Mechanism>().is_err());
    }

    #[test]
    fn hashes() {
        assert_eq!(Mechanism::ScramSha1Plus.scram_hash(), Some(ScramHash::Sha1));
        assert_eq!(Mechanism::ScramSha256.scram_hash(), Some(ScramHash::Sha256));
        assert_eq!(
            Mechanism::ScramSha512Plus.scram_hash(),
            Some(ScramHash::Sha512)
        );
        assert_eq!(Mechanism::Plain.scram_hash(), None);
        assert_eq!(ScramHash::Sha512.output_len(), 64);
        assert_eq!(ScramHash::Sha256.to_string(), "SHA-256");
    }
}
