//! Why a line is not a command: one line each, naming the command and the culprit.

use openxmpp::core::xml::FragmentError;
use openxmpp::jid::JidError;
use openxmpp::stanza::StanzaParseError;

/// A line that is not a valid command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ParseError {
    /// No such command.
    #[error("unknown command {word:?} (type help for the list)")]
    Unknown {
        /// The word typed.
        word: String,
    },
    /// Too few or too many arguments.
    #[error("{command} takes {expected}, not {given}: {usage}")]
    Arity {
        /// The command.
        command: &'static str,
        /// How many it takes, in words.
        expected: String,
        /// How many were given.
        given: usize,
        /// How it is written.
        usage: &'static str,
    },
    /// A JID that does not parse.
    #[error("{command}: {value:?} is not a valid JID: {source}")]
    Jid {
        /// The command.
        command: &'static str,
        /// What was typed.
        value: String,
        /// Why.
        source: JidError,
    },
    /// A full JID where a bare one is needed.
    #[error("{command}: {value:?} has a resource; give the bare JID (user@domain)")]
    NotBare {
        /// The command.
        command: &'static str,
        /// What was typed.
        value: String,
    },
    /// A JID without the part the command needs.
    #[error("{command}: {value:?} {what}")]
    JidShape {
        /// The command.
        command: &'static str,
        /// What was typed.
        value: String,
        /// What is wrong with it.
        what: &'static str,
    },
    /// An argument with a value the command does not know.
    #[error("{command}: {value:?} is not {expected}")]
    Value {
        /// The command.
        command: &'static str,
        /// What was typed.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// Raw XML that is not well-formed, or not one element.
    #[error("raw: not one well-formed element: {0}")]
    Xml(FragmentError),
    /// Raw XML that is one element but not a valid stanza.
    #[error("raw: not a valid stanza: {0}")]
    Stanza(StanzaParseError),
    /// Raw XML that is one element but not a stanza at all.
    #[error(
        "raw: <{name} xmlns='{ns}'> is not a stanza (message, presence or iq in jabber:client)"
    )]
    NotStanza {
        /// Its name.
        name: String,
        /// Its namespace.
        ns: String,
    },
}

impl ParseError {
    /// The command word the error is about, for the `result` event.
    pub(crate) fn command(&self) -> &str {
        match self {
            ParseError::Unknown { word } => word,
            ParseError::Arity { command, .. }
            | ParseError::Jid { command, .. }
            | ParseError::NotBare { command, .. }
            | ParseError::JidShape { command, .. }
            | ParseError::Value { command, .. } => command,
            ParseError::Xml(_) | ParseError::Stanza(_) | ParseError::NotStanza { .. } => "raw",
        }
    }
}
