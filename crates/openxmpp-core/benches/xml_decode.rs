//! XML decoding throughput: the core's `StreamParser` (bytes in 4 KiB chunks to elements)
//! beside raw quick-xml event reading of the same bytes, in the same run. Run with
//! `cargo bench -p openxmpp-core --bench xml_decode`; compare the two throughputs as a ratio.
//! (The full corpus and the peers' parsers come with the benchmarks issue.)

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openxmpp_core::xml::StreamParser;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='capulet.example' \
    id='s1' xml:lang='en'>";

/// A realistic client stream: chat messages, presences with caps, roster pushes and results.
fn corpus(stanzas: usize) -> Vec<u8> {
    let mut out = HEADER.as_bytes().to_vec();
    let mut i = 0;
    while i < stanzas {
        let s = format!(
            "<message from='romeo{i}@montague.example/orchard' to='juliet@capulet.example/balcony' \
             type='chat' id='msg-{i}'><body>Art thou not Romeo, and a Montague? Ça va &amp; \
             &lt;3 — 日本語のテキスト 😀 number {i}</body><active \
             xmlns='http://jabber.org/protocol/chatstates'/><origin-id xmlns='urn:xmpp:sid:0' \
             id='3b9a-{i}'/><markable xmlns='urn:xmpp:chat-markers:0'/></message>\n\
             <presence from='mercutio{i}@example.org/laptop' to='juliet@capulet.example'>\
             <show>away</show><status>Out for a walk</status><priority>5</priority>\
             <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.org' \
             ver='QgayPKawpkPSDYmwT/WM94uAlu0='/><delay xmlns='urn:xmpp:delay' \
             from='example.org' stamp='2002-09-10T23:41:07Z'/></presence>\n"
        );
        out.extend_from_slice(s.as_bytes());
        if i % 10 == 0 {
            out.extend_from_slice(
                b"<iq type='result' id='roster-1' to='juliet@capulet.example'>\
                <query xmlns='jabber:iq:roster' ver='ver7'>",
            );
            for j in 0..20 {
                out.extend_from_slice(
                    format!(
                        "<item jid='contact{j}@example.net' name='Contact {j}' \
                         subscription='both'><group>Friends</group></item>"
                    )
                    .as_bytes(),
                );
            }
            out.extend_from_slice(b"</query></iq>\n");
        }
        i += 2;
    }
    out
}

fn decode(c: &mut Criterion) {
    let data = corpus(4_000);
    let mut group = c.benchmark_group("xml_decode");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("quick_xml_raw_events", |b| {
        b.iter(|| {
            let mut reader = quick_xml::Reader::from_reader(data.as_slice());
            reader.config_mut().check_end_names = false;
            let mut n = 0usize;
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(event) => {
                        n += 1;
                        std::hint::black_box(event);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            n
        })
    });
    group.bench_function("stream_parser_4k_chunks", |b| {
        b.iter(|| {
            let mut parser = StreamParser::new();
            let mut n = 0usize;
            for chunk in data.chunks(4096) {
                parser.feed(chunk);
                while let Some(event) = parser.next_event().unwrap() {
                    n += 1;
                    std::hint::black_box(event);
                }
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
