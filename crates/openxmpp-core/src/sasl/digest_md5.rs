//! DIGEST-MD5 (RFC 2831), historic (RFC 6331): only used when explicitly enabled. Only
//! `qop=auth` (authentication without a security layer) is implemented.

use std::fmt;
use std::iter::Peekable;
use std::str::CharIndices;

use md5::{Digest as _, Md5};

use super::error::SaslError;
use super::mechanism::Mechanism;
use super::secret::{Secret, constant_time_eq, prepare_password};

const MECHANISM: Mechanism = Mechanism::DigestMd5;
/// The nonce count: this client authenticates once per nonce.
const NONCE_COUNT: &str = "00000001";

/// Where a DIGEST-MD5 exchange stands.
enum State {
    AwaitingChallenge,
    ResponseSent { rspauth: String },
    Verified { rspauth: String },
    Failed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            Self::AwaitingChallenge => "waiting for the digest-challenge",
            Self::ResponseSent { .. } => "waiting for rspauth",
            Self::Verified { .. } => "verified",
            Self::Failed => "failed",
        }
    }
}

/// A DIGEST-MD5 client exchange.
pub(crate) struct DigestMd5Client {
    username: String,
    password: Secret,
    authzid: Option<String>,
    digest_uri: String,
    host: String,
    cnonce: String,
    state: State,
}

impl DigestMd5Client {
    /// A client for `service/host` (XMPP: `xmpp/<domain>`).
    pub(crate) fn new(
        username: &str,
        password: &Secret,
        authzid: Option<&str>,
        service: &str,
        host: &str,
        cnonce: String,
    ) -> Result<Self, SaslError> {
        if username.is_empty() {
            return Err(SaslError::InvalidParameter {
                what: "username",
                reason: "empty",
            });
        }
        super::nonce::validate_nonce(&cnonce)?;
        Ok(Self {
            username: username.to_owned(),
            password: prepare_password(password)?,
            authzid: authzid.map(str::to_owned),
            digest_uri: format!("{service}/{host}"),
            host: host.to_owned(),
            cnonce,
            state: State::AwaitingChallenge,
        })
    }

    /// Replaces the client nonce; only before the first challenge.
    pub(crate) fn set_cnonce(&mut self, cnonce: &str) -> Result<(), SaslError> {
        super::nonce::validate_nonce(cnonce)?;
        if !matches!(self.state, State::AwaitingChallenge) {
            return Err(SaslError::OutOfOrder {
                call: "with_client_nonce",
                state: self.state.name(),
            });
        }
        cnonce.clone_into(&mut self.cnonce);
        Ok(())
    }

