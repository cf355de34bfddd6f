//! Micro benchmarks (criterion): JID parsing and normalization (ASCII and not, beside the `jid`
//! crate of xmpp-rs where it accepts the input), the SCRAM client computation per mechanism,
//! and XML escaping and unescaping (beside quick-xml's).
//!
//! `cargo bench -p openxmpp-bench --bench micro [-- FILTER]`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use openxmpp_core::jid::Jid;
use openxmpp_core::sasl::{
    ChannelBindings, Mechanism, SaslConfig, SaslSession, ServerOffer, TlsState,
};
use openxmpp_core::xml::{Element, parse_element, write_element};

/// (label, input, whether the `jid` crate accepts it).
const JIDS: &[(&str, &str, bool)] = &[
    ("ascii prepared", "juliet@capulet.example/balcony", true),
    ("ascii to fold", "Juliet@Capulet.Example/Balcony", true),
    ("ascii bare", "romeo@montague.example", true),
    ("non-ascii prepared", "zoë@münchen.example/Büro", true),
    ("non-ascii to fold", "ZOË@MÜNCHEN.Example/Büro", true),
    (
        "emoji nickname",
        "verona@conference.example.org/🦀 Ferris",
        false,
    ),
];

fn jids(c: &mut Criterion) {
    let mut group = c.benchmark_group("jid");
    group.throughput(Throughput::Elements(1));
    for &(label, input, peer_accepts) in JIDS {
        let ours: Jid = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
        black_box(ours);
        group.bench_with_input(BenchmarkId::new("openxmpp", label), input, |b, s| {
            b.iter(|| s.parse::<Jid>())
        });
        if peer_accepts {
            group.bench_with_input(BenchmarkId::new("xmpp-rs jid", label), input, |b, s| {
                b.iter(|| jid::Jid::new(s))
            });
        } else {
            assert!(
                jid::Jid::new(input).is_err(),
                "the jid crate now accepts {input}"
            );
        }
    }
    group.finish();
}

/// A SCRAM exchange: (mechanism, client nonce, server-first, server-final) — RFC 5802 §5 and
/// RFC 7677 §3 test vectors, and a SHA-512 first message with the same salt (no published
/// vector: the exchange stops before verifying the server).
const SCRAM: &[(Mechanism, &str, &str, Option<&str>)] = &[
    (
        Mechanism::ScramSha1,
        "fyko+d2lbbFgONRv9qkxdawL",
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        Some("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
    ),
    (
        Mechanism::ScramSha256,
        "rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        Some("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
    ),
    (
        Mechanism::ScramSha512,
        "rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        None,
    ),
];

/// One client exchange; returns the session (complete when a server-final was given).
fn scram_exchange(
    config: &SaslConfig,
    mechanism: Mechanism,
    nonce: &str,
    server_first: &str,
    server_final: Option<&str>,
) -> SaslSession {
    let offer = ServerOffer::new([mechanism.name()]);
    let tls = TlsState::encrypted(ChannelBindings::new());
    let mut session = SaslSession::new(mechanism, &offer, &tls, config)
        .and_then(|s| s.with_client_nonce(nonce))
        .unwrap_or_else(|e| panic!("{}: {e}", mechanism.name()));
    let steps = session
        .initial_response()
        .and_then(|_| session.step(server_first.as_bytes()));
    black_box(steps.unwrap_or_else(|e| panic!("{}: {e}", mechanism.name())));
    if let Some(last) = server_final {
        session
            .finish(Some(last.as_bytes()))
            .unwrap_or_else(|e| panic!("{}: {e}", mechanism.name()));
    }
    session
}

fn scram(c: &mut Criterion) {
    let mut group = c.benchmark_group("scram");
    group.sample_size(20);
    let password = SaslConfig::password("user", "pencil");
    for &(mechanism, nonce, first, last) in SCRAM {
        group.bench_function(
            BenchmarkId::new("client exchange, i=4096", mechanism.name()),
            |b| b.iter(|| scram_exchange(&password, mechanism, nonce, first, last)),
        );
        // The keys a verified exchange leaves skip PBKDF2 on the next login.
        if last.is_some() {
            let session = scram_exchange(&password, mechanism, nonce, first, last);
            let Some(keys) = session.scram_keys().cloned() else {
                panic!("{}: no keys after a verified exchange", mechanism.name());
            };
            let cached = SaslConfig::password("user", "pencil").with_scram_keys(keys);
            group.bench_function(
                BenchmarkId::new("client exchange, cached keys", mechanism.name()),
                |b| b.iter(|| scram_exchange(&cached, mechanism, nonce, first, last)),
            );
        }
    }
    group.finish();
}

/// 1 KiB texts: (label, text).
fn texts() -> Vec<(&'static str, String)> {
    let fill = |unit: &str| unit.repeat(1024 / unit.len() + 1)[..1024].to_owned();
    let mut heavy = fill("a<b & c>d \"e\" ");
    heavy.truncate(1024);
    let mut non_ascii = "Grüße, Привет, 今日は 😀 ".repeat(40);
    while non_ascii.len() > 1024 {
        non_ascii.pop();
    }
    vec![
        (
            "plain ascii",
            fill("The quick brown fox jumps over the lazy dog. "),
        ),
        ("many escapes", heavy),
        ("non-ascii", non_ascii),
    ]
}

fn escaping(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml escape");
    for (label, text) in texts() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        let element = Element::builder("body", "jabber:client")
            .text(text.clone())
            .build();
        let mut out = Vec::with_capacity(4096);
        group.bench_function(BenchmarkId::new("openxmpp write_element", label), |b| {
            b.iter(|| {
                out.clear();
                write_element(&element, &mut out);
                out.len()
            })
        });
        group.bench_function(BenchmarkId::new("quick-xml escape", label), |b| {
            b.iter(|| quick_xml::escape::escape(text.as_str()).len())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("xml unescape");
    for (label, text) in texts() {
        let mut escaped = Vec::new();
        write_element(
            &Element::builder("body", "jabber:client").text(text).build(),
            &mut escaped,
        );
        let escaped = String::from_utf8(escaped).unwrap_or_default();
        let inner_start = escaped.find('>').map_or(0, |i| i + 1);
        let inner_end = escaped.rfind("</").unwrap_or(escaped.len());
        let inner = escaped[inner_start..inner_end].to_owned();
        group.throughput(Throughput::Bytes(inner.len() as u64));
        group.bench_function(BenchmarkId::new("openxmpp parse_element", label), |b| {
            b.iter(|| parse_element(&escaped).map(|e| e.text().len()))
        });
        group.bench_function(BenchmarkId::new("quick-xml unescape", label), |b| {
            b.iter(|| quick_xml::escape::unescape(&inner).map(|s| s.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, jids, scram, escaping);
criterion_main!(benches);
