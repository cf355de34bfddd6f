//! Conversations through `client.chats()` against both servers: messages both ways with an
//! independent client (slixmpp) — non-ASCII bodies, several `xml:lang` bodies, threads,
//! replies locked to the writing resource — and carbons between two of our own sessions.

mod common;

use std::time::Duration;

use common::{builder, chat_message, go_available, signed_in, wait_for, wait_im};
use openxmpp::im::chats::{ConversationKey, Delivery, Direction};
use openxmpp::stanza::{Message, MessageType};
use openxmpp::{BareJid, ImEvent, Security};
use openxmpp_testkit::{KitError, ServerKind, SlixPeer, shared};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_both_ways_with_slixmpp() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, theirs) = (
            server.new_account("chato").unwrap(),
            server.new_account("chats").unwrap(),
        );
        let theirs_jid: BareJid = theirs.jid.parse().unwrap();
        let (client, mut events) = signed_in(server, &ours, Security::StartTls).await;
        let account = theirs.clone();
        let (their_full, peer) = tokio::task::spawn_blocking(move || {
            let mut peer = SlixPeer::start()?;
            let answer = peer.call(json!({
                "op": "connect", "jid": account.jid, "password": account.password,
                "host": server.starttls_addr().ip().to_string(),
                "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
                "direct_tls": false,
            }))?;
            Ok::<_, KitError>((answer["jid"].as_str().unwrap_or_default().to_owned(), peer))
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));

        // Ours → theirs: two languages and a thread.
        let message = Message::chat(theirs_jid.clone().into(), "Ĝis baldaŭ, 世界! 🎻 <&>")
            .with_body(Some("de"), "Bis bald, Welt!")
            .with_thread("thread-ω", None);
        let id = client.chats().send_message(message).await.unwrap();
        let (got, peer) = tokio::task::spawn_blocking(move || {
            let mut peer = peer;
            let got = peer.wait_for(|e| e["event"] == "message", Duration::from_secs(15))?;
            Ok::<_, KitError>((got, peer))
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(got["body"], "Ĝis baldaŭ, 世界! 🎻 <&>", "{kind}");
        assert_eq!(got["thread"], "thread-ω", "{kind}");
        assert_eq!(got["id"], id.as_str(), "{kind}");

        // Theirs → ours: a thread, a language, from their full JID.
        let mut peer = peer;
        tokio::task::block_in_place(|| {
            peer.call(json!({
                "op": "message", "to": ours.jid, "body": "Ça va très bien ✓",
                "thread": "thread-ω", "lang": "fr", "id": "slix-1",
            }))
        })
        .unwrap();
        let received = wait_for(&mut events, chat_message).await;
        assert_eq!(received.direction, Direction::Incoming);
        assert_eq!(received.delivery, Delivery::Live);
        assert_eq!(
            received.conversation,
            ConversationKey::in_thread(theirs_jid.clone(), "thread-ω"),
            "{kind}"
        );
        assert_eq!(received.message.body(), Some("Ça va très bien ✓"));
        assert_eq!(
            received.message.header.lang.as_deref(),
            Some("fr"),
            "{kind}"
        );
        assert_eq!(received.sender_id(), Some("slix-1"));

        // The reply goes to the resource that wrote, in the same thread.
        client
            .chats()
            .send_in(&received.conversation, "Merci !")
            .await
            .unwrap();
        let got = tokio::task::block_in_place(|| {
            peer.wait_for(|e| e["event"] == "message", Duration::from_secs(15))
        })
        .unwrap();
        assert_eq!(got["body"], "Merci !", "{kind}");
        assert_eq!(got["thread"], "thread-ω", "{kind}");
        assert_eq!(
            got["to"],
            their_full.as_str(),
            "{kind}: sent to the writing resource"
        );
        assert_eq!(
            client.chats().address(&theirs_jid).as_str(),
            their_full,
            "{kind}: replies are locked to the writing resource"
        );
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carbons_reach_our_other_session() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, bob) = (
            server.new_account("carbon").unwrap(),
            server.new_account("carbonbob").unwrap(),
        );
        let bob_jid: BareJid = bob.jid.parse().unwrap();
        let (phone, mut phone_events) = builder(server, &ours, Security::StartTls)
            .resource("phone")
            .connect()
            .await
            .unwrap();
        go_available(&phone, &mut phone_events).await;
        let (laptop, mut laptop_events) = builder(server, &ours, Security::StartTls)
            .resource("laptop")
            .connect()
            .await
            .unwrap();
        go_available(&laptop, &mut laptop_events).await;
        let (bob_client, mut bob_events) = signed_in(server, &bob, Security::StartTls).await;
        // Carbons are enabled at login; give the servers a moment to have processed it.
        tokio::time::sleep(Duration::from_millis(300)).await;

        // The phone writes to bob: the laptop gets a sent carbon.
        phone
            .chats()
            .send(&bob_jid, "from the phone")
            .await
            .unwrap();
        let carbon = wait_im(&mut laptop_events, |e| match e {
            ImEvent::Message { message } => Some((**message).clone()),
            _ => None,
        })
        .await;
        assert_eq!(carbon.direction, Direction::Outgoing, "{kind}");
        assert_eq!(carbon.delivery, Delivery::Carbon, "{kind}");
        assert_eq!(carbon.conversation.peer, bob_jid);
        assert_eq!(carbon.message.body(), Some("from the phone"));

        // Bob answers the phone's full JID: the laptop gets a received carbon.
        let reply = wait_for(&mut bob_events, chat_message).await;
        bob_client
            .chats()
            .send_in(&reply.conversation, "to the phone")
            .await
            .unwrap();
        let got = wait_for(&mut phone_events, chat_message).await;
        assert_eq!(got.message.body(), Some("to the phone"));
        assert_eq!(got.delivery, Delivery::Live);
        let carbon = wait_im(&mut laptop_events, |e| match e {
            ImEvent::Message { message } => Some((**message).clone()),
            _ => None,
        })
        .await;
        assert_eq!(carbon.direction, Direction::Incoming, "{kind}");
        assert_eq!(carbon.delivery, Delivery::Carbon, "{kind}");
        assert_eq!(carbon.message.body(), Some("to the phone"));
        assert_eq!(carbon.message.kind, MessageType::Chat);
        for client in [phone, laptop, bob_client] {
            client.close().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_and_headline_messages_with_subjects() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("typea").unwrap(),
            server.new_account("typeb").unwrap(),
        );
        let (alice, _alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = signed_in(server, &b, Security::StartTls).await;
        let bob_jid: BareJid = b.jid.parse().unwrap();
        for kind_sent in [
            MessageType::Normal,
            MessageType::Headline,
            MessageType::Chat,
        ] {
            let message = Message::new(kind_sent, Some(bob_jid.clone().into()))
                .with_subject(None, "Über the balcony")
                .with_subject(Some("fr"), "Sur le balcon")
                .with_body(None, "Meet me at dawn");
            alice.chats().send_message(message).await.unwrap();
            let got = wait_for(&mut bob_events, chat_message).await;
            assert_eq!(got.message.kind, kind_sent, "{kind}");
            assert_eq!(got.message.subject(), Some("Über the balcony"), "{kind}");
            assert_eq!(
                got.message.subjects.get(Some("fr")),
                Some("Sur le balcon"),
                "{kind}"
            );
            assert_eq!(got.conversation.peer.as_str(), a.jid, "{kind}");
        }
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_messages_arrive_delayed_with_their_timestamp() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("offa").unwrap(),
            server.new_account("offb").unwrap(),
        );
        let (alice, _alice_events) = signed_in(server, &a, Security::StartTls).await;
        let before = std::time::SystemTime::now();
        alice
            .chats()
            .send(&b.jid.parse().unwrap(), "while you were away")
            .await
            .unwrap();
        // Let the server store it before bob signs in.
        alice.discovery().ping(None).await.unwrap();
        let (bob, mut bob_events) = builder(server, &b, Security::StartTls)
            .connect()
            .await
            .unwrap();
        let got = wait_for(&mut bob_events, chat_message).await;
        assert_eq!(got.message.body(), Some("while you were away"), "{kind}");
        assert_eq!(got.delivery, Delivery::Delayed, "{kind}");
        let sent_at = std::time::SystemTime::from(got.sent_at.expect("a delay stamp"));
        let skew = sent_at
            .duration_since(before)
            .unwrap_or_else(|e| e.duration());
        assert!(
            skew < Duration::from_secs(5),
            "{kind}: stamp {sent_at:?} vs {before:?}"
        );
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_states_markers_and_corrections() {
    use openxmpp::im::chat_states::ChatState;
    use openxmpp::im::correction;
    use openxmpp::im::markers::Marker;
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("csa").unwrap(),
            server.new_account("csb").unwrap(),
        );
        let (alice, mut alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = signed_in(server, &b, Security::StartTls).await;
        let to_bob = ConversationKey::with(b.jid.parse().unwrap());

        alice
            .chats()
            .chat_state(&to_bob, ChatState::Composing)
            .await
            .unwrap();
        let state = wait_im(&mut bob_events, |e| match e {
            ImEvent::ChatState { state, .. } => Some(*state),
            _ => None,
        })
        .await;
        assert_eq!(state, ChatState::Composing, "{kind}");

        let id = alice.chats().send_in(&to_bob, "Helo").await.unwrap();
        let first = wait_for(&mut bob_events, chat_message).await;
        let fixed = alice.chats().correct(&to_bob, &id, "Hello").await.unwrap();
        let second = wait_for(&mut bob_events, chat_message).await;
        assert_eq!(second.message.body(), Some("Hello"));
        assert_eq!(
            correction::replaced_id(&second.message),
            Some(id.as_str()),
            "{kind}"
        );
        assert_ne!(fixed, id);

        // Bob shows it: alice gets the marker for her message.
        bob.chats()
            .mark(
                &first.conversation,
                Marker::Displayed {
                    id: first.sender_id().unwrap().to_owned(),
                },
            )
            .await
            .unwrap();
        let marker = wait_im(&mut alice_events, |e| match e {
            ImEvent::Marker { marker, .. } => Some(marker.clone()),
            _ => None,
        })
        .await;
        assert_eq!(marker.id(), id, "{kind}");
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_come_back_from_contacts_who_see_our_presence() {
    use openxmpp::im::receipts;
    use openxmpp::im::subscriptions::SubscriptionEvent;
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("rca").unwrap(),
            server.new_account("rcb").unwrap(),
        );
        let (alice, mut alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = signed_in(server, &b, Security::StartTls).await;
        let (alice_jid, bob_jid): (BareJid, BareJid) =
            (a.jid.parse().unwrap(), b.jid.parse().unwrap());
        // Alice may see bob's presence: bob answers her receipt requests.
        alice.subscriptions().request(&bob_jid, None).await.unwrap();
        wait_im(&mut bob_events, |e| match e {
            ImEvent::Subscription {
                event: SubscriptionEvent::Requested { from, .. },
            } if *from == alice_jid => Some(()),
            _ => None,
        })
        .await;
        bob.subscriptions().approve(&alice_jid).await.unwrap();
        wait_im(&mut alice_events, |e| match e {
            ImEvent::Subscription {
                event: SubscriptionEvent::Approved { .. },
            } => Some(()),
            _ => None,
        })
        .await;
        // Bob's roster push (subscription 'from') reaches his session before the message.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let message = Message::chat(bob_jid.clone().into(), "did you get this?").with_id("rc-1");
        let message = receipts::with_request(message).unwrap();
        let id = alice.chats().send_message(message).await.unwrap();
        let receipt = wait_im(&mut alice_events, |e| match e {
            ImEvent::Receipt { id, .. } => Some(id.clone()),
            _ => None,
        })
        .await;
        assert_eq!(receipt, id, "{kind}");
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}