    pub(crate) fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// Answers the digest-challenge with the digest-response, then checks the `rspauth` of the
    /// second challenge (answered with an empty response).
    pub(crate) fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::AwaitingChallenge => {
                let (response, rspauth) = self.respond(challenge)?;
                self.state = State::ResponseSent { rspauth };
                Ok(response.into_bytes())
            }
            State::ResponseSent { rspauth } => {
                verify_rspauth(challenge, &rspauth)?;
                self.state = State::Verified { rspauth };
                Ok(Vec::new())
            }
            State::Verified { .. } => Err(SaslError::UnexpectedChallenge {
                mechanism: MECHANISM,
            }),
            State::Failed => Err(SaslError::OutOfOrder {
                call: "step",
                state: "failed",
            }),
        }
    }

    /// Handles `<success/>`: `rspauth` must have been verified, or come with it.
    pub(crate) fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let data = additional_data.filter(|d| !d.is_empty());
        match (std::mem::replace(&mut self.state, State::Failed), data) {
            (State::ResponseSent { rspauth } | State::Verified { rspauth }, Some(data)) => {
                verify_rspauth(data, &rspauth)?;
                self.state = State::Verified { rspauth };
                Ok(())
            }
            (verified @ State::Verified { .. }, None) => {
                self.state = verified;
                Ok(())
            }
            (State::AwaitingChallenge | State::ResponseSent { .. }, _) => {
                Err(SaslError::MissingVerifier {
                    mechanism: MECHANISM,
                })
            }
            (State::Failed, _) => Err(SaslError::OutOfOrder {
                call: "finish",
                state: "failed",
            }),
        }
    }

    /// The digest-response for a digest-challenge, and the rspauth to expect.
    fn respond(&self, challenge: &[u8]) -> Result<(String, String), SaslError> {
        let text =
            std::str::from_utf8(challenge).map_err(|_| malformed("challenge is not UTF-8"))?;
        let challenge = Challenge::parse(text)?;
        let realm = challenge.realm.as_deref().unwrap_or(&self.host);
        let credentials = [
            Some(self.username.as_str()),
            Some(realm),
            Some(self.password.expose()),
            self.authzid.as_deref(),
        ];
        if !challenge.utf8 && !credentials.iter().flatten().all(|s| s.is_ascii()) {
            return Err(SaslError::InvalidParameter {
                what: "DIGEST-MD5 credentials",
                reason: "not ASCII, and the server did not offer charset=utf-8",
            });
        }

        let mut user_hash = Md5::new();
        user_hash.update(latin1_if_possible(&self.username));
        user_hash.update(b":");
        user_hash.update(latin1_if_possible(realm));
        user_hash.update(b":");
        user_hash.update(latin1_if_possible(self.password.expose()));
        let mut a1 = user_hash.finalize().to_vec();
        a1.extend_from_slice(format!(":{}:{}", challenge.nonce, self.cnonce).as_bytes());
        if let Some(authzid) = &self.authzid {
            a1.extend_from_slice(format!(":{authzid}").as_bytes());
        }
        let ha1 = hex(&Md5::digest(&a1));
        let kd = |a2: &str| {
            let ha2 = hex(&Md5::digest(a2.as_bytes()));
            hex(&Md5::digest(
                format!(
                    "{ha1}:{}:{NONCE_COUNT}:{}:auth:{ha2}",
                    challenge.nonce, self.cnonce
                )
                .as_bytes(),
            ))
        };
        let response = kd(&format!("AUTHENTICATE:{}", self.digest_uri));
        let rspauth = kd(&format!(":{}", self.digest_uri));

        let mut message = String::new();
        if challenge.utf8 {
            message.push_str("charset=utf-8,");
        }
        message.push_str(&format!(
            "username={},realm={},nonce={},nc={NONCE_COUNT},cnonce={},digest-uri={},response={response},qop=auth",
            quote(&self.username),
            quote(realm),
            quote(&challenge.nonce),
            quote(&self.cnonce),
            quote(&self.digest_uri),
        ));
        if let Some(authzid) = &self.authzid {
            message.push_str(&format!(",authzid={}", quote(authzid)));
        }
        Ok((message, rspauth))
    }
}

impl fmt::Debug for DigestMd5Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestMd5Client")
            .field("username", &self.username)
            .field("digest_uri", &self.digest_uri)
            .field("state", &self.state.name())
            .finish_non_exhaustive()
    }
}

fn malformed(reason: &'static str) -> SaslError {
    SaslError::MalformedChallenge {
        mechanism: MECHANISM,
        reason,
    }
}

/// Checks `rspauth=<hex>` (the server's proof).
fn verify_rspauth(message: &[u8], expected: &str) -> Result<(), SaslError> {
    let text =
        std::str::from_utf8(message).map_err(|_| malformed("rspauth message is not UTF-8"))?;
    let directives = parse_directives(text).map_err(malformed)?;
    let rspauth = directives
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("rspauth"))
        .map(|(_, value)| value.to_ascii_lowercase())
        .ok_or_else(|| malformed("no rspauth directive where the server's proof was expected"))?;
    if constant_time_eq(rspauth.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(SaslError::BadServerSignature {
            mechanism: MECHANISM,
        })
    }
}

/// What the client uses from a digest-challenge (RFC 2831 §2.1.1).
struct Challenge {
    realm: Option<String>,
    nonce: String,
    utf8: bool,
}

impl Challenge {
    fn parse(text: &str) -> Result<Self, SaslError> {
        let mut realm = None;
        let mut nonce = None;
        let mut qop = None;
        let mut charset = None;
        let mut algorithm = None;
        for (name, value) in parse_directives(text).map_err(malformed)? {
            match name.to_ascii_lowercase().as_str() {
                // Several realms may be offered; the first is used.
                "realm" => {
                    realm.get_or_insert(value);
                }
                "nonce" => set_once(&mut nonce, value, "more than one nonce")?,
                "qop" => set_once(&mut qop, value, "more than one qop")?,
                "charset" => set_once(&mut charset, value, "more than one charset")?,
                "algorithm" => set_once(&mut algorithm, value, "more than one algorithm")?,
                _ => {}
            }
        }
        let nonce = nonce.ok_or_else(|| malformed("no nonce"))?;
        if nonce.is_empty() {
            return Err(malformed("empty nonce"));
        }
        if algorithm.as_deref() != Some("md5-sess") {
            return Err(malformed("algorithm is not md5-sess"));
        }
        let utf8 = match charset {
            None => false,
            Some(c) if c.eq_ignore_ascii_case("utf-8") => true,
            Some(_) => return Err(malformed("charset is not utf-8")),
        };
        let offers_auth = qop
            .as_deref()
            .is_none_or(|qop| qop.split(',').any(|q| q.trim() == "auth"));
        if !offers_auth {
            return Err(malformed("qop does not offer auth"));
        }
        Ok(Self { realm, nonce, utf8 })
    }
}

