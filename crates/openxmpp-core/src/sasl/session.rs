//! [`SaslSession`]: one interface over every mechanism, in a fixed call order.

use std::fmt;

use super::anonymous::anonymous_message;
use super::config::SaslConfig;
use super::digest_md5::DigestMd5Client;
use super::error::SaslError;
use super::external::external_message;
use super::mechanism::{Mechanism, ScramHash};
use super::nonce::random_nonce;
use super::plain::plain_message;
use super::scram::{ScramClient, ScramParams};
use super::scram_keys::ScramKeys;
use super::secret::SecretBytes;
use super::select::{ServerOffer, TlsState, check};

/// The mechanism-specific part of a session.
enum Inner {
    ScramSha1(Box<ScramClient<sha1::Sha1>>),
    ScramSha256(Box<ScramClient<sha2::Sha256>>),
    ScramSha512(Box<ScramClient<sha2::Sha512>>),
    DigestMd5(Box<DigestMd5Client>),
    /// PLAIN, EXTERNAL and ANONYMOUS: one initial response, then only `<success/>`.
    OneShot(SecretBytes),
}

/// Where the session stands in the call order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    New,
    Exchanging,
    Succeeded,
    Failed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Self::New => "not started (call initial_response first)",
            Self::Exchanging => "exchanging",
            Self::Succeeded => "finished successfully",
            Self::Failed => "failed",
        }
    }
}

/// One client-side SASL exchange, whatever the mechanism. Works on raw bytes: the caller
/// base64-decodes what the server sent and base64-encodes what it sends.
///
/// # Call order
/// 1. [`SaslSession::new`] with the mechanism (usually from
///    [`select_mechanism`](super::select_mechanism)), the server's offer, the TLS state and
///    the configuration.
/// 2. [`initial_response`](Self::initial_response), exactly once: send
///    `<auth mechanism='…'>` with the response as content (`=` when it is empty), or with no
///    content when it is `None` (DIGEST-MD5: the server speaks first).
/// 3. [`step`](Self::step) for every `<challenge/>`, answered with a `<response/>` carrying
///    what it returns (`=`/empty when empty).
/// 4. [`finish`](Self::finish) on `<success/>`, with its content if any. An `Err` here means
///    the server did not prove who it is (SCRAM `v=`, DIGEST-MD5 `rspauth=`): treat the
///    stream as compromised and close it.
///
/// On `<failure/>`, drop the session (and see [`SaslFailure`](super::SaslFailure)). Any error
/// ends the session: every later call returns [`SaslError::OutOfOrder`].
///
/// # Example: SCRAM-SHA-1 with the RFC 5802 §5 test vector
/// ```
/// use openxmpp_core::sasl::{
///     select_mechanism, ChannelBindings, Mechanism, SaslConfig, SaslSession, ServerOffer, TlsState,
/// };
///
/// let offer = ServerOffer::new(["SCRAM-SHA-1", "PLAIN"]);
/// let tls = TlsState::encrypted(ChannelBindings::new());
/// let config = SaslConfig::password("user", "pencil");
///
/// let mechanism = select_mechanism(&offer, &tls, &config)?;
/// assert_eq!(mechanism, Mechanism::ScramSha1);
/// // A fixed nonce for the test vector; without it a random one is used.
/// let mut session = SaslSession::new(mechanism, &offer, &tls, &config)?
///     .with_client_nonce("fyko+d2lbbFgONRv9qkxdawL")?;
///
/// let auth = session.initial_response()?;
/// assert_eq!(auth.as_deref(), Some(&b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"[..]));
///
/// let response = session.step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")?;
/// assert_eq!(
///     response,
///     b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
/// );
///
/// // <success/> carries the server signature, which must verify.
/// session.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))?;
/// assert!(session.is_complete());
///
/// // Keep the keys: the next login to this server skips PBKDF2.
/// let keys = session.scram_keys().cloned().expect("SCRAM succeeded");
/// let next_config = config.with_scram_keys(keys);
/// # let _ = next_config;
/// # Ok::<(), openxmpp_core::sasl::SaslError>(())
/// ```
pub struct SaslSession {
    mechanism: Mechanism,
    inner: Inner,
    phase: Phase,
}

