//! Reports as text for people: a line per event (a roster, `who` and `help` take a line per
//! entry), coloured only when asked to.

use crate::report::{ContactEntry, MessageReport, Report, RosterEntry};

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    /// Whether to colour at all.
    pub(crate) colour: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }
}

/// The text for `report`.
pub(crate) fn to_text(report: &Report, style: Style) -> String {
    match report {
        Report::State {
            state,
            jid,
            attempt,
            delay_ms,
        } => {
            let text = match (*state, jid, attempt, delay_ms) {
                ("online", Some(jid), ..) => format!("*** online as {jid}"),
                ("reconnecting", _, Some(attempt), Some(ms)) => format!(
                    "*** connection lost; reconnecting in {:.1} s (attempt {attempt})",
                    *ms as f64 / 1000.0
                ),
                (state, ..) => format!("*** {state}"),
            };
            style.yellow(&text)
        }
        Report::Registered { jid } => style.yellow(&format!("*** registered {jid}")),
        Report::Message(message) => message_text(message, style),
        Report::Presence {
            from,
            available,
            show,
            status,
            priority,
        } => {
            let what = match (available, show) {
                (false, _) => "is offline".to_owned(),
                (true, None) => "is available".to_owned(),
                (true, Some(show)) => format!("is {}", show_words(show)),
            };
            let mut rest = what;
            if let Some(status) = status {
                rest.push_str(&format!(" ({status})"));
            }
            let mut text = format!("{} {}", style.bold(from), style.cyan(&rest));
            if *priority != 0 {
                text.push_str(&style.dim(&format!(" [priority {priority}]")));
            }
            text
        }
        Report::Subscription { from, kind, status } => {
            let text = match *kind {
                "subscribe" => format!(
                    "{from} asks to see your presence{}: approve {from} or deny {from}",
                    status
                        .as_ref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ),
                "subscribed" => format!("{from} approved your subscription"),
                "unsubscribed" => format!("{from} refused or cancelled your subscription"),
                _ => format!("{from} unsubscribed from your presence"),
            };
            style.yellow(&text)
        }
        Report::Roster { items } => roster_text(items, style),
        Report::Who { contacts } => who_text(contacts, style),
        Report::Room {
            room,
            action,
            nick,
            text,
        } => {
            let nick = nick.as_deref().unwrap_or("");
            let line = match (*action, text) {
                ("joined", _) => format!("{room}: joined as {nick}"),
                ("left", Some(why)) => format!("{room}: left ({why})"),
                ("left", None) => format!("{room}: left"),
                ("subject", Some(subject)) if nick.is_empty() => {
                    format!("{room}: subject: {subject}")
                }
                ("subject", Some(subject)) => format!("{room}: {nick} set the subject: {subject}"),
                ("subject", None) => format!("{room}: no subject"),
                (action, Some(text)) => format!("{room}: {action} {nick} {text}"),
                (action, None) => format!("{room}: {action} {nick}"),
            };
            style.yellow(line.trim_end())
        }
        Report::Occupant {
            room,
            nick,
            action,
            status,
            ..
        } => {
            let mut line = format!("{room}: {nick} {action}");
            if let Some(status) = status {
                line.push_str(&format!(" ({status})"));
            }
            style.dim(&line)
        }
        Report::Receipt { from, id } => style.dim(&format!("{from} received {id}")),
        Report::Marker { from, marker, id } => style.dim(&format!("{from} {marker} {id}")),
        Report::ChatState { from, state } => style.dim(&format!("{from} is {state}")),
        Report::Blocklist { action, jids } => match *action {
            // Nothing worth a line.
            "loaded" if jids.is_empty() => String::new(),
            "loaded" => style.dim(&format!("blocklist: {}", jids.join(", "))),
            "unblocked-all" => style.dim("unblocked everyone"),
            action => style.dim(&format!("{action}: {}", jids.join(", "))),
        },
        Report::Stanza { xml } => style.dim(&format!("« {xml}")),
        Report::Xml { direction, xml } => {
            let arrow = if *direction == "in" { "«" } else { "»" };
            style.dim(&format!("{arrow} {xml}"))
        }
        Report::Iq { from, kind, xml } => {
            let from = from.as_deref().unwrap_or("server");
            format!("{kind} from {from}: {xml}")
        }
        Report::Help { commands } => {
            let width = commands.iter().map(|(u, _)| u.len()).max().unwrap_or(0);
            let mut lines: Vec<String> = commands
                .iter()
                .map(|(usage, summary)| format!("  {usage:width$}  {}", style.dim(summary)))
                .collect();
            lines.push(
                style.dim("Arguments are separated by commas; write \\, for a comma inside one."),
            );
            lines.join("\n")
        }
        Report::Result { command, ok, error } => match (ok, error) {
            (true, _) => style.green(&format!("ok {command}")),
            (false, Some(error)) => style.red(&format!("error: {error}")),
            (false, None) => style.red(&format!("error: {command} failed")),
        },
        Report::Error { kind, message } => style.red(&format!("{kind} error: {message}")),
    }
}

