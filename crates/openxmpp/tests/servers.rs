//! The client against real Prosody and ejabberd servers (private, on loopback, from the test
//! kit): both TLS modes, every SASL mechanism each server offers, refusals, messages between
//! our clients and with an independent client (slixmpp), IQ round trips, and the blocking API.

mod common;

use std::time::Duration;

use common::{builder, chat_message, go_available, message_body, signed_in, wait_for};
use openxmpp::core::error::StanzaErrorCondition;
use openxmpp::core::sasl::FailureCondition;
use openxmpp::core::xml::Element;
use openxmpp::stanza::{Iq, Message, MessageType};
use openxmpp::{AuthError, ConnectionError, Error, Event, ImEvent, Mechanism, Security};
use openxmpp_testkit::{
    PasswordHash, PeerTls, ServerKind, ServerOptions, SlixPeer, TestServer, shared,
};

fn server(kind: ServerKind) -> &'static TestServer {
    shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// The mechanism a session authenticated with, from its events.
async fn mechanism_used(events: &mut openxmpp::Events) -> Mechanism {
    // The events before Online are queued: Authenticated is among them.
    let mut found = None;
    while let Some(event) = events.try_next() {
        if let Event::Authenticated { mechanism } = event {
            found = Some(mechanism);
        }
    }
    found.expect("an Authenticated event before Online")
}

async fn login_both_tls_modes(kind: ServerKind, expected: Mechanism) {
    let server = server(kind);
    let account = server.new_account("tls").unwrap();
    for security in [Security::StartTls, Security::DirectTls] {
        let (client, mut events) = builder(server, &account, security)
            .resource("modes")
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{kind} {security:?}: {e}"));
        assert_eq!(client.jid().to_bare().as_str(), account.jid);
        assert_eq!(client.jid().resource(), "modes");
        assert_eq!(
            mechanism_used(&mut events).await,
            expected,
            "{kind} {security:?}"
        );
        client.close().await.unwrap();
        let clean = wait_for(&mut events, |e| match e {
            Event::Disconnected { error } => Some(error.is_none()),
            _ => None,
        })
        .await;
        assert!(clean, "{kind}: the closing handshake completes cleanly");
    }
}

#[tokio::test]
async fn prosody_starttls_and_direct_tls() {
    login_both_tls_modes(ServerKind::Prosody, Mechanism::ScramSha1).await;
}

#[tokio::test]
async fn ejabberd_starttls_and_direct_tls() {
    login_both_tls_modes(ServerKind::Ejabberd, Mechanism::ScramSha512).await;
}

async fn login_with(server: &TestServer, mechanism: Mechanism) {
    let account = server.new_account("mech").unwrap();
    let mut builder = builder(server, &account, Security::StartTls).mechanisms([mechanism]);
    if mechanism == Mechanism::DigestMd5 {
        builder = builder.allow_digest_md5();
    }
    let (client, mut events) = builder
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{} {mechanism:?}: {e}", server.kind()));
    assert_eq!(mechanism_used(&mut events).await, mechanism);
    client.close().await.unwrap();
}

