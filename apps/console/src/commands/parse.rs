//! From a line to a [`Command`].

use openxmpp::core::xml::parse_element;
use openxmpp::stanza::{Show, Stanza};
use openxmpp::{BareJid, Jid};

use super::spec::{self, Spec};
use super::split::{arguments, command_word};
use super::{Availability, Command, DEFAULT_HISTORY, MAX_HISTORY, ParseError};

/// Parses one line; `None` for a blank line or a `#` comment.
pub(crate) fn parse(line: &str) -> Option<Result<Command, ParseError>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    if line.starts_with('<') {
        return Some(raw(line));
    }
    let (word, rest) = command_word(line);
    let Some(spec) = spec::find(word) else {
        return Some(Err(ParseError::Unknown {
            word: word.to_owned(),
        }));
    };
    if spec.name == "raw" {
        return Some(if rest.is_empty() {
            Err(arity(spec, 0))
        } else {
            raw(rest)
        });
    }
    let args = arguments(rest, if spec.rest { spec.max } else { usize::MAX });
    if args.len() < spec.min || args.len() > spec.max {
        return Some(Err(arity(spec, args.len())));
    }
    Some(build(spec, Args::new(spec.name, args)))
}

/// The arguments of one command, taken in order.
struct Args {
    command: &'static str,
    values: std::vec::IntoIter<String>,
}

impl Args {
    fn new(command: &'static str, values: Vec<String>) -> Self {
        Args {
            command,
            values: values.into_iter(),
        }
    }

    /// The next argument; empty when there are no more (the arity was checked).
    fn text(&mut self) -> String {
        self.values.next().unwrap_or_default()
    }

    /// The next argument if given and not empty.
    fn optional(&mut self) -> Option<String> {
        self.values.next().filter(|v| !v.is_empty())
    }

    fn jid(&mut self) -> Result<Jid, ParseError> {
        let value = self.text();
        value.parse().map_err(|source| ParseError::Jid {
            command: self.command,
            value,
            source,
        })
    }

    fn bare(&mut self) -> Result<BareJid, ParseError> {
        let jid = self.jid()?;
        match jid {
            Jid::Bare(bare) => Ok(bare),
            Jid::Full(full) => Err(ParseError::NotBare {
                command: self.command,
                value: full.to_string(),
            }),
        }
    }

    fn contact(&mut self) -> Result<BareJid, ParseError> {
        let jid = self.bare()?;
        if jid.local().is_none() {
            return Err(ParseError::JidShape {
                command: self.command,
                value: jid.to_string(),
                what: "has no user part (user@domain)",
            });
        }
        Ok(jid)
    }

    fn lang(&mut self) -> Result<Option<String>, ParseError> {
        match self.optional() {
            Some(tag) if is_language_tag(&tag) => Ok(Some(tag)),
            Some(tag) => Err(ParseError::Value {
                command: self.command,
                value: tag,
                expected: "a language tag like en or de-CH (write \\, for a comma in text)",
            }),
            None => Ok(None),
        }
    }

    fn availability(&mut self) -> Result<Availability, ParseError> {
        let value = self.text();
        Ok(match value.as_str() {
            "available" | "online" => Availability::Available(None),
            "unavailable" | "offline" => Availability::Unavailable,
            other => match Show::from_name(other) {
                Some(show) => Availability::Available(Some(show)),
                None => {
                    return Err(ParseError::Value {
                        command: self.command,
                        value,
                        expected: "available, chat, away, xa, dnd or unavailable",
                    });
                }
            },
        })
    }
}

