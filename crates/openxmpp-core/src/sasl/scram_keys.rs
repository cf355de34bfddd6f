//! [`ScramKeys`]: the SCRAM ClientKey and ServerKey, kept so a reconnect can skip PBKDF2.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::SaslError;
use super::mechanism::ScramHash;
use super::secret::SecretBytes;

/// The SCRAM ClientKey and ServerKey derived from the password for one hash, salt and
/// iteration count (RFC 5802 §3).
///
/// Deriving them runs PBKDF2 with the server's iteration count, which is slow on purpose. After
/// a successful exchange, [`SaslSession::scram_keys`](super::SaslSession::scram_keys) returns
/// them; give them back with [`SaslConfig::with_scram_keys`](super::SaslConfig::with_scram_keys)
/// and the next exchange with the same hash, salt and iteration count skips PBKDF2 (and does
/// not even need the password).
///
/// The ClientKey is enough to log in to that server: store these keys like a password. `Debug`
/// does not show them.
///
/// ```
/// use openxmpp_core::sasl::{ScramHash, ScramKeys};
/// let keys = ScramKeys::from_parts(ScramHash::Sha1, b"salt".to_vec(), 4096, vec![1; 20], vec![2; 20])?;
/// assert!(keys.matches(ScramHash::Sha1, b"salt", 4096));
/// assert!(!keys.matches(ScramHash::Sha1, b"salt", 8192));
/// assert!(!format!("{keys:?}").contains("[1, 1"));
/// # Ok::<(), openxmpp_core::sasl::SaslError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ScramKeys {
    hash: ScramHash,
    salt: Vec<u8>,
    iterations: u32,
    client_key: SecretBytes,
    server_key: SecretBytes,
}

impl ScramKeys {
    /// Keys from their parts (e.g. read back from storage). Both keys must be as long as the
    /// hash output.
    ///
    /// # Errors
    /// [`SaslError::InvalidParameter`] when a key has the wrong length.
    pub fn from_parts(
        hash: ScramHash,
        salt: Vec<u8>,
        iterations: u32,
        client_key: Vec<u8>,
        server_key: Vec<u8>,
    ) -> Result<Self, SaslError> {
        if client_key.len() != hash.output_len() || server_key.len() != hash.output_len() {
            return Err(SaslError::InvalidParameter {
                what: "SCRAM keys",
                reason: "a key is not as long as the hash output",
            });
        }
        Ok(Self {
            hash,
            salt,
            iterations,
            client_key: SecretBytes::new(client_key),
            server_key: SecretBytes::new(server_key),
        })
    }

    /// The hash the keys were derived with.
    #[must_use]
    pub fn hash(&self) -> ScramHash {
        self.hash
    }

    /// The salt the keys were derived with.
    #[must_use]
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The PBKDF2 iteration count the keys were derived with.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The ClientKey: `HMAC(SaltedPassword, "Client Key")`. Password-equivalent for this server.
    #[must_use]
    pub fn client_key(&self) -> &[u8] {
        self.client_key.expose()
    }

    /// The ServerKey: `HMAC(SaltedPassword, "Server Key")`.
    #[must_use]
    pub fn server_key(&self) -> &[u8] {
        self.server_key.expose()
    }

    /// Whether these keys apply to an exchange with this hash, salt and iteration count.
    #[must_use]
    pub fn matches(&self, hash: ScramHash, salt: &[u8], iterations: u32) -> bool {
        self.hash == hash && self.salt == salt && self.iterations == iterations
    }
}

impl fmt::Debug for ScramKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramKeys")
            .field("hash", &self.hash)
            .field("salt", &STANDARD.encode(&self.salt))
            .field("iterations", &self.iterations)
            .field("client_key", &self.client_key)
            .field("server_key", &self.server_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_key_length_is_refused() {
        assert!(matches!(
            ScramKeys::from_parts(ScramHash::Sha256, vec![], 4096, vec![0; 20], vec![0; 32]),
            Err(SaslError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn debug_shows_no_key() {
        let keys = ScramKeys::from_parts(
            ScramHash::Sha1,
            b"NaCl".to_vec(),
            4096,
            vec![0xAB; 20],
            vec![0xCD; 20],
        )
        .unwrap();
        let debug = format!("{keys:?}");
        assert!(debug.contains("TmFDbA=="), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert!(!debug.contains("171") && !debug.contains("205"), "{debug}");
    }
}
