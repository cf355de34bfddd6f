//! Service discovery, software version, entity time and ping between two of our clients and
//! to the server; blocking; bounced messages — against both servers.

mod common;

use common::{builder, go_available, signed_in, wait_im};
use openxmpp::core::error::StanzaErrorCondition;
use openxmpp::im::caps::Caps;
use openxmpp::im::session::BlocklistEvent;
use openxmpp::stanza::Message;
use openxmpp::{BareJid, Error, ImEvent, Jid, Security};
use openxmpp_testkit::{ServerKind, shared};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_clients_answer_disco_version_time_and_ping() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("disca").unwrap(),
            server.new_account("discb").unwrap(),
        );
        let (alice, _alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = builder(server, &b, Security::StartTls)
            .feature("urn:example:bob-only")
            .connect()
            .await
            .unwrap();
        go_available(&bob, &mut bob_events).await;
        let bob_full: Jid = bob.jid().into();

        let info = alice.discovery().info(&bob_full, None).await.unwrap();
        for feature in [
            "http://jabber.org/protocol/disco#info",
            "urn:xmpp:receipts",
            "urn:xmpp:carbons:2",
            "urn:xmpp:time",
            "jabber:iq:version",
            "urn:example:bob-only",
        ] {
            assert!(
                info.has_feature(feature),
                "{kind}: {feature} missing: {info:?}"
            );
        }
        assert!(info.has_identity("client", "pc"));
        // Our own caps hash verifies against what we answer.
        let caps = Caps::new("https://example.invalid/openxmpp", &info).unwrap();
        let node_info = alice
            .discovery()
            .info(&bob_full, Some(&caps.disco_node()))
            .await
            .unwrap();
        assert!(caps.verify(&node_info), "{kind}");

        let version = alice.discovery().version(&bob_full).await.unwrap();
        assert_eq!(version.name, "openXMPP");
        let time = alice.discovery().time(&bob_full).await.unwrap();
        assert!(time.utc().ends_with('Z'), "{kind}: {time:?}");
        alice.discovery().ping(Some(&bob_full)).await.unwrap();
        alice.discovery().ping(None).await.unwrap();

        // The server's own features.
        let domain: Jid = server.domain().parse().unwrap();
        let server_info = alice.discovery().info(&domain, None).await.unwrap();
        assert!(server_info.has_identity("server", "im"), "{kind}");

        // A request bob does not handle: service-unavailable, from bob's client itself.
        let unknown = openxmpp::stanza::Iq::get(
            "",
            openxmpp::core::xml::Element::new("query", "urn:example:unknown"),
        )
        .to(bob_full.clone());
        match alice.request(unknown).await {
            Err(Error::Stanza(e)) => assert_eq!(
                e.condition,
                StanzaErrorCondition::ServiceUnavailable,
                "{kind}"
            ),
            other => panic!("{kind}: {other:?}"),
        }
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}

#[tokio::test]
async fn blocking_and_bounced_messages() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, spammer) = (
            server.new_account("blocka").unwrap(),
            server.new_account("spam").unwrap(),
        );
        let spammer_jid: Jid = spammer.jid.parse().unwrap();
        let (client, mut events) = builder(server, &a, Security::StartTls)
            .connect()
            .await
            .unwrap();
        // The blocklist is fetched at login.
        wait_im(&mut events, |e| match e {
            ImEvent::Blocklist {
                event: BlocklistEvent::Loaded { jids },
            } => Some(jids.clone()),
            _ => None,
        })
        .await;
        client
            .blocklist()
            .block([spammer_jid.clone()])
            .await
            .unwrap();
        let blocked = wait_im(&mut events, |e| match e {
            ImEvent::Blocklist {
                event: BlocklistEvent::Blocked { jids },
            } => Some(jids.clone()),
            _ => None,
        })
        .await;
        assert_eq!(blocked, std::slice::from_ref(&spammer_jid), "{kind}");
        assert!(client.blocklist().is_blocked(spammer_jid.as_str()));
        client
            .blocklist()
            .unblock([spammer_jid.clone()])
            .await
            .unwrap();
        wait_im(&mut events, |e| match e {
            ImEvent::Blocklist {
                event: BlocklistEvent::Unblocked { .. },
            } => Some(()),
            _ => None,
        })
        .await;
        assert_eq!(client.blocklist().jids(), Some(Vec::new()), "{kind}");

        // A message to an account that does not exist bounces.
        let nobody: BareJid = format!("nobody-here@{}", server.domain()).parse().unwrap();
        let id = client
            .chats()
            .send_message(Message::chat(nobody.clone().into(), "anyone?"))
            .await
            .unwrap();
        let (bounced_id, condition) = wait_im(&mut events, |e| match e {
            ImEvent::MessageError { id, error, .. } => Some((id.clone(), error.condition)),
            _ => None,
        })
        .await;
        assert_eq!(bounced_id.as_deref(), Some(id.as_str()), "{kind}");
        assert_eq!(
            condition,
            StanzaErrorCondition::ServiceUnavailable,
            "{kind}"
        );
        client.close().await.unwrap();
    }
}
