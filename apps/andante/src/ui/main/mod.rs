//! The main window once signed in: the top bar (presence, connection status), the contact
//! list on the left, and the conversation or room on the right.

mod chat;
mod room;
mod roster;
mod top;

use std::collections::BTreeMap;
use std::sync::Arc;

use iced::widget::{column, container, row, scrollable, text, text_editor};
use iced::{Element, Length, Task};
use openxmpp::{BareJid, Client};

use crate::domain::account::SignIn;
use crate::domain::presence::MyPresence;
use crate::domain::roster::{RosterFilter, RosterRow};
use crate::domain::session::{AccountState, ConnectionStatus, Effect};
use crate::domain::settings::Settings;
use crate::domain::time::now_ms;
use crate::net::{self, Command, Outcome};
use crate::store::History;
use crate::ui::style;

pub(crate) use chat::COMPOSER;
pub(crate) use roster::FILTER_INPUT;

/// How long quitting waits for the session to close.
pub const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// At most this many notices are shown at once.
const MAX_NOTICES: usize = 4;

/// What the right-hand side shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pane {
    /// Nothing chosen yet.
    Welcome,
    /// The conversation with a contact.
    Chat(BareJid),
    /// A room.
    Room(BareJid),
}

/// The add-contact form.
#[derive(Debug, Clone, Default)]
pub(crate) struct AddContact {
    pub(crate) jid: String,
    pub(crate) name: String,
    pub(crate) group: String,
    pub(crate) error: Option<String>,
}

/// The join-room form.
#[derive(Debug, Clone, Default)]
pub(crate) struct JoinRoom {
    pub(crate) room: String,
    pub(crate) nick: String,
    pub(crate) error: Option<String>,
}

/// The contact editor (rename, groups, remove).
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactEditor {
    pub(crate) name: String,
    pub(crate) groups: String,
    pub(crate) confirm_remove: bool,
}

/// The conversation panel's own state.
#[derive(Debug, Default)]
pub(crate) struct ChatPanel {
    pub(crate) composer: text_editor::Content,
    /// The id of our message being corrected.
    pub(crate) editing: Option<String>,
    /// The search box and its results, when open.
    pub(crate) search: Option<(String, Vec<crate::domain::conversation::ChatLine>)>,
    /// How many lines the log shows (at most [`MAX_SHOWN`]).
    pub(crate) shown: usize,
    /// How many of the newest lines are left out below them (0: the log reaches the newest
    /// line). Counted from the end, so older lines loaded above do not move the window.
    pub(crate) below: usize,
    /// Whether the log is scrolled to the end (new lines then scroll it).
    pub(crate) at_end: bool,
    /// The line selected for copying (its index in the conversation) and its text.
    pub(crate) selected: Option<(usize, text_editor::Content)>,
    pub(crate) editor: Option<ContactEditor>,
}

/// How many lines a conversation shows at first, and how many more each time.
pub(crate) const LINES_STEP: usize = 100;

/// The most lines the log builds at once: reading further back moves this window up, so a
/// frame costs the same with 100 or 100,000 lines in memory.
pub(crate) const MAX_SHOWN: usize = 3 * LINES_STEP;

/// The roster list's scroll position, for drawing only the visible rows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RosterScroll {
    pub(crate) offset: f32,
    pub(crate) height: f32,
}

impl Default for RosterScroll {
    fn default() -> Self {
        RosterScroll {
            offset: 0.0,
            height: 1200.0,
        }
    }
}

/// The main screen.
pub struct Main {
    pub(crate) state: AccountState,
    pub(crate) client: Option<Client>,
    pub(crate) sign_in: Arc<SignIn>,
    pub(crate) filter: RosterFilter,
    pub(crate) pane: Pane,
    pub(crate) roster_scroll: RosterScroll,
    pub(crate) add_contact: Option<AddContact>,
    pub(crate) join_room: Option<JoinRoom>,
    pub(crate) chat: ChatPanel,
    pub(crate) room_input: String,
    /// For each pending request: also add the contact back when approving.
    pub(crate) add_back: BTreeMap<BareJid, bool>,
    pub(crate) notices: Vec<String>,
    pub(crate) status_input: String,
    /// Commands that could not run because there was no client (tests look at them).
    pub(crate) unsent: Vec<Command>,
    /// The last desktop notifications asked for (title, text), newest last.
    pub(crate) notified: Vec<(String, String)>,
}

