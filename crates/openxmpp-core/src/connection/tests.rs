//! Transcript tests (scripted server bytes in, expected client bytes and events out, fixed ids
//! and a fixed clock) and pair tests against an in-memory rustls server. Every scenario also
//! runs with the server's bytes fed one at a time.

mod hostile;
mod registration;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};
use sha2::Digest as _;

use super::ResumptionState;
use super::*;
use crate::error::StreamErrorCondition;
use crate::sasl::{FailureCondition, Mechanism, SaslConfig, SaslError};
use crate::stanza::{Message, MessageType};

const HEADER_IN: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='example.com' id='s1' \
    xml:lang='en'>";

// ----- a throw-away PKI and rustls server ----------------------------------------------------

struct Pki {
    ca: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn pki(names: &[&str]) -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        ca: ca.der().clone(),
        chain: vec![leaf.der().clone(), ca.der().clone()],
        key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
    }
}

fn client_tls(pki: &Pki) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn server_tls(pki: &Pki) -> ServerConnection {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), PrivateKeyDer::Pkcs8(pki.key.clone_key()))
        .unwrap();
    ServerConnection::new(Arc::new(config)).unwrap()
}

// ----- the harness ---------------------------------------------------------------------------

/// The fixed clock's origin: `Instant` has no constructor but `now`, so the tests read the
/// clock once here; from then on time only moves by adding durations.
#[allow(clippy::disallowed_methods)]
fn clock_origin() -> Instant {
    Instant::now()
}

/// Plays the server. Server text goes in with [`Harness::server`]; what the client wrote (as
/// plaintext) comes out with [`Harness::sent`].
struct Harness {
    conn: Connection,
    now: Instant,
    chunk: usize,
    pki: Pki,
    server_tls: Option<ServerConnection>,
    /// TLS is about to start: client bytes are held raw until the server side exists.
    tls_expected: bool,
    raw: Vec<u8>,
    sent: String,
    events: Vec<Event>,
    /// Everything the server wrote, as plaintext: the fuzz targets' seeds.
    transcript: Vec<u8>,
}

impl Drop for Harness {
    /// With `OPENXMPP_FUZZ_SEEDS=DIR`, keeps the server's side of the transcript in
    /// `DIR/connection/` for the fuzz seeds (`cargo xtask fuzz seeds`).
    fn drop(&mut self) {
        use std::hash::{Hash, Hasher};
        let Some(dir) = std::env::var_os("OPENXMPP_FUZZ_SEEDS") else {
            return;
        };
        if self.transcript.is_empty() {
            return;
        }
        let kind = match (&self.conn.config.tls, self.conn.config.sasl.is_anonymous()) {
            (TlsMode::PlaintextInsecureForLocalTestingOnly, true) => "plaintext-anonymous",
            (TlsMode::PlaintextInsecureForLocalTestingOnly, false) => "plaintext-password",
            _ => "tls",
        };
        let mut hasher = std::hash::DefaultHasher::new();
        self.transcript.hash(&mut hasher);
        let dir = std::path::Path::new(&dir).join("connection");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            dir.join(format!("{kind}-{:016x}.xml", hasher.finish())),
            &self.transcript,
        );
    }
}

fn config(mode: &str, pki: &Pki) -> ConnectionConfig {
    let mut config = ConnectionConfig::new(
        "user@example.com".parse().unwrap(),
        "pencil",
        client_tls(pki),
    );
    config.id_prefix = Some("t".to_owned());
    config.fixed_sasl_nonce = Some("fyko+d2lbbFgONRv9qkxdawL".to_owned());
    match mode {
        "starttls" => {}
        "direct" => config = config.with_direct_tls(),
        "plaintext" => config.tls = TlsMode::PlaintextInsecureForLocalTestingOnly,
        other => panic!("mode {other}"),
    }
    config
}

impl Harness {
    fn new(config: ConnectionConfig, chunk: usize) -> Self {
        let mut h = Harness {
            conn: Connection::new(config),
            now: clock_origin(),
            chunk,
            pki: pki(&["example.com"]),
            server_tls: None,
            tls_expected: false,
            raw: Vec::new(),
            sent: String::new(),
            events: Vec::new(),
            transcript: Vec::new(),
        };
        h.conn.connecting();
        h.conn.transport_connected(h.now);
        h
    }

    fn with(mode: &str, chunk: usize, tweak: impl FnOnce(&mut ConnectionConfig)) -> Self {
        let pki = pki(&["example.com"]);
        let mut config = config(mode, &pki);
        tweak(&mut config);
        let mut h = Harness::new(config, chunk);
        h.pki = pki;
        h.tls_expected = mode == "direct";
        h.collect();
        if mode == "direct" {
            h.start_server_tls();
        }
        h
    }

