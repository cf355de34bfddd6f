//! Subscriptions and presence through `client.subscriptions()` and `client.presence()`, with
//! an independent client (slixmpp) on the other side, against both servers: the full
//! handshake in both directions, presence changes seen by each side, directed presence.

mod common;

use std::time::Duration;

use common::{builder, go_available, signed_in, wait_im};
use openxmpp::im::presence::{Availability, PresenceChange};
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::stanza::{Presence, Show};
use openxmpp::{BareJid, ImEvent, Security};
use openxmpp_testkit::{KitError, ServerKind, SlixPeer, TestServer, shared};
use serde_json::{Value, json};

async fn peer_call(peer: SlixPeer, command: Value) -> (Value, SlixPeer) {
    tokio::task::spawn_blocking(move || {
        let mut peer = peer;
        let answer = peer.call(command)?;
        Ok::<_, KitError>((answer, peer))
    })
    .await
    .unwrap()
    .unwrap()
}

async fn peer_wait(
    peer: SlixPeer,
    pick: impl Fn(&Value) -> bool + Send + 'static,
) -> (Value, SlixPeer) {
    tokio::task::spawn_blocking(move || {
        let mut peer = peer;
        let seen = peer.wait_for(pick, Duration::from_secs(15))?;
        Ok::<_, KitError>((seen, peer))
    })
    .await
    .unwrap()
    .unwrap()
}

