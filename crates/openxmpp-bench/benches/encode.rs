//! Encode throughput: 1,000,000 small chat messages built as each library's typed message and
//! serialized into a send buffer, beside a hand-written quick-xml writer (no typed message: the
//! practical limit) and xmpp-rs, in the same run.
//!
//! `cargo bench -p openxmpp-bench --bench encode [-- --rounds N]`
//!
//! Every contender gets the same recipients (parsed JIDs of its own library, cloned per
//! message as a typed message owns its addresses), ids and bodies, and writes into a buffer that
//! is handed on (cleared) every 64 KiB, as a connection's transmit buffer would be. Targets
//! (issue 8): ≥ 250 MB/s and ≥ 0.75× the quick-xml writer.

use openxmpp_bench::harness::{
    Args, Contender, Table, machine, mb_per_s, measure, select, verdict,
};

/// Where a contender's output goes; "sends" (clears) every 64 KiB.
struct Sink {
    buf: Vec<u8>,
    total: u64,
    /// A checksum over the output, so the compiler cannot skip writing it.
    check: u64,
}

impl Sink {
    fn new() -> Self {
        Sink {
            buf: Vec::with_capacity(80 * 1024),
            total: 0,
            check: 0,
        }
    }

    #[inline]
    fn flush_if_full(&mut self) {
        if self.buf.len() >= 64 * 1024 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.total += self.buf.len() as u64;
        self.check = self
            .check
            .wrapping_mul(31)
            .wrapping_add(self.buf.iter().map(|&b| u64::from(b)).sum::<u64>());
        self.buf.clear();
    }
}

/// What the contenders serialize.
struct Inputs {
    recipients: Vec<String>,
    ids: Vec<String>,
    bodies: Vec<String>,
}

impl Inputs {
    fn new(messages: usize) -> Self {
        let recipients = (0..100)
            .map(|i| match i % 10 {
                0 => format!("zoë{i}@münchen.example/phone"),
                1 => format!("user{i}@example.org"),
                _ => format!("contact{i}@example.org/Gajim.x{i:02}"),
            })
            .collect();
        let ids = (0..messages).map(|i| format!("m-{i:x}")).collect();
        let words = [
            "hi",
            "are you there?",
            "see you at 8",
            "ok 👍",
            "Ça va ?",
            "Grüße aus München",
            "a < b && c > d",
            "the build is green",
            "fish & chips",
            "今日はいい天気ですね",
            "can you send the slides?",
            "lol",
        ];
        let bodies = (0..64)
            .map(|i| {
                let mut s = String::new();
                for j in 0..(1 + i % 6) {
                    if j > 0 {
                        s.push(' ');
                    }
                    s.push_str(words[(i * 7 + j * 3) % words.len()]);
                }
                s
            })
            .collect();
        Inputs {
            recipients,
            ids,
            bodies,
        }
    }

    fn body(&self, i: usize) -> &str {
        &self.bodies[i % self.bodies.len()]
    }
}

/// Ours: `Message::chat(to, body).with_id(id)`, into an `Element`, written as a stanza of a
/// `jabber:client` stream (what `Connection::send` does).
fn ours(inputs: &Inputs) -> (u64, u64) {
    use openxmpp_core::jid::Jid;
    use openxmpp_core::stanza::Message;
    use openxmpp_core::xml::{Element, ns, write_stanza};

    let to: Vec<Jid> = inputs
        .recipients
        .iter()
        .map(|r| r.parse().unwrap_or_else(|e| panic!("{r}: {e}")))
        .collect();
    let mut sink = Sink::new();
    for (i, id) in inputs.ids.iter().enumerate() {
        let message = Message::chat(to[i % to.len()].clone(), inputs.body(i)).with_id(id.as_str());
        write_stanza(&Element::from(message), ns::CLIENT, &mut sink.buf);
        sink.flush_if_full();
    }
    sink.flush();
    (sink.total, sink.check)
}

