//! The bodies of openXMPP's fuzz targets, one function per target.
//!
//! They build on stable: the libFuzzer entry points in `fuzz_targets/` (nightly, `cargo fuzz`)
//! only call them, and this crate's tests run them over the seed corpora in `seeds/`, so that
//! stable CI checks every seed still passes (`cargo xtask test`).
//!
//! Every target checks more than "no panic": it asserts a property that must hold for any
//! input, and a failed assertion is a finding like a crash.
//!
//! - [`stream_parser`]: the incremental stream parser gives the same events (and the same
//!   refusal) whatever the chunking, and keeps its buffer within the stanza size limit.
//! - [`jid`]: preparing an address is idempotent; the parts agree with the whole.
//! - [`stanza`]: typed stanzas and every IM payload type read from an element write back to an
//!   element that reads back the same; the IM session digests the stanza.
//! - [`sasl`]: the SASL client fed server challenges and outcomes: an exchange ends in success
//!   only through the mechanism's own verification, and after an error nothing goes on.
//! - [`connection`]: the client connection fed a server's bytes: negotiation and the online
//!   session, with the invariants of its event stream.
//!
//! # Input formats
//!
//! `stream_parser` and `connection` take a chunking prefix (see [`split_chunks`]): the first
//! byte's low 3 bits `n` say how many chunk-size bytes follow (0: one byte at a time), bit 3
//! chooses small parser limits, bit 4 (`connection` only) SASL ANONYMOUS instead of a
//! password; the rest is the stream. `sasl` takes a selector byte (see
//! [`sasl`]) and then server messages separated by `0xFF`. `jid` and `stanza` take the text.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use openxmpp_core::connection::{Connection, ConnectionConfig, Event, State, TlsMode};
use openxmpp_core::jid::{BareJid, FullJid, Jid};
use openxmpp_core::sasl::{
    ChannelBindings, Mechanism, SaslConfig, SaslError, SaslSession, ServerOffer, TlsState,
};
use openxmpp_core::stanza::{Iq, Message, Presence, Stanza};
use openxmpp_core::xml::{
    Element, ParserLimits, StreamEvent, StreamParser, XmlError, parse_element,
};

/// The SCRAM client nonce the targets use, the one of RFC 5802's example and of the
/// connection's transcript tests, so that seeds taken from those transcripts run the whole
/// exchange.
pub const CLIENT_NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";

/// The SASL message separator in `sasl` inputs (never in UTF-8 text).
pub const SASL_SEPARATOR: u8 = 0xFF;

/// Small limits, so that inputs of a few kilobytes reach every limit.
pub const SMALL_LIMITS: ParserLimits = ParserLimits {
    max_stanza_size: 512,
    max_depth: 8,
    max_attributes: 8,
    max_namespace_bindings: 16,
};

/// The flag of a chunking prefix choosing [`SMALL_LIMITS`].
pub const FLAG_SMALL_LIMITS: u8 = 8;
/// The flag of a chunking prefix choosing SASL ANONYMOUS (`connection`).
pub const FLAG_ANONYMOUS: u8 = 16;

/// Splits a chunking prefix from `data`: the chunk sizes to feed the rest in (cycled), the
/// flags (the first byte without its low 3 bits) and the stream bytes.
pub fn split_chunks(data: &[u8]) -> (Vec<usize>, u8, &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return (vec![1], 0, &[]);
    };
    let count = usize::from(first & 7).min(rest.len());
    let flags = first & !7;
    let (sizes, stream) = rest.split_at(count);
    let sizes = if sizes.is_empty() {
        vec![1]
    } else {
        sizes.iter().map(|&b| usize::from(b) + 1).collect()
    };
    (sizes, flags, stream)
}

/// Feeds `stream` to `feed` in chunks of the given sizes, cycled.
fn for_each_chunk<'a>(stream: &'a [u8], sizes: &[usize], mut feed: impl FnMut(&'a [u8])) {
    let mut rest = stream;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*size).min(rest.len()));
        feed(chunk);
        rest = tail;
    }
}