/// What the user or the network does on the main screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The roster filter changed.
    Filter(String),
    /// Enter in the filter: open the first match.
    FilterSubmit,
    /// "Hide offline" toggled.
    HideOffline(bool),
    /// A group header clicked.
    ToggleGroup(String),
    /// The roster list scrolled.
    RosterScrolled(scrollable::Viewport),
    /// A contact clicked.
    OpenChat(BareJid),
    /// A room clicked.
    OpenRoom(BareJid),
    /// "Add contact" shown or hidden.
    ToggleAddContact,
    /// Add-contact form fields.
    AddContactJid(String),
    /// The name field.
    AddContactName(String),
    /// The group field.
    AddContactGroup(String),
    /// "Add".
    AddContactSubmit,
    /// "Join room" shown or hidden.
    ToggleJoinRoom,
    /// The room field.
    JoinRoomJid(String),
    /// The nickname field.
    JoinRoomNick(String),
    /// "Join".
    JoinRoomSubmit,
    /// Approve a request.
    Approve(BareJid),
    /// Deny a request.
    Deny(BareJid),
    /// "Also add them" toggled on a request.
    AddBack(BareJid, bool),
    /// The composer was edited.
    Composer(text_editor::Action),
    /// Send what the composer holds.
    Send,
    /// Correct our last message.
    EditLast,
    /// Stop correcting.
    CancelEdit,
    /// Show earlier lines.
    LoadEarlier,
    /// Show later lines (when reading back).
    ShowLater,
    /// Back to the newest lines.
    ShowLatest,
    /// The conversation log scrolled.
    ChatScrolled(scrollable::Viewport),
    /// Search shown or hidden.
    ToggleSearch,
    /// The search text changed.
    Search(String),
    /// A line clicked (selected for copying), or the selection closed.
    SelectLine(Option<usize>),
    /// Selecting inside the selected line.
    SelectedText(text_editor::Action),
    /// Copy a text.
    Copy(String),
    /// The contact editor shown or hidden.
    ToggleEditContact,
    /// Its name field.
    EditContactName(String),
    /// Its groups field.
    EditContactGroups(String),
    /// "Save".
    SaveContact,
    /// "Remove" (asks first).
    RemoveContact,
    /// "Yes, remove".
    ConfirmRemove,
    /// The room composer changed.
    RoomInput(String),
    /// Send to the room.
    RoomSend,
    /// Leave the room on screen.
    LeaveRoom,
    /// A presence chosen.
    Presence(MyPresence),
    /// The status text changed.
    StatusText(String),
    /// Enter in the status text.
    StatusSubmit,
    /// Close a notice.
    DismissNotice(usize),
    /// A command finished.
    Outcome(Outcome),
    /// A second passed.
    Tick,
    /// Open the settings.
    OpenSettings,
    /// Sign out.
    SignOut,
}

/// What the app should do after a main-screen message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing more.
    None,
    /// Start a new session with the same account (after choosing a presence while offline).
    Connect,
    /// The session is being closed (offline by choice).
    Disconnect,
    /// Back to the sign-in screen.
    SignOut,
    /// Show the settings.
    OpenSettings,
    /// "Hide offline contacts" changed in the list: keep it in the settings.
    HideOffline(bool),
}

impl Main {
    /// The screen for `sign_in`, with its client (none in tests) and history.
    pub fn new(sign_in: Arc<SignIn>, client: Option<Client>, history: Option<History>) -> Self {
        let state = AccountState::new(sign_in.jid.clone(), history);
        Main {
            state,
            client,
            sign_in,
            filter: RosterFilter::default(),
            pane: Pane::Welcome,
            roster_scroll: RosterScroll::default(),
            add_contact: None,
            join_room: None,
            chat: ChatPanel {
                shown: LINES_STEP,
                at_end: true,
                ..ChatPanel::default()
            },
            room_input: String::new(),
            add_back: BTreeMap::new(),
            notices: Vec::new(),
            status_input: String::new(),
            unsent: Vec::new(),
            notified: Vec::new(),
        }
    }

