//! What the user can type: a line becomes a typed [`Command`], or a one-line [`ParseError`].
//!
//! ```text
//! chat romeo@example.net, Hello\, Romeo, en
//! ```
//! is `chat` with the arguments `romeo@example.net`, `Hello, Romeo` and `en`.

mod error;
mod parse;
pub(crate) mod spec;
mod split;

pub(crate) use error::ParseError;
pub(crate) use parse::parse;

use openxmpp::stanza::{Show, Stanza};
use openxmpp::{BareJid, FullJid, Jid};

/// How available to be, as typed in `presence` and `direct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Availability {
    /// Available, with an optional `<show/>`.
    Available(Option<Show>),
    /// Unavailable.
    Unavailable,
}

/// A command, with its arguments checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Show the roster.
    Roster,
    /// Add or rename a contact.
    Add {
        /// The contact.
        jid: BareJid,
        /// Its name.
        name: String,
        /// Its group.
        group: Option<String>,
    },
    /// Remove a contact.
    Delete {
        /// The contact.
        jid: BareJid,
    },
    /// Ask for a contact's presence.
    Subscribe {
        /// The contact.
        jid: BareJid,
    },
    /// Let a contact see our presence.
    Approve {
        /// The contact.
        jid: BareJid,
    },
    /// Refuse a contact's request.
    Deny {
        /// The contact.
        jid: BareJid,
    },
    /// Contacts' presence by resource.
    Who,
    /// A chat message (`chat`, `chats`, `thread`).
    Chat {
        /// The recipient: a bare JID goes where the conversation is locked, a full JID there.
        to: Jid,
        /// The body.
        body: String,
        /// The body's language.
        body_lang: Option<String>,
        /// A subject, with its language.
        subject: Option<(String, Option<String>)>,
        /// A thread.
        thread: Option<String>,
    },
    /// Our broadcast presence.
    Presence {
        /// How available.
        availability: Availability,
        /// A status text.
        status: Option<String>,
        /// Its language.
        lang: Option<String>,
    },
    /// Presence to one entity.
    Direct {
        /// The recipient.
        to: Jid,
        /// How available.
        availability: Availability,
        /// A status text.
        status: Option<String>,
    },
    /// Join a room as a nickname.
    Join {
        /// `room@service/nick`.
        occupant: FullJid,
    },
    /// Say something in a room.
    Say {
        /// The room.
        room: BareJid,
        /// The text.
        body: String,
    },
    /// Leave a room.
    Leave {
        /// The room.
        room: BareJid,
    },
    /// The last messages with a contact from the archive.
    History {
        /// The contact.
        with: BareJid,
        /// How many.
        count: usize,
    },
    /// Block a JID.
    Block {
        /// The JID.
        jid: Jid,
    },
    /// Unblock a JID.
    Unblock {
        /// The JID.
        jid: Jid,
    },
    /// Change the password.
    Passwd,
    /// Send one stanza as written.
    Raw {
        /// The stanza.
        stanza: Box<Stanza>,
    },
    /// Show the XML of stanzas, or stop.
    Xml {
        /// Whether to show it.
        on: bool,
    },
    /// Help on every command or one.
    Help {
        /// The command asked about.
        topic: Option<String>,
    },
    /// Sign out and quit.
    Exit,
}

/// How many archived messages `history` shows without a count.
pub(crate) const DEFAULT_HISTORY: usize = 20;
/// The most `history` shows at once.
pub(crate) const MAX_HISTORY: usize = 1000;
