//! The hostile-server suite over loopback TCP: the TLS cases need a real handshake with a real
//! certificate. A scripted server presents an expired, a self-signed, another host's or an
//! untrusted CA's certificate; the client must refuse it with the matching typed error before
//! sending a single byte of XMPP, and not retry. STARTTLS stripping is played over TCP too.
//! The in-memory cases are in `openxmpp-core`'s `connection/tests/hostile.rs`.

use std::path::PathBuf;
use std::time::Duration;

use openxmpp::core::tls::TlsError;
use openxmpp::{Client, ConnectionError, Error, Security};
use openxmpp_testkit::{ScriptedServer, ServerCert, Step, TestCa, Transcript};

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='localhost' id='h1'>";

/// Writes `pem` to a file the client can trust.
fn ca_file(pem: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "openxmpp-hostile-ca-{}-{}.pem",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, pem).unwrap();
    path
}

/// Connects `user@localhost` over Direct TLS to a scripted server presenting `cert`, trusting
/// `trusted`; returns the outcome and what the server saw.
async fn connect_to(
    cert: &ServerCert,
    trusted: &TestCa,
    script: Vec<Step>,
) -> (Result<(), Error>, Transcript) {
    let server = ScriptedServer::direct_tls(cert, script).unwrap();
    let addr = server.addr();
    let ca = ca_file(trusted.cert_pem());
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        Client::builder("user@localhost", "secret")
            .server(addr.ip().to_string(), addr.port())
            .security(Security::DirectTls)
            .add_ca_file(&ca)
            .connect(),
    )
    .await
    .expect("the client gave up in time");
    let _ = std::fs::remove_file(ca);
    let outcome = match result {
        Ok((client, _events)) => {
            let _ = client.close().await;
            Ok(())
        }
        Err(e) => Err(e),
    };
    let transcript = tokio::task::spawn_blocking(move || server.finish())
        .await
        .unwrap();
    (outcome, transcript)
}