/// A hand-written quick-xml writer: events straight from the strings, no typed message.
fn quick_xml_writer(inputs: &Inputs) -> (u64, u64) {
    use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

    let mut sink = Sink::new();
    for (i, id) in inputs.ids.iter().enumerate() {
        let to = &inputs.recipients[i % inputs.recipients.len()];
        let mut writer = quick_xml::Writer::new(&mut sink.buf);
        let mut start = BytesStart::new("message");
        start.push_attribute(("id", id.as_str()));
        start.push_attribute(("to", to.as_str()));
        start.push_attribute(("type", "chat"));
        let written = writer
            .write_event(Event::Start(start))
            .and_then(|()| writer.write_event(Event::Start(BytesStart::new("body"))))
            .and_then(|()| writer.write_event(Event::Text(BytesText::new(inputs.body(i)))))
            .and_then(|()| writer.write_event(Event::End(BytesEnd::new("body"))))
            .and_then(|()| writer.write_event(Event::End(BytesEnd::new("message"))));
        if let Err(e) = written {
            panic!("quick-xml: {e}");
        }
        sink.flush_if_full();
    }
    sink.flush();
    (sink.total, sink.check)
}

fn xmpp_rs_message(to: &jid::Jid, id: &str, body: &str) -> xmpp_parsers::message::Message {
    use xmpp_parsers::message::{Id, Lang, Message};
    let mut message = Message::chat(Some(to.clone()));
    message.id = Some(Id(id.to_owned()));
    message.bodies.insert(Lang::new(), body.to_owned());
    message
}

fn xmpp_rs_recipients(inputs: &Inputs) -> Vec<jid::Jid> {
    inputs
        .recipients
        .iter()
        .map(|r| jid::Jid::new(r).unwrap_or_else(|e| panic!("{r}: {e}")))
        .collect()
}

/// xmpp-rs as tokio-xmpp 6 sends: xmpp-parsers' `Message`, its xso items through rxml's encoder
/// (inside an open `<stream:stream>`, so the stanza carries no `xmlns`).
fn xmpp_rs_xso(inputs: &Inputs) -> (u64, u64) {
    use std::borrow::Cow;
    use xso::AsXml as _;
    use xso::exports::rxml::writer::TrackNamespace as _;
    use xso::exports::rxml::{self, Namespace, bytes::BytesMut, xml_ncname};

    let to = xmpp_rs_recipients(inputs);
    let mut encoder = rxml::writer::Encoder::<rxml::writer::SimpleNamespaces>::new();
    encoder.ns_tracker_mut().declare_fixed(
        Some(xml_ncname!("stream")),
        "http://etherx.jabber.org/streams".into(),
    );
    encoder
        .ns_tracker_mut()
        .declare_fixed(None, "jabber:client".into());
    let mut out = BytesMut::with_capacity(80 * 1024);
    for item in [
        xso::Item::XmlDeclaration(rxml::XmlVersion::V1_0),
        xso::Item::ElementHeadStart(
            Namespace::from("http://etherx.jabber.org/streams"),
            Cow::Borrowed(xml_ncname!("stream")),
        ),
        xso::Item::ElementHeadEnd,
    ] {
        if let Err(e) = encoder.encode_into_bytes(item.as_rxml_item(), &mut out) {
            panic!("rxml: {e}");
        }
    }
    out.clear();
    let mut sink = Sink::new();
    for (i, id) in inputs.ids.iter().enumerate() {
        let message = xmpp_rs_message(&to[i % to.len()], id, inputs.body(i));
        let items = message.as_xml_iter().unwrap_or_else(|e| panic!("xso: {e}"));
        for item in items {
            let item = item.unwrap_or_else(|e| panic!("xso: {e}"));
            if let Err(e) = encoder.encode_into_bytes(item.as_rxml_item(), &mut out) {
                panic!("rxml: {e}");
            }
        }
        if out.len() >= 64 * 1024 {
            sink.buf.extend_from_slice(&out);
            out.clear();
            sink.flush();
        }
    }
    sink.buf.extend_from_slice(&out);
    sink.flush();
    (sink.total, sink.check)
}

/// xmpp-rs through minidom: `Message` into a `minidom::Element`, written with `write_to`.
fn xmpp_rs_minidom(inputs: &Inputs) -> (u64, u64) {
    let to = xmpp_rs_recipients(inputs);
    let mut sink = Sink::new();
    for (i, id) in inputs.ids.iter().enumerate() {
        let message = xmpp_rs_message(&to[i % to.len()], id, inputs.body(i));
        let element = minidom::Element::from(message);
        if let Err(e) = element.write_to(&mut sink.buf) {
            panic!("minidom: {e}");
        }
        sink.flush_if_full();
    }
    sink.flush();
    (sink.total, sink.check)
}

