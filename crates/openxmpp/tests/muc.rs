//! Multi-user chat (XEP-0045) through `client.muc()` against both servers, with slixmpp in
//! the room too: join with emoji nicknames, occupants and roles, messages both ways, subject,
//! nickname conflict, leave.
//!
//! Emoji and these servers: Prosody 0.12 and ejabberd 23.01 check nicknames with stringprep
//! (RFC 3454, Unicode 3.2), which refuses every character assigned after Unicode 3.2: most
//! emoji (🦀, 👍🏽, 👩‍💻) are refused by the *server* (Prosody: `jid-malformed`, "Nickname
//! must pass strict validation"; ejabberd: `bad-request` on the `to` address). Older symbols
//! work, and the servers drop the emoji variation selector (❤️ becomes ❤), which the client
//! follows through the room's self-presence (status 110).

mod common;

use std::time::Duration;

use common::{signed_in, wait_im};
use openxmpp::im::muc::{LeaveReason, MucEvent, Role};
use openxmpp::{BareJid, Error, ImEvent, Security};
use openxmpp_testkit::{KitError, ServerKind, SlixPeer, shared};
use serde_json::json;

fn muc(event: &ImEvent) -> Option<MucEvent> {
    match event {
        ImEvent::Muc { event } => Some((**event).clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_with_emoji_nicknames() {
    for kind in ServerKind::ALL {
        let server = shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (a, b, c) = (
            server.new_account("muca").unwrap(),
            server.new_account("mucb").unwrap(),
            server.new_account("mucs").unwrap(),
        );
        let room: BareJid = format!(
            "balcony-{}@conference.{}",
            a.jid.split('@').next().unwrap(),
            server.domain()
        )
        .parse()
        .unwrap();
        let (alice, mut alice_events) = signed_in(server, &a, Security::StartTls).await;
        let (bob, mut bob_events) = signed_in(server, &b, Security::StartTls).await;

        // Alice creates the room; bob joins; both with emoji nicknames.
        let alice_nick = alice
            .muc()
            .join(&room, "Alice ❤️")
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            alice_nick, "Alice ❤",
            "{kind}: the server dropped U+FE0F; we follow it"
        );
        assert_eq!(alice.muc().room(&room).unwrap().nick(), "Alice ❤");
        let bob_nick = bob
            .muc()
            .join(&room, "Bob ☺ ✈")
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        // A modern emoji nickname: the server's stringprep refuses it; we report it, cleanly.
        let modern: BareJid = format!("modern-{room}").parse().unwrap();
        match bob.muc().join(&modern, "Bob 👩‍💻").await {
            Ok(nick) => assert_eq!(nick, "Bob 👩‍💻", "{kind}"),
            Err(Error::MucJoin { .. }) => {}
            Err(other) => panic!("{kind}: {other}"),
        }
        wait_im(&mut alice_events, |e| match muc(e) {
            Some(MucEvent::OccupantJoined { occupant, .. }) if occupant.nick == bob_nick => {
                Some(())
            }
            _ => None,
        })
        .await;
        let seen = alice.muc().room(&room).unwrap();
        assert_eq!(seen.occupant_count(), 2, "{kind}");
        assert_eq!(
            seen.me().map(|o| o.role),
            Some(Role::Moderator),
            "{kind}: the creator moderates"
        );

        // slixmpp joins too (raw presence: the peer has no MUC plugin loaded).
        let account = c.clone();
        let occupant = format!("{room}/Slix ✓");
        let peer = tokio::task::spawn_blocking(move || {
            let mut peer = SlixPeer::start()?;
            peer.call(json!({
                "op": "connect", "jid": account.jid, "password": account.password,
                "host": server.starttls_addr().ip().to_string(),
                "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
                "direct_tls": false,
            }))?;
            peer.call(json!({"op": "raw", "xml": format!(
                "<presence to='{occupant}'><x xmlns='http://jabber.org/protocol/muc'/></presence>")}))?;
            Ok::<_, KitError>(peer)
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let slix_nick = wait_im(&mut bob_events, |e| match muc(e) {
            Some(MucEvent::OccupantJoined { occupant, .. })
                if occupant.nick.starts_with("Slix") =>
            {
                Some(occupant.nick)
            }
            _ => None,
        })
        .await;

        // Messages both ways.
        alice
            .muc()
            .say(&room, "Hello room! Grüße 🎻")
            .await
            .unwrap();
        let (from, body) = wait_im(&mut bob_events, |e| match muc(e) {
            Some(MucEvent::Message {
                nick,
                message,
                own: false,
                ..
            }) => Some((nick, message.body().map(str::to_owned))),
            _ => None,
        })
        .await;
        assert_eq!(from.as_deref(), Some("Alice ❤"), "{kind}");
        assert_eq!(body.as_deref(), Some("Hello room! Grüße 🎻"), "{kind}");
        let mut peer = peer;
        tokio::task::block_in_place(|| {
            peer.call(json!({"op": "message", "to": room.to_string(), "type": "groupchat", "body": "slix says hi"}))
        })
        .unwrap();
        let (from, body) = wait_im(&mut alice_events, |e| match muc(e) {
            Some(MucEvent::Message { nick, message, .. })
                if message.body() == Some("slix says hi") =>
            {
                Some((nick, message.body().map(str::to_owned)))
            }
            _ => None,
        })
        .await;
        assert_eq!(from.as_deref(), Some(slix_nick.as_str()), "{kind}");
        assert!(body.is_some());

        // The subject.
        alice
            .muc()
            .set_subject(&room, "Shakespeare 📜")
            .await
            .unwrap();
        let subject = wait_im(&mut bob_events, |e| match muc(e) {
            Some(MucEvent::Subject { subject, .. }) => subject,
            _ => None,
        })
        .await;
        assert_eq!(subject, "Shakespeare 📜", "{kind}");

        // A nickname conflict is a clear error.
        let (carol, _carol_events) = signed_in(server, &c, Security::DirectTls).await;
        match carol.muc().join(&room, "Alice ❤").await {
            Err(Error::MucJoin { reason, .. }) => {
                assert_eq!(
                    reason, "the nickname is already in use in this room",
                    "{kind}"
                )
            }
            other => panic!("{kind}: {other:?}"),
        }

        // Bob leaves; alice sees it.
        bob.muc().leave(&room, Some("bye")).await.unwrap();
        wait_im(&mut bob_events, |e| {
            matches!(muc(e), Some(MucEvent::Left { .. })).then_some(())
        })
        .await;
        let reason = wait_im(&mut alice_events, |e| match muc(e) {
            Some(MucEvent::OccupantLeft { nick, reason, .. }) if nick == bob_nick => Some(reason),
            _ => None,
        })
        .await;
        assert!(matches!(reason, LeaveReason::Left), "{kind}: {reason:?}");
        assert!(bob.muc().room(&room).is_none());
        tokio::task::spawn_blocking(move || peer.disconnect())
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        for client in [alice, bob, carol] {
            client.close().await.unwrap();
        }
    }
}