    /// Moves client output to the server side and events into `events`.
    fn collect(&mut self) {
        while let Some(bytes) = self.conn.poll_transmit() {
            match self.server_tls.as_mut() {
                Some(server) => {
                    let mut slice = &bytes[..];
                    while !slice.is_empty() {
                        // The client may refuse us (an alert): the test checks its side.
                        if server.read_tls(&mut slice).is_err()
                            || server.process_new_packets().is_err()
                        {
                            break;
                        }
                    }
                    let mut buf = Vec::new();
                    let _ = server.reader().read_to_end(&mut buf);
                    self.sent.push_str(&String::from_utf8(buf).unwrap());
                }
                None if self.tls_expected => self.raw.extend_from_slice(&bytes),
                None => self.sent.push_str(&String::from_utf8(bytes).unwrap()),
            }
        }
        while let Some(event) = self.conn.poll_event() {
            self.events.push(event);
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for piece in bytes.chunks(self.chunk.max(1)) {
            self.conn.handle_input(self.now, piece);
            self.collect();
        }
    }

    /// The server writes `xml` (encrypted when TLS is up).
    fn server(&mut self, xml: &str) {
        self.transcript.extend_from_slice(xml.as_bytes());
        match self.server_tls.as_mut() {
            Some(server) => {
                server.writer().write_all(xml.as_bytes()).unwrap();
                let mut out = Vec::new();
                while server.wants_write() {
                    server.write_tls(&mut out).unwrap();
                }
                self.feed(&out);
            }
            None => self.feed(xml.as_bytes()),
        }
    }

    /// Creates the server's TLS side, gives it what the client already sent, and runs the
    /// handshake.
    fn start_server_tls(&mut self) {
        let mut server = server_tls(&self.pki);
        let raw = std::mem::take(&mut self.raw);
        let mut slice = &raw[..];
        while !slice.is_empty() {
            server.read_tls(&mut slice).unwrap();
            server.process_new_packets().unwrap();
        }
        self.server_tls = Some(server);
        self.tls_expected = false;
        self.pump_tls();
    }

    /// Completes a TLS handshake between the client and the server side.
    fn pump_tls(&mut self) {
        for _ in 0..20 {
            self.collect();
            let Some(server) = self.server_tls.as_mut() else {
                return;
            };
            let mut out = Vec::new();
            while server.wants_write() {
                server.write_tls(&mut out).unwrap();
            }
            if out.is_empty() && !server.is_handshaking() {
                return;
            }
            self.feed(&out);
        }
    }

    /// The server answers `<starttls/>` with `<proceed/>` and the TLS handshake runs.
    fn proceed(&mut self) {
        self.expect_sent("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        self.tls_expected = true;
        self.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        self.start_server_tls();
    }

    /// Everything the client sent since the last call.
    fn take_sent(&mut self) -> String {
        std::mem::take(&mut self.sent)
    }

    fn expect_sent(&mut self, expected: &str) {
        let sent = self.take_sent();
        assert_eq!(sent, expected, "client output");
    }

    fn expect_header(&mut self, with_from: bool) {
        let from = if with_from {
            " from='user@example.com'"
        } else {
            ""
        };
        self.expect_sent(&format!(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams' to='example.com'{from} version='1.0'>"
        ));
    }

    fn disconnect_error(&self) -> Option<&ConnectionError> {
        self.events.iter().rev().find_map(|e| match e {
            Event::Disconnected { error } => error.as_ref(),
            _ => None,
        })
    }

    fn states(&self) -> Vec<State> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::StateChanged { state } => Some(*state),
                _ => None,
            })
            .collect()
    }

    fn online_jid(&self) -> Option<String> {
        self.events.iter().find_map(|e| match e {
            Event::Online { jid, .. } => Some(jid.as_str().to_owned()),
            _ => None,
        })
    }

    /// Runs binding after a successful authentication: new stream, bind, result.
    fn bind(&mut self, with_from: bool, jid: &str) {
        self.expect_header(with_from);
        self.server(HEADER_IN);
        self.server(
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
             <sm xmlns='urn:xmpp:sm:3'/><ver xmlns='urn:xmpp:features:rosterver'/></stream:features>",
        );
        self.expect_sent(
            "<iq id='t-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        );
        self.server(&format!(
            "<iq type='result' id='t-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <jid>{jid}</jid></bind></iq>"
        ));
        assert_eq!(
            self.conn.state(),
            State::Online,
            "events: {:?}",
            self.events
        );
        assert_eq!(self.online_jid().as_deref(), Some(jid));
    }
}

