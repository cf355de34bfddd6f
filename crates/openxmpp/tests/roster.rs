//! The roster logic of openxmpp-im against real servers, driven by hand through the client
//! (the `client.roster()` handle comes with the IM issue): fetch with versioning, a contact
//! added and pushed back, and a second login that the stored version makes cheap.

mod common;

use common::{builder, wait_for};
use openxmpp::Event;
use openxmpp::Security;
use openxmpp::im::roster::{
    MemoryRosterStore, Roster, RosterEvent, RosterItem, RosterQuery, Subscription,
};
use openxmpp::stanza::{IqPayload, Stanza};
use openxmpp_testkit::{ServerKind, shared};

#[tokio::test]
async fn roster_fetch_push_and_versioned_relogin() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let account = server.new_account("roster").unwrap();
        let contact = server.new_account("contact").unwrap();
        let (client, mut events) = builder(server, &account, Security::StartTls)
            .handle_iq(openxmpp::im::roster::NS)
            .connect()
            .await
            .unwrap();
        let versioning = wait_for(&mut events, |e| match e {
            Event::Online { features, .. } => Some(features.roster_versioning),
            _ => None,
        })
        .await;
        assert!(versioning, "{kind}: the kit enables roster versioning");

        let mut roster = Roster::new(account.jid.parse().unwrap(), MemoryRosterStore::default());
        let result = client.request(roster.request(versioning)).await.unwrap();
        assert_eq!(
            roster.handle_result(result).unwrap(),
            [RosterEvent::Loaded {
                items: 0,
                from_cache: false
            }],
            "{kind}"
        );

        // Adding a contact: the server pushes the new item to our session, which answers.
        let item = RosterItem::new(contact.jid.parse().unwrap())
            .with_name("Cöntact 🎻")
            .with_group("Friends");
        // The set runs concurrently: its result may come before or after the push.
        let set = tokio::spawn({
            let client = client.clone();
            async move { client.request(RosterQuery::set_item(item)).await }
        });
        let push = wait_for(&mut events, |e| match e {
            Event::Stanza {
                stanza: Stanza::Iq(iq),
            } if matches!(iq.payload, IqPayload::Set(_)) => Some(iq.clone()),
            _ => None,
        })
        .await;
        let (answer, change) = roster
            .handle_push(&push)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        client.send(answer).await.unwrap();
        set.await.unwrap().unwrap();
        match change {
            Some(RosterEvent::Added(added)) => {
                assert_eq!(added.name.as_deref(), Some("Cöntact 🎻"), "{kind}");
                assert_eq!(added.groups, ["Friends"], "{kind}");
                assert_eq!(added.subscription, Subscription::None);
            }
            other => panic!("{kind}: {other:?}"),
        }
        let version = roster.version().map(str::to_owned);
        assert!(version.is_some(), "{kind}: the push carried a version");
        client.close().await.unwrap();

        // Next login: the stored version makes the server answer with nothing new.
        let store = roster.store().clone();
        let (client, _events) = builder(server, &account, Security::StartTls)
            .handle_iq(openxmpp::im::roster::NS)
            .connect()
            .await
            .unwrap();
        let mut again = Roster::new(account.jid.parse().unwrap(), store);
        let result = client.request(again.request(true)).await.unwrap();
        let events = again.handle_result(result).unwrap();
        assert!(
            matches!(events.as_slice(), [RosterEvent::Loaded { items: 1, .. }]),
            "{kind}: {events:?}"
        );
        assert_eq!(
            again
                .get(&contact.jid.parse().unwrap())
                .and_then(|i| i.name.as_deref()),
            Some("Cöntact 🎻"),
            "{kind}"
        );
        client.close().await.unwrap();
    }
}
