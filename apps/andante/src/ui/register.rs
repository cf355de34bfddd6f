//! The account creation screen (XEP-0077): choose a server, fill in what it asks, register,
//! then sign in.

use iced::widget::{
    button, checkbox, column, container, pick_list, row, scrollable, text, text_input,
};
use iced::{Alignment, Element, Length, Task};

use crate::domain::account::{FormError, ServerOptions, TlsChoice, parse_server};
use crate::net::register::{self, FieldKind, Pending, RegistrationForm};
use crate::ui::style;

/// The server field's id.
pub(crate) const SERVER_INPUT: &str = "register-server";

/// Where the registration is.
#[derive(Debug, Clone, Default)]
enum Stage {
    /// Choosing the server.
    #[default]
    Choose,
    /// Connecting and fetching the form.
    Fetching,
    /// Filling in the form.
    Form {
        pending: Pending,
        form: Box<RegistrationForm>,
        submitting: bool,
    },
}

/// The screen's state.
#[derive(Debug, Clone, Default)]
pub struct RegisterScreen {
    server: String,
    advanced: bool,
    host: String,
    port: String,
    tls: TlsChoice,
    ca: String,
    stage: Stage,
    error: Option<String>,
    options: ServerOptions,
}

/// What the user (or the server) does on this screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The server field changed.
    Server(String),
    /// "Advanced" toggled.
    ToggleAdvanced,
    /// Server host.
    Host(String),
    /// Port.
    Port(String),
    /// TLS choice.
    Tls(TlsChoice),
    /// CA file.
    Ca(String),
    /// "Continue": fetch the form.
    Fetch,
    /// The server answered with its form, or not.
    Fetched(Result<(Pending, Box<RegistrationForm>), String>),
    /// A text field changed.
    Field(usize, String),
    /// A yes/no field changed.
    Toggle(usize, bool),
    /// A choice was made.
    Choose(usize, String),
    /// "Create account".
    Submit,
    /// The server answered the submission.
    Submitted(Result<(), String>),
    /// Back to signing in.
    Back,
}

/// What the app should do next.
#[derive(Debug)]
pub enum Action {
    /// Nothing more.
    None,
    /// Run this.
    Run(Task<Message>),
    /// The account exists: sign in with it.
    Registered {
        /// The new account's address.
        jid: String,
        /// Its password.
        password: String,
        /// The server options used.
        options: ServerOptions,
    },
    /// Back to the sign-in screen.
    Back,
}