fn show_words(show: &str) -> &str {
    match show {
        "chat" => "free for chat",
        "away" => "away",
        "xa" => "away for a while",
        "dnd" => "busy (do not disturb)",
        other => other,
    }
}

fn message_text(m: &MessageReport, style: Style) -> String {
    let mut text = String::new();
    if let Some(stamp) = &m.stamp {
        text.push_str(&style.dim(&format!("[{stamp}] ")));
    }
    if m.delivery == "carbon" {
        text.push_str(&style.dim("(carbon) "));
    }
    text.push_str(&style.bold(&m.from));
    if let Some(to) = m.to.as_ref().filter(|_| m.delivery == "carbon") {
        text.push_str(&format!(" → {to}"));
    }
    if let Some(thread) = &m.thread {
        text.push_str(&style.dim(&format!(" (thread {thread})")));
    }
    text.push(':');
    if let Some(subject) = &m.subject {
        text.push_str(&format!(" [{subject}]"));
    }
    if let Some(body) = &m.body {
        text.push(' ');
        text.push_str(body);
    }
    if let Some(lang) = m.lang.as_ref().filter(|_| m.lang_marked) {
        text.push_str(&style.dim(&format!(" ({lang})")));
    }
    text
}

fn roster_text(items: &[RosterEntry], style: Style) -> String {
    let mut lines = vec![format!(
        "roster: {} contact{}",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    )];
    for item in items {
        let mut line = format!("  {}", style.bold(&item.jid));
        if let Some(name) = &item.name {
            line.push_str(&format!(" \"{name}\""));
        }
        if !item.groups.is_empty() {
            line.push_str(&format!(" [{}]", item.groups.join(", ")));
        }
        line.push_str(&style.dim(&format!(" subscription: {}", item.subscription)));
        if item.ask.is_some() {
            line.push_str(&style.dim(" (request pending)"));
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn who_text(contacts: &[ContactEntry], style: Style) -> String {
    if contacts.is_empty() {
        return "no contacts".to_owned();
    }
    let mut lines = Vec::new();
    for contact in contacts {
        let mut name = style.bold(&contact.jid);
        if let Some(n) = &contact.name {
            name.push_str(&format!(" \"{n}\""));
        }
        if contact.resources.is_empty() {
            lines.push(format!("  {name} {}", style.dim("offline")));
        }
        for r in &contact.resources {
            let show = r.show.map(show_words).unwrap_or("available");
            let mut line = format!("  {name}/{} {show}", r.resource);
            if let Some(status) = &r.status {
                line.push_str(&format!(" ({status})"));
            }
            line.push_str(&style.dim(&format!(" [priority {}]", r.priority)));
            lines.push(line);
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { colour: false };

    #[test]
    fn lines_for_people() {
        let message = Report::Message(Box::new(MessageReport {
            from: "romeo@example.net/orchard".into(),
            to: None,
            kind: "chat",
            body: Some("Hi".into()),
            lang: Some("en".into()),
            lang_marked: true,
            subject: Some("Balcony".into()),
            thread: None,
            id: None,
            delivery: "live",
            stamp: None,
        }));
        assert_eq!(
            to_text(&message, PLAIN),
            "romeo@example.net/orchard: [Balcony] Hi (en)"
        );
        assert_eq!(
            to_text(&Report::result("chat", Err("bad".into())), PLAIN),
            "error: bad"
        );
        assert_eq!(to_text(&Report::result("add", Ok(())), PLAIN), "ok add");
    }

    #[test]
    fn colour_only_when_asked() {
        let report = Report::result("add", Ok(()));
        assert!(!to_text(&report, PLAIN).contains('\x1b'));
        assert!(to_text(&report, Style { colour: true }).contains("\x1b[32m"));
    }
}