    /// The account's state.
    pub fn state(&self) -> &AccountState {
        &self.state
    }

    /// The account's state, to change (benchmarks, tests).
    pub fn state_mut(&mut self) -> &mut AccountState {
        &mut self.state
    }

    /// Applies the settings the account uses.
    pub fn apply_settings(&mut self, settings: &Settings) {
        self.filter.hide_offline = settings.hide_offline;
        self.state.preferences.send_typing = settings.send_typing;
        self.state.preferences.send_read_markers = settings.send_read_markers;
    }

    /// A new client for this account (after reconnecting by choice).
    pub fn connected(&mut self, client: Client) {
        self.client = Some(client);
    }

    /// The session ended for good.
    pub fn ended(&mut self) {
        self.client = None;
        if !matches!(self.state.status, ConnectionStatus::Offline { .. }) {
            self.state.status = ConnectionStatus::Offline { error: None };
        }
        self.state.roster.all_offline();
    }

    /// Reconnecting by choice failed.
    pub fn connect_failed(&mut self, error: String) {
        self.client = None;
        self.state.status = ConnectionStatus::Offline { error: Some(error) };
    }

    /// The window gained or lost the focus.
    pub fn set_focused(&mut self, focused: bool, settings: &Settings) -> Task<Message> {
        self.state.focused = focused;
        let mut effects = Vec::new();
        if focused && let Pane::Chat(peer) = &self.pane {
            let peer = peer.clone();
            effects.extend(self.state.seen(&peer));
        }
        self.run(effects, settings)
    }

    /// Client events.
    pub fn events(&mut self, events: Vec<openxmpp::Event>, settings: &Settings) -> Task<Message> {
        let now = now_ms();
        let mut effects = Vec::new();
        for event in events {
            effects.extend(self.state.handle(event, now));
        }
        self.run(effects, settings)
    }

    /// Carries out effects: commands through the client, notifications, notices, scrolling.
    fn run(&mut self, effects: Vec<Effect>, settings: &Settings) -> Task<Message> {
        let mut tasks = Vec::new();
        let mut notify = Vec::new();
        for effect in effects {
            match effect {
                Effect::Command(command) => tasks.push(self.command(command)),
                Effect::Notify { title, body } => {
                    if settings.notifications && !self.state.focused {
                        notify.push((title, body));
                    }
                }
                Effect::Notice(text) => self.notice(text),
                Effect::ReloadRoster => {
                    if let Some(client) = &self.client {
                        self.state.roster.replace_all(client.roster().items());
                        for (jid, text) in client.subscriptions().pending() {
                            if !self.state.requests.iter().any(|r| r.jid == jid) {
                                self.state
                                    .requests
                                    .push(crate::domain::session::Request { jid, text });
                            }
                        }
                    }
                }
                Effect::ScrollChat => {
                    if self.chat.at_end {
                        tasks.push(iced::widget::operation::snap_to_end(chat::LOG));
                    }
                }
            }
        }
        // Many messages at once (a catch-up) make one notification, not a flood.
        let shown = match notify.len() {
            0 => None,
            1 => Some(notify.remove(0)),
            n => Some(("andante".to_owned(), format!("{n} new messages"))),
        };
        if let Some((title, body)) = shown {
            if self.notified.len() >= MAX_NOTICES {
                self.notified.remove(0);
            }
            self.notified.push((title.clone(), body.clone()));
            tasks.push(crate::ui::notify::show(title, body));
        }
        Task::batch(tasks)
    }

    fn command(&mut self, command: Command) -> Task<Message> {
        match &self.client {
            Some(client) => Task::perform(net::execute(client.clone(), command), Message::Outcome),
            None => {
                self.unsent.push(command);
                Task::none()
            }
        }
    }

    fn notice(&mut self, text: String) {
        if self.notices.last() == Some(&text) {
            return;
        }
        self.notices.push(text);
        if self.notices.len() > MAX_NOTICES {
            self.notices.remove(0);
        }
    }

