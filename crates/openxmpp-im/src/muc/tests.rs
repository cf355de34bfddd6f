//! Transcript tests of [`Rooms`]: stanzas in (from XEP-0045's examples), events and stanzas
//! out. Nicknames are emoji where the example allows it.

use openxmpp_core::error::{StanzaErrorCondition, StanzaErrorType};
use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::{Message, Presence, Show};
use openxmpp_core::xml::Element;

use super::*;
use crate::delay::Timestamp;
use crate::test_support::{element, xml};

const COVEN: &str = "coven@chat.shakespeare.lit";
const CRAB: &str = "🦀";
const CODER: &str = "👩\u{200d}💻";
const HEART: &str = "❤\u{fe0f}";

fn coven() -> BareJid {
    COVEN.parse().unwrap()
}

fn presence(xml: &str) -> Presence {
    Presence::try_from(element(xml)).unwrap()
}

fn message(xml: &str) -> Message {
    Message::try_from(element(xml)).unwrap()
}

/// A presence from `coven/nick` with a muc#user payload holding `inner`.
fn occupant_presence(nick: &str, attrs: &str, inner: &str) -> Presence {
    presence(&format!(
        "<presence from='{COVEN}/{nick}' to='hag66@shakespeare.lit/pda' {attrs}>\
           <x xmlns='http://jabber.org/protocol/muc#user'>{inner}</x></presence>"
    ))
}

fn self_presence(nick: &str, inner: &str) -> Presence {
    occupant_presence(
        nick,
        "",
        &format!("<item affiliation='member' role='participant'/>{inner}<status code='110'/>"),
    )
}

/// Rooms joined to the coven as `nick`, with firstwitch (owner) already there.
fn joined(nick: &str) -> Rooms {
    let mut rooms = Rooms::default();
    rooms.join(coven(), nick, JoinOptions::default()).unwrap();
    rooms.handle_presence(&occupant_presence(
        "firstwitch",
        "",
        "<item affiliation='owner' role='moderator'/>",
    ));
    let event = rooms.handle_presence(&self_presence(nick, ""));
    assert!(matches!(event, Some(MucEvent::Joined { .. })), "{event:?}");
    rooms
}

fn room(rooms: &Rooms) -> &Room {
    rooms.room(&coven()).unwrap()
}

// ---- Joining ---------------------------------------------------------------------------

#[test]
fn join_presence_is_what_servers_expect() {
    let mut rooms = Rooms::default();
    let join = rooms
        .join(coven(), "thirdwitch", JoinOptions::default())
        .unwrap();
    // XEP-0045 example 18 (Prosody and ejabberd both read this form).
    assert_eq!(
        xml(&join.into()),
        "<presence xmlns='jabber:client' to='coven@chat.shakespeare.lit/thirdwitch'>\
         <x xmlns='http://jabber.org/protocol/muc'/></presence>"
    );
    assert_eq!(room(&rooms).state(), RoomState::Joining);
    assert_eq!(room(&rooms).nick(), "thirdwitch");

    let mut rooms = Rooms::default();
    let options = JoinOptions::default()
        .with_password("cauldronburn")
        .with_history(History::default().with_max_stanzas(20));
    let join = rooms.join(coven(), CRAB, options).unwrap();
    assert_eq!(
        xml(&join.into()),
        "<presence xmlns='jabber:client' to='coven@chat.shakespeare.lit/🦀'>\
         <x xmlns='http://jabber.org/protocol/muc'><password>cauldronburn</password>\
         <history maxstanzas='20'/></x></presence>"
    );
}

#[test]
fn join_flow_with_occupants_and_self_presence() {
    let mut rooms = Rooms::default();
    rooms.join(coven(), CODER, JoinOptions::default()).unwrap();

    // Example 21: the occupants already there.
    let event = rooms.handle_presence(&occupant_presence(
        "firstwitch",
        "id='3DCB0401'",
        "<item affiliation='owner' role='moderator'/>",
    ));
    let Some(MucEvent::OccupantJoined { room: r, occupant }) = event else {
        panic!("{event:?}")
    };
    assert_eq!(r, coven());
    assert_eq!(
        (occupant.nick.as_str(), occupant.role, occupant.affiliation),
        ("firstwitch", Role::Moderator, Affiliation::Owner)
    );
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{HEART}'><show>away</show><status>brewing</status>\
           <x xmlns='http://jabber.org/protocol/muc#user'>\
             <item affiliation='admin' jid='wiccarocks@shakespeare.lit/laptop' role='moderator'/></x></presence>"
    )));
    let Some(MucEvent::OccupantJoined { occupant, .. }) = event else {
        panic!("{event:?}")
    };
    assert_eq!(occupant.nick, HEART);
    assert_eq!(occupant.show, Some(Show::Away));
    assert_eq!(occupant.status.as_deref(), Some("brewing"));
    assert_eq!(
        occupant.jid.unwrap().as_str(),
        "wiccarocks@shakespeare.lit/laptop"
    );
    assert_eq!(room(&rooms).state(), RoomState::Joining);

    // Example 24: our self-presence in a non-anonymous, logged room.
    let event = rooms.handle_presence(&occupant_presence(
        CODER,
        "",
        "<item affiliation='member' jid='hag66@shakespeare.lit/pda' role='participant'/>\
         <status code='100'/><status code='110'/><status code='170'/>",
    ));
    assert_eq!(
        event,
        Some(MucEvent::Joined {
            room: coven(),
            nick: CODER.into(),
            occupants: 3,
            role: Role::Participant,
            affiliation: Affiliation::Member,
            created: false,
            status: vec![
                StatusCode::NonAnonymous,
                StatusCode::SelfPresence,
                StatusCode::LoggingEnabled
            ],
        })
    );
    let r = room(&rooms);
    assert_eq!(r.state(), RoomState::Joined);
    assert_eq!(r.me().unwrap().role, Role::Participant);
    assert_eq!(
        r.occupants().map(|o| o.nick.as_str()).collect::<Vec<_>>(),
        ["firstwitch", HEART, CODER],
        "by nickname (in UTF-8 byte order)"
    );
    assert_eq!(r.occupant(HEART).unwrap().affiliation, Affiliation::Admin);
}