/// What a parser made of a whole stream: the events in order, then its refusal if any.
#[derive(Debug, PartialEq)]
struct Parsed {
    events: Vec<StreamEvent>,
    error: Option<XmlError>,
    /// Whether a first-level element was still open at the end.
    in_element: bool,
}

fn parse_stream(limits: ParserLimits, stream: &[u8], sizes: &[usize]) -> Parsed {
    let mut parser = StreamParser::with_limits(limits);
    let mut events = Vec::new();
    let mut error = None;
    for_each_chunk(stream, sizes, |chunk| {
        if error.is_some() {
            return;
        }
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => break,
                Err(e) => {
                    // Errors are sticky.
                    assert_eq!(parser.next_event(), Err(e.clone()));
                    error = Some(e);
                    break;
                }
            }
        }
        if error.is_none() {
            // Memory stays bounded by the largest stanza allowed, plus the last chunk.
            assert!(
                parser.buffered_len() <= limits.max_stanza_size + chunk.len(),
                "{} bytes buffered with a limit of {} and a chunk of {}",
                parser.buffered_len(),
                limits.max_stanza_size,
                chunk.len()
            );
        }
    });
    Parsed {
        events,
        error,
        in_element: parser.in_element(),
    }
}

/// The stream parser, fed a stream in arbitrary chunks: the outcome must be the one of the
/// whole stream fed at once, and the parser's buffer stays within the limit.
pub fn stream_parser(data: &[u8]) {
    let (sizes, flags, stream) = split_chunks(data);
    let limits = if flags & FLAG_SMALL_LIMITS != 0 {
        SMALL_LIMITS
    } else {
        ParserLimits::default()
    };
    let whole = parse_stream(limits, stream, &[usize::MAX]);
    let chunked = parse_stream(limits, stream, &sizes);
    assert_eq!(whole, chunked, "the chunking changed the outcome");
}

/// An address: parsing never panics; a parsed address is prepared, so parsing it again gives
/// it back; its parts agree with the whole; the bare and full views agree.
pub fn jid(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(jid) = text.parse::<Jid>() else {
        // The typed parsers refuse it too.
        assert!(text.parse::<BareJid>().is_err() && text.parse::<FullJid>().is_err());
        return;
    };
    let shown = jid.to_string();
    assert_eq!(shown, jid.as_str());
    let again: Jid = shown
        .parse()
        .unwrap_or_else(|e| panic!("{shown:?} does not parse again: {e}"));
    assert_eq!(again, jid, "preparation is not idempotent");
    assert_eq!(again.as_str(), jid.as_str());

    let mut rebuilt = String::new();
    if let Some(local) = jid.local() {
        assert!(!local.is_empty() && local.len() <= 1023);
        rebuilt.push_str(local);
        rebuilt.push('@');
    }
    assert!(!jid.domain().is_empty() && jid.domain().len() <= 1023);
    rebuilt.push_str(jid.domain());
    assert_eq!(jid.bare_str(), rebuilt);
    if let Some(resource) = jid.resource() {
        assert!(!resource.is_empty() && resource.len() <= 1023);
        rebuilt.push('/');
        rebuilt.push_str(resource);
    }
    assert_eq!(jid.as_str(), rebuilt);

    let bare = jid.to_bare();
    assert_eq!(bare.as_str(), jid.bare_str());
    assert_eq!(jid.is_full(), jid.resource().is_some());
    assert_eq!(jid.is_bare(), !jid.is_full());
    match jid.as_full() {
        Some(full) => {
            assert_eq!(text.parse::<FullJid>().as_ref(), Ok(full));
            assert_eq!(full.to_bare(), bare);
            assert_eq!(bare.with_resource(full.resource()).as_ref(), Ok(full));
        }
        None => assert_eq!(text.parse::<BareJid>(), Ok(bare)),
    }
}

/// Checks that `T` read from `element` (when it reads) writes back to an element that reads
/// back the same.
fn round_trip<T>(element: &Element)
where
    T: TryFrom<Element> + Into<Element> + Clone + PartialEq + std::fmt::Debug,
    <T as TryFrom<Element>>::Error: std::fmt::Debug,
{
    let Ok(value) = T::try_from(element.clone()) else {
        return;
    };
    let written: Element = value.clone().into();
    match T::try_from(written.clone()) {
        Ok(again) => assert_eq!(
            again,
            value,
            "{} changed on a round trip through {written}",
            std::any::type_name::<T>()
        ),
        Err(e) => panic!(
            "{} does not read back from {written}: {e:?}",
            std::any::type_name::<T>()
        ),
    }
}

