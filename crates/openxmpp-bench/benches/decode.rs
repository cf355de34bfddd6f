//! Decode throughput: the seeded ~50 MB server-to-client corpus, fed in 4 KiB chunks, decoded
//! into typed stanzas; beside quick-xml's raw event reader over the same bytes (the practical
//! limit: tokens only, no tree, no namespaces, no checks) and xmpp-rs, in the same run.
//!
//! `cargo bench -p openxmpp-bench --bench decode [-- --rounds N --size-mb N]`
//!
//! Every contender reports the stanzas it found (and the typed ones the body bytes) and the run
//! stops if any count differs from what the generator wrote. Targets (issue 8): ≥ 150 MB/s,
//! ≥ 6× xmpp-rs, ≥ 0.5× quick-xml raw.

use openxmpp_bench::corpus::{self, Corpus, Counts};
use openxmpp_bench::harness::{
    Args, Contender, Table, machine, mb_per_s, measure, select, verdict,
};
use openxmpp_core::stanza::Stanza;
use openxmpp_core::xml::{StreamEvent, StreamParser};

const CHUNK: usize = 4096;

/// What a contender found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    counts: Counts,
    /// Whether `body_bytes` was counted (raw tokenizing does not unescape).
    bodies: bool,
    /// Stanzas the typed layer refused.
    refused: u64,
}

/// Ours: the core's `StreamParser` to `Element`s, then `Stanza::try_from` (message, presence,
/// IQ with their JIDs parsed and prepared).
fn ours_typed(data: &[u8]) -> Found {
    let mut counts = Counts::default();
    let mut refused = 0;
    let mut parser = StreamParser::new();
    for chunk in data.chunks(CHUNK) {
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(StreamEvent::Stanza(element))) => match Stanza::try_from(element) {
                    Ok(Stanza::Message(m)) => {
                        counts.messages += 1;
                        counts.body_bytes +=
                            m.bodies.iter().map(|b| b.text.len() as u64).sum::<u64>();
                    }
                    Ok(Stanza::Presence(_)) => counts.presences += 1,
                    Ok(Stanza::Iq(_)) => counts.iqs += 1,
                    Err(e) => {
                        eprintln!("ours refused a stanza: {e}");
                        refused += 1;
                    }
                },
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("our parser failed: {e}"),
            }
        }
    }
    Found {
        counts,
        bodies: true,
        refused,
    }
}

/// Ours, elements only: the same parser without the typed layer (where the time goes).
fn ours_elements(data: &[u8]) -> Found {
    let mut counts = Counts::default();
    let mut parser = StreamParser::new();
    for chunk in data.chunks(CHUNK) {
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(StreamEvent::Stanza(element))) => match element.name() {
                    "message" => {
                        counts.messages += 1;
                        counts.body_bytes += element
                            .children()
                            .filter(|c| c.is("body", "jabber:client"))
                            .map(|b| b.text().len() as u64)
                            .sum::<u64>();
                    }
                    "presence" => counts.presences += 1,
                    "iq" => counts.iqs += 1,
                    _ => {}
                },
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("our parser failed: {e}"),
            }
        }
    }
    Found {
        counts,
        bodies: true,
        refused: 0,
    }
}

