//! The sign-in screen: address and password, "remember me", advanced server options, and the
//! error of the last attempt in words.

use iced::widget::{button, checkbox, column, container, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};

use crate::domain::account::{Password, ServerOptions, SignIn, TlsChoice};
use crate::domain::settings::LastAccount;
use crate::ui::style;

/// The address field's id (focused first).
pub(crate) const JID_INPUT: &str = "signin-jid";
/// The password field's id.
pub(crate) const PASSWORD_INPUT: &str = "signin-password";

/// The form's state.
#[derive(Debug, Clone, Default)]
pub struct SignInScreen {
    pub(crate) jid: String,
    pub(crate) password: String,
    pub(crate) remember: bool,
    pub(crate) advanced: bool,
    pub(crate) host: String,
    pub(crate) port: String,
    pub(crate) tls: TlsChoice,
    pub(crate) ca: String,
    pub(crate) error: Option<String>,
    pub(crate) busy: bool,
    pub(crate) note: Option<String>,
}

/// What the user does on the form.
#[derive(Debug, Clone)]
pub enum Message {
    /// The address changed.
    Jid(String),
    /// The password changed.
    Password(String),
    /// "Remember me" toggled.
    Remember(bool),
    /// "Advanced" shown or hidden.
    ToggleAdvanced,
    /// The server host changed.
    Host(String),
    /// The port changed.
    Port(String),
    /// STARTTLS or Direct TLS chosen.
    Tls(TlsChoice),
    /// The CA file changed.
    Ca(String),
    /// "Sign in".
    Submit,
    /// "Create an account".
    CreateAccount,
    /// The keyring answered with the stored password.
    StoredPassword(Option<Password>),
}

/// What the app should do after a form message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing more.
    None,
    /// Sign in (and remember the password if asked).
    SignIn {
        /// The checked form.
        sign_in: SignIn,
        /// Keep the password in the keyring.
        remember: bool,
    },
    /// Go to the registration screen.
    CreateAccount,
}

impl SignInScreen {
    /// The form, filled in with the last account.
    pub fn new(last: Option<&LastAccount>) -> Self {
        let mut screen = SignInScreen::default();
        if let Some(last) = last {
            screen.jid = last.jid.clone();
            screen.remember = last.remember;
            if let Some((host, port)) = &last.options.server {
                screen.host = host.clone();
                screen.port = port.to_string();
                screen.advanced = true;
            }
            screen.tls = last.options.tls;
            if let Some(ca) = &last.options.ca_file {
                screen.ca = ca.to_string_lossy().into_owned();
                screen.advanced = true;
            }
            if last.options.tls != TlsChoice::StartTls {
                screen.advanced = true;
            }
        }
        screen
    }

