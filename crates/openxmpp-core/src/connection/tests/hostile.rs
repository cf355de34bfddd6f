//! The hostile-server suite, in memory: a scripted server misbehaves on purpose and each test
//! asserts the client's exact reaction — a typed error, the stream error we answer with and a
//! clean end (`Offline`, `is_finished`), or a safe ignore while staying online. Every scenario
//! runs with the server's bytes in one piece and one byte at a time.
//!
//! Cases covered elsewhere in `connection/tests.rs` (and listed in SECURITY.md): STARTTLS not
//! offered, STARTTLS command injection, a certificate for another host (in memory), SCRAM with a
//! wrong server signature, a nonce without our prefix, iteration counts of 1 and 10⁹, SASL
//! success without the final verification, PLAIN offered without TLS, an IQ result from the
//! wrong JID. The TLS certificate cases over loopback TCP are in
//! `crates/openxmpp/tests/hostile_tls.rs`; the IM cases (roster pushes, carbons, floods) in
//! `openxmpp-im`'s `session/tests/hostile.rs`.

use super::*;

/// Everything after the stream header that the server of an online session sends.
fn online_then(body: &[u8]) -> Harness {
    let mut h = online();
    h.feed(body);
    h
}

/// Asserts that the session ended on an XML refusal `expected`, answered with the stream error
/// `condition` and the closing tag, and is finished.
fn assert_refused(h: &mut Harness, expected: &xml::XmlError, condition: &str) {
    match h.disconnect_error() {
        Some(ConnectionError::Xml(e)) => assert_eq!(e, expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
    let sent = h.take_sent();
    assert!(
        sent.ends_with(&format!(
            "<stream:error><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
             </stream:error></stream:stream>"
        )),
        "{sent}"
    );
    assert_eq!(h.conn.state(), State::Offline);
    assert!(h.conn.is_finished());
    // Nothing more is accepted.
    h.events.clear();
    h.feed(b"<message><body>late</body></message>");
    assert!(h.events.is_empty(), "{:?}", h.events);
}

fn stanza_events(h: &Harness) -> Vec<&Stanza> {
    h.events
        .iter()
        .filter_map(|e| match e {
            Event::Stanza { stanza } => Some(stanza),
            _ => None,
        })
        .collect()
}

// ----- restricted XML (RFC 6120 §11.1) --------------------------------------------------------

#[test]
fn a_dtd_is_refused() {
    both_ways(|_| {
        // Before the stream header, as the very first thing.
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server("<?xml version='1.0'?><!DOCTYPE stream:stream>");
        assert_refused(&mut h, &xml::XmlError::Doctype, "restricted-xml");
        // Inside the stream.
        let mut h = online_then(b"<!DOCTYPE message [<!ELEMENT message ANY>]>");
        assert_refused(&mut h, &xml::XmlError::Doctype, "restricted-xml");
    });
}

#[test]
fn entity_declarations_and_billion_laughs_are_refused() {
    both_ways(|_| {
        let laughs = "<!DOCTYPE lolz [<!ENTITY lol 'lol'>\
            <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\
            <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>]>\
            <message><body>&lol2;</body></message>";
        let mut h = online_then(laughs.as_bytes());
        assert_refused(&mut h, &xml::XmlError::Doctype, "restricted-xml");
        // A declaration outside a DTD is not even XML.
        let mut h = online_then(b"<!ENTITY lol 'lol'>");
        assert_refused(
            &mut h,
            &xml::XmlError::Syntax("invalid `<!` markup".into()),
            "not-well-formed",
        );
        // The references alone, without their declarations.
        let mut h = online_then(b"<message><body>&lol9;</body></message>");
        assert_refused(
            &mut h,
            &xml::XmlError::EntityReference("lol9".into()),
            "restricted-xml",
        );
    });
}

#[test]
fn external_entities_are_refused() {
    both_ways(|_| {
        let xxe = "<!DOCTYPE message [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>\
            <message><body>&xxe;</body></message>";
        let mut h = online_then(xxe.as_bytes());
        assert_refused(&mut h, &xml::XmlError::Doctype, "restricted-xml");
        let mut h = online_then(b"<message><body>&xxe;</body></message>");
        assert_refused(
            &mut h,
            &xml::XmlError::EntityReference("xxe".into()),
            "restricted-xml",
        );
    });
}

#[test]
fn comments_are_refused_anywhere() {
    both_ways(|_| {
        for body in [
            &b"<!-- between stanzas -->"[..],
            b"<message><!-- inside --><body>x</body></message>",
            b"<message><body>x<!---->y</body></message>",
        ] {
            let mut h = online_then(body);
            assert_refused(&mut h, &xml::XmlError::Comment, "restricted-xml");
        }
    });
}

#[test]
fn processing_instructions_are_refused() {
    both_ways(|_| {
        for body in [
            &b"<?evil data?>"[..],
            b"<message><?php system('x'); ?></message>",
            // The XML declaration is a processing instruction once the stream has started.
            b"<?xml version='1.0'?>",
        ] {
            let mut h = online_then(body);
            assert_refused(
                &mut h,
                &xml::XmlError::ProcessingInstruction,
                "restricted-xml",
            );
        }
    });
}

#[test]
fn undefined_entities_are_refused_and_predefined_ones_decoded() {
    both_ways(|_| {
        let mut h = online_then(b"<message><body>a&nbsp;b</body></message>");
        assert_refused(
            &mut h,
            &xml::XmlError::EntityReference("nbsp".into()),
            "restricted-xml",
        );
        let mut h = online_then(
            b"<message from='a@example.com/r'><body>&lt;&gt;&amp;&apos;&quot;&#x263A;&#233;</body></message>",
        );
        match stanza_events(&h).as_slice() {
            [Stanza::Message(m)] => assert_eq!(m.body(), Some("<>&'\"☺é")),
            other => panic!("{other:?}"),
        }
        assert_eq!(h.conn.state(), State::Online);
        h.expect_sent("");
    });
}

// ----- encoding --------------------------------------------------------------------------------

#[test]
fn invalid_and_overlong_utf8_is_refused() {
    both_ways(|_| {
        for bad in [
            &b"\xFF"[..],
            b"\xC0\xAF",         // overlong '/'
            b"\xE0\x80\xAF",     // overlong '/', three bytes
            b"\xED\xA0\x80",     // a UTF-16 surrogate
            b"\xF4\x90\x80\x80", // beyond U+10FFFF
            b"\xF8\x88\x80\x80\x80",
            b"\xC3", // truncated, then ASCII
        ] {
            for (before, after) in [
                (&b"<message><body>"[..], &b"x</body></message>"[..]),
                (b"<message to='", b"x'/>"),
            ] {
                let mut body = before.to_vec();
                body.extend_from_slice(bad);
                body.extend_from_slice(after);
                let mut h = online_then(&body);
                assert_refused(&mut h, &xml::XmlError::InvalidUtf8, "not-well-formed");
            }
        }
        // A character XML does not allow, even when well encoded.
        let mut h = online_then(b"<message><body>\x01</body></message>");
        assert_refused(&mut h, &xml::XmlError::InvalidChar(1), "not-well-formed");
    });
}

#[test]
fn valid_utf8_split_across_reads_arrives_whole() {
    let text = "日本語 😀 Ça va? \u{10FFFF}";
    let body = format!("<message from='a@example.com/r'><body>{text}</body></message>");
    // Every split point, including inside multi-byte characters.
    for at in 0..body.len() {
        let mut h = online();
        h.feed(&body.as_bytes()[..at]);
        h.feed(&body.as_bytes()[at..]);
        match stanza_events(&h).as_slice() {
            [Stanza::Message(m)] => assert_eq!(m.body(), Some(text), "split at {at}"),
            other => panic!("split at {at}: {other:?}"),
        }
        assert_eq!(h.conn.state(), State::Online);
    }
}

// ----- limits ----------------------------------------------------------------------------------

const SMALL: xml::ParserLimits = xml::ParserLimits {
    max_stanza_size: 4096,
    max_depth: 16,
    max_attributes: 16,
    max_namespace_bindings: 32,
};

fn online_small() -> Harness {
    let mut h = online_with(|c| {
        c.stream_management = false;
        c.parser_limits = SMALL;
    });
    h.take_sent();
    h
}

/// Feeds `head`, then `filler` in 100-byte chunks until the session ends; returns how many
/// bytes were fed in all (it must end).
fn feed_until_refused(h: &mut Harness, head: &[u8], filler: u8) -> usize {
    h.feed(head);
    let chunk = [filler; 100];
    let mut fed = head.len();
    while h.conn.state() == State::Online {
        h.feed(&chunk);
        fed += chunk.len();
        assert!(fed < 1_000_000, "never refused");
    }
    fed
}

#[test]
fn a_stanza_over_the_size_limit_is_refused() {
    both_ways(|_| {
        let big = format!(
            "<message from='a@example.com/r'><body>{}</body></message>",
            "x".repeat(SMALL.max_stanza_size)
        );
        let mut h = online_small();
        h.feed(big.as_bytes());
        assert_refused(
            &mut h,
            &xml::XmlError::LimitExceeded(xml::Limit::StanzaSize),
            "policy-violation",
        );
        // Just under the limit is fine.
        let fits = format!(
            "<message from='a@example.com/r'><body>{}</body></message>",
            "x".repeat(SMALL.max_stanza_size - 100)
        );
        let mut h = online_small();
        h.feed(fits.as_bytes());
        assert_eq!(stanza_events(&h).len(), 1);
        assert_eq!(h.conn.state(), State::Online);
    });
}

#[test]
fn a_stanza_that_never_ends_is_refused_at_the_limit() {
    // Text that never ends, and a start tag whose attribute value never ends: refused once the
    // stanza outgrows the limit, with at most one read more buffered.
    for (head, filler) in [
        (&b"<message><body>"[..], b'x'),
        (b"<message a='", b'y'),
        (b"<message><body><![CDATA[", b'z'),
    ] {
        let mut h = online_small();
        let fed = feed_until_refused(&mut h, head, filler);
        assert!(fed <= SMALL.max_stanza_size + 100, "{fed} bytes fed");
        assert_refused(
            &mut h,
            &xml::XmlError::LimitExceeded(xml::Limit::StanzaSize),
            "policy-violation",
        );
    }
}

#[test]
fn a_stanza_that_stops_halfway_is_caught_by_the_keepalive() {
    let mut h = online();
    h.feed(b"<message><body>and then nothing");
    let idle = h.conn.poll_timeout().expect("the keepalive");
    assert_eq!(idle, h.now + Duration::from_secs(60));
    h.conn.handle_timeout(idle);
    h.collect();
    assert!(h.take_sent().contains("<ping xmlns='urn:xmpp:ping'/>"));
    let dead = h.conn.poll_timeout().expect("the dead-connection check");
    assert_eq!(dead, idle + Duration::from_secs(20));
    h.conn.handle_timeout(dead);
    h.collect();
    assert!(matches!(
        h.disconnect_error(),
        Some(ConnectionError::Unresponsive { seconds: 20 })
    ));
    assert!(h.conn.is_finished());
}

#[test]
fn nesting_over_the_depth_limit_is_refused() {
    both_ways(|_| {
        let depth = SMALL.max_depth + 1;
        let body = format!("<message>{}", "<a>".repeat(depth));
        let mut h = online_small();
        h.feed(body.as_bytes());
        assert_refused(
            &mut h,
            &xml::XmlError::LimitExceeded(xml::Limit::Depth),
            "policy-violation",
        );
        // Too many attributes on one element, too many namespace declarations.
        let attrs: String = (0..=SMALL.max_attributes)
            .map(|i| format!(" a{i}='x'"))
            .collect();
        let mut h = online_small();
        h.feed(format!("<message{attrs}/>").as_bytes());
        assert_refused(
            &mut h,
            &xml::XmlError::LimitExceeded(xml::Limit::Attributes),
            "policy-violation",
        );
    });
}

#[test]
fn endless_whitespace_is_dropped_as_it_arrives() {
    let mut h = online_small();
    let spaces = [b' '; 1000];
    for i in 0..2_000 {
        h.feed(&spaces);
        if i % 100 == 0 {
            h.feed(b"\n\r\t");
        }
        // Nothing accumulates: whitespace between stanzas is never buffered.
        assert_eq!(h.conn.parser.buffered_len(), 0);
    }
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.conn.state(), State::Online);
    h.expect_sent("");
    // A whitespace keepalive is traffic: the connection counts as alive.
    assert_eq!(h.conn.poll_timeout(), Some(h.now + Duration::from_secs(60)));
    // And the session still works.
    h.feed(b"<message from='a@example.com/r'><body>still here</body></message>");
    assert_eq!(stanza_events(&h).len(), 1);
}

// ----- the stream header -----------------------------------------------------------------------

#[test]
fn a_missing_stream_header_is_refused() {
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(
            "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
             <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
             </mechanisms></stream:features>",
        );
        assert_refused(
            &mut h,
            &xml::XmlError::InvalidNamespace(
                "root element `stream:features` in namespace `http://etherx.jabber.org/streams`"
                    .into(),
            ),
            "invalid-namespace",
        );
        assert!(!h.take_sent().contains("<auth"));
    });
}