#[test]
fn join_creating_a_room() {
    let mut rooms = Rooms::default();
    rooms.join(coven(), CRAB, JoinOptions::default()).unwrap();
    // Example 154: the room is created (status 201), we are its owner.
    let event = rooms.handle_presence(&occupant_presence(
        CRAB,
        "",
        "<item affiliation='owner' role='moderator'/><status code='110'/><status code='201'/>",
    ));
    let Some(MucEvent::Joined {
        created,
        affiliation,
        occupants,
        ..
    }) = event
    else {
        panic!("{event:?}")
    };
    assert!(created);
    assert_eq!((affiliation, occupants), (Affiliation::Owner, 1));
    // Example 156: accept the default configuration to unlock it.
    assert_eq!(
        xml(&instant_room(&coven(), "create1").into()),
        "<iq xmlns='jabber:client' id='create1' to='coven@chat.shakespeare.lit' type='set'>\
         <query xmlns='http://jabber.org/protocol/muc#owner'>\
         <x xmlns='jabber:x:data' type='submit'/></query></iq>"
    );
}

#[test]
fn self_presence_is_found_by_110_not_by_nick() {
    // The service normalised the nickname (status 210): the 110 makes it ours.
    let mut rooms = Rooms::default();
    rooms
        .join(coven(), "ThirdWitch", JoinOptions::default())
        .unwrap();
    let event = rooms.handle_presence(&self_presence("thirdwitch", "<status code='210'/>"));
    let Some(MucEvent::Joined { nick, status, .. }) = event else {
        panic!("{event:?}")
    };
    assert_eq!(nick, "thirdwitch");
    assert!(status.contains(&StatusCode::NickAssigned));
    assert_eq!(room(&rooms).nick(), "thirdwitch");
    assert!(room(&rooms).occupant("ThirdWitch").is_none());

    // Without any 110, the nickname decides.
    let mut rooms = Rooms::default();
    rooms.join(coven(), CRAB, JoinOptions::default()).unwrap();
    let event = rooms.handle_presence(&occupant_presence(
        "other",
        "",
        "<item affiliation='none' role='participant'/>",
    ));
    assert!(matches!(event, Some(MucEvent::OccupantJoined { .. })));
    let event = rooms.handle_presence(&presence(&format!("<presence from='{COVEN}/{CRAB}'/>")));
    assert!(
        matches!(&event, Some(MucEvent::Joined { nick, role: Role::None, .. }) if nick == CRAB),
        "{event:?}"
    );
}

#[test]
fn nickname_normalised_by_a_stringprep_server() {
    // Resourceprep (RFC 3920) maps U+200D and U+FE0F to nothing: such a server confirms
    // 👩‍💻 as 👩💻. The 110 tells us the presence is ours all the same.
    let mut rooms = Rooms::default();
    rooms.join(coven(), CODER, JoinOptions::default()).unwrap();
    let event = rooms.handle_presence(&self_presence("👩💻", ""));
    assert!(
        matches!(&event, Some(MucEvent::Joined { nick, .. }) if nick == "👩💻"),
        "{event:?}"
    );
    assert_eq!(room(&rooms).nick(), "👩💻");
    assert_eq!(room(&rooms).me().unwrap().role, Role::Participant);
    // Our messages come back under that nickname, and are still ours.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/👩💻' type='groupchat'><body>hi</body></message>"
    )));
    assert!(matches!(event, Some(MucEvent::Message { own: true, .. })));
}