/// Tries every typed reader on `element`.
fn every_payload(element: &Element) {
    use openxmpp_im as im;
    macro_rules! round_trips {
        ($($ty:ty),* $(,)?) => { $( round_trip::<$ty>(element); )* };
    }
    round_trips!(
        Stanza,
        Message,
        Presence,
        Iq,
        im::blocking::Blocklist,
        im::blocking::Block,
        im::blocking::Unblock,
        im::caps::Caps,
        im::carbons::Carbon,
        im::carbons::Private,
        im::carbons::NoCopy,
        im::chat_states::ChatState,
        im::correction::Replace,
        im::data_form::DataForm,
        im::data_form::Field,
        im::delay::Delay,
        im::disco::DiscoInfoQuery,
        im::disco::DiscoInfoResult,
        im::disco::DiscoItemsQuery,
        im::disco::DiscoItemsResult,
        im::disco::Identity,
        im::disco::Item,
        im::forwarded::Forwarded,
        im::mam::MamFin,
        im::mam::MamQuery,
        im::mam::MamResult,
        im::mam::SetQuery,
        im::mam::SetResult,
        im::markers::Markable,
        im::markers::Marker,
        im::muc::MucJoin,
        im::muc::MucUser,
        im::ping::Ping,
        im::receipts::Received,
        im::receipts::Request,
        im::register::RegisterQuery,
        im::roster::RosterItem,
        im::roster::RosterQuery,
        im::stanza_id::OriginId,
        im::stanza_id::StanzaId,
        im::time::EntityTime,
        im::time::EntityTimeQuery,
        im::vcard::VCard,
        im::version::SoftwareVersion,
        im::version::SoftwareVersionQuery,
    );
}

fn visit(element: &Element, depth: usize, f: &mut impl FnMut(&Element)) {
    f(element);
    if depth < 16 {
        for child in element.children() {
            visit(child, depth + 1, f);
        }
    }
}

/// A stanza as text, as it would arrive on a client stream: every typed reader (the core's
/// stanzas, every IM payload, on the element and each of its descendants) round-trips what it
/// accepts, and the IM session of `juliet@example.com` digests the stanza.
pub fn stanza(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(element) = parse_element(text) else {
        return;
    };
    visit(&element, 0, &mut every_payload);
    let Ok(stanza) = Stanza::try_from(element) else {
        return;
    };
    im_session(stanza);
}

fn im_session(stanza: Stanza) {
    use openxmpp_im::delay::Timestamp;
    use openxmpp_im::session::{Output, Session, SessionConfig};

    let (Ok(account), Ok(jid), Some(now)) = (
        "juliet@example.com".parse::<BareJid>(),
        "juliet@example.com/balcony".parse::<FullJid>(),
        Timestamp::from_unix(1_700_000_000, 0),
    ) else {
        unreachable!("fixed values parse");
    };
    let mut session = Session::new(account, SessionConfig::default());
    session.online(&jid, &Default::default(), false);
    let mut tokens = Vec::new();
    while let Some(output) = session.poll_output() {
        if let Output::Request { token, .. } = output {
            tokens.push(token);
        }
    }
    // An IQ response answers each of the session's login requests in turn (the roster, the
    // carbons, the blocklist); anything else is a stanza that arrived.
    match stanza {
        Stanza::Iq(iq) if !iq.payload.is_request() => {
            for token in tokens {
                session.handle_response(token, Ok(iq.clone()));
            }
        }
        stanza => {
            let _ = session.handle_stanza(stanza, &now);
        }
    }
    while session.poll_output().is_some() || session.poll_event().is_some() {}
    session.offline(&now);
    while session.poll_event().is_some() {}
}

