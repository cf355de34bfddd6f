//! The parser's memory while decoding the corpus: heap bytes live above the baseline (the corpus
//! itself), counted by a global allocator, while the corpus is fed in 4 KiB chunks and every
//! stanza is decoded into its typed form and dropped, as a client that handles stanzas as they
//! come does. Beside it, xmpp-rs (rxml + xso) doing the same.
//!
//! `cargo bench -p openxmpp-bench --bench decode_memory [-- --size-mb N]`
//!
//! Target (issue 8): the parser's own growth ≤ 1 MiB beyond the largest stanza, i.e. the peak
//! above the baseline minus the largest stanza's size.
//!
//! A separate binary from `decode`: counting every allocation slows everything down a little,
//! and the timings there must not pay for it.

use openxmpp_bench::corpus;
use openxmpp_bench::harness::{Args, Table, machine, verdict};
use openxmpp_core::stanza::Stanza;
use openxmpp_core::xml::{StreamEvent, StreamParser};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const CHUNK: usize = 4096;

/// What the allocator saw during one decode.
struct Memory {
    /// The most bytes live at once above the baseline.
    peak: usize,
    /// The most bytes live between stanzas (after a chunk was drained): what the decoder keeps.
    retained_max: usize,
    /// Bytes live once the whole stream was decoded (buffers kept for the next stanza).
    retained_end: usize,
    /// Stanzas decoded, as a check.
    stanzas: u64,
}

fn measure_ours(data: &[u8]) -> Memory {
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let mut parser = StreamParser::new();
    let mut stanzas = 0u64;
    let mut retained_max = 0usize;
    for chunk in data.chunks(CHUNK) {
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(StreamEvent::Stanza(element))) => {
                    if Stanza::try_from(element).is_ok() {
                        stanzas += 1;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("our parser failed: {e}"),
            }
        }
        retained_max = retained_max.max(ALLOC.current_usage().saturating_sub(base));
    }
    let memory = Memory {
        peak: ALLOC.peak_usage().saturating_sub(base),
        retained_max,
        retained_end: ALLOC.current_usage().saturating_sub(base),
        stanzas,
    };
    drop(parser);
    memory
}

fn measure_xmpp_rs(data: &[u8]) -> Memory {
    use xmpp_parsers::stanza::Stanza as XStanza;
    use xso::FromEventsBuilder as _;
    use xso::FromXml as _;
    use xso::exports::rxml::{self, Parse as _};

    type Builder = <Result<XStanza, xso::error::Error> as xso::FromXml>::Builder;
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let mut parser = rxml::Parser::default();
    let mut langs = rxml::xml_lang::XmlLangStack::new();
    let mut builder: Option<Builder> = None;
    let mut in_stream = false;
    let mut stanzas = 0u64;
    let mut retained_max = 0usize;
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
                    Ok(Some(result)) => {
                        builder = None;
                        if result.is_ok() {
                            stanzas += 1;
                        }
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
        retained_max = retained_max.max(ALLOC.current_usage().saturating_sub(base));
    }
    let memory = Memory {
        peak: ALLOC.peak_usage().saturating_sub(base),
        retained_max,
        retained_end: ALLOC.current_usage().saturating_sub(base),
        stanzas,
    };
    drop((parser, langs));
    memory
}

fn kib(n: usize) -> String {
    format!("{:.1}", n as f64 / 1024.0)
}

fn main() {
    let args = Args::from_env();
    let size = match (args.size_mb, args.full) {
        (Some(mb), _) => mb * 1024 * 1024,
        (None, true) => corpus::DEFAULT_SIZE,
        (None, false) => 512 * 1024,
    };
    let c = corpus::generate(corpus::DEFAULT_SEED, size);
    let largest = usize::try_from(c.detail.largest_stanza).unwrap_or(usize::MAX);
    println!("machine: {}", machine());
    println!(
        "decode_memory: corpus of {} bytes, {} stanzas, largest stanza {} bytes; heap bytes \
         live above the corpus, 4 KiB chunks, each stanza typed and dropped",
        c.bytes.len(),
        c.counts.stanzas(),
        largest
    );
    let ours = measure_ours(&c.bytes);
    let theirs = measure_xmpp_rs(&c.bytes);
    let mut table = Table::new(&[
        ("decoder", false),
        ("peak KiB", true),
        ("peak − largest stanza KiB", true),
        ("kept between stanzas (max) KiB", true),
        ("kept at the end KiB", true),
        ("stanzas typed", true),
    ]);
    for (name, m) in [("openxmpp", &ours), ("xmpp-rs xso", &theirs)] {
        table.row(vec![
            name.to_owned(),
            kib(m.peak),
            kib(m.peak.saturating_sub(largest)),
            kib(m.retained_max),
            kib(m.retained_end),
            m.stanzas.to_string(),
        ]);
    }
    println!();
    print!("{}", table.render());
    let growth = ours.peak.saturating_sub(largest);
    println!();
    println!(
        "openxmpp: growth beyond the largest stanza {} KiB (target ≤ 1024 KiB: {})",
        kib(growth),
        verdict(growth <= 1024 * 1024)
    );
    if ours.stanzas != c.counts.stanzas() {
        eprintln!(
            "decode_memory: typed {} stanzas, the corpus has {}",
            ours.stanzas,
            c.counts.stanzas()
        );
        std::process::exit(1);
    }
}