#[tokio::test]
async fn every_mechanism_prosody_offers() {
    let prosody = server(ServerKind::Prosody);
    for mechanism in [Mechanism::ScramSha1, Mechanism::Plain] {
        login_with(prosody, mechanism).await;
    }
    let sha256 = TestServer::start_with(
        ServerKind::Prosody,
        ServerOptions {
            password_hash: PasswordHash::Sha256,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    login_with(&sha256, Mechanism::ScramSha256).await;
}

#[tokio::test]
async fn every_mechanism_ejabberd_offers() {
    let ejabberd = server(ServerKind::Ejabberd);
    for mechanism in [
        Mechanism::ScramSha512,
        Mechanism::ScramSha256,
        Mechanism::ScramSha1,
        Mechanism::Plain,
        Mechanism::DigestMd5,
    ] {
        login_with(ejabberd, mechanism).await;
    }
}

/// Over TLS 1.2 both servers offer -PLUS mechanisms, bound to `tls-unique` only, which rustls
/// cannot provide (and which is unsafe without the extended master secret): the client must
/// still log in, with the non-PLUS mechanism and the `n` flag, rather than fail.
#[tokio::test]
async fn servers_offering_only_tls_unique_plus_still_work() {
    for kind in ServerKind::ALL {
        let options = ServerOptions {
            tls12_only: true,
            ..ServerOptions::default()
        };
        let server = TestServer::start_with(kind, options).unwrap();
        let account = server.new_account("plus").unwrap();
        let (client, mut events) = builder(&server, &account, Security::StartTls)
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let mechanism = mechanism_used(&mut events).await;
        assert!(
            mechanism.is_scram() && !mechanism.is_plus(),
            "{kind}: {mechanism:?}"
        );
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn wrong_password_is_a_permanent_auth_error() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let mut account = server.new_account("wrong").unwrap();
        account.password.push_str("-not");
        let err = builder(server, &account, Security::StartTls)
            .connect()
            .await
            .unwrap_err();
        match &err {
            Error::Connection(ConnectionError::Auth(AuthError::Refused { failure, .. })) => {
                assert_eq!(failure.condition, FailureCondition::NotAuthorized, "{kind}");
            }
            other => panic!("{kind}: expected not-authorized, got {other:?}"),
        }
        assert!(matches!(&err, Error::Connection(c) if c.forbids_reconnect()));
        assert!(
            !err.to_string().contains(&account.password),
            "no password in errors"
        );
    }
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("ca").unwrap();
        let addr = server.starttls_addr();
        // The platform's roots only: the test CA is unknown.
        let err = openxmpp::Client::builder(account.jid.clone(), account.password.clone())
            .server(addr.ip().to_string(), addr.port())
            .connect()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, Error::Connection(ConnectionError::Tls(_))),
            "{kind}: {err:?}"
        );
        assert!(text.contains("not trusted"), "{kind}: {text}");
    }
}

/// A server whose certificate (from a trusted CA) names another host is refused.
#[tokio::test]
async fn a_certificate_for_another_host_is_refused() {
    for kind in ServerKind::ALL {
        let options = ServerOptions {
            certificate_names: Some(vec!["other.example".to_owned()]),
            ..ServerOptions::default()
        };
        let server = TestServer::start_with(kind, options).unwrap();
        let account = server.new_account("host").unwrap();
        let err = builder(&server, &account, Security::StartTls)
            .connect()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, Error::Connection(ConnectionError::Tls(_))),
            "{kind}: {err:?}"
        );
        assert!(
            text.contains("another host") && text.contains("other.example"),
            "{kind}: {text}"
        );
    }
}

#[tokio::test]
async fn refused_connection_and_unresolvable_domain_are_distinct_errors() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = openxmpp::Client::builder("a@localhost", "x")
        .server("127.0.0.1", port)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let err = openxmpp::Client::builder("a@no-such-host.invalid", "x")
        .server("no-such-host.invalid", 5222)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Resolve { .. }), "{err:?}");
}

async fn message_round_trip(kind: ServerKind) {
    let server = server(kind);
    let (a, b) = (
        server.new_account("a").unwrap(),
        server.new_account("b").unwrap(),
    );
    let (alice, mut alice_events) = builder(server, &a, Security::StartTls)
        .connect()
        .await
        .unwrap();
    let (bob, mut bob_events) = builder(server, &b, Security::DirectTls)
        .connect()
        .await
        .unwrap();
    // Without initial presence a session is not available, and chat to the bare JID would be
    // stored offline (RFC 6121 §8.5.2).
    go_available(&alice, &mut alice_events).await;
    go_available(&bob, &mut bob_events).await;
    let body = "Ça va? <ok> & 🎻";
    let message = Message::chat(b.jid.parse().unwrap(), body)
        .with_body(Some("de"), "Wie geht's?")
        .with_thread("t-1", None)
        .with_id("m-1");
    alice.send(message).await.unwrap();
    let got = wait_for(&mut bob_events, |e| {
        chat_message(e)
            .map(|m| m.message)
            .filter(|m| m.kind == MessageType::Chat)
    })
    .await;
    assert_eq!(got.body(), Some(body));
    assert_eq!(got.bodies.get(Some("de")), Some("Wie geht's?"));
    assert_eq!(got.thread.as_ref().map(|t| t.id.as_str()), Some("t-1"));
    assert_eq!(
        got.header.from.as_ref().map(|j| j.as_str()),
        Some(alice.jid().as_str())
    );
    // And back.
    bob.send(Message::chat(alice.jid().clone().into(), "back"))
        .await
        .unwrap();
    let back = wait_for(&mut alice_events, message_body).await;
    assert_eq!(back, "back");
    alice.close().await.unwrap();
    bob.close().await.unwrap();
}

