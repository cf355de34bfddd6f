//! Creating an account (XEP-0077): connect to the server, show the fields or data form it
//! asks for, submit, and report a refusal (a taken username…) in words.

use std::sync::Arc;

use openxmpp::im::data_form::{DataForm, FieldType};
use openxmpp::im::register::RegisterField;
use openxmpp::{BareJid, RegisterQuery, Registration};
use tokio::sync::Mutex;

use crate::domain::account::{ServerOptions, registration_builder};
use crate::domain::errors;

/// What kind of input a field wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A line of text (secret: shown as dots).
    Text {
        /// A password or other secret.
        secret: bool,
    },
    /// Yes or no.
    Boolean,
    /// One of these options (value, label).
    Choice(Vec<(String, String)>),
    /// Text shown, not asked.
    Note,
}

/// One thing the server asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// Its name in the form.
    pub var: String,
    /// What to show next to it.
    pub label: String,
    /// What input it wants.
    pub kind: FieldKind,
    /// Whether it must be filled in.
    pub required: bool,
    /// The value entered so far.
    pub value: String,
}

/// The form the server sent, made into fields to fill in.
#[derive(Debug, Clone)]
pub struct RegistrationForm {
    /// The server.
    pub domain: String,
    /// The server's instructions.
    pub instructions: Option<String>,
    /// The fields to fill in.
    pub fields: Vec<FormField>,
    /// Where to register instead, when the server only registers on the web.
    pub elsewhere: Option<String>,
    original: RegisterQuery,
}

impl RegistrationForm {
    /// The fields of a registration form as the server sent it.
    pub fn from_query(domain: String, query: RegisterQuery) -> Self {
        let mut fields = Vec::new();
        let mut instructions = query.instructions.clone();
        if let Some(form) = &query.form {
            if !form.instructions.is_empty() {
                instructions = Some(form.instructions.join("\n"));
            }
            for field in &form.fields {
                let label = field
                    .label
                    .clone()
                    .or_else(|| field.var.clone())
                    .unwrap_or_default();
                let kind = match &field.kind {
                    FieldType::Hidden => continue,
                    FieldType::Fixed => FieldKind::Note,
                    FieldType::Boolean => FieldKind::Boolean,
                    FieldType::ListSingle => FieldKind::Choice(
                        field
                            .options
                            .iter()
                            .map(|o| {
                                (
                                    o.value.clone(),
                                    o.label.clone().unwrap_or_else(|| o.value.clone()),
                                )
                            })
                            .collect(),
                    ),
                    _ => FieldKind::Text {
                        secret: field.is_secret(),
                    },
                };
                let value = if kind == FieldKind::Note {
                    field.values.join("\n")
                } else {
                    field.value().unwrap_or_default().to_owned()
                };
                fields.push(FormField {
                    var: field.var.clone().unwrap_or_default(),
                    label,
                    kind,
                    required: field.required,
                    value,
                });
            }
        } else if query.fields.is_empty() && query.oob.is_none() {
            // Nothing listed: the minimum XEP-0077 asks for.
            for f in [RegisterField::Username, RegisterField::Password] {
                fields.push(legacy_field(f));
            }
        } else {
            fields.extend(query.field_names().map(legacy_field));
        }
        RegistrationForm {
            domain,
            instructions,
            fields,
            elsewhere: query.oob.as_ref().map(|o| o.url.clone()),
            original: query,
        }
    }

    /// The username entered, if the form has one.
    pub fn username(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.var == "username")
            .map(|f| f.value.as_str())
    }

    /// The password entered, if the form has one.
    pub fn password(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.var == "password")
            .map(|f| f.value.as_str())
    }

    /// The first required field left empty, by label.
    pub fn missing(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.required && f.kind != FieldKind::Note && f.value.trim().is_empty())
            .map(|f| f.label.as_str())
    }

    fn submission(&self) -> Submission {
        match &self.original.form {
            Some(form) => {
                let values: Vec<(String, Vec<String>)> = self
                    .fields
                    .iter()
                    .filter(|f| f.kind != FieldKind::Note && (f.required || !f.value.is_empty()))
                    .map(|f| (f.var.clone(), vec![f.value.clone()]))
                    .collect();
                Submission::Form(DataForm::submit_from(form, values))
            }
            None => {
                let mut query = RegisterQuery::new();
                for field in &self.fields {
                    if let Some(f) = RegisterField::from_name(&field.var) {
                        query = query.with_field(f, field.value.clone());
                    }
                }
                Submission::Fields(query)
            }
        }
    }
}