/// quick-xml's raw events over the whole slice (borrowed, no copies): the tokenizer our parser
/// is built on, without anything on top. Counts first-level start tags.
fn quick_xml_raw(data: &[u8]) -> Found {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(data);
    reader.config_mut().check_end_names = false;
    let mut counts = Counts::default();
    let mut depth = 0u32;
    let count = |name: &str, counts: &mut Counts| match name {
        "message" => counts.messages += 1,
        "presence" => counts.presences += 1,
        "iq" => counts.iqs += 1,
        _ => {}
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 1 {
                    count(e.name().as_ref(), &mut counts);
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                if depth == 1 {
                    count(e.name().as_ref(), &mut counts);
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(other) => {
                std::hint::black_box(other);
            }
            Err(e) => panic!("quick-xml failed: {e}"),
        }
    }
    Found {
        counts,
        bodies: false,
        refused: 0,
    }
}

/// xmpp-rs as tokio-xmpp 6 reads a stream: rxml's push parser, fed in 4 KiB chunks, and
/// xmpp-parsers' `Stanza` built straight from the events by xso.
fn xmpp_rs_xso(data: &[u8]) -> Found {
    use xmpp_parsers::stanza::Stanza as XStanza;
    use xso::FromEventsBuilder as _;
    use xso::FromXml as _;
    use xso::exports::rxml::{self, Parse as _};

    type Builder = <Result<XStanza, xso::error::Error> as xso::FromXml>::Builder;
    let mut parser = rxml::Parser::default();
    // The effective xml:lang for each event, as tokio-xmpp tracks it.
    let mut langs = rxml::xml_lang::XmlLangStack::new();
    let mut builder: Option<Builder> = None;
    let mut in_stream = false;
    let mut counts = Counts::default();
    let mut refused = 0;
    for chunk in data.chunks(CHUNK) {
        let mut buf = chunk;
        loop {
            let event = match parser.parse(&mut buf, false) {
                Ok(Some(event)) => event,
                Ok(None) | Err(rxml::error::EndOrError::NeedMoreData) => break,
                Err(rxml::error::EndOrError::Error(e)) => panic!("rxml failed: {e}"),
            };
            langs.handle_event(&event);
            let ctx = xso::Context::empty().with_language(langs.current());
            if let Some(b) = &mut builder {
                match b.feed(event, &ctx) {
                    Ok(None) => {}
                    Ok(Some(Ok(stanza))) => {
                        builder = None;
                        match stanza {
                            XStanza::Message(m) => {
                                counts.messages += 1;
                                counts.body_bytes +=
                                    m.bodies.values().map(|b| b.len() as u64).sum::<u64>();
                            }
                            XStanza::Presence(_) => counts.presences += 1,
                            XStanza::Iq(_) => counts.iqs += 1,
                        }
                    }
                    Ok(Some(Err(_))) => {
                        builder = None;
                        refused += 1;
                    }
                    Err(e) => panic!("xso failed: {e}"),
                }
                continue;
            }
            match event {
                rxml::Event::StartElement(_, name, attrs) if in_stream => {
                    builder = Some(
                        <Result<XStanza, xso::error::Error>>::from_events(name, attrs, &ctx)
                            .unwrap_or_else(|_| panic!("xso: not a stanza")),
                    );
                }
                rxml::Event::StartElement(..) => in_stream = true,
                _ => {}
            }
        }
    }
    Found {
        counts,
        bodies: true,
        refused,
    }
}

/// xmpp-rs as tokio-xmpp up to 4 read a stream: rxml's raw parser, minidom's tree builder,
/// then xmpp-parsers' `TryFrom<minidom::Element>`.
fn xmpp_rs_minidom(data: &[u8]) -> Found {
    use minidom::tree_builder::TreeBuilder;
    use rxml::Parse as _;
    use xmpp_parsers::{iq::Iq, message::Message, presence::Presence};

    let mut parser = rxml::RawParser::default();
    let mut tree = TreeBuilder::new();
    let mut counts = Counts::default();
    let mut refused = 0;
    for chunk in data.chunks(CHUNK) {
        let mut buf = chunk;
        loop {
            let event = match parser.parse(&mut buf, false) {
                Ok(Some(event)) => event,
                Ok(None) | Err(rxml::error::EndOrError::NeedMoreData) => break,
                Err(rxml::error::EndOrError::Error(e)) => panic!("rxml failed: {e}"),
            };
            let closes = matches!(event, rxml::RawEvent::ElementFoot(_));
            tree.process_event(event)
                .unwrap_or_else(|e| panic!("minidom failed: {e}"));
            if !(closes && tree.depth() == 1) {
                continue;
            }
            let Some(element) = tree.unshift_child() else {
                continue;
            };
            let ok = match element.name() {
                "message" => Message::try_from(element).map(|m| {
                    counts.messages += 1;
                    counts.body_bytes += m.bodies.values().map(|b| b.len() as u64).sum::<u64>();
                }),
                "presence" => Presence::try_from(element).map(|_| counts.presences += 1),
                "iq" => Iq::try_from(element).map(|_| counts.iqs += 1),
                _ => Ok(()),
            };
            if ok.is_err() {
                refused += 1;
            }
        }
    }
    Found {
        counts,
        bodies: true,
        refused,
    }
}

fn main() {
    let args = Args::from_env();
    let size = match (args.size_mb, args.full) {
        (Some(mb), _) => mb * 1024 * 1024,
        (None, true) => corpus::DEFAULT_SIZE,
        (None, false) => 512 * 1024,
    };
    let rounds = args.rounds.unwrap_or(if args.full { 7 } else { 1 });
    let Corpus {
        bytes,
        counts: expected,
        detail,
    } = corpus::generate(corpus::DEFAULT_SEED, size);
    println!("machine: {}", machine());
    println!(
        "corpus: {} bytes (seed {:#x}); {} stanzas: {} messages, {} presences, {} IQs; \
         {} body bytes",
        bytes.len(),
        corpus::DEFAULT_SEED,
        expected.stanzas(),
        expected.messages,
        expected.presences,
        expected.iqs,
        expected.body_bytes
    );
    println!(
        "  mix: {} chat, {} groupchat, {} carbons, {} MAM results, {} MAM fins, {} presences, \
         {} MUC presences, {} roster pushes, {} disco#info results, {} stanzas ≥ 10 KB \
         (largest {} bytes), {} references, {} senders with post-Unicode-3.2 emoji nicknames",
        detail.chat_messages,
        detail.groupchat_messages,
        detail.carbons,
        detail.mam_results,
        detail.mam_fins,
        detail.contact_presences,
        detail.muc_presences,
        detail.roster_pushes,
        detail.disco_results,
        detail.large_stanzas,
        detail.largest_stanza,
        detail.references,
        detail.modern_emoji_senders,
    );
    println!("decode: {rounds} timed rounds after a warm-up, contenders interleaved, 4 KiB chunks");

    let data = bytes.as_slice();
    let mut contenders = select(
        &args,
        vec![
            Contender::new("openxmpp typed", || ours_typed(data)),
            Contender::new("openxmpp elements", || ours_elements(data)),
            Contender::new("quick-xml raw", || quick_xml_raw(data)),
            Contender::new("xmpp-rs xso", || xmpp_rs_xso(data)),
            Contender::new("xmpp-rs minidom", || xmpp_rs_minidom(data)),
        ],
    );
    let mut found: Vec<(&'static str, Found)> = Vec::new();
    let results = measure(rounds, &mut contenders, |name, f| {
        if !found.iter().any(|(n, _)| *n == name) {
            found.push((name, f));
        }
    });

    let mut failed = false;
    let mut table = Table::new(&[
        ("decoder", false),
        ("median ms", true),
        ("min ms", true),
        ("wall MB/s", true),
        ("CPU ms", true),
        ("CPU MB/s", true),
        ("messages", true),
        ("presences", true),
        ("IQs", true),
        ("body bytes", true),
        ("refused", true),
        ("counts", false),
    ]);
    let speed = |name: &str| {
        results
            .iter()
            .find(|r| r.name == name)
            .map_or(0.0, |r| mb_per_s(data.len() as u64, r.cpu_median()))
    };
    let wall_speed = |name: &str| {
        results
            .iter()
            .find(|r| r.name == name)
            .map_or(0.0, |r| mb_per_s(data.len() as u64, r.median()))
    };
    for r in &results {
        let Some((_, f)) = found.iter().find(|(n, _)| *n == r.name) else {
            continue;
        };
        // A stringprep JID parser refuses the stanzas from emoji nicknames newer than
        // Unicode 3.2: those are the expected refusals, and their bodies are missing.
        let expected_refusals = if r.name.starts_with("xmpp-rs") {
            detail.modern_emoji_senders
        } else {
            0
        };
        let ok = f.counts.stanzas() + f.refused == expected.stanzas()
            && f.refused == expected_refusals
            && (!f.bodies || f.refused > 0 || f.counts.body_bytes == expected.body_bytes)
            && f.counts.body_bytes <= expected.body_bytes;
        failed |= !ok;
        table.row(vec![
            r.name.to_owned(),
            format!("{:.1}", r.median().as_secs_f64() * 1e3),
            format!("{:.1}", r.min().as_secs_f64() * 1e3),
            format!("{:.1}", wall_speed(r.name)),
            format!("{:.1}", r.cpu_median().as_secs_f64() * 1e3),
            format!("{:.1}", speed(r.name)),
            f.counts.messages.to_string(),
            f.counts.presences.to_string(),
            f.counts.iqs.to_string(),
            if f.bodies {
                f.counts.body_bytes.to_string()
            } else {
                "-".to_owned()
            },
            f.refused.to_string(),
            if ok { "ok" } else { "WRONG" }.to_owned(),
        ]);
    }
    println!();
    print!("{}", table.render());

    let ours = speed("openxmpp typed");
    let raw = ours / speed("quick-xml raw");
    let xso = ours / speed("xmpp-rs xso");
    let minidom = ours / speed("xmpp-rs minidom");
    println!();
    println!(
        "ratios and MB/s from the decoding thread's CPU time (median); wall: {:.1} MB/s, \
         × quick-xml raw {:.2}, × xmpp-rs xso {:.2}",
        wall_speed("openxmpp typed"),
        wall_speed("openxmpp typed") / wall_speed("quick-xml raw"),
        wall_speed("openxmpp typed") / wall_speed("xmpp-rs xso"),
    );
    println!(
        "openxmpp typed: {ours:.1} MB/s (target ≥ 150: {})",
        verdict(ours >= 150.0)
    );
    println!(
        "  × quick-xml raw: {raw:.2} (target ≥ 0.5: {})",
        verdict(raw >= 0.5)
    );
    println!(
        "  × xmpp-rs (rxml + xso, tokio-xmpp 6): {xso:.2} (target ≥ 6: {})",
        verdict(xso >= 6.0)
    );
    println!("  × xmpp-rs (rxml + minidom + TryFrom): {minidom:.2}");
    println!(
        "  typed layer share: elements alone {:.1} MB/s",
        speed("openxmpp elements")
    );
    if failed {
        eprintln!("decode: a decoder's counts differ from the corpus's");
        std::process::exit(1);
    }
}