/// Fills a directive that may appear at most once.
fn set_once(
    slot: &mut Option<String>,
    value: String,
    reason: &'static str,
) -> Result<(), SaslError> {
    if slot.replace(value).is_some() {
        Err(malformed(reason))
    } else {
        Ok(())
    }
}

/// RFC 2616 token characters.
fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c)
}

fn skip_lws(chars: &mut Peekable<CharIndices<'_>>) {
    while chars
        .next_if(|(_, c)| matches!(c, ' ' | '\t' | '\r' | '\n'))
        .is_some()
    {}
}

/// Parses `name=value` directives separated by commas (RFC 2831 §7.1 `#rule`); values are
/// tokens or quoted strings with backslash escapes.
fn parse_directives(text: &str) -> Result<Vec<(&str, String)>, &'static str> {
    let mut chars = text.char_indices().peekable();
    let mut directives = Vec::new();
    loop {
        while chars
            .next_if(|(_, c)| matches!(c, ' ' | '\t' | '\r' | '\n' | ','))
            .is_some()
        {}
        let Some(&(start, _)) = chars.peek() else {
            return Ok(directives);
        };
        let mut end = start;
        while let Some((i, c)) = chars.next_if(|(_, c)| is_token_char(*c)) {
            end = i + c.len_utf8();
        }
        let name = text
            .get(start..end)
            .filter(|n| !n.is_empty())
            .ok_or("expected a directive name")?;
        skip_lws(&mut chars);
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            return Err("directive without '='");
        }
        skip_lws(&mut chars);
        let mut value = String::new();
        if chars.next_if(|(_, c)| *c == '"').is_some() {
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted string"),
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, c)) => value.push(c),
                        None => return Err("unterminated quoted string"),
                    },
                    Some((_, c)) => value.push(c),
                }
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| is_token_char(*c)) {
                value.push(c);
            }
            if value.is_empty() {
                return Err("directive without a value");
            }
        }
        directives.push((name, value));
        skip_lws(&mut chars);
        if chars.next_if(|(_, c)| *c == ',').is_none() && chars.peek().is_some() {
            return Err("missing ',' between directives");
        }
    }
}

