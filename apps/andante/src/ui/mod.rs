//! The application: which screen is shown, the network session, the window (title, theme,
//! focus, closing), and the settings page.

pub mod main;
pub(crate) mod notify;
pub mod register;
pub mod settings;
pub mod signin;
pub(crate) mod style;

use std::sync::Arc;
use std::time::Duration;

use iced::keyboard::{self, Key, key::Named};
use iced::widget::operation;
use iced::{Element, Event, Subscription, Task, Theme, event, window};

use crate::domain::account::{Password, SignIn};
use crate::domain::settings::{LastAccount, Settings, ThemeChoice};
use crate::domain::time::now_ms;
use crate::net::{self, NetEvent, SessionRequest};
use crate::store::{History, Paths, secrets};

use self::main::Main;
use self::register::RegisterScreen;
use self::signin::SignInScreen;

/// The screen on show.
pub enum Screen {
    /// Signing in.
    SignIn(SignInScreen),
    /// Creating an account.
    Register(Box<RegisterScreen>),
    /// Signed in.
    Main(Box<Main>),
}

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Message {
    /// On the sign-in screen.
    SignIn(signin::Message),
    /// On the registration screen.
    Register(register::Message),
    /// On the main screen.
    Main(main::Message),
    /// On the settings page.
    Settings(settings::Message),
    /// From the network session.
    Net(NetEvent),
    /// The window gained or lost the focus.
    WindowFocused(bool),
    /// The window's close button.
    CloseRequested(window::Id),
    /// Ctrl+Q: quit (as the close button does).
    Quit,
    /// Tab.
    FocusNext,
    /// Shift+Tab.
    FocusPrevious,
    /// A second passed.
    Tick,
    /// The keyring was written (or could not be).
    KeyringDone(Option<String>),
}

/// The app.
pub struct App {
    paths: Paths,
    settings: Settings,
    screen: Screen,
    session: Option<SessionRequest>,
    next_session: u64,
    settings_open: bool,
    /// The password to keep in the keyring once signed in (or to forget, if not remembered).
    remember: Option<(String, Password, bool)>,
    focused: bool,
    auto_sign_in: bool,
}

