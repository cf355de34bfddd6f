//! In-band registration (XEP-0077) with data forms.
//!
//! Fetch the fields a service wants ([`RegisterQuery::fetch`]), then submit them — as legacy
//! fields ([`RegisterQuery::submit`], [`RegisterQuery::submit_fields`]) or as a data form
//! ([`RegisterQuery::submit_form`]) — change a password or cancel a registration. Errors the
//! service returns map to a [`RegistrationError`] with a message a user can read.
//!
//! ```
//! use openxmpp_im::core::error::{StanzaError, StanzaErrorCondition};
//! use openxmpp_im::register::{RegisterField, RegisterQuery, RegistrationError};
//!
//! let fetch = RegisterQuery::fetch().to("shakespeare.lit".parse()?);
//! # let _ = fetch;
//! let answer = RegisterQuery::new()
//!     .with_instructions("Choose a username and password.")
//!     .with_field(RegisterField::Username, "")
//!     .with_field(RegisterField::Password, "");
//! assert_eq!(answer.field_names().collect::<Vec<_>>(), [RegisterField::Username, RegisterField::Password]);
//!
//! let submit = RegisterQuery::submit("bill", "Calliope");
//! # let _ = submit;
//! let filled = RegisterQuery::new()
//!     .with_field(RegisterField::Username, "bill")
//!     .with_field(RegisterField::Password, "Calliope");
//! assert!(!format!("{filled:?}").contains("Calliope"), "passwords never reach Debug output");
//!
//! let refused = RegistrationError::from(StanzaError::new(StanzaErrorCondition::Conflict));
//! assert!(matches!(refused, RegistrationError::UsernameTaken(_)));
//! assert_eq!(refused.to_string(), "this username is already taken");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use openxmpp_core::error::{StanzaError, StanzaErrorCondition};
use openxmpp_core::stanza::{Iq, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::data_form::{self, DataForm};

/// The in-band registration namespace.
pub const NS: &str = openxmpp_core::ns::REGISTER;

/// The out-of-band data namespace (XEP-0066), used to redirect registration to a web page.
pub const NS_OOB: &str = "jabber:x:oob";

macro_rules! register_fields {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )+) => {
        /// A legacy registration field (XEP-0077 §14.1, the field registry).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RegisterField {
            $( $(#[$doc])* $variant, )+
        }

        impl RegisterField {
            /// Every field, in the order of the XEP's schema.
            pub const ALL: &'static [RegisterField] = &[$(RegisterField::$variant),+];

            /// The element name.
            pub const fn name(self) -> &'static str {
                match self { $(RegisterField::$variant => $name,)+ }
            }

            /// The field with this element name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(RegisterField::$variant),)+ _ => None }
            }
        }
    };
}

register_fields! {
    /// Account name associated with the user.
    Username = "username",
    /// Familiar name of the user.
    Nick = "nick",
    /// Password or secret for the user.
    Password = "password",
    /// Full name of the user.
    Name = "name",
    /// First name or given name of the user.
    First = "first",
    /// Last name, surname, or family name of the user.
    Last = "last",
    /// Email address of the user.
    Email = "email",
    /// Street portion of a physical or mailing address.
    Address = "address",
    /// Locality portion of a physical or mailing address.
    City = "city",
    /// Region portion of a physical or mailing address.
    State = "state",
    /// Postal code portion of a physical or mailing address.
    Zip = "zip",
    /// Telephone number of the user.
    Phone = "phone",
    /// URL to web page describing the user.
    Url = "url",
    /// Some date (e.g., birth date, hire date, sign-up date).
    Date = "date",
    /// Free-form text field (obsolete).
    Misc = "misc",
    /// Free-form text field (obsolete).
    Text = "text",
    /// Session key for the transaction (obsolete).
    Key = "key",
}

/// Out-of-band data (XEP-0066) pointing at where to register instead (XEP-0077 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oob {
    /// The address to visit.
    pub url: String,
    /// A description of it.
    pub desc: Option<String>,
}

/// The `<query xmlns='jabber:iq:register'/>` element, in requests and answers alike.
///
/// `Debug` output shows the password field as `<hidden>`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RegisterQuery {
    /// In an answer: the requester is already registered (the fields hold the current data).
    pub registered: bool,
    /// Instructions for the user.
    pub instructions: Option<String>,
    /// The legacy fields in order: empty values in a fetch answer (the fields to fill in),
    /// the data in a submission.
    pub fields: Vec<(RegisterField, String)>,
    /// A data form (XEP-0077 §4), which takes precedence over the legacy fields.
    pub form: Option<DataForm>,
    /// A request to cancel the registration.
    pub remove: bool,
    /// Where to register instead, when the service redirects (XEP-0077 §5).
    pub oob: Option<Oob>,
    /// Other children, kept as received.
    pub payloads: Vec<Element>,
}

