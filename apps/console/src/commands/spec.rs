//! The command table: names, argument counts, usage and help. The parser, `help` and tab
//! completion all read it, so they cannot disagree.

/// One command as the user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The command word.
    pub(crate) name: &'static str,
    /// How it is written.
    pub(crate) usage: &'static str,
    /// What it does.
    pub(crate) summary: &'static str,
    /// The fewest comma-separated arguments.
    pub(crate) min: usize,
    /// The most.
    pub(crate) max: usize,
    /// Whether the last argument is free text that takes the rest of the line, commas
    /// included (elsewhere a comma inside an argument is written `\,`).
    pub(crate) rest: bool,
}

const fn spec(
    name: &'static str,
    usage: &'static str,
    summary: &'static str,
    min: usize,
    max: usize,
) -> Spec {
    Spec {
        name,
        usage,
        summary,
        min,
        max,
        rest: false,
    }
}

/// A command whose last argument takes the rest of the line.
const fn text_last(spec: Spec) -> Spec {
    Spec { rest: true, ..spec }
}

/// Every command, in the order `help` lists them.
pub(crate) const COMMANDS: &[Spec] = &[
    spec("roster", "roster", "show the roster", 0, 0),
    spec(
        "add",
        "add <jid>, <name> [, <group>]",
        "add or rename a contact",
        2,
        3,
    ),
    spec(
        "delete",
        "delete <jid>",
        "remove a contact from the roster",
        1,
        1,
    ),
    spec(
        "subscribe",
        "subscribe <jid>",
        "ask to see a contact's presence",
        1,
        1,
    ),
    spec(
        "approve",
        "approve <jid>",
        "let a contact see your presence",
        1,
        1,
    ),
    spec(
        "deny",
        "deny <jid>",
        "refuse a contact's subscription request",
        1,
        1,
    ),
    spec("who", "who", "contacts' presence, by resource", 0, 0),
    spec(
        "chat",
        "chat <jid>, <body> [, <lang>]",
        "send a chat message",
        2,
        3,
    ),
    spec(
        "chats",
        "chats <jid>, <subject>, <body> [, <subject lang>] [, <body lang>]",
        "send a chat message with a subject",
        3,
        5,
    ),
    text_last(spec(
        "thread",
        "thread <jid>, <thread id>, <body>",
        "send a chat message in a thread",
        3,
        3,
    )),
    spec(
        "presence",
        "presence <show> [, <status>, <lang>]",
        "set your presence: available, chat, away, xa, dnd or unavailable",
        1,
        3,
    ),
    text_last(spec(
        "direct",
        "direct <jid>, <show> [, <status>]",
        "send presence to one contact only",
        2,
        3,
    )),
    spec(
        "join",
        "join <room>/<nick>",
        "join a multi-user chat room",
        1,
        1,
    ),
    text_last(spec(
        "say",
        "say <room>, <body>",
        "send a message to a room",
        2,
        2,
    )),
    spec("leave", "leave <room>", "leave a room", 1, 1),
    spec(
        "history",
        "history <jid> [, <count>]",
        "the last messages with a contact, from the server's archive",
        1,
        2,
    ),
    spec("block", "block <jid>", "block a JID", 1, 1),
    spec("unblock", "unblock <jid>", "unblock a JID", 1, 1),
    spec("passwd", "passwd", "change your password", 0, 0),
    spec(
        "raw",
        "raw <xml>",
        "send one stanza as written (a line starting with < does too)",
        1,
        1,
    ),
    spec(
        "xml",
        "xml on|off",
        "show the XML of stanzas sent and received",
        1,
        1,
    ),
    spec(
        "help",
        "help [<command>]",
        "list commands, or explain one",
        0,
        1,
    ),
    spec("exit", "exit", "sign out and quit", 0, 0),
];

/// The command called `name`.
pub(crate) fn find(name: &str) -> Option<&'static Spec> {
    COMMANDS.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_usages_start_with_them() {
        for (i, spec) in COMMANDS.iter().enumerate() {
            assert!(spec.usage.starts_with(spec.name), "{}", spec.name);
            assert!(spec.min <= spec.max, "{}", spec.name);
            assert!(COMMANDS[i + 1..].iter().all(|s| s.name != spec.name));
        }
        assert_eq!(find("chat").map(|s| s.max), Some(3));
        assert_eq!(find("nope"), None);
        let free_text: Vec<_> = COMMANDS.iter().filter(|s| s.rest).map(|s| s.name).collect();
        assert_eq!(free_text, ["thread", "direct", "say"]);
    }
}
