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
