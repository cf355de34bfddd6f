//! Cross-cutting tests: SCRAM against an independent HMAC/PBKDF2 composition (SHA-512,
//! -PLUS), whole sessions for every mechanism, call-order misuse, and no-panic properties.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use sha2::Digest;

use super::*;

// ---- An independent SCRAM computation: HMAC and PBKDF2 written out from RFC 2104 and
// ---- RFC 8018 over the bare hash, sharing no code with the `hmac` and `pbkdf2` crates.

fn hmac<D: Digest>(block: usize, key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut key = if key.len() > block {
        D::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    key.resize(block, 0);
    let ipad: Vec<u8> = key.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = key.iter().map(|b| b ^ 0x5c).collect();
    let inner = D::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    D::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// PBKDF2 with HMAC, one block of output (the hash length, which is what SCRAM needs).
fn pbkdf2<D: Digest>(block: usize, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
    let mut u = hmac::<D>(block, password, &[salt, &1u32.to_be_bytes()].concat());
    let mut out = u.clone();
    for _ in 1..iterations {
        u = hmac::<D>(block, password, &u);
        out.iter_mut().zip(&u).for_each(|(o, x)| *o ^= x);
    }
    out
}

/// What an honest server expects as client-final-message, and what it answers.
#[allow(clippy::too_many_arguments)]
fn expected_exchange<D: Digest>(
    block: usize,
    password: &str,
    salt: &[u8],
    iterations: u32,
    client_first_bare: &str,
    server_first: &str,
    cbind_input: &[u8],
    nonce: &str,
) -> (String, String) {
    let salted = pbkdf2::<D>(block, password.as_bytes(), salt, iterations);
    let client_key = hmac::<D>(block, &salted, b"Client Key");
    let stored_key = D::digest(&client_key);
    let without_proof = format!("c={},r={nonce}", STANDARD.encode(cbind_input));
    let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
    let client_signature = hmac::<D>(block, &stored_key, auth_message.as_bytes());
    let proof: Vec<u8> = client_key
        .iter()
        .zip(&client_signature)
        .map(|(a, b)| a ^ b)
        .collect();
    let server_key = hmac::<D>(block, &salted, b"Server Key");
    let server_signature = hmac::<D>(block, &server_key, auth_message.as_bytes());
    (
        format!("{without_proof},p={}", STANDARD.encode(proof)),
        format!("v={}", STANDARD.encode(server_signature)),
    )
}

const SALT: &[u8] = b"\x01\x02salt of the earth\xfe";
const CLIENT_NONCE: &str = "clientNONCE+/=~!";

/// Runs one SCRAM session against the independent computation and checks every message.
#[allow(clippy::too_many_arguments)]
fn check_scram<D: Digest>(
    block: usize,
    mechanism: Mechanism,
    offer: &ServerOffer,
    tls: &TlsState,
    config: &SaslConfig,
    password: &str,
    expected_gs2_header: &str,
    cb_data: &[u8],
) -> SaslSession {
    let mut session = SaslSession::new(mechanism, offer, tls, config)
        .unwrap()
        .with_client_nonce(CLIENT_NONCE)
        .unwrap();
    // RFC 5802 §5.1 saslname escaping, written out independently.
    let username = config
        .username()
        .unwrap()
        .replace('=', "=3D")
        .replace(',', "=2C");
    let client_first_bare = format!("n={username},r={CLIENT_NONCE}");
    let first = session.initial_response().unwrap().unwrap();
    assert_eq!(
        String::from_utf8(first).unwrap(),
        format!("{expected_gs2_header}{client_first_bare}")
    );
    let nonce = format!("{CLIENT_NONCE}serverNONCE%$");
    let server_first = format!("r={nonce},s={},i=4096", STANDARD.encode(SALT));
    let cbind_input = [expected_gs2_header.as_bytes(), cb_data].concat();
    let (client_final, server_final) = expected_exchange::<D>(
        block,
        password,
        SALT,
        4096,
        &client_first_bare,
        &server_first,
        &cbind_input,
        &nonce,
    );
    let response = session.step(server_first.as_bytes()).unwrap();
    assert_eq!(String::from_utf8(response).unwrap(), client_final);
    session.finish(Some(server_final.as_bytes())).unwrap();
    assert!(session.is_complete());
    session
}

fn exporter_data() -> [u8; 32] {
    let mut data = [0u8; 32];
    data.iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = u8::try_from(i).unwrap() ^ 0xA5);
    data
}

#[test]
fn independent_vector_computation_matches_rfc5802() {
    // The independent composition itself reproduces the RFC 5802 vector.
    let salt = STANDARD.decode("QSXCR+Q6sek8bf92").unwrap();
    let (client_final, server_final) = expected_exchange::<sha1::Sha1>(
        64,
        "pencil",
        &salt,
        4096,
        "n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        b"n,,",
        "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",
    );
    assert_eq!(
        client_final,
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    assert_eq!(server_final, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
}

#[test]
fn scram_sha512_against_independent_computation() {
    let offer = ServerOffer::new(["SCRAM-SHA-512"]);
    let config = SaslConfig::password("user", "pencil");
    let session = check_scram::<sha2::Sha512>(
        128,
        Mechanism::ScramSha512,
        &offer,
        &TlsState::Plaintext,
        &config,
        "pencil",
        "n,,",
        b"",
    );
    let keys = session.scram_keys().unwrap();
    assert_eq!(keys.hash(), ScramHash::Sha512);
    assert_eq!(keys.client_key().len(), 64);
    let salted = pbkdf2::<sha2::Sha512>(128, b"pencil", SALT, 4096);
    assert_eq!(
        keys.client_key(),
        hmac::<sha2::Sha512>(128, &salted, b"Client Key")
    );
    assert_eq!(
        keys.server_key(),
        hmac::<sha2::Sha512>(128, &salted, b"Server Key")
    );
}

#[test]
fn scram_sha512_plus_tls_exporter_against_independent_computation() {
    let data = exporter_data();
    let offer = ServerOffer::new(["SCRAM-SHA-512-PLUS", "SCRAM-SHA-512"]);
    let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter(data));
    let config = SaslConfig::password("user", "pencil");
    assert_eq!(
        select_mechanism(&offer, &tls, &config),
        Ok(Mechanism::ScramSha512Plus)
    );
    check_scram::<sha2::Sha512>(
        128,
        Mechanism::ScramSha512Plus,
        &offer,
        &tls,
        &config,
        "pencil",
        "p=tls-exporter,,",
        &data,
    );
}

#[test]
fn scram_sha256_plus_end_point_with_authzid_against_independent_computation() {
    let cert_hash = tls_server_end_point(b"a DER certificate", CertificateSignatureHash::Sha384);
    let offer = ServerOffer::new(["SCRAM-SHA-256-PLUS"])
        .with_channel_binding_types([ChannelBindingType::TlsServerEndPoint]);
    let tls = TlsState::encrypted(
        ChannelBindings::new()
            .with_tls_exporter(exporter_data())
            .with_tls_server_end_point(cert_hash.clone()),
    );
    let config = SaslConfig::password("us,er=", "pencil").with_authzid("admin=root");
    check_scram::<sha2::Sha256>(
        64,
        Mechanism::ScramSha256Plus,
        &offer,
        &tls,
        &config,
        "pencil",
        "p=tls-server-end-point,a=admin=3Droot,",
        &cert_hash,
    );
    let mut session = SaslSession::new(Mechanism::ScramSha256Plus, &offer, &tls, &config)
        .unwrap()
        .with_client_nonce("abc")
        .unwrap();
    assert_eq!(
        session.initial_response().unwrap().unwrap(),
        b"p=tls-server-end-point,a=admin=3Droot,n=us=2Cer=3D,r=abc"
    );
}

#[test]
fn scram_sha1_plus_tls_unique_against_independent_computation() {
    let unique = vec![0x11; 12];
    let offer = ServerOffer::new(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"]);
    let tls = TlsState::encrypted(ChannelBindings::new().with_tls_unique(unique.clone()));
    let config = SaslConfig::password("user", "pencil");
    assert_eq!(
        select_mechanism(&offer, &tls, &config),
        Ok(Mechanism::ScramSha1Plus)
    );
    check_scram::<sha1::Sha1>(
        64,
        Mechanism::ScramSha1Plus,
        &offer,
        &tls,
        &config,
        "pencil",
        "p=tls-unique,,",
        &unique,
    );
}

#[test]
fn scram_y_flag_when_plus_was_not_offered() {
    // The client could bind, but the server offered no -PLUS: `y,,`, and c=eSws.
    let offer = ServerOffer::new(["SCRAM-SHA-256", "PLAIN"]);
    let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter(exporter_data()));
    let config = SaslConfig::password("user", "pencil");
    assert_eq!(
        select_mechanism(&offer, &tls, &config),
        Ok(Mechanism::ScramSha256)
    );
    check_scram::<sha2::Sha256>(
        64,
        Mechanism::ScramSha256,
        &offer,
        &tls,
        &config,
        "pencil",
        "y,,",
        b"",
    );
    assert_eq!(STANDARD.encode("y,,"), "eSws");
}

#[test]
fn scram_password_is_precis_prepared() {
    // U+2003 EM SPACE is mapped to an ASCII space by OpaqueString before PBKDF2.
    let offer = ServerOffer::new(["SCRAM-SHA-1"]);
    let config = SaslConfig::password("user", "pen\u{2003}cil");
    check_scram::<sha1::Sha1>(
        64,
        Mechanism::ScramSha1,
        &offer,
        &TlsState::Plaintext,
        &config,
        "pen cil",
        "n,,",
        b"",
    );
}

#[test]
fn scram_keys_from_a_session_skip_pbkdf2_next_time() {
    let offer = ServerOffer::new(["SCRAM-SHA-512"]);
    let config = SaslConfig::password("user", "pencil");
    let session = check_scram::<sha2::Sha512>(
        128,
        Mechanism::ScramSha512,
        &offer,
        &TlsState::Plaintext,
        &config,
        "pencil",
        "n,,",
        b"",
    );
    let keys = session.scram_keys().unwrap().clone();
    // No password at all: the keys alone answer.
    check_scram::<sha2::Sha512>(
        128,
        Mechanism::ScramSha512,
        &offer,
        &TlsState::Plaintext,
        &SaslConfig::from_scram_keys("user", keys.clone()),
        "pencil",
        "n,,",
        b"",
    );
    // A wrong password is never used when the keys fit: the exchange still succeeds.
    let cached = SaslConfig::password("user", "not the password").with_scram_keys(keys);
    check_scram::<sha2::Sha512>(
        128,
        Mechanism::ScramSha512,
        &offer,
        &TlsState::Plaintext,
        &cached,
        "pencil",
        "n,,",
        b"",
    );
}

// ---- Sessions for the other mechanisms, and misuse.

fn all_offered() -> ServerOffer {
    ServerOffer::new(Mechanism::PREFERENCE.map(Mechanism::name))
}

fn tls() -> TlsState {
    TlsState::encrypted(ChannelBindings::new())
}

#[test]
fn plain_session() {
    let config = SaslConfig::password("juliet", "r0m30").with_authzid("romeo@montague.lit");
    let mut s = SaslSession::new(Mechanism::Plain, &all_offered(), &tls(), &config).unwrap();
    assert_eq!(
        s.initial_response().unwrap().unwrap(),
        b"romeo@montague.lit\0juliet\0r0m30"
    );
    s.finish(None).unwrap();
    assert!(s.is_complete());
    assert!(s.scram_keys().is_none());

    let mut s = SaslSession::new(Mechanism::Plain, &all_offered(), &tls(), &config).unwrap();
    s.initial_response().unwrap();
    assert_eq!(
        s.step(b""),
        Err(SaslError::UnexpectedChallenge {
            mechanism: Mechanism::Plain
        })
    );

    let mut s = SaslSession::new(Mechanism::Plain, &all_offered(), &tls(), &config).unwrap();
    s.initial_response().unwrap();
    assert_eq!(
        s.finish(Some(b"surprise")),
        Err(SaslError::UnexpectedSuccessData {
            mechanism: Mechanism::Plain
        })
    );

    assert!(matches!(
        SaslSession::new(
            Mechanism::Plain,
            &all_offered(),
            &TlsState::Plaintext,
            &config
        ),
        Err(SaslError::PlainWithoutTls { .. })
    ));
    let allowed = config.clone().allow_plain_without_tls();
    assert!(
        SaslSession::new(
            Mechanism::Plain,
            &all_offered(),
            &TlsState::Plaintext,
            &allowed
        )
        .is_ok()
    );
    assert!(matches!(
        SaslSession::new(
            Mechanism::Plain,
            &all_offered(),
            &tls(),
            &config.clone().disable_plain()
        ),
        Err(SaslError::MechanismDisabled {
            mechanism: Mechanism::Plain
        })
    ));
    assert!(matches!(
        SaslSession::new(
            Mechanism::Plain,
            &all_offered(),
            &tls(),
            &SaslConfig::password("", "pw")
        ),
        Err(SaslError::InvalidParameter {
            what: "username",
            ..
        })
    ));
    assert_eq!(
        SaslSession::new(
            Mechanism::ScramSha1,
            &all_offered(),
            &tls(),
            &SaslConfig::password("u", "")
        )
        .err(),
        Some(SaslError::PasswordPreparation)
    );
}

#[test]
fn external_and_anonymous_sessions() {
    let mut s = SaslSession::new(
        Mechanism::External,
        &all_offered(),
        &tls(),
        &SaslConfig::external(),
    )
    .unwrap();
    assert_eq!(s.initial_response().unwrap(), Some(Vec::new()));
    s.finish(Some(b"")).unwrap();

    let config = SaslConfig::external().with_authzid("juliet@capulet.lit");
    let mut s = SaslSession::new(Mechanism::External, &all_offered(), &tls(), &config).unwrap();
    assert_eq!(
        s.initial_response().unwrap().unwrap(),
        b"juliet@capulet.lit"
    );

    let mut s = SaslSession::new(
        Mechanism::Anonymous,
        &all_offered(),
        &tls(),
        &SaslConfig::anonymous(),
    )
    .unwrap();
    assert_eq!(s.initial_response().unwrap(), Some(Vec::new()));
    s.finish(None).unwrap();

    let config = SaslConfig::anonymous().with_anonymous_trace("sirhc");
    let mut s = SaslSession::new(Mechanism::Anonymous, &all_offered(), &tls(), &config).unwrap();
    assert_eq!(s.initial_response().unwrap().unwrap(), b"sirhc");

    let too_long = SaslConfig::anonymous().with_anonymous_trace("x".repeat(256));
    assert!(matches!(
        SaslSession::new(Mechanism::Anonymous, &all_offered(), &tls(), &too_long),
        Err(SaslError::InvalidParameter {
            what: "ANONYMOUS trace",
            ..
        })
    ));
    assert!(matches!(
        SaslSession::new(
            Mechanism::External,
            &all_offered(),
            &tls(),
            &SaslConfig::anonymous()
        ),
        Err(SaslError::MissingCredentials {
            mechanism: Mechanism::External,
            ..
        })
    ));
    assert!(matches!(
        SaslSession::new(
            Mechanism::External,
            &all_offered(),
            &tls(),
            &SaslConfig::external().with_authzid("a\0b")
        ),
        Err(SaslError::InvalidParameter { .. })
    ));
}

#[test]
fn digest_md5_session_uses_xmpp_digest_uri() {
    let config = SaslConfig::password("chris", "secret").enable_digest_md5("example.com");
    let mut s = SaslSession::new(Mechanism::DigestMd5, &all_offered(), &tls(), &config)
        .unwrap()
        .with_client_nonce("OA6MHXh6VqTrRk")
        .unwrap();
    assert_eq!(s.initial_response().unwrap(), None);
    let response = s
        .step(b"nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8")
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.contains("realm=\"example.com\""), "{response}");
    assert!(
        response.contains("digest-uri=\"xmpp/example.com\""),
        "{response}"
    );
    assert_eq!(
        s.finish(None),
        Err(SaslError::MissingVerifier {
            mechanism: Mechanism::DigestMd5
        })
    );
    assert!(matches!(
        SaslSession::new(
            Mechanism::DigestMd5,
            &all_offered(),
            &tls(),
            &SaslConfig::password("u", "p")
        ),
        Err(SaslError::MechanismDisabled {
            mechanism: Mechanism::DigestMd5
        })
    ));
}

#[test]
fn call_order_is_enforced() {
    let config = SaslConfig::password("user", "pencil");
    let new = || SaslSession::new(Mechanism::ScramSha1, &all_offered(), &tls(), &config).unwrap();

    let mut s = new();
    assert!(matches!(
        s.step(b"r=x"),
        Err(SaslError::OutOfOrder { call: "step", .. })
    ));
    // The misuse ended the session.
    assert!(matches!(
        s.initial_response(),
        Err(SaslError::OutOfOrder { .. })
    ));

    let mut s = new();
    assert!(matches!(
        s.finish(None),
        Err(SaslError::OutOfOrder { call: "finish", .. })
    ));

    let mut s = new();
    s.initial_response().unwrap();
    assert!(matches!(
        s.initial_response(),
        Err(SaslError::OutOfOrder { .. })
    ));

    let mut s = new();
    s.initial_response().unwrap();
    assert!(matches!(
        s.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
        Err(SaslError::MissingVerifier { .. })
    ));
    assert!(matches!(
        s.step(b""),
        Err(SaslError::OutOfOrder {
            state: "failed",
            ..
        })
    ));

    let mut s = new();
    s.initial_response().unwrap();
    let Err(error) = s.with_client_nonce("abc") else {
        panic!("a nonce after the start must be refused");
    };
    assert!(matches!(error, SaslError::OutOfOrder { .. }));

    assert!(matches!(
        new().with_client_nonce("a,b"),
        Err(SaslError::InvalidParameter {
            what: "client nonce",
            ..
        })
    ));
    assert!(matches!(
        SaslSession::new(
            Mechanism::External,
            &all_offered(),
            &tls(),
            &SaslConfig::external()
        )
        .unwrap()
        .with_client_nonce("abc"),
        Err(SaslError::InvalidParameter { .. })
    ));
    assert!(matches!(
        SaslSession::new(
            Mechanism::ScramSha1,
            &ServerOffer::new(["PLAIN"]),
            &tls(),
            &config
        ),
        Err(SaslError::NotOffered {
            mechanism: Mechanism::ScramSha1,
            ..
        })
    ));
    assert!(matches!(
        SaslSession::new(Mechanism::ScramSha1Plus, &all_offered(), &tls(), &config),
        Err(SaslError::ChannelBindingUnavailable { .. })
    ));

    // After success, nothing more.
    let mut s = SaslSession::new(
        Mechanism::Anonymous,
        &all_offered(),
        &tls(),
        &SaslConfig::anonymous(),
    )
    .unwrap();
    s.initial_response().unwrap();
    s.finish(None).unwrap();
    assert!(matches!(s.step(b""), Err(SaslError::OutOfOrder { .. })));
}

#[test]
fn no_secret_in_debug_output() {
    let config = SaslConfig::password("user", "hunter2-secret").enable_digest_md5("example.com");
    assert!(!format!("{config:?}").contains("hunter2"));
    for mechanism in [Mechanism::ScramSha1, Mechanism::Plain, Mechanism::DigestMd5] {
        let mut s = SaslSession::new(mechanism, &all_offered(), &tls(), &config).unwrap();
        let _ = s.initial_response();
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains(mechanism.name()) || debug.contains(&format!("{mechanism:?}")));
    }
    let error = SaslError::MissingVerifier {
        mechanism: Mechanism::ScramSha1,
    };
    assert!(!error.to_string().contains("hunter2"));
}

