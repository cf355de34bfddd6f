//! [`SaslConfig`]: the credentials and the policy of the client.

use std::fmt;

use super::scram_keys::ScramKeys;
use super::secret::Secret;

/// The smallest SCRAM iteration count accepted (RFC 5802 §5.1, RFC 7677 §4: at least 4096).
pub const MIN_ITERATIONS: u32 = 4096;

/// The default cap on the SCRAM iteration count.
///
/// A server chooses the PBKDF2 iteration count, and a hostile one could ask for billions to
/// pin the client's CPU. The cap is 600 000: the OWASP 2023 recommendation for
/// PBKDF2-HMAC-SHA256 and above what deployed servers use (ejabberd 4096, Prosody 10 000 by
/// default, some hardened setups 100 000 to 600 000), and below one second of work on slow
/// hardware. Raise it with [`SaslConfig::with_max_iterations`].
pub const DEFAULT_MAX_ITERATIONS: u32 = 600_000;

/// What the client may authenticate with: credentials and policy.
///
/// Built from one of four starting points, then refined:
/// - [`SaslConfig::password`]: username and password (SCRAM, PLAIN over TLS, DIGEST-MD5 if
///   enabled), optionally with a client certificate for EXTERNAL;
/// - [`SaslConfig::from_scram_keys`]: username and cached SCRAM keys, no password;
/// - [`SaslConfig::external`]: a TLS client certificate only (EXTERNAL);
/// - [`SaslConfig::anonymous`]: ANONYMOUS only.
///
/// `Debug` never shows the password or the cached keys.
///
/// ```
/// use openxmpp_core::sasl::SaslConfig;
/// let config = SaslConfig::password("juliet", "r0m30")
///     .with_authzid("juliet@capulet.lit")
///     .with_max_iterations(100_000);
/// assert_eq!(config.username(), Some("juliet"));
/// assert!(!format!("{config:?}").contains("r0m30"));
/// ```
#[derive(Clone)]
pub struct SaslConfig {
    username: Option<String>,
    password: Option<Secret>,
    authzid: Option<String>,
    client_certificate: bool,
    anonymous: bool,
    anonymous_trace: Option<String>,
    plain: bool,
    plain_without_tls: bool,
    digest_md5_domain: Option<String>,
    channel_binding: bool,
    max_iterations: u32,
    scram_keys: Option<ScramKeys>,
}

impl SaslConfig {
    fn empty() -> Self {
        Self {
            username: None,
            password: None,
            authzid: None,
            client_certificate: false,
            anonymous: false,
            anonymous_trace: None,
            plain: true,
            plain_without_tls: false,
            digest_md5_domain: None,
            channel_binding: true,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            scram_keys: None,
        }
    }

