//! Parser and writer tests: events, namespaces, `xml:lang`, refusals, limits, chunking, round
//! trips.

use proptest::prelude::*;

use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.com' to='juliet@example.com' \
    id='s1' version='1.0' xml:lang='en' extra='x'>";

/// Parses `chunks` in order; returns the events and the error that stopped parsing, if any.
fn run<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<StreamEvent>, Option<XmlError>) {
    let mut parser = StreamParser::new();
    run_with(&mut parser, chunks)
}

fn run_with<'a>(
    parser: &mut StreamParser,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<StreamEvent>, Option<XmlError>) {
    let mut events = Vec::new();
    for chunk in chunks {
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(e)) => events.push(e),
                Ok(None) => break,
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

fn parse(input: &str) -> (Vec<StreamEvent>, Option<XmlError>) {
    run([input.as_bytes()])
}

/// Parses a stream header followed by `body` and returns its stanzas; panics on error.
fn stanzas(body: &str) -> Vec<Element> {
    let (events, err) = parse(&format!("{HEADER}{body}"));
    assert_eq!(err, None, "{body}");
    events
        .into_iter()
        .filter_map(|e| match e {
            StreamEvent::Stanza(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn one(body: &str) -> Element {
    let mut all = stanzas(body);
    assert_eq!(all.len(), 1, "{body}");
    all.remove(0)
}

/// The stream error condition `input` ends with.
fn condition(input: &[u8]) -> &'static str {
    let (_, err) = run([input]);
    match err {
        Some(e) => e.condition(),
        None => panic!("accepted: {}", String::from_utf8_lossy(input)),
    }
}

fn in_stream(body: &str) -> Vec<u8> {
    format!("{HEADER}{body}").into_bytes()
}

#[test]
fn every_event_kind() {
    let (events, err) = parse(&format!(
        "{HEADER}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>\
         </starttls></stream:features>\n <message to='a@b'><body>hi</body></message>\
         <stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>\
         </stream:stream>"
    ));
    assert_eq!(err, None);
    assert_eq!(events.len(), 5);
    let StreamEvent::StreamOpen(h) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(h.from.as_deref(), Some("example.com"));
    assert_eq!(h.to.as_deref(), Some("juliet@example.com"));
    assert_eq!(h.id.as_deref(), Some("s1"));
    assert_eq!(h.version.as_deref(), Some("1.0"));
    assert_eq!(h.lang.as_deref(), Some("en"));
    assert_eq!(h.content_ns, ns::CLIENT);
    assert_eq!(h.attributes, vec![Attribute::new("extra", "x")]);

    let StreamEvent::Stanza(features) = &events[1] else {
        panic!()
    };
    assert!(features.is("features", ns::STREAM));
    let tls = features
        .get_child("starttls", "urn:ietf:params:xml:ns:xmpp-tls")
        .unwrap();
    assert!(tls.has_child("required", "urn:ietf:params:xml:ns:xmpp-tls"));

    let StreamEvent::Stanza(message) = &events[2] else {
        panic!()
    };
    assert!(message.is("message", ns::CLIENT));
    assert_eq!(message.attr("to"), Some("a@b"));

    let StreamEvent::Stanza(error) = &events[3] else {
        panic!()
    };
    assert!(error.is("error", ns::STREAM));
    assert!(error.has_child("conflict", "urn:ietf:params:xml:ns:xmpp-streams"));
    assert_eq!(events[4], StreamEvent::StreamClose);
}

#[test]
fn header_without_declaration_and_empty_stream() {
    let (events, err) = parse(
        "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'/>",
    );
    assert_eq!(err, None);
    assert!(matches!(&events[0], StreamEvent::StreamOpen(h) if h.content_ns == ns::SERVER));
    assert_eq!(events[1], StreamEvent::StreamClose);
}

#[test]
fn text_entities_cdata_and_line_ends() {
    let body = one(
        "<message><body>a &lt;&gt;&amp;&quot;&apos; &#233;&#xE9;&#x1F600; <![CDATA[<raw> & ]]>\
         x\r\ny\rz é😀</body></message>",
    );
    let body = body.get_child("body", ns::CLIENT).unwrap();
    assert_eq!(body.text(), "a <>&\"' éé😀 <raw> & x\ny\nz é😀");
    assert_eq!(body.nodes().len(), 1, "contiguous text is merged");
}

#[test]
fn attribute_values_are_unescaped_and_normalized() {
    let m = one("<message id=\"a&amp;b&#x9;c\td\r\ne&apos;\" type='chat&gt;'/>");
    assert_eq!(m.attr("id"), Some("a&b\tc d e'"));
    assert_eq!(m.attr("type"), Some("chat>"));
}

#[test]
fn namespaces_and_prefixes() {
    let iq = one(
        "<iq type='result'><query xmlns='jabber:iq:roster'><item jid='a@b'><group>G</group>\
         </item></query><p:x xmlns:p='urn:p' p:attr='1' xmlns:q='urn:q'><p:y q:k='v'>\
         <z xmlns=''/><p:w xmlns:p='urn:p2'/></p:y></p:x>\
         <stream:x/><s:y xmlns:s='http://etherx.jabber.org/streams'/></iq>",
    );
    assert!(iq.is("iq", ns::CLIENT));
    let query = iq.get_child("query", "jabber:iq:roster").unwrap();
    let item = query.get_child("item", "jabber:iq:roster").unwrap();
    assert!(item.has_child("group", "jabber:iq:roster"));
    let x = iq.get_child("x", "urn:p").unwrap();
    assert_eq!(x.attr_ns("attr", Some("urn:p")), Some("1"));
    assert_eq!(x.attr("attr"), None);
    let y = x.get_child("y", "urn:p").unwrap();
    assert_eq!(y.attr_ns("k", Some("urn:q")), Some("v"));
    assert!(y.has_child("z", ""));
    assert!(y.has_child("w", "urn:p2"));
    assert!(iq.has_child("x", ns::STREAM));
    assert!(iq.has_child("y", ns::STREAM));
    // No namespace declarations are kept as attributes.
    assert!(x.attrs().iter().all(|a| a.name() != "p" && a.name() != "q"));
}

#[test]
fn prefixed_stanza_names_resolve() {
    let m = one("<c:message xmlns:c='jabber:client'><c:body>x</c:body></c:message>");
    assert!(m.is("message", ns::CLIENT));
    assert_eq!(m.get_child("body", ns::CLIENT).unwrap().text(), "x");
}

#[test]
fn xml_lang_is_inherited_from_the_stream() {
    let all = stanzas(
        "<message><body>en</body><body xml:lang='de'>de</body></message>\
         <message xml:lang='fr'><body>fr</body></message>",
    );
    assert_eq!(all[0].lang(), Some("en"));
    let bodies: Vec<_> = all[0].children().collect();
    assert_eq!(bodies[0].lang(), None);
    assert_eq!(bodies[1].lang(), Some("de"));
    assert_eq!(all[1].lang(), Some("fr"));

    // Nonzas (other namespaces than the content namespace) are left alone.
    let r = one("<r xmlns='urn:xmpp:sm:3'/>");
    assert_eq!(r.lang(), None);

    // Without a stream language, nothing is invented.
    let (events, _) = parse(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
         <message/>",
    );
    assert!(matches!(&events[1], StreamEvent::Stanza(m) if m.lang().is_none()));
}

#[test]
fn keepalives_are_not_accumulated() {
    let mut parser = StreamParser::new();
    let (events, err) = run_with(&mut parser, [in_stream("").as_slice()]);
    assert_eq!((events.len(), err), (1, None));
    for _ in 0..10_000 {
        parser.feed(b" \n\t\r");
        assert_eq!(parser.next_event(), Ok(None));
        assert_eq!(parser.buffered_len(), 0);
    }
    parser.feed(b"<r xmlns='urn:xmpp:sm:3'/>");
    assert!(matches!(
        parser.next_event(),
        Ok(Some(StreamEvent::Stanza(_)))
    ));
}

#[test]
fn byte_order_mark() {
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend(in_stream("<message><body>\u{FEFF}x</body></message>"));
    for chunk in [1, 2, 3, 5, input.len()] {
        let (events, err) = run(input.chunks(chunk));
        assert_eq!(err, None);
        let StreamEvent::Stanza(m) = &events[1] else {
            panic!()
        };
        assert_eq!(m.get_child("body", ns::CLIENT).unwrap().text(), "\u{FEFF}x");
    }
    assert_eq!(condition(&in_stream("<a/>\u{FEFF}")), "bad-format");
    // Found by fuzzing: a BOM after whitespace (or after another BOM) was accepted when it
    // arrived on its own and refused inside a longer read. It is text before the header.
    for prefix in [
        &b"\t\xEF\xBB\xBF"[..],
        b"\xEF\xBB\xBF\xEF\xBB\xBF",
        b" \xEF\xBB\xBF ",
    ] {
        let mut input = prefix.to_vec();
        input.extend(in_stream("<a/>"));
        for chunk in [1, 2, 3, input.len()] {
            let (events, err) = run(input.chunks(chunk));
            assert!(events.is_empty(), "{prefix:?} in chunks of {chunk}");
            assert_eq!(
                err,
                Some(XmlError::Syntax("text before the stream header".into())),
                "{prefix:?} in chunks of {chunk}"
            );
        }
    }
}

#[test]
fn stream_restart_keeps_following_bytes() {
    let mut parser = StreamParser::new();
    let first = format!(
        "{HEADER}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>{}",
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' id='s2' version='1.0'>"
    );
    parser.feed(first.as_bytes());
    assert!(matches!(
        parser.next_event(),
        Ok(Some(StreamEvent::StreamOpen(_)))
    ));
    assert!(
        matches!(parser.next_event(), Ok(Some(StreamEvent::Stanza(s))) if s.name() == "success")
    );
    parser.reset();
    let Ok(Some(StreamEvent::StreamOpen(h))) = parser.next_event() else {
        panic!()
    };
    assert_eq!(h.id.as_deref(), Some("s2"));
    assert_eq!(h.lang, None);
    parser.feed(b"<message/>");
    let Ok(Some(StreamEvent::Stanza(m))) = parser.next_event() else {
        panic!()
    };
    assert_eq!(m.lang(), None, "the old stream's language is forgotten");
}

#[test]
fn reset_reuses_the_parser_after_an_error_and_midway() {
    let mut parser = StreamParser::new();
    // Reset in the middle of a stanza: the partial stanza is forgotten (bytes not parsed yet,
    // such as an incomplete token, would be kept for the new stream).
    let (_, err) = run_with(&mut parser, [in_stream("<message><body>").as_slice()]);
    assert_eq!(err, None);
    assert_eq!(parser.buffered_len(), 0);
    parser.reset();
    let (events, err) = run_with(&mut parser, [in_stream("<iq/>").as_slice()]);
    assert_eq!(err, None);
    assert!(matches!(&events[1], StreamEvent::Stanza(iq) if iq.name() == "iq"));
    // Reset after an error starts clean.
    let (_, err) = run_with(&mut parser, [b"<!-- x -->".as_slice()]);
    assert_eq!(err, Some(XmlError::Comment));
    parser.reset();
    let (events, err) = run_with(&mut parser, [in_stream("<presence/>").as_slice()]);
    assert_eq!(err, None);
    assert_eq!(events.len(), 2);
    assert_eq!(parser.limits(), &ParserLimits::default());
}

#[test]
fn refusals_and_their_conditions() {
    let cases: &[(&[u8], &str)] = &[
        (b"<!DOCTYPE stream>", "restricted-xml"),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>",
            "restricted-xml",
        ),
        (b"<!-- c -->", "restricted-xml"),
        (b"<?php echo 1; ?>", "restricted-xml"),
        (
            b"<?xml version='1.0' encoding='ISO-8859-1'?>",
            "unsupported-encoding",
        ),
        (
            b"<?xml version='1.0' encoding='UTF-16'?>",
            "unsupported-encoding",
        ),
        (b"<?xml version='2.0'?>", "not-well-formed"),
        (b" <!x", "not-well-formed"),
        (b"<<a>", "not-well-formed"),
        (b"< a>", "not-well-formed"),
        (b"hello", "not-well-formed"),
        (b" \x80", "not-well-formed"),
        (
            b"<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>",
            "invalid-namespace",
        ),
        (
            b"<stream:foo xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
            "invalid-namespace",
        ),
        (
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>",
            "invalid-namespace",
        ),
        (
            b"<stream xmlns='http://etherx.jabber.org/streams'>",
            "bad-namespace-prefix",
        ),
        (
            b"<stream:stream xmlns='jabber:client'>",
            "bad-namespace-prefix",
        ),
        (b"</stream:stream>", "not-well-formed"),
    ];
    for (input, expected) in cases {
        assert_eq!(
            condition(input),
            *expected,
            "{}",
            String::from_utf8_lossy(input)
        );
    }

    let in_stream_cases: &[(&str, &str)] = &[
        ("<message><!-- c --></message>", "restricted-xml"),
        ("<!-- c -->", "restricted-xml"),
        ("<message><?pi x?></message>", "restricted-xml"),
        ("<?xml version='1.0'?>", "restricted-xml"),
        ("<message><!DOCTYPE x></message>", "restricted-xml"),
        ("<message>&nbsp;</message>", "restricted-xml"),
        ("<message a='&foo;'/>", "restricted-xml"),
        ("<message>&#0;</message>", "not-well-formed"),
        ("<message>&#x1;</message>", "not-well-formed"),
        ("<message>&#xD800;</message>", "not-well-formed"),
        ("<message>&#xFFFE;</message>", "not-well-formed"),
        ("<message>&#x110000;</message>", "not-well-formed"),
        ("<message>&#12a;</message>", "not-well-formed"),
        ("<message a='&#1;'/>", "not-well-formed"),
        ("<message>\u{1}</message>", "not-well-formed"),
        ("<message>\u{FFFF}</message>", "not-well-formed"),
        ("<message a='\u{8}'/>", "not-well-formed"),
        ("<message>a & b</message>", "not-well-formed"),
        ("<message a='<'/>", "not-well-formed"),
        ("<message></presence>", "not-well-formed"),
        ("<a:m xmlns:a='u' xmlns:b='u'></b:m>", "not-well-formed"),
        ("</message>", "not-well-formed"),
        ("<message a='1' a='2'/>", "not-well-formed"),
        (
            "<m xmlns:a='u' xmlns:b='u' a:x='1' b:x='2'/>",
            "not-well-formed",
        ),
        ("<m xmlns='a' xmlns='b'/>", "not-well-formed"),
        (
            "<m a='1' b='1' c='1' d='1' e='1' f='1' g='1' h='1' i='1' j='1' a='2'/>",
            "not-well-formed",
        ),
        ("<m a/>", "not-well-formed"),
        ("<m a=b/>", "not-well-formed"),
        ("<1m/>", "not-well-formed"),
        ("<m\"x\"/>", "not-well-formed"),
        ("<a:b:c/>", "not-well-formed"),
        ("<p:m/>", "bad-namespace-prefix"),
        ("<m p:a='1'/>", "bad-namespace-prefix"),
        ("<m xmlns:p=''/>", "bad-namespace-prefix"),
        ("<m xmlns:xmlns='u'/>", "bad-namespace-prefix"),
        ("<m xmlns:xml='u'/>", "bad-namespace-prefix"),
        (
            "<m xmlns='http://www.w3.org/XML/1998/namespace'/>",
            "bad-namespace-prefix",
        ),
        ("hello", "bad-format"),
        ("\u{0}\u{80}", "bad-format"),
        ("<![CDATA[x]]>", "bad-format"),
        ("&amp;", "bad-format"),
        ("</stream:stream><m/>", "not-well-formed"),
        ("</stream:stream>x", "not-well-formed"),
        ("</stream:stream></stream:stream>", "not-well-formed"),
    ];
    for (body, expected) in in_stream_cases {
        assert_eq!(condition(&in_stream(body)), *expected, "{body}");
    }

    let raw_cases: &[&[u8]] = &[
        b"<message>\xFF</message>",
        b"<message>\xC0\xAF</message>",         // overlong '/'
        b"<message>\xE0\x80\xAF</message>",     // overlong '/'
        b"<message>\xED\xA0\x80</message>",     // surrogate
        b"<message>\xF4\x90\x80\x80</message>", // > U+10FFFF
        b"<message a='\xFE'/>",
        b"<m\xFF/>",
    ];
    for raw in raw_cases {
        let mut input = in_stream("");
        input.extend_from_slice(raw);
        assert_eq!(
            condition(&input),
            "not-well-formed",
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
    // Allowed: declaration with UTF-8 in any case, or without an encoding.
    for decl in ["encoding='utf-8'", "encoding=\"UTF-8\"", "standalone='yes'"] {
        let (_, err) = parse(&format!(
            "<?xml version='1.0' {decl}?><stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>"
        ));
        assert_eq!(err, None, "{decl}");
    }
}

#[test]
fn errors_are_sticky() {
    let mut parser = StreamParser::new();
    parser.feed(b"<!-- x -->");
    let err = parser.next_event().unwrap_err();
    assert_eq!(err, XmlError::Comment);
    parser.feed(HEADER.as_bytes());
    assert_eq!(parser.next_event(), Err(err.clone()));
    assert_eq!(parser.next_event(), Err(err));
    assert_eq!(parser.buffered_len(), 0);
}

#[test]
fn limits() {
    let limits = ParserLimits {
        max_stanza_size: 1000,
        max_depth: 4,
        max_attributes: 8,
        max_namespace_bindings: 6,
    };
    let check = |input: &[u8], chunk: usize| {
        let mut parser = StreamParser::with_limits(limits);
        run_with(&mut parser, input.chunks(chunk)).1
    };
    let policy = Some(XmlError::LimitExceeded(Limit::StanzaSize));
    let big = in_stream(&format!(
        "<message><body>{}</body></message>",
        "x".repeat(1000)
    ));
    assert_eq!(check(&big, big.len()), policy);
    assert_eq!(check(&big, 7), policy);
    // An incomplete stanza is refused as soon as it is too large: memory stays bounded.
    let endless = in_stream(&format!("<message><body>{}", "x".repeat(5000)));
    assert_eq!(check(&endless, 10), policy);
    let endless_tag = in_stream(&format!("<message a='{}", "x".repeat(5000)));
    assert_eq!(check(&endless_tag, 10), policy);
    let ok = in_stream(&format!(
        "<message><body>{}</body></message>",
        "x".repeat(900)
    ));
    assert_eq!(check(&ok, 13), None);
    // Many small stanzas are fine: the limit is per stanza.
    let many = in_stream(&"<message><body>hello</body></message>".repeat(100));
    assert_eq!(check(&many, 64), None);

    let depth = Some(XmlError::LimitExceeded(Limit::Depth));
    assert_eq!(check(&in_stream("<a><b><c/></b></a>"), 1000), None);
    assert_eq!(check(&in_stream("<a><b><c><d/></c></b></a>"), 1000), depth);
    let attrs = Some(XmlError::LimitExceeded(Limit::Attributes));
    let eight = "<a xmlns='urn:a' b='1' c='2' d='3' e='4' f='5' g='6' h='7'/>";
    let nine = "<a xmlns='urn:a' b='1' c='2' d='3' e='4' f='5' g='6' h='7' i='8'/>";
    assert_eq!(check(&in_stream(eight), 1000), None);
    assert_eq!(check(&in_stream(nine), 1000), attrs);
    // The stream declares two; four more fit, a fifth does not.
    let bindings = Some(XmlError::LimitExceeded(Limit::NamespaceBindings));
    let four = "<a xmlns:a='u' xmlns:b='u'><b xmlns:c='u' xmlns:d='u'/></a>";
    let five = "<a xmlns:a='u' xmlns:b='u'><b xmlns:c='u' xmlns:d='u' xmlns:e='u'/></a>";
    assert_eq!(check(&in_stream(four), 1000), None);
    assert_eq!(check(&in_stream(five), 1000), bindings);
    // Scopes end with their element.
    let sequential = "<a xmlns:a='u' xmlns:b='u' xmlns:c='u' xmlns:d='u'/>".repeat(3);
    assert_eq!(check(&in_stream(&sequential), 1000), None);
    assert_eq!(
        check(&in_stream(nine), 1000).unwrap().condition(),
        "policy-violation"
    );
}

/// Found by fuzzing (`stream_parser`): a token both malformed (or refused) and beyond the size
/// limit was refused for its fault when it arrived whole, for its size when it arrived in
/// pieces. The size limit is now checked at the byte that decided the token, so the outcome is
/// the same however the input is split.
#[test]
fn size_limit_and_token_faults_agree_whatever_the_chunking() {
    let limits = ParserLimits {
        max_stanza_size: 64,
        max_depth: 4,
        max_attributes: 4,
        max_namespace_bindings: 8,
    };
    let run_limited = |chunks: &[&[u8]]| {
        let mut parser = StreamParser::with_limits(limits);
        run_with(&mut parser, chunks.iter().copied())
    };
    let size = Some(XmlError::LimitExceeded(Limit::StanzaSize));
    let agree = |input: &[u8]| {
        let whole = run_limited(&[input]);
        assert!(whole.1.is_some(), "{}", String::from_utf8_lossy(input));
        for i in 0..=input.len() {
            let (a, b) = input.split_at(i);
            assert_eq!(
                run_limited(&[a, b]),
                whole,
                "split at {i}: {}",
                String::from_utf8_lossy(input)
            );
        }
        whole.1
    };
    // The fuzzer's case: an end tag whose quote never closes runs past the limit into
    // invalid UTF-8.
    let mut quote = in_stream(&format!("<m></m a='{}", "x".repeat(80)));
    quote.extend_from_slice(b"\xff'>");
    assert_eq!(agree(&quote), size);
    // Too many attributes, in a start tag beyond the size limit.
    let attrs: String = (0..12).map(|i| format!(" a{i}='{i}'")).collect();
    assert_eq!(agree(&in_stream(&format!("<m{attrs}/>"))), size);
    // Refused markup starting anywhere around the limit.
    for fill in 48..64 {
        for refused in [
            "<!-- c -->",
            "<?pi x?>",
            "<!DOCTYPE m>",
            "<![CDAX[",
            "&bad;",
        ] {
            agree(&in_stream(&format!("<m>{}{refused}</m>", "x".repeat(fill))));
        }
    }
}

/// A stream exercising everything a split can hit: multi-byte UTF-8, entities and character
/// references, CDATA, `>` and quotes inside attribute values, CR LF, prefixes, keepalives.
const SAMPLE: &str = "<?xml version='1.0' encoding='UTF-8'?>\n\
<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
from='example.com' id='ñ1' version='1.0' xml:lang='en'>\
<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>  \n\
<message from='rómeo@example.net/orchard' to=\"juliet@example.com\" type='chat' \
note='a > b &amp; \"c\" &#x263A;' xml:lang='fr'>\
<body>Ça va? 日本語 😀 &lt;tag&gt; &amp;&#233;&#x1F600; <![CDATA[<raw> ]] ]]>\r\nend</body>\
<active xmlns='http://jabber.org/protocol/chatstates'/>\
<p:data xmlns:p='urn:example:p' p:k='v'><p:x/>tail</p:data></message> \
<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='1'>\
<item jid='a@b' name='Ä'><group>Friends</group></item></query></iq>\
<presence/><r xmlns='urn:xmpp:sm:3'/></stream:stream>";

#[test]
fn sample_parses() {
    let (events, err) = parse(SAMPLE);
    assert_eq!(err, None);
    assert_eq!(events.len(), 7);
    let StreamEvent::Stanza(m) = &events[2] else {
        panic!()
    };
    assert_eq!(m.attr("note"), Some("a > b & \"c\" ☺"));
    assert_eq!(m.lang(), Some("fr"));
    assert_eq!(
        m.get_child("body", ns::CLIENT).unwrap().text(),
        "Ça va? 日本語 😀 <tag> &é😀 <raw> ]] \nend"
    );
}

#[test]
fn utf8_is_checked_once_however_it_is_split() {
    // Two-, three- and four-byte sequences, in text and in attribute values.
    let good = in_stream("<message a='é€😀'>é€😀</message>");
    let whole = run([good.as_slice()]);
    assert_eq!(whole.1, None);
    for i in 0..=good.len() {
        let (a, b) = good.split_at(i);
        assert_eq!(run([a, b]), whole, "split at {i}");
    }
    assert_eq!(run(good.chunks(1)), whole);
    // Wrong continuations, an overlong form, a lone continuation byte: refused wherever the
    // input was cut, and stanzas before the fault still come out.
    for bad in [
        &b"\xE2\x82x"[..],
        b"\xF4\x90\x80\x80",
        b"\xC0\xAF",
        b"\x80",
        b"\xE2\x82",
    ] {
        let mut input = in_stream("<message/><message>");
        input.extend_from_slice(bad);
        input.extend_from_slice(b"</message>");
        let whole = run([input.as_slice()]);
        assert_eq!(whole.1, Some(XmlError::InvalidUtf8), "{bad:?}");
        assert_eq!(whole.0.len(), 2, "the header and the first message");
        for i in 0..=input.len() {
            let (a, b) = input.split_at(i);
            assert_eq!(run([a, b]), whole, "{bad:?} split at {i}");
        }
    }
}

#[test]
fn splitting_anywhere_gives_identical_events() {
    let bytes = SAMPLE.as_bytes();
    let whole = run([bytes]);
    assert_eq!(whole.1, None);
    for i in 0..=bytes.len() {
        let (a, b) = bytes.split_at(i);
        assert_eq!(run([a, b]), whole, "split at {i}");
    }
    for size in [1, 2, 3, 7, 64, 4096] {
        assert_eq!(run(bytes.chunks(size)), whole, "chunks of {size}");
    }
    // Three pieces, coarse grid.
    for i in (0..bytes.len()).step_by(13) {
        for j in (i..bytes.len()).step_by(17) {
            let chunks = [&bytes[..i], &bytes[i..j], &bytes[j..]];
            assert_eq!(run(chunks), whole, "split at {i}, {j}");
        }
    }
}

#[test]
fn large_stanza_in_tiny_chunks_is_linear() {
    // 200 KB of text and a 50 KB attribute, one byte at a time: with rescanning from the token
    // start on every byte this would take minutes.
    let text = "é".repeat(100_000);
    let attr = "a".repeat(50_000);
    let input = in_stream(&format!(
        "<message x='{attr}'><body>{text}</body></message>"
    ));
    let (events, err) = run(input.chunks(1));
    assert_eq!(err, None);
    let StreamEvent::Stanza(m) = &events[1] else {
        panic!()
    };
    assert_eq!(m.attr("x").map(str::len), Some(50_000));
    assert_eq!(
        m.get_child("body", ns::CLIENT).unwrap().text().len(),
        200_000
    );
}

#[test]
fn written_stream_parses_back() {
    let mut out = Vec::new();
    let mut header = StreamHeader::client("example.com");
    header.lang = Some("en".into());
    write_stream_header(&header, &mut out);
    let message = Element::builder("message", ns::CLIENT)
        .attr("to", "romeo@example.net")
        .lang("en")
        .child(Element::builder("body", ns::CLIENT).text("a\r\n<b> & 'c' \u{1F600}"))
        .build();
    write_stanza(&message, ns::CLIENT, &mut out);
    let features = Element::builder("features", ns::STREAM)
        .child(Element::new("bind", "urn:ietf:params:xml:ns:xmpp-bind"))
        .build();
    write_stanza(&features, ns::CLIENT, &mut out);
    write_stream_close(&mut out);
    let (events, err) = run([out.as_slice()]);
    assert_eq!(err, None);
    assert_eq!(
        events,
        vec![
            StreamEvent::StreamOpen(header),
            StreamEvent::Stanza(message),
            StreamEvent::Stanza(features),
            StreamEvent::StreamClose
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// Proptest settings: the default (or `PROPTEST_CASES`), without writing regression files
/// outside of this module's directory.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn ncname() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}|[é日][a-z]{0,3}"
}

fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(ns::CLIENT.to_owned()),
        Just("urn:example:a".to_owned()),
        Just("urn:example:b".to_owned()),
        Just(String::new()),
        Just(ns::STREAM.to_owned()),
        "urn:[a-z]{1,6}",
    ]
}

/// Text of XML characters, with the ones that need escaping over-represented.
fn xml_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('&'),
            Just('<'),
            Just('>'),
            Just('\''),
            Just('"'),
            Just('\r'),
            Just('\n'),
            Just('\t'),
            Just(' '),
            Just('é'),
            Just('😀'),
            Just(']'),
            any::<char>().prop_filter("XML Char", |c| {
                matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            }),
        ],
        0..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn attribute() -> impl Strategy<Value = (Option<String>, String, String)> {
    let attr_ns = prop_oneof![
        3 => Just(None),
        1 => Just(Some(ns::XML.to_owned())),
        1 => Just(Some("urn:example:attr".to_owned())),
    ];
    (attr_ns, ncname(), xml_text())
}

fn element() -> impl Strategy<Value = Element> {
    let leaf = (
        ncname(),
        namespace(),
        proptest::collection::vec(attribute(), 0..3),
    )
        .prop_map(|(name, ns, attrs)| {
            let mut e = Element::new(name, ns);
            for (ans, aname, value) in attrs {
                match ans {
                    Some(ans) => e.set_attribute(Attribute::with_ns(ans, aname, value)),
                    None => e.set_attr(aname, value),
                }
            }
            e
        });
    leaf.prop_recursive(4, 24, 4, |inner| {
        (
            inner,
            proptest::collection::vec(
                prop_oneof![
                    xml_text().prop_map(Node::Text),
                    element_leaf().prop_map(Node::Element)
                ],
                0..4,
            ),
        )
            .prop_map(|(mut e, nodes)| {
                for n in nodes {
                    e.append_node(n);
                }
                e
            })
    })
}

fn element_leaf() -> impl Strategy<Value = Element> {
    (ncname(), namespace(), xml_text()).prop_map(|(name, ns, text)| {
        let mut e = Element::new(name, ns);
        e.append_text(&text);
        e
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn write_then_parse_is_identity(el in element()) {
        let mut out = Vec::new();
        write_stream_header(&StreamHeader::client("example.com"), &mut out);
        write_stanza(&el, ns::CLIENT, &mut out);
        let (events, err) = run([out.as_slice()]);
        prop_assert_eq!(err, None, "{}", String::from_utf8_lossy(&out));
        prop_assert_eq!(events.len(), 2);
        prop_assert_eq!(&events[1], &StreamEvent::Stanza(el.clone()));
        // Standalone serialization parses back too.
        let mut standalone = Vec::new();
        write_stream_header(&StreamHeader::client("example.com"), &mut standalone);
        write_element(&el, &mut standalone);
        let (events, err) = run([standalone.as_slice()]);
        prop_assert_eq!(err, None);
        prop_assert_eq!(&events[1], &StreamEvent::Stanza(el));
    }

    #[test]
    fn arbitrary_bytes_in_arbitrary_chunks_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        cuts in proptest::collection::vec(0usize..512, 0..8),
        with_header in any::<bool>(),
    ) {
        let mut input = if with_header { HEADER.as_bytes().to_vec() } else { Vec::new() };
        input.extend_from_slice(&bytes);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for c in cuts {
            chunks.push(&input[last..c]);
            last = c;
        }
        chunks.push(&input[last..]);
        let split = run(chunks.iter().copied());
        let whole = run([input.as_slice()]);
        // Same events, same error.
        prop_assert_eq!(split.0, whole.0);
        prop_assert_eq!(split.1, whole.1);
    }

    #[test]
    fn mutated_sample_in_chunks_matches_whole(
        edits in proptest::collection::vec((0usize..SAMPLE.len(), any::<u8>()), 1..4),
        chunk in 1usize..300,
    ) {
        let mut input = SAMPLE.as_bytes().to_vec();
        for (pos, byte) in edits {
            input[pos] = byte;
        }
        let whole = run([input.as_slice()]);
        let split = run(input.chunks(chunk));
        prop_assert_eq!(split.0, whole.0);
        prop_assert_eq!(split.1, whole.1);
    }
}

/// Fragments that exercise the tokenizer's and the restrictions' corners when spliced anywhere.
const SNIPPETS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "<!--",
    "-->",
    "<?",
    "?>",
    "<![CDATA[",
    "]]>",
    "&",
    "&amp;",
    "&#x",
    "&#0;",
    ";",
    "'",
    "\"",
    "=",
    "xmlns='urn:x'",
    "xmlns:p='urn:p'",
    "p:",
    "<a>",
    "</a>",
    "<b/>",
    "\u{FEFF}",
    "\u{1}",
    "\r\n",
    " ",
    "é",
    "😀",
    "\u{FFFF}",
    "<!DOCTYPE x>",
    "</stream:stream>",
    "<stream:stream>",
    "xml:lang='de'",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn spliced_sample_in_chunks_matches_whole(
        splices in proptest::collection::vec((0usize..SAMPLE.len(), 0usize..SNIPPETS.len()), 1..4),
        chunk in 1usize..200,
    ) {
        let mut input = SAMPLE.as_bytes().to_vec();
        for (pos, snippet) in splices {
            let at = pos.min(input.len());
            let bytes = SNIPPETS[snippet].as_bytes();
            input.splice(at..at, bytes.iter().copied());
        }
        let whole = run([input.as_slice()]);
        let split = run(input.chunks(chunk));
        prop_assert_eq!(&split.0, &whole.0);
        prop_assert_eq!(&split.1, &whole.1);
        let bytewise = run(input.chunks(1));
        prop_assert_eq!(bytewise, whole);
    }
}