    /// The unread count for the window title.
    pub fn unread(&self) -> usize {
        self.state.total_unread()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message, settings: &Settings) -> (Task<Message>, Action) {
        let now = now_ms();
        let mut effects = Vec::new();
        let mut task = Task::none();
        let mut action = Action::None;
        match message {
            Message::Filter(text) => {
                self.filter.text = text;
                self.roster_scroll.offset = 0.0;
                task = iced::widget::operation::snap_to(
                    roster::LIST,
                    scrollable::RelativeOffset::START,
                );
            }
            Message::FilterSubmit => {
                let first = self
                    .state
                    .roster
                    .rows(&self.filter)
                    .iter()
                    .find_map(|row| match row {
                        RosterRow::Contact { jid, .. } => Some(jid.clone()),
                        RosterRow::Group { .. } => None,
                    })
                    .or_else(|| crate::domain::account::parse_account(&self.filter.text).ok());
                if let Some(jid) = first {
                    // The filter did its job: the whole list is back.
                    self.filter.text.clear();
                    return self.update(Message::OpenChat(jid), settings);
                }
            }
            Message::HideOffline(hide) => {
                self.filter.hide_offline = hide;
                action = Action::HideOffline(hide);
            }
            Message::ToggleGroup(group) => {
                if !self.filter.collapsed.remove(&group) {
                    self.filter.collapsed.insert(group);
                }
            }
            Message::RosterScrolled(viewport) => {
                self.roster_scroll = RosterScroll {
                    offset: viewport.absolute_offset().y,
                    height: viewport.bounds().height,
                };
            }
            Message::OpenChat(peer) => {
                if self.pane != Pane::Chat(peer.clone()) {
                    self.chat.shown = LINES_STEP;
                    self.chat.below = 0;
                    self.chat.selected = None;
                    self.chat.search = None;
                    self.chat.editor = None;
                    self.chat.editing = None;
                    self.chat.at_end = true;
                }
                self.pane = Pane::Chat(peer.clone());
                effects.extend(self.state.open_conversation(&peer));
                task = Task::batch([
                    iced::widget::operation::focus(COMPOSER),
                    iced::widget::operation::snap_to_end(chat::LOG),
                ]);
            }
            Message::OpenRoom(room) => {
                self.state.open_chat = None;
                self.state.open_room = Some(room.clone());
                if let Some(view) = self.state.rooms.get_mut(&room) {
                    view.unread = 0;
                }
                self.pane = Pane::Room(room);
                task = iced::widget::operation::focus(room::INPUT);
            }
            Message::ToggleAddContact => {
                self.add_contact = match self.add_contact {
                    Some(_) => None,
                    None => Some(AddContact::default()),
                };
                self.join_room = None;
            }
            Message::AddContactJid(v) => {
                // Also the chat header's "Add contact": the form opens with the address.
                if self.add_contact.is_none() {
                    self.join_room = None;
                }
                self.add_contact.get_or_insert_with(AddContact::default).jid = v;
            }
            Message::AddContactName(v) => {
                if let Some(form) = &mut self.add_contact {
                    form.name = v;
                }
            }
            Message::AddContactGroup(v) => {
                if let Some(form) = &mut self.add_contact {
                    form.group = v;
                }
            }
            Message::AddContactSubmit => {
                if let Some(form) = &mut self.add_contact {
                    match crate::domain::account::parse_account(&form.jid) {
                        Ok(jid) => {
                            let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
                            let group =
                                Some(form.group.trim().to_owned()).filter(|g| !g.is_empty());
                            self.add_contact = None;
                            effects.push(Effect::Command(Command::AddContact { jid, name, group }));
                        }
                        Err(e) => form.error = Some(e.to_string()),
                    }
                }
            }
            Message::ToggleJoinRoom => {
                self.join_room = match self.join_room {
                    Some(_) => None,
                    None => Some(JoinRoom {
                        nick: self.state.jid.local().unwrap_or_default().to_owned(),
                        ..JoinRoom::default()
                    }),
                };
                self.add_contact = None;
            }
            Message::JoinRoomJid(v) => {
                if let Some(form) = &mut self.join_room {
                    form.room = v;
                }
            }
            Message::JoinRoomNick(v) => {
                if let Some(form) = &mut self.join_room {
                    form.nick = v;
                }
            }
            Message::JoinRoomSubmit => {
                if let Some(form) = &mut self.join_room {
                    let nick = form.nick.trim().to_owned();
                    match crate::domain::account::parse_account(&form.room) {
                        Ok(_) if nick.is_empty() => {
                            form.error = Some("Choose a nickname.".to_owned());
                        }
                        Ok(room) => {
                            self.join_room = None;
                            self.state.rooms.joining(room.clone(), nick.clone());
                            self.state.open_room = Some(room.clone());
                            self.state.open_chat = None;
                            self.pane = Pane::Room(room.clone());
                            effects.push(Effect::Command(Command::JoinRoom { room, nick }));
                        }
                        Err(_) => {
                            form.error = Some(
                                "Enter the room's address, like room@conference.example.com."
                                    .to_owned(),
                            );
                        }
                    }
                }
            }
            Message::Approve(jid) => {
                let in_roster = self
                    .state
                    .roster
                    .get(&jid)
                    .is_some_and(|c| c.sees_presence());
                let add_back = self.add_back.remove(&jid).unwrap_or(!in_roster);
                effects.extend(self.state.answer_request(&jid, true, add_back));
            }
            Message::Deny(jid) => {
                self.add_back.remove(&jid);
                effects.extend(self.state.answer_request(&jid, false, false));
            }
            Message::AddBack(jid, on) => {
                self.add_back.insert(jid, on);
            }
            Message::Composer(action) => {
                let is_edit = action.is_edit();
                self.chat.composer.perform(action);
                if is_edit
                    && let Pane::Chat(peer) = &self.pane
                    && !self.chat.composer.text().trim().is_empty()
                {
                    let peer = peer.clone();
                    effects.extend(self.state.typing(&peer, now));
                }
            }
            Message::Send => {
                if let Pane::Chat(peer) = &self.pane {
                    let peer = peer.clone();
                    let body = self.chat.composer.text();
                    if !body.trim().is_empty() {
                        let replaces = self.chat.editing.take();
                        self.chat.composer = text_editor::Content::new();
                        if self.chat.below > 0 {
                            self.chat.below = 0;
                            self.chat.shown = LINES_STEP;
                        }
                        self.chat.at_end = true;
                        effects.extend(self.state.send(&peer, &body, replaces, now));
                    }
                }
            }
            Message::EditLast => {
                if let Pane::Chat(peer) = &self.pane
                    && let Some(line) = self
                        .state
                        .conversations
                        .get(peer)
                        .and_then(|c| c.last_outgoing())
                    && let Some(id) = &line.id
                {
                    self.chat.editing = Some(id.clone());
                    self.chat.composer = text_editor::Content::with_text(&line.body);
                    self.chat
                        .composer
                        .perform(text_editor::Action::Move(text_editor::Motion::DocumentEnd));
                    task = iced::widget::operation::focus(COMPOSER);
                }
            }
            Message::CancelEdit => {
                self.chat.editing = None;
                self.chat.composer = text_editor::Content::new();
            }
            Message::LoadEarlier => {
                if let Pane::Chat(peer) = &self.pane {
                    let peer = peer.clone();
                    let loaded = |state: &AccountState| {
                        state
                            .conversations
                            .get(&peer)
                            .map_or(0, |c| c.lines().len())
                    };
                    // Lines above the window: load a page from the history when short.
                    let above =
                        loaded(&self.state).saturating_sub(self.chat.below + self.chat.shown);
                    if above < LINES_STEP {
                        self.state.load_earlier(&peer);
                    }
                    let len = loaded(&self.state);
                    if self.chat.shown + LINES_STEP <= MAX_SHOWN {
                        self.chat.shown += LINES_STEP;
                    } else {
                        // The window moves up instead of growing.
                        self.chat.below =
                            (self.chat.below + LINES_STEP).min(len.saturating_sub(self.chat.shown));
                    }
                    self.chat.selected = None;
                    if self.chat.below > 0 {
                        self.chat.at_end = false;
                    }
                }
            }
            Message::ShowLater => {
                self.chat.below = self.chat.below.saturating_sub(LINES_STEP);
                self.chat.selected = None;
                task =
                    iced::widget::operation::snap_to(chat::LOG, scrollable::RelativeOffset::START);
            }
            Message::ShowLatest => {
                self.chat.below = 0;
                self.chat.shown = LINES_STEP;
                self.chat.selected = None;
                self.chat.at_end = true;
                task = iced::widget::operation::snap_to_end(chat::LOG);
            }
            Message::ChatScrolled(viewport) => {
                let content = viewport.content_bounds().height;
                let visible = viewport.bounds().height;
                self.chat.at_end = self.chat.below == 0
                    && (content <= visible || viewport.relative_offset().y >= 0.999);
            }
            Message::ToggleSearch => {
                self.chat.search = match self.chat.search {
                    Some(_) => None,
                    None => {
                        task = iced::widget::operation::focus(chat::SEARCH);
                        Some((String::new(), Vec::new()))
                    }
                };
            }
            Message::Search(text) => {
                if let Pane::Chat(peer) = &self.pane {
                    let results = self.state.search(peer, &text);
                    self.chat.search = Some((text, results));
                }
            }
            Message::SelectLine(index) => {
                self.chat.selected = index.and_then(|i| {
                    let Pane::Chat(peer) = &self.pane else {
                        return None;
                    };
                    let line = self.state.conversations.get(peer)?.lines().get(i)?;
                    if self.chat.selected.as_ref().is_some_and(|(s, _)| *s == i) {
                        return None;
                    }
                    Some((i, text_editor::Content::with_text(&line.body)))
                });
            }
            Message::SelectedText(action) => {
                if !action.is_edit()
                    && let Some((_, content)) = &mut self.chat.selected
                {
                    content.perform(action);
                }
            }
            Message::Copy(text) => task = iced::clipboard::write(text),
            Message::ToggleEditContact => {
                self.chat.editor = match (&self.chat.editor, &self.pane) {
                    (None, Pane::Chat(peer)) => {
                        let contact = self.state.roster.get(peer);
                        Some(ContactEditor {
                            name: contact
                                .and_then(|c| c.item.name.clone())
                                .unwrap_or_default(),
                            groups: contact
                                .map(|c| c.item.groups.join(", "))
                                .unwrap_or_default(),
                            confirm_remove: false,
                        })
                    }
                    _ => None,
                };
            }
            Message::EditContactName(v) => {
                if let Some(e) = &mut self.chat.editor {
                    e.name = v;
                }
            }
            Message::EditContactGroups(v) => {
                if let Some(e) = &mut self.chat.editor {
                    e.groups = v;
                }
            }
            Message::SaveContact => {
                if let (Some(editor), Pane::Chat(peer)) = (self.chat.editor.take(), &self.pane) {
                    let groups = editor
                        .groups
                        .split(',')
                        .map(|g| g.trim().to_owned())
                        .filter(|g| !g.is_empty())
                        .collect();
                    let name = Some(editor.name.trim().to_owned()).filter(|n| !n.is_empty());
                    effects.push(Effect::Command(Command::UpdateContact {
                        jid: peer.clone(),
                        name,
                        groups,
                    }));
                }
            }
            Message::RemoveContact => {
                if let Some(e) = &mut self.chat.editor {
                    e.confirm_remove = true;
                }
            }
            Message::ConfirmRemove => {
                if let Pane::Chat(peer) = &self.pane {
                    effects.push(Effect::Command(Command::RemoveContact {
                        jid: peer.clone(),
                    }));
                    self.chat.editor = None;
                }
            }
            Message::RoomInput(v) => self.room_input = v,
            Message::RoomSend => {
                if let Pane::Room(room) = &self.pane {
                    let body = std::mem::take(&mut self.room_input);
                    if !body.trim().is_empty() {
                        if self.state.status.is_online() {
                            effects.push(Effect::Command(Command::SayInRoom {
                                room: room.clone(),
                                body,
                            }));
                        } else {
                            self.room_input = body;
                            self.notice("You are offline: the room will get your message once you are back.".to_owned());
                        }
                    }
                }
            }
            Message::LeaveRoom => {
                if let Pane::Room(room) = &self.pane {
                    effects.push(Effect::Command(Command::LeaveRoom { room: room.clone() }));
                    self.state.rooms.remove(room);
                    self.state.open_room = None;
                    self.pane = Pane::Welcome;
                }
            }
            Message::Presence(presence) => {
                self.state.presence = presence;
                if presence == MyPresence::Offline {
                    if let Some(client) = self.client.take() {
                        task = Task::future(async move {
                            let _ = client.close().await;
                        })
                        .discard();
                    }
                    self.state.status = ConnectionStatus::Offline { error: None };
                    self.state.roster.all_offline();
                    action = Action::Disconnect;
                } else {
                    match self.state.status {
                        ConnectionStatus::Online { .. } => {
                            effects.push(Effect::Command(Command::SetPresence {
                                presence,
                                status: self.state.status_text.clone(),
                            }));
                        }
                        ConnectionStatus::Offline { .. } => {
                            self.state.status = ConnectionStatus::Connecting;
                            action = Action::Connect;
                        }
                        // Sent once online (see `AccountState::handle`).
                        ConnectionStatus::Connecting | ConnectionStatus::Reconnecting { .. } => {}
                    }
                }
            }
            Message::StatusText(v) => self.status_input = v,
            Message::StatusSubmit => {
                self.state.status_text = self.status_input.trim().to_owned();
                if self.state.presence != MyPresence::Offline && self.state.status.is_online() {
                    effects.push(Effect::Command(Command::SetPresence {
                        presence: self.state.presence,
                        status: self.state.status_text.clone(),
                    }));
                }
            }
            Message::DismissNotice(i) => {
                if i < self.notices.len() {
                    self.notices.remove(i);
                }
            }
            Message::Outcome(outcome) => effects.extend(self.state.outcome(outcome, now)),
            Message::Tick => effects.extend(self.state.tick(now)),
            Message::OpenSettings => action = Action::OpenSettings,
            Message::SignOut => {
                if let Some(client) = self.client.take() {
                    task = Task::future(async move {
                        let _ = client.close().await;
                    })
                    .discard();
                }
                action = Action::SignOut;
            }
        }
        let effects_task = self.run(effects, settings);
        (Task::batch([task, effects_task]), action)
    }