fn legacy_field(field: RegisterField) -> FormField {
    let label = match field {
        RegisterField::Username => "Username".to_owned(),
        RegisterField::Password => "Password".to_owned(),
        RegisterField::Email => "Email".to_owned(),
        RegisterField::Nick => "Nickname".to_owned(),
        RegisterField::Name => "Full name".to_owned(),
        other => {
            let name = other.name();
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    FormField {
        var: field.name().to_owned(),
        label,
        kind: FieldKind::Text {
            secret: field == RegisterField::Password,
        },
        required: matches!(field, RegisterField::Username | RegisterField::Password),
        value: String::new(),
    }
}

enum Submission {
    Form(DataForm),
    Fields(RegisterQuery),
}

/// A registration in progress: its connection stays open between the form and the
/// submission (and a retry after a taken username).
#[derive(Clone)]
pub struct Pending(Arc<Mutex<Option<Registration>>>);

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending registration")
    }
}

/// Connects to `domain` and fetches its registration form.
pub async fn start(
    domain: BareJid,
    options: ServerOptions,
) -> Result<(Pending, Box<RegistrationForm>), String> {
    let registration = registration_builder(&domain, &options)
        .start_registration()
        .await
        .map_err(|e| errors::registration(&e, "", domain.as_str()))?;
    let form = Box::new(RegistrationForm::from_query(
        domain.to_string(),
        registration.form().clone(),
    ));
    Ok((Pending(Arc::new(Mutex::new(Some(registration)))), form))
}

/// Submits the filled-in `form`; on success the registration's connection is closed.
pub async fn submit(pending: Pending, form: RegistrationForm) -> Result<(), String> {
    let mut guard = pending.0.lock().await;
    let Some(registration) = guard.as_mut() else {
        return Err("The connection to the server was closed; start again.".to_owned());
    };
    let username = form.username().unwrap_or_default().to_owned();
    let result = match form.submission() {
        Submission::Form(data) => registration.submit_form(data).await,
        Submission::Fields(query) => registration.submit_query(query).await,
    };
    match result {
        Ok(()) => {
            if let Some(registration) = guard.take() {
                let _ = registration.close().await;
            }
            Ok(())
        }
        Err(e) => Err(errors::registration(&e, &username, &form.domain)),
    }
}

/// Gives up a registration.
pub async fn cancel(pending: Pending) {
    if let Some(registration) = pending.0.lock().await.take() {
        let _ = registration.close().await;
    }
}

#[cfg(test)]
mod tests {
    use openxmpp::im::data_form::{Field, FormType};

    use super::*;

    #[test]
    fn legacy_forms_list_their_fields() {
        let query = RegisterQuery::new()
            .with_instructions("Choose a name")
            .with_field(RegisterField::Username, "")
            .with_field(RegisterField::Password, "")
            .with_field(RegisterField::Email, "");
        let mut form = RegistrationForm::from_query("capulet.lit".into(), query);
        assert_eq!(form.instructions.as_deref(), Some("Choose a name"));
        let labels: Vec<_> = form.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Username", "Password", "Email"]);
        assert_eq!(form.missing(), Some("Username"));
        form.fields[0].value = "juliet".into();
        form.fields[1].value = "r0m30".into();
        assert_eq!(form.missing(), None);
        let Submission::Fields(q) = form.submission() else {
            panic!()
        };
        assert_eq!(q.field(RegisterField::Username), Some("juliet"));
        assert_eq!(q.field(RegisterField::Email), Some(""));
    }

    #[test]
    fn data_forms_keep_hidden_fields_out_of_sight() {
        let data = DataForm::new(FormType::Form)
            .with_field(Field::hidden("FORM_TYPE", "jabber:iq:register"))
            .with_field(Field::fixed("Welcome"))
            .with_field(
                Field::new("username", FieldType::TextSingle)
                    .with_label("User")
                    .required(),
            )
            .with_field(Field::new("password", FieldType::TextPrivate).required());
        let query = RegisterQuery {
            form: Some(data),
            ..RegisterQuery::new()
        };
        let mut form = RegistrationForm::from_query("capulet.lit".into(), query);
        assert_eq!(form.fields.len(), 3);
        assert_eq!(form.fields[0].kind, FieldKind::Note);
        assert_eq!(form.fields[2].kind, FieldKind::Text { secret: true });
        form.fields[1].value = "juliet".into();
        form.fields[2].value = "pw".into();
        let Submission::Form(submitted) = form.submission() else {
            panic!()
        };
        assert_eq!(submitted.value("FORM_TYPE"), Some("jabber:iq:register"));
        assert_eq!(submitted.value("username"), Some("juliet"));
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A pending registration without a connection (its submission fails plainly).
    pub(crate) fn pending() -> Pending {
        Pending(Arc::new(Mutex::new(None)))
    }
}
