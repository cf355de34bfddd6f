//! A signed-in account: the client's events applied to the roster, conversations, rooms and
//! requests, and what the app must do in return ([`Effect`]s) — all without the GUI, so the
//! rules are tested with plain events.

use std::collections::{HashMap, VecDeque};

use openxmpp::im::chat_states::ChatState;
use openxmpp::im::chats::Direction;
use openxmpp::im::mam::ArchivedMessage;
use openxmpp::im::markers::Marker;
use openxmpp::im::roster::RosterEvent;
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::{BareJid, Event, ImEvent};

use super::conversation::{ChatLine, Conversations, DeliveryState, IncomingLine};
use super::errors;
use super::presence::MyPresence;
use super::rooms::{RoomOutcome, Rooms};
use super::roster::RosterView;
use crate::net::{Command, Outcome};
use crate::store::History;

/// How many lines of history a conversation shows when opened (more on request).
pub const HISTORY_PAGE: usize = 200;

/// How far back the archive is asked when there is no history yet: a week.
const FIRST_CATCH_UP_MS: i64 = 7 * 86_400_000;

/// After this long without typing, "composing" becomes "paused" (XEP-0085 suggests 30 s;
/// 5 s matches what people expect from the indicator).
const PAUSED_AFTER_MS: i64 = 5_000;

/// At most this many subscription requests are listed (a flood of them is dropped).
const MAX_REQUESTS: usize = 500;

/// The connection as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Signing in.
    Connecting,
    /// Online as this full JID.
    Online {
        /// The bound JID.
        jid: String,
    },
    /// The connection was lost; the client tries again.
    Reconnecting {
        /// Which attempt is next.
        attempt: u32,
        /// In how many seconds (counted down by [`AccountState::tick`]).
        in_secs: u64,
        /// When, in Unix milliseconds.
        retry_at_ms: i64,
        /// Why the connection was lost.
        error: Option<String>,
    },
    /// Not connected.
    Offline {
        /// Why, when it was not by choice.
        error: Option<String>,
    },
}

impl ConnectionStatus {
    /// Whether stanzas can be sent now.
    pub fn is_online(&self) -> bool {
        matches!(self, ConnectionStatus::Online { .. })
    }

    /// The words for it.
    pub fn label(&self) -> String {
        match self {
            ConnectionStatus::Connecting => "Connecting…".to_owned(),
            ConnectionStatus::Online { .. } => "Online".to_owned(),
            ConnectionStatus::Reconnecting {
                attempt, in_secs, ..
            } => {
                if *in_secs == 0 {
                    format!("Connection lost — reconnecting (attempt {attempt})…")
                } else {
                    format!("Connection lost — reconnecting in {in_secs} s (attempt {attempt})")
                }
            }
            ConnectionStatus::Offline { error: None } => "Offline".to_owned(),
            ConnectionStatus::Offline { error: Some(e) } => format!("Offline — {e}"),
        }
    }
}

/// An incoming subscription request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who asks.
    pub jid: BareJid,
    /// What they wrote.
    pub text: Option<String>,
}

/// What the app must do after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Have the client do this.
    Command(Command),
    /// A desktop notification, if the window is not focused and notifications are on.
    Notify {
        /// The title (who).
        title: String,
        /// The text.
        body: String,
    },
    /// Something to tell the user in the window.
    Notice(String),
    /// The roster was loaded: replace it with the client's items (and pending requests).
    ReloadRoster,
    /// New lines arrived in the conversation on screen: scroll down if the user is there.
    ScrollChat,
}

/// One of our messages waiting for the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// To whom.
    pub peer: BareJid,
    /// Its id.
    pub id: String,
    /// The text.
    pub body: String,
    /// The message it corrects.
    pub replaces: Option<String>,
}

/// What the user wants the account to do besides chatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preferences {
    /// Send typing notifications.
    pub send_typing: bool,
    /// Send read markers.
    pub send_read_markers: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            send_typing: true,
            send_read_markers: true,
        }
    }
}

