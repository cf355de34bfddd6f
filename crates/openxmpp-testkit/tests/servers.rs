//! Proves the kit: each server starts, accounts are created, a raw TCP connection receives the
//! stream header and the STARTTLS feature, rustls verifies the server certificate against the
//! kit's CA over Direct TLS, and the independent slixmpp peer logs in and exchanges a message.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openxmpp_testkit::{PasswordHash, PeerTls, ServerKind, ServerOptions, SlixPeer, TestServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

fn stream_header(domain: &str) -> String {
    format!(
        "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xml:lang='en' \
         xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    )
}

/// Reads until `needle` shows up (or the peer closes, or 10 s pass) and returns all text read.
fn read_until(stream: &mut impl Read, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&seen).contains(needle) {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(e) => panic!("read failed: {e}"),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn tls_config(server: &TestServer, tls12_only: bool) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(server.ca_cert_path()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider);
    let builder = if tls12_only {
        builder.with_protocol_versions(&[&rustls::version::TLS12])
    } else {
        builder.with_safe_default_protocol_versions()
    };
    Arc::new(
        builder
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Direct TLS with certificate verification against the kit's CA; returns the stream features.
fn direct_tls_features(server: &TestServer, tls12_only: bool) -> String {
    let name = ServerName::try_from(server.domain().to_owned()).unwrap();
    let conn = rustls::ClientConnection::new(tls_config(server, tls12_only), name).unwrap();
    let sock = TcpStream::connect(server.direct_tls_addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(stream_header(server.domain()).as_bytes())
        .unwrap_or_else(|e| {
            panic!(
                "{}: TLS to {} failed: {e}",
                server.kind(),
                server.direct_tls_addr()
            )
        });
    read_until(&mut tls, "</stream:features>")
}

fn check_server(kind: ServerKind) {
    let server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    eprintln!("{kind} started in {:?}", server.startup_time());

    // Accounts on demand, unique per call.
    let a = server.new_account("kit").unwrap();
    let b = server.new_account("kit").unwrap();
    assert_ne!(a.jid, b.jid);
    assert!(a.jid.ends_with("@localhost"));

    // Plain TCP: the stream header, then STARTTLS offered and required.
    let mut sock = TcpStream::connect(server.starttls_addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    sock.write_all(stream_header(server.domain()).as_bytes())
        .unwrap();
    let text = read_until(&mut sock, "</stream:features>");
    assert!(
        text.contains("<stream:stream"),
        "{kind}: no stream header in {text:?}"
    );
    assert!(
        text.contains("from='localhost'") || text.contains("from=\"localhost\""),
        "{text}"
    );
    assert!(
        text.contains("urn:ietf:params:xml:ns:xmpp-tls") && text.contains("required"),
        "{kind}: STARTTLS not offered as required in {text:?}"
    );
    assert!(
        !text.contains("PLAIN"),
        "{kind}: SASL offered before TLS: {text:?}"
    );

    // Direct TLS, certificate verified against the kit's CA by rustls.
    let features = direct_tls_features(&server, false);
    assert!(
        features.contains("urn:ietf:params:xml:ns:xmpp-sasl"),
        "{kind}: {features}"
    );
    assert!(features.contains("SCRAM-SHA-1"), "{kind}: {features}");

    // The independent client logs in over both TLS modes and exchanges a message.
    let mut alice = SlixPeer::start().unwrap();
    let mut bob = SlixPeer::start().unwrap();
    let alice_full = alice.connect(&server, &a, PeerTls::StartTls).unwrap();
    let bob_full = bob.connect(&server, &b, PeerTls::DirectTls).unwrap();
    assert!(
        alice_full.starts_with(&format!("{}/", a.jid)),
        "{alice_full}"
    );
    assert!(bob_full.starts_with(&format!("{}/", b.jid)), "{bob_full}");
    alice.send_chat(&b.jid, "grüße 🎻 <&>").unwrap();
    let got = bob
        .wait_for(
            |e| e["event"] == "message" && e["type"] == "chat",
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(got["body"], "grüße 🎻 <&>");
    assert!(got["from"].as_str().unwrap().starts_with(&a.jid));
    alice.disconnect().unwrap();
    bob.disconnect().unwrap();

    // A wrong password is refused.
    let mut mallory = SlixPeer::start().unwrap();
    mallory.timeout = Duration::from_secs(15);
    let mut wrong = a.clone();
    wrong.password.push('x');
    let err = mallory
        .connect(&server, &wrong, PeerTls::StartTls)
        .unwrap_err();
    assert!(
        err.to_string().contains("authentication failed"),
        "{kind}: {err}"
    );

    // Stopping removes the server's process.
    let pid = server.pid();
    drop(server);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        stat.is_empty() || stat.contains(" Z "),
        "{kind} still running: {stat}"
    );
}

#[test]
fn prosody_starts_serves_and_stops() {
    check_server(ServerKind::Prosody);
}

#[test]
fn ejabberd_starts_serves_and_stops() {
    check_server(ServerKind::Ejabberd);
}

#[test]
fn both_servers_offer_plus_mechanisms_over_tls12() {
    for kind in ServerKind::ALL {
        let options = ServerOptions {
            tls12_only: true,
            ..ServerOptions::default()
        };
        let server =
            TestServer::start_with(kind, options).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let features = direct_tls_features(&server, true);
        assert!(features.contains("SCRAM-SHA-1-PLUS"), "{kind}: {features}");
    }
}

#[test]
fn prosody_offers_scram_sha256_when_configured() {
    let options = ServerOptions {
        password_hash: PasswordHash::Sha256,
        ..ServerOptions::default()
    };
    let server = TestServer::start_with(ServerKind::Prosody, options).unwrap();
    let features = direct_tls_features(&server, false);
    assert!(features.contains("SCRAM-SHA-256"), "{features}");
    assert!(!features.contains("SCRAM-SHA-1<"), "{features}");
}

#[test]
fn ejabberd_offers_every_scram_variant() {
    let server = TestServer::start(ServerKind::Ejabberd).unwrap();
    let features = direct_tls_features(&server, false);
    for mech in ["SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] {
        assert!(
            features.contains(&format!(">{mech}<")),
            "{mech} missing: {features}"
        );
    }
}

/// Whether the server answers a stream header on its STARTTLS port within `wait`.
fn answers(server: &TestServer, wait: Duration) -> bool {
    let Ok(mut sock) = TcpStream::connect_timeout(&server.starttls_addr(), wait) else {
        return false;
    };
    sock.set_read_timeout(Some(wait)).unwrap();
    if sock
        .write_all(stream_header(server.domain()).as_bytes())
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 256];
    matches!(sock.read(&mut buf), Ok(n) if n > 0)
}

/// The fault controls: a frozen server holds connections without answering and answers again
/// once thawed; a killed one is gone at once and comes back on the same ports with its data.
fn check_faults(kind: ServerKind) {
    let mut server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let account = server.new_account("fault").unwrap();
    assert!(answers(&server, Duration::from_secs(5)), "{kind}");

    let frozen = server.freeze().unwrap();
    assert!(
        !answers(&server, Duration::from_millis(500)),
        "{kind}: frozen"
    );
    drop(frozen);
    assert!(answers(&server, Duration::from_secs(5)), "{kind}: thawed");

    let (pid, addr) = (server.pid(), server.starttls_addr());
    server.kill_for_restart().unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty() || stat.contains(" Z "), "{kind}: {stat}");
    assert!(TcpStream::connect(addr).is_err(), "{kind}: nothing listens");
    server.start_again().unwrap();
    assert_eq!(server.starttls_addr(), addr, "{kind}: same port");
    assert_ne!(server.pid(), pid, "{kind}: a new process");
    // The account survived the crash.
    let mut peer = SlixPeer::start().unwrap();
    peer.connect(&server, &account, PeerTls::StartTls)
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    peer.disconnect().unwrap();
}

#[test]
fn prosody_can_be_frozen_killed_and_started_again() {
    check_faults(ServerKind::Prosody);
}

#[test]
fn ejabberd_can_be_frozen_killed_and_started_again() {
    check_faults(ServerKind::Ejabberd);
}