    /// Closes the session (the app quits): unavailable presence, then the closing handshake
    /// (given [`CLOSE_TIMEOUT`] at most, so a dead connection does not keep the window open).
    pub fn close(&mut self) -> Task<()> {
        match self.client.take() {
            Some(client) => Task::future(async move {
                if tokio::time::timeout(CLOSE_TIMEOUT, client.close())
                    .await
                    .is_err()
                {
                    tracing::info!("the server did not answer the closing handshake in time");
                }
            }),
            None => Task::done(()),
        }
    }

    /// The screen.
    pub fn view(&self) -> Element<'_, Message> {
        let right: Element<'_, Message> = match &self.pane {
            Pane::Welcome => container(
                column![
                    text("Choose a contact to chat with").size(20),
                    text("Type a name in the filter and press Enter, or add a contact.")
                        .style(style::dim),
                ]
                .spacing(8),
            )
            .center(Length::Fill)
            .into(),
            Pane::Chat(peer) => chat::view(self, peer),
            Pane::Room(room) => room::view(self, room),
        };
        let mut page = column![top::view(self)];
        if !self.state.requests.is_empty() {
            page = page.push(top::requests(self));
        }
        if !self.notices.is_empty() {
            page = page.push(top::notices(self));
        }
        page.push(
            row![
                container(roster::view(self))
                    .width(320)
                    .height(Length::Fill)
                    .style(style::panel),
                container(right).width(Length::Fill).height(Length::Fill),
            ]
            .height(Length::Fill),
        )
        .into()
    }
}

#[cfg(test)]
mod tests;