/// RFC 2831 §2.1.2.1: strings representable in ISO 8859-1 are hashed in ISO 8859-1.
fn latin1_if_possible(s: &str) -> Vec<u8> {
    let latin1: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    latin1.unwrap_or_else(|| s.as_bytes().to_vec())
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC2831_CHALLENGE: &[u8] =
        b"realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";

    fn rfc_client() -> DigestMd5Client {
        DigestMd5Client::new(
            "chris",
            &Secret::new("secret".into()),
            None,
            "imap",
            "elwood.innosoft.com",
            "OA6MHXh6VqTrRk".into(),
        )
        .unwrap()
    }

    #[test]
    fn rfc2831_example() {
        let mut c = rfc_client();
        let response = c.step(RFC2831_CHALLENGE).unwrap();
        assert_eq!(
            String::from_utf8(response).unwrap(),
            "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",\
             nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",\
             digest-uri=\"imap/elwood.innosoft.com\",response=d388dad90d4bbd760a152321f2143af7,qop=auth"
        );
        assert_eq!(
            c.step(b"rspauth=ea40f60335c427b5527b84dbabcdfffd").unwrap(),
            b""
        );
        c.finish(None).unwrap();
    }

    #[test]
    fn rspauth_with_success() {
        let mut c = rfc_client();
        c.step(RFC2831_CHALLENGE).unwrap();
        c.finish(Some(b"rspauth=ea40f60335c427b5527b84dbabcdfffd"))
            .unwrap();
    }

    #[test]
    fn refusals() {
        let m = MECHANISM;
        let mut c = rfc_client();
        c.step(RFC2831_CHALLENGE).unwrap();
        assert_eq!(
            c.finish(None),
            Err(SaslError::MissingVerifier { mechanism: m })
        );

        let mut c = rfc_client();
        c.step(RFC2831_CHALLENGE).unwrap();
        assert_eq!(
            c.step(b"rspauth=00000000000000000000000000000000"),
            Err(SaslError::BadServerSignature { mechanism: m })
        );
        assert!(matches!(c.step(b"x"), Err(SaslError::OutOfOrder { .. })));

        let mut c = rfc_client();
        assert_eq!(
            c.finish(None),
            Err(SaslError::MissingVerifier { mechanism: m })
        );

        let mut c = rfc_client();
        c.step(RFC2831_CHALLENGE).unwrap();
        c.step(b"rspauth=ea40f60335c427b5527b84dbabcdfffd").unwrap();
        assert_eq!(
            c.step(b""),
            Err(SaslError::UnexpectedChallenge { mechanism: m })
        );

        let mut c = rfc_client();
        c.step(RFC2831_CHALLENGE).unwrap();
        assert!(matches!(
            c.step(b"foo=bar"),
            Err(SaslError::MalformedChallenge { .. })
        ));

        let bad = |challenge: &[u8]| rfc_client().step(challenge).unwrap_err();
        let reason = |challenge: &[u8]| match bad(challenge) {
            SaslError::MalformedChallenge { reason, .. } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(b"realm=\"x\",qop=\"auth\",algorithm=md5-sess"),
            "no nonce"
        );
        assert_eq!(
            reason(b"nonce=\"a\",nonce=\"b\",algorithm=md5-sess"),
            "more than one nonce"
        );
        assert_eq!(
            reason(b"nonce=\"a\",algorithm=md5"),
            "algorithm is not md5-sess"
        );
        assert_eq!(reason(b"nonce=\"a\""), "algorithm is not md5-sess");
        assert_eq!(
            reason(b"nonce=\"a\",algorithm=md5-sess,qop=\"auth-int,auth-conf\""),
            "qop does not offer auth"
        );
        assert_eq!(
            reason(b"nonce=\"a\",algorithm=md5-sess,charset=latin1"),
            "charset is not utf-8"
        );
        assert_eq!(reason(b"nonce=\"a"), "unterminated quoted string");
        assert_eq!(reason(b"nonce"), "directive without '='");
        assert_eq!(reason(b"nonce=\"a\" x=y"), "missing ',' between directives");
        assert_eq!(reason(b"=x"), "expected a directive name");
        assert_eq!(reason(b"nonce=,"), "directive without a value");
        assert_eq!(reason(b"\xff"), "challenge is not UTF-8");
    }

    #[test]
    fn non_ascii_credentials_need_utf8() {
        let client = |user: &str| {
            DigestMd5Client::new(
                user,
                &Secret::new("pw".into()),
                None,
                "xmpp",
                "example.com",
                "cn".into(),
            )
            .unwrap()
        };
        assert!(matches!(
            client("jörg").step(b"nonce=\"n\",algorithm=md5-sess"),
            Err(SaslError::InvalidParameter { .. })
        ));
        let response = client("jörg")
            .step(b"nonce=\"n\",algorithm=md5-sess,charset=utf-8")
            .unwrap();
        assert!(
            String::from_utf8(response)
                .unwrap()
                .contains("username=\"jörg\",realm=\"example.com\"")
        );
    }

    #[test]
    fn authzid_quoting_and_realm_default() {
        let mut c = DigestMd5Client::new(
            "u\"ser",
            &Secret::new("pw".into()),
            Some("admin@example.com"),
            "xmpp",
            "example.com",
            "cn".into(),
        )
        .unwrap();
        let response =
            String::from_utf8(c.step(b"nonce=\"a\\\"b\" , algorithm=md5-sess").unwrap()).unwrap();
        assert!(
            response.starts_with("username=\"u\\\"ser\",realm=\"example.com\",nonce=\"a\\\"b\""),
            "{response}"
        );
        assert!(response.contains("digest-uri=\"xmpp/example.com\""));
        assert!(
            response.ends_with(",qop=auth,authzid=\"admin@example.com\""),
            "{response}"
        );
    }

    #[test]
    fn latin1_hashing() {
        assert_eq!(latin1_if_possible("é"), vec![0xE9]);
        assert_eq!(latin1_if_possible("€"), "€".as_bytes());
        assert_eq!(hex(&[0x00, 0xAB, 0xFF]), "00abff");
    }
}
