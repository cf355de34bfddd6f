//! The roster through `client.roster()` against both servers: fetched at login with
//! versioning, a contact added, renamed and regrouped, removed, every change an event, and a
//! second login that the stored version makes cheap.

mod common;

use common::{KeptRosterStore, builder, wait_im};
use openxmpp::im::roster::{RosterEvent, RosterItem, Subscription};
use openxmpp::{BareJid, ImEvent, Security};
use openxmpp_testkit::{ServerKind, shared};

fn roster_event(event: &ImEvent) -> Option<RosterEvent> {
    match event {
        ImEvent::Roster { event } => Some(event.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn roster_add_update_remove_and_versioned_relogin() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let account = server.new_account("roster").unwrap();
        let contact = server.new_account("contact").unwrap();
        let contact_jid: BareJid = contact.jid.parse().unwrap();
        let store = KeptRosterStore::default();
        let (client, mut events) = builder(server, &account, Security::StartTls)
            .roster_store(store.clone())
            .connect()
            .await
            .unwrap();
        let loaded = wait_im(&mut events, roster_event).await;
        assert_eq!(
            loaded,
            RosterEvent::Loaded {
                items: 0,
                from_cache: false
            },
            "{kind}"
        );

        client
            .roster()
            .add(&contact_jid, Some("Cöntact 🎻"), ["Friends"])
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        match wait_im(&mut events, roster_event).await {
            RosterEvent::Added(added) => {
                assert_eq!(added.name.as_deref(), Some("Cöntact 🎻"), "{kind}");
                assert_eq!(added.groups, ["Friends"], "{kind}");
                assert_eq!(added.subscription, Subscription::None);
            }
            other => panic!("{kind}: {other:?}"),
        }
        let item = client.roster().get(&contact_jid).expect("in the roster");
        assert_eq!(item.name.as_deref(), Some("Cöntact 🎻"));

        // Renamed and moved to two groups.
        let renamed = RosterItem::new(contact_jid.clone())
            .with_name("Ĉontact")
            .with_group("Band")
            .with_group("Friends");
        client.roster().set(renamed).await.unwrap();
        match wait_im(&mut events, roster_event).await {
            RosterEvent::Updated { before, after } => {
                assert_eq!(before.name.as_deref(), Some("Cöntact 🎻"));
                assert_eq!(after.name.as_deref(), Some("Ĉontact"), "{kind}");
                let mut groups = after.groups.clone();
                groups.sort();
                assert_eq!(groups, ["Band", "Friends"], "{kind}");
            }
            other => panic!("{kind}: {other:?}"),
        }
        let version = client.roster().version();
        assert!(version.is_some(), "{kind}: the pushes carry a version");
        client.close().await.unwrap();

        // Next login with the same store: the server confirms the stored copy.
        let (client, mut events) = builder(server, &account, Security::StartTls)
            .roster_store(store.clone())
            .connect()
            .await
            .unwrap();
        match wait_im(&mut events, roster_event).await {
            RosterEvent::Loaded { items: 1, .. } => {}
            other => panic!("{kind}: {other:?}"),
        }
        assert_eq!(
            client.roster().get(&contact_jid).and_then(|i| i.name),
            Some("Ĉontact".to_owned()),
            "{kind}"
        );

        client.roster().remove(&contact_jid).await.unwrap();
        match wait_im(&mut events, roster_event).await {
            RosterEvent::Removed(jid) => assert_eq!(jid, contact_jid, "{kind}"),
            other => panic!("{kind}: {other:?}"),
        }
        assert!(client.roster().items().is_empty(), "{kind}");
        client.close().await.unwrap();
    }
}