/// The mechanisms the `sasl` target runs, by selector.
const MECHANISMS: [Mechanism; 11] = [
    Mechanism::ScramSha1,
    Mechanism::ScramSha256,
    Mechanism::ScramSha512,
    Mechanism::ScramSha1Plus,
    Mechanism::ScramSha256Plus,
    Mechanism::ScramSha512Plus,
    Mechanism::DigestMd5,
    Mechanism::Plain,
    Mechanism::External,
    Mechanism::Anonymous,
    Mechanism::ScramSha1,
];

/// The SASL client fed what a server sends.
///
/// The first byte selects the mechanism (low 4 bits, modulo the list above; SCRAM-SHA-1 with a
/// server that offers -PLUS when it is 10) and the channel bindings the TLS layer has (bit 4:
/// tls-exporter, bit 5: tls-server-end-point, bit 6: plaintext stream). The rest is the
/// server's messages, separated by `0xFF`: a message starting with `0x00` is `<success/>`
/// without data, with `0x01` `<success/>` with the rest as its data, anything else a
/// `<challenge/>`.
///
/// Properties: no panic; the session is complete exactly when `finish` succeeded; an error is
/// final (every later call is refused); SCRAM (without stored keys) succeeds only after a
/// challenge was answered, so never on a bare `<success/>`.
pub fn sasl(data: &[u8]) {
    run_sasl(data);
}

/// [`sasl`]; returns whether the exchange succeeded.
fn run_sasl(data: &[u8]) -> bool {
    let Some((&selector, rest)) = data.split_first() else {
        return false;
    };
    let index = usize::from(selector & 0x0F) % MECHANISMS.len();
    let mechanism = MECHANISMS[index];
    let mut bindings = ChannelBindings::new();
    if selector & 0x10 != 0 {
        bindings = bindings.with_tls_exporter([7; 32]);
    }
    if selector & 0x20 != 0 {
        bindings = bindings.with_tls_server_end_point(vec![9; 32]);
    }
    let tls = if selector & 0x40 != 0 {
        TlsState::Plaintext
    } else {
        TlsState::encrypted(bindings)
    };
    let mut names = vec![mechanism.name()];
    if index == 10 {
        names.push("SCRAM-SHA-1-PLUS");
    }
    let offer = ServerOffer::new(names);
    // Few iterations allowed, so that one input costs milliseconds at most.
    let config = match mechanism {
        Mechanism::External => SaslConfig::external(),
        Mechanism::Anonymous => SaslConfig::anonymous(),
        _ => SaslConfig::password("user", "pencil")
            .enable_digest_md5("example.com")
            .allow_plain_without_tls()
            .with_max_iterations(8192),
    };
    let session = SaslSession::new(mechanism, &offer, &tls, &config).and_then(|s| {
        if mechanism.is_scram() || mechanism == Mechanism::DigestMd5 {
            s.with_client_nonce(CLIENT_NONCE)
        } else {
            Ok(s)
        }
    });
    let Ok(mut session) = session else {
        return false;
    };
    if session.initial_response().is_err() {
        return false;
    }
    let mut failed = false;
    let mut answered = false;
    for message in rest.split(|&b| b == SASL_SEPARATOR) {
        let result = match message.split_first() {
            Some((0, _)) => session.finish(None),
            Some((1, data)) => session.finish(Some(data)),
            _ => session.step(message).map(|_| answered = true),
        };
        match result {
            Ok(()) => assert!(!failed, "a call succeeded after an error"),
            Err(SaslError::OutOfOrder { .. }) => failed = true,
            Err(_) => {
                assert!(!failed, "an error after an error must be OutOfOrder");
                failed = true;
            }
        }
        if session.is_complete() && mechanism.is_scram() {
            assert!(answered, "SCRAM succeeded without answering a challenge");
        }
    }
    if failed {
        assert!(!session.is_complete());
        assert!(matches!(
            session.step(b""),
            Err(SaslError::OutOfOrder { .. })
        ));
    }
    session.is_complete()
}

/// The fixed clock's origin: only the harnesses read the clock, once.
#[allow(clippy::disallowed_methods)]
fn clock_origin() -> Instant {
    Instant::now()
}

