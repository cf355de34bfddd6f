//! The message archive (XEP-0313), vCards (XEP-0054) and contacts' entity capabilities
//! (XEP-0115) against both servers.

mod common;

use std::time::Duration;

use common::{chat_message, signed_in, wait_for};
use openxmpp::im::delay::Timestamp;
use openxmpp::im::vcard::VCard;
use openxmpp::{BareJid, Jid, Security};
use openxmpp_testkit::{ServerKind, shared};

fn now() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    Timestamp::from_unix(i64::try_from(since.as_secs()).unwrap(), 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_ranges_and_catch_up_from_the_archive() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("mama").unwrap(),
            server.new_account("mamb").unwrap(),
        );
        let (alice_jid, bob_jid): (BareJid, BareJid) =
            (a.jid.parse().unwrap(), b.jid.parse().unwrap());
        let start = Timestamp::from_unix(now().unix_seconds() - 2, 0).unwrap();
        let (alice, _alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = signed_in(server, &b, Security::StartTls).await;
        for i in 0..7 {
            alice
                .chats()
                .send(&bob_jid, &format!("archived {i} ✓"))
                .await
                .unwrap();
        }
        // Bob sees the first three live, and then reads the rest from the archive.
        for _ in 0..7 {
            wait_for(&mut bob_events, chat_message).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;

        // The last five, oldest first, paged by the server in pages of at most 50.
        let last = bob
            .archive()
            .last_with(&alice_jid, 5)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let bodies: Vec<_> = last
            .iter()
            .map(|m| m.message.body().unwrap_or("").to_owned())
            .collect();
        assert_eq!(
            bodies,
            (2..7)
                .map(|i| format!("archived {i} ✓"))
                .collect::<Vec<_>>(),
            "{kind}"
        );
        assert!(
            last.iter().all(|m| m.delay.is_some()),
            "{kind}: archive results carry their time"
        );

        // A time range, with pages of 2 to exercise RSM.
        let query = openxmpp::im::mam::ArchiveQuery::new(bob_jid.clone(), None, "range-q")
            .filter(
                openxmpp::im::mam::ArchiveFilter::new()
                    .with(Jid::from(alice_jid.clone()))
                    .start(start),
            )
            .page_size(2);
        let all = bob
            .archive()
            .query(query)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(all.len(), 7, "{kind}");
        assert_eq!(all[0].message.body(), Some("archived 0 ✓"));

        // Everything arrived live: a catch-up has nothing new.
        let fresh = bob.archive().catch_up(start, 100).await.unwrap();
        assert!(fresh.is_empty(), "{kind}: {} duplicates", fresh.len());
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcards_and_capabilities() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("vca").unwrap(),
            server.new_account("vcb").unwrap(),
        );
        let (alice_jid, bob_jid): (BareJid, BareJid) =
            (a.jid.parse().unwrap(), b.jid.parse().unwrap());
        let (alice, mut alice_events) = signed_in(server, &a, Security::StartTls).await;

        assert_eq!(
            alice.vcard().fetch(None).await.unwrap(),
            None,
            "{kind}: no vCard yet"
        );
        let mut card = VCard::new();
        card.full_name = Some("Alice Liddell".to_owned());
        card.nickname = Some("Alice 🐇".to_owned());
        alice
            .vcard()
            .publish(card)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let own = alice.vcard().fetch(None).await.unwrap().expect("published");
        assert_eq!(own.nickname.as_deref(), Some("Alice 🐇"), "{kind}");

        let (bob, _bob_events) = signed_in(server, &b, Security::StartTls).await;
        let theirs = bob
            .vcard()
            .fetch(Some(&alice_jid))
            .await
            .unwrap()
            .expect("alice's vCard");
        assert_eq!(theirs.full_name.as_deref(), Some("Alice Liddell"), "{kind}");

        // Directed presence with caps from bob to alice: alice looks them up and verifies.
        let alice_full: Jid = alice.jid().into();
        bob.presence()
            .directed(alice_full, openxmpp::stanza::Presence::available())
            .await
            .unwrap();
        let bob_full: Jid = bob.jid().into();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while alice.discovery().capabilities(&bob_full).is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{kind}: capabilities not learned"
            );
            let _ = tokio::time::timeout(Duration::from_millis(100), alice_events.next()).await;
        }
        let info = alice.discovery().capabilities(&bob_full).unwrap();
        assert!(info.has_feature("urn:xmpp:receipts"), "{kind}");
        let _ = bob_jid;
        alice.close().await.unwrap();
        bob.close().await.unwrap();
    }
}