impl RegisterQuery {
    /// An empty query.
    pub fn new() -> Self {
        RegisterQuery::default()
    }

    /// Sets the instructions.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Adds a legacy field.
    pub fn with_field(mut self, field: RegisterField, value: impl Into<String>) -> Self {
        self.fields.push((field, value.into()));
        self
    }

    /// The value of a legacy field.
    pub fn field(&self, field: RegisterField) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }

    /// The legacy fields present, in order (in a fetch answer: the ones to fill in).
    pub fn field_names(&self) -> impl Iterator<Item = RegisterField> + '_ {
        self.fields.iter().map(|(f, _)| *f)
    }

    /// The IQ get asking which fields registration needs (XEP-0077 §3.1), with an empty id
    /// for the connection to assign. Address it with [`Iq::to`] for a service other than the
    /// user's server.
    pub fn fetch() -> Iq {
        Iq::get("", RegisterQuery::new().into())
    }

    /// The IQ set registering `username` with `password`.
    pub fn submit(username: impl Into<String>, password: impl Into<String>) -> Iq {
        RegisterQuery::submit_fields([
            (RegisterField::Username, username.into()),
            (RegisterField::Password, password.into()),
        ])
    }

    /// The IQ set registering with the given legacy fields (all those the fetch answer
    /// listed, XEP-0077 §3.1).
    pub fn submit_fields<S: Into<String>>(
        fields: impl IntoIterator<Item = (RegisterField, S)>,
    ) -> Iq {
        let query = RegisterQuery {
            fields: fields.into_iter().map(|(f, v)| (f, v.into())).collect(),
            ..RegisterQuery::default()
        };
        Iq::set("", query.into())
    }

    /// The IQ set registering with a filled-in data form (see [`DataForm::submit_from`]).
    pub fn submit_form(form: DataForm) -> Iq {
        let query = RegisterQuery {
            form: Some(form),
            ..RegisterQuery::default()
        };
        Iq::set("", query.into())
    }

    /// The IQ set changing the password of `username` (XEP-0077 §3.3); send it to the
    /// server's domain.
    pub fn change_password(username: impl Into<String>, new_password: impl Into<String>) -> Iq {
        RegisterQuery::submit(username, new_password)
    }

    /// The IQ set cancelling the registration (XEP-0077 §3.2): for the user's server, this
    /// deletes the account.
    pub fn cancel() -> Iq {
        let query = RegisterQuery {
            remove: true,
            ..RegisterQuery::default()
        };
        Iq::set("", query.into())
    }
}

impl fmt::Debug for RegisterQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a [(RegisterField, String)]);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                for (field, value) in self.0 {
                    if *field == RegisterField::Password && !value.is_empty() {
                        list.entry(&(field, "<hidden>"));
                    } else {
                        list.entry(&(field, value));
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("RegisterQuery")
            .field("registered", &self.registered)
            .field("instructions", &self.instructions)
            .field("fields", &Fields(&self.fields))
            .field("form", &self.form)
            .field("remove", &self.remove)
            .field("oob", &self.oob)
            .field("payloads", &self.payloads)
            .finish()
    }
}

fn parse_oob(element: &Element) -> Option<Oob> {
    let url = element.get_child("url", NS_OOB)?.text().into_owned();
    let desc = element
        .get_child("desc", NS_OOB)
        .map(|d| d.text().into_owned());
    Some(Oob { url, desc })
}

impl TryFrom<Element> for RegisterQuery {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("query", NS) {
            return Err(StanzaParseError::unexpected("query", NS, &element));
        }
        let mut query = RegisterQuery::default();
        let mut seen = [false; RegisterField::ALL.len()];
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            match child.ns() {
                NS => match child.name() {
                    "registered" => query.registered = true,
                    "remove" => query.remove = true,
                    "instructions" if query.instructions.is_none() => {
                        query.instructions = Some(child.into_text());
                    }
                    name => match RegisterField::from_name(name) {
                        Some(field) => {
                            let index = field as usize;
                            if seen.get(index).copied().unwrap_or(false) {
                                return Err(StanzaParseError::InvalidValue {
                                    element: "query",
                                    what: "repeated field",
                                    value: field.name().to_owned(),
                                });
                            }
                            if let Some(slot) = seen.get_mut(index) {
                                *slot = true;
                            }
                            query.fields.push((field, child.into_text()));
                        }
                        None => query.payloads.push(child),
                    },
                },
                data_form::NS if child.name() == "x" && query.form.is_none() => {
                    query.form = Some(DataForm::try_from(child)?);
                }
                NS_OOB if child.name() == "x" && query.oob.is_none() => match parse_oob(&child) {
                    Some(oob) => query.oob = Some(oob),
                    None => query.payloads.push(child),
                },
                _ => query.payloads.push(child),
            }
        }
        Ok(query)
    }
}

