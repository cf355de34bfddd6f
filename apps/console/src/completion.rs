//! Tab completion: command names, then roster JIDs where a command takes a JID.

use openxmpp::Client;
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::commands::spec::COMMANDS;

/// Commands whose first argument is a contact's JID.
const TAKES_JID: &[&str] = &[
    "add",
    "delete",
    "subscribe",
    "approve",
    "deny",
    "chat",
    "chats",
    "thread",
    "direct",
    "history",
    "block",
    "unblock",
];

/// What to complete at `pos` in `line`, given the roster's JIDs: where the word starts and
/// the candidates.
pub(crate) fn candidates(line: &str, pos: usize, jids: &[String]) -> (usize, Vec<String>) {
    let before = line.get(..pos).unwrap_or(line);
    let start = before.len() - before.trim_start().len();
    let typed = &before[start..];
    let Some(space) = typed.find(char::is_whitespace) else {
        let names = COMMANDS
            .iter()
            .filter(|spec| spec.name.starts_with(typed))
            .map(|spec| {
                let mut name = spec.name.to_owned();
                if spec.max > 0 {
                    name.push(' ');
                }
                name
            })
            .collect();
        return (start, names);
    };
    let command = &typed[..space];
    let rest = &typed[space..];
    if rest.contains(',') {
        return (pos, Vec::new());
    }
    let word_start = start + space + (rest.len() - rest.trim_start().len());
    let word = &before[word_start..];
    let pool: Vec<String> = if command == "help" {
        COMMANDS.iter().map(|spec| spec.name.to_owned()).collect()
    } else if TAKES_JID.contains(&command) {
        jids.to_vec()
    } else {
        Vec::new()
    };
    let found = pool.into_iter().filter(|c| c.starts_with(word)).collect();
    (word_start, found)
}

/// The line editor's helper: completes from the command table and the live roster.
pub(crate) struct ConsoleHelper {
    /// The client, for the roster.
    pub(crate) client: Client,
}

impl Completer for ConsoleHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let jids: Vec<String> = self
            .client
            .roster()
            .items()
            .into_iter()
            .map(|item| item.jid.to_string())
            .collect();
        Ok(candidates(line, pos, &jids))
    }
}

impl Hinter for ConsoleHelper {
    type Hint = String;
}

impl Highlighter for ConsoleHelper {}

impl Validator for ConsoleHelper {}

impl Helper for ConsoleHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn jids() -> Vec<String> {
        vec!["romeo@example.net".into(), "rosaline@example.net".into()]
    }

    #[test]
    fn command_names_first() {
        assert_eq!(candidates("ro", 2, &jids()), (0, vec!["roster".into()]));
        assert_eq!(candidates("  ch", 4, &jids()).1, ["chat ", "chats "]);
        assert!(candidates("", 0, &jids()).1.len() == COMMANDS.len());
    }

    #[test]
    fn then_roster_jids() {
        assert_eq!(
            candidates("chat ro", 7, &jids()),
            (
                5,
                vec!["romeo@example.net".into(), "rosaline@example.net".into()]
            )
        );
        assert_eq!(
            candidates("chat  rom", 9, &jids()),
            (6, vec!["romeo@example.net".into()])
        );
        assert_eq!(
            candidates("chat romeo@example.net, he", 26, &jids())
                .1
                .len(),
            0
        );
        assert_eq!(candidates("who ", 4, &jids()).1.len(), 0);
        assert_eq!(
            candidates("help ro", 7, &jids()),
            (5, vec!["roster".into()])
        );
    }
}