/// The TLS error of a refused connection.
fn tls_error(outcome: Result<(), Error>) -> std::sync::Arc<TlsError> {
    match outcome {
        Err(Error::Connection(err @ ConnectionError::Tls(_))) => {
            assert!(err.forbids_reconnect(), "a bad certificate is not retried");
            let ConnectionError::Tls(e) = err else {
                unreachable!()
            };
            e
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

/// The script of a server that would accept the stream: whatever the client sends must not
/// get this far.
fn welcome() -> Vec<Step> {
    vec![
        Step::Expect("<stream:stream".into()),
        Step::Send(format!(
            "{HEADER}<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
             </stream:error></stream:stream>"
        )),
    ]
}

/// Asserts that nothing of XMPP crossed: the handshake failed with the client's alert.
fn nothing_sent(transcript: &Transcript) {
    assert!(transcript.received.is_empty(), "{transcript:?}");
    assert!(transcript.error.is_some(), "{transcript:?}");
}

#[tokio::test]
async fn a_valid_certificate_is_accepted() {
    // The control: with a good certificate the stream starts, and the scripted error ends it.
    let ca = TestCa::generate().unwrap();
    let cert = ca.issue_server_cert(&["localhost"]).unwrap();
    let (outcome, transcript) = connect_to(&cert, &ca, welcome()).await;
    match outcome {
        Err(Error::Connection(ConnectionError::Stream(e))) => assert_eq!(
            e.condition,
            openxmpp::core::error::StreamErrorCondition::HostUnknown
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        transcript.received.contains("to='localhost'"),
        "{transcript:?}"
    );
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let ca = TestCa::generate().unwrap();
    let cert = ca.issue_expired_server_cert(&["localhost"]).unwrap();
    let (outcome, transcript) = connect_to(&cert, &ca, welcome()).await;
    match &*tls_error(outcome) {
        TlsError::CertificateNotValidNow { host, reason } => {
            assert_eq!((host.as_str(), *reason), ("localhost", "expired"));
        }
        other => panic!("{other:?}"),
    }
    nothing_sent(&transcript);
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused() {
    let ca = TestCa::generate().unwrap();
    let cert = ServerCert::self_signed(&["localhost"]).unwrap();
    let (outcome, transcript) = connect_to(&cert, &ca, welcome()).await;
    match &*tls_error(outcome) {
        TlsError::UntrustedCertificate { host, .. } => assert_eq!(host, "localhost"),
        other => panic!("{other:?}"),
    }
    nothing_sent(&transcript);
}

#[tokio::test]
async fn a_certificate_for_another_host_is_refused() {
    let ca = TestCa::generate().unwrap();
    let cert = ca.issue_server_cert(&["evil.example"]).unwrap();
    let (outcome, transcript) = connect_to(&cert, &ca, welcome()).await;
    match &*tls_error(outcome) {
        TlsError::WrongHost { host, .. } => assert_eq!(host, "localhost"),
        other => panic!("{other:?}"),
    }
    nothing_sent(&transcript);
}

#[tokio::test]
async fn a_certificate_from_an_untrusted_ca_is_refused() {
    let trusted = TestCa::generate().unwrap();
    let other = TestCa::generate().unwrap();
    let cert = other.issue_server_cert(&["localhost"]).unwrap();
    let (outcome, transcript) = connect_to(&cert, &trusted, welcome()).await;
    match &*tls_error(outcome) {
        TlsError::UntrustedCertificate { host, reason } => {
            assert_eq!(host, "localhost");
            // Both test CAs bear the same name: the verifier finds the trusted one by name and
            // the signature does not match it. An unknown name gives "unknown issuer".
            assert!(
                reason.contains("signature is invalid")
                    || reason.contains("unknown certificate authority"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    nothing_sent(&transcript);
}

#[tokio::test]
async fn starttls_stripping_is_refused_over_tcp() {
    // A server (or a man in the middle) that offers PLAIN and no STARTTLS.
    let server = ScriptedServer::plaintext(vec![
        Step::Expect("<stream:stream".into()),
        Step::Send(format!(
            "{HEADER}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>"
        )),
        Step::Silence(Duration::from_secs(2)),
    ])
    .unwrap();
    let addr = server.addr();
    let result = Client::builder("user@localhost", "secret")
        .server(addr.ip().to_string(), addr.port())
        .security(Security::StartTls)
        .connect()
        .await;
    match result {
        Err(Error::Connection(err @ ConnectionError::TlsNotOffered { .. })) => {
            assert!(err.forbids_reconnect());
        }
        other => panic!("{other:?}"),
    }
    let transcript = tokio::task::spawn_blocking(move || server.finish())
        .await
        .unwrap();
    assert!(!transcript.received.contains("<auth"), "{transcript:?}");
    assert!(!transcript.received.contains("secret"), "{transcript:?}");
}

#[tokio::test]
async fn plain_offered_without_tls_is_refused_even_on_an_insecure_transport() {
    // Even where the application allowed an unencrypted stream (a local test server), PLAIN
    // over it needs a second, explicit opt-in: the password never crosses in the clear.
    let server = ScriptedServer::plaintext(vec![
        Step::Expect("<stream:stream".into()),
        Step::Send(format!(
            "{HEADER}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>"
        )),
        Step::Silence(Duration::from_secs(2)),
    ])
    .unwrap();
    let addr = server.addr();
    let result = Client::builder("user@localhost", "secret")
        .server(addr.ip().to_string(), addr.port())
        .security(Security::PlaintextInsecureForLocalTestingOnly)
        .connect()
        .await;
    match result {
        Err(Error::Connection(
            err @ ConnectionError::Auth(openxmpp::AuthError::Local {
                source: openxmpp::core::sasl::SaslError::PlainWithoutTls { .. },
                ..
            }),
        )) => assert!(err.forbids_reconnect(), "{err:?}"),
        other => panic!("{other:?}"),
    }
    let transcript = tokio::task::spawn_blocking(move || server.finish())
        .await
        .unwrap();
    assert!(!transcript.received.contains("<auth"), "{transcript:?}");
    assert!(!transcript.received.contains("secret"), "{transcript:?}");
}