    /// Username (the JID's localpart, already prepared) and password (prepared here with the
    /// PRECIS OpaqueString profile when a session starts).
    #[must_use]
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            password: Some(Secret::new(password.into())),
            ..Self::empty()
        }
    }

    /// Username and SCRAM keys from an earlier exchange, without the password: only SCRAM
    /// with the keys' hash is possible, and only while the server keeps the same salt and
    /// iteration count (otherwise the exchange fails with
    /// [`SaslError::MissingCredentials`](super::SaslError::MissingCredentials) and the
    /// password must be asked for again).
    #[must_use]
    pub fn from_scram_keys(username: impl Into<String>, keys: ScramKeys) -> Self {
        Self {
            username: Some(username.into()),
            scram_keys: Some(keys),
            ..Self::empty()
        }
    }

    /// Authentication by the TLS client certificate (EXTERNAL) only.
    #[must_use]
    pub fn external() -> Self {
        Self {
            client_certificate: true,
            ..Self::empty()
        }
    }

    /// ANONYMOUS only (RFC 4505).
    #[must_use]
    pub fn anonymous() -> Self {
        Self {
            anonymous: true,
            ..Self::empty()
        }
    }

    /// The authorization identity to request (sent in SCRAM's GS2 header, PLAIN, DIGEST-MD5
    /// and EXTERNAL). Without it the server derives it from the authentication identity.
    #[must_use]
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    /// Declares that the TLS connection presents a client certificate: EXTERNAL becomes
    /// eligible, and preferred.
    #[must_use]
    pub fn with_client_certificate(mut self) -> Self {
        self.client_certificate = true;
        self
    }

    /// The trace sent with ANONYMOUS (RFC 4505 §2: 1 to 255 characters, e.g. an email address).
    #[must_use]
    pub fn with_anonymous_trace(mut self, trace: impl Into<String>) -> Self {
        self.anonymous_trace = Some(trace.into());
        self
    }

    /// Allows PLAIN on an unencrypted stream (the password then travels in the clear).
    #[must_use]
    pub fn allow_plain_without_tls(mut self) -> Self {
        self.plain_without_tls = true;
        self
    }

    /// Never uses PLAIN, even over TLS.
    #[must_use]
    pub fn disable_plain(mut self) -> Self {
        self.plain = false;
        self
    }

    /// Enables DIGEST-MD5 (historic, RFC 6331) with the server's domain, used in its
    /// `digest-uri` (`xmpp/<domain>`).
    #[must_use]
    pub fn enable_digest_md5(mut self, domain: impl Into<String>) -> Self {
        self.digest_md5_domain = Some(domain.into());
        self
    }

    /// Never uses channel binding: no -PLUS mechanism, and the GS2 flag is always `n`.
    #[must_use]
    pub fn disable_channel_binding(mut self) -> Self {
        self.channel_binding = false;
        self
    }

    /// The largest SCRAM iteration count accepted (default [`DEFAULT_MAX_ITERATIONS`]).
    #[must_use]
    pub fn with_max_iterations(mut self, max_iterations: u32) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// SCRAM keys from an earlier exchange, used instead of PBKDF2 when the server's hash, salt
    /// and iteration count match. With matching keys, SCRAM works even without a password.
    #[must_use]
    pub fn with_scram_keys(mut self, keys: ScramKeys) -> Self {
        self.scram_keys = Some(keys);
        self
    }

    /// The username, if any.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The authorization identity, if any.
    #[must_use]
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// Whether a password is configured.
    #[must_use]
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The largest SCRAM iteration count accepted.
    #[must_use]
    pub fn max_iterations(&self) -> u32 {
        self.max_iterations
    }

    /// The cached SCRAM keys, if any.
    #[must_use]
    pub fn scram_keys(&self) -> Option<&ScramKeys> {
        self.scram_keys.as_ref()
    }

    pub(crate) fn password_secret(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    pub(crate) fn client_certificate(&self) -> bool {
        self.client_certificate
    }

    pub(crate) fn is_anonymous(&self) -> bool {
        self.anonymous
    }

    pub(crate) fn anonymous_trace(&self) -> Option<&str> {
        self.anonymous_trace.as_deref()
    }

    pub(crate) fn plain_allowed(&self) -> bool {
        self.plain
    }

    pub(crate) fn plain_without_tls(&self) -> bool {
        self.plain_without_tls
    }

    pub(crate) fn digest_md5_domain(&self) -> Option<&str> {
        self.digest_md5_domain.as_deref()
    }

    pub(crate) fn channel_binding(&self) -> bool {
        self.channel_binding
    }
}

impl fmt::Debug for SaslConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaslConfig")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("authzid", &self.authzid)
            .field("client_certificate", &self.client_certificate)
            .field("anonymous", &self.anonymous)
            .field("anonymous_trace", &self.anonymous_trace)
            .field("plain", &self.plain)
            .field("plain_without_tls", &self.plain_without_tls)
            .field("digest_md5_domain", &self.digest_md5_domain)
            .field("channel_binding", &self.channel_binding)
            .field("max_iterations", &self.max_iterations)
            .field("scram_keys", &self.scram_keys)
            .finish()
    }
}