fn connection_config(flags: u8) -> ConnectionConfig {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| {
        b.with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()
    });
    let Ok(tls) = tls else {
        unreachable!("ring supports the default versions");
    };
    let Ok(account) = "user@example.com".parse::<BareJid>() else {
        unreachable!("a fixed JID");
    };
    let sasl = if flags & FLAG_ANONYMOUS != 0 {
        SaslConfig::anonymous()
    } else {
        SaslConfig::password("user", "pencil")
            .allow_plain_without_tls()
            .with_max_iterations(8192)
    };
    let mut config = ConnectionConfig::with_sasl(account, sasl, TlsMode::StartTls(Arc::new(tls)));
    config.tls = TlsMode::PlaintextInsecureForLocalTestingOnly;
    config.id_prefix = Some("t".to_owned());
    config.fixed_sasl_nonce = Some(CLIENT_NONCE.to_owned());
    config.iq_namespaces = vec!["jabber:iq:version".to_owned()];
    if flags & FLAG_SMALL_LIMITS != 0 {
        config.parser_limits = SMALL_LIMITS;
    }
    config
}

/// The client connection (plaintext mode; SCRAM or PLAIN with a password, or ANONYMOUS) fed a server's
/// stream in arbitrary chunks, with time passing between chunks and the transport closing at
/// the end. Once online it sends a message and makes a request after each chunk.
///
/// Properties: no panic; `Disconnected` is the last event and comes exactly once, with the
/// state `Offline`; nothing is written after the session ended; what the client writes is
/// bounded by what it was fed (no amplification loop); every request is answered.
pub fn connection(data: &[u8]) {
    run_connection(data);
}

/// [`connection`]; returns whether the session came online.
fn run_connection(data: &[u8]) -> bool {
    let (sizes, flags, stream) = split_chunks(data);
    let mut online = false;
    let mut conn = Connection::new(connection_config(flags));
    let mut now = clock_origin();
    conn.connecting();
    conn.transport_connected(now);
    let mut written = 0usize;
    let mut disconnected = 0usize;
    let mut requests = 0usize;
    let mut answers = 0usize;
    let mut drain = |conn: &mut Connection, written: &mut usize| {
        while let Some(bytes) = conn.poll_transmit() {
            assert_eq!(disconnected, 0, "bytes written after the session ended");
            *written += bytes.len();
        }
        while let Some(event) = conn.poll_event() {
            assert_eq!(disconnected, 0, "an event after Disconnected: {event:?}");
            match event {
                Event::Disconnected { .. } => {
                    assert_eq!(conn.state(), State::Offline);
                    disconnected += 1;
                }
                Event::IqResponse { .. } => answers += 1,
                _ => {}
            }
        }
    };
    drain(&mut conn, &mut written);
    let mut fed = 0usize;
    for_each_chunk(stream, &sizes, |chunk| {
        conn.handle_input(now, chunk);
        fed += chunk.len();
        drain(&mut conn, &mut written);
        if conn.state() == State::Online {
            online = true;
            if let Ok(to) = "romeo@example.net".parse::<Jid>() {
                let _ = conn.send(Message::chat(to, "hi"));
            }
            let ping = Element::new("ping", "urn:xmpp:ping");
            if conn.request(now, Iq::get("", ping)).is_ok() {
                requests += 1;
            }
            drain(&mut conn, &mut written);
        }
        // Our own output (headers, auth, bind, acks, answers, the message and ping above) is
        // proportional to what arrived.
        assert!(
            written <= 4096 + 64 * fed + 512 * requests,
            "{written} bytes written for {fed} received"
        );
        if chunk.first().is_some_and(|b| *b == b'\n') {
            // A newline-led chunk lets time pass: deadlines fire.
            now += Duration::from_secs(31);
            conn.handle_timeout(now);
            drain(&mut conn, &mut written);
        }
    });
    conn.transport_closed(now);
    drain(&mut conn, &mut written);
    conn.handle_timeout(now + Duration::from_secs(3600));
    drain(&mut conn, &mut written);
    assert_eq!(conn.state(), State::Offline);
    assert_eq!(disconnected, 1, "Disconnected exactly once");
    assert_eq!(answers, requests, "every request is answered (or failed)");
    let _ = conn.take_resumption();
    online
}

#[cfg(test)]
mod tests;