    /// Handles a form message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Jid(jid) => self.jid = jid,
            Message::Password(password) => self.password = password,
            Message::Remember(remember) => self.remember = remember,
            Message::ToggleAdvanced => self.advanced = !self.advanced,
            Message::Host(host) => self.host = host,
            Message::Port(port) => self.port = port,
            Message::Tls(tls) => self.tls = tls,
            Message::Ca(ca) => self.ca = ca,
            Message::CreateAccount => return Action::CreateAccount,
            Message::StoredPassword(password) => {
                if let Some(password) = password
                    && self.password.is_empty()
                {
                    self.password = password.expose().to_owned();
                }
            }
            Message::Submit => {
                if self.busy {
                    return Action::None;
                }
                let checked = ServerOptions::from_form(&self.host, &self.port, self.tls, &self.ca)
                    .and_then(|options| SignIn::from_form(&self.jid, &self.password, options));
                match checked {
                    Ok(sign_in) => {
                        self.error = None;
                        self.busy = true;
                        return Action::SignIn {
                            sign_in,
                            remember: self.remember,
                        };
                    }
                    Err(e) => {
                        if matches!(
                            e,
                            crate::domain::account::FormError::InvalidPort(_)
                                | crate::domain::account::FormError::PortWithoutHost
                        ) {
                            self.advanced = true;
                        }
                        self.error = Some(e.to_string());
                    }
                }
            }
        }
        Action::None
    }

    /// Signing in failed with `error`.
    pub fn failed(&mut self, error: String) {
        self.busy = false;
        self.error = Some(error);
    }

    /// The form.
    pub fn view(&self) -> Element<'_, Message> {
        let editable = !self.busy;
        let input = |placeholder: &str, value: &str| text_input(placeholder, value).padding(8);
        let mut form = column![
            text("andante").size(32),
            text("Sign in to your XMPP account").style(style::dim),
            text("Address"),
            input("you@example.com", &self.jid)
                .id(JID_INPUT)
                .on_input_maybe(editable.then_some(Message::Jid))
                .on_submit(Message::Submit),
            text("Password"),
            input("password", &self.password)
                .id(PASSWORD_INPUT)
                .secure(true)
                .on_input_maybe(editable.then_some(Message::Password))
                .on_submit(Message::Submit),
            checkbox(self.remember)
                .label("Remember me (the password goes to the system keyring)")
                .on_toggle_maybe(editable.then_some(Message::Remember)),
            button(text(if self.advanced {
                "▾ Advanced"
            } else {
                "▸ Advanced"
            }))
            .style(button::text)
            .padding(0)
            .on_press(Message::ToggleAdvanced),
        ]
        .spacing(8)
        .max_width(420);
        if self.advanced {
            form = form.push(
                column![
                    row![
                        input("server host (automatic)", &self.host)
                            .on_input_maybe(editable.then_some(Message::Host))
                            .width(Length::FillPortion(3)),
                        input("port", &self.port)
                            .on_input_maybe(editable.then_some(Message::Port))
                            .width(Length::FillPortion(1)),
                    ]
                    .spacing(8),
                    row![
                        text("Security"),
                        pick_list(TlsChoice::ALL, Some(self.tls), Message::Tls),
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                    input(
                        "CA certificate file (PEM), to trust a private server",
                        &self.ca
                    )
                    .on_input_maybe(editable.then_some(Message::Ca)),
                ]
                .spacing(8),
            );
        }
        if let Some(error) = &self.error {
            form = form.push(
                container(text(error.as_str()))
                    .padding(10)
                    .width(Length::Fill)
                    .style(style::error_banner),
            );
        }
        if let Some(note) = &self.note {
            form = form.push(text(note.as_str()).style(style::dim));
        }
        let sign_in = button(text(if self.busy {
            "Signing in…"
        } else {
            "Sign in"
        }))
        .padding([8, 16])
        .style(button::primary)
        .on_press_maybe(editable.then_some(Message::Submit));
        let create = button(text("Create an account"))
            .padding([8, 16])
            .style(button::secondary)
            .on_press_maybe(editable.then_some(Message::CreateAccount));
        form = form.push(row![sign_in, create].spacing(12));
        container(form)
            .padding(24)
            .center_x(Length::Fill)
            .center_y(Length::Fill)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use iced_test::simulator;

    use super::*;

    fn messages(
        screen: &SignInScreen,
        act: impl FnOnce(&mut iced_test::Simulator<'_, Message>),
    ) -> Vec<Message> {
        let mut ui = simulator(screen.view());
        act(&mut ui);
        ui.into_messages().collect()
    }

    #[test]
    fn an_empty_form_says_what_is_missing() {
        let mut screen = SignInScreen::new(None);
        for m in messages(&screen, |ui| {
            ui.click("Sign in").unwrap();
        }) {
            assert_eq!(screen.update(m), Action::None);
        }
        assert_eq!(
            screen.error.as_deref(),
            Some("Enter your address, like juliet@example.com.")
        );
        let mut ui = simulator(screen.view());
        assert!(
            ui.find("Enter your address, like juliet@example.com.")
                .is_ok()
        );
    }

    #[test]
    fn typing_an_address_without_username_is_refused() {
        let mut screen = SignInScreen::new(None);
        for m in messages(&screen, |ui| {
            ui.click(iced::widget::Id::new(JID_INPUT)).unwrap();
            ui.typewrite("example.com");
            ui.click(iced::widget::Id::new(PASSWORD_INPUT)).unwrap();
            ui.typewrite("secret");
        }) {
            screen.update(m);
        }
        assert_eq!(screen.jid, "example.com");
        assert_eq!(screen.password, "secret");
        screen.update(Message::Submit);
        assert!(screen.error.as_deref().unwrap().contains("has no username"));
    }

    #[test]
    fn a_complete_form_signs_in_with_the_advanced_options() {
        let mut screen = SignInScreen::new(None);
        screen.update(Message::Jid("juliet@capulet.lit".into()));
        screen.update(Message::Password("r0m30".into()));
        screen.update(Message::Remember(true));
        for m in messages(&screen, |ui| {
            ui.click("▸ Advanced").unwrap();
        }) {
            screen.update(m);
        }
        assert!(screen.advanced);
        screen.update(Message::Host("127.0.0.1".into()));
        screen.update(Message::Port("x".into()));
        screen.update(Message::Submit);
        assert!(screen.error.as_deref().unwrap().contains("port"));
        screen.update(Message::Port("15222".into()));
        screen.update(Message::Tls(TlsChoice::DirectTls));
        let Action::SignIn { sign_in, remember } = screen.update(Message::Submit) else {
            panic!("no sign-in")
        };
        assert!(remember);
        assert_eq!(sign_in.jid.as_str(), "juliet@capulet.lit");
        assert_eq!(
            sign_in.options.server,
            Some(("127.0.0.1".to_owned(), 15222))
        );
        assert!(screen.busy);
        // While busy, a second submit does nothing.
        assert_eq!(screen.update(Message::Submit), Action::None);
        screen.failed("Wrong password, or no account juliet@capulet.lit on this server.".into());
        let mut ui = simulator(screen.view());
        assert!(
            ui.find("Wrong password, or no account juliet@capulet.lit on this server.")
                .is_ok()
        );
    }
}
