//! `--register`: creating the account first (XEP-0077), with the fields the server asks for
//! taken from `--field name=value`, or asked for on the terminal.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};

use openxmpp::im::data_form::{DataForm, FieldType};
use openxmpp::im::register::RegisterField;
use openxmpp::{ClientBuilder, Error, RegisterQuery};

use crate::password::{self, Password};

/// Why registering did not happen.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegisterError {
    /// The client (connection, TLS, or the server's refusal).
    #[error(transparent)]
    Client(#[from] Error),
    /// A field the server wants was given nowhere and there is no terminal to ask on.
    #[error("the server asks for {0:?}: give it with --field {0}=VALUE")]
    Missing(String),
    /// The server only offers registration elsewhere.
    #[error("the server does not register in-band; register at {0}")]
    Elsewhere(String),
}

/// What the user gave: the account's name and password, and `--field` values.
pub(crate) struct Answers<'a> {
    /// The username (the JID's localpart).
    pub(crate) username: &'a str,
    /// The password.
    pub(crate) password: &'a Password,
    /// `--field` values by name.
    pub(crate) fields: HashMap<&'a str, &'a str>,
}

impl Answers<'_> {
    /// The value for field `name`: given, or asked for (`secret`: without echo).
    fn value(
        &self,
        name: &str,
        label: Option<&str>,
        secret: bool,
    ) -> Result<String, RegisterError> {
        match name {
            "username" => return Ok(self.username.to_owned()),
            "password" => return Ok(self.password.expose().to_owned()),
            _ => {}
        }
        if let Some(value) = self.fields.get(name) {
            return Ok((*value).to_owned());
        }
        let prompt = format!("{} (for registration): ", label.unwrap_or(name));
        let answer = if secret {
            password::ask(&prompt).map(|p| p.expose().to_owned()).ok()
        } else {
            ask_line(&prompt)
        };
        answer.ok_or_else(|| RegisterError::Missing(name.to_owned()))
    }
}

/// Registers the account `builder` is for.
pub(crate) async fn register(
    builder: ClientBuilder,
    answers: &Answers<'_>,
) -> Result<(), RegisterError> {
    let mut registration = builder.start_registration().await?;
    let form = registration.form().clone();
    let outcome = match &form.form {
        Some(data) => match fill_form(data, answers) {
            Ok(submission) => registration
                .submit_form(submission)
                .await
                .map_err(RegisterError::from),
            Err(e) => Err(e),
        },
        None if form.fields.is_empty() => match &form.oob {
            Some(oob) => Err(RegisterError::Elsewhere(oob.url.clone())),
            None => registration
                .submit(answers.username, answers.password.expose())
                .await
                .map_err(RegisterError::from),
        },
        None => match fill_fields(&form, answers) {
            Ok(query) => registration
                .submit_query(query)
                .await
                .map_err(RegisterError::from),
            Err(e) => Err(e),
        },
    };
    // Close politely whatever happened; the outcome is what counts.
    let _ = registration.close().await;
    outcome
}

/// The data form filled in: every field that is not fixed or hidden.
fn fill_form(form: &DataForm, answers: &Answers<'_>) -> Result<DataForm, RegisterError> {
    let mut values = Vec::new();
    for field in &form.fields {
        let Some(var) = &field.var else { continue };
        if matches!(field.kind, FieldType::Fixed | FieldType::Hidden) {
            continue;
        }
        let given = answers.fields.contains_key(var.as_str())
            || matches!(var.as_str(), "username" | "password");
        if !given && !field.required {
            continue;
        }
        let value = answers.value(var, field.label.as_deref(), field.is_secret())?;
        values.push((var.clone(), vec![value]));
    }
    Ok(DataForm::submit_from(form, values))
}

/// The legacy fields filled in, all of them (XEP-0077 §3.1).
fn fill_fields(
    form: &RegisterQuery,
    answers: &Answers<'_>,
) -> Result<RegisterQuery, RegisterError> {
    let mut query = RegisterQuery::new();
    for field in form.field_names() {
        let value = answers.value(field.name(), None, field == RegisterField::Password)?;
        query = query.with_field(field, value);
    }
    Ok(query)
}

/// Asks for one line on the terminal (`/dev/tty`, so it works while stdin is a script);
/// `None` when there is no terminal.
fn ask_line(prompt: &str) -> Option<String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let mut writer = tty.try_clone().ok()?;
    writer.write_all(prompt.as_bytes()).ok()?;
    writer.flush().ok()?;
    let mut line = String::new();
    BufReader::new(tty).read_line(&mut line).ok()?;
    let line = line.trim_end_matches(['\r', '\n']);
    (!line.is_empty()).then(|| line.to_owned())
}

#[cfg(test)]
mod tests {
    use openxmpp::im::data_form::{Field, FormType};

    use super::*;

    fn answers<'a>(password: &'a Password, fields: &[(&'a str, &'a str)]) -> Answers<'a> {
        Answers {
            username: "juliet",
            password,
            fields: fields.iter().copied().collect(),
        }
    }

    #[test]
    fn a_data_form_gets_the_account_and_the_given_fields() {
        let password = password::for_tests("r0m30");
        let form = DataForm::new(FormType::Form)
            .with_field(Field::hidden("FORM_TYPE", "jabber:iq:register"))
            .with_field(Field::fixed("Choose well"))
            .with_field(Field::new("username", FieldType::TextSingle).required())
            .with_field(Field::new("password", FieldType::TextPrivate).required())
            .with_field(Field::new("email", FieldType::TextSingle))
            .with_field(Field::new("nick", FieldType::TextSingle));
        let submission =
            fill_form(&form, &answers(&password, &[("email", "j@example.com")])).unwrap();
        assert_eq!(submission.value("FORM_TYPE"), Some("jabber:iq:register"));
        assert_eq!(submission.value("username"), Some("juliet"));
        assert_eq!(submission.value("password"), Some("r0m30"));
        assert_eq!(submission.value("email"), Some("j@example.com"));
        assert_eq!(submission.value("nick"), None);
    }

    #[test]
    fn legacy_fields_are_all_filled() {
        let password = password::for_tests("r0m30");
        let form = RegisterQuery::new()
            .with_field(RegisterField::Username, "")
            .with_field(RegisterField::Password, "")
            .with_field(RegisterField::Email, "");
        let query = fill_fields(&form, &answers(&password, &[("email", "j@example.com")])).unwrap();
        assert_eq!(query.field(RegisterField::Username), Some("juliet"));
        assert_eq!(query.field(RegisterField::Password), Some("r0m30"));
        assert_eq!(query.field(RegisterField::Email), Some("j@example.com"));
    }
}
