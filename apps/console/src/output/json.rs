//! Reports as JSON objects, one per line. The field names are part of the interface (the
//! README lists them): change them only with the README.

use serde_json::{Value, json};

use crate::report::{ContactEntry, MessageReport, Report, RosterEntry};

/// The JSON object for `report`.
pub(crate) fn to_json(report: &Report) -> Value {
    match report {
        Report::State {
            state,
            jid,
            attempt,
            delay_ms,
        } => {
            let mut value = json!({ "event": "state", "state": state, "jid": jid });
            if let Some(attempt) = attempt {
                value["attempt"] = json!(attempt);
            }
            if let Some(delay) = delay_ms {
                value["delay_ms"] = json!(delay);
            }
            value
        }
        Report::Registered { jid } => json!({ "event": "registered", "jid": jid }),
        Report::Message(message) => message_json(message),
        Report::Presence {
            from,
            available,
            show,
            status,
            priority,
        } => json!({
            "event": "presence",
            "from": from,
            "type": if *available { "available" } else { "unavailable" },
            "show": show,
            "status": status,
            "priority": priority,
        }),
        Report::Subscription { from, kind, status } => json!({
            "event": "subscription", "from": from, "type": kind, "status": status,
        }),
        Report::Roster { items } => json!({
            "event": "roster",
            "items": items.iter().map(roster_item).collect::<Vec<_>>(),
        }),
        Report::Who { contacts } => json!({
            "event": "who",
            "contacts": contacts.iter().map(contact).collect::<Vec<_>>(),
        }),
        Report::Room {
            room,
            action,
            nick,
            text,
        } => json!({
            "event": "room", "room": room, "action": action, "nick": nick, "text": text,
        }),
        Report::Occupant {
            room,
            nick,
            action,
            role,
            affiliation,
            jid,
            show,
            status,
        } => json!({
            "event": "occupant",
            "room": room,
            "nick": nick,
            "action": action,
            "role": role,
            "affiliation": affiliation,
            "jid": jid,
            "show": show,
            "status": status,
        }),
        Report::Receipt { from, id } => json!({ "event": "receipt", "from": from, "id": id }),
        Report::Marker { from, marker, id } => {
            json!({ "event": "marker", "from": from, "marker": marker, "id": id })
        }
        Report::ChatState { from, state } => {
            json!({ "event": "chatstate", "from": from, "state": state })
        }
        Report::Blocklist { action, jids } => {
            json!({ "event": "blocklist", "action": action, "jids": jids })
        }
        Report::Stanza { xml } => json!({ "event": "stanza", "xml": xml }),
        Report::Xml { direction, xml } => {
            json!({ "event": "xml", "direction": direction, "xml": xml })
        }
        Report::Iq { from, kind, xml } => {
            json!({ "event": "iq", "from": from, "type": kind, "xml": xml })
        }
        Report::Help { commands } => json!({
            "event": "help",
            "commands": commands
                .iter()
                .map(|(usage, summary)| json!({ "usage": usage, "summary": summary }))
                .collect::<Vec<_>>(),
        }),
        Report::Result { command, ok, error } => json!({
            "event": "result", "command": command, "ok": ok, "error": error,
        }),
        Report::Error { kind, message } => {
            json!({ "event": "error", "kind": kind, "message": message })
        }
    }
}

fn message_json(m: &MessageReport) -> Value {
    json!({
        "event": "message",
        "from": m.from,
        "to": m.to,
        "type": m.kind,
        "body": m.body,
        "lang": m.lang,
        "subject": m.subject,
        "thread": m.thread,
        "id": m.id,
        "delivery": m.delivery,
        "stamp": m.stamp,
    })
}

fn roster_item(item: &RosterEntry) -> Value {
    json!({
        "jid": item.jid,
        "name": item.name,
        "groups": item.groups,
        "subscription": item.subscription,
        "ask": item.ask,
    })
}

fn contact(contact: &ContactEntry) -> Value {
    json!({
        "jid": contact.jid,
        "name": contact.name,
        "resources": contact.resources.iter().map(|r| json!({
            "resource": r.resource,
            "show": r.show,
            "status": r.status,
            "priority": r.priority,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_fields() {
        let message = Report::Message(Box::new(MessageReport {
            from: "romeo@example.net/orchard".into(),
            to: Some("juliet@example.com/balcony".into()),
            kind: "chat",
            body: Some("Hi".into()),
            lang: None,
            lang_marked: false,
            subject: None,
            thread: Some("t1".into()),
            id: Some("m1".into()),
            delivery: "live",
            stamp: None,
        }));
        assert_eq!(
            to_json(&message),
            json!({"event":"message","from":"romeo@example.net/orchard",
                   "to":"juliet@example.com/balcony","type":"chat","body":"Hi","lang":null,
                   "subject":null,"thread":"t1","id":"m1","delivery":"live","stamp":null})
        );
        assert_eq!(
            to_json(&Report::result("chat", Err("no".into()))),
            json!({"event":"result","command":"chat","ok":false,"error":"no"})
        );
        assert_eq!(
            to_json(&Report::Roster {
                items: vec![RosterEntry {
                    jid: "romeo@example.net".into(),
                    name: None,
                    groups: vec!["Friends".into()],
                    subscription: "to",
                    ask: Some("subscribe"),
                }]
            }),
            json!({"event":"roster","items":[{"jid":"romeo@example.net","name":null,
                   "groups":["Friends"],"subscription":"to","ask":"subscribe"}]})
        );
        assert_eq!(
            to_json(&Report::State {
                state: "online",
                jid: Some("juliet@example.com/x".into()),
                attempt: None,
                delay_ms: None
            }),
            json!({"event":"state","state":"online","jid":"juliet@example.com/x"})
        );
        assert_eq!(
            to_json(&Report::Presence {
                from: "romeo@example.net/orchard".into(),
                available: true,
                show: Some("away"),
                status: None,
                priority: 0
            }),
            json!({"event":"presence","from":"romeo@example.net/orchard","type":"available",
                   "show":"away","status":null,"priority":0})
        );
    }
}
