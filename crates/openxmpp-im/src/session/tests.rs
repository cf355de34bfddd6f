//! Transcript tests of the session: stanzas in, stanzas and events out.

mod hostile;

use openxmpp_core::connection::StreamFeatures;
use openxmpp_core::error::StanzaErrorCondition;
use openxmpp_core::stanza::{Iq, IqPayload, Presence, PresenceType, Stanza};

use super::*;
use crate::chats::{Delivery, Direction};
use crate::delay::Timestamp;
use crate::presence::PresenceChange;
use crate::roster::RosterEvent;
use crate::subscriptions::SubscriptionEvent;
use crate::test_support::element;

const ME: &str = "juliet@example.com/balcony";

fn now() -> Timestamp {
    Timestamp::from_unix(1_700_000_000, 0).unwrap()
}

fn stanza(xml: &str) -> Stanza {
    Stanza::try_from(element(xml)).unwrap()
}

fn iq(xml: &str) -> Iq {
    Iq::try_from(element(xml)).unwrap()
}

/// Feeds `xml`; asserts it was handled (not handed back).
fn feed(session: &mut Session, xml: &str) {
    let rest = session.handle_stanza(stanza(xml), &now());
    assert!(rest.is_none(), "not handled: {xml}");
}

fn outputs(session: &mut Session) -> Vec<Output> {
    std::iter::from_fn(|| session.poll_output()).collect()
}

fn events(session: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| session.poll_event()).collect()
}

fn sent(session: &mut Session) -> Vec<String> {
    outputs(session)
        .into_iter()
        .map(|o| match o {
            Output::Send(s) => openxmpp_core::xml::Element::from(s).to_string(),
            Output::Request { iq, .. } => {
                format!("request:{}", openxmpp_core::xml::Element::from(iq))
            }
        })
        .collect()
}

/// A session that is online with a loaded roster holding `roster_items` (XML `<item/>`s).
fn online_with(roster_items: &str) -> Session {
    let mut session = Session::new(
        "juliet@example.com".parse().unwrap(),
        SessionConfig::default(),
    );
    let features = StreamFeatures {
        roster_versioning: true,
        ..StreamFeatures::default()
    };
    session.online(&ME.parse().unwrap(), &features, false);
    for output in outputs(&mut session) {
        let Output::Request { token, iq: request } = output else {
            continue;
        };
        let answer = match request
            .payload_element()
            .map(|p| p.ns().to_owned())
            .as_deref()
        {
            Some(crate::roster::NS) => format!(
                "<iq type='result' id='r'><query xmlns='jabber:iq:roster' ver='v1'>{roster_items}</query></iq>"
            ),
            Some(crate::blocking::NS) => {
                "<iq type='result' id='b'><blocklist xmlns='urn:xmpp:blocking'/></iq>".to_owned()
            }
            _ => "<iq type='result' id='c'/>".to_owned(),
        };
        session.handle_response(token, Ok(iq(&answer)));
    }
    outputs(&mut session);
    events(&mut session);
    session
}

fn online() -> Session {
    online_with(
        "<item jid='romeo@example.net' subscription='both'/>\
         <item jid='nurse@example.com' subscription='to'/>",
    )
}

