//! What the console prints: one [`Report`] per event, as plain data. `output` turns a report
//! into a line of text or a JSON object; the field names here are the JSON field names.

/// A chat, normal or headline message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageReport {
    /// The sender's JID.
    pub(crate) from: String,
    /// The recipient's JID, when the message says.
    pub(crate) to: Option<String>,
    /// `chat`, `normal`, `headline` or `groupchat`.
    pub(crate) kind: &'static str,
    /// The body.
    pub(crate) body: Option<String>,
    /// The body's language.
    pub(crate) lang: Option<String>,
    /// Whether the body carried its own `xml:lang` (rather than the stanza's or stream's).
    pub(crate) lang_marked: bool,
    /// The subject.
    pub(crate) subject: Option<String>,
    /// The thread id.
    pub(crate) thread: Option<String>,
    /// The sender's id for it.
    pub(crate) id: Option<String>,
    /// `live`, `carbon`, `delayed` or `archive`.
    pub(crate) delivery: &'static str,
    /// When it was sent, if it says (RFC 3339).
    pub(crate) stamp: Option<String>,
}

/// One roster item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RosterEntry {
    /// The contact.
    pub(crate) jid: String,
    /// Its name.
    pub(crate) name: Option<String>,
    /// Its groups.
    pub(crate) groups: Vec<String>,
    /// `none`, `to`, `from` or `both`.
    pub(crate) subscription: &'static str,
    /// `subscribe` while our request is pending.
    pub(crate) ask: Option<&'static str>,
}

/// One online resource of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceEntry {
    /// The resource ("" for presence from the bare JID).
    pub(crate) resource: String,
    /// The `<show/>` value, if any.
    pub(crate) show: Option<&'static str>,
    /// The status text.
    pub(crate) status: Option<String>,
    /// The priority.
    pub(crate) priority: i8,
}

/// A contact and its online resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContactEntry {
    /// The contact.
    pub(crate) jid: String,
    /// Its name in the roster.
    pub(crate) name: Option<String>,
    /// Its online resources (empty: offline).
    pub(crate) resources: Vec<ResourceEntry>,
}

/// Something to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Report {
    /// The session's state changed: `online`, `reconnecting` or `offline`.
    State {
        /// The state.
        state: &'static str,
        /// Our full JID (when online).
        jid: Option<String>,
        /// The reconnection attempt (when reconnecting).
        attempt: Option<u32>,
        /// The wait before it, in milliseconds (when reconnecting).
        delay_ms: Option<u64>,
    },
    /// The account was created (`--register`).
    Registered {
        /// The account.
        jid: String,
    },
    /// A message.
    Message(Box<MessageReport>),
    /// A contact's resource came, changed or went.
    Presence {
        /// The full JID (or bare, for every resource).
        from: String,
        /// Whether it is available.
        available: bool,
        /// The `<show/>` value.
        show: Option<&'static str>,
        /// The status text.
        status: Option<String>,
        /// The priority.
        priority: i8,
    },
    /// A contact did something about a subscription.
    Subscription {
        /// The contact.
        from: String,
        /// `subscribe`, `subscribed`, `unsubscribe` or `unsubscribed`.
        kind: &'static str,
        /// The request's text.
        status: Option<String>,
    },
    /// The whole roster.
    Roster {
        /// Every item, ordered by JID.
        items: Vec<RosterEntry>,
    },
    /// Contacts' presence (`who`).
    Who {
        /// Every contact in the roster.
        contacts: Vec<ContactEntry>,
    },
    /// Something about a room we are in (XEP-0045).
    Room {
        /// The room.
        room: String,
        /// What happened: `joined`, `left`, `nick-changed`, `subject`, `destroyed`,
        /// `config-changed`, `privileges-changed`, `invited`, `invitation-declined`.
        action: &'static str,
        /// Our nickname, or the one concerned.
        nick: Option<String>,
        /// The subject, a reason or a status text.
        text: Option<String>,
    },
    /// An occupant of a room came, changed or went.
    Occupant {
        /// The room.
        room: String,
        /// Its nickname.
        nick: String,
        /// `joined`, `changed` or `left`.
        action: &'static str,
        /// Its role.
        role: Option<&'static str>,
        /// Its affiliation.
        affiliation: Option<&'static str>,
        /// Its real JID, where the room shows it.
        jid: Option<String>,
        /// Its `<show/>` value.
        show: Option<&'static str>,
        /// Its status text, or why it left.
        status: Option<String>,
    },
    /// A delivery receipt (XEP-0184).
    Receipt {
        /// Who received it.
        from: String,
        /// Our message's id.
        id: String,
    },
    /// A chat marker (XEP-0333).
    Marker {
        /// Who marked.
        from: String,
        /// `received`, `displayed` or `acknowledged`.
        marker: &'static str,
        /// The marked message's id.
        id: String,
    },
    /// A chat state (XEP-0085).
    ChatState {
        /// Who.
        from: String,
        /// `active`, `composing`, `paused`, `inactive` or `gone`.
        state: &'static str,
    },
    /// The blocklist changed (XEP-0191).
    Blocklist {
        /// `loaded`, `blocked`, `unblocked` or `unblocked-all`.
        action: &'static str,
        /// The JIDs concerned.
        jids: Vec<String>,
    },
    /// A stanza nothing else reported, as XML.
    Stanza {
        /// The XML.
        xml: String,
    },
    /// The XML of a stanza sent or received (`xml on`).
    Xml {
        /// `in` or `out`.
        direction: &'static str,
        /// The XML.
        xml: String,
    },
    /// The response to an IQ sent with `raw`.
    Iq {
        /// Who answered.
        from: Option<String>,
        /// `result` or `error`.
        kind: &'static str,
        /// The XML.
        xml: String,
    },
    /// Help: usage and summary of one or every command.
    Help {
        /// (usage, summary) pairs.
        commands: Vec<(&'static str, &'static str)>,
    },
    /// The outcome of a command (after every command).
    Result {
        /// The command word.
        command: String,
        /// Whether it worked.
        ok: bool,
        /// Why not.
        error: Option<String>,
    },
    /// Something went wrong outside a command.
    Error {
        /// What kind of thing (see the README).
        kind: &'static str,
        /// What happened.
        message: String,
    },
}

impl Report {
    /// The outcome of `command`.
    pub(crate) fn result(command: impl Into<String>, outcome: Result<(), String>) -> Report {
        let (ok, error) = match outcome {
            Ok(()) => (true, None),
            Err(e) => (false, Some(e)),
        };
        Report::Result {
            command: command.into(),
            ok,
            error,
        }
    }

    /// An error event.
    pub(crate) fn error(kind: &'static str, message: impl Into<String>) -> Report {
        Report::Error {
            kind,
            message: message.into(),
        }
    }
}
