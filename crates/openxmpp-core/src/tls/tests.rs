//! Pair tests: the client layer against an in-memory rustls server.

use std::io::{Read, Write};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose, date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};

use super::*;

struct Pki {
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self {
            ca_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    fn leaf(
        &self,
        names: &[&str],
        expired: bool,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        if expired {
            params.not_before = date_time_ymd(2001, 1, 1);
            params.not_after = date_time_ymd(2002, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone(), self.ca_der.clone()], key)
    }

    fn client_config(
        &self,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Arc<ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(versions)
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }
}

fn server(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> ServerConnection {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    ServerConnection::new(Arc::new(config)).unwrap()
}

/// Moves bytes between the two ends until neither has anything to say; the client is fed
/// `chunk` bytes at a time. Returns the plaintext the client received.
fn pump(
    client: &mut TlsLayer,
    server: &mut ServerConnection,
    chunk: usize,
) -> Result<Vec<u8>, TlsError> {
    let mut plaintext = Vec::new();
    for _ in 0..100 {
        let mut to_server = Vec::new();
        client.drain_outgoing(&mut to_server);
        let mut progressed = !to_server.is_empty();
        let mut slice = &to_server[..];
        while !slice.is_empty() {
            server.read_tls(&mut slice).unwrap();
            server.process_new_packets().unwrap();
        }
        let mut to_client = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut to_client).unwrap();
        }
        progressed |= !to_client.is_empty();
        for piece in to_client.chunks(chunk.max(1)) {
            client.receive(piece, &mut plaintext)?;
        }
        if !progressed {
            break;
        }
    }
    Ok(plaintext)
}

fn v13() -> Vec<&'static rustls::SupportedProtocolVersion> {
    vec![&rustls::version::TLS13]
}

#[test]
fn handshake_and_data_both_ways() {
    for chunk in [usize::MAX, 1, 7] {
        let pki = Pki::new();
        let (chain, key) = pki.leaf(&["example.com"], false);
        let leaf_der = chain[0].clone();
        let mut server = server(chain, key);
        let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
        client.send(b"<stream:stream>").unwrap();
        pump(&mut client, &mut server, chunk).unwrap();
        assert!(!client.is_handshaking());
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while let Ok(n) = server.reader().read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"<stream:stream>");
        server
            .writer()
            .write_all("<features>é</features>".as_bytes())
            .unwrap();
        let plaintext = pump(&mut client, &mut server, chunk).unwrap();
        assert_eq!(plaintext, "<features>é</features>".as_bytes());
        let info = client.info().unwrap();
        assert_eq!(info.version, "TLSv1_3");
        assert_eq!(client.end_entity_certificate(), Some(leaf_der.as_ref()));
    }
}

#[test]
fn exporter_matches_the_server() {
    let pki = Pki::new();
    let (chain, key) = pki.leaf(&["example.com"], false);
    let mut server = server(chain, key);
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    assert_eq!(
        client.tls_exporter(),
        None,
        "no binding before the handshake"
    );
    pump(&mut client, &mut server, usize::MAX).unwrap();
    let expected = server
        .export_keying_material([0u8; 32], b"EXPORTER-Channel-Binding", Some(&[]))
        .unwrap();
    assert_eq!(client.tls_exporter(), Some(expected));
}

#[test]
fn no_exporter_binding_over_tls12() {
    let pki = Pki::new();
    let (chain, key) = pki.leaf(&["example.com"], false);
    let mut server = server(chain, key);
    let config = pki.client_config(&[&rustls::version::TLS12]);
    let mut client = TlsLayer::new(config, "example.com").unwrap();
    pump(&mut client, &mut server, usize::MAX).unwrap();
    assert_eq!(client.info().unwrap().version, "TLSv1_2");
    assert_eq!(client.tls_exporter(), None);
    assert!(client.end_entity_certificate().is_some());
}

#[test]
fn unknown_ca_is_refused() {
    let pki = Pki::new();
    let other = Pki::new();
    let (chain, key) = other.leaf(&["example.com"], false);
    let mut server = server(chain, key);
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    let err = pump(&mut client, &mut server, usize::MAX).unwrap_err();
    assert!(
        matches!(err, TlsError::UntrustedCertificate { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("example.com"), "{err}");
    let mut alert = Vec::new();
    client.drain_outgoing(&mut alert);
    assert!(!alert.is_empty(), "an alert tells the server why");
    assert!(matches!(
        client.receive(b"x", &mut Vec::new()),
        Err(TlsError::Closed { .. })
    ));
}

#[test]
fn wrong_host_is_refused() {
    let pki = Pki::new();
    let (chain, key) = pki.leaf(&["other.example"], false);
    let mut server = server(chain, key);
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    let err = pump(&mut client, &mut server, usize::MAX).unwrap_err();
    match err {
        TlsError::WrongHost { host, presented } => {
            assert_eq!(host, "example.com");
            assert!(presented.contains("other.example"), "{presented}");
        }
        other => panic!("expected WrongHost, got {other:?}"),
    }
}

#[test]
fn expired_certificate_is_refused() {
    let pki = Pki::new();
    let (chain, key) = pki.leaf(&["example.com"], true);
    let mut server = server(chain, key);
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    let err = pump(&mut client, &mut server, usize::MAX).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::CertificateNotValidNow {
                reason: "expired",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn garbage_from_the_server_is_a_protocol_error() {
    let pki = Pki::new();
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    let err = client
        .receive(b"<stream:stream xmlns='jabber:client'>", &mut Vec::new())
        .unwrap_err();
    assert!(matches!(err, TlsError::Protocol { .. }), "{err:?}");
}

#[test]
fn close_notify_ends_the_session() {
    let pki = Pki::new();
    let (chain, key) = pki.leaf(&["example.com"], false);
    let mut server = server(chain, key);
    let mut client = TlsLayer::new(pki.client_config(&v13()), "example.com").unwrap();
    pump(&mut client, &mut server, usize::MAX).unwrap();
    server.writer().write_all(b"</stream:stream>").unwrap();
    server.send_close_notify();
    let plaintext = pump(&mut client, &mut server, usize::MAX).unwrap();
    assert_eq!(plaintext, b"</stream:stream>");
    assert!(client.peer_closed());
    assert!(client.send(b"late").is_err());
}

#[test]
fn invalid_server_name_is_refused() {
    let pki = Pki::new();
    let err = TlsLayer::new(pki.client_config(&v13()), "not a host name").unwrap_err();
    assert!(matches!(err, TlsError::InvalidServerName { .. }));
}
