//! The SCRAM client (RFC 5802, RFC 7677), one implementation generic over the hash.

use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::digest::Digest;
use hmac::{EagerHash, Hmac, KeyInit as _, Mac as _};

use super::channel_binding::{Gs2Binding, Gs2CbindFlag};
use super::config::MIN_ITERATIONS;
use super::error::SaslError;
use super::mechanism::{Mechanism, ScramHash};
use super::scram_keys::ScramKeys;
use super::secret::{Secret, constant_time_eq, prepare_password, wipe};

/// A hash SCRAM can use: a RustCrypto hash with its [`ScramHash`] tag.
pub(crate) trait ScramDigest: EagerHash {
    /// The tag of the hash, for [`ScramKeys`].
    const HASH: ScramHash;
}

impl ScramDigest for sha1::Sha1 {
    const HASH: ScramHash = ScramHash::Sha1;
}

impl ScramDigest for sha2::Sha256 {
    const HASH: ScramHash = ScramHash::Sha256;
}

impl ScramDigest for sha2::Sha512 {
    const HASH: ScramHash = ScramHash::Sha512;
}

/// `HMAC(key, data)`.
fn hmac<D: EagerHash>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, SaslError> {
    let mut mac =
        Hmac::<D>::new_from_slice(key).map_err(|_| SaslError::Internal("HMAC refused its key"))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// Derives ClientKey and ServerKey from a prepared password (RFC 5802 §3):
/// `SaltedPassword = PBKDF2-HMAC(password, salt, i)`, `ClientKey = HMAC(SaltedPassword,
/// "Client Key")`, `ServerKey = HMAC(SaltedPassword, "Server Key")`.
pub(crate) fn derive_keys<D: ScramDigest>(
    prepared_password: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<ScramKeys, SaslError> {
    let mut salted = vec![0u8; <D as Digest>::output_size()];
    pbkdf2::pbkdf2::<Hmac<D>>(prepared_password.as_bytes(), salt, iterations, &mut salted)
        .map_err(|_| SaslError::Internal("PBKDF2 refused the password"))?;
    let client_key = hmac::<D>(&salted, b"Client Key");
    let server_key = hmac::<D>(&salted, b"Server Key");
    wipe(salted);
    ScramKeys::from_parts(D::HASH, salt.to_vec(), iterations, client_key?, server_key?)
}

/// Escapes a username or authzid as a SCRAM `saslname`: `=` becomes `=3D`, `,` becomes `=2C`.
pub(crate) fn escape_saslname(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '=' => out.push_str("=3D"),
            ',' => out.push_str("=2C"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `attr` looks like a SCRAM attribute: a letter, `=`, and a value.
fn is_attribute(attr: &str) -> bool {
    matches!(attr.as_bytes(), [c, b'=', ..] if c.is_ascii_alphabetic())
}

/// Where a SCRAM exchange stands.
enum State {
    Initial,
    FirstSent {
        client_first_bare: String,
    },
    FinalSent {
        server_signature: Vec<u8>,
        keys: ScramKeys,
    },
    Verified {
        server_signature: Vec<u8>,
        keys: ScramKeys,
    },
    Failed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::FirstSent { .. } => "waiting for server-first-message",
            Self::FinalSent { .. } => "waiting for server-final-message",
            Self::Verified { .. } => "verified",
            Self::Failed => "failed",
        }
    }
}

/// What a SCRAM client needs to start.
pub(crate) struct ScramParams<'a> {
    pub(crate) mechanism: Mechanism,
    pub(crate) username: &'a str,
    pub(crate) authzid: Option<&'a str>,
    pub(crate) password: Option<&'a Secret>,
    pub(crate) binding: Gs2Binding,
    pub(crate) nonce: String,
    pub(crate) max_iterations: u32,
    pub(crate) cached: Option<ScramKeys>,
}

/// A SCRAM client exchange over the hash `D`.
pub(crate) struct ScramClient<D> {
    mechanism: Mechanism,
    gs2_header: String,
    username: String,
    password: Option<Secret>,
    binding: Gs2Binding,
    nonce: String,
    max_iterations: u32,
    cached: Option<ScramKeys>,
    state: State,
    digest: PhantomData<fn() -> D>,
}

fn check_name(name: &str, what: &'static str) -> Result<(), SaslError> {
    if name.is_empty() {
        return Err(SaslError::InvalidParameter {
            what,
            reason: "empty",
        });
    }
    if name.contains('\0') {
        return Err(SaslError::InvalidParameter {
            what,
            reason: "contains a NUL character",
        });
    }
    Ok(())
}

impl<D: ScramDigest> ScramClient<D> {
    pub(crate) fn new(params: ScramParams<'_>) -> Result<Self, SaslError> {
        if params.mechanism.scram_hash() != Some(D::HASH) {
            return Err(SaslError::Internal("SCRAM client built for the wrong hash"));
        }
        if params.mechanism.is_plus() != matches!(params.binding.flag, Gs2CbindFlag::Bound(_)) {
            return Err(SaslError::Internal(
                "channel binding flag does not fit the mechanism",
            ));
        }
        check_name(params.username, "username")?;
        if let Some(authzid) = params.authzid {
            check_name(authzid, "authzid")?;
        }
        super::nonce::validate_nonce(&params.nonce)?;
        let password = params.password.map(prepare_password).transpose()?;
        let authzid = params
            .authzid
            .map(|a| format!("a={}", escape_saslname(a)))
            .unwrap_or_default();
        Ok(Self {
            mechanism: params.mechanism,
            gs2_header: format!("{},{authzid},", params.binding.flag.as_header_part()),
            username: escape_saslname(params.username),
            password,
            binding: params.binding,
            nonce: params.nonce,
            max_iterations: params.max_iterations,
            cached: params.cached,
            state: State::Initial,
            digest: PhantomData,
        })
    }

    /// Replaces the client nonce; only before the client-first-message.
    pub(crate) fn set_nonce(&mut self, nonce: &str) -> Result<(), SaslError> {
        super::nonce::validate_nonce(nonce)?;
        if !matches!(self.state, State::Initial) {
            return Err(self.out_of_order("with_client_nonce"));
        }
        nonce.clone_into(&mut self.nonce);
        Ok(())
    }

    fn out_of_order(&self, call: &'static str) -> SaslError {
        SaslError::OutOfOrder {
            call,
            state: self.state.name(),
        }
    }

    fn malformed(&self, reason: &'static str) -> SaslError {
        SaslError::MalformedChallenge {
            mechanism: self.mechanism,
            reason,
        }
    }

    /// The client-first-message: `gs2-header client-first-message-bare`.
    pub(crate) fn client_first(&mut self) -> Result<Vec<u8>, SaslError> {
        if !matches!(self.state, State::Initial) {
            return Err(self.out_of_order("initial_response"));
        }
        let client_first_bare = format!("n={},r={}", self.username, self.nonce);
        let message = format!("{}{client_first_bare}", self.gs2_header).into_bytes();
        self.state = State::FirstSent { client_first_bare };
        Ok(message)
    }

    /// Handles a server challenge: the server-first-message (answered with the
    /// client-final-message) or, from servers that send it as a challenge, the
    /// server-final-message (verified, answered with an empty response).
    pub(crate) fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::FirstSent { client_first_bare } => {
                let (response, next) = self.client_final(&client_first_bare, challenge)?;
                self.state = next;
                Ok(response)
            }
            State::FinalSent {
                server_signature,
                keys,
            } => {
                self.verify_server_final(challenge, &server_signature)?;
                self.state = State::Verified {
                    server_signature,
                    keys,
                };
                Ok(Vec::new())
            }
            State::Verified { .. } => Err(SaslError::UnexpectedChallenge {
                mechanism: self.mechanism,
            }),
            state @ (State::Initial | State::Failed) => Err(SaslError::OutOfOrder {
                call: "step",
                state: state.name(),
            }),
        }
    }

    /// Handles `<success/>` and its additional data (the server-final-message), which must
    /// prove the server knows the password unless a challenge already did.
    pub(crate) fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let data = additional_data.filter(|d| !d.is_empty());
        match std::mem::replace(&mut self.state, State::Failed) {
            State::FinalSent {
                server_signature,
                keys,
            }
            | State::Verified {
                server_signature,
                keys,
            } if data.is_some() => {
                if let Some(data) = data {
                    self.verify_server_final(data, &server_signature)?;
                }
                self.state = State::Verified {
                    server_signature,
                    keys,
                };
                Ok(())
            }
            verified @ State::Verified { .. } => {
                self.state = verified;
                Ok(())
            }
            State::Initial | State::FirstSent { .. } | State::FinalSent { .. } => {
                Err(SaslError::MissingVerifier {
                    mechanism: self.mechanism,
                })
            }
            State::Failed => Err(SaslError::OutOfOrder {
                call: "finish",
                state: "failed",
            }),
        }
    }

    /// The keys, once the server has proved it knows them.
    pub(crate) fn keys(&self) -> Option<&ScramKeys> {
        match &self.state {
            State::Verified { keys, .. } => Some(keys),
            _ => None,
        }
    }

    pub(crate) fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// Parses the server-first-message and builds the client-final-message.
    fn client_final(
        &self,
        client_first_bare: &str,
        challenge: &[u8],
    ) -> Result<(Vec<u8>, State), SaslError> {
        let server_first = std::str::from_utf8(challenge)
            .map_err(|_| self.malformed("server-first-message is not UTF-8"))?;
        let mut attributes = server_first.split(',');
        let first = attributes.next().unwrap_or_default();
        if let Some(extension) = first.strip_prefix("m=") {
            return Err(SaslError::UnsupportedExtension {
                mechanism: self.mechanism,
                extension: extension.to_owned(),
            });
        }
        if let Some(message) = first.strip_prefix("e=") {
            return Err(SaslError::ServerError {
                mechanism: self.mechanism,
                message: message.to_owned(),
            });
        }
        let nonce = first.strip_prefix("r=").ok_or_else(|| {
            self.malformed("server-first-message does not start with the nonce (r=)")
        })?;
        let salt = attributes
            .next()
            .and_then(|a| a.strip_prefix("s="))
            .ok_or_else(|| {
                self.malformed("server-first-message has no salt (s=) after the nonce")
            })?;
        let iterations = attributes
            .next()
            .and_then(|a| a.strip_prefix("i="))
            .ok_or_else(|| {
                self.malformed("server-first-message has no iteration count (i=) after the salt")
            })?;
        if !attributes.all(is_attribute) {
            return Err(
                self.malformed("server-first-message has an extension that is not attr=value")
            );
        }
        if !nonce.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
            return Err(self.malformed("server nonce has non-printable characters"));
        }
        if nonce.len() <= self.nonce.len() || !nonce.starts_with(&self.nonce) {
            return Err(SaslError::NonceMismatch {
                mechanism: self.mechanism,
            });
        }
        let salt = STANDARD
            .decode(salt)
            .map_err(|_| self.malformed("salt is not valid base64"))?;
        if salt.is_empty() {
            return Err(self.malformed("salt is empty"));
        }
        let iterations = self.parse_iterations(iterations)?;
        let keys = self.keys_for(&salt, iterations)?;

        let mut cbind_input = self.gs2_header.as_bytes().to_vec();
        if matches!(self.binding.flag, Gs2CbindFlag::Bound(_)) {
            cbind_input.extend_from_slice(&self.binding.data);
        }
        let without_proof = format!("c={},r={nonce}", STANDARD.encode(&cbind_input));
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let stored_key = <D as Digest>::digest(keys.client_key());
        let client_signature = hmac::<D>(&stored_key, auth_message.as_bytes())?;
        let proof: Vec<u8> = keys
            .client_key()
            .iter()
            .zip(&client_signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let server_signature = hmac::<D>(keys.server_key(), auth_message.as_bytes())?;
        let response = format!("{without_proof},p={}", STANDARD.encode(&proof)).into_bytes();
        Ok((
            response,
            State::FinalSent {
                server_signature,
                keys,
            },
        ))
    }

    fn parse_iterations(&self, text: &str) -> Result<u32, SaslError> {
        if text.is_empty() || text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.malformed("iteration count is not a positive decimal number"));
        }
        // Only an overflow can fail here: saturate, it is above any cap anyway.
        let iterations = text.parse::<u32>().unwrap_or(u32::MAX);
        if iterations < MIN_ITERATIONS {
            return Err(SaslError::IterationsTooLow {
                mechanism: self.mechanism,
                iterations,
                minimum: MIN_ITERATIONS,
            });
        }
        if iterations > self.max_iterations {
            return Err(SaslError::IterationsTooHigh {
                mechanism: self.mechanism,
                iterations,
                maximum: self.max_iterations,
            });
        }
        Ok(iterations)
    }

    /// The cached keys when they match, else PBKDF2 over the password.
    fn keys_for(&self, salt: &[u8], iterations: u32) -> Result<ScramKeys, SaslError> {
        if let Some(cached) = &self.cached
            && cached.matches(D::HASH, salt, iterations)
        {
            return Ok(cached.clone());
        }
        let password = self.password.as_ref().ok_or(SaslError::MissingCredentials {
            mechanism: self.mechanism,
            missing: "a password (the cached SCRAM keys do not fit the server's salt and iteration count)",
        })?;
        derive_keys::<D>(password.expose(), salt, iterations)
    }

    /// Checks a server-final-message: `e=` is the server's error, `v=` must be the expected
    /// server signature.
    fn verify_server_final(&self, message: &[u8], expected: &[u8]) -> Result<(), SaslError> {
        let text = std::str::from_utf8(message)
            .map_err(|_| self.malformed("server-final-message is not UTF-8"))?;
        let mut attributes = text.split(',');
        let first = attributes.next().unwrap_or_default();
        if let Some(message) = first.strip_prefix("e=") {
            return Err(SaslError::ServerError {
                mechanism: self.mechanism,
                message: message.to_owned(),
            });
        }
        let verifier = first
            .strip_prefix("v=")
            .ok_or_else(|| self.malformed("server-final-message has neither v= nor e="))?;
        if !attributes.all(is_attribute) {
            return Err(
                self.malformed("server-final-message has an extension that is not attr=value")
            );
        }
        let signature = STANDARD
            .decode(verifier)
            .map_err(|_| self.malformed("server signature (v=) is not valid base64"))?;
        if constant_time_eq(&signature, expected) {
            Ok(())
        } else {
            Err(SaslError::BadServerSignature {
                mechanism: self.mechanism,
            })
        }
    }
}