/// Everything known about the signed-in account.
#[derive(Debug)]
pub struct AccountState {
    /// The account.
    pub jid: BareJid,
    /// The connection.
    pub status: ConnectionStatus,
    /// What we show our contacts.
    pub presence: MyPresence,
    /// Our status text.
    pub status_text: String,
    /// The contacts.
    pub roster: RosterView,
    /// The conversations.
    pub conversations: Conversations,
    /// The rooms.
    pub rooms: Rooms,
    /// Incoming subscription requests, oldest first.
    pub requests: Vec<Request>,
    /// Our messages waiting for the connection, oldest first.
    pub outbox: VecDeque<Queued>,
    /// The history database (none if it could not be opened).
    pub history: Option<History>,
    /// The conversation on screen.
    pub open_chat: Option<BareJid>,
    /// The room on screen.
    pub open_room: Option<BareJid>,
    /// Whether the window has the focus.
    pub focused: bool,
    /// Typing and marker preferences.
    pub preferences: Preferences,
    /// When we last typed in each conversation, while we are "composing".
    composing: HashMap<BareJid, i64>,
    /// The last message of each contact we marked displayed.
    marked: HashMap<BareJid, String>,
    id_prefix: String,
    next_id: u64,
}

impl AccountState {
    /// The state of `jid` right after signing in, with its history database.
    pub fn new(jid: BareJid, history: Option<History>) -> Self {
        let mut state = AccountState {
            jid,
            status: ConnectionStatus::Connecting,
            presence: MyPresence::Available,
            status_text: String::new(),
            roster: RosterView::new(),
            conversations: Conversations::new(),
            rooms: Rooms::new(),
            requests: Vec::new(),
            outbox: VecDeque::new(),
            history,
            open_chat: None,
            open_room: None,
            focused: true,
            preferences: Preferences::default(),
            composing: HashMap::new(),
            marked: HashMap::new(),
            id_prefix: super::account::short_random(),
            next_id: 0,
        };
        state.restore_queued();
        state
    }

    /// Puts messages left queued by the last run back in the outbox.
    fn restore_queued(&mut self) {
        let Some(history) = &self.history else { return };
        let queued = match history.queued() {
            Ok(q) => q,
            Err(e) => {
                tracing::warn!(%e, "cannot read queued messages");
                return;
            }
        };
        for (peer, mut line) in queued {
            let Some(id) = line.id.clone() else { continue };
            line.state = DeliveryState::Queued;
            self.outbox.push_back(Queued {
                peer: peer.clone(),
                id,
                body: line.body.clone(),
                replaces: None,
            });
            self.conversations.open(&peer).push(line);
        }
    }

    /// A fresh id for a message of ours.
    pub fn next_message_id(&mut self) -> String {
        self.next_id += 1;
        format!("andante-{}-{}", self.id_prefix, self.next_id)
    }

    fn store(&self, peer: &BareJid, line: &ChatLine) -> Option<i64> {
        let history = self.history.as_ref()?;
        match history.insert(peer, line) {
            Ok(row) => row,
            Err(e) => {
                tracing::warn!(%e, "cannot store a message");
                None
            }
        }
    }

    fn store_state(&self, peer: &BareJid, id: &str, state: DeliveryState) {
        if let Some(history) = &self.history
            && let Err(e) = history.set_state(peer, id, state)
        {
            tracing::warn!(%e, "cannot store a delivery state");
        }
    }

    fn looking_at(&self, peer: &BareJid) -> bool {
        self.focused && self.open_chat.as_ref() == Some(peer)
    }