#[test]
fn login_fetches_the_roster_then_sends_presence_with_caps() {
    let mut session = Session::new(
        "juliet@example.com".parse().unwrap(),
        SessionConfig::default(),
    );
    let features = StreamFeatures {
        roster_versioning: true,
        ..StreamFeatures::default()
    };
    session.online(&ME.parse().unwrap(), &features, false);
    let out = outputs(&mut session);
    let requests: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Request { token, iq } => {
                Some((*token, iq.payload_element().unwrap().ns().to_owned()))
            }
            Output::Send(_) => None,
        })
        .collect();
    assert_eq!(
        requests
            .iter()
            .map(|(_, ns)| ns.as_str())
            .collect::<Vec<_>>(),
        [
            "jabber:iq:roster",
            "urn:xmpp:carbons:2",
            "urn:xmpp:blocking"
        ]
    );
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::Send(Stanza::Presence(_)))),
        "no presence before the roster"
    );
    // Versioned: asks with ver=''.
    let Output::Request { iq: roster_get, .. } = &out[0] else {
        panic!()
    };
    assert_eq!(roster_get.payload_element().unwrap().attr("ver"), Some(""));

    session.handle_response(
        requests[0].0,
        Ok(iq("<iq type='result' id='r'><query xmlns='jabber:iq:roster' ver='v1'>\
               <item jid='romeo@example.net' subscription='both'><group>Friends</group></item></query></iq>")),
    );
    assert_eq!(
        events(&mut session),
        [Event::Roster {
            event: RosterEvent::Loaded {
                items: 1,
                from_cache: false
            }
        }]
    );
    let out = sent(&mut session);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with("<presence xmlns='jabber:client'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node="), "{}", out[0]);
    let ver = session.caps().unwrap().ver.clone();
    assert!(out[0].contains(&ver));

    // The blocklist arrives.
    session.handle_response(
        requests[2].0,
        Ok(iq("<iq type='result' id='b'><blocklist xmlns='urn:xmpp:blocking'><item jid='spam@example.org'/></blocklist></iq>")),
    );
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Blocklist { event: BlocklistEvent::Loaded { jids } }] if jids.len() == 1
    ));
    assert_eq!(
        session.blocklist().unwrap().collect::<Vec<_>>(),
        ["spam@example.org"]
    );
}

#[test]
fn a_failed_roster_fetch_still_sends_presence() {
    let mut session = Session::new(
        "juliet@example.com".parse().unwrap(),
        SessionConfig::default(),
    );
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), false);
    let Some(Output::Request { token, .. }) = session.poll_output() else {
        panic!()
    };
    outputs(&mut session);
    session.handle_response(token, Err(None));
    assert_eq!(
        events(&mut session),
        [Event::RosterUnavailable { error: None }]
    );
    assert!(sent(&mut session)[0].starts_with("<presence"));
}

#[test]
fn reconnects_resend_the_last_presence_unless_resumed() {
    let mut session = online();
    let away = Presence::available().with_show(openxmpp_core::stanza::Show::Away);
    let away = session.outgoing_presence(away);
    assert!(away.payloads.iter().any(|p| p.is("c", crate::caps::NS)));
    // Resumed: nothing to do.
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), true);
    assert!(outputs(&mut session).is_empty());
    // A new session: roster, then the away presence again.
    session.offline(&now());
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), false);
    let Some(Output::Request { token, .. }) = session.poll_output() else {
        panic!()
    };
    outputs(&mut session);
    session.handle_response(token, Ok(iq("<iq type='result' id='r'/>")));
    let out = sent(&mut session);
    assert!(out[0].contains("<show>away</show>"), "{out:?}");
}

#[test]
fn roster_pushes_only_from_our_account() {
    let mut session = online();
    feed(
        &mut session,
        "<iq type='set' id='push1' to='juliet@example.com/balcony'><query xmlns='jabber:iq:roster'>\
         <item jid='mercutio@example.net' name='Mercutio' subscription='none'/></query></iq>",
    );
    assert_eq!(
        sent(&mut session),
        ["<iq xmlns='jabber:client' id='push1' type='result'/>"]
    );
    assert!(
        matches!(&events(&mut session)[..], [Event::Roster { event: RosterEvent::Added(item) }] if item.jid.as_str() == "mercutio@example.net")
    );
    // From our bare JID: fine too.
    feed(
        &mut session,
        "<iq type='set' id='push2' from='juliet@example.com'><query xmlns='jabber:iq:roster'>\
         <item jid='mercutio@example.net' subscription='remove'/></query></iq>",
    );
    assert_eq!(sent(&mut session).len(), 1);
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Roster {
            event: RosterEvent::Removed(_)
        }]
    ));
    // From anyone else: ignored, reported, not answered.
    feed(
        &mut session,
        "<iq type='set' id='evil' from='mallory@evil.example/x'><query xmlns='jabber:iq:roster'>\
         <item jid='mallory@evil.example' subscription='both'/></query></iq>",
    );
    assert!(sent(&mut session).is_empty());
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Forgery {
            what: "a roster push",
            ..
        }]
    ));
    assert!(
        session
            .roster()
            .get(&"mallory@evil.example".parse().unwrap())
            .is_none()
    );
}

