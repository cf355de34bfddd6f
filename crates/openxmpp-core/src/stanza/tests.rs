//! Per-stanza tests: parse (the RFC examples among them), serialize, round trip, invalid input.

use crate::error::{StanzaErrorCondition, StanzaErrorType};
use crate::xml::Element;

use super::*;

/// Parses one first-level element as it would arrive inside a client stream.
pub(crate) fn element(xml: &str) -> Element {
    crate::xml::parse_element(xml).unwrap_or_else(|e| panic!("{xml:?}: {e}"))
}

fn round_trip<T>(value: T) -> T
where
    T: Clone + Into<Element> + TryFrom<Element, Error = StanzaParseError>,
{
    let text = value.clone().into().to_string();
    T::try_from(element(&text)).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn message_rfc6121_example_with_languages_and_thread() {
    let m = Message::try_from(element(
        "<message from='juliet@example.com/balcony' id='ktx72v49' to='romeo@example.net' \
                  type='chat' xml:lang='en'>\
           <subject>I implore you!</subject>\
           <subject xml:lang='cs'>&#x00DA;p&#x011B;nliv&#x011B; pros&#x00ED;m!</subject>\
           <body>Wherefore art thou, Romeo?</body>\
           <body xml:lang='cs'>Pro&#x010D;e&#x017E; jsi ty, Romeo?</body>\
           <thread parent='7edac73ab41e45c4aafa7b2d7b749080'>e0ffe42b28561960c6b12b944a092794b9683a38</thread>\
           <active xmlns='http://jabber.org/protocol/chatstates'/>\
         </message>",
    ))
    .unwrap();
    assert_eq!(m.kind, MessageType::Chat);
    assert_eq!(m.header.id.as_deref(), Some("ktx72v49"));
    assert_eq!(
        m.header.from.as_ref().map(|j| j.as_str()),
        Some("juliet@example.com/balcony")
    );
    assert_eq!(m.header.lang.as_deref(), Some("en"));
    assert_eq!(m.body(), Some("Wherefore art thou, Romeo?"));
    assert_eq!(m.bodies.get(Some("cs")), Some("Pročež jsi ty, Romeo?"));
    assert_eq!(m.subjects.get(Some("cs")), Some("Úpěnlivě prosím!"));
    assert_eq!(
        m.bodies.for_language(Some("CS"), Some("en")),
        Some("Pročež jsi ty, Romeo?")
    );
    assert_eq!(
        m.bodies.for_language(Some("en"), Some("en")),
        Some("Wherefore art thou, Romeo?")
    );
    let thread = m.thread.as_ref().unwrap();
    assert_eq!(
        thread.parent.as_deref(),
        Some("7edac73ab41e45c4aafa7b2d7b749080")
    );
    assert_eq!(m.payloads.len(), 1, "the chat state is kept");
    assert_eq!(round_trip(m.clone()), m);
}

#[test]
fn message_defaults_and_error() {
    let m = Message::try_from(element("<message to='a@b'/>")).unwrap();
    assert_eq!(m.kind, MessageType::Normal);
    assert!(m.bodies.is_empty() && m.body().is_none());
    let e = Message::try_from(element(
        "<message type='error' from='a@b' id='x'><body>hi</body>\
           <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
         </message>",
    ))
    .unwrap();
    let error = e.error.as_ref().unwrap();
    assert_eq!(error.condition, StanzaErrorCondition::ItemNotFound);
    assert_eq!(round_trip(e.clone()), e);
    for kind in [
        MessageType::Chat,
        MessageType::Groupchat,
        MessageType::Headline,
        MessageType::Normal,
    ] {
        let m =
            Message::new(kind, Some("room@muc.example".parse().unwrap())).with_subject(None, "s");
        assert_eq!(round_trip(m.clone()), m);
    }
}

#[test]
fn message_serializes_minimally() {
    let m = Message::chat("juliet@example.com".parse().unwrap(), "a < b & c").with_id("m1");
    assert_eq!(
        Element::from(m).to_string(),
        "<message xmlns='jabber:client' id='m1' to='juliet@example.com' type='chat'>\
         <body>a &lt; b &amp; c</body></message>"
    );
}

#[test]
fn message_invalid_input() {
    assert!(matches!(
        Message::try_from(element("<message type='shout'/>")),
        Err(StanzaParseError::InvalidValue { what: "type", .. })
    ));
    assert!(matches!(
        Message::try_from(element("<message to='@example.com'/>")),
        Err(StanzaParseError::InvalidJid {
            attribute: "to",
            ..
        })
    ));
    assert!(matches!(
        Message::try_from(element("<presence/>")),
        Err(StanzaParseError::UnexpectedElement { .. })
    ));
}

#[test]
fn presence_rfc6121_examples() {
    let p = Presence::try_from(element(
        "<presence from='romeo@example.net/orchard' xml:lang='en'>\
           <show>dnd</show>\
           <status>Wooing Juliet</status>\
           <status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status>\
           <priority>1</priority>\
           <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>\
         </presence>",
    ))
    .unwrap();
    assert_eq!(p.kind, PresenceType::Available);
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(p.status(), Some("Wooing Juliet"));
    assert_eq!(p.statuses.get(Some("cs")), Some("Dvořím se Julii"));
    assert_eq!(p.priority, 1);
    assert_eq!(p.payloads.len(), 1);
    assert_eq!(round_trip(p.clone()), p);

    let to = || "juliet@example.com".parse().unwrap();
    for p in [
        Presence::subscribe(to()),
        Presence::subscribed(to()),
        Presence::unsubscribe(to()),
        Presence::unsubscribed(to()),
        Presence::unavailable().with_status(None, "gone"),
        Presence::available().to(to()).with_priority(-128),
        Presence::new(PresenceType::Probe, Some(to())),
    ] {
        assert_eq!(round_trip(p.clone()), p);
    }
}

#[test]
fn presence_invalid_input() {
    for (xml, what) in [
        ("<presence type='away'/>", "type"),
        ("<presence><show>busy</show></presence>", "show"),
        ("<presence><priority>128</priority></presence>", "priority"),
        ("<presence><priority>high</priority></presence>", "priority"),
    ] {
        match Presence::try_from(element(xml)) {
            Err(StanzaParseError::InvalidValue { what: w, .. }) => assert_eq!(w, what, "{xml}"),
            other => panic!("{xml}: {other:?}"),
        }
    }
}

#[test]
fn iq_rfc6120_examples() {
    let get = Iq::try_from(element(
        "<iq from='juliet@example.com/balcony' id='rg1' type='get'><query xmlns='jabber:iq:roster'/></iq>",
    ))
    .unwrap();
    assert_eq!(get.id, "rg1");
    assert!(matches!(&get.payload, IqPayload::Get(q) if q.is("query", "jabber:iq:roster")));
    assert_eq!(round_trip(get.clone()), get);

    let result = get.result(None);
    assert_eq!(result.header.to, get.header.from);
    assert_eq!(
        Element::from(result).to_string(),
        "<iq xmlns='jabber:client' id='rg1' to='juliet@example.com/balcony' type='result'/>"
    );

    let error = Iq::try_from(element(
        "<iq id='s1' type='error' from='example.com'>\
           <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>x</resource></bind>\
           <error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
         </iq>",
    ))
    .unwrap();
    match &error.payload {
        IqPayload::Error { error, request } => {
            assert_eq!(error.kind, StanzaErrorType::Modify);
            assert!(request.as_ref().is_some_and(|r| r.name() == "bind"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(round_trip(error.clone()), error);
}

#[test]
fn iq_invalid_input() {
    assert!(matches!(
        Iq::try_from(element("<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>")),
        Err(StanzaParseError::Missing {
            what: "id attribute",
            ..
        })
    ));
    assert!(matches!(
        Iq::try_from(element("<iq id='1'><ping xmlns='urn:xmpp:ping'/></iq>")),
        Err(StanzaParseError::Missing {
            what: "type attribute",
            ..
        })
    ));
    assert!(matches!(
        Iq::try_from(element("<iq id='1' type='get'/>")),
        Err(StanzaParseError::IqPayloadCount {
            kind: "get",
            count: 0
        })
    ));
    assert!(matches!(
        Iq::try_from(element(
            "<iq id='1' type='set'><a xmlns='x'/><b xmlns='x'/></iq>"
        )),
        Err(StanzaParseError::IqPayloadCount {
            kind: "set",
            count: 2
        })
    ));
    assert!(matches!(
        Iq::try_from(element("<iq id='1' type='error'/>")),
        Err(StanzaParseError::Missing {
            what: "error child",
            ..
        })
    ));
    assert!(matches!(
        Iq::try_from(element("<iq id='1' type='ask'/>")),
        Err(StanzaParseError::InvalidValue { what: "type", .. })
    ));
}

#[test]
fn unknown_attributes_survive() {
    let m = Message::try_from(element("<message xmlns:x='urn:x' x:mark='1' extra='2'/>")).unwrap();
    assert_eq!(m.header.other_attributes.len(), 2);
    assert_eq!(round_trip(m.clone()), m);
}

#[test]
fn stanza_dispatches_by_name() {
    assert!(matches!(
        Stanza::try_from(element("<presence/>")),
        Ok(Stanza::Presence(_))
    ));
    let iq = Stanza::try_from(element("<iq id='7' type='result'/>")).unwrap();
    assert_eq!(iq.id(), Some("7"));
    assert!(Stanza::try_from(element("<r xmlns='urn:xmpp:sm:3'/>")).is_err());
    assert!(!Stanza::is_stanza(&element("<r xmlns='urn:xmpp:sm:3'/>")));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        // Any XML-legal text, including markup characters and non-ASCII.
        "[a-zA-Z0-9 <>&'\"éß🎸\u{4e2d}]{0,20}"
    }

    proptest! {
        #[test]
        fn messages_round_trip(body in text(), subject in text(), thread in "[a-z0-9]{1,10}", lang in "[a-z]{2}") {
            let m = Message::chat("a@example.com/r".parse().unwrap(), body.clone())
                .with_body(Some(&lang), subject.clone())
                .with_subject(None, subject)
                .with_thread(thread, None);
            prop_assert_eq!(round_trip(m.clone()), m);
        }

        #[test]
        fn presences_round_trip(status in text(), priority in any::<i8>(), show in 0usize..5) {
            let mut p = Presence::available().with_status(None, status).with_priority(priority);
            p.show = [None, Some(Show::Chat), Some(Show::Away), Some(Show::Xa), Some(Show::Dnd)][show];
            prop_assert_eq!(round_trip(p.clone()), p);
        }
    }
}