#[test]
fn nickname_conflict_fails_the_join() {
    let mut rooms = Rooms::default();
    rooms.join(coven(), CRAB, JoinOptions::default()).unwrap();
    // Example 29.
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{CRAB}' id='n13mt3l' type='error'>\
           <x xmlns='http://jabber.org/protocol/muc'/>\
           <error by='{COVEN}' type='cancel'>\
             <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    )));
    let Some(MucEvent::JoinFailed {
        room: r,
        nick,
        reason,
        error,
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!((r, nick.as_str()), (coven(), CRAB));
    assert_eq!(reason, JoinFailure::NicknameInUse);
    assert_eq!(
        reason.to_string(),
        "the nickname is already in use in this room"
    );
    assert_eq!(error.condition, StanzaErrorCondition::Conflict);
    assert_eq!(error.kind, StanzaErrorType::Cancel);
    assert!(rooms.room(&coven()).is_none(), "a failed join is forgotten");
    // So the same room can be joined again with another nickname.
    assert!(rooms.join(coven(), HEART, JoinOptions::default()).is_ok());
}

#[test]
fn join_errors_are_explained() {
    let cases = [
        ("not-authorized", "auth", JoinFailure::PasswordRequired),
        ("registration-required", "auth", JoinFailure::MembersOnly),
        ("forbidden", "auth", JoinFailure::Banned),
        ("service-unavailable", "wait", JoinFailure::RoomFull),
        ("item-not-found", "cancel", JoinFailure::RoomNotFound),
        ("not-allowed", "cancel", JoinFailure::CreationRestricted),
        (
            "not-acceptable",
            "cancel",
            JoinFailure::ReservedNicknameRequired,
        ),
    ];
    for (condition, kind, expected) in cases {
        let mut rooms = Rooms::default();
        rooms.join(coven(), HEART, JoinOptions::default()).unwrap();
        // Some services answer from the room's bare address.
        let event = rooms.handle_presence(&presence(&format!(
            "<presence from='{COVEN}' type='error'><error type='{kind}'>\
               <{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        )));
        assert!(
            matches!(event, Some(MucEvent::JoinFailed { reason, .. }) if reason == expected),
            "{condition}"
        );
    }
}

#[test]
fn invalid_requests_are_refused() {
    let mut rooms = Rooms::default();
    for bad in ["", "a\u{200d}b", "\u{1}", "\u{200d}"] {
        assert!(
            matches!(
                rooms.join(coven(), bad, JoinOptions::default()),
                Err(JoinError::InvalidNick { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(rooms.room(&coven()).is_none());
    rooms.join(coven(), CRAB, JoinOptions::default()).unwrap();
    assert_eq!(
        rooms.join(coven(), HEART, JoinOptions::default()),
        Err(JoinError::AlreadyJoined { room: coven() })
    );
    assert_eq!(
        rooms.change_nick(&coven(), HEART),
        Err(JoinError::NotJoined { room: coven() }),
        "not before the room confirmed the join"
    );
    assert!(matches!(
        rooms.private_message(&coven(), "", "hi"),
        Err(JoinError::InvalidNick { .. })
    ));
    let unknown: BareJid = "elsewhere@chat.shakespeare.lit".parse().unwrap();
    assert_eq!(rooms.leave(&unknown, None), None);
    assert!(
        JoinError::InvalidNick {
            nick: String::new(),
            source: openxmpp_core::jid::JidError::EmptyResource
        }
        .to_string()
        .contains("invalid room nickname")
    );
}

// ---- Occupants -------------------------------------------------------------------------

#[test]
fn occupants_come_change_and_go() {
    let mut rooms = joined(CRAB);
    // Example 22: a new occupant.
    let event = rooms.handle_presence(&occupant_presence(
        CODER,
        "",
        "<item affiliation='member' role='participant'/>",
    ));
    assert!(
        matches!(event, Some(MucEvent::OccupantJoined { occupant, .. }) if occupant.nick == CODER)
    );
    // A presence change.
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{CODER}'><show>dnd</show>\
           <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/></x></presence>"
    )));
    assert!(
        matches!(&event, Some(MucEvent::OccupantChanged { occupant, .. }) if occupant.show == Some(Show::Dnd)),
        "{event:?}"
    );
    // Example 79: it leaves with a status.
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{CODER}' type='unavailable'><status>gone where the goblins go</status>\
           <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='none'/></x></presence>"
    )));
    assert_eq!(
        event,
        Some(MucEvent::OccupantLeft {
            room: coven(),
            nick: CODER.into(),
            reason: LeaveReason::Left,
            status: Some("gone where the goblins go".into()),
        })
    );
    assert!(room(&rooms).occupant(CODER).is_none());
    assert_eq!(room(&rooms).occupant_count(), 2);
}

#[test]
fn occupant_nick_change() {
    let mut rooms = joined(CRAB);
    rooms.handle_presence(&occupant_presence(
        "thirdwitch",
        "",
        "<item affiliation='member' role='participant'/>",
    ));
    // Examples 69-70: unavailable with 303 and the new nick, then available under it.
    let event = rooms.handle_presence(&occupant_presence(
        "thirdwitch",
        "type='unavailable'",
        &format!(
            "<item affiliation='member' jid='hag66@shakespeare.lit/pda' nick='{CODER}' role='participant'/>\
             <status code='303'/>"
        ),
    ));
    assert_eq!(
        event,
        Some(MucEvent::OccupantLeft {
            room: coven(),
            nick: "thirdwitch".into(),
            reason: LeaveReason::NickChanged {
                new_nick: CODER.into()
            },
            status: None,
        })
    );
    let event = rooms.handle_presence(&occupant_presence(
        CODER,
        "",
        "<item affiliation='member' jid='hag66@shakespeare.lit/pda' role='participant'/>",
    ));
    assert!(
        matches!(event, Some(MucEvent::OccupantJoined { occupant, .. }) if occupant.nick == CODER)
    );
    assert!(room(&rooms).occupant("thirdwitch").is_none());
}

#[test]
fn occupant_kicked_and_banned() {
    let mut rooms = joined(CRAB);
    for nick in ["pistol", HEART] {
        rooms.handle_presence(&occupant_presence(
            nick,
            "",
            "<item affiliation='none' role='participant'/>",
        ));
    }
    // Example 112: what the others see of a kick.
    let event = rooms.handle_presence(&occupant_presence(
        "pistol",
        "type='unavailable'",
        "<item affiliation='none' role='none'><actor nick='Fluellen'/><reason>Avaunt, you cullion!</reason></item>\
         <status code='307'/>",
    ));
    let Some(MucEvent::OccupantLeft {
        reason: LeaveReason::Kicked { actor, reason },
        ..
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(actor.unwrap().nick.as_deref(), Some("Fluellen"));
    assert_eq!(reason.as_deref(), Some("Avaunt, you cullion!"));
    // Example 120: a ban.
    let event = rooms.handle_presence(&occupant_presence(
        HEART,
        "type='unavailable'",
        "<item affiliation='outcast' role='none'><actor nick='🛡'/><reason>Treason</reason></item>\
         <status code='301'/>",
    ));
    assert!(
        matches!(&event, Some(MucEvent::OccupantLeft { nick, reason: LeaveReason::Banned { .. }, .. }) if nick == HEART),
        "{event:?}"
    );
    assert_eq!(room(&rooms).occupant_count(), 2);
}

#[test]
fn occupants_are_capped() {
    let mut rooms = Rooms::with_max_occupants(2);
    rooms.join(coven(), CRAB, JoinOptions::default()).unwrap();
    let item = "<item affiliation='none' role='participant'/>";
    assert!(matches!(
        rooms.handle_presence(&occupant_presence("a", "", item)),
        Some(MucEvent::OccupantJoined { .. })
    ));
    assert!(matches!(
        rooms.handle_presence(&occupant_presence("b", "", item)),
        Some(MucEvent::OccupantJoined { .. })
    ));
    assert_eq!(
        rooms.handle_presence(&occupant_presence("c", "", item)),
        Some(MucEvent::OccupantIgnored {
            room: coven(),
            nick: "c".into()
        })
    );
    // Known occupants still update, and we always get in.
    assert!(matches!(
        rooms.handle_presence(&occupant_presence("a", "", item)),
        Some(MucEvent::OccupantChanged { .. })
    ));
    assert!(matches!(
        rooms.handle_presence(&self_presence(CRAB, "")),
        Some(MucEvent::Joined { occupants: 3, .. })
    ));
    assert!(room(&rooms).occupant("c").is_none());
}

#[test]
fn invalid_muc_user_payload_is_ignored() {
    let mut rooms = joined(CRAB);
    let event = rooms.handle_presence(&occupant_presence(
        "mallory",
        "",
        "<item affiliation='emperor' role='participant'/><status code='110'/>",
    ));
    // Without a readable payload it is someone else, with no role or affiliation.
    let Some(MucEvent::OccupantJoined { occupant, .. }) = event else {
        panic!("{event:?}")
    };
    assert_eq!(
        (occupant.role, occupant.affiliation),
        (Role::None, Affiliation::None)
    );
    assert_eq!(room(&rooms).nick(), CRAB);
}

// ---- Us ----------------------------------------------------------------------------------

#[test]
fn our_nick_change() {
    let mut rooms = joined("thirdwitch");
    let request = rooms.change_nick(&coven(), CRAB).unwrap();
    // Example 68: a plain presence to the new occupant JID.
    assert_eq!(
        xml(&request.into()),
        "<presence xmlns='jabber:client' to='coven@chat.shakespeare.lit/🦀'/>"
    );
    let event = rooms.handle_presence(&occupant_presence(
        "thirdwitch",
        "type='unavailable'",
        &format!(
            "<item affiliation='member' jid='hag66@shakespeare.lit/pda' nick='{CRAB}' role='participant'/>\
             <status code='303'/><status code='110'/>"
        ),
    ));
    assert_eq!(
        event,
        Some(MucEvent::NickChanged {
            room: coven(),
            old_nick: "thirdwitch".into(),
            new_nick: CRAB.into(),
        })
    );
    assert_eq!(room(&rooms).nick(), CRAB);
    assert_eq!(room(&rooms).state(), RoomState::Joined);
    let event = rooms.handle_presence(&self_presence(CRAB, ""));
    assert!(
        matches!(&event, Some(MucEvent::OccupantChanged { occupant, .. }) if occupant.nick == CRAB),
        "{event:?}"
    );
    assert_eq!(room(&rooms).me().unwrap().nick, CRAB);
    assert!(room(&rooms).occupant("thirdwitch").is_none());

    // Example 66: the new nickname is taken.
    rooms.change_nick(&coven(), "firstwitch").unwrap();
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/firstwitch' type='error'>\
           <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    )));
    let Some(MucEvent::NickChangeFailed { nick, reason, .. }) = event else {
        panic!("{event:?}")
    };
    assert_eq!(
        (nick.as_str(), reason),
        ("firstwitch", JoinFailure::NicknameInUse)
    );
    assert_eq!(room(&rooms).nick(), CRAB);
    assert_eq!(room(&rooms).state(), RoomState::Joined);
    // Any other presence error is just reported.
    let event = rooms.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{CRAB}' type='error'>\
           <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    )));
    assert!(matches!(event, Some(MucEvent::PresenceError { .. })));
}

#[test]
fn voice_revoked() {
    let mut rooms = joined(HEART);
    // Example 97: a moderator revokes our voice.
    let event = rooms.handle_presence(&occupant_presence(
        HEART,
        "",
        "<item affiliation='member' role='visitor'><actor nick='firstwitch'/><reason>Not so worthy after all!</reason></item>\
         <status code='110'/>",
    ));
    assert_eq!(
        event,
        Some(MucEvent::PrivilegesChanged {
            room: coven(),
            old_role: Role::Participant,
            role: Role::Visitor,
            old_affiliation: Affiliation::Member,
            affiliation: Affiliation::Member,
            actor: Some(Actor {
                nick: Some("firstwitch".into()),
                jid: None
            }),
            reason: Some("Not so worthy after all!".into()),
        })
    );
    assert!(!room(&rooms).me().unwrap().role.has_voice());
}

#[test]
fn leaving() {
    let mut rooms = joined(CODER);
    let leave = rooms.leave(&coven(), Some("bye 👋")).unwrap();
    // Example 80.
    assert_eq!(
        xml(&leave.into()),
        "<presence xmlns='jabber:client' to='coven@chat.shakespeare.lit/👩\u{200d}💻' type='unavailable'>\
         <status>bye 👋</status></presence>"
    );
    assert_eq!(room(&rooms).state(), RoomState::Leaving);
    let event = rooms.handle_presence(&occupant_presence(
        CODER,
        "type='unavailable'",
        "<item affiliation='member' role='none'/><status code='110'/>",
    ));
    assert_eq!(
        event,
        Some(MucEvent::Left {
            room: coven(),
            reason: LeaveReason::Left,
            status: None
        })
    );
    assert!(rooms.room(&coven()).is_none());

    // Leaving while the join is still pending: the room refuses the join, and we are out.
    let mut pending = Rooms::default();
    pending.join(coven(), CRAB, JoinOptions::default()).unwrap();
    assert!(pending.leave(&coven(), None).is_some());
    let event = pending.handle_presence(&presence(&format!(
        "<presence from='{COVEN}/{CRAB}' type='error'>\
           <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    )));
    assert!(matches!(
        event,
        Some(MucEvent::Left {
            reason: LeaveReason::Left,
            ..
        })
    ));
    assert!(pending.room(&coven()).is_none());

    // Later stanzas from the room are someone else's business.
    let late = message(&format!(
        "<message from='{COVEN}/firstwitch' type='groupchat'><body>bye</body></message>"
    ));
    assert_eq!(rooms.handle_message(&late), None);
}

#[test]
fn we_are_kicked_or_banned() {
    let mut rooms = joined(CRAB);
    // Example 111: we are kicked.
    let event = rooms.handle_presence(&occupant_presence(
        CRAB,
        "type='unavailable'",
        "<item affiliation='none' role='none'><actor nick='Fluellen'/><reason>Avaunt, you cullion!</reason></item>\
         <status code='110'/><status code='307'/>",
    ));
    let Some(MucEvent::Left {
        reason: LeaveReason::Kicked { actor, reason },
        ..
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(actor.unwrap().nick.as_deref(), Some("Fluellen"));
    assert_eq!(reason.as_deref(), Some("Avaunt, you cullion!"));
    assert!(rooms.room(&coven()).is_none());

    let mut rooms = joined(CRAB);
    let event = rooms.handle_presence(&occupant_presence(
        CRAB,
        "type='unavailable'",
        "<item affiliation='outcast' role='none'/><status code='301'/><status code='110'/>",
    ));
    assert!(matches!(
        event,
        Some(MucEvent::Left {
            reason: LeaveReason::Banned { .. },
            ..
        })
    ));

    // Removed because the service shuts down (status 332), no 110: the nickname decides.
    let mut rooms = joined(CRAB);
    let event = rooms.handle_presence(&occupant_presence(
        CRAB,
        "type='unavailable'",
        "<item affiliation='member' role='none'/><status code='332'/>",
    ));
    assert!(matches!(
        event,
        Some(MucEvent::Left {
            reason: LeaveReason::Shutdown,
            ..
        })
    ));
}

#[test]
fn room_destroyed() {
    let mut rooms = joined(CRAB);
    // Example 204.
    let event = rooms.handle_presence(&occupant_presence(
        CRAB,
        "type='unavailable'",
        "<item affiliation='none' role='none'/>\
         <destroy jid='heath@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy>",
    ));
    assert_eq!(
        event,
        Some(MucEvent::RoomDestroyed {
            room: coven(),
            alternate: Some("heath@chat.shakespeare.lit".parse().unwrap()),
            reason: Some("Macbeth doth come.".into()),
            password: None,
        })
    );
    assert!(rooms.room(&coven()).is_none());
}

// ---- Messages ----------------------------------------------------------------------------

#[test]
fn message_builders() {
    let rooms = Rooms::default();
    // Example 48.
    assert_eq!(
        xml(&rooms
            .message(&coven(), "Harpier cries: 'tis time, 'tis time.")
            .into()),
        "<message xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='groupchat'>\
         <body>Harpier cries: 'tis time, 'tis time.</body></message>"
    );
    // Example 51.
    assert_eq!(
        xml(&rooms
            .private_message(&coven(), CRAB, "I'll give thee a wind.")
            .unwrap()
            .into()),
        "<message xmlns='jabber:client' to='coven@chat.shakespeare.lit/🦀' type='chat'>\
         <body>I'll give thee a wind.</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>"
    );
    // Example 173.
    assert_eq!(
        xml(&rooms
            .subject(&coven(), "Fire Burn and Cauldron Bubble!")
            .into()),
        "<message xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='groupchat'>\
         <subject>Fire Burn and Cauldron Bubble!</subject></message>"
    );
    // Example 56.
    assert_eq!(
        xml(&rooms
            .invite(
                &coven(),
                "hecate@shakespeare.lit".parse().unwrap(),
                Some("Hey Hecate!")
            )
            .into()),
        "<message xmlns='jabber:client' to='coven@chat.shakespeare.lit'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><invite to='hecate@shakespeare.lit'>\
         <reason>Hey Hecate!</reason></invite></x></message>"
    );
    assert_eq!(
        xml(&rooms
            .decline(
                &coven(),
                "crone1@shakespeare.lit/desktop".parse().unwrap(),
                None
            )
            .into()),
        "<message xmlns='jabber:client' to='coven@chat.shakespeare.lit'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><decline to='crone1@shakespeare.lit/desktop'/></x></message>"
    );
}

#[test]
fn history_then_subject_then_live_messages() {
    let mut rooms = joined(CODER);
    // Example 42: history, stamped by the room.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{HEART}' id='162BEBB1' type='groupchat'>\
           <body>Thrice the brinded cat hath mew'd.</body>\
           <delay xmlns='urn:xmpp:delay' from='{COVEN}' stamp='2002-10-13T23:58:37Z'/></message>"
    )));
    let Some(MucEvent::Message {
        room: r,
        nick,
        own,
        delay,
        message: m,
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(r, coven());
    assert_eq!(nick.as_deref(), Some(HEART));
    assert!(!own);
    assert_eq!(
        delay,
        Some("2002-10-13T23:58:37Z".parse::<Timestamp>().unwrap())
    );
    assert_eq!(m.body(), Some("Thrice the brinded cat hath mew'd."));

    // Our own message in the history.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{CODER}' type='groupchat'><body>mine</body>\
           <delay xmlns='urn:xmpp:delay' from='{COVEN}' stamp='2002-10-13T23:58:43Z'/></message>"
    )));
    assert!(matches!(
        event,
        Some(MucEvent::Message {
            own: true,
            delay: Some(_),
            ..
        })
    ));

    // Example 44: the subject ends the history.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{HEART}' type='groupchat'><subject>Fire Burn and Cauldron Bubble!</subject></message>"
    )));
    assert_eq!(
        event,
        Some(MucEvent::Subject {
            room: coven(),
            subject: Some("Fire Burn and Cauldron Bubble!".into()),
            by: Some(HEART.into()),
        })
    );
    assert_eq!(
        room(&rooms).subject(),
        Some("Fire Burn and Cauldron Bubble!")
    );
    assert_eq!(room(&rooms).subject_by(), Some(HEART));

    // A live message carrying a delay an occupant made up is not history.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{HEART}' type='groupchat'><body>I am from 1999</body>\
           <delay xmlns='urn:xmpp:delay' from='{COVEN}/{HEART}' stamp='1999-01-01T00:00:00Z'/></message>"
    )));
    assert!(matches!(event, Some(MucEvent::Message { delay: None, .. })));
}