#[test]
fn disco_version_time_and_unknown_requests_are_answered() {
    let mut session = online();
    feed(
        &mut session,
        "<iq type='get' id='d1' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    );
    let answer = &sent(&mut session)[0];
    for feature in [
        "http://jabber.org/protocol/disco#info",
        "urn:xmpp:receipts",
        "urn:xmpp:carbons:2",
        "http://jabber.org/protocol/chatstates",
        "jabber:iq:version",
        "urn:xmpp:time",
        "urn:xmpp:ping",
    ] {
        assert!(
            answer.contains(&format!("<feature var='{feature}'/>")),
            "{feature} missing in {answer}"
        );
    }
    assert!(answer.contains("<identity category='client' type='pc' name='openXMPP'/>"));

    // The caps node answers the same, with the node.
    let node = session.caps().unwrap().disco_node();
    feed(
        &mut session,
        &format!(
            "<iq type='get' id='d2' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info' node='{node}'/></iq>"
        ),
    );
    let answer = iq(&sent(&mut session)[0]);
    let IqPayload::Result(Some(payload)) = answer.payload else {
        panic!()
    };
    let info = crate::disco::DiscoInfoResult::try_from(payload).unwrap();
    assert_eq!(info.node.as_deref(), Some(node.as_str()));
    assert!(
        session.caps().unwrap().verify(&info),
        "our caps hash matches our disco#info"
    );

    feed(
        &mut session,
        "<iq type='get' id='d3' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info' node='other'/></iq>",
    );
    assert!(sent(&mut session)[0].contains("<item-not-found"));

    feed(
        &mut session,
        "<iq type='get' id='v1' from='romeo@example.net/orchard'><query xmlns='jabber:iq:version'/></iq>",
    );
    assert!(sent(&mut session)[0].contains("<name>openXMPP</name>"));

    feed(
        &mut session,
        "<iq type='get' id='t1' from='romeo@example.net/orchard'><time xmlns='urn:xmpp:time'/></iq>",
    );
    assert!(sent(&mut session)[0].contains("<utc>2023-11-14T22:13:20Z</utc>"));

    feed(
        &mut session,
        "<iq type='get' id='p1' from='romeo@example.net/orchard'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert_eq!(
        sent(&mut session),
        ["<iq xmlns='jabber:client' id='p1' to='romeo@example.net/orchard' type='result'/>"]
    );

    feed(
        &mut session,
        "<iq type='set' id='u1' from='romeo@example.net/orchard'><query xmlns='jabber:iq:version'/></iq>",
    );
    assert!(sent(&mut session)[0].contains("<service-unavailable"));
}

#[test]
fn application_namespaces_are_handed_back() {
    let config = SessionConfig {
        app_iq_namespaces: vec!["urn:example:app".to_owned()],
        app_features: vec!["urn:example:app".to_owned()],
        ..SessionConfig::default()
    };
    let mut session = Session::new("juliet@example.com".parse().unwrap(), config);
    assert!(
        session
            .iq_namespaces()
            .contains(&"urn:example:app".to_owned())
    );
    assert!(session.disco_info().has_feature("urn:example:app"));
    let rest = session.handle_stanza(
        stanza("<iq type='get' id='a1' from='romeo@example.net/orchard'><q xmlns='urn:example:app'/></iq>"),
        &now(),
    );
    assert!(matches!(rest, Some(Stanza::Iq(_))));
    assert!(outputs(&mut session).is_empty());
}

#[test]
fn disabled_modules_leave_disco_and_caps() {
    let mut config = SessionConfig::default();
    config.modules.receipts = false;
    config.modules.version = None;
    let session = Session::new("juliet@example.com".parse().unwrap(), config);
    let info = session.disco_info();
    assert!(!info.has_feature("urn:xmpp:receipts"));
    assert!(!info.has_feature("jabber:iq:version"));
    let default = Session::new(
        "juliet@example.com".parse().unwrap(),
        SessionConfig::default(),
    );
    assert_ne!(session.caps().unwrap().ver, default.caps().unwrap().ver);
}

#[test]
fn messages_carbons_and_forgeries() {
    let mut session = online();
    feed(
        &mut session,
        "<message type='chat' id='m1' from='romeo@example.net/orchard' to='juliet@example.com/balcony' xml:lang='en'>\
         <body>Wherefore art thou?</body><body xml:lang='de'>Warum bist du?</body><thread>t1</thread></message>",
    );
    let [Event::Message { message }] = &events(&mut session)[..] else {
        panic!()
    };
    assert_eq!(message.conversation.peer.as_str(), "romeo@example.net");
    assert_eq!(message.conversation.thread.as_deref(), Some("t1"));
    assert_eq!(
        (message.direction, message.delivery),
        (Direction::Incoming, Delivery::Live)
    );
    assert_eq!(
        message.message.bodies.get(Some("de")),
        Some("Warum bist du?")
    );

    // A carbon of what another of our resources sent.
    feed(
        &mut session,
        "<message from='juliet@example.com' to='juliet@example.com/balcony' type='chat'>\
         <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='juliet@example.com/phone' to='romeo@example.net/orchard' type='chat'>\
         <body>I am here</body></message></forwarded></sent></message>",
    );
    let [Event::Message { message }] = &events(&mut session)[..] else {
        panic!()
    };
    assert_eq!(
        (message.direction, message.delivery),
        (Direction::Outgoing, Delivery::Carbon)
    );
    assert_eq!(message.conversation.peer.as_str(), "romeo@example.net");

    // A contact forging a carbon.
    feed(
        &mut session,
        "<message from='romeo@example.net/orchard' to='juliet@example.com/balcony' type='chat'>\
         <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='nurse@example.com/x' to='juliet@example.com/balcony' type='chat'>\
         <body>trust me</body></message></forwarded></received></message>",
    );
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Forgery {
            what: "a carbon copy",
            ..
        }]
    ));
}

