//! `cargo xtask demo`: a private Prosody on loopback with two demo accounts, and a client
//! connected to it over STARTTLS with the server certificate verified against the demo's CA.
//!
//! Until the library's client exists, the demo performs the negotiation up to authentication
//! itself (stream header, STARTTLS, TLS handshake with rustls, the new stream's features) and
//! prints what was negotiated.

use std::io::{IsTerminal, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openxmpp_testkit::{ServerKind, TestServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::{TaskResult, packages};

fn header(domain: &str) -> String {
    format!(
        "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xml:lang='en' \
         xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    )
}

/// Reads until `needle` has been seen; the demo's negotiation is small and well known.
fn read_until(stream: &mut impl Read, needle: &str) -> Result<String, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        if Instant::now() > deadline {
            return Err(format!("no {needle} from the server within 10 s").into());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(format!("the server closed the stream before {needle}").into());
        }
        seen.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&seen).into_owned())
}

/// The text of every `<mechanism>` element.
fn mechanisms(features: &str) -> Vec<&str> {
    features
        .split("<mechanism>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</mechanism>").map(|(m, _)| m))
        .collect()
}

pub(crate) fn run(_args: &[String]) -> TaskResult {
    packages::ensure(&["prosody"])?;
    println!("demo: starting a private Prosody on loopback…");
    let server = TestServer::start(ServerKind::Prosody)?;
    let alice = server.create_account("alice", "alice-demo-password")?;
    let bob = server.create_account("bob", "bob-demo-password")?;
    println!(
        "demo: Prosody is up in {:.2?}: STARTTLS on {}, Direct TLS on {}",
        server.startup_time(),
        server.starttls_addr(),
        server.direct_tls_addr()
    );
    println!(
        "demo: accounts {} and {} (demo passwords: <user>-demo-password)",
        alice.jid, bob.jid
    );

    let started = Instant::now();
    let mut tcp = TcpStream::connect(server.starttls_addr())?;
    tcp.set_nodelay(true)?;
    tcp.write_all(header(server.domain()).as_bytes())?;
    let features = read_until(&mut tcp, "</stream:features>")?;
    if !features.contains("urn:ietf:params:xml:ns:xmpp-tls") {
        return Err("the server did not offer STARTTLS".into());
    }
    println!("demo: plain stream opened; the server offers STARTTLS (required)");
    tcp.write_all(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")?;
    read_until(&mut tcp, "<proceed")?;

    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(server.ca_cert_path())? {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(server.domain().to_owned())?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(header(server.domain()).as_bytes())?;
    let secured = read_until(&mut tls, "</stream:features>")?;
    let elapsed = started.elapsed();
    println!(
        "demo: TLS established and the certificate for {} verified: {:?}, {:?}",
        server.domain(),
        tls.conn.protocol_version(),
        tls.conn.negotiated_cipher_suite().map(|s| s.suite())
    );
    println!(
        "demo: SASL mechanisms offered: {}",
        mechanisms(&secured).join(", ")
    );
    println!("demo: negotiated in {elapsed:.2?}");
    tls.write_all(b"</stream:stream>")?;

    if std::io::stdin().is_terminal() {
        println!(
            "demo: the server keeps running; connect any client to {} trusting {}.\n\
             Press Enter to stop it.",
            server.starttls_addr(),
            server.ca_cert_path().display()
        );
        std::io::stdin().read_line(&mut String::new())?;
    }
    Ok(())
}
