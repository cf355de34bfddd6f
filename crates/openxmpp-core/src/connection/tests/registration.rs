//! In-band registration (XEP-0077): the stream is secured, nothing authenticates, requests to
//! the server are matched to responses from the server only. Every scenario also runs with the
//! server's bytes fed one at a time.

use super::*;
use crate::error::StanzaErrorCondition;

const REGISTER_FEATURES: &str = "<stream:features><mechanisms \
    xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms>\
    <register xmlns='http://jabber.org/features/iq-register'/></stream:features>";

const STARTTLS_FEATURES: &str =
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>";

/// A harness whose connection is for registration with `example.com`, secured as `mode` says.
fn registration_harness(mode: &str) -> Harness {
    Harness::with(mode, chunk(), |c| {
        let mut config =
            ConnectionConfig::registration("example.com".parse().unwrap(), c.tls.clone());
        config.id_prefix = Some("t".to_owned());
        *c = config;
    })
}

/// Runs STARTTLS and stops at the secured stream's features (`features`).
fn registering_with(features: &str) -> Harness {
    let mut h = registration_harness("starttls");
    h.expect_header(false);
    h.server(HEADER_IN);
    h.server(STARTTLS_FEATURES);
    h.proceed();
    // No `from` on the secured stream: there is no account yet.
    h.expect_header(false);
    h.server(HEADER_IN);
    h.server(features);
    h
}

/// In `Registering` over STARTTLS with registration advertised; events cleared.
fn registering() -> Harness {
    let mut h = registering_with(REGISTER_FEATURES);
    assert_eq!(h.conn.state(), State::Registering, "{:?}", h.events);
    h.expect_sent("");
    h.events.clear();
    h
}

fn register_query(children: &str) -> Element {
    crate::xml::parse_element(&format!(
        "<query xmlns='jabber:iq:register'>{children}</query>"
    ))
    .unwrap()
}

/// Sends a request and checks what went out.
fn request(h: &mut Harness, iq: Iq, expected: &str) -> RequestId {
    let id = h.conn.request(h.now, iq).unwrap();
    h.collect();
    h.expect_sent(expected);
    id
}

/// The only event is the response to `id`; returns its result.
fn response(h: &mut Harness, id: &RequestId) -> Result<Iq, Box<IqError>> {
    let events = std::mem::take(&mut h.events);
    match <[Event; 1]>::try_from(events) {
        Ok([Event::IqResponse { id: got, result }]) => {
            assert_eq!(&got, id);
            result.map_err(Box::new)
        }
        Ok(other) => panic!("{other:?}"),
        Err(events) => panic!("{events:?}"),
    }
}

fn refused_with(result: Result<Iq, Box<IqError>>) -> StanzaErrorCondition {
    match result.map_err(|e| *e) {
        Err(IqError::Stanza(e)) => e.condition,
        other => panic!("{other:?}"),
    }
}

#[test]
fn registration_config_never_authenticates() {
    let config = ConnectionConfig::registration(
        "example.com".parse().unwrap(),
        TlsMode::PlaintextInsecureForLocalTestingOnly,
    );
    assert_eq!(config.purpose, Purpose::Register);
    assert_eq!(config.domain(), "example.com");
    assert_eq!(config.keepalive_interval, None);
    assert!(!config.stream_management);
    assert_eq!(State::Registering.to_string(), "registering");
}