#[test]
fn receipts_are_answered_only_for_those_who_see_our_presence() {
    let mut session = online();
    feed(
        &mut session,
        "<message type='chat' id='r1' from='romeo@example.net/orchard'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>",
    );
    let out = sent(&mut session);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].contains("to='romeo@example.net/orchard'"),
        "{}",
        out[0]
    );
    assert!(
        out[0].contains("<received xmlns='urn:xmpp:receipts' id='r1'/>"),
        "{}",
        out[0]
    );
    events(&mut session);
    // The nurse cannot see our presence (subscription 'to'), nor can a stranger.
    for from in ["nurse@example.com/x", "stranger@example.org/y"] {
        feed(
            &mut session,
            &format!(
                "<message type='chat' id='r2' from='{from}'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>"
            ),
        );
        assert!(sent(&mut session).is_empty(), "{from}");
        assert!(matches!(&events(&mut session)[..], [Event::Message { .. }]));
    }
}

#[test]
fn receipts_markers_and_chat_states_without_body_are_events() {
    let mut session = online();
    feed(
        &mut session,
        "<message from='romeo@example.net/orchard' id='x'><received xmlns='urn:xmpp:receipts' id='m7'/></message>",
    );
    assert!(matches!(&events(&mut session)[..], [Event::Receipt { id, .. }] if id == "m7"));
    feed(
        &mut session,
        "<message type='chat' from='romeo@example.net/orchard'><composing xmlns='http://jabber.org/protocol/chatstates'/><thread>t1</thread></message>",
    );
    assert!(matches!(
        &events(&mut session)[..],
        [Event::ChatState { state: crate::chat_states::ChatState::Composing, conversation, .. }] if conversation.thread.as_deref() == Some("t1")
    ));
    feed(
        &mut session,
        "<message type='chat' from='romeo@example.net/orchard'><displayed xmlns='urn:xmpp:chat-markers:0' id='m7'/></message>",
    );
    assert!(
        matches!(&events(&mut session)[..], [Event::Marker { marker, .. }] if marker.id() == "m7")
    );
    // Something the session does not know is handed back.
    let rest = session.handle_stanza(
        stanza("<message from='pubsub.example.com'><event xmlns='http://jabber.org/protocol/pubsub#event'/></message>"),
        &now(),
    );
    assert!(matches!(rest, Some(Stanza::Message(_))));
}