impl From<RegisterQuery> for Element {
    fn from(query: RegisterQuery) -> Element {
        let mut element = Element::new("query", NS);
        if query.registered {
            element.append_child(Element::new("registered", NS));
        }
        if let Some(instructions) = query.instructions {
            element.append_child(
                Element::builder("instructions", NS)
                    .text(instructions)
                    .build(),
            );
        }
        for (field, value) in query.fields {
            element.append_child(Element::builder(field.name(), NS).text(value).build());
        }
        if query.remove {
            element.append_child(Element::new("remove", NS));
        }
        if let Some(form) = query.form {
            element.append_child(form.into());
        }
        if let Some(oob) = query.oob {
            let mut x = Element::new("x", NS_OOB);
            x.append_child(Element::builder("url", NS_OOB).text(oob.url).build());
            if let Some(desc) = oob.desc {
                x.append_child(Element::builder("desc", NS_OOB).text(desc).build());
            }
            element.append_child(x);
        }
        for payload in query.payloads {
            element.append_child(payload);
        }
        element
    }
}

fn explain(error: &StanzaError) -> String {
    match error.text() {
        Some(text) if !text.trim().is_empty() => format!(" ({})", text.trim()),
        _ => String::new(),
    }
}

/// Why a registration, password change or cancellation failed (XEP-0077 §3, §9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// `conflict`: another account already has this username.
    #[error("this username is already taken{}", explain(.0))]
    UsernameTaken(StanzaError),
    /// `not-acceptable`: a required field is missing or a value is not accepted.
    #[error("some registration fields are missing or invalid{}", explain(.0))]
    MissingOrInvalidFields(StanzaError),
    /// `not-allowed`: the service does not allow in-band registration (or this change).
    #[error("the service does not allow in-band registration{}", explain(.0))]
    RegistrationClosed(StanzaError),
    /// `bad-request`: the request was malformed (e.g. a password change without username).
    #[error("the service did not understand the registration request{}", explain(.0))]
    BadRequest(StanzaError),
    /// `forbidden` or `not-authorized`: the requester may not do this (e.g. change a
    /// password before authenticating, or on an account not its own).
    #[error("not authorized to change this registration{}", explain(.0))]
    NotAuthorized(StanzaError),
    /// `resource-constraint` or `policy-violation`: too many attempts, try again later.
    #[error("too many registration attempts, try again later{}", explain(.0))]
    RateLimited(StanzaError),
    /// Any other error.
    #[error("registration failed: {0}")]
    Other(StanzaError),
}

impl RegistrationError {
    /// The stanza error the service returned.
    pub fn stanza_error(&self) -> &StanzaError {
        match self {
            RegistrationError::UsernameTaken(e)
            | RegistrationError::MissingOrInvalidFields(e)
            | RegistrationError::RegistrationClosed(e)
            | RegistrationError::BadRequest(e)
            | RegistrationError::NotAuthorized(e)
            | RegistrationError::RateLimited(e)
            | RegistrationError::Other(e) => e,
        }
    }
}