#[test]
fn register_over_starttls_with_legacy_fields_then_close() {
    both_ways(|_| {
        let mut h = registering_with(REGISTER_FEATURES);
        h.expect_sent(""); // no <auth/>: nothing authenticates
        assert_eq!(
            h.states(),
            [
                State::Connecting,
                State::Connected,
                State::StartingTls,
                State::Registering
            ]
        );
        match h.events.last() {
            Some(Event::ReadyToRegister { features }) => assert!(features.registration),
            other => panic!("{other:?}"),
        }
        assert_eq!(h.conn.poll_timeout(), None, "a form may take its time");
        h.events.clear();

        let fetch = request(
            &mut h,
            Iq::get("", register_query("")),
            "<iq id='t-1' type='get'><query xmlns='jabber:iq:register'/></iq>",
        );
        h.server(
            "<iq type='result' id='t-1'><query xmlns='jabber:iq:register'>\
             <instructions>Choose a username and password.</instructions>\
             <username/><password/></query></iq>",
        );
        let form = response(&mut h, &fetch).unwrap();
        let query = form.payload_element().unwrap();
        assert!(query.has_child("username", "jabber:iq:register"));
        assert!(query.has_child("password", "jabber:iq:register"));

        let submit = request(
            &mut h,
            Iq::set(
                "",
                register_query("<username>bill</username><password>Calliope</password>"),
            ),
            "<iq id='t-2' type='set'><query xmlns='jabber:iq:register'>\
             <username>bill</username><password>Calliope</password></query></iq>",
        );
        h.server("<iq type='result' id='t-2'/>");
        assert!(response(&mut h, &submit).is_ok());
        assert_eq!(h.conn.state(), State::Registering);

        h.conn.close(h.now);
        h.collect();
        h.expect_sent("</stream:stream>");
        h.server("</stream:stream>");
        assert!(matches!(
            h.events.last(),
            Some(Event::Disconnected { error: None })
        ));
        assert!(h.conn.is_finished());
    });
}

#[test]
fn conflict_and_not_acceptable_leave_the_stream_open_for_another_try() {
    both_ways(|_| {
        let mut h = registering();
        let taken = request(
            &mut h,
            Iq::set(
                "",
                register_query("<username>bill</username><password>x</password>"),
            ),
            "<iq id='t-1' type='set'><query xmlns='jabber:iq:register'>\
             <username>bill</username><password>x</password></query></iq>",
        );
        h.server(
            "<iq type='error' id='t-1'><error type='cancel'>\
             <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        assert_eq!(
            refused_with(response(&mut h, &taken)),
            StanzaErrorCondition::Conflict
        );

        let incomplete = request(
            &mut h,
            Iq::set("", register_query("<username>bill2</username>")),
            "<iq id='t-2' type='set'><query xmlns='jabber:iq:register'>\
             <username>bill2</username></query></iq>",
        );
        h.server(
            "<iq type='error' id='t-2'><error type='modify'>\
             <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Password: Required value missing\
             </text></error></iq>",
        );
        assert_eq!(
            refused_with(response(&mut h, &incomplete)),
            StanzaErrorCondition::NotAcceptable
        );
        assert_eq!(h.conn.state(), State::Registering);
    });
}

#[test]
fn fields_as_a_data_form_over_direct_tls() {
    both_ways(|_| {
        let mut h = registration_harness("direct");
        assert!(
            h.events
                .iter()
                .any(|e| matches!(e, Event::TlsEstablished { .. }))
        );
        h.expect_header(false);
        h.server(HEADER_IN);
        // Registration not advertised: the connection is ready all the same and says so.
        h.server(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        );
        h.expect_sent("");
        match h.events.last() {
            Some(Event::ReadyToRegister { features }) => assert!(!features.registration),
            other => panic!("{other:?}"),
        }
        h.events.clear();
        let to: crate::jid::Jid = "example.com".parse().unwrap();
        let fetch = request(
            &mut h,
            Iq::get("", register_query("")).to(to),
            "<iq id='t-1' to='example.com' type='get'><query xmlns='jabber:iq:register'/></iq>",
        );
        h.server(
            "<iq type='result' id='t-1' from='example.com'><query xmlns='jabber:iq:register'>\
             <instructions>Use the form.</instructions>\
             <x xmlns='jabber:x:data' type='form'>\
             <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>\
             <field type='text-single' var='username'><required/></field>\
             <field type='text-private' var='password'><required/></field>\
             </x></query></iq>",
        );
        let form = response(&mut h, &fetch).unwrap();
        let x = form
            .payload_element()
            .and_then(|q| q.get_child("x", "jabber:x:data"))
            .unwrap();
        assert_eq!(x.children().count(), 3);
    });
}