impl App {
    /// The app with its files under `paths`, on the sign-in screen; the task loads a
    /// remembered password.
    pub fn new(paths: Paths) -> (Self, Task<Message>) {
        let settings = paths.load_settings();
        let screen = SignInScreen::new(settings.last_account.as_ref());
        let mut task = if settings.last_account.is_some() {
            operation::focus(signin::PASSWORD_INPUT)
        } else {
            operation::focus(signin::JID_INPUT)
        };
        let mut auto_sign_in = false;
        if let Some(last) = settings.last_account.as_ref().filter(|l| l.remember) {
            let account = last.jid.clone();
            auto_sign_in = true;
            task = Task::batch([
                task,
                Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || secrets::load(&account))
                            .await
                            .ok()
                            .and_then(Result::ok)
                            .flatten()
                    },
                    |password| Message::SignIn(signin::Message::StoredPassword(password)),
                ),
            ]);
        }
        let app = App {
            paths,
            settings,
            screen: Screen::SignIn(screen),
            session: None,
            next_session: 0,
            settings_open: false,
            remember: None,
            focused: true,
            auto_sign_in,
        };
        (app, task)
    }

    /// The screen on show.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The running session, if any.
    pub fn session(&self) -> Option<&SessionRequest> {
        self.session.as_ref()
    }

    fn start_session(&mut self, sign_in: Arc<SignIn>) {
        self.next_session += 1;
        self.session = Some(SessionRequest {
            id: self.next_session,
            sign_in,
        });
    }

    fn save_settings(&self) {
        if let Err(e) = self.paths.save_settings(&self.settings) {
            tracing::warn!(%e, "cannot save the settings");
        }
    }

    fn sign_in_screen(&self) -> SignInScreen {
        SignInScreen::new(self.settings.last_account.as_ref())
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::SignIn(message) => {
                let Screen::SignIn(screen) = &mut self.screen else {
                    return Task::none();
                };
                let stored = matches!(&message, signin::Message::StoredPassword(Some(_)));
                let mut action = screen.update(message);
                if stored && self.auto_sign_in {
                    self.auto_sign_in = false;
                    action = screen.update(signin::Message::Submit);
                }
                match action {
                    signin::Action::None => Task::none(),
                    signin::Action::CreateAccount => {
                        let options = self
                            .settings
                            .last_account
                            .as_ref()
                            .map(|l| l.options.clone())
                            .unwrap_or_default();
                        self.screen = Screen::Register(Box::new(RegisterScreen::new(&options)));
                        operation::focus(register::SERVER_INPUT)
                    }
                    signin::Action::SignIn { sign_in, remember } => {
                        self.remember =
                            Some((sign_in.jid.to_string(), sign_in.password.clone(), remember));
                        self.start_session(Arc::new(sign_in));
                        Task::none()
                    }
                }
            }
            Message::Register(message) => {
                let Screen::Register(screen) = &mut self.screen else {
                    return Task::none();
                };
                match screen.update(message) {
                    register::Action::None => Task::none(),
                    register::Action::Run(task) => task.map(Message::Register),
                    register::Action::Back => {
                        self.screen = Screen::SignIn(self.sign_in_screen());
                        Task::none()
                    }
                    register::Action::Registered {
                        jid,
                        password,
                        options,
                    } => {
                        let mut screen = SignInScreen::new(Some(&LastAccount {
                            jid,
                            options,
                            remember: false,
                        }));
                        screen.note = Some("Your account was created. Signing in…".to_owned());
                        screen.password = password;
                        let action = screen.update(signin::Message::Submit);
                        self.screen = Screen::SignIn(screen);
                        if let signin::Action::SignIn { sign_in, remember } = action {
                            self.remember =
                                Some((sign_in.jid.to_string(), sign_in.password.clone(), remember));
                            self.start_session(Arc::new(sign_in));
                        }
                        Task::none()
                    }
                }
            }
            Message::Main(message) => {
                let Screen::Main(main) = &mut self.screen else {
                    return Task::none();
                };
                let (task, action) = main.update(message, &self.settings);
                let task = task.map(Message::Main);
                match action {
                    main::Action::None => task,
                    main::Action::Connect => {
                        let sign_in = main.sign_in.clone();
                        self.start_session(sign_in);
                        task
                    }
                    main::Action::Disconnect => {
                        self.session = None;
                        task
                    }
                    main::Action::OpenSettings => {
                        self.settings_open = true;
                        task
                    }
                    main::Action::HideOffline(hide) => {
                        self.settings.hide_offline = hide;
                        self.save_settings();
                        task
                    }
                    main::Action::SignOut => {
                        self.session = None;
                        self.settings_open = false;
                        self.screen = Screen::SignIn(self.sign_in_screen());
                        Task::batch([task, operation::focus(signin::PASSWORD_INPUT)])
                    }
                }
            }
            Message::Settings(message) => {
                let open = settings::update(&mut self.settings, message);
                self.settings_open = open;
                self.save_settings();
                if let Screen::Main(main) = &mut self.screen {
                    main.apply_settings(&self.settings);
                }
                Task::none()
            }
            Message::Net(event) => self.net(event),
            Message::WindowFocused(focused) => {
                self.focused = focused;
                match &mut self.screen {
                    Screen::Main(main) => {
                        main.set_focused(focused, &self.settings).map(Message::Main)
                    }
                    _ => Task::none(),
                }
            }
            Message::CloseRequested(id) => match &mut self.screen {
                Screen::Main(main) => {
                    self.session = None;
                    main.close().then(move |()| window::close(id))
                }
                _ => window::close(id),
            },
            Message::Quit => match &mut self.screen {
                Screen::Main(main) => {
                    self.session = None;
                    main.close().then(|()| iced::exit())
                }
                _ => iced::exit(),
            },
            Message::FocusNext => operation::focus_next(),
            Message::FocusPrevious => operation::focus_previous(),
            Message::Tick => match &mut self.screen {
                Screen::Main(main) => {
                    let (task, _) = main.update(main::Message::Tick, &self.settings);
                    task.map(Message::Main)
                }
                _ => Task::none(),
            },
            Message::KeyringDone(note) => {
                if let (Some(note), Screen::Main(main)) = (note, &mut self.screen) {
                    main.notices.push(note);
                }
                Task::none()
            }
        }
    }

    fn net(&mut self, event: NetEvent) -> Task<Message> {
        match event {
            NetEvent::Connected { client } => match &mut self.screen {
                Screen::Main(main) => {
                    main.connected(client);
                    Task::none()
                }
                _ => {
                    let Some(request) = &self.session else {
                        return Task::none();
                    };
                    let sign_in = request.sign_in.clone();
                    let history = self.open_history(&sign_in);
                    let mut main = Main::new(sign_in.clone(), Some(client), history);
                    main.apply_settings(&self.settings);
                    main.state.focused = self.focused;
                    let remember = self.remember.take();
                    self.settings.last_account = Some(LastAccount {
                        jid: sign_in.jid.to_string(),
                        options: sign_in.options.clone(),
                        remember: remember.as_ref().is_some_and(|(_, _, r)| *r),
                    });
                    self.save_settings();
                    self.screen = Screen::Main(Box::new(main));
                    let keyring = match remember {
                        Some((account, password, remember)) => Task::perform(
                            async move {
                                tokio::task::spawn_blocking(move || {
                                    if remember {
                                        secrets::store(&account, &password).err()
                                    } else {
                                        secrets::forget(&account).err()
                                    }
                                    .map(|e| {
                                        format!(
                                            "Your password could not be remembered: {e}. You will \
                                             be asked for it next time."
                                        )
                                    })
                                    .filter(|_| remember)
                                })
                                .await
                                .ok()
                                .flatten()
                            },
                            Message::KeyringDone,
                        ),
                        None => Task::none(),
                    };
                    Task::batch([keyring, operation::focus(main::FILTER_INPUT)])
                }
            },
            NetEvent::Failed { error } => {
                self.session = None;
                match &mut self.screen {
                    Screen::SignIn(screen) => screen.failed(error),
                    Screen::Main(main) => main.connect_failed(error),
                    Screen::Register(_) => {}
                }
                Task::none()
            }
            NetEvent::Events(events) => match &mut self.screen {
                Screen::Main(main) => main.events(events, &self.settings).map(Message::Main),
                _ => Task::none(),
            },
            NetEvent::Ended => {
                self.session = None;
                if let Screen::Main(main) = &mut self.screen {
                    main.ended();
                }
                Task::none()
            }
        }
    }

    fn open_history(&self, sign_in: &SignIn) -> Option<History> {
        let path = self.paths.history_file(&sign_in.jid);
        match History::open(&path) {
            Ok(history) => {
                if let Some(cutoff) = self.settings.retention.cutoff(now_ms())
                    && let Err(e) = history.prune(cutoff)
                {
                    tracing::warn!(%e, "cannot prune the history");
                }
                Some(history)
            }
            Err(e) => {
                tracing::warn!(%e, path = %path.display(), "cannot open the history");
                None
            }
        }
    }

    /// The window's content.
    pub fn view(&self) -> Element<'_, Message> {
        if self.settings_open {
            return settings::view(&self.settings).map(Message::Settings);
        }
        match &self.screen {
            Screen::SignIn(screen) => screen.view().map(Message::SignIn),
            Screen::Register(screen) => screen.view().map(Message::Register),
            Screen::Main(main) => main.view().map(Message::Main),
        }
    }

    /// The window title: the unread count first, when there is one.
    pub fn title(&self) -> String {
        match &self.screen {
            Screen::Main(main) => match main.unread() {
                0 => format!("andante — {}", main.state.jid),
                n => format!("({n}) andante — {}", main.state.jid),
            },
            _ => "andante".to_owned(),
        }
    }

    /// The theme (`None`: follow the system).
    pub fn theme(&self) -> Option<Theme> {
        match self.settings.theme {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some(Theme::Light),
            ThemeChoice::Dark => Some(Theme::Dark),
        }
    }

    /// The running subscriptions: the session, window events, the clock.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            event::listen_with(window_and_keys),
            window::close_requests().map(Message::CloseRequested),
        ];
        if let Some(request) = &self.session {
            subscriptions.push(net::session(request.clone()).map(Message::Net));
        }
        if matches!(self.screen, Screen::Main(_)) {
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        Subscription::batch(subscriptions)
    }
}