fn build(spec: &'static Spec, mut args: Args) -> Result<Command, ParseError> {
    let command = spec.name;
    Ok(match command {
        "roster" => Command::Roster,
        "who" => Command::Who,
        "passwd" => Command::Passwd,
        "exit" => Command::Exit,
        "add" => Command::Add {
            jid: args.contact()?,
            name: args.text(),
            group: args.optional(),
        },
        "delete" => Command::Delete {
            jid: args.contact()?,
        },
        "subscribe" => Command::Subscribe {
            jid: args.contact()?,
        },
        "approve" => Command::Approve {
            jid: args.contact()?,
        },
        "deny" => Command::Deny {
            jid: args.contact()?,
        },
        "chat" => Command::Chat {
            to: args.jid()?,
            body: args.text(),
            body_lang: args.lang()?,
            subject: None,
            thread: None,
        },
        "chats" => {
            let to = args.jid()?;
            let subject = args.text();
            let body = args.text();
            let subject_lang = args.lang()?;
            let body_lang = args.lang()?;
            Command::Chat {
                to,
                body,
                body_lang,
                subject: Some((subject, subject_lang)),
                thread: None,
            }
        }
        "thread" => {
            let to = args.jid()?;
            let thread = args.text();
            if thread.is_empty() {
                return Err(value(command, thread, "a thread id"));
            }
            Command::Chat {
                to,
                thread: Some(thread),
                body: args.text(),
                body_lang: None,
                subject: None,
            }
        }
        "presence" => Command::Presence {
            availability: args.availability()?,
            status: args.optional(),
            lang: args.lang()?,
        },
        "direct" => Command::Direct {
            to: args.jid()?,
            availability: args.availability()?,
            status: args.optional(),
        },
        "join" => {
            let jid = args.jid()?;
            let occupant = match jid {
                Jid::Full(full) if full.local().is_some() => full,
                other => {
                    return Err(ParseError::JidShape {
                        command,
                        value: other.to_string(),
                        what: "is not room@service/nick",
                    });
                }
            };
            Command::Join { occupant }
        }
        "say" => Command::Say {
            room: args.contact()?,
            body: args.text(),
        },
        "leave" => Command::Leave {
            room: args.contact()?,
        },
        "history" => {
            let with = args.bare()?;
            let count = match args.optional() {
                None => DEFAULT_HISTORY,
                Some(n) => match n.parse::<usize>() {
                    Ok(count) if (1..=MAX_HISTORY).contains(&count) => count,
                    _ => return Err(value(command, n, "a count from 1 to 1000")),
                },
            };
            Command::History { with, count }
        }
        "block" => Command::Block { jid: args.jid()? },
        "unblock" => Command::Unblock { jid: args.jid()? },
        "xml" => match args.text().as_str() {
            "on" => Command::Xml { on: true },
            "off" => Command::Xml { on: false },
            other => return Err(value(command, other.to_owned(), "on or off")),
        },
        "help" => {
            let topic = args.optional();
            if let Some(topic) = &topic
                && spec::find(topic).is_none()
            {
                return Err(ParseError::Unknown {
                    word: topic.clone(),
                });
            }
            Command::Help { topic }
        }
        other => {
            return Err(ParseError::Unknown {
                word: other.to_owned(),
            });
        }
    })
}

fn value(command: &'static str, value: String, expected: &'static str) -> ParseError {
    ParseError::Value {
        command,
        value,
        expected,
    }
}

fn arity(spec: &'static Spec, given: usize) -> ParseError {
    let expected = match (spec.min, spec.max) {
        (0, 0) => "no arguments".to_owned(),
        (min, max) if min == max => format!("{min} argument{}", if min == 1 { "" } else { "s" }),
        (min, max) => format!("{min} to {max} arguments"),
    };
    ParseError::Arity {
        command: spec.name,
        expected,
        given,
        usage: spec.usage,
    }
}

/// Checks raw XML: exactly one well-formed element, and a valid stanza.
fn raw(xml: &str) -> Result<Command, ParseError> {
    let element = parse_element(xml).map_err(ParseError::Xml)?;
    if !Stanza::is_stanza(&element) {
        return Err(ParseError::NotStanza {
            name: element.name().to_owned(),
            ns: element.ns().to_owned(),
        });
    }
    let stanza = Stanza::try_from(element).map_err(ParseError::Stanza)?;
    Ok(Command::Raw {
        stanza: Box::new(stanza),
    })
}