thread_local! {
    /// The chunk size harnesses feed the server's bytes in, for tests that do not pass one.
    static CHUNK: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

fn chunk() -> usize {
    CHUNK.with(|c| c.get())
}

/// Runs a scenario with the server's bytes in one piece and one byte at a time.
fn both_ways(scenario: impl Fn(usize)) {
    for size in [usize::MAX, 1] {
        CHUNK.with(|c| c.set(size));
        scenario(size);
    }
    CHUNK.with(|c| c.set(usize::MAX));
}

// ----- a test-side SCRAM server --------------------------------------------------------------

fn hmac<D: hmac::EagerHash>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<D>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Plays the server side of SCRAM with hash `D`: checks the client's proof and channel binding
/// against the server's own view (`expected_cbind`), as a real server would, and proves itself.
struct ScramServer<D> {
    salted: Vec<u8>,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    hash: std::marker::PhantomData<D>,
}

impl<D: hmac::EagerHash + sha2::Digest> ScramServer<D> {
    fn first(client_first: &str, password: &str) -> (Self, String) {
        let bare_start = client_first.match_indices(',').nth(1).unwrap().0 + 1;
        let client_first_bare = client_first[bare_start..].to_owned();
        let client_nonce = client_first_bare.split("r=").nth(1).unwrap().to_owned();
        let nonce = format!("{client_nonce}srv3rnonce");
        let salt = b"saltsaltsalt";
        let mut salted = vec![0u8; <D as sha2::Digest>::output_size()];
        pbkdf2::pbkdf2::<Hmac<D>>(password.as_bytes(), salt, 4096, &mut salted).unwrap();
        let server_first = format!("r={nonce},s={},i=4096", B64.encode(salt));
        let this = ScramServer {
            salted,
            client_first_bare,
            server_first: server_first.clone(),
            nonce,
            hash: std::marker::PhantomData,
        };
        (this, server_first)
    }

    /// Checks the client's proof and channel binding; returns server-final.
    fn last(&self, client_final: &str, expected_cbind: &[u8]) -> String {
        let (without_proof, proof) = client_final.rsplit_once(",p=").unwrap();
        let cbind = without_proof
            .strip_prefix("c=")
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        assert_eq!(
            B64.decode(cbind).unwrap(),
            expected_cbind,
            "channel binding data"
        );
        assert!(without_proof.ends_with(&format!("r={}", self.nonce)));
        let auth = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let client_key = hmac::<D>(&self.salted, b"Client Key");
        let stored = D::digest(&client_key).to_vec();
        let signature = hmac::<D>(&stored, auth.as_bytes());
        let proof = B64.decode(proof).unwrap();
        let recovered: Vec<u8> = proof.iter().zip(&signature).map(|(a, b)| a ^ b).collect();
        assert_eq!(D::digest(&recovered).to_vec(), stored, "client proof");
        let server_key = hmac::<D>(&self.salted, b"Server Key");
        format!("v={}", B64.encode(hmac::<D>(&server_key, auth.as_bytes())))
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {text}"))
        + start.len();
    let to = text[from..].find(end).unwrap() + from;
    &text[from..to]
}

// ----- negotiation: every path ---------------------------------------------------------------

#[test]
fn scram_sha1_rfc5802_vector_in_plaintext_mode() {
    both_ways(|chunk| {
        let mut h = Harness::with("plaintext", chunk, |_| {});
        h.expect_header(false);
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent(&format!(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>{}</auth>",
            B64.encode("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        ));
        h.server(&format!(
            "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
            B64.encode("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        ));
        h.expect_sent(&format!(
            "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</response>",
            B64.encode(
                "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
            )
        ));
        h.server(&format!(
            "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</success>",
            B64.encode("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        ));
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::Authenticated {
                mechanism: Mechanism::ScramSha1
            }
        )));
        h.bind(false, "user@example.com/4db06f06");
        assert_eq!(
            h.states(),
            [
                State::Connecting,
                State::Connected,
                State::Authenticating,
                State::Binding,
                State::Online
            ]
        );
        match h.events.iter().find(|e| matches!(e, Event::Online { .. })) {
            Some(Event::Online { features, .. }) => {
                assert!(features.stream_management && features.roster_versioning);
            }
            _ => unreachable!(),
        }
    });
}

#[test]
fn starttls_then_plain_with_resource_and_required_session() {
    both_ways(|chunk| {
        let mut h = Harness::with("starttls", chunk, |c| {
            c.resource = Some("balcony 🎸".to_owned());
            c.sasl = SaslConfig::password("user", "pencil").disable_channel_binding();
        });
        h.expect_header(false);
        h.server(HEADER_IN);
        h.server(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
             </stream:features>",
        );
        assert_eq!(h.conn.state(), State::StartingTls);
        h.proceed();
        assert!(
            h.events
                .iter()
                .any(|e| matches!(e, Event::TlsEstablished { .. }))
        );
        h.expect_header(true);
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent(&format!(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{}</auth>",
            B64.encode("\0user\0pencil")
        ));
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.expect_header(true);
        h.server(HEADER_IN);
        h.server(
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
             <session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>",
        );
        h.expect_sent(
            "<iq id='t-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <resource>balcony 🎸</resource></bind></iq>",
        );
        h.server(
            "<iq type='result' id='t-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <jid>user@example.com/balcony 🎸</jid></bind></iq>",
        );
        h.expect_sent(
            "<iq id='t-2' type='set'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
        );
        assert_eq!(h.conn.state(), State::Binding);
        h.server("<iq type='result' id='t-2'/>");
        assert_eq!(
            h.online_jid().as_deref(),
            Some("user@example.com/balcony 🎸")
        );
        assert_eq!(
            h.states(),
            [
                State::Connecting,
                State::Connected,
                State::StartingTls,
                State::Authenticating,
                State::Binding,
                State::Online
            ]
        );
    });
}

/// SCRAM-SHA-256-PLUS over Direct TLS 1.3 with tls-exporter: the server side checks the
/// client's channel binding against its own exporter and the client checks the server's proof.
#[test]
fn direct_tls_scram_sha256_plus_with_tls_exporter() {
    both_ways(|chunk| {
        let mut h = Harness::with("direct", chunk, |_| {});
        assert!(
            h.events
                .iter()
                .any(|e| matches!(e, Event::TlsEstablished { .. }))
        );
        h.expect_header(true);
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-256-PLUS</mechanism>\
             <mechanism>PLAIN</mechanism></mechanisms>\
             <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-exporter'/>\
             </sasl-channel-binding></stream:features>",
        );
        let sent = h.take_sent();
        assert!(sent.contains("mechanism='SCRAM-SHA-256-PLUS'"), "{sent}");
        let client_first =
            String::from_utf8(B64.decode(between(&sent, "'>", "</auth>")).unwrap()).unwrap();
        assert!(
            client_first.starts_with("p=tls-exporter,,n=user,r="),
            "{client_first}"
        );
        let (server, server_first) = ScramServer::<sha2::Sha256>::first(&client_first, "pencil");
        h.server(&format!(
            "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
            B64.encode(&server_first)
        ));
        let sent = h.take_sent();
        let client_final =
            String::from_utf8(B64.decode(between(&sent, "'>", "</response>")).unwrap()).unwrap();
        let exporter = h
            .server_tls
            .as_ref()
            .unwrap()
            .export_keying_material([0u8; 32], b"EXPORTER-Channel-Binding", Some(&[]))
            .unwrap();
        let mut cbind = b"p=tls-exporter,,".to_vec();
        cbind.extend_from_slice(&exporter);
        let server_final = server.last(&client_final, &cbind);
        h.server(&format!(
            "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</success>",
            B64.encode(server_final)
        ));
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::Authenticated {
                mechanism: Mechanism::ScramSha256Plus
            }
        )));
        h.bind(true, "user@example.com/r1");
        assert_eq!(
            h.states(),
            [
                State::Connecting,
                State::StartingTls,
                State::Authenticating,
                State::Binding,
                State::Online
            ]
        );
    });
}

/// Without -PLUS on offer, a client that could bind says so with `y` (downgrade detection).
#[test]
fn scram_without_plus_over_tls_sends_the_y_flag() {
    both_ways(|_| {
        let mut h = Harness::with("direct", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>",
        );
        let sent = h.take_sent();
        let client_first =
            String::from_utf8(B64.decode(between(&sent, "'>", "</auth>")).unwrap()).unwrap();
        assert!(client_first.starts_with("y,,n=user,r="), "{client_first}");
        let (server, server_first) = ScramServer::<sha2::Sha256>::first(&client_first, "pencil");
        h.server(&format!(
            "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
            B64.encode(&server_first)
        ));
        let sent = h.take_sent();
        let client_final =
            String::from_utf8(B64.decode(between(&sent, "'>", "</response>")).unwrap()).unwrap();
        let server_final = server.last(&client_final, b"y,,");
        // The verifier may also come as a final challenge, answered with an empty response.
        h.server(&format!(
            "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
            B64.encode(server_final)
        ));
        h.expect_sent("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.bind(true, "user@example.com/r");
    });
}

/// Runs one SCRAM exchange over Direct TLS 1.3 with the server side played by `ScramServer<D>`,
/// announcing `announced` channel-binding types (XEP-0440), and returns the GS2 header sent.
fn scram_over_tls<D: hmac::EagerHash + sha2::Digest>(
    mechanism: Mechanism,
    offered: &[&str],
    announced: &[&str],
    chunk: usize,
) -> String {
    let mut h = Harness::with("direct", chunk, |c| {
        c.allowed_mechanisms = Some(vec![mechanism])
    });
    h.take_sent();
    h.server(HEADER_IN);
    let mechanisms: String = offered
        .iter()
        .map(|m| format!("<mechanism>{m}</mechanism>"))
        .collect();
    let cb: String = announced
        .iter()
        .map(|t| format!("<channel-binding type='{t}'/>"))
        .collect();
    h.server(&format!(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{mechanisms}\
         </mechanisms><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>{cb}</sasl-channel-binding>\
         </stream:features>"
    ));
    let sent = h.take_sent();
    assert!(
        sent.contains(&format!("mechanism='{}'", mechanism.name())),
        "{sent}"
    );
    let client_first =
        String::from_utf8(B64.decode(between(&sent, "'>", "</auth>")).unwrap()).unwrap();
    let gs2 = client_first[..client_first.match_indices(',').nth(1).unwrap().0 + 1].to_owned();
    let (server, server_first) = ScramServer::<D>::first(&client_first, "pencil");
    h.server(&challenge(&server_first));
    let sent = h.take_sent();
    let client_final =
        String::from_utf8(B64.decode(between(&sent, "'>", "</response>")).unwrap()).unwrap();
    // The server's own view of the binding, from its side of the TLS session.
    let tls = h.server_tls.as_ref().unwrap();
    let mut expected = gs2.clone().into_bytes();
    if gs2.starts_with("p=tls-exporter") {
        let exporter = tls
            .export_keying_material([0u8; 32], b"EXPORTER-Channel-Binding", Some(&[]))
            .unwrap();
        expected.extend_from_slice(&exporter);
    } else if gs2.starts_with("p=tls-server-end-point") {
        // rcgen's certificates are ECDSA P-256 with SHA-256: the binding hash is SHA-256.
        expected.extend_from_slice(&sha2::Sha256::digest(h.pki.chain[0].as_ref()));
    }
    let server_final = server.last(&client_final, &expected);
    h.server(&format!(
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</success>",
        B64.encode(server_final)
    ));
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::Authenticated { mechanism: m } if *m == mechanism)),
        "{mechanism:?}: {:?}",
        h.disconnect_error()
    );
    h.bind(true, "user@example.com/r");
    gs2
}

#[test]
fn every_scram_variant_with_every_binding() {
    use Mechanism as M;
    both_ways(|chunk| {
        for (plus, plain, name, plus_name) in [
            (
                M::ScramSha1Plus,
                M::ScramSha1,
                "SCRAM-SHA-1",
                "SCRAM-SHA-1-PLUS",
            ),
            (
                M::ScramSha256Plus,
                M::ScramSha256,
                "SCRAM-SHA-256",
                "SCRAM-SHA-256-PLUS",
            ),
            (
                M::ScramSha512Plus,
                M::ScramSha512,
                "SCRAM-SHA-512",
                "SCRAM-SHA-512-PLUS",
            ),
        ] {
            let offered = [name, plus_name];
            let run = |mechanism, offered: &[&str], announced: &[&str]| match mechanism {
                M::ScramSha1 | M::ScramSha1Plus => {
                    scram_over_tls::<sha1::Sha1>(mechanism, offered, announced, chunk)
                }
                M::ScramSha256 | M::ScramSha256Plus => {
                    scram_over_tls::<sha2::Sha256>(mechanism, offered, announced, chunk)
                }
                _ => scram_over_tls::<sha2::Sha512>(mechanism, offered, announced, chunk),
            };
            assert_eq!(run(plus, &offered, &["tls-exporter"]), "p=tls-exporter,,");
            assert_eq!(
                run(plus, &offered, &["tls-server-end-point"]),
                "p=tls-server-end-point,,"
            );
            // PLUS offered but no announced type we have: no binding, and `n`.
            assert_eq!(run(plain, &offered, &["tls-unique"]), "n,,");
            // No PLUS offered at all: `y`, so a server that does bind detects a downgrade.
            assert_eq!(run(plain, &[name], &[]), "y,,");
        }
    });
}

/// DIGEST-MD5 (obsolete, opt-in) against a test-side verifier of RFC 2831's response.
#[test]
fn digest_md5_when_explicitly_enabled() {
    use md5::Digest as _;
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    both_ways(|chunk| {
        let mut h = Harness::with("starttls", chunk, |c| {
            c.sasl = SaslConfig::password("user", "pencil").enable_digest_md5("example.com");
        });
        h.take_sent();
        h.server(HEADER_IN);
        h.server("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
        h.proceed();
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>DIGEST-MD5</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='DIGEST-MD5'/>");
        h.server(&challenge(
            "realm=\"example.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
        ));
        let sent = h.take_sent();
        let response =
            String::from_utf8(B64.decode(between(&sent, "'>", "</response>")).unwrap()).unwrap();
        let field = |name: &str| -> String {
            response
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("{name} in {response}"))
                .trim_matches('"')
                .to_owned()
        };
        assert_eq!(field("username"), "user");
        assert_eq!(field("digest-uri"), "xmpp/example.com");
        let (nonce, cnonce, nc) = (field("nonce"), field("cnonce"), field("nc"));
        let mut a1 = md5::Md5::digest(b"user:example.com:pencil").to_vec();
        a1.extend_from_slice(format!(":{nonce}:{cnonce}").as_bytes());
        let ha1 = hex(&md5::Md5::digest(&a1));
        let digest = |a2: &str| {
            let ha2 = hex(&md5::Md5::digest(a2.as_bytes()));
            hex(&md5::Md5::digest(
                format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}").as_bytes(),
            ))
        };
        assert_eq!(
            field("response"),
            digest("AUTHENTICATE:xmpp/example.com"),
            "client proof"
        );
        h.server(&challenge(&format!(
            "rspauth={}",
            digest(":xmpp/example.com")
        )));
        h.expect_sent("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::Authenticated {
                mechanism: Mechanism::DigestMd5
            }
        )));
        h.bind(true, "user@example.com/r");
    });
}