#[test]
fn our_message_is_echoed() {
    let mut rooms = joined(CRAB);
    let sent = rooms.message(&coven(), "🦀🦀🦀").with_id("echo-1");
    assert_eq!(sent.header.id.as_deref(), Some("echo-1"));
    // The room reflects it to every occupant, us included, with the same id.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{CRAB}' id='echo-1' type='groupchat'><body>🦀🦀🦀</body></message>"
    )));
    let Some(MucEvent::Message {
        own, message: m, ..
    }) = event
    else {
        panic!("{event:?}")
    };
    assert!(own);
    assert_eq!(m.header.id.as_deref(), Some("echo-1"));
    assert_eq!(m.body(), Some("🦀🦀🦀"));
}

#[test]
fn subject_cleared_and_subject_with_body() {
    let mut rooms = joined(CRAB);
    rooms.handle_message(&message(&format!(
        "<message from='{COVEN}' type='groupchat'><subject>old</subject></message>"
    )));
    assert_eq!(room(&rooms).subject_by(), None, "set by the room itself");
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{CRAB}' type='groupchat'><subject/></message>"
    )));
    assert_eq!(
        event,
        Some(MucEvent::Subject {
            room: coven(),
            subject: None,
            by: Some(CRAB.into())
        })
    );
    assert_eq!(room(&rooms).subject(), None);
    // A message with both a subject and a body is a message (XEP-0045 §8.1).
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{CRAB}' type='groupchat'><subject>s</subject><body>b</body></message>"
    )));
    assert!(matches!(event, Some(MucEvent::Message { .. })));
}