#[test]
fn message_errors_are_events() {
    let mut session = online();
    feed(
        &mut session,
        "<message type='error' id='m3' from='nobody@example.net'><error type='cancel'>\
         <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    let [Event::MessageError { id, error, .. }] = &events(&mut session)[..] else {
        panic!()
    };
    assert_eq!(id.as_deref(), Some("m3"));
    assert_eq!(error.condition, StanzaErrorCondition::ServiceUnavailable);
}

#[test]
fn presence_and_subscriptions() {
    let mut session = online();
    // Romeo talks to us from the orchard: replies are locked to that resource …
    feed(
        &mut session,
        "<message type='chat' from='romeo@example.net/orchard'><body>hi</body></message>",
    );
    let romeo = "romeo@example.net".parse().unwrap();
    assert!(session.chats().address(&romeo).is_full());
    // … until his presence changes.
    feed(
        &mut session,
        "<presence from='romeo@example.net/orchard'><show>away</show><priority>3</priority></presence>",
    );
    assert!(!session.chats().address(&romeo).is_full());
    let evs = events(&mut session);
    assert!(
        matches!(&evs[1], Event::Presence { change: PresenceChange::Available { resource: Some(r), .. } } if r == "orchard")
    );
    assert_eq!(
        session.presence().best_resource(&romeo).unwrap().0,
        "orchard"
    );

    feed(
        &mut session,
        "<presence type='subscribe' from='mercutio@example.net'><status>let me in</status></presence>",
    );
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Subscription { event: SubscriptionEvent::Requested { status: Some(s), .. } }] if s == "let me in"
    ));
    assert_eq!(session.subscriptions().pending().count(), 1);
    let answer = session.approve(&"mercutio@example.net".parse().unwrap());
    assert_eq!(answer.kind, PresenceType::Subscribed);
    assert_eq!(session.subscriptions().pending().count(), 0);

    // Going offline: every contact we saw online is reported unavailable.
    session.offline(&now());
    assert_eq!(
        events(&mut session),
        [Event::Presence {
            change: PresenceChange::Unavailable {
                contact: romeo,
                resource: None
            }
        }]
    );
}

#[test]
fn directed_presence_is_remembered() {
    let mut session = online();
    let to: openxmpp_core::jid::Jid = "room@conference.example.com/juliet".parse().unwrap();
    let p = session.outgoing_presence(Presence::available().to(to.clone()));
    assert!(
        p.payloads.iter().any(|p| p.is("c", crate::caps::NS)),
        "caps on directed presence too"
    );
    assert_eq!(
        session.presence().directed_targets().collect::<Vec<_>>(),
        [to.as_str()]
    );
    session.outgoing_presence(Presence::unavailable().to(to));
    assert_eq!(session.presence().directed_targets().count(), 0);
}

#[test]
fn blocklist_pushes() {
    let mut session = online();
    feed(
        &mut session,
        "<iq type='set' id='bp1'><block xmlns='urn:xmpp:blocking'><item jid='spam@example.org'/></block></iq>",
    );
    assert_eq!(sent(&mut session).len(), 1);
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Blocklist {
            event: BlocklistEvent::Blocked { .. }
        }]
    ));
    assert_eq!(
        session.blocklist().unwrap().collect::<Vec<_>>(),
        ["spam@example.org"]
    );
    feed(
        &mut session,
        "<iq type='set' id='bp2' from='spam@example.org/x'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(sent(&mut session).is_empty());
    assert!(matches!(&events(&mut session)[..], [Event::Forgery { .. }]));
    feed(
        &mut session,
        "<iq type='set' id='bp3'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(matches!(
        &events(&mut session)[..],
        [Event::Blocklist {
            event: BlocklistEvent::UnblockedAll
        }]
    ));
    assert_eq!(session.blocklist().unwrap().count(), 0);
}

#[test]
fn a_presence_flood_stays_bounded() {
    let mut session = online();
    for i in 0..crate::presence::MAX_CONTACTS + 100 {
        let rest = session.handle_stanza(
            stanza(&format!("<presence from='c{i}@flood.example/r'/>")),
            &now(),
        );
        assert!(rest.is_none());
    }
    assert_eq!(
        session.presence().contacts().count(),
        crate::presence::MAX_CONTACTS
    );
}