#[tokio::test]
async fn prosody_message_round_trip() {
    message_round_trip(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_message_round_trip() {
    message_round_trip(ServerKind::Ejabberd).await;
}

/// Interop: our client and slixmpp exchange messages both ways on each server.
#[tokio::test]
async fn messages_with_slixmpp_both_ways() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (ours, theirs) = (
            server.new_account("ours").unwrap(),
            server.new_account("slix").unwrap(),
        );
        let (client, mut events) = signed_in(server, &ours, Security::StartTls).await;
        let account = theirs.clone();
        let mut peer = tokio::task::spawn_blocking(move || {
            let mut peer = SlixPeer::start()?;
            peer.connect(server, &account, PeerTls::StartTls)?;
            Ok::<_, openxmpp_testkit::KitError>(peer)
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        client
            .send(Message::chat(
                theirs.jid.parse().unwrap(),
                "hello slixmpp ✓",
            ))
            .await
            .unwrap();
        let ours_jid = ours.jid.clone();
        let peer_back = tokio::task::spawn_blocking(move || {
            let got = peer.wait_for(|e| e["event"] == "message", Duration::from_secs(10))?;
            peer.send_chat(&ours_jid, "hello openxmpp ✓")?;
            Ok::<_, openxmpp_testkit::KitError>((got, peer))
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (got, peer) = peer_back;
        assert_eq!(got["body"], "hello slixmpp ✓", "{kind}");
        assert_eq!(got["type"], "chat");
        let reply = wait_for(&mut events, message_body).await;
        assert_eq!(reply, "hello openxmpp ✓", "{kind}");
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn iq_requests_get_results_and_errors() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("iq").unwrap();
        let (client, _events) = builder(server, &account, Security::StartTls)
            .connect()
            .await
            .unwrap();
        // A ping to the server (XEP-0199).
        let ping =
            Iq::get("", Element::new("ping", "urn:xmpp:ping")).to(server.domain().parse().unwrap());
        client
            .request(ping)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        // The roster (no contacts yet).
        let roster = Iq::get("", Element::new("query", "jabber:iq:roster"));
        let result = client.request(roster).await.unwrap();
        assert!(
            result
                .payload_element()
                .is_some_and(|q| q.is("query", "jabber:iq:roster"))
        );
        // A namespace nobody serves: an error, typed.
        let unknown = Iq::get("", Element::new("query", "urn:example:nobody"))
            .to(server.domain().parse().unwrap());
        match client.request(unknown).await {
            Err(Error::Stanza(e)) => assert!(
                matches!(
                    e.condition,
                    StanzaErrorCondition::ServiceUnavailable
                        | StanzaErrorCondition::FeatureNotImplemented
                ),
                "{kind}: {e}"
            ),
            other => panic!("{kind}: {other:?}"),
        }
        client.close().await.unwrap();
    }
}

#[test]
fn blocking_client_connects_sends_requests_and_closes() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (a, b) = (
            server.new_account("ba").unwrap(),
            server.new_account("bb").unwrap(),
        );
        let alice = builder(server, &a, Security::StartTls)
            .connect_blocking()
            .unwrap();
        let mut bob = builder(server, &b, Security::DirectTls)
            .connect_blocking()
            .unwrap();
        // Our own presence coming back means the session is available.
        while let Some(event) = bob.next_event(Duration::from_secs(10)) {
            if let Event::Im {
                event: ImEvent::Presence { .. },
            } = event
            {
                break;
            }
        }
        alice
            .send(Message::chat(b.jid.parse().unwrap(), "sync hello"))
            .unwrap();
        let mut got = None;
        while let Some(event) = bob.next_event(Duration::from_secs(10)) {
            if let Some(body) = message_body(&event) {
                got = Some(body);
                break;
            }
        }
        assert_eq!(got.as_deref(), Some("sync hello"), "{kind}");
        let roster = Iq::get("", Element::new("query", "jabber:iq:roster"));
        bob.request_with_timeout(roster, Duration::from_secs(10))
            .unwrap();
        alice.close().unwrap();
        bob.close().unwrap();
    }
}