#[test]
fn private_messages_and_errors() {
    let mut rooms = joined(CRAB);
    // Example 52: a private message from an occupant.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/{HEART}' type='chat'><body>I'll give thee a wind.</body>\
           <x xmlns='http://jabber.org/protocol/muc#user'/></message>"
    )));
    assert!(
        matches!(&event, Some(MucEvent::PrivateMessage { nick, .. }) if nick == HEART),
        "{event:?}"
    );
    // Example 53: a private message to an occupant who is not there.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}/secondwitch' id='pm1' type='error'>\
           <error by='{COVEN}' type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    )));
    let Some(MucEvent::MessageError {
        nick, id, error, ..
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(nick.as_deref(), Some("secondwitch"));
    assert_eq!(id.as_deref(), Some("pm1"));
    assert_eq!(error.condition, StanzaErrorCondition::ItemNotFound);
    // Example 50: a visitor may not speak.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}' type='error'><body>hi</body>\
           <error type='modify'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    )));
    assert!(matches!(
        event,
        Some(MucEvent::MessageError { nick: None, .. })
    ));
}

#[test]
fn configuration_change_notice() {
    let mut rooms = joined(CRAB);
    // Example 195: the room is now non-anonymous.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}' type='groupchat'>\
           <x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/><status code='172'/></x></message>"
    )));
    assert_eq!(
        event,
        Some(MucEvent::ConfigChanged {
            room: coven(),
            status: vec![
                StatusCode::ConfigurationChanged,
                StatusCode::NowNonAnonymous
            ],
        })
    );
}