/// A language tag as people type them (RFC 5646, loosely): a primary subtag of 2 or 3
/// letters, then subtags of 1 to 8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary_ok = subtags
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use openxmpp::stanza::MessageType;

    use super::*;

    fn ok(line: &str) -> Command {
        match parse(line) {
            Some(Ok(command)) => command,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn err(line: &str) -> String {
        match parse(line) {
            Some(Err(e)) => e.to_string(),
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn jid(s: &str) -> BareJid {
        s.parse().unwrap()
    }

    fn occupant(s: &str) -> openxmpp::FullJid {
        s.parse().unwrap()
    }

    #[test]
    fn blank_lines_and_comments_are_nothing() {
        assert!(parse("").is_none());
        assert!(parse("   ").is_none());
        assert!(parse("# a comment").is_none());
    }

    #[test]
    fn the_original_commands() {
        assert_eq!(ok("roster"), Command::Roster);
        assert_eq!(
            ok("add romeo@example.net, Romeo, Friends"),
            Command::Add {
                jid: jid("romeo@example.net"),
                name: "Romeo".into(),
                group: Some("Friends".into())
            }
        );
        assert_eq!(
            ok("add romeo@example.net, Romeo"),
            Command::Add {
                jid: jid("romeo@example.net"),
                name: "Romeo".into(),
                group: None
            }
        );
        assert_eq!(
            ok("delete romeo@example.net"),
            Command::Delete {
                jid: jid("romeo@example.net")
            }
        );
        assert_eq!(
            ok("chat romeo@example.net, Hello\\, Romeo, en"),
            Command::Chat {
                to: "romeo@example.net".parse().unwrap(),
                body: "Hello, Romeo".into(),
                body_lang: Some("en".into()),
                subject: None,
                thread: None,
            }
        );
        assert_eq!(
            ok("chats romeo@example.net, Balcony, Come up, en, de"),
            Command::Chat {
                to: "romeo@example.net".parse().unwrap(),
                body: "Come up".into(),
                body_lang: Some("de".into()),
                subject: Some(("Balcony".into(), Some("en".into()))),
                thread: None,
            }
        );
        assert_eq!(
            ok("presence away, at the balcony, en"),
            Command::Presence {
                availability: Availability::Available(Some(Show::Away)),
                status: Some("at the balcony".into()),
                lang: Some("en".into()),
            }
        );
        assert_eq!(
            ok("presence available"),
            Command::Presence {
                availability: Availability::Available(None),
                status: None,
                lang: None,
            }
        );
        assert_eq!(ok("exit"), Command::Exit);
    }

    #[test]
    fn the_newer_commands() {
        assert_eq!(
            ok("subscribe romeo@example.net"),
            Command::Subscribe {
                jid: jid("romeo@example.net")
            }
        );
        assert_eq!(ok("who"), Command::Who);
        assert_eq!(
            ok("thread romeo@example.net/orchard, t1, Hi, there"),
            Command::Chat {
                to: "romeo@example.net/orchard".parse().unwrap(),
                body: "Hi, there".into(),
                body_lang: None,
                subject: None,
                thread: Some("t1".into()),
            }
        );
        assert_eq!(
            ok("direct romeo@example.net, unavailable"),
            Command::Direct {
                to: "romeo@example.net".parse().unwrap(),
                availability: Availability::Unavailable,
                status: None,
            }
        );
        assert_eq!(
            ok("join room@conference.example.com/juliet"),
            Command::Join {
                occupant: occupant("room@conference.example.com/juliet")
            }
        );
        assert_eq!(
            ok("say room@conference.example.com, Hello, all"),
            Command::Say {
                room: jid("room@conference.example.com"),
                body: "Hello, all".into()
            }
        );
        assert_eq!(
            ok("history romeo@example.net, 5"),
            Command::History {
                with: jid("romeo@example.net"),
                count: 5
            }
        );
        assert_eq!(
            ok("history romeo@example.net"),
            Command::History {
                with: jid("romeo@example.net"),
                count: DEFAULT_HISTORY
            }
        );
        assert_eq!(
            ok("block spam.example.org"),
            Command::Block {
                jid: "spam.example.org".parse().unwrap()
            }
        );
        assert_eq!(ok("xml on"), Command::Xml { on: true });
        assert_eq!(
            ok("help chat"),
            Command::Help {
                topic: Some("chat".into())
            }
        );
        assert_eq!(ok("passwd"), Command::Passwd);
    }

    #[test]
    fn raw_xml_must_be_one_stanza() {
        let Command::Raw { stanza } = ok("<message to='a@b' type='chat'><body>x</body></message>")
        else {
            panic!()
        };
        assert!(matches!(*stanza, Stanza::Message(ref m) if m.kind == MessageType::Chat));
        assert!(matches!(ok("raw <presence/>"), Command::Raw { .. }));
        assert!(err("<message>").contains("not one well-formed element"));
        assert!(err("<message/><message/>").contains("not one well-formed element"));
        assert!(err("raw <a xmlns='urn:x'/>").contains("is not a stanza"));
        assert!(err("<iq type='get'/>").contains("not a valid stanza"));
        assert!(err("raw").starts_with("raw takes 1 argument"));
    }

    #[test]
    fn bad_lines_get_one_line_errors() {
        for (line, expected) in [
            ("frobnicate x", "unknown command \"frobnicate\""),
            ("chat romeo@@example.net, hi", "is not a valid JID"),
            (
                "chat romeo@example.net",
                "chat takes 2 to 3 arguments, not 1",
            ),
            ("roster now", "roster takes no arguments, not 1"),
            ("delete a@b, c", "delete takes 1 argument, not 2"),
            ("delete romeo@example.net/orchard", "has a resource"),
            ("add example.net, Server", "has no user part"),
            (
                "chat romeo@example.net, Hello, world",
                "is not a language tag",
            ),
            ("presence sleepy", "is not available, chat"),
            (
                "join room@conference.example.com",
                "is not room@service/nick",
            ),
            ("history romeo@example.net, lots", "is not a count"),
            ("xml maybe", "is not on or off"),
            ("help nope", "unknown command \"nope\""),
            ("thread romeo@example.net, , hi", "is not a thread id"),
        ] {
            let message = err(line);
            assert!(message.contains(expected), "{line:?}: {message}");
            assert!(!message.contains('\n'), "{line:?}: {message}");
        }
    }

    #[test]
    fn language_tags() {
        for tag in ["en", "de-CH", "zh-Hant-TW", "sgn-x-private1"] {
            assert!(is_language_tag(tag), "{tag}");
        }
        for tag in ["", "world", "e", "en_US", "en-", "de-verylongsubtag", "1a"] {
            assert!(!is_language_tag(tag), "{tag}");
        }
    }
}