#[test]
fn requests_lost_with_a_resumed_transport_are_sent_again() {
    let mut session = Session::new(
        "juliet@example.com".parse().unwrap(),
        SessionConfig::default(),
    );
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), false);
    assert_eq!(outputs(&mut session).len(), 3);
    // The transport broke before any answer; the stream was resumed.
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), true);
    assert_eq!(outputs(&mut session).len(), 3);
}

#[test]
fn closing_withdraws_directed_presence_then_broadcasts_unavailable() {
    let mut session = online();
    session
        .outgoing_presence(Presence::available().to("romeo@example.net/orchard".parse().unwrap()));
    let closing = session.closing_presences(Some("bye"));
    assert_eq!(closing.len(), 2);
    assert_eq!(
        closing[0].header.to.as_ref().unwrap().as_str(),
        "romeo@example.net/orchard"
    );
    assert_eq!(closing[1].header.to, None);
    assert_eq!(closing[1].status(), Some("bye"));
    assert!(closing.iter().all(|p| p.kind == PresenceType::Unavailable));
    assert_eq!(session.presence().directed_targets().count(), 0);
}

#[test]
fn contacts_capabilities_are_looked_up_verified_and_cached() {
    let mut session = online();
    let info = crate::disco::DiscoInfoResult::new()
        .with_identity(crate::disco::Identity::new("client", "phone"))
        .with_feature("http://jabber.org/protocol/disco#info")
        .with_feature("urn:xmpp:receipts");
    let caps = crate::caps::Caps::new("https://example.net/app", &info).unwrap();
    let mut presence = Presence::available().with_payload(caps.clone().into());
    presence.header.from = Some("romeo@example.net/phone".parse().unwrap());
    assert!(
        session
            .handle_stanza(Stanza::Presence(presence.clone()), &now())
            .is_none()
    );
    events(&mut session);
    let out = outputs(&mut session);
    let [Output::Request { token, iq: lookup }] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        lookup.header.to.as_ref().unwrap().as_str(),
        "romeo@example.net/phone"
    );
    let node = caps.disco_node();
    assert_eq!(
        lookup.payload_element().unwrap().attr("node"),
        Some(node.as_str())
    );
    let answer = disco_result(&info.clone().with_node(node));
    session.handle_response(*token, Ok(answer));
    let romeo: openxmpp_core::jid::Jid = "romeo@example.net/phone".parse().unwrap();
    assert!(
        session
            .capabilities(&romeo)
            .unwrap()
            .has_feature("urn:xmpp:receipts")
    );

    // Our own presence, reflected, is not looked up.
    let mut own = Presence::available().with_payload(caps.into());
    own.header.from = Some(ME.parse().unwrap());
    session.handle_stanza(Stanza::Presence(own), &now());
    assert!(outputs(&mut session).is_empty());
}

/// A disco#info result carrying `info`.
fn disco_result(info: &crate::disco::DiscoInfoResult) -> Iq {
    Iq {
        id: "x".to_owned(),
        header: Default::default(),
        payload: IqPayload::Result(Some(info.clone().into())),
    }
}

#[test]
fn archive_results_are_claimed_and_live_messages_remembered() {
    let mut session = online();
    // A live message with our archive's stanza-id.
    feed(
        &mut session,
        "<message type='chat' id='live1' from='romeo@example.net/orchard'><body>live</body>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='A1' by='juliet@example.com'/></message>",
    );
    events(&mut session);
    let qid = session.new_query_id();
    let query =
        crate::mam::ArchiveQuery::new("juliet@example.com".parse().unwrap(), None, qid.clone());
    let request = session.start_archive_query(query).unwrap();
    assert!(
        request
            .payload_element()
            .unwrap()
            .is("query", "urn:xmpp:mam:2")
    );
    for (id, body) in [("A0", "older"), ("A1", "live")] {
        feed(
            &mut session,
            &format!(
                "<message to='juliet@example.com/balcony'><result xmlns='urn:xmpp:mam:2' queryid='{qid}' id='{id}'>\
                 <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/>\
                 <message xmlns='jabber:client' type='chat' from='romeo@example.net/orchard' to='juliet@example.com'><body>{body}</body></message>\
                 </forwarded></result></message>"
            ),
        );
    }
    assert!(
        events(&mut session).is_empty(),
        "archive results are not live messages"
    );
    let fin = iq(
        "<iq type='result' id='q'><fin xmlns='urn:xmpp:mam:2' complete='true'>\
                  <set xmlns='http://jabber.org/protocol/rsm'><first>A0</first><last>A1</last></set></fin></iq>",
    );
    let ArchiveStep::Done(results) = session.archive_page_answered(&qid, Ok(fin)).unwrap() else {
        panic!()
    };
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].message.body(), Some("older"));
    assert!(!session.seen_live(&results[0]));
    assert!(
        session.seen_live(&results[1]),
        "the live copy is recognised"
    );
}