#[test]
fn invitations_from_any_room() {
    let mut rooms = Rooms::default();
    // Example 57: an invitation to a room we are not in.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}' id='nzd143v8' to='hecate@shakespeare.lit'>\
           <x xmlns='http://jabber.org/protocol/muc#user'>\
             <invite from='crone1@shakespeare.lit/desktop'><reason>Hey Hecate, this is the place for all good witches!</reason></invite>\
             <password>cauldronburn</password></x></message>"
    )));
    assert_eq!(
        event,
        Some(MucEvent::Invited {
            room: coven(),
            from: Some("crone1@shakespeare.lit/desktop".parse().unwrap()),
            reason: Some("Hey Hecate, this is the place for all good witches!".into()),
            password: Some("cauldronburn".into()),
        })
    );
    // Example 61: our invitation was declined.
    let event = rooms.handle_message(&message(&format!(
        "<message from='{COVEN}' to='crone1@shakespeare.lit/desktop'>\
           <x xmlns='http://jabber.org/protocol/muc#user'>\
             <decline from='hecate@shakespeare.lit'><reason>Sorry, I'm too busy right now.</reason></decline></x></message>"
    )));
    assert!(matches!(event, Some(MucEvent::InvitationDeclined { .. })));
    // An "invitation" from an occupant's address is not a mediated invitation.
    let forged = message(&format!(
        "<message from='{COVEN}/mallory'><x xmlns='http://jabber.org/protocol/muc#user'>\
           <invite from='crone1@shakespeare.lit/desktop'/></x></message>"
    ));
    assert_eq!(rooms.handle_message(&forged), None);
}

