//! The subscription handshake in both directions with an independent client (slixmpp), and
//! presence changes seen by each side, with our side run by openxmpp-im's `Subscriptions` and
//! `PresenceTracker` (driven by hand until the client's IM handles exist).

mod common;

use std::time::Duration;

use common::{builder, go_available};
use openxmpp::im::presence::{Availability, PresenceTracker};
use openxmpp::im::roster::{MemoryRosterStore, Roster};
use openxmpp::im::subscriptions::{SubscriptionEvent, Subscriptions};
use openxmpp::stanza::{IqPayload, Presence, Show, Stanza};
use openxmpp::{BareJid, Client, Event, Events, Security};
use openxmpp_testkit::{KitError, ServerKind, SlixPeer, shared};
use serde_json::json;

/// Our side: subscriptions and presence, fed from the client's events. Roster pushes (which
/// subscription changes cause) are acknowledged.
struct Side {
    subscriptions: Subscriptions,
    presence: PresenceTracker,
}

impl Side {
    /// Handles events until `done` holds or 15 s pass.
    async fn run_until(
        &mut self,
        client: &Client,
        events: &mut Events,
        mut done: impl FnMut(&Side, Option<&SubscriptionEvent>) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let event = match tokio::time::timeout_at(deadline, events.next()).await {
                Ok(Some(event)) => event,
                Ok(None) => panic!("the event stream ended"),
                Err(_) => panic!("condition not reached within 15 s"),
            };
            let mut subscription = None;
            match event {
                Event::Stanza {
                    stanza: Stanza::Presence(p),
                } => {
                    subscription = self.subscriptions.handle(&p);
                    self.presence.handle(&p);
                }
                Event::Stanza {
                    stanza: Stanza::Iq(iq),
                } if matches!(iq.payload, IqPayload::Set(_)) => {
                    client.send(iq.result(None)).await.unwrap();
                }
                _ => {}
            }
            if done(self, subscription.as_ref()) {
                return;
            }
        }
    }
}

async fn peer_call(peer: SlixPeer, command: serde_json::Value) -> SlixPeer {
    tokio::task::spawn_blocking(move || {
        let mut peer = peer;
        peer.call(command)?;
        Ok::<_, KitError>(peer)
    })
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_handshake_both_ways_with_slixmpp() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ours, theirs) = (
            server.new_account("subo").unwrap(),
            server.new_account("subs").unwrap(),
        );
        let theirs_jid: BareJid = theirs.jid.parse().unwrap();
        let (client, mut events) = builder(server, &ours, Security::StartTls)
            .handle_iq(openxmpp::im::roster::NS)
            .connect()
            .await
            .unwrap();
        // Roster first, then presence (RFC 6121 §2.2): only resources that fetched the roster
        // are "interested" and get roster pushes and subscription approvals.
        let mut roster = Roster::new(ours.jid.parse().unwrap(), MemoryRosterStore::default());
        let result = client.request(roster.request(false)).await.unwrap();
        roster.handle_result(result).unwrap();
        go_available(&client, &mut events).await;
        let account = theirs.clone();
        let peer = tokio::task::spawn_blocking(move || {
            let mut peer = SlixPeer::start()?;
            peer.call(json!({
                "op": "connect", "jid": account.jid, "password": account.password,
                "host": server.starttls_addr().ip().to_string(),
                "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
                "direct_tls": false, "auto_authorize": true,
            }))?;
            Ok::<_, KitError>(peer)
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));

        let mut side = Side {
            subscriptions: Subscriptions::default(),
            presence: PresenceTracker::default(),
        };
        // We ask; slixmpp approves, and asks back.
        client
            .send(Subscriptions::request(&theirs_jid))
            .await
            .unwrap();
        let mut approved = false;
        let mut asked = false;
        side.run_until(&client, &mut events, |_, event| {
            match event {
                Some(SubscriptionEvent::Approved { from }) if from.as_str() == theirs.jid => {
                    approved = true;
                }
                Some(SubscriptionEvent::Requested { from, .. }) if from.as_str() == theirs.jid => {
                    asked = true;
                }
                _ => {}
            }
            approved && asked
        })
        .await;
        assert_eq!(side.subscriptions.pending().count(), 1, "{kind}");
        client
            .send(side.subscriptions.approve(&theirs_jid))
            .await
            .unwrap();
        assert_eq!(side.subscriptions.pending().count(), 0);
        // Subscribed: their presence reaches our tracker.
        side.run_until(&client, &mut events, |s, _| {
            s.presence.is_online(&theirs_jid)
        })
        .await;

        // They go away with a status; we see it.
        let peer = peer_call(
            peer,
            json!({"op": "presence", "show": "away", "status": "Out for a walk"}),
        )
        .await;
        side.run_until(&client, &mut events, |s, _| {
            s.presence
                .best_resource(&theirs_jid)
                .is_some_and(|(_, p)| p.availability == Availability::Away)
        })
        .await;
        let (_, best) = side.presence.best_resource(&theirs_jid).unwrap();
        assert_eq!(best.statuses.get(None), Some("Out for a walk"), "{kind}");

        // We go do-not-disturb; they see it.
        client
            .send(
                Presence::available()
                    .with_show(Show::Dnd)
                    .with_status(None, "Rehearsing 🎻"),
            )
            .await
            .unwrap();
        let ours_jid = ours.jid.clone();
        let (seen, peer) = tokio::task::spawn_blocking(move || {
            let mut peer = peer;
            let seen = peer.wait_for(
                |e| {
                    e["event"] == "presence"
                        && e["from"].as_str().is_some_and(|f| f.starts_with(&ours_jid))
                        && e["show"] == "dnd"
                },
                Duration::from_secs(15),
            )?;
            Ok::<_, KitError>((seen, peer))
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(seen["status"], "Rehearsing 🎻", "{kind}");

        // They go offline; we see that too.
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        let mut gone = false;
        side.run_until(&client, &mut events, |s, _| {
            gone = !s.presence.is_online(&theirs_jid);
            gone
        })
        .await;
        assert!(gone);
        client.close().await.unwrap();
    }
}