#[test]
fn failures_convert_into_errors() {
    let failure = SaslFailure::new(
        FailureCondition::NotAuthorized,
        Some("wrong password".into()),
    );
    let error = SaslError::from(failure.clone());
    assert_eq!(error, SaslError::Failure(failure));
    assert_eq!(
        error.to_string(),
        "the server refused authentication: not-authorized (wrong password)"
    );
}

// ---- Properties: nothing a server sends makes the client panic.

fn session_for(index: usize) -> SaslSession {
    let mechanism = Mechanism::PREFERENCE[index % Mechanism::PREFERENCE.len()];
    let config = if mechanism == Mechanism::Anonymous {
        SaslConfig::anonymous()
    } else {
        SaslConfig::password("user", "pencil")
            .with_client_certificate()
            .enable_digest_md5("example.com")
            .with_max_iterations(4096)
    };
    let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter([9; 32]));
    SaslSession::new(mechanism, &all_offered(), &tls, &config)
        .unwrap()
        .with_client_nonce("abc")
        .or_else(|_| SaslSession::new(mechanism, &all_offered(), &tls, &config))
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_challenges_never_panic(
        index in 0usize..10,
        challenges in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..120), 0..4),
        success in prop::option::of(prop::collection::vec(any::<u8>(), 0..80)),
    ) {
        let mut session = session_for(index);
        let _ = session.initial_response();
        for challenge in &challenges {
            let _ = session.step(challenge);
        }
        let finished = session.finish(success.as_deref());
        // SCRAM and DIGEST-MD5 can only succeed if the server proved itself, which random
        // bytes cannot do.
        if session.mechanism().is_scram() || session.mechanism() == Mechanism::DigestMd5 {
            prop_assert!(finished.is_err());
        }
    }

    #[test]
    fn shaped_scram_server_first_never_panics(
        index in 1usize..7,
        prefix in "(m=x,|e=y,|)",
        suffix in "[!-+\\--~]{0,12}",
        salt in "[A-Za-z0-9+/=]{0,12}",
        iterations in "(4096|4095|0|[0-9]{0,8}|-1|)",
        tail in "(,[a-z]=[^,]{0,5}|,junk|,|)",
        final_message in "(v=|e=|x=)[A-Za-z0-9+/=]{0,30}",
    ) {
        let mut session = session_for(index);
        prop_assert!(session.mechanism().is_scram());
        let _ = session.initial_response();
        let server_first = format!("{prefix}r=abc{suffix},s={salt},i={iterations}{tail}");
        let _ = session.step(server_first.as_bytes());
        prop_assert!(session.finish(Some(final_message.as_bytes())).is_err());
    }

    #[test]
    fn shaped_digest_md5_challenges_never_panic(
        directives in prop::collection::vec(
            ("(realm|nonce|qop|charset|algorithm|rspauth|x)", "(\"[^\"]{0,8}\"?|[a-z0-9-]{0,8}|\"a\\\\)"),
            0..6,
        ),
        separator in "(,| , |,,| )",
    ) {
        let challenge = directives
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(&separator);
        let mut session = session_for(8);
        prop_assert_eq!(session.mechanism(), Mechanism::DigestMd5);
        let _ = session.initial_response();
        let _ = session.step(challenge.as_bytes());
        let _ = session.step(challenge.as_bytes());
        let _ = session.finish(Some(challenge.as_bytes()));
    }

    #[test]
    fn offer_and_selection_agree_with_sessions(
        offered in prop::collection::vec(
            prop::sample::select(Mechanism::PREFERENCE.map(Mechanism::name).to_vec()),
            0..6,
        ),
        encrypted in any::<bool>(),
        exporter in any::<bool>(),
    ) {
        let offer = ServerOffer::new(offered.iter().copied());
        let tls = if encrypted {
            let cb = if exporter {
                ChannelBindings::new().with_tls_exporter([1; 32])
            } else {
                ChannelBindings::new()
            };
            TlsState::encrypted(cb)
        } else {
            TlsState::Plaintext
        };
        let config = SaslConfig::password("user", "pencil");
        match select_mechanism(&offer, &tls, &config) {
            // Whatever is selected can be started, and nothing preferred to it could.
            Ok(mechanism) => {
                prop_assert!(SaslSession::new(mechanism, &offer, &tls, &config).is_ok());
                let rank = |m: Mechanism| Mechanism::PREFERENCE.iter().position(|p| *p == m);
                for better in Mechanism::PREFERENCE.into_iter().filter(|m| rank(*m) < rank(mechanism)) {
                    prop_assert!(SaslSession::new(better, &offer, &tls, &config).is_err());
                }
            }
            Err(_) => {
                for m in Mechanism::PREFERENCE {
                    prop_assert!(SaslSession::new(m, &offer, &tls, &config).is_err());
                }
            }
        }
    }
}