#[test]
fn anonymous_and_external_mechanisms() {
    both_ways(|_| {
        let mut h = Harness::with("direct", chunk(), |c| c.sasl = SaslConfig::anonymous());
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>ANONYMOUS</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>=</auth>",
        );
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.bind(true, "x7f@example.com/r");

        let mut h = Harness::with("direct", chunk(), |c| {
            c.sasl = SaslConfig::external().with_client_certificate();
        });
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>EXTERNAL</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>",
        );
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.bind(true, "user@example.com/cert");
    });
}

#[test]
fn bind_conflict_retries_with_a_server_generated_resource() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |c| {
            c.resource = Some("taken".to_owned());
            c.sasl = SaslConfig::anonymous();
        });
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>",
        );
        h.take_sent();
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
        );
        assert!(h.take_sent().contains("<resource>taken</resource>"));
        h.server(
            "<iq type='error' id='t-1'><error type='cancel'>\
             <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        h.expect_sent(
            "<iq id='t-2' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        );
        h.server(
            "<iq type='result' id='t-2'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <jid>anon@example.com/gen</jid></bind></iq>",
        );
        assert_eq!(h.online_jid().as_deref(), Some("anon@example.com/gen"));
    });
}

// ----- refusals ------------------------------------------------------------------------------

/// Runs a plaintext-mode negotiation up to the first features and returns the harness.
fn at_features(features: &str, tweak: impl FnOnce(&mut ConnectionConfig)) -> Harness {
    let mut h = Harness::with("plaintext", chunk(), tweak);
    h.take_sent();
    h.server(HEADER_IN);
    h.server(features);
    h
}

