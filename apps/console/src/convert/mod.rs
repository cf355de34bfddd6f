//! The library's types as reports: messages, presence, subscriptions, the roster, rooms.

mod muc;

pub(crate) use muc::muc;

use openxmpp::im::chats::{ChatMessage, Delivery};
use openxmpp::im::mam::ArchivedMessage;
use openxmpp::im::presence::{Availability, PresenceChange, ResourcePresence};
use openxmpp::im::roster::RosterItem;
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::stanza::Message;

use crate::report::{MessageReport, Report, ResourceEntry, RosterEntry};

/// A received (or carbon-copied) message.
pub(crate) fn message(chat: &ChatMessage) -> MessageReport {
    let delivery = match chat.delivery {
        Delivery::Live => "live",
        Delivery::Carbon => "carbon",
        Delivery::Delayed => "delayed",
    };
    let mut report = message_fields(&chat.message, delivery);
    report.id = chat.sender_id().map(str::to_owned);
    report.stamp = chat.sent_at.as_ref().map(ToString::to_string);
    report
}

/// A message from the archive (XEP-0313).
pub(crate) fn archived(archived: &ArchivedMessage) -> MessageReport {
    let mut report = message_fields(&archived.message, "archive");
    report.id = openxmpp::im::stanza_id::origin_id(&archived.message)
        .or(archived.message.header.id.as_deref())
        .map(str::to_owned);
    report.stamp = archived.delay.as_ref().map(ToString::to_string);
    report
}

/// The fields every message report has, from the stanza.
pub(crate) fn message_fields(message: &Message, delivery: &'static str) -> MessageReport {
    let body = message.body();
    // The body's own xml:lang, else the stanza's (which the parser inherits from the stream).
    let own_lang = message
        .bodies
        .iter()
        .find(|text| Some(text.text.as_str()) == body)
        .and_then(|text| text.lang.clone());
    let lang_marked = own_lang.is_some();
    let lang = own_lang.or_else(|| body.and(message.header.lang.clone()));
    MessageReport {
        from: message
            .header
            .from
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        to: message.header.to.as_ref().map(ToString::to_string),
        kind: message.kind.name(),
        body: body.map(str::to_owned),
        lang,
        lang_marked,
        subject: message.subject().map(str::to_owned),
        thread: message.thread.as_ref().map(|t| t.id.clone()),
        id: message.header.id.clone(),
        delivery,
        stamp: None,
    }
}

/// The `<show/>` name of an availability (`None`: plainly available).
pub(crate) fn show(availability: Availability) -> Option<&'static str> {
    match availability {
        Availability::Chat => Some("chat"),
        Availability::Available => None,
        Availability::Away => Some("away"),
        Availability::ExtendedAway => Some("xa"),
        Availability::DoNotDisturb => Some("dnd"),
    }
}

/// One resource's presence.
pub(crate) fn resource(name: String, presence: &ResourcePresence) -> ResourceEntry {
    ResourceEntry {
        resource: name,
        show: show(presence.availability),
        status: status(presence),
        priority: presence.priority,
    }
}

fn status(presence: &ResourcePresence) -> Option<String> {
    presence
        .statuses
        .for_language(None, presence.lang.as_deref())
        .map(str::to_owned)
}

/// A contact's presence change.
pub(crate) fn presence(change: &PresenceChange) -> Option<Report> {
    Some(match change {
        PresenceChange::Available {
            contact,
            resource,
            presence,
        } => Report::Presence {
            from: with_resource(contact.as_str(), resource.as_deref()),
            available: true,
            show: show(presence.availability),
            status: status(presence),
            priority: presence.priority,
        },
        PresenceChange::Unavailable { contact, resource } => Report::Presence {
            from: with_resource(contact.as_str(), resource.as_deref()),
            available: false,
            show: None,
            status: None,
            priority: 0,
        },
        _ => return None,
    })
}

fn with_resource(bare: &str, resource: Option<&str>) -> String {
    match resource {
        Some(resource) => format!("{bare}/{resource}"),
        None => bare.to_owned(),
    }
}

/// A contact's subscription move.
pub(crate) fn subscription(event: &SubscriptionEvent) -> Option<Report> {
    let (from, kind, status) = match event {
        SubscriptionEvent::Requested { from, status } => (from, "subscribe", status.clone()),
        SubscriptionEvent::Approved { from } => (from, "subscribed", None),
        SubscriptionEvent::Refused { from } => (from, "unsubscribed", None),
        SubscriptionEvent::Unsubscribed { from } => (from, "unsubscribe", None),
        _ => return None,
    };
    Some(Report::Subscription {
        from: from.to_string(),
        kind,
        status,
    })
}

/// The roster as a report.
pub(crate) fn roster(items: &[RosterItem]) -> Report {
    Report::Roster {
        items: items
            .iter()
            .map(|item| RosterEntry {
                jid: item.jid.to_string(),
                name: item.name.clone(),
                groups: item.groups.clone(),
                subscription: item.subscription.name(),
                ask: item.ask.then_some("subscribe"),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use openxmpp::core::xml::parse_element;
    use openxmpp::im::chats::{ConversationKey, Direction};
    use openxmpp::im::roster::Subscription;

    use super::*;

    #[test]
    fn a_message_with_a_language_a_subject_and_a_thread() {
        let stanza = Message::try_from(
            parse_element(
                "<message from='romeo@example.net/orchard' to='juliet@example.com/b' \
                 type='chat' id='m1'><body xml:lang='de'>Hallo</body>\
                 <subject>Gruss</subject><thread>t1</thread></message>",
            )
            .unwrap(),
        )
        .unwrap();
        let chat = ChatMessage {
            conversation: ConversationKey::with("romeo@example.net".parse().unwrap()),
            direction: Direction::Incoming,
            delivery: Delivery::Live,
            sent_at: None,
            message: stanza,
        };
        let report = message(&chat);
        assert_eq!(report.from, "romeo@example.net/orchard");
        assert_eq!(report.kind, "chat");
        assert_eq!(report.body.as_deref(), Some("Hallo"));
        assert_eq!(report.lang.as_deref(), Some("de"));
        assert_eq!(report.subject.as_deref(), Some("Gruss"));
        assert_eq!(report.thread.as_deref(), Some("t1"));
        assert_eq!(report.id.as_deref(), Some("m1"));
        assert_eq!(report.delivery, "live");
    }

    #[test]
    fn subscriptions_use_the_presence_type_names() {
        let from: openxmpp::BareJid = "romeo@example.net".parse().unwrap();
        let report = subscription(&SubscriptionEvent::Refused { from }).unwrap();
        assert!(matches!(
            report,
            Report::Subscription {
                kind: "unsubscribed",
                ..
            }
        ));
    }

    #[test]
    fn roster_items_say_when_a_request_is_pending() {
        let mut item = RosterItem::new("romeo@example.net".parse().unwrap());
        item.subscription = Subscription::None;
        item.ask = true;
        let Report::Roster { items } = roster(&[item]) else {
            panic!()
        };
        assert_eq!(items[0].ask, Some("subscribe"));
        assert_eq!(items[0].subscription, "none");
    }
}