#[test]
fn stanzas_from_elsewhere_are_passed_on() {
    let mut rooms = joined(CRAB);
    assert_eq!(
        rooms.handle_presence(&presence("<presence from='romeo@montague.lit/orchard'/>")),
        None
    );
    assert_eq!(rooms.handle_presence(&presence("<presence/>")), None);
    assert_eq!(
        rooms.handle_message(&message(
            "<message from='juliet@capulet.lit/balcony' type='chat'><body>hi</body></message>"
        )),
        None
    );
    assert_eq!(
        rooms.handle_message(&message("<message><body>x</body></message>")),
        None
    );
    // A subscription request from a room's address is not about occupants.
    assert_eq!(
        rooms.handle_presence(&presence(&format!(
            "<presence from='{COVEN}' type='subscribe'/>"
        ))),
        None
    );
    // Neither is a headline, or a non-groupchat message from the room itself.
    assert_eq!(
        rooms.handle_message(&message(&format!(
            "<message from='{COVEN}' type='headline'><body>news</body></message>"
        ))),
        None
    );
    assert_eq!(
        rooms.handle_message(&message(&format!(
            "<message from='{COVEN}'><body>a form</body></message>"
        ))),
        None
    );
}

// ---- Sessions ----------------------------------------------------------------------------

#[test]
fn offline_then_rejoin() {
    let mut rooms = joined(CRAB);
    let other: BareJid = "heath@chat.shakespeare.lit".parse().unwrap();
    let leaving: BareJid = "castle@chat.shakespeare.lit".parse().unwrap();
    rooms
        .join(
            other.clone(),
            HEART,
            JoinOptions::default()
                .with_password("pw")
                .with_history(History::default().with_max_stanzas(5)),
        )
        .unwrap();
    rooms
        .join(leaving.clone(), CODER, JoinOptions::default())
        .unwrap();
    rooms.leave(&leaving, None).unwrap();

    assert_eq!(rooms.offline(), [coven(), other.clone()]);
    assert!(
        rooms.room(&leaving).is_none(),
        "a room we were leaving is gone"
    );
    assert_eq!(room(&rooms).state(), RoomState::Left);
    assert_eq!(room(&rooms).occupant_count(), 0);
    // While offline, the rooms' stanzas mean nothing.
    assert_eq!(rooms.handle_presence(&self_presence(CRAB, "")), None);

    let since: Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();
    let presences: Vec<String> = rooms
        .rejoin(Some(since))
        .into_iter()
        .map(|p| xml(&p.into()))
        .collect();
    assert_eq!(
        presences,
        [
            "<presence xmlns='jabber:client' to='coven@chat.shakespeare.lit/🦀'>\
             <x xmlns='http://jabber.org/protocol/muc'><history since='2024-05-01T12:00:00Z'/></x></presence>",
            "<presence xmlns='jabber:client' to='heath@chat.shakespeare.lit/❤\u{fe0f}'>\
             <x xmlns='http://jabber.org/protocol/muc'><password>pw</password>\
             <history maxstanzas='5' since='2024-05-01T12:00:00Z'/></x></presence>",
        ]
    );
    assert_eq!(room(&rooms).state(), RoomState::Joining);
    assert!(rooms.rejoin(None).is_empty(), "already rejoining");
    assert!(matches!(
        rooms.handle_presence(&self_presence(CRAB, "")),
        Some(MucEvent::Joined { .. })
    ));

    // A room left while offline is forgotten by leave(), and can be joined anew.
    rooms.offline();
    assert_eq!(rooms.leave(&other, None), None);
    assert!(rooms.room(&other).is_none());
    assert!(rooms.join(coven(), CRAB, JoinOptions::default()).is_ok());
    assert!(rooms.forget(&coven()).is_some());
}

#[test]
fn emoji_nicknames_everywhere() {
    for nick in [
        CRAB,
        CODER,
        HEART,
        "1\u{fe0f}\u{20e3}",
        "🏳\u{fe0f}\u{200d}🌈",
    ] {
        let mut rooms = Rooms::default();
        let join = rooms.join(coven(), nick, JoinOptions::default()).unwrap();
        let to = join.header.to.clone().unwrap();
        assert_eq!(to.resource(), Some(nick));
        // The stanza we send parses back to the same address.
        let again = Presence::try_from(Element::from(join)).unwrap();
        assert_eq!(again.header.to.unwrap().as_str(), to.as_str());
        let event = rooms.handle_presence(&self_presence(nick, ""));
        assert!(
            matches!(&event, Some(MucEvent::Joined { nick: n, .. }) if n == nick),
            "{nick}"
        );
        let event = rooms.handle_message(&message(&format!(
            "<message from='{COVEN}/{nick}' type='groupchat'><body>{nick}</body></message>"
        )));
        assert!(
            matches!(event, Some(MucEvent::Message { own: true, .. })),
            "{nick}"
        );
    }
}