const SCRAM1: &str = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>";

fn challenge(text: &str) -> String {
    format!(
        "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
        B64.encode(text)
    )
}

fn local_auth_error(h: &Harness) -> SaslError {
    match h.disconnect_error() {
        Some(ConnectionError::Auth(AuthError::Local { source, .. })) => source.clone(),
        other => panic!("expected a local auth error, got {other:?}"),
    }
}

#[test]
fn starttls_not_offered_is_refused() {
    both_ways(|_| {
        let mut h = Harness::with("starttls", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        );
        let err = h.disconnect_error().unwrap();
        assert!(
            matches!(err, ConnectionError::TlsNotOffered { .. }),
            "{err:?}"
        );
        assert!(err.forbids_reconnect());
        assert!(!h.take_sent().contains("auth"), "no credentials went out");
        assert!(h.conn.is_finished());
    });
}

#[test]
fn starttls_failure_and_injection_are_refused() {
    both_ways(|_| {
        let mut h = Harness::with("starttls", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>",
        );
        h.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::TlsRefused { .. })
        ));

        let mut h = Harness::with("starttls", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>",
        );
        h.tls_expected = true;
        h.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message/>");
        // In one read the plaintext after <proceed/> is caught as injection; arriving later it
        // lands in the TLS handshake, which refuses it. Either way nothing goes further.
        match h.disconnect_error() {
            Some(ConnectionError::Protocol(why)) => assert!(why.contains("injection"), "{why}"),
            Some(ConnectionError::Tls(_)) if chunk() == 1 => {}
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn wrong_certificate_host_is_refused() {
    both_ways(|_| {
        let mut h = Harness::with("starttls", chunk(), |_| {});
        h.pki = pki(&["evil.example"]);
        // The client trusts the original CA; the server now presents another CA's certificate.
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>",
        );
        h.proceed();
        match h.disconnect_error() {
            Some(ConnectionError::Tls(e)) => {
                assert!(
                    matches!(**e, crate::tls::TlsError::UntrustedCertificate { .. }),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn sasl_failure_is_a_permanent_auth_error() {
    both_ways(|_| {
        let mut h = at_features(SCRAM1, |_| {});
        h.server(
            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>\
             <text xml:lang='en'>Wrong password</text></failure>",
        );
        match h.disconnect_error() {
            Some(err @ ConnectionError::Auth(AuthError::Refused { failure, .. })) => {
                assert_eq!(failure.condition, FailureCondition::NotAuthorized);
                assert_eq!(failure.text.as_deref(), Some("Wrong password"));
                assert!(err.forbids_reconnect());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(h.conn.state(), State::Offline);
    });
}

#[test]
fn scram_server_that_cannot_prove_itself_is_refused() {
    both_ways(|_| {
        let server_first = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
        // A wrong server signature.
        let mut h = at_features(SCRAM1, |_| {});
        h.server(&challenge(server_first));
        h.take_sent();
        h.server(&format!(
            "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</success>",
            B64.encode("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        ));
        assert!(matches!(
            local_auth_error(&h),
            SaslError::BadServerSignature { .. }
        ));
        assert!(
            !h.events
                .iter()
                .any(|e| matches!(e, Event::Authenticated { .. }))
        );

        // Success without the verifier.
        let mut h = at_features(SCRAM1, |_| {});
        h.server(&challenge(server_first));
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        assert!(matches!(
            local_auth_error(&h),
            SaslError::MissingVerifier { .. }
        ));

        // Success before any challenge.
        let mut h = at_features(SCRAM1, |_| {});
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Auth(_))
        ));
    });
}

#[test]
fn hostile_scram_challenges_are_refused() {
    both_ways(|_| {
        for (first, check) in [
            ("r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096", "nonce"),
            ("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=1", "low"),
            (
                "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=1000000000",
                "high",
            ),
        ] {
            let mut h = at_features(SCRAM1, |_| {});
            h.server(&challenge(first));
            let err = local_auth_error(&h);
            let ok = match check {
                "nonce" => matches!(err, SaslError::NonceMismatch { .. }),
                "low" => matches!(err, SaslError::IterationsTooLow { .. }),
                _ => matches!(err, SaslError::IterationsTooHigh { .. }),
            };
            assert!(ok, "{first}: {err:?}");
            assert!(
                h.take_sent()
                    .ends_with("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            );
        }
        let mut h = at_features(SCRAM1, |_| {});
        h.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>!!!not base64</challenge>");
        assert!(matches!(
            local_auth_error(&h),
            SaslError::MalformedChallenge { .. }
        ));
    });
}

#[test]
fn no_acceptable_mechanism_and_plain_without_tls() {
    both_ways(|_| {
        let h = at_features(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>DIGEST-MD5</mechanism><mechanism>X-OAUTH2</mechanism></mechanisms></stream:features>",
            |_| {},
        );
        assert!(matches!(
            local_auth_error(&h),
            SaslError::NoAcceptableMechanism { .. }
        ));
        let mut h = at_features(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
            |_| {},
        );
        let err = local_auth_error(&h);
        assert!(
            matches!(
                err,
                SaslError::PlainWithoutTls { .. } | SaslError::NoAcceptableMechanism { .. }
            ),
            "{err:?}"
        );
        assert!(
            !h.take_sent().contains("auth"),
            "the password never went out in plaintext"
        );
    });
}

#[test]
fn stream_errors_end_the_session_with_their_condition() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.server(HEADER_IN);
        h.server(
            "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:5222\
             </see-other-host></stream:error>",
        );
        match h.disconnect_error() {
            Some(ConnectionError::Stream(e)) => {
                assert_eq!(e.condition, StreamErrorCondition::SeeOtherHost);
                assert_eq!(e.see_other_host.as_deref(), Some("[2001:db8::1]:5222"));
            }
            other => panic!("{other:?}"),
        }
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.server(HEADER_IN);
        h.server(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        );
        assert!(h.disconnect_error().unwrap().forbids_reconnect());
    });
}

#[test]
fn restricted_xml_gets_a_stream_error_back() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server("<!-- a comment -->");
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Xml(_))
        ));
        h.expect_sent(
            "<stream:error><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>\
             </stream:stream>",
        );
    });
}

#[test]
fn unsupported_version_and_early_elements_are_refused() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(&HEADER_IN.replace("version='1.0' from", "version='2.0' from"));
        let sent = h.take_sent();
        assert!(
            sent.contains("<unsupported-version"),
            "{sent} {:?}",
            h.events
        );
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Protocol(_))
        ));

        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.server(HEADER_IN);
        h.server("<message><body>too early</body></message>");
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Protocol(_))
        ));
    });
}