#[test]
fn responses_from_anyone_but_the_server_are_ignored() {
    both_ways(|_| {
        let mut h = registering();
        let id = request(
            &mut h,
            Iq::get("", register_query("")),
            "<iq id='t-1' type='get'><query xmlns='jabber:iq:register'/></iq>",
        );
        for forger in ["evil.example", "bill@example.com", "example.com/res"] {
            h.server(&format!(
                "<iq type='result' id='t-1' from='{forger}'><query xmlns='jabber:iq:register'>\
                 <username/></query></iq>"
            ));
            assert!(h.events.is_empty(), "{forger}: {:?}", h.events);
        }
        h.server("<iq type='result' id='t-9'/>"); // nobody asked
        assert!(h.events.is_empty(), "{:?}", h.events);
        h.server("<iq type='result' id='t-1' from='example.com'/>");
        assert!(response(&mut h, &id).is_ok());
    });
}

#[test]
fn only_requests_to_the_server_may_be_sent() {
    both_ways(|_| {
        let mut h = registration_harness("starttls");
        h.take_sent();
        let err = h
            .conn
            .request(h.now, Iq::get("", register_query("")))
            .unwrap_err();
        assert_eq!(
            err.state,
            State::Connected,
            "not before the stream is secured"
        );

        let mut h = registering();
        let other: crate::jid::Jid = "other.example".parse().unwrap();
        let err = h
            .conn
            .request(h.now, Iq::get("", register_query("")).to(other))
            .unwrap_err();
        assert_eq!(err.state, State::Registering);
        let err = h
            .conn
            .send(Message::chat("a@example.com".parse().unwrap(), "hi"))
            .unwrap_err();
        assert_eq!(err.state, State::Registering);
        h.collect();
        h.expect_sent("");

        // The server's own requests get the answer for what nobody handles; other stanzas
        // are dropped.
        h.server(
            "<iq type='get' id='s1'><ping xmlns='urn:xmpp:ping'/></iq>\
             <message from='example.com'><body>welcome</body></message>",
        );
        h.expect_sent(
            "<iq id='s1' type='error'><error type='cancel'>\
             <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        assert!(h.events.is_empty(), "{:?}", h.events);
        assert_eq!(h.conn.state(), State::Registering);
    });
}

#[test]
fn plaintext_registration_only_when_plaintext_is_configured() {
    both_ways(|_| {
        // The explicit test-only opt-in: registration over plaintext.
        let mut h = registration_harness("plaintext");
        h.expect_header(false);
        h.server(HEADER_IN);
        h.server(REGISTER_FEATURES);
        assert_eq!(h.conn.state(), State::Registering);
        assert!(h.conn.tls().is_none());

        // Otherwise a server without STARTTLS is refused before anything is asked.
        let mut h = registration_harness("starttls");
        h.take_sent();
        h.server(HEADER_IN);
        h.server(REGISTER_FEATURES);
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::TlsNotOffered { .. })
        ));
        assert!(h.conn.is_finished());
        assert!(
            !h.events
                .iter()
                .any(|e| matches!(e, Event::ReadyToRegister { .. }))
        );
        assert_eq!(h.take_sent(), "");
    });
}

#[test]
fn pending_requests_time_out_and_end_with_the_stream() {
    both_ways(|_| {
        let mut h = registering();
        let slow = h
            .conn
            .request_with_timeout(
                h.now,
                Iq::get("", register_query("")),
                Duration::from_secs(5),
            )
            .unwrap();
        let pending = h
            .conn
            .request(h.now, Iq::get("", register_query("")))
            .unwrap();
        h.collect();
        h.take_sent();
        assert_eq!(h.conn.poll_timeout(), Some(h.now + Duration::from_secs(5)));
        h.conn.handle_timeout(h.now + Duration::from_secs(5));
        h.collect();
        assert_eq!(response(&mut h, &slow), Err(Box::new(IqError::Timeout)));
        assert_eq!(h.conn.state(), State::Registering);

        // A second features element on this stream is a protocol violation.
        h.server(REGISTER_FEATURES);
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::IqResponse { id, result: Err(IqError::Disconnected) } if *id == pending
        )));
        assert!(matches!(
            h.disconnect_error(),
            Some(ConnectionError::Protocol(_))
        ));
    });
}