fn main() {
    let args = Args::from_env();
    let messages = if args.full { 1_000_000 } else { 10_000 };
    let rounds = args.rounds.unwrap_or(if args.full { 7 } else { 1 });
    let inputs = Inputs::new(messages);
    println!("machine: {}", machine());
    println!(
        "encode: {messages} chat messages ({} recipients, {} bodies of {}–{} bytes); {rounds} \
         timed rounds after a warm-up, contenders interleaved",
        inputs.recipients.len(),
        inputs.bodies.len(),
        inputs.bodies.iter().map(String::len).min().unwrap_or(0),
        inputs.bodies.iter().map(String::len).max().unwrap_or(0),
    );

    // A sample of each, to show they write the same stanza.
    {
        let one = Inputs {
            recipients: vec![inputs.recipients[2].clone()],
            ids: vec!["m-0".to_owned()],
            bodies: vec!["fish & chips <3".to_owned()],
        };
        let mut ours_out = Vec::new();
        let msg = openxmpp_core::stanza::Message::chat(
            one.recipients[0].parse().unwrap_or_else(|e| panic!("{e}")),
            one.body(0),
        )
        .with_id("m-0");
        openxmpp_core::xml::write_stanza(
            &openxmpp_core::xml::Element::from(msg),
            openxmpp_core::xml::ns::CLIENT,
            &mut ours_out,
        );
        println!("sample (ours): {}", String::from_utf8_lossy(&ours_out));
    }

    let mut contenders = select(
        &args,
        vec![
            Contender::new("openxmpp", || ours(&inputs)),
            Contender::new("quick-xml writer", || quick_xml_writer(&inputs)),
            Contender::new("xmpp-rs xso", || xmpp_rs_xso(&inputs)),
            Contender::new("xmpp-rs minidom", || xmpp_rs_minidom(&inputs)),
        ],
    );
    let mut outputs: Vec<(&'static str, u64)> = Vec::new();
    let results = measure(rounds, &mut contenders, |name, (bytes, _check)| {
        if !outputs.iter().any(|(n, _)| *n == name) {
            outputs.push((name, bytes));
        }
    });
    let bytes_of = |name: &str| {
        outputs
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, b)| *b)
    };
    let time_of = |name: &str| {
        results
            .iter()
            .find(|r| r.name == name)
            .map_or(0.0, |r| r.cpu_median().as_secs_f64())
    };
    let mut table = Table::new(&[
        ("encoder", false),
        ("median ms", true),
        ("min ms", true),
        ("output bytes", true),
        ("wall MB/s", true),
        ("CPU ms", true),
        ("CPU MB/s", true),
        ("CPU ns/message", true),
    ]);
    for r in &results {
        let bytes = bytes_of(r.name);
        table.row(vec![
            r.name.to_owned(),
            format!("{:.1}", r.median().as_secs_f64() * 1e3),
            format!("{:.1}", r.min().as_secs_f64() * 1e3),
            bytes.to_string(),
            format!("{:.1}", mb_per_s(bytes, r.median())),
            format!("{:.1}", r.cpu_median().as_secs_f64() * 1e3),
            format!("{:.1}", mb_per_s(bytes, r.cpu_median())),
            format!(
                "{:.0}",
                r.cpu_median().as_secs_f64() * 1e9 / messages as f64
            ),
        ]);
    }
    println!();
    print!("{}", table.render());
    let ours_mb = bytes_of("openxmpp") as f64 / 1e6 / time_of("openxmpp");
    // Ratios of messages per second: the outputs differ by a few bytes (quotes, xmlns).
    let vs_quick = time_of("quick-xml writer") / time_of("openxmpp");
    let vs_xso = time_of("xmpp-rs xso") / time_of("openxmpp");
    let vs_minidom = time_of("xmpp-rs minidom") / time_of("openxmpp");
    println!();
    println!("ratios and MB/s from the encoding thread's CPU time (median)");
    println!(
        "openxmpp: {ours_mb:.1} MB/s (target ≥ 250: {})",
        verdict(ours_mb >= 250.0)
    );
    println!(
        "  × quick-xml writer (messages/s): {vs_quick:.2} (target ≥ 0.75: {})",
        verdict(vs_quick >= 0.75)
    );
    println!("  × xmpp-rs (xso + rxml encoder, tokio-xmpp 6): {vs_xso:.2}");
    println!("  × xmpp-rs (minidom write_to): {vs_minidom:.2}");
}