#[test]
fn negotiation_timeout_and_transport_loss() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |c| {
            c.negotiation_timeout = Duration::from_secs(10);
        });
        let deadline = h.conn.poll_timeout().unwrap();
        assert_eq!(deadline, h.now + Duration::from_secs(10));
        h.conn.handle_timeout(h.now + Duration::from_secs(5));
        assert_eq!(h.conn.state(), State::Connected);
        h.conn.handle_timeout(deadline);
        h.collect();
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::NegotiationTimeout {
                seconds: 10,
                state: State::Connected
            })
        ));

        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.server(HEADER_IN);
        h.conn.transport_closed(h.now);
        h.collect();
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::TransportClosed)
        ));
    });
}

#[test]
fn bind_failure_is_reported() {
    both_ways(|_| {
        let mut h = at_features(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>",
            |c| c.sasl = SaslConfig::anonymous(),
        );
        h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        h.server(HEADER_IN);
        h.server(
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
        );
        h.server(
            "<iq type='error' id='t-1'><error type='cancel'>\
             <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Bind(_))
        ));
    });
}

// ----- online --------------------------------------------------------------------------------

/// A session online in plaintext mode via ANONYMOUS, bound as `user@example.com/r`, without
/// stream management (its own tests turn it on).
fn online() -> Harness {
    let mut h = online_with(|c| c.stream_management = false);
    h.expect_sent("");
    h
}

fn online_with(tweak: impl FnOnce(&mut ConnectionConfig)) -> Harness {
    let mut h = at_features(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>",
        |c| {
            c.sasl = SaslConfig::anonymous();
            tweak(c);
        },
    );
    h.expect_sent("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>=</auth>");
    h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    h.bind(false, "user@example.com/r");
    h.events.clear();
    h
}

fn ping() -> Element {
    Element::new("ping", "urn:xmpp:ping")
}