fn window_and_keys(event: Event, status: event::Status, _window: window::Id) -> Option<Message> {
    match event {
        Event::Window(window::Event::Focused) => Some(Message::WindowFocused(true)),
        Event::Window(window::Event::Unfocused) => Some(Message::WindowFocused(false)),
        Event::Keyboard(keyboard::Event::KeyPressed {
            key: Key::Named(Named::Tab),
            modifiers,
            ..
        }) if status == event::Status::Ignored => Some(if modifiers.shift() {
            Message::FocusPrevious
        } else {
            Message::FocusNext
        }),
        Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. })
            if modifiers.command() && key.as_ref() == Key::Character("q") =>
        {
            Some(Message::Quit)
        }
        _ => None,
    }
}

/// Runs the app with its files under `paths`.
pub fn run(paths: Paths) -> iced::Result {
    iced::application(move || App::new(paths.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .exit_on_close_request(false)
        .window_size((1100.0, 720.0))
        .run()
}

#[cfg(test)]
mod tests {
    use openxmpp::im::chats::Direction;

    use super::*;
    use crate::domain::account::ServerOptions;
    use crate::domain::conversation::{ChatLine, DeliveryState};
    use crate::domain::session::tests::{chat_from, online, romeo};
    use crate::domain::settings::Retention;

    fn sign_in() -> SignIn {
        SignIn::from_form("juliet@capulet.lit", "pw", ServerOptions::default()).unwrap()
    }

    /// The app signed in (no client) with its files in `dir`.
    fn signed_in(dir: &std::path::Path) -> App {
        let (mut app, _) = App::new(Paths::in_dir(dir.to_path_buf()));
        let main = Main::new(Arc::new(sign_in()), None, None);
        app.screen = Screen::Main(Box::new(main));
        let _ = app.update(Message::Net(NetEvent::Events(vec![online()])));
        app
    }

    #[test]
    fn the_window_title_counts_unread_messages() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = App::new(Paths::in_dir(dir.path().to_path_buf()));
        assert_eq!(app.title(), "andante");
        let mut app = signed_in(dir.path());
        assert_eq!(app.title(), "andante — juliet@capulet.lit");
        let _ = app.update(Message::WindowFocused(false));
        let _ = app.update(Message::Net(NetEvent::Events(vec![
            chat_from(&romeo(), "t1", "Juliet?"),
            chat_from(&romeo(), "t2", "Art thou there?"),
        ])));
        assert_eq!(app.title(), "(2) andante — juliet@capulet.lit");
        let _ = app.update(Message::Main(main::Message::OpenChat(romeo())));
        let _ = app.update(Message::WindowFocused(true));
        assert_eq!(app.title(), "andante — juliet@capulet.lit");
    }

    #[test]
    fn the_theme_follows_the_system_unless_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = signed_in(dir.path());
        // `None` lets iced follow the system's light or dark scheme.
        assert_eq!(app.theme(), None);
        let _ = app.update(Message::Main(main::Message::OpenSettings));
        // The settings page is on show (a pick list draws its choice itself, so the label is
        // what can be found).
        assert!(iced_test::simulator(app.view()).find("Theme").is_ok());
        let _ = app.update(Message::Settings(settings::Message::Theme(
            ThemeChoice::Dark,
        )));
        assert_eq!(app.theme(), Some(Theme::Dark));
        // Kept for the next start.
        let (again, _) = App::new(Paths::in_dir(dir.path().to_path_buf()));
        assert_eq!(again.theme(), Some(Theme::Dark));
    }

    #[test]
    fn history_retention_prunes_old_messages_at_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = signed_in(dir.path());
        let now = now_ms();
        let line = |id: &str, days_ago: i64| ChatLine {
            db_id: None,
            id: Some(id.to_owned()),
            archive_id: None,
            direction: Direction::Incoming,
            body: format!("{days_ago} days ago"),
            at_ms: now - days_ago * 86_400_000,
            state: DeliveryState::Received,
            edited: false,
        };
        {
            let history = app.open_history(&sign_in()).unwrap();
            history.insert(&romeo(), &line("old", 40)).unwrap();
            history.insert(&romeo(), &line("new", 2)).unwrap();
        }
        // Forever (the default) keeps both.
        assert_eq!(app.open_history(&sign_in()).unwrap().count().unwrap(), 2);
        // Chosen on the settings page: "30 days".
        let _ = app.update(Message::Main(main::Message::OpenSettings));
        assert!(
            iced_test::simulator(app.view())
                .find("Keep history")
                .is_ok()
        );
        let _ = app.update(Message::Settings(settings::Message::Retention(
            Retention::Days(30),
        )));
        let _ = app.update(Message::Settings(settings::Message::Close));
        let history = app.open_history(&sign_in()).unwrap();
        let (kept, _) = history.load(&romeo(), None, 10).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].body, "2 days ago");
    }

    #[test]
    fn hiding_offline_contacts_in_the_list_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = signed_in(dir.path());
        let messages: Vec<Message> = {
            let mut ui = iced_test::simulator(app.view());
            ui.click("Hide offline contacts").unwrap();
            ui.into_messages().collect()
        };
        for message in messages {
            let _ = app.update(message);
        }
        assert!(app.settings().hide_offline);
        let (again, _) = App::new(Paths::in_dir(dir.path().to_path_buf()));
        assert!(again.settings().hide_offline);
    }

    #[test]
    fn ctrl_q_quits() {
        let key = |c: &str, modifiers| {
            Event::Keyboard(keyboard::Event::KeyPressed {
                key: Key::Character(c.into()),
                modified_key: Key::Character(c.into()),
                physical_key: keyboard::key::Physical::Unidentified(
                    keyboard::key::NativeCode::Unidentified,
                ),
                location: keyboard::Location::Standard,
                modifiers,
                repeat: false,
                text: None,
            })
        };
        let id = window::Id::unique();
        let ctrl = if cfg!(target_os = "macos") {
            keyboard::Modifiers::LOGO
        } else {
            keyboard::Modifiers::CTRL
        };
        assert!(matches!(
            window_and_keys(key("q", ctrl), event::Status::Ignored, id),
            Some(Message::Quit)
        ));
        assert!(
            window_and_keys(
                key("q", keyboard::Modifiers::empty()),
                event::Status::Ignored,
                id
            )
            .is_none()
        );
        // Quitting from the main screen closes the session first (unavailable presence).
        let dir = tempfile::tempdir().unwrap();
        let mut app = signed_in(dir.path());
        let _ = app.update(Message::Quit);
        assert!(app.session().is_none());
    }
}
