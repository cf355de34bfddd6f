//! The hostile-server suite, IM cases: what a server or a contact sends that must not be
//! believed, and floods that must not grow memory. Each test asserts the session's exact
//! reaction: a `Forgery` event and no effect, or a bounded state that still serves the
//! contacts in the roster.

use openxmpp_core::jid::Jid;

use super::*;
use crate::presence::{MAX_CONTACTS, MAX_STATUS_LEN};
use crate::subscriptions::{MAX_PENDING, MAX_REQUEST_TEXT_LEN};

#[test]
fn roster_pushes_from_anyone_but_our_account_are_forgeries() {
    let mut session = online();
    for from in [
        "mallory@evil.example/x",
        "mallory@evil.example",
        // Our server's domain, another account on it, and a look-alike of ours.
        "example.com",
        "mallory@example.com",
        "juliet@example.com.evil.example",
        // Our own full JID: pushes come from the bare JID (or without `from`).
        "juliet@example.com/balcony",
    ] {
        feed(
            &mut session,
            &format!(
                "<iq type='set' id='evil' from='{from}'><query xmlns='jabber:iq:roster'>\
                 <item jid='mallory@evil.example' subscription='both'/></query></iq>"
            ),
        );
        assert!(sent(&mut session).is_empty(), "{from}: answered");
        match &events(&mut session)[..] {
            [
                Event::Forgery {
                    from: forger,
                    what: "a roster push",
                },
            ] => assert_eq!(forger.as_str(), from),
            other => panic!("{from}: {other:?}"),
        }
        assert!(
            session
                .roster()
                .get(&"mallory@evil.example".parse().unwrap())
                .is_none(),
            "{from}: the push was applied"
        );
    }
    // The real thing still works.
    feed(
        &mut session,
        "<iq type='set' id='real' from='juliet@example.com'><query xmlns='jabber:iq:roster'>\
         <item jid='benvolio@example.net' subscription='none'/></query></iq>",
    );
    assert_eq!(sent(&mut session).len(), 1);
}

#[test]
fn carbons_forged_by_a_contact_are_dropped() {
    let mut session = online();
    let wrap = |from: &str, kind: &str, inner_from: &str, inner_to: &str| {
        format!(
            "<message from='{from}' to='juliet@example.com/balcony' type='chat'>\
             <{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
             <message xmlns='jabber:client' from='{inner_from}' to='{inner_to}' type='chat'>\
             <body>trust me</body></message></forwarded></{kind}></message>"
        )
    };
    for (from, kind) in [
        ("romeo@example.net/orchard", "received"),
        ("romeo@example.net/orchard", "sent"),
        ("romeo@example.net", "received"),
        ("example.com", "received"),
        ("juliet@example.com/phone", "sent"),
    ] {
        feed(
            &mut session,
            &wrap(
                from,
                kind,
                "nurse@example.com/x",
                "juliet@example.com/balcony",
            ),
        );
        match &events(&mut session)[..] {
            [
                Event::Forgery {
                    from: forger,
                    what: "a carbon copy",
                },
            ] => assert_eq!(forger.as_str(), from),
            other => panic!("{from} {kind}: {other:?}"),
        }
        assert!(sent(&mut session).is_empty());
    }
    // From our bare JID, but the copy claims a message between two strangers: dropped.
    feed(
        &mut session,
        &wrap(
            "juliet@example.com",
            "sent",
            "mallory@evil.example/x",
            "romeo@example.net",
        ),
    );
    assert!(events(&mut session).is_empty());
}

/// A presence from `from` with a long status.
fn presence_from(from: &str, status: &str) -> Stanza {
    let mut presence = Presence::available().with_status(None, status);
    presence.header.from = Some(from.parse::<Jid>().unwrap());
    Stanza::Presence(presence)
}

#[test]
fn a_presence_flood_from_50000_jids_stays_bounded_and_the_roster_still_counts() {
    let mut session = online();
    let long_status = "é".repeat(4096);
    let mut changes = 0;
    for i in 0..50_000 {
        let rest = session.handle_stanza(
            presence_from(&format!("c{i}@flood.example/r"), &long_status),
            &now(),
        );
        assert!(rest.is_none());
        changes += events(&mut session).len();
        // Whatever the flood makes the session send (capability lookups) stays bounded.
        assert!(outputs(&mut session).len() <= 1);
    }
    assert_eq!(
        changes, MAX_CONTACTS,
        "one event per tracked contact, none beyond"
    );
    assert_eq!(session.presence().contacts().count(), MAX_CONTACTS);
    // Status texts are kept only up to the bound.
    let (_, kept) = session
        .presence()
        .resources(&"c0@flood.example".parse().unwrap())
        .next()
        .unwrap();
    let text = kept.statuses.get(None).unwrap();
    assert!(text.len() <= MAX_STATUS_LEN && text.len() >= MAX_STATUS_LEN - 1);
    assert!(long_status.starts_with(text));

    // A contact in the roster is still seen, after the flood.
    session.handle_stanza(presence_from("romeo@example.net/orchard", "here"), &now());
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Presence {
            change: crate::presence::PresenceChange::Available { .. }
        }]
    ));
    assert!(
        session
            .presence()
            .is_online(&"romeo@example.net".parse().unwrap())
    );
    // Going offline forgets it all.
    session.offline(&now());
    assert_eq!(session.presence().contacts().count(), 0);
}

#[test]
fn a_subscription_request_flood_stays_bounded() {
    let mut session = online();
    let long_text = "x".repeat(10_000);
    let mut requested = 0;
    for i in 0..50_000 {
        let mut request =
            Presence::new(PresenceType::Subscribe, None).with_status(None, &long_text);
        request.header.from = Some(format!("s{i}@flood.example").parse().unwrap());
        session.handle_stanza(Stanza::Presence(request), &now());
        requested += events(&mut session).len();
    }
    assert_eq!(requested, MAX_PENDING);
    assert_eq!(session.subscriptions().pending().count(), MAX_PENDING);
    assert!(
        session
            .subscriptions()
            .pending()
            .all(|(_, text)| text.is_some_and(|t| t.len() == MAX_REQUEST_TEXT_LEN))
    );
    // Answering one makes room for one more.
    let first: openxmpp_core::jid::BareJid = "s0@flood.example".parse().unwrap();
    session.deny(&first);
    let mut request = Presence::new(PresenceType::Subscribe, None);
    request.header.from = Some("friar@example.net".parse().unwrap());
    session.handle_stanza(Stanza::Presence(request), &now());
    assert_eq!(events(&mut session).len(), 1);
}