#[test]
fn iq_responses_are_matched_by_id_and_sender() {
    both_ways(|_| {
        let mut h = online();
        let to: crate::jid::Jid = "juliet@example.com/balcony".parse().unwrap();
        let id = h.conn.request(h.now, Iq::get("", ping()).to(to)).unwrap();
        h.collect();
        h.expect_sent("<iq id='t-2' to='juliet@example.com/balcony' type='get'><ping xmlns='urn:xmpp:ping'/></iq>");
        // A forged answer from someone else is not an answer.
        h.server("<iq type='result' id='t-2' from='mallory@example.com/x'/>");
        assert!(h.events.is_empty(), "{:?}", h.events);
        h.server("<iq type='result' id='t-2' from='juliet@example.com/balcony'/>");
        match h.events.as_slice() {
            [
                Event::IqResponse {
                    id: got,
                    result: Ok(_),
                },
            ] => assert_eq!(got, &id),
            other => panic!("{other:?}"),
        }
        // Requests to our own account are answered by the server without a from.
        h.events.clear();
        let own = h.conn.request(h.now, Iq::get("", ping())).unwrap();
        h.server(
            "<iq type='error' id='t-3'><error type='cancel'>\
             <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        match h.events.as_slice() {
            [
                Event::IqResponse {
                    id,
                    result: Err(IqError::Stanza(e)),
                },
            ] => {
                assert_eq!(id, &own);
                assert_eq!(
                    e.condition,
                    crate::error::StanzaErrorCondition::ServiceUnavailable
                );
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn iq_timeouts_cancellation_and_disconnect() {
    both_ways(|_| {
        let mut h = online();
        let slow = h
            .conn
            .request_with_timeout(h.now, Iq::get("", ping()), Duration::from_secs(2))
            .unwrap();
        let cancelled = h.conn.request(h.now, Iq::get("", ping())).unwrap();
        let pending = h.conn.request(h.now, Iq::get("", ping())).unwrap();
        assert!(h.conn.cancel(&cancelled));
        assert_eq!(h.conn.poll_timeout(), Some(h.now + Duration::from_secs(2)));
        h.conn.handle_timeout(h.now + Duration::from_secs(2));
        h.collect();
        assert!(matches!(
            h.events.as_slice(),
            [Event::IqResponse { id, result: Err(IqError::Timeout) }] if *id == slow
        ));
        h.events.clear();
        h.server("<iq type='result' id='t-3'/>"); // the cancelled one: dropped
        assert!(h.events.is_empty());
        h.conn.transport_closed(h.now);
        h.collect();
        assert!(h.events.iter().any(
            |e| matches!(e, Event::IqResponse { id, result: Err(IqError::Disconnected) } if *id == pending)
        ));
    });
}

#[test]
fn incoming_stanzas_become_events_and_bad_requests_are_answered() {
    both_ways(|_| {
        let mut h = online_with(|c| {
            c.stream_management = false;
            c.iq_namespaces = vec!["http://jabber.org/protocol/disco#info".to_owned()];
        });
        h.expect_sent("");
        h.server(
            "<message from='juliet@example.com/balcony' type='chat' id='m1'><body>hi</body></message>\
             <iq type='get' id='q1' from='example.com'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>\
             <iq type='get' id='q2' from='example.com'/>\
             <presence from='bad@@example.com'/>",
        );
        assert!(matches!(
            &h.events[0],
            Event::Stanza { stanza: Stanza::Message(m) } if m.body() == Some("hi") && m.kind == MessageType::Chat
        ));
        assert!(matches!(&h.events[1], Event::Stanza { stanza: Stanza::Iq(iq) } if iq.id == "q1"));
        assert!(matches!(&h.events[2], Event::InvalidStanza { .. }));
        assert!(matches!(&h.events[3], Event::InvalidStanza { .. }));
        h.expect_sent(
            "<iq id='q2' type='error'><error type='modify'>\
             <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>an IQ of type 'get' must have exactly \
             one child element, it has 0</text></error></iq>",
        );
        assert_eq!(
            h.conn.state(),
            State::Online,
            "bad stanzas do not end the session"
        );
    });
}

#[test]
fn sending_needs_an_online_session() {
    both_ways(|_| {
        let pki = pki(&["example.com"]);
        let mut conn = Connection::new(config("starttls", &pki));
        let err = conn
            .send(Message::chat("a@b".parse().unwrap(), "hi"))
            .unwrap_err();
        assert_eq!(err.state, State::Offline);
        let mut h = online();
        h.conn
            .send(Message::chat("a@example.com".parse().unwrap(), "hi"))
            .unwrap();
        h.collect();
        h.expect_sent("<message to='a@example.com' type='chat'><body>hi</body></message>");
        let result = Iq::get("x", ping()).result(None);
        assert!(
            h.conn.request(h.now, result).is_err(),
            "a result is not a request"
        );
    });
}

#[test]
fn closing_handshake_both_ways() {
    both_ways(|_| {
        let mut h = online();
        h.conn.close(h.now);
        h.collect();
        h.expect_sent("</stream:stream>");
        assert_eq!(h.conn.state(), State::Disconnecting);
        h.server("</stream:stream>");
        assert!(matches!(
            h.events.last(),
            Some(Event::Disconnected { error: None })
        ));
        assert!(h.conn.is_finished());

        // The server does not answer: the close completes at the deadline.
        let mut h = online();
        h.conn.close(h.now);
        let deadline = h.conn.poll_timeout().unwrap();
        h.conn.handle_timeout(deadline);
        h.collect();
        assert!(matches!(
            h.events.last(),
            Some(Event::Disconnected { error: None })
        ));

        // The server closes first: we answer and report it.
        let mut h = online();
        h.server("</stream:stream>");
        h.expect_sent("</stream:stream>");
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Protocol(_))
        ));
    });
}

#[test]
fn a_connection_can_be_used_again_after_it_ended() {
    both_ways(|_| {
        let mut h = online();
        h.conn.transport_closed(h.now);
        h.collect();
        h.events.clear();
        h.conn.connecting();
        h.conn.transport_connected(h.now);
        h.collect();
        h.expect_header(false);
        assert_eq!(h.conn.state(), State::Connected);
        assert!(h.conn.bound_jid().is_none());
    });
}

#[test]
fn keepalive_answers_pings_pings_when_idle_and_detects_a_dead_server() {
    both_ways(|_| {
        let mut h = online();
        // The server's ping is answered by the connection itself.
        h.server("<iq type='get' id='s1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
        h.expect_sent("<iq id='s1' to='example.com' type='result'/>");
        assert!(h.events.is_empty(), "{:?}", h.events);
        // A contact's ping is the application's business; unclaimed, it gets an error.
        h.server(
            "<iq type='get' id='c1' from='juliet@example.com/x'><ping xmlns='urn:xmpp:ping'/></iq>",
        );
        assert!(h.events.is_empty());
        assert!(h.take_sent().contains("<service-unavailable"));

        // Idle for the interval: we ping; the answer keeps the session up quietly.
        let idle = h.conn.poll_timeout().unwrap();
        assert_eq!(idle, h.now + Duration::from_secs(60));
        h.conn.handle_timeout(idle);
        h.collect();
        h.expect_sent(
            "<iq id='t-2' to='example.com' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
        );
        h.now = idle + Duration::from_secs(1);
        h.server("<iq type='result' id='t-2' from='example.com'/>");
        assert!(h.events.is_empty(), "the keepalive answer is not an event");

        // Idle again and nothing comes back: dead within interval + dead timeout.
        let next = h.conn.poll_timeout().unwrap();
        assert_eq!(next, h.now + Duration::from_secs(60));
        h.conn.handle_timeout(next);
        h.collect();
        assert!(h.take_sent().contains("<ping xmlns='urn:xmpp:ping'/>"));
        let dead = h.conn.poll_timeout().unwrap();
        assert_eq!(dead, next + Duration::from_secs(20));
        h.conn.handle_timeout(dead - Duration::from_secs(1));
        assert_eq!(h.conn.state(), State::Online);
        h.conn.handle_timeout(dead);
        h.collect();
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Unresponsive { seconds: 20 })
        ));
    });
}

#[test]
fn keepalive_can_be_disabled() {
    let mut h = online();
    h.conn.config.keepalive_interval = None;
    assert_eq!(h.conn.poll_timeout(), None);
}

// ----- stream management (XEP-0198) ----------------------------------------------------------

fn msg(body: &str) -> Message {
    Message::chat("a@example.com".parse().unwrap(), body)
}

fn sent_msg(body: &str) -> String {
    format!("<message to='a@example.com' type='chat'><body>{body}</body></message>")
}

const R: &str = "<r xmlns='urn:xmpp:sm:3'/>";