impl From<StanzaError> for RegistrationError {
    fn from(error: StanzaError) -> Self {
        use StanzaErrorCondition as C;
        match error.condition {
            C::Conflict => RegistrationError::UsernameTaken(error),
            C::NotAcceptable => RegistrationError::MissingOrInvalidFields(error),
            C::NotAllowed => RegistrationError::RegistrationClosed(error),
            C::BadRequest => RegistrationError::BadRequest(error),
            C::Forbidden | C::NotAuthorized => RegistrationError::NotAuthorized(error),
            C::ResourceConstraint | C::PolicyViolation => RegistrationError::RateLimited(error),
            _ => RegistrationError::Other(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_form::{FieldType, FormType};
    use crate::test_support::{element, xml};
    use openxmpp_core::stanza::IqPayload;

    #[test]
    fn test_simple() {
        // XEP-0077 Example 2: the fields to fill in.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'>\
               <instructions>\
                 Choose a username and password for use with this service. \
                 Please also provide your email address.\
               </instructions>\
               <username/><password/><email/>\
             </query>",
        ))
        .unwrap();
        assert!(!query.registered);
        assert!(query.instructions.unwrap().starts_with("Choose a username"));
        assert_eq!(
            query.fields,
            [
                (RegisterField::Username, String::new()),
                (RegisterField::Password, String::new()),
                (RegisterField::Email, String::new())
            ]
        );

        // Example 3: already registered.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'>\
               <registered/>\
               <username>juliet</username>\
               <password>R0m30</password>\
               <email>juliet@capulet.com</email>\
             </query>",
        ))
        .unwrap();
        assert!(query.registered);
        assert_eq!(query.field(RegisterField::Username), Some("juliet"));
        assert_eq!(query.field(RegisterField::Password), Some("R0m30"));
        assert!(!format!("{query:?}").contains("R0m30"));