/// A live chat message from Romeo with an origin id and our archive's stanza id.
fn from_romeo(origin: &str, archive_id: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='{origin}' from='romeo@example.net/orchard'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='{archive_id}' by='juliet@example.com'/></message>"
    )
}

fn bodies(events: Vec<Event>) -> Vec<String> {
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Message { message } => message.message.body().map(str::to_owned),
            _ => None,
        })
        .collect()
}

#[test]
fn live_duplicates_are_delivered_once() {
    let mut session = online();
    feed(&mut session, &from_romeo("o1", "A1", "one"));
    // The sender resent it after a lost ack: archived anew, same origin id.
    feed(&mut session, &from_romeo("o1", "A2", "one"));
    // The server's offline store replays a message already delivered: same archive id.
    feed(&mut session, &from_romeo("o1-other", "A1", "one"));
    feed(&mut session, &from_romeo("o2", "A3", "two"));
    assert_eq!(bodies(events(&mut session)), ["one", "two"]);
    assert_eq!(session.last_archive_id(), Some("A3"));
    // Someone else using Romeo's origin id is someone else's message.
    feed(
        &mut session,
        "<message type='chat' from='mallory@evil.example/x'><body>mine</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>",
    );
    assert_eq!(bodies(events(&mut session)), ["mine"]);
}

#[test]
fn a_lost_session_leaves_an_anchor_for_the_archive_catch_up() {
    let mut session = online();
    assert_eq!(session.missed_messages_anchor(), None);
    feed(&mut session, &from_romeo("o1", "A1", "one"));
    let lost = Timestamp::from_unix(1_700_000_100, 0).unwrap();
    session.offline(&lost);
    let anchor = session.missed_messages_anchor().cloned().unwrap();
    assert_eq!(anchor.after_id.as_deref(), Some("A1"));
    assert_eq!(anchor.lost_at, lost);
    // A new session: the offline store delivers what was missed before the catch-up ran.
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), false);
    feed(&mut session, &from_romeo("o3", "A3", "three"));
    // Lost again before catching up: the older anchor stays (nothing after A1 was fetched).
    session.offline(&Timestamp::from_unix(1_700_000_200, 0).unwrap());
    assert_eq!(session.missed_messages_anchor(), Some(&anchor));
    session.online(&ME.parse().unwrap(), &StreamFeatures::default(), false);
    events(&mut session);

    // The catch-up finds A2 (missed) and A3 (already delivered live).
    let archived = |id: &str, origin: &str, body: &str| {
        let result = crate::mam::MamResult::try_from(element(&format!(
            "<result xmlns='urn:xmpp:mam:2' id='{id}'><forwarded xmlns='urn:xmpp:forward:0'>\
               <delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/>\
               <message xmlns='jabber:client' type='chat' from='romeo@example.net/orchard'>\
                 <body>{body}</body><origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>\
             </forwarded></result>"
        )))
        .unwrap();
        crate::mam::ArchivedMessage::from_result("juliet@example.com".parse().unwrap(), result)
            .unwrap()
    };
    let kept = session.retain_unseen(vec![
        archived("A2", "o2", "two"),
        archived("A3", "o3", "three"),
    ]);
    let kept: Vec<_> = kept.iter().map(|a| a.archive_id.as_str()).collect();
    assert_eq!(kept, ["A2"]);
    session.caught_up(&anchor);
    assert_eq!(session.missed_messages_anchor(), None);
    // The offline store replays A2 after the catch-up found it: dropped.
    feed(&mut session, &from_romeo("o2", "A2", "two"));
    assert!(bodies(events(&mut session)).is_empty());
}