/// slixmpp signed in as `account`, answering subscription requests itself when `auto`.
async fn start_peer(
    server: &'static TestServer,
    jid: String,
    password: String,
    auto: bool,
) -> (String, SlixPeer) {
    tokio::task::spawn_blocking(move || {
        let mut peer = SlixPeer::start()?;
        let answer = peer.call(json!({
            "op": "connect", "jid": jid, "password": password,
            "host": server.starttls_addr().ip().to_string(),
            "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
            "direct_tls": false, "auto_authorize": auto,
        }))?;
        let full = answer["jid"].as_str().unwrap_or_default().to_owned();
        Ok::<_, KitError>((full, peer))
    })
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_subscribe_and_they_subscribe_back_with_slixmpp() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, theirs) = (
            server.new_account("subo").unwrap(),
            server.new_account("subs").unwrap(),
        );
        let theirs_jid: BareJid = theirs.jid.parse().unwrap();
        let (client, mut events) = signed_in(server, &ours, Security::StartTls).await;
        // slixmpp approves what it is asked and asks back.
        let (_, peer) = start_peer(server, theirs.jid.clone(), theirs.password.clone(), true).await;

        client
            .subscriptions()
            .request(&theirs_jid, Some("Juliet here 🌹"))
            .await
            .unwrap();
        let (mut approved, mut asked) = (false, false);
        wait_im(&mut events, |e| {
            match e {
                ImEvent::Subscription {
                    event: SubscriptionEvent::Approved { from },
                } if *from == theirs_jid => approved = true,
                ImEvent::Subscription {
                    event: SubscriptionEvent::Requested { from, .. },
                } if *from == theirs_jid => asked = true,
                _ => {}
            }
            (approved && asked).then_some(())
        })
        .await;
        let pending = client.subscriptions().pending();
        assert_eq!(pending.len(), 1, "{kind}: {pending:?}");
        assert_eq!(pending[0].0, theirs_jid);
        client.subscriptions().approve(&theirs_jid).await.unwrap();
        assert!(client.subscriptions().pending().is_empty());
        // Subscribed: their presence reaches us (it may already have, right after their
        // approval; the tracker is updated before the event is queued).
        if !client.presence().is_online(&theirs_jid) {
            wait_im(&mut events, |e| match e {
                ImEvent::Presence {
                    change: PresenceChange::Available { contact, .. },
                } if *contact == theirs_jid => Some(()),
                _ => None,
            })
            .await;
        }
        assert!(client.presence().is_online(&theirs_jid));

        // They go away with a status; we see it.
        let (_, peer) = peer_call(
            peer,
            json!({"op": "presence", "show": "away", "status": "Out for a walk"}),
        )
        .await;
        wait_im(&mut events, |e| match e {
            ImEvent::Presence {
                change:
                    PresenceChange::Available {
                        contact, presence, ..
                    },
            } if *contact == theirs_jid && presence.availability == Availability::Away => Some(()),
            _ => None,
        })
        .await;
        let (_, best) = client.presence().best_resource(&theirs_jid).unwrap();
        assert_eq!(best.statuses.get(None), Some("Out for a walk"), "{kind}");

        // We go do-not-disturb; they see it.
        client
            .presence()
            .set(Some(Show::Dnd), Some("Rehearsing 🎻"), 5)
            .await
            .unwrap();
        let ours_jid = ours.jid.clone();
        let (seen, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&ours_jid))
                && e["show"] == "dnd"
        })
        .await;
        assert_eq!(seen["status"], "Rehearsing 🎻", "{kind}");
        assert_eq!(seen["priority"], 5, "{kind}");

        // They go offline; we see that too.
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        wait_im(&mut events, |e| match e {
            ImEvent::Presence {
                change: PresenceChange::Unavailable { contact, .. },
            } if *contact == theirs_jid => Some(()),
            _ => None,
        })
        .await;
        assert!(!client.presence().is_online(&theirs_jid), "{kind}");
        client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn they_subscribe_we_deny_then_approve_and_directed_presence() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, theirs) = (
            server.new_account("dpo").unwrap(),
            server.new_account("dps").unwrap(),
        );
        let theirs_jid: BareJid = theirs.jid.parse().unwrap();
        let ours_jid = ours.jid.clone();
        let (client, mut events) = signed_in(server, &ours, Security::StartTls).await;
        let (their_full, peer) =
            start_peer(server, theirs.jid.clone(), theirs.password.clone(), false).await;

        // Directed presence to someone who is not a contact: only they see it.
        client
            .presence()
            .directed(
                their_full.parse().unwrap(),
                Presence::available().with_status(Some("en"), "just for you"),
            )
            .await
            .unwrap();
        let from = ours_jid.clone();
        let (seen, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence" && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        assert_eq!(seen["status"], "just for you", "{kind}");
        assert_eq!(
            client.presence().directed_targets(),
            std::slice::from_ref(&their_full)
        );
        client
            .presence()
            .directed_unavailable(their_full.parse().unwrap())
            .await
            .unwrap();
        let from = ours_jid.clone();
        let (_, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["type"] == "unavailable"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        assert!(client.presence().directed_targets().is_empty());

        // They ask; we deny; they see it.
        let (_, peer) = peer_call(
            peer,
            json!({"op": "presence", "to": ours_jid, "type": "subscribe"}),
        )
        .await;
        wait_im(&mut events, |e| match e {
            ImEvent::Subscription {
                event: SubscriptionEvent::Requested { from, .. },
            } if *from == theirs_jid => Some(()),
            _ => None,
        })
        .await;
        client.subscriptions().deny(&theirs_jid).await.unwrap();
        let from = ours_jid.clone();
        let (_, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["type"] == "unsubscribed"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;

        // They ask again; we approve; they now see our presence.
        let (_, peer) = peer_call(
            peer,
            json!({"op": "presence", "to": ours_jid, "type": "subscribe"}),
        )
        .await;
        wait_im(&mut events, |e| match e {
            ImEvent::Subscription {
                event: SubscriptionEvent::Requested { from, .. },
            } if *from == theirs_jid => Some(()),
            _ => None,
        })
        .await;
        client.subscriptions().approve(&theirs_jid).await.unwrap();
        let from = ours_jid.clone();
        let (_, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["type"] == "subscribed"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        client
            .presence()
            .set(Some(Show::Chat), Some("free to talk"), 0)
            .await
            .unwrap();
        let from = ours_jid.clone();
        let (seen, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["show"] == "chat"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        assert_eq!(seen["status"], "free to talk", "{kind}");
        // We cancel their subscription: they get unsubscribed.
        client.subscriptions().cancel(&theirs_jid).await.unwrap();
        let from = ours_jid.clone();
        let (_, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["type"] == "unsubscribed"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preapproval_where_the_server_offers_it() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, theirs) = (
            server.new_account("preo").unwrap(),
            server.new_account("pres").unwrap(),
        );
        let theirs_jid: BareJid = theirs.jid.parse().unwrap();
        let (client, mut events) = builder(server, &ours, Security::StartTls)
            .connect()
            .await
            .unwrap();
        let offered = common::wait_for(&mut events, |e| match e {
            openxmpp::Event::Online { features, .. } => Some(features.pre_approval),
            _ => None,
        })
        .await;
        eprintln!("{kind}: subscription pre-approval offered: {offered}");
        go_available(&client, &mut events).await;
        match client.subscriptions().preapprove(&theirs_jid).await {
            Err(openxmpp::Error::Unsupported { .. }) => {
                assert!(!offered, "{kind}");
                client.close().await.unwrap();
                continue;
            }
            Ok(()) => assert!(offered, "{kind}"),
            Err(e) => panic!("{kind}: {e}"),
        }
        // Pre-approved: their request is approved by the server without asking us.
        let (_, peer) =
            start_peer(server, theirs.jid.clone(), theirs.password.clone(), false).await;
        let ours_jid = ours.jid.clone();
        let (_, peer) = peer_call(
            peer,
            json!({"op": "presence", "to": ours_jid, "type": "subscribe"}),
        )
        .await;
        let from = ours.jid.clone();
        let (_, peer) = peer_wait(peer, move |e| {
            e["event"] == "presence"
                && e["type"] == "subscribed"
                && e["from"].as_str().is_some_and(|f| f.starts_with(&from))
        })
        .await;
        assert!(client.subscriptions().pending().is_empty(), "{kind}");
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        client.close().await.unwrap();
    }
}