    /// Applies one client event.
    pub fn handle(&mut self, event: Event, now_ms: i64) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::Online { jid, resumed, .. } => {
                self.status = ConnectionStatus::Online {
                    jid: jid.to_string(),
                };
                if !resumed {
                    self.roster.all_offline();
                    effects.push(Effect::ReloadRoster);
                    if self.presence != MyPresence::Available
                        && self.presence != MyPresence::Offline
                    {
                        effects.push(Effect::Command(Command::SetPresence {
                            presence: self.presence,
                            status: self.status_text.clone(),
                        }));
                    }
                    if let Some(history) = &self.history {
                        let since = match history.latest_received() {
                            Ok(Some(latest)) => latest.saturating_sub(1_000),
                            _ => now_ms - FIRST_CATCH_UP_MS,
                        };
                        effects.push(Effect::Command(Command::CatchUp { since_ms: since }));
                    }
                }
                effects.extend(self.flush_outbox());
            }
            Event::Reconnecting { attempt, delay } => {
                let error = match &self.status {
                    ConnectionStatus::Offline { error } => error.clone(),
                    ConnectionStatus::Reconnecting { error, .. } => error.clone(),
                    _ => None,
                };
                let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                self.status = ConnectionStatus::Reconnecting {
                    attempt,
                    in_secs: delay.as_secs(),
                    retry_at_ms: now_ms.saturating_add(delay_ms),
                    error,
                };
            }
            Event::Disconnected { error } => {
                self.status = ConnectionStatus::Offline {
                    error: error.as_ref().map(errors::connection),
                };
            }
            Event::StanzasMaybeLost { stanzas } => {
                let mut lost = 0;
                for stanza in &stanzas {
                    if let Some(id) = stanza.attr("id")
                        && let Some(c) = self.conversations.find_outgoing(id)
                    {
                        let peer = c.peer.clone();
                        c.set_state(id, DeliveryState::Failed);
                        self.store_state(&peer, id, DeliveryState::Failed);
                        lost += 1;
                    }
                }
                if lost > 0 {
                    effects.push(Effect::Notice(format!(
                        "{lost} message(s) sent just before the connection was lost may not \
                         have arrived; they are marked “not sent”."
                    )));
                }
            }
            Event::Im { event } => self.im(event, now_ms, &mut effects),
            _ => {}
        }
        effects
    }

    fn im(&mut self, event: ImEvent, now_ms: i64, effects: &mut Vec<Effect>) {
        match event {
            ImEvent::Roster { event } => match event {
                RosterEvent::Loaded { .. } => effects.push(Effect::ReloadRoster),
                other => self.roster.apply(&other),
            },
            ImEvent::RosterUnavailable { .. } => {
                effects.push(Effect::Notice(
                    "The server did not send your contact list.".to_owned(),
                ));
            }
            ImEvent::Presence { change } => self.roster.presence_changed(&change),
            ImEvent::Subscription { event } => self.subscription(event, effects),
            ImEvent::Message { message } => {
                if let Some(incoming) = IncomingLine::from_chat(&message, &self.jid, now_ms) {
                    self.message(incoming, true, effects);
                }
            }
            ImEvent::MessageError { from, id, error } => {
                let peer = from.to_bare();
                if let Some(id) = id
                    && let Some(c) = self.conversations.get_mut(&peer)
                    && c.set_state(&id, DeliveryState::Failed).is_some()
                {
                    self.store_state(&peer, &id, DeliveryState::Failed);
                }
                effects.push(Effect::Notice(format!(
                    "A message to {peer} was not delivered: {error}."
                )));
            }
            ImEvent::ChatState {
                conversation,
                state,
                ..
            } => {
                self.conversations.open(&conversation.peer).peer_state = Some(state);
            }
            ImEvent::Receipt { from, id } => {
                self.delivered(&from.to_bare(), &id);
            }
            ImEvent::Marker {
                conversation,
                from,
                marker,
            } => {
                let peer = conversation.peer;
                if from.to_bare() == self.jid {
                    // Another of our devices showed the contact's messages.
                    if let Some(c) = self.conversations.get_mut(&peer) {
                        c.unread = 0;
                    }
                    return;
                }
                match marker {
                    Marker::Received { id } => self.delivered(&peer, &id),
                    Marker::Displayed { id } | Marker::Acknowledged { id } => {
                        let changed = self
                            .conversations
                            .get_mut(&peer)
                            .map(|c| c.read_up_to(&id))
                            .unwrap_or_default();
                        for id in changed {
                            self.store_state(&peer, &id, DeliveryState::Read);
                        }
                    }
                }
            }
            ImEvent::Muc { event } => match self.rooms.apply(&event, now_ms) {
                RoomOutcome::Message { nick, body } => {
                    let room = muc_room(&event);
                    if let Some(room) = room {
                        let on_screen = self.focused && self.open_room.as_ref() == Some(&room);
                        if !on_screen {
                            if let Some(view) = self.rooms.get_mut(&room) {
                                view.unread += 1;
                            }
                            effects.push(Effect::Notify {
                                title: format!("{nick} in {room}"),
                                body,
                            });
                        }
                    }
                }
                RoomOutcome::Gone(text) => {
                    if let Some(room) = muc_room(&event)
                        && self.open_room.as_ref() == Some(&room)
                    {
                        self.open_room = None;
                    }
                    effects.push(Effect::Notice(text));
                }
                RoomOutcome::Nothing => {}
            },
            ImEvent::Forgery { from, what } => {
                tracing::warn!(%from, what, "forged stanza dropped");
            }
            _ => {}
        }
    }

    fn subscription(&mut self, event: SubscriptionEvent, effects: &mut Vec<Effect>) {
        match event {
            SubscriptionEvent::Requested { from, status } => {
                if self.requests.iter().any(|r| r.jid == from)
                    || self.requests.len() >= MAX_REQUESTS
                {
                    return;
                }
                effects.push(Effect::Notify {
                    title: "Contact request".to_owned(),
                    body: format!("{from} wants to see your presence"),
                });
                self.requests.push(Request {
                    jid: from,
                    text: status,
                });
            }
            SubscriptionEvent::Approved { from } => {
                effects.push(Effect::Notice(format!(
                    "{from} accepted your contact request."
                )));
            }
            SubscriptionEvent::Refused { from } => {
                effects.push(Effect::Notice(format!(
                    "{from} declined your contact request (or stopped sharing their presence)."
                )));
            }
            SubscriptionEvent::Unsubscribed { from } => {
                tracing::info!(%from, "no longer receives our presence");
            }
            _ => {}
        }
    }

    fn delivered(&mut self, peer: &BareJid, id: &str) {
        let changed = self
            .conversations
            .get_mut(peer)
            .and_then(|c| c.set_state(id, DeliveryState::Delivered))
            .map(|l| l.state);
        if let Some(state) = changed {
            self.store_state(peer, id, state);
        }
    }

    /// A message line arrived (live or from the archive).
    fn message(&mut self, incoming: IncomingLine, live: bool, effects: &mut Vec<Effect>) {
        let IncomingLine {
            peer,
            line,
            replaces,
        } = incoming;
        if let Some(replaced) = &replaces {
            let corrected = self
                .conversations
                .get_mut(&peer)
                .is_some_and(|c| c.correct(line.direction, replaced, &line.body));
            if corrected {
                if let Some(history) = &self.history
                    && let Err(e) = history.correct(&peer, line.direction, replaced, &line.body)
                {
                    tracing::warn!(%e, "cannot store a correction");
                }
                if self.open_chat.as_ref() == Some(&peer) {
                    effects.push(Effect::ScrollChat);
                }
                return;
            }
        }
        let direction = line.direction;
        let body = line.body.clone();
        let id = line.id.clone();
        let stored = self.store(&peer, &line);
        if !live && stored.is_none() && self.history.is_some() {
            return; // the archive's copy of something we have
        }
        let conversation = self.conversations.open(&peer);
        let mut line = line;
        line.db_id = stored;
        if !conversation.push(line) {
            return;
        }
        conversation.peer_state = None;
        match direction {
            Direction::Incoming => {
                if self.focused && self.open_chat.as_ref() == Some(&peer) {
                    if let Some(id) = id {
                        effects.extend(self.mark_displayed(&peer, id));
                    }
                } else {
                    conversation.unread += 1;
                    if live {
                        let title = self
                            .roster
                            .get(&peer)
                            .map_or_else(|| peer.to_string(), |c| c.display_name().to_owned());
                        effects.push(Effect::Notify { title, body });
                    }
                }
            }
            Direction::Outgoing => {
                // Written on another device: the conversation was seen there.
                conversation.unread = 0;
            }
        }
        if self.open_chat.as_ref() == Some(&peer) {
            effects.push(Effect::ScrollChat);
        }
    }

    fn mark_displayed(&mut self, peer: &BareJid, id: String) -> Option<Effect> {
        if !self.preferences.send_read_markers || !self.status.is_online() {
            return None;
        }
        if self.marked.get(peer) == Some(&id) {
            return None;
        }
        self.marked.insert(peer.clone(), id.clone());
        Some(Effect::Command(Command::MarkDisplayed {
            peer: peer.clone(),
            id,
        }))
    }

    /// The messages the archive had since the last session.
    pub fn archive(&mut self, messages: Vec<ArchivedMessage>, now_ms: i64) -> Vec<Effect> {
        let mut effects = Vec::new();
        for archived in &messages {
            if let Some(incoming) = IncomingLine::from_archive(archived, &self.jid, now_ms) {
                self.message(incoming, false, &mut effects);
            }
        }
        effects
    }

    /// The user sends `body` to `peer` (correcting our last message when `replaces` is its
    /// id): sent now when online, else queued.
    pub fn send(
        &mut self,
        peer: &BareJid,
        body: &str,
        replaces: Option<String>,
        now_ms: i64,
    ) -> Vec<Effect> {
        let body = body.trim_end();
        if body.trim().is_empty() {
            return Vec::new();
        }
        self.composing.remove(peer);
        let id = self.next_message_id();
        let online = self.status.is_online();
        if let Some(replaced) = &replaces {
            let conversation = self.conversations.open(peer);
            if conversation.correct(Direction::Outgoing, replaced, body) {
                if let Some(history) = &self.history
                    && let Err(e) = history.correct(peer, Direction::Outgoing, replaced, body)
                {
                    tracing::warn!(%e, "cannot store a correction");
                }
                // A queued message is simply sent with its new text.
                if let Some(q) = self
                    .outbox
                    .iter_mut()
                    .find(|q| &q.peer == peer && &q.id == replaced)
                {
                    q.body = body.to_owned();
                    return vec![Effect::ScrollChat];
                }
            }
        } else {
            let state = if online {
                DeliveryState::Sending
            } else {
                DeliveryState::Queued
            };
            let mut line = ChatLine::outgoing(id.clone(), body.to_owned(), now_ms, state);
            line.db_id = self.store(peer, &line);
            self.conversations.open(peer).push(line);
        }
        let queued = Queued {
            peer: peer.clone(),
            id,
            body: body.to_owned(),
            replaces,
        };
        let mut effects = vec![Effect::ScrollChat];
        if online {
            effects.push(Effect::Command(send_command(queued)));
        } else {
            self.outbox.push_back(queued);
        }
        effects
    }

    /// Sends what was queued while offline.
    pub fn flush_outbox(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        while let Some(queued) = self.outbox.pop_front() {
            if queued.replaces.is_none()
                && let Some(c) = self.conversations.get_mut(&queued.peer)
            {
                c.set_state(&queued.id, DeliveryState::Sending);
            }
            effects.push(Effect::Command(send_command(queued)));
        }
        effects
    }

    /// What came of a command.
    pub fn outcome(&mut self, outcome: Outcome, now_ms: i64) -> Vec<Effect> {
        match outcome {
            Outcome::Sent { peer, id } => {
                if let Some(c) = self.conversations.get_mut(&peer)
                    && let Some(line) = c.set_state(&id, DeliveryState::Sent)
                {
                    let state = line.state;
                    self.store_state(&peer, &id, state);
                }
                Vec::new()
            }
            Outcome::NotSent { peer, id, error } => {
                let body = self
                    .conversations
                    .get(&peer)
                    .and_then(|c| {
                        c.lines()
                            .iter()
                            .rev()
                            .find(|l| l.id.as_deref() == Some(&id))
                    })
                    .map(|l| l.body.clone());
                if !self.status.is_online()
                    && let Some(body) = body
                {
                    // Lost with the connection: try again when it is back.
                    if let Some(c) = self.conversations.get_mut(&peer) {
                        c.set_state(&id, DeliveryState::Queued);
                    }
                    self.store_state(&peer, &id, DeliveryState::Queued);
                    self.outbox.push_back(Queued {
                        peer,
                        id,
                        body,
                        replaces: None,
                    });
                    return Vec::new();
                }
                if let Some(c) = self.conversations.get_mut(&peer) {
                    c.set_state(&id, DeliveryState::Failed);
                }
                self.store_state(&peer, &id, DeliveryState::Failed);
                vec![Effect::Notice(error)]
            }
            Outcome::Archive { messages } => self.archive(messages, now_ms),
            Outcome::Joined { .. } | Outcome::Done => Vec::new(),
            Outcome::JoinFailed { room, error } => {
                self.rooms.remove(&room);
                if self.open_room.as_ref() == Some(&room) {
                    self.open_room = None;
                }
                vec![Effect::Notice(error)]
            }
            Outcome::Failed { error } => vec![Effect::Notice(error)],
        }
    }

    /// The user opened the conversation with `peer`: its history is loaded the first time,
    /// its unread count cleared, and the contact told we read their messages.
    pub fn open_conversation(&mut self, peer: &BareJid) -> Vec<Effect> {
        self.open_chat = Some(peer.clone());
        self.open_room = None;
        let history = self.history.as_ref();
        let conversation = self.conversations.open(peer);
        if !conversation.history_loaded {
            let before = conversation
                .lines()
                .front()
                .and_then(|l| Some((l.at_ms, l.db_id?)));
            match history.map(|h| h.load(peer, before, HISTORY_PAGE)) {
                Some(Ok((lines, exhausted))) => conversation.prepend(lines, exhausted),
                Some(Err(e)) => {
                    tracing::warn!(%e, "cannot load history");
                    conversation.history_loaded = true;
                }
                None => {
                    conversation.history_loaded = true;
                    conversation.history_exhausted = true;
                }
            }
        }
        self.seen(peer).into_iter().collect()
    }

    /// The conversation with `peer` is on screen and the window focused: clear its unread
    /// count and mark the contact's last message displayed.
    pub fn seen(&mut self, peer: &BareJid) -> Option<Effect> {
        if !self.looking_at(peer) {
            return None;
        }
        let conversation = self.conversations.get_mut(peer)?;
        conversation.unread = 0;
        let id = conversation.last_incoming_id()?.to_owned();
        self.mark_displayed(peer, id)
    }

    /// Loads older lines of the conversation with `peer`.
    pub fn load_earlier(&mut self, peer: &BareJid) {
        let Some(history) = self.history.as_ref() else {
            return;
        };
        let Some(conversation) = self.conversations.get_mut(peer) else {
            return;
        };
        let before = conversation
            .lines()
            .iter()
            .find_map(|l| Some((l.at_ms, l.db_id?)));
        match history.load(peer, before, HISTORY_PAGE) {
            Ok((lines, exhausted)) => conversation.prepend(lines, exhausted),
            Err(e) => tracing::warn!(%e, "cannot load history"),
        }
    }

    /// Lines with `peer` containing `text`, newest first.
    pub fn search(&self, peer: &BareJid, text: &str) -> Vec<ChatLine> {
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        match &self.history {
            Some(history) => history.search(peer, text, 200).unwrap_or_else(|e| {
                tracing::warn!(%e, "cannot search history");
                Vec::new()
            }),
            None => {
                let needle = text.to_lowercase();
                self.conversations
                    .get(peer)
                    .map(|c| {
                        c.lines()
                            .iter()
                            .rev()
                            .filter(|l| l.body.to_lowercase().contains(&needle))
                            .take(200)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }
    }

    /// The user typed in the conversation with `peer`.
    pub fn typing(&mut self, peer: &BareJid, now_ms: i64) -> Option<Effect> {
        if !self.preferences.send_typing || !self.status.is_online() {
            return None;
        }
        let was_composing = self.composing.insert(peer.clone(), now_ms).is_some();
        (!was_composing).then(|| {
            Effect::Command(Command::ChatState {
                peer: peer.clone(),
                state: ChatState::Composing,
            })
        })
    }

    /// Time passes: the reconnect countdown goes on, and "composing" turns to "paused" after
    /// a while without typing.
    pub fn tick(&mut self, now_ms: i64) -> Vec<Effect> {
        if let ConnectionStatus::Reconnecting {
            in_secs,
            retry_at_ms,
            ..
        } = &mut self.status
        {
            let left_ms = u64::try_from(retry_at_ms.saturating_sub(now_ms)).unwrap_or(0);
            *in_secs = left_ms.div_ceil(1_000);
        }
        let idle: Vec<BareJid> = self
            .composing
            .iter()
            .filter(|(_, at)| now_ms - **at >= PAUSED_AFTER_MS)
            .map(|(peer, _)| peer.clone())
            .collect();
        idle.into_iter()
            .filter_map(|peer| {
                self.composing.remove(&peer);
                self.status
                    .is_online()
                    .then_some(Effect::Command(Command::ChatState {
                        peer,
                        state: ChatState::Paused,
                    }))
            })
            .collect()
    }

    /// Answers a subscription request.
    pub fn answer_request(&mut self, jid: &BareJid, approve: bool, add_back: bool) -> Vec<Effect> {
        self.requests.retain(|r| &r.jid != jid);
        let command = if approve {
            Command::Approve {
                jid: jid.clone(),
                add_back,
            }
        } else {
            Command::Deny { jid: jid.clone() }
        };
        vec![Effect::Command(command)]
    }

    /// Every unread message and room line.
    pub fn total_unread(&self) -> usize {
        self.conversations.total_unread() + self.rooms.total_unread()
    }
}

fn send_command(queued: Queued) -> Command {
    Command::SendChat {
        peer: queued.peer,
        id: queued.id,
        body: queued.body,
        replaces: queued.replaces,
    }
}

fn muc_room(event: &openxmpp::im::muc::MucEvent) -> Option<BareJid> {
    use openxmpp::im::muc::MucEvent as M;
    Some(
        match event {
            M::Message { room, .. }
            | M::Left { room, .. }
            | M::RoomDestroyed { room, .. }
            | M::JoinFailed { room, .. } => room,
            _ => return None,
        }
        .clone(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use openxmpp::core::connection::StreamFeatures;
    use openxmpp::core::xml::parse_element;
    use openxmpp::im::chats::{ChatMessage, ConversationKey, Delivery};
    use openxmpp::stanza::Message;

    use super::*;

    pub(crate) fn romeo() -> BareJid {
        "romeo@montague.lit".parse().unwrap()
    }

    pub(crate) fn online() -> Event {
        Event::Online {
            jid: "juliet@capulet.lit/balcony".parse().unwrap(),
            features: StreamFeatures::default(),
            resumed: false,
        }
    }

    pub(crate) fn chat_from(peer: &BareJid, id: &str, body: &str) -> Event {
        let message = Message::try_from(
            parse_element(&format!(
                "<message type='chat' from='{peer}/orchard' id='{id}'><body>{body}</body>\
                 <markable xmlns='urn:xmpp:chat-markers:0'/></message>"
            ))
            .unwrap(),
        )
        .unwrap();
        Event::Im {
            event: ImEvent::Message {
                message: Box::new(ChatMessage {
                    conversation: ConversationKey::with(peer.clone()),
                    direction: Direction::Incoming,
                    delivery: Delivery::Live,
                    sent_at: None,
                    message,
                }),
            },
        }
    }

    fn state() -> AccountState {
        AccountState::new(
            "juliet@capulet.lit".parse().unwrap(),
            Some(History::in_memory().unwrap()),
        )
    }

    fn commands(effects: &[Effect]) -> Vec<&Command> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Command(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn messages_typed_offline_are_queued_then_sent_on_reconnect() {
        let mut s = state();
        s.status = ConnectionStatus::Offline { error: None };
        let effects = s.send(&romeo(), "are you there?", None, 10);
        assert!(commands(&effects).is_empty());
        assert_eq!(s.outbox.len(), 1);
        let line = s
            .conversations
            .get(&romeo())
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(line.state, DeliveryState::Queued);
        let effects = s.handle(online(), 20);
        let sends: Vec<_> = commands(&effects)
            .into_iter()
            .filter(|c| matches!(c, Command::SendChat { .. }))
            .collect();
        assert_eq!(sends.len(), 1);
        assert!(s.outbox.is_empty());
        assert_eq!(
            s.conversations.get(&romeo()).unwrap().last().unwrap().state,
            DeliveryState::Sending
        );
        let id = line.id.unwrap();
        s.outcome(
            Outcome::Sent {
                peer: romeo(),
                id: id.clone(),
            },
            30,
        );
        s.handle(
            Event::Im {
                event: ImEvent::Receipt {
                    from: "romeo@montague.lit/orchard".parse().unwrap(),
                    id: id.clone(),
                },
            },
            40,
        );
        assert_eq!(
            s.conversations.get(&romeo()).unwrap().last().unwrap().state,
            DeliveryState::Delivered
        );
        assert!(s.history.as_ref().unwrap().queued().unwrap().is_empty());
    }

    #[test]
    fn queued_messages_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!("andante-queue-{}", std::process::id()));
        let path = dir.join("h.sqlite");
        {
            let mut s = AccountState::new(
                "juliet@capulet.lit".parse().unwrap(),
                Some(History::open(&path).unwrap()),
            );
            s.status = ConnectionStatus::Offline { error: None };
            s.send(&romeo(), "later", None, 1);
        }
        let s = AccountState::new(
            "juliet@capulet.lit".parse().unwrap(),
            Some(History::open(&path).unwrap()),
        );
        assert_eq!(s.outbox.len(), 1);
        assert_eq!(s.outbox[0].body, "later");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unread_counts_and_notifications_for_conversations_not_on_screen() {
        let mut s = state();
        s.handle(online(), 0);
        let effects = s.handle(chat_from(&romeo(), "r1", "hello"), 5);
        assert!(effects.iter().any(|e| matches!(e, Effect::Notify { .. })));
        assert_eq!(s.conversations.unread(&romeo()), 1);
        s.handle(chat_from(&romeo(), "r2", "anyone?"), 6);
        assert_eq!(s.total_unread(), 2);
        let effects = s.open_conversation(&romeo());
        assert_eq!(s.total_unread(), 0);
        assert_eq!(
            commands(&effects),
            [&Command::MarkDisplayed {
                peer: romeo(),
                id: "r2".into()
            }]
        );
        // Now on screen: no unread, a marker right away.
        let effects = s.handle(chat_from(&romeo(), "r3", "there you are"), 7);
        assert_eq!(s.total_unread(), 0);
        assert!(!effects.iter().any(|e| matches!(e, Effect::Notify { .. })));
        assert_eq!(commands(&effects).len(), 1);
    }

    #[test]
    fn history_is_loaded_when_a_conversation_opens() {
        let mut s = state();
        s.handle(online(), 0);
        s.handle(chat_from(&romeo(), "r1", "one"), 1);
        // A new session over the same database.
        let history = s.history.take();
        let mut s2 = AccountState::new("juliet@capulet.lit".parse().unwrap(), history);
        s2.open_conversation(&romeo());
        let lines = s2.conversations.get(&romeo()).unwrap().lines();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].body, "one");
    }

    #[test]
    fn the_archive_catch_up_adds_only_what_is_missing() {
        let mut s = state();
        s.handle(online(), 0);
        s.handle(chat_from(&romeo(), "r1", "live"), 1);
        let archived = |id: &str, body: &str, arch: &str| ArchivedMessage {
            archive: "juliet@capulet.lit".parse().unwrap(),
            archive_id: arch.to_owned(),
            message: Message::try_from(
                parse_element(&format!(
                    "<message type='chat' from='romeo@montague.lit/orchard' \
                     to='juliet@capulet.lit' id='{id}'><body>{body}</body></message>"
                ))
                .unwrap(),
            )
            .unwrap(),
            delay: Some("1970-01-01T00:00:00Z".parse().unwrap()),
        };
        s.outcome(
            Outcome::Archive {
                messages: vec![archived("r1", "live", "a1"), archived("r0", "missed", "a0")],
            },
            2,
        );
        let c = s.conversations.get(&romeo()).unwrap();
        let bodies: Vec<_> = c.lines().iter().map(|l| l.body.as_str()).collect();
        assert_eq!(bodies, ["missed", "live"]);
        assert_eq!(s.history.as_ref().unwrap().count().unwrap(), 2);
        assert_eq!(c.unread, 2);
    }

    #[test]
    fn corrections_markers_and_typing() {
        let mut s = state();
        s.handle(online(), 0);
        s.handle(chat_from(&romeo(), "r1", "helo"), 1);
        let mut correction = chat_from(&romeo(), "r2", "hello");
        if let Event::Im {
            event: ImEvent::Message { message },
        } = &mut correction
        {
            message
                .message
                .payloads
                .push(openxmpp::im::correction::Replace::new("r1").into());
        }
        s.handle(correction, 2);
        let c = s.conversations.get(&romeo()).unwrap();
        assert_eq!(c.lines().len(), 1);
        assert_eq!(c.lines()[0].body, "hello");
        assert!(c.lines()[0].edited);

        // Our message, read by the contact.
        s.send(&romeo(), "hi", None, 3);
        let id = s
            .conversations
            .get(&romeo())
            .unwrap()
            .last()
            .unwrap()
            .id
            .clone()
            .unwrap();
        s.handle(
            Event::Im {
                event: ImEvent::Marker {
                    conversation: ConversationKey::with(romeo()),
                    from: "romeo@montague.lit/orchard".parse().unwrap(),
                    marker: Marker::Displayed { id: id.clone() },
                },
            },
            4,
        );
        assert_eq!(
            s.conversations.get(&romeo()).unwrap().last().unwrap().state,
            DeliveryState::Read
        );
        // We correct it.
        let effects = s.send(&romeo(), "hi!", Some(id.clone()), 5);
        assert!(matches!(
            commands(&effects)[0],
            Command::SendChat { replaces: Some(r), .. } if *r == id
        ));
        assert_eq!(
            s.conversations.get(&romeo()).unwrap().last().unwrap().body,
            "hi!"
        );

        // Typing: composing once, paused after a while.
        let first = s.typing(&romeo(), 10);
        assert!(first.is_some());
        assert!(s.typing(&romeo(), 11).is_none());
        assert!(s.tick(1_000).is_empty());
        assert_eq!(s.tick(10_000).len(), 1);

        // Their typing.
        s.handle(
            Event::Im {
                event: ImEvent::ChatState {
                    conversation: ConversationKey::with(romeo()),
                    from: "romeo@montague.lit/orchard".parse().unwrap(),
                    state: ChatState::Composing,
                },
            },
            12,
        );
        assert_eq!(
            s.conversations.get(&romeo()).unwrap().peer_state,
            Some(ChatState::Composing)
        );
    }

    #[test]
    fn subscription_requests_are_listed_until_answered() {
        let mut s = state();
        let request = Event::Im {
            event: ImEvent::Subscription {
                event: SubscriptionEvent::Requested {
                    from: romeo(),
                    status: Some("It's Romeo".into()),
                },
            },
        };
        s.handle(request.clone(), 0);
        s.handle(request, 1);
        assert_eq!(s.requests.len(), 1);
        let effects = s.answer_request(&romeo(), true, true);
        assert!(s.requests.is_empty());
        assert_eq!(
            commands(&effects),
            [&Command::Approve {
                jid: romeo(),
                add_back: true
            }]
        );
    }

    #[test]
    fn connection_status_follows_the_events() {
        let mut s = state();
        s.handle(online(), 0);
        assert!(s.status.is_online());
        s.handle(
            Event::Disconnected {
                error: Some(openxmpp::ConnectionError::TransportClosed),
            },
            1,
        );
        s.handle(
            Event::Reconnecting {
                attempt: 2,
                delay: std::time::Duration::from_secs(4),
            },
            2,
        );
        assert_eq!(
            s.status.label(),
            "Connection lost — reconnecting in 4 s (attempt 2)"
        );
    }
}