impl SaslSession {
    /// Starts an exchange with `mechanism`, after checking that the server offered it and that
    /// the configuration allows it on this stream (the same rules as
    /// [`select_mechanism`](super::select_mechanism)). For SCRAM, the GS2 flag is decided here:
    /// `p=<type>` for -PLUS, else as [`gs2_cbind_flag`](super::gs2_cbind_flag) says.
    ///
    /// # Errors
    /// [`SaslError::NotOffered`], [`SaslError::MechanismDisabled`],
    /// [`SaslError::MissingCredentials`], [`SaslError::PlainWithoutTls`],
    /// [`SaslError::ChannelBindingUnavailable`], [`SaslError::PasswordPreparation`],
    /// [`SaslError::InvalidParameter`] (e.g. an empty username, an ANONYMOUS trace over 255
    /// characters), [`SaslError::RandomUnavailable`].
    pub fn new(
        mechanism: Mechanism,
        offer: &ServerOffer,
        tls: &TlsState,
        config: &SaslConfig,
    ) -> Result<Self, SaslError> {
        let binding = check(mechanism, offer, tls, config)?;
        let credentials = || match (config.username(), config.password_secret()) {
            (Some(username), Some(password)) => Ok((username, password)),
            _ => Err(SaslError::MissingCredentials {
                mechanism,
                missing: "a username and a password",
            }),
        };
        let inner = match mechanism {
            Mechanism::ScramSha512Plus
            | Mechanism::ScramSha256Plus
            | Mechanism::ScramSha1Plus
            | Mechanism::ScramSha512
            | Mechanism::ScramSha256
            | Mechanism::ScramSha1 => {
                let params = ScramParams {
                    mechanism,
                    username: config.username().ok_or(SaslError::MissingCredentials {
                        mechanism,
                        missing: "a username",
                    })?,
                    authzid: config.authzid(),
                    password: config.password_secret(),
                    binding,
                    nonce: random_nonce()?,
                    max_iterations: config.max_iterations(),
                    cached: config.scram_keys().cloned(),
                };
                match mechanism.scram_hash() {
                    Some(ScramHash::Sha1) => Inner::ScramSha1(Box::new(ScramClient::new(params)?)),
                    Some(ScramHash::Sha256) => {
                        Inner::ScramSha256(Box::new(ScramClient::new(params)?))
                    }
                    Some(ScramHash::Sha512) => {
                        Inner::ScramSha512(Box::new(ScramClient::new(params)?))
                    }
                    None => return Err(SaslError::Internal("SCRAM mechanism without a hash")),
                }
            }
            Mechanism::Plain => {
                let (username, password) = credentials()?;
                Inner::OneShot(plain_message(username, password, config.authzid())?)
            }
            Mechanism::DigestMd5 => {
                let (username, password) = credentials()?;
                let domain = config
                    .digest_md5_domain()
                    .ok_or(SaslError::MechanismDisabled { mechanism })?;
                Inner::DigestMd5(Box::new(DigestMd5Client::new(
                    username,
                    password,
                    config.authzid(),
                    "xmpp",
                    domain,
                    random_nonce()?,
                )?))
            }
            Mechanism::External => {
                Inner::OneShot(SecretBytes::new(external_message(config.authzid())?))
            }
            Mechanism::Anonymous => Inner::OneShot(SecretBytes::new(anonymous_message(
                config.anonymous_trace(),
            )?)),
        };
        Ok(Self {
            mechanism,
            inner,
            phase: Phase::New,
        })
    }

    /// Replaces the random client nonce (SCRAM) or cnonce (DIGEST-MD5), for test vectors.
    /// Call before [`initial_response`](Self::initial_response). The nonce must be printable
    /// ASCII without `,`, `"` and `\`; in production keep the random one.
    ///
    /// # Errors
    /// [`SaslError::InvalidParameter`] for a bad nonce or a mechanism without a nonce;
    /// [`SaslError::OutOfOrder`] after the exchange has started.
    pub fn with_client_nonce(mut self, nonce: &str) -> Result<Self, SaslError> {
        if self.phase != Phase::New {
            return Err(self.out_of_order("with_client_nonce"));
        }
        match &mut self.inner {
            Inner::ScramSha1(c) => c.set_nonce(nonce)?,
            Inner::ScramSha256(c) => c.set_nonce(nonce)?,
            Inner::ScramSha512(c) => c.set_nonce(nonce)?,
            Inner::DigestMd5(c) => c.set_cnonce(nonce)?,
            Inner::OneShot(_) => {
                return Err(SaslError::InvalidParameter {
                    what: "client nonce",
                    reason: "this mechanism uses no nonce",
                });
            }
        }
        Ok(self)
    }