/// Online with stream management enabled (`sm-1`, resumable).
fn online_with_sm() -> Harness {
    let mut h = online_with(|_| {});
    h.expect_sent("<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
    h.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>");
    h
}

#[test]
fn stream_management_counts_and_acknowledges_both_ways() {
    both_ways(|_| {
        let mut h = online_with_sm();
        h.conn.send(msg("m1")).unwrap();
        h.conn.send(msg("m2")).unwrap();
        h.collect();
        // One ack request outstanding at a time.
        h.expect_sent(&format!("{}{R}{}", sent_msg("m1"), sent_msg("m2")));
        assert_eq!(h.conn.unacked_stanzas(), 2);
        h.server("<a xmlns='urn:xmpp:sm:3' h='1'/>");
        h.expect_sent(R); // m2 is still unacknowledged
        assert_eq!(h.conn.unacked_stanzas(), 1);
        h.server("<a xmlns='urn:xmpp:sm:3' h='2'/>");
        h.expect_sent("");
        assert_eq!(h.conn.unacked_stanzas(), 0);
        // Inbound: stanzas handled are counted and reported when asked.
        h.server("<message from='b@example.com/x'><body>1</body></message><presence from='b@example.com/x'/>");
        h.server(R);
        h.expect_sent("<a xmlns='urn:xmpp:sm:3' h='2'/>");
        // An ack for stanzas never sent is an attack or a bug: the stream ends.
        h.server("<a xmlns='urn:xmpp:sm:3' h='7'/>");
        assert!(
            h.take_sent()
                .contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='7' send-count='2'/>")
        );
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Protocol(_))
        ));
    });
}

/// A lost session with m1 acknowledged and m2, m3 not, and one stanza received.
fn lost_session() -> ResumptionState {
    let mut h = online_with_sm();
    for body in ["m1", "m2", "m3"] {
        h.conn.send(msg(body)).unwrap();
    }
    h.server("<a xmlns='urn:xmpp:sm:3' h='1'/>");
    h.server("<message from='b@example.com/x'><body>in</body></message>");
    h.conn.transport_closed(h.now);
    h.collect();
    assert!(matches!(
        h.disconnect_error(),
        Some(ConnectionError::TransportClosed)
    ));
    let state = h.conn.take_resumption().expect("resumable");
    assert_eq!(state.id(), "sm-1");
    assert_eq!(state.jid().as_str(), "user@example.com/r");
    assert_eq!(state.unacked().count(), 2);
    state
}

/// A new connection carrying `state`, negotiated up to the features after authentication.
fn resuming(state: ResumptionState) -> Harness {
    let pki = pki(&["example.com"]);
    let mut config = config("plaintext", &pki);
    config.sasl = SaslConfig::anonymous();
    let mut h = Harness {
        conn: Connection::new(config),
        now: clock_origin(),
        chunk: chunk(),
        pki,
        server_tls: None,
        tls_expected: false,
        raw: Vec::new(),
        sent: String::new(),
        events: Vec::new(),
        transcript: Vec::new(),
    };
    h.conn.resume(state);
    h.conn.connecting();
    h.conn.transport_connected(h.now);
    h.collect();
    h.take_sent();
    h.server(HEADER_IN);
    h.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>",
    );
    h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    h.take_sent();
    h.server(HEADER_IN);
    h.server(
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
         <sm xmlns='urn:xmpp:sm:3'/></stream:features>",
    );
    h
}

#[test]
fn resumption_sends_again_exactly_what_the_server_missed() {
    both_ways(|_| {
        let mut h = resuming(lost_session());
        h.expect_sent("<resume xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>");
        assert_eq!(h.conn.state(), State::Resuming);
        // The server had handled m2 before the connection broke: only m3 goes again.
        h.server("<resumed xmlns='urn:xmpp:sm:3' h='2' previd='sm-1'/>");
        h.expect_sent(&format!("{}{R}", sent_msg("m3")));
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::Online { resumed: true, jid, .. } if jid.as_str() == "user@example.com/r"
        )));
        // Counting goes on from where it was.
        h.server(R);
        h.expect_sent("<a xmlns='urn:xmpp:sm:3' h='1'/>");
        h.server("<a xmlns='urn:xmpp:sm:3' h='3'/>");
        h.expect_sent("");
    });
}

#[test]
fn failed_resumption_reports_what_may_be_lost_and_binds_anew() {
    both_ways(|_| {
        let mut h = resuming(lost_session());
        h.take_sent();
        h.server(
            "<failed xmlns='urn:xmpp:sm:3' h='2'>\
             <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
        );
        let lost: Vec<String> = h
            .events
            .iter()
            .find_map(|e| match e {
                Event::StanzasMaybeLost { stanzas } => {
                    Some(stanzas.iter().map(|s| s.to_string()).collect())
                }
                _ => None,
            })
            .expect("a report");
        // h='2' said m2 arrived: only m3 may be lost.
        assert_eq!(lost.len(), 1);
        assert!(lost[0].contains("m3"), "{lost:?}");
        h.expect_sent(
            "<iq id='t-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        );
    });
}

#[test]
fn a_clean_close_leaves_nothing_to_resume() {
    let mut h = online_with_sm();
    h.conn.send(msg("m1")).unwrap();
    h.conn.close(h.now);
    h.server("</stream:stream>");
    assert!(matches!(
        h.events.last(),
        Some(Event::Disconnected { error: None })
    ));
    assert!(h.conn.take_resumption().is_none());
}

#[test]
fn unclaimed_iq_requests_get_service_unavailable() {
    both_ways(|_| {
        let mut h = online_with(|c| {
            c.stream_management = false;
            c.iq_namespaces = vec!["jabber:iq:version".to_owned()];
        });
        h.expect_sent("");
        h.server(
            "<iq type='get' id='v1' from='juliet@example.com/x'><query xmlns='jabber:iq:version'/></iq>\
             <iq type='set' id='x1' from='juliet@example.com/x'><nope xmlns='urn:example:nope'/></iq>",
        );
        assert!(matches!(
            h.events.as_slice(),
            [Event::Stanza { stanza: Stanza::Iq(iq) }] if iq.id == "v1"
        ));
        h.expect_sent(
            "<iq id='x1' to='juliet@example.com/x' type='error'><error type='cancel'>\
             <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
    });
}
