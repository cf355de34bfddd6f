//! The IM handles from blocking code, against both servers: roster, presence, messages.

mod common;

use std::time::Duration;

use common::builder;
use openxmpp::im::roster::RosterEvent;
use openxmpp::stanza::Show;
use openxmpp::{BareJid, Event, ImEvent, Security, blocking};
use openxmpp_testkit::{ServerKind, shared};

/// Reads events until `pick` matches, for at most 15 s.
fn next_matching<T>(
    client: &mut blocking::Client,
    mut pick: impl FnMut(&ImEvent) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while std::time::Instant::now() < deadline {
        if let Some(Event::Im { event }) = client.next_event(Duration::from_millis(500))
            && let Some(found) = pick(&event)
        {
            return found;
        }
    }
    panic!("no matching event within 15 s");
}

#[test]
fn blocking_roster_presence_and_chat() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b) = (
            server.new_account("blka").unwrap(),
            server.new_account("blkb").unwrap(),
        );
        let bob_jid: BareJid = b.jid.parse().unwrap();
        let mut alice = builder(server, &a, Security::StartTls)
            .connect_blocking()
            .unwrap();
        let mut bob = builder(server, &b, Security::DirectTls)
            .connect_blocking()
            .unwrap();
        next_matching(&mut alice, |e| {
            matches!(
                e,
                ImEvent::Roster {
                    event: RosterEvent::Loaded { .. }
                }
            )
            .then_some(())
        });
        next_matching(&mut bob, |e| {
            matches!(e, ImEvent::Presence { .. }).then_some(())
        });

        alice
            .roster()
            .add(&bob_jid, Some("Bob 🎺"), ["Band"])
            .unwrap();
        next_matching(&mut alice, |e| {
            matches!(
                e,
                ImEvent::Roster {
                    event: RosterEvent::Added(_)
                }
            )
            .then_some(())
        });
        assert_eq!(
            alice.roster().get(&bob_jid).and_then(|i| i.name),
            Some("Bob 🎺".to_owned())
        );
        alice
            .presence()
            .set(Some(Show::Away), Some("brb"), 1)
            .unwrap();

        let id = alice.chats().send(&bob_jid, "blocking hello ✓").unwrap();
        let (body, sender_id) = next_matching(&mut bob, |e| match e {
            ImEvent::Message { message } => Some((
                message.message.body().map(str::to_owned),
                message.sender_id().map(str::to_owned),
            )),
            _ => None,
        });
        assert_eq!(body.as_deref(), Some("blocking hello ✓"), "{kind}");
        assert_eq!(sender_id, Some(id), "{kind}");
        alice.roster().remove(&bob_jid).unwrap();
        alice.close().unwrap();
        bob.close().unwrap();
    }
}