    /// The mechanism of this exchange (for `<auth mechanism='…'>`).
    #[must_use]
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Step 2: the initial response to send in `<auth/>`; `None` when the mechanism has none
    /// (DIGEST-MD5), `Some` of an empty vector when it is empty (send `=`).
    ///
    /// # Errors
    /// [`SaslError::OutOfOrder`] unless this is the first call.
    pub fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        self.expect(Phase::New, "initial_response")?;
        let result = match &mut self.inner {
            Inner::ScramSha1(c) => c.client_first().map(Some),
            Inner::ScramSha256(c) => c.client_first().map(Some),
            Inner::ScramSha512(c) => c.client_first().map(Some),
            Inner::DigestMd5(_) => Ok(None),
            Inner::OneShot(message) => Ok(Some(message.expose().to_vec())),
        };
        self.settle(result, Phase::Exchanging)
    }

    /// Step 3: the response to a `<challenge/>`'s decoded content.
    ///
    /// # Errors
    /// Whatever is wrong with the challenge: [`SaslError::NonceMismatch`],
    /// [`SaslError::IterationsTooLow`], [`SaslError::IterationsTooHigh`],
    /// [`SaslError::ServerError`], [`SaslError::UnsupportedExtension`],
    /// [`SaslError::MalformedChallenge`], [`SaslError::BadServerSignature`],
    /// [`SaslError::UnexpectedChallenge`]; [`SaslError::OutOfOrder`] before
    /// [`initial_response`](Self::initial_response) or after the end.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        self.expect(Phase::Exchanging, "step")?;
        let result = match &mut self.inner {
            Inner::ScramSha1(c) => c.step(challenge),
            Inner::ScramSha256(c) => c.step(challenge),
            Inner::ScramSha512(c) => c.step(challenge),
            Inner::DigestMd5(c) => c.step(challenge),
            Inner::OneShot(_) => Err(SaslError::UnexpectedChallenge {
                mechanism: self.mechanism,
            }),
        };
        self.settle(result, Phase::Exchanging)
    }

    /// Step 4: the server sent `<success/>`, with this decoded additional data (`None` or
    /// empty when it had none). For SCRAM and DIGEST-MD5 the server must have proved that it
    /// knows the password, in this data or in an earlier challenge.
    ///
    /// # Errors
    /// [`SaslError::MissingVerifier`], [`SaslError::BadServerSignature`],
    /// [`SaslError::ServerError`], [`SaslError::MalformedChallenge`],
    /// [`SaslError::UnexpectedSuccessData`] (PLAIN, EXTERNAL, ANONYMOUS define none),
    /// [`SaslError::OutOfOrder`].
    ///
    /// ```
    /// use openxmpp_core::sasl::{Mechanism, SaslConfig, SaslError, SaslSession, ServerOffer, TlsState};
    /// let offer = ServerOffer::new(["SCRAM-SHA-1"]);
    /// let config = SaslConfig::password("user", "pencil");
    /// let mut session = SaslSession::new(Mechanism::ScramSha1, &offer, &TlsState::Plaintext, &config)?
    ///     .with_client_nonce("fyko+d2lbbFgONRv9qkxdawL")?;
    /// session.initial_response()?;
    /// session.step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")?;
    /// // A <success/> without the server signature: the server never proved it knows the password.
    /// assert_eq!(
    ///     session.finish(None),
    ///     Err(SaslError::MissingVerifier { mechanism: Mechanism::ScramSha1 })
    /// );
    /// # Ok::<(), SaslError>(())
    /// ```
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        self.expect(Phase::Exchanging, "finish")?;
        let result = match &mut self.inner {
            Inner::ScramSha1(c) => c.finish(additional_data),
            Inner::ScramSha256(c) => c.finish(additional_data),
            Inner::ScramSha512(c) => c.finish(additional_data),
            Inner::DigestMd5(c) => c.finish(additional_data),
            Inner::OneShot(_) => match additional_data {
                Some(data) if !data.is_empty() => Err(SaslError::UnexpectedSuccessData {
                    mechanism: self.mechanism,
                }),
                _ => Ok(()),
            },
        };
        self.settle(result, Phase::Succeeded)
    }

    /// Whether [`finish`](Self::finish) succeeded.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.phase == Phase::Succeeded
    }

    /// The SCRAM keys of this exchange, once the server has proved it knows them; give them to
    /// [`SaslConfig::with_scram_keys`] to skip PBKDF2 next time.
    #[must_use]
    pub fn scram_keys(&self) -> Option<&ScramKeys> {
        match &self.inner {
            Inner::ScramSha1(c) => c.keys(),
            Inner::ScramSha256(c) => c.keys(),
            Inner::ScramSha512(c) => c.keys(),
            Inner::DigestMd5(_) | Inner::OneShot(_) => None,
        }
    }

    fn out_of_order(&self, call: &'static str) -> SaslError {
        SaslError::OutOfOrder {
            call,
            state: self.phase.name(),
        }
    }

    fn expect(&mut self, phase: Phase, call: &'static str) -> Result<(), SaslError> {
        if self.phase == phase {
            Ok(())
        } else {
            let error = self.out_of_order(call);
            self.phase = Phase::Failed;
            Err(error)
        }
    }

    fn settle<T>(&mut self, result: Result<T, SaslError>, next: Phase) -> Result<T, SaslError> {
        self.phase = if result.is_ok() { next } else { Phase::Failed };
        result
    }
}

impl fmt::Debug for SaslSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exchange = match &self.inner {
            Inner::ScramSha1(c) => c.state_name(),
            Inner::ScramSha256(c) => c.state_name(),
            Inner::ScramSha512(c) => c.state_name(),
            Inner::DigestMd5(c) => c.state_name(),
            Inner::OneShot(_) => "one initial response",
        };
        f.debug_struct("SaslSession")
            .field("mechanism", &self.mechanism)
            .field("phase", &self.phase.name())
            .field("exchange", &exchange)
            .finish()
    }
}