#[test]
fn a_repeated_stream_header_is_refused() {
    let header_again = HEADER_IN.replace("<?xml version='1.0'?>", "");
    both_ways(|_| {
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(&header_again);
        match h.disconnect_error() {
            Some(ConnectionError::Xml(xml::XmlError::NestedStream)) => {}
            other => panic!("{other:?}"),
        }
        let sent = h.take_sent();
        assert!(
            sent.ends_with(
                "<stream:error><invalid-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
                 </stream:error></stream:stream>"
            ),
            "{sent}"
        );
        assert!(h.conn.is_finished());

        // Once online too.
        let mut h = online();
        h.server(&header_again);
        assert_refused(&mut h, &xml::XmlError::NestedStream, "invalid-xml");
        assert!(h.conn.is_finished());
    });
}

#[test]
fn a_wrong_stream_or_content_namespace_is_refused() {
    both_ways(|_| {
        // The stream namespace of another protocol.
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(&HEADER_IN.replace(
            "http://etherx.jabber.org/streams",
            "http://etherx.example/streams",
        ));
        match h.disconnect_error() {
            Some(ConnectionError::Xml(xml::XmlError::InvalidNamespace(_))) => {}
            other => panic!("{other:?}"),
        }
        assert!(h.take_sent().contains("<invalid-namespace "));
        assert!(h.conn.is_finished());
        // A server-to-server stream offered to a client.
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(&HEADER_IN.replace("jabber:client", "jabber:server"));
        match h.disconnect_error() {
            Some(ConnectionError::Protocol(why)) => assert!(why.contains("jabber:server"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(h.take_sent().contains("<invalid-namespace "));
        assert!(h.conn.is_finished());
    });
}

// ----- stream errors ---------------------------------------------------------------------------

#[test]
fn every_stream_error_condition_ends_the_session_with_it() {
    use crate::error::StreamErrorCondition as C;
    both_ways(|_| {
        for &condition in C::ALL {
            let name = condition.name();
            for during in ["negotiation", "online"] {
                let mut h = if during == "online" {
                    online()
                } else {
                    let mut h = Harness::with("plaintext", chunk(), |_| {});
                    h.take_sent();
                    h.server(HEADER_IN);
                    h
                };
                h.server(&format!(
                    "<stream:error><{name} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
                     <text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>why</text></stream:error>"
                ));
                match h.disconnect_error() {
                    Some(err @ ConnectionError::Stream(e)) => {
                        assert_eq!(e.condition, condition, "{during}");
                        assert_eq!(
                            err.forbids_reconnect(),
                            condition == C::Conflict,
                            "{name} {during}"
                        );
                    }
                    other => panic!("{name} {during}: {other:?}"),
                }
                assert_eq!(h.conn.state(), State::Offline);
                assert!(h.conn.is_finished());
                // We answer a stream error with nothing but the close.
                assert!(!h.take_sent().contains("<stream:error"), "{name}");
            }
        }
        // An unknown condition is undefined-condition.
        let mut h = online();
        h.server(
            "<stream:error><made-up xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        );
        match h.disconnect_error() {
            Some(ConnectionError::Stream(e)) => assert_eq!(e.condition, C::UndefinedCondition),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn see_other_host_pointing_elsewhere_is_reported_not_followed() {
    both_ways(|_| {
        // Before authentication (a man in the middle could send it): nothing is sent to the
        // server after it, and the redirect is only reported. The connection never connects
        // anywhere by itself; the driver reconnects to the configured server, verifying its
        // certificate for the account's domain as always.
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.take_sent();
        h.server(HEADER_IN);
        h.server(
            "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\
             evil.example:5222</see-other-host></stream:error>",
        );
        match h.disconnect_error() {
            Some(err @ ConnectionError::Stream(e)) => {
                assert_eq!(
                    e.condition,
                    crate::error::StreamErrorCondition::SeeOtherHost
                );
                assert_eq!(e.see_other_host.as_deref(), Some("evil.example:5222"));
                assert!(!err.forbids_reconnect());
            }
            other => panic!("{other:?}"),
        }
        // A stream error ends the stream: nothing is answered.
        assert_eq!(h.take_sent(), "");
        assert!(h.conn.is_finished());
    });
}

// ----- the end of the connection ---------------------------------------------------------------

#[test]
fn a_connection_closed_without_the_stream_end_is_a_transport_loss() {
    both_ways(|_| {
        // Online with stream management: the session can be resumed.
        let mut h = online_with_sm();
        h.conn.send(msg("unacked")).unwrap();
        h.conn.transport_closed(h.now);
        h.collect();
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::TransportClosed)
        ));
        assert!(!h.disconnect_error().unwrap().forbids_reconnect());
        let state = h.conn.take_resumption().expect("resumable");
        assert_eq!(state.unacked().count(), 1);

        // In the middle of a stanza, mid-negotiation: the same clean end.
        let mut h = Harness::with("plaintext", chunk(), |_| {});
        h.server(HEADER_IN);
        h.server("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
        h.conn.transport_closed(h.now);
        h.collect();
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::TransportClosed)
        ));
        assert_eq!(h.conn.state(), State::Offline);
        assert!(h.conn.is_finished());
        // Exactly one Disconnected.
        assert_eq!(
            h.events
                .iter()
                .filter(|e| matches!(e, Event::Disconnected { .. }))
                .count(),
            1
        );
    });
}
