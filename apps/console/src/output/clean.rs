//! What peers send, made safe to print on a terminal: control characters (escape sequences
//! that would recolour, move the cursor or retitle the window; carriage returns that would
//! overwrite the line) and bidirectional overrides become visible placeholders. Line breaks
//! stay, indented so that a continuation cannot pass for a line of its own.

use crate::report::{ContactEntry, MessageReport, Report, ResourceEntry, RosterEntry};

/// `text` safe for a terminal.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\n  "),
            '\t' => out.push(c),
            // C0 controls as their Unicode control pictures (ESC shows as ␛).
            '\0'..='\x1f' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\x7f' => out.push('\u{2421}'),
            // C1 controls, and bidirectional embeddings, overrides and isolates.
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

fn opt(text: &Option<String>) -> Option<String> {
    text.as_deref().map(clean)
}

fn all(texts: &[String]) -> Vec<String> {
    texts.iter().map(|t| clean(t)).collect()
}

/// A copy of `report` with every text cleaned.
pub(crate) fn report(report: &Report) -> Report {
    match report {
        Report::State {
            state,
            jid,
            attempt,
            delay_ms,
        } => Report::State {
            state,
            jid: opt(jid),
            attempt: *attempt,
            delay_ms: *delay_ms,
        },
        Report::Registered { jid } => Report::Registered { jid: clean(jid) },
        Report::Message(m) => Report::Message(Box::new(MessageReport {
            from: clean(&m.from),
            to: opt(&m.to),
            kind: m.kind,
            body: opt(&m.body),
            lang: opt(&m.lang),
            lang_marked: m.lang_marked,
            subject: opt(&m.subject),
            thread: opt(&m.thread),
            id: opt(&m.id),
            delivery: m.delivery,
            stamp: opt(&m.stamp),
        })),
        Report::Presence {
            from,
            available,
            show,
            status,
            priority,
        } => Report::Presence {
            from: clean(from),
            available: *available,
            show: *show,
            status: opt(status),
            priority: *priority,
        },
        Report::Subscription { from, kind, status } => Report::Subscription {
            from: clean(from),
            kind,
            status: opt(status),
        },
        Report::Roster { items } => Report::Roster {
            items: items
                .iter()
                .map(|i| RosterEntry {
                    jid: clean(&i.jid),
                    name: opt(&i.name),
                    groups: all(&i.groups),
                    subscription: i.subscription,
                    ask: i.ask,
                })
                .collect(),
        },
        Report::Who { contacts } => Report::Who {
            contacts: contacts
                .iter()
                .map(|c| ContactEntry {
                    jid: clean(&c.jid),
                    name: opt(&c.name),
                    resources: c
                        .resources
                        .iter()
                        .map(|r| ResourceEntry {
                            resource: clean(&r.resource),
                            show: r.show,
                            status: opt(&r.status),
                            priority: r.priority,
                        })
                        .collect(),
                })
                .collect(),
        },
        Report::Room {
            room,
            action,
            nick,
            text,
        } => Report::Room {
            room: clean(room),
            action,
            nick: opt(nick),
            text: opt(text),
        },
        Report::Occupant {
            room,
            nick,
            action,
            role,
            affiliation,
            jid,
            show,
            status,
        } => Report::Occupant {
            room: clean(room),
            nick: clean(nick),
            action,
            role: *role,
            affiliation: *affiliation,
            jid: opt(jid),
            show: *show,
            status: opt(status),
        },
        Report::Receipt { from, id } => Report::Receipt {
            from: clean(from),
            id: clean(id),
        },
        Report::Marker { from, marker, id } => Report::Marker {
            from: clean(from),
            marker,
            id: clean(id),
        },
        Report::ChatState { from, state } => Report::ChatState {
            from: clean(from),
            state,
        },
        Report::Blocklist { action, jids } => Report::Blocklist {
            action,
            jids: all(jids),
        },
        Report::Stanza { xml } => Report::Stanza { xml: clean(xml) },
        Report::Xml { direction, xml } => Report::Xml {
            direction,
            xml: clean(xml),
        },
        Report::Iq { from, kind, xml } => Report::Iq {
            from: opt(from),
            kind,
            xml: clean(xml),
        },
        Report::Help { commands } => Report::Help {
            commands: commands.clone(),
        },
        Report::Result { command, ok, error } => Report::Result {
            command: clean(command),
            ok: *ok,
            error: opt(error),
        },
        Report::Error { kind, message } => Report::Error {
            kind,
            message: clean(message),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_become_visible() {
        assert_eq!(clean("plain text, émoji 🌹"), "plain text, émoji 🌹");
        assert_eq!(clean("\x1b[2J\x1b]0;pwned\x07"), "␛[2J␛]0;pwned␇");
        assert_eq!(clean("over\rwrite"), "over␍write");
        assert_eq!(clean("a\u{9b}b\u{202e}c\u{7f}"), "a\u{fffd}b\u{fffd}c␡");
        assert_eq!(clean("two\nlines"), "two\n  lines");
    }

    #[test]
    fn every_text_of_a_report_is_cleaned() {
        let hostile = Report::Presence {
            from: "eve@example.com/\x1b[31m".into(),
            available: true,
            show: None,
            status: Some("\x1b[2J".into()),
            priority: 0,
        };
        let Report::Presence { from, status, .. } = report(&hostile) else {
            panic!()
        };
        assert!(!from.contains('\x1b') && !status.unwrap().contains('\x1b'));
    }
}