impl RegisterScreen {
    /// The screen, with the server options of the sign-in form.
    pub fn new(options: &ServerOptions) -> Self {
        let mut screen = RegisterScreen::default();
        if let Some((host, port)) = &options.server {
            screen.host = host.clone();
            screen.port = port.to_string();
            screen.advanced = true;
        }
        screen.tls = options.tls;
        if let Some(ca) = &options.ca_file {
            screen.ca = ca.to_string_lossy().into_owned();
            screen.advanced = true;
        }
        screen
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Server(s) => self.server = s,
            Message::ToggleAdvanced => self.advanced = !self.advanced,
            Message::Host(h) => self.host = h,
            Message::Port(p) => self.port = p,
            Message::Tls(t) => self.tls = t,
            Message::Ca(c) => self.ca = c,
            Message::Fetch => {
                let checked = parse_server(&self.server).and_then(|domain| {
                    ServerOptions::from_form(&self.host, &self.port, self.tls, &self.ca)
                        .map(|options| (domain, options))
                });
                match checked {
                    Ok((domain, options)) => {
                        self.error = None;
                        self.stage = Stage::Fetching;
                        self.options = options.clone();
                        return Action::Run(Task::perform(
                            register::start(domain, options),
                            Message::Fetched,
                        ));
                    }
                    Err(e) => {
                        if matches!(e, FormError::InvalidPort(_) | FormError::PortWithoutHost) {
                            self.advanced = true;
                        }
                        self.error = Some(e.to_string());
                    }
                }
            }
            Message::Fetched(Ok((pending, form))) => {
                self.stage = Stage::Form {
                    pending,
                    form,
                    submitting: false,
                };
            }
            Message::Fetched(Err(error)) => {
                self.stage = Stage::Choose;
                self.error = Some(error);
            }
            Message::Field(i, value) | Message::Choose(i, value) => {
                if let Stage::Form { form, .. } = &mut self.stage
                    && let Some(field) = form.fields.get_mut(i)
                {
                    field.value = value;
                }
            }
            Message::Toggle(i, on) => {
                if let Stage::Form { form, .. } = &mut self.stage
                    && let Some(field) = form.fields.get_mut(i)
                {
                    field.value = if on { "true" } else { "false" }.to_owned();
                }
            }
            Message::Submit => {
                if let Stage::Form {
                    pending,
                    form,
                    submitting,
                } = &mut self.stage
                {
                    if *submitting {
                        return Action::None;
                    }
                    if let Some(missing) = form.missing() {
                        self.error = Some(format!("Fill in “{missing}”."));
                        return Action::None;
                    }
                    self.error = None;
                    *submitting = true;
                    return Action::Run(Task::perform(
                        register::submit(pending.clone(), (**form).clone()),
                        Message::Submitted,
                    ));
                }
            }
            Message::Submitted(Ok(())) => {
                if let Stage::Form { form, .. } = &self.stage {
                    let jid = format!(
                        "{}@{}",
                        form.username().unwrap_or_default().trim(),
                        form.domain
                    );
                    return Action::Registered {
                        jid,
                        password: form.password().unwrap_or_default().to_owned(),
                        options: self.options.clone(),
                    };
                }
            }
            Message::Submitted(Err(error)) => {
                if let Stage::Form { submitting, .. } = &mut self.stage {
                    *submitting = false;
                }
                self.error = Some(error);
            }
            Message::Back => {
                if let Stage::Form { pending, .. } = std::mem::take(&mut self.stage) {
                    return Action::Run(
                        Task::future(register::cancel(pending))
                            .then(|()| Task::done(Message::Back)),
                    );
                }
                return Action::Back;
            }
        }
        Action::None
    }

    /// The screen.
    pub fn view(&self) -> Element<'_, Message> {
        let mut page = column![text("Create an account").size(28)]
            .spacing(10)
            .max_width(460);
        match &self.stage {
            Stage::Choose | Stage::Fetching => {
                let editable = matches!(self.stage, Stage::Choose);
                page = page.push(text("Server"));
                page = page.push(
                    text_input("example.com", &self.server)
                        .id(SERVER_INPUT)
                        .padding(8)
                        .on_input_maybe(editable.then_some(Message::Server))
                        .on_submit(Message::Fetch),
                );
                page = page.push(
                    button(text(if self.advanced {
                        "▾ Advanced"
                    } else {
                        "▸ Advanced"
                    }))
                    .style(button::text)
                    .padding(0)
                    .on_press(Message::ToggleAdvanced),
                );
                if self.advanced {
                    page = page.push(
                        row![
                            text_input("server host (automatic)", &self.host)
                                .padding(8)
                                .on_input(Message::Host)
                                .width(Length::FillPortion(3)),
                            text_input("port", &self.port)
                                .padding(8)
                                .on_input(Message::Port)
                                .width(Length::FillPortion(1)),
                        ]
                        .spacing(8),
                    );
                    page = page.push(
                        row![
                            text("Security"),
                            pick_list(TlsChoice::ALL, Some(self.tls), Message::Tls)
                        ]
                        .spacing(8)
                        .align_y(Alignment::Center),
                    );
                    page = page.push(
                        text_input("CA certificate file (PEM)", &self.ca)
                            .padding(8)
                            .on_input(Message::Ca),
                    );
                }
                page = page.push(self.error_view());
                page = page.push(
                    row![
                        button(text(if editable {
                            "Continue"
                        } else {
                            "Connecting…"
                        }))
                        .style(button::primary)
                        .padding([8, 16])
                        .on_press_maybe(editable.then_some(Message::Fetch)),
                        button(text("Back to sign in"))
                            .style(button::secondary)
                            .padding([8, 16])
                            .on_press(Message::Back),
                    ]
                    .spacing(12),
                );
            }
            Stage::Form {
                form, submitting, ..
            } => {
                page = page.push(text(format!("Registering on {}", form.domain)).style(style::dim));
                if let Some(instructions) = &form.instructions {
                    page = page.push(text(instructions.as_str()));
                }
                if let Some(url) = &form.elsewhere {
                    page = page.push(text(format!(
                        "This server registers accounts on the web: {url}"
                    )));
                }
                for (i, field) in form.fields.iter().enumerate() {
                    let label = if field.required {
                        format!("{} *", field.label)
                    } else {
                        field.label.clone()
                    };
                    let widget: Element<'_, Message> = match &field.kind {
                        FieldKind::Note => text(field.value.as_str()).into(),
                        FieldKind::Boolean => {
                            checkbox(matches!(field.value.as_str(), "1" | "true"))
                                .label(label.clone())
                                .on_toggle(move |on| Message::Toggle(i, on))
                                .into()
                        }
                        FieldKind::Choice(options) => {
                            let labels: Vec<String> =
                                options.iter().map(|(_, l)| l.clone()).collect();
                            let selected = options
                                .iter()
                                .find(|(v, _)| *v == field.value)
                                .map(|(_, l)| l.clone());
                            let options = options.clone();
                            pick_list(labels, selected, move |label: String| {
                                let value = options
                                    .iter()
                                    .find(|(_, l)| *l == label)
                                    .map(|(v, _)| v.clone())
                                    .unwrap_or_default();
                                Message::Choose(i, value)
                            })
                            .into()
                        }
                        FieldKind::Text { secret } => text_input(&field.label, &field.value)
                            .id(format!("register-field-{}", field.var))
                            .secure(*secret)
                            .padding(8)
                            .on_input(move |v| Message::Field(i, v))
                            .on_submit(Message::Submit)
                            .into(),
                    };
                    if matches!(field.kind, FieldKind::Text { .. } | FieldKind::Choice(_)) {
                        page = page.push(text(label));
                    }
                    page = page.push(widget);
                }
                page = page.push(self.error_view());
                page = page.push(
                    row![
                        button(text(if *submitting {
                            "Creating…"
                        } else {
                            "Create account"
                        }))
                        .style(button::primary)
                        .padding([8, 16])
                        .on_press_maybe((!*submitting).then_some(Message::Submit)),
                        button(text("Back to sign in"))
                            .style(button::secondary)
                            .padding([8, 16])
                            .on_press(Message::Back),
                    ]
                    .spacing(12),
                );
            }
        }
        container(scrollable(
            container(page).padding(24).center_x(Length::Fill),
        ))
        .center_y(Length::Fill)
        .into()
    }

    fn error_view(&self) -> Element<'_, Message> {
        match &self.error {
            Some(error) => container(text(error.as_str()))
                .padding(10)
                .width(Length::Fill)
                .style(style::error_banner)
                .into(),
            None => column![].into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use iced_test::simulator;

    use super::*;

    #[test]
    fn a_server_is_required() {
        let mut screen = RegisterScreen::new(&ServerOptions::default());
        let mut ui = simulator(screen.view());
        ui.click("Continue").unwrap();
        for m in ui.into_messages() {
            screen.update(m);
        }
        assert_eq!(
            screen.error.as_deref(),
            Some("Enter the server, like example.com.")
        );
    }

    #[test]
    fn the_form_is_shown_and_checked_and_a_taken_name_reported() {
        use openxmpp::RegisterQuery;
        use openxmpp::im::register::RegisterField;
        let mut screen = RegisterScreen::new(&ServerOptions::default());
        screen.update(Message::Server("capulet.lit".into()));
        assert!(matches!(screen.update(Message::Fetch), Action::Run(_)));
        let form = RegistrationForm::from_query(
            "capulet.lit".into(),
            RegisterQuery::new()
                .with_instructions("Pick a name and a password.")
                .with_field(RegisterField::Username, "")
                .with_field(RegisterField::Password, ""),
        );
        // A pending registration needs a connection; the form alone is enough here.
        let pending = crate::net::register::tests_support::pending();
        screen.update(Message::Fetched(Ok((pending, Box::new(form)))));
        let mut ui = simulator(screen.view());
        assert!(ui.find("Pick a name and a password.").is_ok());
        ui.click("Create account").unwrap();
        for m in ui.into_messages() {
            screen.update(m);
        }
        assert_eq!(screen.error.as_deref(), Some("Fill in “Username”."));
        screen.update(Message::Field(0, "juliet".into()));
        screen.update(Message::Field(1, "r0m30".into()));
        assert!(matches!(screen.update(Message::Submit), Action::Run(_)));
        screen.update(Message::Submitted(Err(
            "The username “juliet” is already taken on capulet.lit. Choose another one.".into(),
        )));
        {
            let mut ui = simulator(screen.view());
            assert!(
                ui.find(
                    "The username “juliet” is already taken on capulet.lit. Choose another one."
                )
                .is_ok()
            );
        }
        match screen.update(Message::Submitted(Ok(()))) {
            Action::Registered { jid, password, .. } => {
                assert_eq!(jid, "juliet@capulet.lit");
                assert_eq!(password, "r0m30");
            }
            other => panic!("{other:?}"),
        }
    }
}