        // Example 7: cancellation.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'><remove/></query>",
        ))
        .unwrap();
        assert!(query.remove);

        // Examples 16 and 17: extensibility with a data form.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'>\
               <instructions>Use the enclosed form to register.</instructions>\
               <x xmlns='jabber:x:data' type='form'>\
                 <title>Contest Registration</title>\
                 <instructions>Please provide the following information</instructions>\
                 <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>\
                 <field type='text-single' label='Given Name' var='first'><required/></field>\
                 <field type='text-single' label='Family Name' var='last'><required/></field>\
                 <field type='text-single' label='Email Address' var='email'><required/></field>\
                 <field type='list-single' label='Gender' var='x-gender'>\
                   <option label='Male'><value>M</value></option>\
                   <option label='Female'><value>F</value></option>\
                 </field>\
               </x>\
             </query>",
        ))
        .unwrap();
        let form = query.form.unwrap();
        assert_eq!(form.form_type(), Some(NS));
        assert_eq!(form.field("x-gender").unwrap().kind, FieldType::ListSingle);
        let submit = DataForm::submit_from(
            &form,
            [
                ("first", vec!["Juliet"]),
                ("last", vec!["Capulet"]),
                ("email", vec!["juliet@capulet.com"]),
                ("x-gender", vec!["F"]),
            ],
        );
        assert_eq!(form.validate_submission(&submit), Ok(()));

        // Example 19: redirection.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'>\
               <instructions>To register, visit http://www.shakespeare.lit/contests.php</instructions>\
               <x xmlns='jabber:x:oob'><url>http://www.shakespeare.lit/contests.php</url></x>\
             </query>",
        ))
        .unwrap();
        assert_eq!(
            query.oob,
            Some(Oob {
                url: "http://www.shakespeare.lit/contests.php".into(),
                desc: None
            })
        );

        // Example 6: the username is taken.
        let iq = Iq::try_from(element(
            "<iq type='error' id='reg2'>\
               <query xmlns='jabber:iq:register'>\
                 <username>bill</username><password>m1cro$oft</password>\
               </query>\
               <error code='409' type='cancel'>\
                 <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
               </error>\
             </iq>",
        ))
        .unwrap();
        let IqPayload::Error { error, .. } = iq.payload else {
            panic!("not an error")
        };
        let error = RegistrationError::from(error);
        assert!(matches!(error, RegistrationError::UsernameTaken(_)));
        assert_eq!(
            error.stanza_error().condition,
            StanzaErrorCondition::Conflict
        );
    }

    #[test]
    fn test_serialise() {
        let cases = [
            (
                RegisterQuery::fetch(),
                "<iq xmlns='jabber:client' id='' type='get'><query xmlns='jabber:iq:register'/></iq>",
            ),
            (
                RegisterQuery::submit("bill", "Calliope"),
                "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:register'>\
                 <username>bill</username><password>Calliope</password></query></iq>",
            ),
            (
                RegisterQuery::submit_fields([
                    (RegisterField::Username, "bill"),
                    (RegisterField::Password, "Calliope"),
                    (RegisterField::Email, "bard@shakespeare.lit"),
                ]),
                "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:register'>\
                 <username>bill</username><password>Calliope</password>\
                 <email>bard@shakespeare.lit</email></query></iq>",
            ),
            (
                RegisterQuery::change_password("bill", "newpass")
                    .to("shakespeare.lit".parse().unwrap()),
                "<iq xmlns='jabber:client' id='' to='shakespeare.lit' type='set'>\
                 <query xmlns='jabber:iq:register'>\
                 <username>bill</username><password>newpass</password></query></iq>",
            ),
            (
                RegisterQuery::cancel(),
                "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:register'>\
                 <remove/></query></iq>",
            ),
            (
                RegisterQuery::submit_form(
                    DataForm::new(FormType::Submit)
                        .with_field(data_form::Field::hidden(data_form::FORM_TYPE, NS)),
                ),
                "<iq xmlns='jabber:client' id='' type='set'><query xmlns='jabber:iq:register'>\
                 <x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
                 <value>jabber:iq:register</value></field></x></query></iq>",
            ),
        ];
        for (iq, expected) in cases {
            assert_eq!(xml(&iq.into()), expected);
        }
    }

    #[test]
    fn test_round_trip() {
        let query = RegisterQuery {
            registered: true,
            instructions: Some("Hi".into()),
            fields: RegisterField::ALL
                .iter()
                .map(|f| (*f, format!("{}-value", f.name())))
                .collect(),
            form: Some(DataForm::new(FormType::Form)),
            remove: true,
            oob: Some(Oob {
                url: "https://example.org/".into(),
                desc: Some("web".into()),
            }),
            payloads: vec![Element::new("captcha", "urn:xmpp:captcha")],
        };
        assert_eq!(
            RegisterQuery::try_from(Element::from(query.clone())),
            Ok(query)
        );
        assert_eq!(RegisterField::ALL.len(), 17);
        for field in RegisterField::ALL {
            assert_eq!(RegisterField::from_name(field.name()), Some(*field));
        }
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            RegisterQuery::try_from(element(
                "<query xmlns='jabber:iq:register'><username>a</username><username>b</username></query>"
            )),
            Err(StanzaParseError::InvalidValue {
                element: "query",
                what: "repeated field",
                value: "username".into()
            })
        );
        assert!(matches!(
            RegisterQuery::try_from(element(
                "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data'/></query>"
            )),
            Err(StanzaParseError::Missing { element: "x", .. })
        ));
        assert!(matches!(
            RegisterQuery::try_from(element("<query xmlns='jabber:iq:roster'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        // An oob element without a URL is kept as it is, not refused.
        let query = RegisterQuery::try_from(element(
            "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:oob'/></query>",
        ))
        .unwrap();
        assert_eq!(query.oob, None);
        assert_eq!(query.payloads.len(), 1);
    }

    #[test]
    fn errors_map_to_readable_reasons() {
        use StanzaErrorCondition as C;
        let cases = [
            (C::Conflict, "this username is already taken"),
            (
                C::NotAcceptable,
                "some registration fields are missing or invalid",
            ),
            (
                C::NotAllowed,
                "the service does not allow in-band registration",
            ),
            (
                C::BadRequest,
                "the service did not understand the registration request",
            ),
            (C::Forbidden, "not authorized to change this registration"),
            (
                C::NotAuthorized,
                "not authorized to change this registration",
            ),
            (
                C::ResourceConstraint,
                "too many registration attempts, try again later",
            ),
            (
                C::PolicyViolation,
                "too many registration attempts, try again later",
            ),
            (
                C::ServiceUnavailable,
                "registration failed: service-unavailable (cancel)",
            ),
        ];
        for (condition, message) in cases {
            let error = RegistrationError::from(StanzaError::new(condition));
            assert_eq!(error.to_string(), message);
            assert_eq!(error.stanza_error().condition, condition);
        }
        let with_text = RegistrationError::from(
            StanzaError::new(C::NotAcceptable).with_text(None, "Password too weak"),
        );
        assert_eq!(
            with_text.to_string(),
            "some registration fields are missing or invalid (Password too weak)"
        );
    }

    #[test]
    fn debug_never_shows_passwords() {
        for iq in [
            RegisterQuery::submit("bill", "s3cr3t"),
            RegisterQuery::change_password("bill", "s3cr3t"),
        ] {
            let IqPayload::Set(payload) = iq.payload else {
                panic!()
            };
            let query = RegisterQuery::try_from(payload).unwrap();
            let debug = format!("{query:?}");
            assert!(!debug.contains("s3cr3t"), "{debug}");
            assert!(debug.contains("bill"), "{debug}");
        }
        let form = DataForm::new(FormType::Submit)
            .with_field(data_form::Field::text_single("password", "s3cr3t"));
        let query = RegisterQuery {
            form: Some(form),
            ..RegisterQuery::default()
        };
        assert!(!format!("{query:?}").contains("s3cr3t"));
    }
}