impl<D> fmt::Debug for ScramClient<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClient")
            .field("mechanism", &self.mechanism)
            .field("gs2_header", &self.gs2_header)
            .field("username", &self.username)
            .field("binding", &self.binding)
            .field("state", &self.state.name())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC5802_NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";
    const RFC5802_SERVER_FIRST: &[u8] =
        b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    const RFC5802_CLIENT_FINAL: &[u8] =
        b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    const RFC5802_SERVER_FINAL: &[u8] = b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

    fn params<'a>(password: Option<&'a Secret>, nonce: &str) -> ScramParams<'a> {
        ScramParams {
            mechanism: Mechanism::ScramSha1,
            username: "user",
            authzid: None,
            password,
            binding: Gs2Binding::unbound(Gs2CbindFlag::ClientUnsupported),
            nonce: nonce.to_owned(),
            max_iterations: 10_000,
            cached: None,
        }
    }

    fn sha1_client(password: &Secret) -> ScramClient<sha1::Sha1> {
        ScramClient::new(params(Some(password), RFC5802_NONCE)).unwrap()
    }

    fn pencil() -> Secret {
        Secret::new("pencil".into())
    }

    #[test]
    fn rfc5802_sha1_vector() {
        let password = pencil();
        let mut c = sha1_client(&password);
        assert_eq!(
            c.client_first().unwrap(),
            b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
        );
        assert_eq!(c.step(RFC5802_SERVER_FIRST).unwrap(), RFC5802_CLIENT_FINAL);
        assert!(
            c.keys().is_none(),
            "keys are only exposed once the server is verified"
        );
        c.finish(Some(RFC5802_SERVER_FINAL)).unwrap();
        let keys = c.keys().unwrap();
        assert_eq!(keys.iterations(), 4096);
        assert_eq!(keys.salt(), STANDARD.decode("QSXCR+Q6sek8bf92").unwrap());
    }

    #[test]
    fn rfc7677_sha256_vector() {
        let password = pencil();
        let mut c = ScramClient::<sha2::Sha256>::new(ScramParams {
            mechanism: Mechanism::ScramSha256,
            ..params(Some(&password), "rOprNGfwEbeRWgbNEkqO")
        })
        .unwrap();
        assert_eq!(
            c.client_first().unwrap(),
            b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
        );
        let final_message = c
            .step(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            final_message,
            b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        c.finish(Some(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
            .unwrap();
    }

    #[test]
    fn server_final_as_a_challenge_then_empty_success() {
        let password = pencil();
        let mut c = sha1_client(&password);
        c.client_first().unwrap();
        c.step(RFC5802_SERVER_FIRST).unwrap();
        assert_eq!(c.step(RFC5802_SERVER_FINAL).unwrap(), b"");
        c.finish(None).unwrap();
        assert!(c.keys().is_some());
        assert_eq!(
            c.step(b"x"),
            Err(SaslError::UnexpectedChallenge {
                mechanism: Mechanism::ScramSha1
            })
        );
    }

    #[test]
    fn cached_keys_skip_the_password() {
        let password = pencil();
        let mut c = sha1_client(&password);
        c.client_first().unwrap();
        c.step(RFC5802_SERVER_FIRST).unwrap();
        c.finish(Some(RFC5802_SERVER_FINAL)).unwrap();
        let keys = c.keys().unwrap().clone();

        // No password at all: the cached keys alone reproduce the RFC proof.
        let mut c = ScramClient::<sha1::Sha1>::new(ScramParams {
            cached: Some(keys.clone()),
            ..params(None, RFC5802_NONCE)
        })
        .unwrap();
        c.client_first().unwrap();
        assert_eq!(c.step(RFC5802_SERVER_FIRST).unwrap(), RFC5802_CLIENT_FINAL);
        c.finish(Some(RFC5802_SERVER_FINAL)).unwrap();

        // A different salt needs the password again.
        let mut c = ScramClient::<sha1::Sha1>::new(ScramParams {
            cached: Some(keys),
            ..params(None, RFC5802_NONCE)
        })
        .unwrap();
        c.client_first().unwrap();
        assert!(matches!(
            c.step(b"r=fyko+d2lbbFgONRv9qkxdawLxyz,s=AAAA,i=4096"),
            Err(SaslError::MissingCredentials { .. })
        ));
    }

    #[test]
    fn usernames_and_authzids_are_escaped() {
        assert_eq!(escape_saslname("a=b,c"), "a=3Db=2Cc");
        assert_eq!(escape_saslname("=,"), "=3D=2C");
        let password = pencil();
        let mut c = ScramClient::<sha1::Sha1>::new(ScramParams {
            username: "us=er,x",
            authzid: Some("admin,=x"),
            ..params(Some(&password), "abc")
        })
        .unwrap();
        assert_eq!(
            c.client_first().unwrap(),
            b"n,a=admin=2C=3Dx,n=us=3Der=2Cx,r=abc"
        );
    }

    fn after_first(challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let password = pencil();
        let mut c = sha1_client(&password);
        c.client_first().unwrap();
        c.step(challenge)
    }

    fn malformed(reason: &'static str) -> Result<Vec<u8>, SaslError> {
        Err(SaslError::MalformedChallenge {
            mechanism: Mechanism::ScramSha1,
            reason,
        })
    }

    #[test]
    fn server_first_refusals() {
        use SaslError::*;
        let m = Mechanism::ScramSha1;
        assert_eq!(
            after_first(b"r=XXXXfyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096"),
            Err(NonceMismatch { mechanism: m })
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096"),
            Err(NonceMismatch { mechanism: m }),
            "the server must add its own nonce"
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,i=4095"),
            Err(IterationsTooLow {
                mechanism: m,
                iterations: 4095,
                minimum: 4096
            })
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,i=10001"),
            Err(IterationsTooHigh {
                mechanism: m,
                iterations: 10001,
                maximum: 10_000
            })
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,i=99999999999999"),
            Err(IterationsTooHigh {
                mechanism: m,
                iterations: u32::MAX,
                maximum: 10_000
            })
        );
        assert_eq!(
            after_first(
                b"m=channel-binding-v2,r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,i=4096"
            ),
            Err(UnsupportedExtension {
                mechanism: m,
                extension: "channel-binding-v2".into()
            })
        );
        assert_eq!(
            after_first(b"e=unknown-user"),
            Err(ServerError {
                mechanism: m,
                message: "unknown-user".into()
            })
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=!!!,i=4096"),
            malformed("salt is not valid base64")
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=,i=4096"),
            malformed("salt is empty")
        );
        for bad in [
            &b"i=4096"[..],
            b"",
            b"r=fyko+d2lbbFgONRv9qkxdawLabc",
            b"\xff\xfe",
        ] {
            assert!(
                matches!(after_first(bad), Err(MalformedChallenge { .. })),
                "{bad:?}"
            );
        }
        for bad_count in ["i=", "i=-4096", "i=04096", "i=0", "i=4096x", "i= 4096"] {
            let challenge = format!("r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,{bad_count}");
            assert_eq!(
                after_first(challenge.as_bytes()),
                malformed("iteration count is not a positive decimal number"),
                "{bad_count}"
            );
        }
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawLabc,s=QSXCR+Q6sek8bf92,i=4096,junk"),
            malformed("server-first-message has an extension that is not attr=value")
        );
        assert_eq!(
            after_first(b"r=fyko+d2lbbFgONRv9qkxdawL\x01,s=QSXCR+Q6sek8bf92,i=4096"),
            malformed("server nonce has non-printable characters")
        );
        // Extensions after the iteration count are ignored.
        assert!(
            after_first(
                b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,x=1"
            )
            .is_ok()
        );
    }

    fn at_final() -> ScramClient<sha1::Sha1> {
        let password = pencil();
        let mut c = sha1_client(&password);
        c.client_first().unwrap();
        c.step(RFC5802_SERVER_FIRST).unwrap();
        c
    }

    #[test]
    fn server_final_refusals() {
        use SaslError::*;
        let m = Mechanism::ScramSha1;
        assert_eq!(
            at_final().finish(None),
            Err(MissingVerifier { mechanism: m })
        );
        assert_eq!(
            at_final().finish(Some(b"")),
            Err(MissingVerifier { mechanism: m })
        );
        assert_eq!(
            at_final().finish(Some(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
            Err(BadServerSignature { mechanism: m })
        );
        assert_eq!(
            at_final().finish(Some(b"v=")),
            Err(BadServerSignature { mechanism: m })
        );
        assert_eq!(
            at_final().finish(Some(b"e=invalid-proof")),
            Err(ServerError {
                mechanism: m,
                message: "invalid-proof".into()
            })
        );
        assert_eq!(
            at_final().step(b"e=other-error"),
            Err(ServerError {
                mechanism: m,
                message: "other-error".into()
            })
        );
        assert!(matches!(
            at_final().finish(Some(b"x=1")),
            Err(MalformedChallenge { .. })
        ));
        assert!(matches!(
            at_final().finish(Some(b"v=***")),
            Err(MalformedChallenge { .. })
        ));
        assert!(matches!(
            at_final().finish(Some(b"\xff")),
            Err(MalformedChallenge { .. })
        ));
        // Success before the proof was even sent.
        let password = pencil();
        let mut c = sha1_client(&password);
        c.client_first().unwrap();
        assert_eq!(
            c.finish(Some(RFC5802_SERVER_FINAL)),
            Err(MissingVerifier { mechanism: m })
        );
        // After a failure, nothing more.
        let mut c = at_final();
        assert!(c.finish(Some(b"v=")).is_err());
        assert!(matches!(
            c.finish(Some(RFC5802_SERVER_FINAL)),
            Err(OutOfOrder { .. })
        ));
    }

    #[test]
    fn construction_refusals() {
        let password = pencil();
        let bad = |p: ScramParams<'_>| ScramClient::<sha1::Sha1>::new(p).err();
        assert!(matches!(
            bad(ScramParams {
                username: "",
                ..params(Some(&password), "n")
            }),
            Some(SaslError::InvalidParameter {
                what: "username",
                ..
            })
        ));
        assert!(matches!(
            bad(ScramParams {
                username: "a\0b",
                ..params(Some(&password), "n")
            }),
            Some(SaslError::InvalidParameter {
                what: "username",
                ..
            })
        ));
        assert!(matches!(
            bad(ScramParams {
                authzid: Some(""),
                ..params(Some(&password), "n")
            }),
            Some(SaslError::InvalidParameter {
                what: "authzid",
                ..
            })
        ));
        assert!(matches!(
            bad(params(Some(&password), "a,b")),
            Some(SaslError::InvalidParameter {
                what: "client nonce",
                ..
            })
        ));
        let empty = Secret::new(String::new());
        assert_eq!(
            bad(params(Some(&empty), "n")),
            Some(SaslError::PasswordPreparation)
        );
        assert!(matches!(
            bad(ScramParams {
                mechanism: Mechanism::ScramSha256,
                ..params(Some(&password), "n")
            }),
            Some(SaslError::Internal(_))
        ));
        assert!(matches!(
            bad(ScramParams {
                mechanism: Mechanism::ScramSha1Plus,
                ..params(Some(&password), "n")
            }),
            Some(SaslError::Internal(_))
        ));
    }

    #[test]
    fn debug_shows_no_secret() {
        let password = pencil();
        let c = at_final();
        let debug = format!("{c:?}");
        assert!(!debug.contains(password.expose()), "{debug}");
        assert!(
            debug.contains("waiting for server-final-message"),
            "{debug}"
        );
    }
}
