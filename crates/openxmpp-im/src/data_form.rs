//! Data forms (XEP-0004).
//!
//! A [`DataForm`] is the `<x xmlns='jabber:x:data'/>` element: a form to fill in, a submitted
//! form, a cancellation or a result (with `<reported/>` columns and `<item/>` rows). Children
//! this module does not know (layout, media, validation, …) are kept as they are.
//!
//! ```
//! use openxmpp_im::data_form::{DataForm, Field, FieldType, FormType};
//!
//! let form = DataForm::new(FormType::Form)
//!     .with_title("Register")
//!     .with_field(Field::hidden("FORM_TYPE", "jabber:iq:register"))
//!     .with_field(Field::new("username", FieldType::TextSingle).with_label("User").required())
//!     .with_field(Field::new("password", FieldType::TextPrivate).required());
//! assert_eq!(form.form_type(), Some("jabber:iq:register"));
//!
//! let answer = DataForm::submit_from(&form, [("username", vec!["juliet"])]);
//! assert_eq!(answer.kind, FormType::Submit);
//! assert_eq!(form.missing_required(&answer), vec!["password"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use openxmpp_core::stanza::StanzaParseError;
use openxmpp_core::xml::{Element, Node};

/// The data forms namespace.
pub const NS: &str = "jabber:x:data";

/// The name of the hidden field that says which kind of form this is (XEP-0068).
pub const FORM_TYPE: &str = "FORM_TYPE";

/// The `type` of a form (XEP-0004 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormType {
    /// A form to fill in.
    Form,
    /// A filled-in form.
    Submit,
    /// The form-submitting entity cancelled.
    Cancel,
    /// Data returned by a query.
    Result,
}

impl FormType {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            FormType::Form => "form",
            FormType::Submit => "submit",
            FormType::Cancel => "cancel",
            FormType::Result => "result",
        }
    }

    /// The type with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "form" => FormType::Form,
            "submit" => FormType::Submit,
            "cancel" => FormType::Cancel,
            "result" => FormType::Result,
            _ => return None,
        })
    }
}

/// The `type` of a field (XEP-0004 §3.3). A field without `type` is `text-single`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Yes or no (`0`, `1`, `false`, `true`).
    Boolean,
    /// Text shown to the user, not submitted (a section header, a note).
    Fixed,
    /// Not shown, returned as it was given.
    Hidden,
    /// Several JIDs.
    JidMulti,
    /// One JID.
    JidSingle,
    /// Several of the options.
    ListMulti,
    /// One of the options.
    ListSingle,
    /// Several lines of text.
    TextMulti,
    /// A secret such as a password: never shown, never logged.
    TextPrivate,
    /// One line of text (the default).
    #[default]
    TextSingle,
    /// A type XEP-0004 does not define, kept as written so nothing is lost; handle it like
    /// `text-single`, as the XEP advises.
    Other(String),
}

impl FieldType {
    /// The wire name.
    pub fn name(&self) -> &str {
        match self {
            FieldType::Boolean => "boolean",
            FieldType::Fixed => "fixed",
            FieldType::Hidden => "hidden",
            FieldType::JidMulti => "jid-multi",
            FieldType::JidSingle => "jid-single",
            FieldType::ListMulti => "list-multi",
            FieldType::ListSingle => "list-single",
            FieldType::TextMulti => "text-multi",
            FieldType::TextPrivate => "text-private",
            FieldType::TextSingle => "text-single",
            FieldType::Other(other) => other,
        }
    }

    /// The type with this wire name; an unknown name becomes [`FieldType::Other`].
    pub fn from_name(name: String) -> Self {
        match name.as_str() {
            "boolean" => FieldType::Boolean,
            "fixed" => FieldType::Fixed,
            "hidden" => FieldType::Hidden,
            "jid-multi" => FieldType::JidMulti,
            "jid-single" => FieldType::JidSingle,
            "list-multi" => FieldType::ListMulti,
            "list-single" => FieldType::ListSingle,
            "text-multi" => FieldType::TextMulti,
            "text-private" => FieldType::TextPrivate,
            "text-single" => FieldType::TextSingle,
            _ => FieldType::Other(name),
        }
    }
}

/// One choice of a `list-single` or `list-multi` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOption {
    /// What the user sees.
    pub label: Option<String>,
    /// What is submitted.
    pub value: String,
}

impl FieldOption {
    /// An option with `value` and an optional label.
    pub fn new(value: impl Into<String>, label: Option<&str>) -> Self {
        FieldOption {
            label: label.map(str::to_owned),
            value: value.into(),
        }
    }
}

/// A form field (XEP-0004 §3.2).
///
/// Its `Debug` output hides the values of `text-private` fields and of fields whose name
/// contains "password", so that logging a form never logs a secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Field {
    /// The field's name, unique in its form; only `fixed` fields may lack one.
    pub var: Option<String>,
    /// The type.
    pub kind: FieldType,
    /// The label shown to the user.
    pub label: Option<String>,
    /// A longer description (`<desc/>`).
    pub desc: Option<String>,
    /// Whether the field must be filled in (`<required/>`).
    pub required: bool,
    /// The values (default values in a form, submitted values in a submission).
    pub values: Vec<String>,
    /// The choices of a list field.
    pub options: Vec<FieldOption>,
    /// Other children (media of XEP-0221, validation of XEP-0122, …), kept as received.
    pub payloads: Vec<Element>,
}

impl Field {
    /// An empty field `var` of type `kind`.
    pub fn new(var: impl Into<String>, kind: FieldType) -> Self {
        Field {
            var: Some(var.into()),
            kind,
            ..Field::default()
        }
    }

    /// A `hidden` field with one value, e.g. `Field::hidden(FORM_TYPE, "urn:xmpp:…")`.
    pub fn hidden(var: impl Into<String>, value: impl Into<String>) -> Self {
        Field::new(var, FieldType::Hidden).with_value(value)
    }

    /// A `text-single` field with one value.
    pub fn text_single(var: impl Into<String>, value: impl Into<String>) -> Self {
        Field::new(var, FieldType::TextSingle).with_value(value)
    }

    /// A `fixed` field (no name) showing `text`.
    pub fn fixed(text: impl Into<String>) -> Self {
        Field {
            kind: FieldType::Fixed,
            ..Field::default()
        }
        .with_value(text)
    }

    /// Sets the label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the description.
    pub fn with_desc(mut self, desc: impl Into<String>) -> Self {
        self.desc = Some(desc.into());
        self
    }

    /// Adds a value.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Adds an option.
    pub fn with_option(mut self, option: FieldOption) -> Self {
        self.options.push(option);
        self
    }

    /// Marks the field as required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The first value.
    pub fn value(&self) -> Option<&str> {
        self.values.first().map(String::as_str)
    }

    /// The value of a `boolean` field: `None` if absent or not one of `0`, `1`, `false`, `true`.
    pub fn bool_value(&self) -> Option<bool> {
        match self.value()? {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        }
    }

    /// Whether the values are secret (a `text-private` field or a password).
    pub fn is_secret(&self) -> bool {
        self.kind == FieldType::TextPrivate
            || self
                .var
                .as_deref()
                .is_some_and(|v| v.to_ascii_lowercase().contains("password"))
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Field");
        s.field("var", &self.var)
            .field("kind", &self.kind)
            .field("label", &self.label)
            .field("desc", &self.desc)
            .field("required", &self.required);
        if self.is_secret() {
            s.field("values", &format_args!("<{} hidden>", self.values.len()));
        } else {
            s.field("values", &self.values);
        }
        s.field("options", &self.options)
            .field("payloads", &self.payloads)
            .finish()
    }
}

/// A data form (XEP-0004).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataForm {
    /// What the form is for.
    pub kind: FormType,
    /// The title.
    pub title: Option<String>,
    /// The instructions, one entry per `<instructions/>` element.
    pub instructions: Vec<String>,
    /// The fields (of a form or submission; a result's fields outside any item).
    pub fields: Vec<Field>,
    /// The column headers of a multi-item result (`<reported/>`).
    pub reported: Option<Vec<Field>>,
    /// The rows of a multi-item result (`<item/>`), each a list of fields.
    pub items: Vec<Vec<Field>>,
    /// Children this module does not know, kept as received.
    pub payloads: Vec<Element>,
}

impl DataForm {
    /// An empty form of `kind`.
    pub fn new(kind: FormType) -> Self {
        DataForm {
            kind,
            title: None,
            instructions: Vec::new(),
            fields: Vec::new(),
            reported: None,
            items: Vec::new(),
            payloads: Vec::new(),
        }
    }

    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds an instructions line.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions.push(instructions.into());
        self
    }

    /// Adds a field.
    pub fn with_field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// The value of the `FORM_TYPE` field (XEP-0068), which names the form's purpose.
    pub fn form_type(&self) -> Option<&str> {
        self.field(FORM_TYPE).and_then(Field::value)
    }

    /// The field named `var`.
    pub fn field(&self, var: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.var.as_deref() == Some(var))
    }

    /// The field named `var`, to change it.
    pub fn field_mut(&mut self, var: &str) -> Option<&mut Field> {
        self.fields
            .iter_mut()
            .find(|f| f.var.as_deref() == Some(var))
    }

    /// The first value of the field named `var`.
    pub fn value(&self, var: &str) -> Option<&str> {
        self.field(var).and_then(Field::value)
    }

    /// A submission answering `form` with `values` (field name, values).
    ///
    /// Every named field of `form` that is not `fixed` is returned, in the form's order, with
    /// its type: with the given values if there are any, else with the form's default values
    /// (so hidden fields such as `FORM_TYPE` come back as they were). Values for names the
    /// form does not have are appended as untyped fields, after the form's, in the given order.
    pub fn submit_from<K, V>(form: &DataForm, values: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: IntoIterator,
        V::Item: Into<String>,
    {
        let (vars, mut given): (Vec<String>, Vec<Option<Vec<String>>>) = values
            .into_iter()
            .map(|(k, v)| (k.into(), Some(v.into_iter().map(Into::into).collect())))
            .unzip();
        let mut index = HashMap::with_capacity(vars.len());
        for (i, var) in vars.iter().enumerate() {
            index.entry(var.as_str()).or_insert(i);
        }
        let mut submit = DataForm::new(FormType::Submit);
        for field in &form.fields {
            let Some(var) = &field.var else { continue };
            if field.kind == FieldType::Fixed {
                continue;
            }
            let values = index
                .get(var.as_str())
                .and_then(|&i| given.get_mut(i))
                .and_then(Option::take)
                .unwrap_or_else(|| field.values.clone());
            submit.fields.push(Field {
                var: Some(var.clone()),
                kind: field.kind.clone(),
                values,
                ..Field::default()
            });
        }
        drop(index);
        for (var, values) in vars.into_iter().zip(given) {
            if let Some(values) = values {
                submit.fields.push(Field {
                    var: Some(var),
                    values,
                    ..Field::default()
                });
            }
        }
        submit
    }

    /// The names of this form's required fields that `submission` leaves without a non-empty
    /// value, in the form's order.
    pub fn missing_required<'a>(&'a self, submission: &DataForm) -> Vec<&'a str> {
        let filled: HashSet<&str> = submission
            .fields
            .iter()
            .filter(|f| f.values.iter().any(|v| !v.is_empty()))
            .filter_map(|f| f.var.as_deref())
            .collect();
        self.fields
            .iter()
            .filter(|f| f.required)
            .filter_map(|f| f.var.as_deref())
            .filter(|var| !filled.contains(var))
            .collect()
    }

    /// Checks `submission` against this form's required fields.
    ///
    /// # Errors
    /// [`MissingRequiredFields`] listing every required field left empty.
    pub fn validate_submission(&self, submission: &DataForm) -> Result<(), MissingRequiredFields> {
        let missing = self.missing_required(submission);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingRequiredFields {
                vars: missing.into_iter().map(str::to_owned).collect(),
            })
        }
    }
}

/// A submitted form leaves required fields empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("required form fields are missing: {}", .vars.join(", "))]
pub struct MissingRequiredFields {
    /// The names of the missing fields.
    pub vars: Vec<String>,
}

/// Reads the `<field/>` children of a form, reported or item element, checking that names are
/// present (except on `fixed` fields) and unique.
fn parse_fields(nodes: Vec<Node>, sink: &mut Vec<Element>) -> Result<Vec<Field>, StanzaParseError> {
    let mut fields = Vec::new();
    for node in nodes {
        let Node::Element(child) = node else { continue };
        if child.is("field", NS) {
            fields.push(Field::try_from(child)?);
        } else {
            sink.push(child);
        }
    }
    let mut seen = HashSet::new();
    for field in &fields {
        match &field.var {
            Some(var) if !seen.insert(var.as_str()) => {
                return Err(StanzaParseError::invalid("field", "duplicate var", var));
            }
            Some(_) => {}
            None if field.kind == FieldType::Fixed => {}
            None => {
                return Err(StanzaParseError::Missing {
                    element: "field",
                    what: "var attribute",
                });
            }
        }
    }
    Ok(fields)
}

impl TryFrom<Element> for Field {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("field", NS) {
            return Err(StanzaParseError::unexpected("field", NS, &element));
        }
        let (attrs, nodes) = element.into_parts();
        let mut field = Field::default();
        for attr in attrs {
            match (attr.ns(), attr.name()) {
                (None, "var") => field.var = Some(attr.into_value()),
                (None, "label") => field.label = Some(attr.into_value()),
                (None, "type") => field.kind = FieldType::from_name(attr.into_value()),
                _ => {}
            }
        }
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if child.ns() != NS {
                field.payloads.push(child);
                continue;
            }
            match child.name() {
                "value" => field.values.push(child.into_text()),
                "desc" => field.desc = Some(child.into_text()),
                "required" => field.required = true,
                "option" => field.options.push(parse_option(child)?),
                _ => field.payloads.push(child),
            }
        }
        Ok(field)
    }
}

fn parse_option(element: Element) -> Result<FieldOption, StanzaParseError> {
    let label = element.attr("label").map(str::to_owned);
    let mut value = None;
    for node in element.into_nodes() {
        if let Node::Element(child) = node
            && child.is("value", NS)
            && value.is_none()
        {
            value = Some(child.into_text());
        }
    }
    let value = value.ok_or(StanzaParseError::Missing {
        element: "option",
        what: "value child",
    })?;
    Ok(FieldOption { label, value })
}

impl TryFrom<Element> for DataForm {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("x", NS) {
            return Err(StanzaParseError::unexpected("x", NS, &element));
        }
        let kind = match element.attr("type") {
            None => {
                return Err(StanzaParseError::Missing {
                    element: "x",
                    what: "type attribute",
                });
            }
            Some(kind) => FormType::from_name(kind)
                .ok_or_else(|| StanzaParseError::invalid("x", "type", kind))?,
        };
        let mut form = DataForm::new(kind);
        let mut field_nodes = Vec::new();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != NS {
                form.payloads.push(child);
                continue;
            }
            match child.name() {
                "title" if form.title.is_none() => form.title = Some(child.into_text()),
                "instructions" => form.instructions.push(child.into_text()),
                "field" => field_nodes.push(Node::Element(child)),
                "reported" => {
                    if form.reported.is_some() {
                        return Err(StanzaParseError::invalid(
                            "x",
                            "second reported element",
                            "",
                        ));
                    }
                    let mut other = Vec::new();
                    form.reported = Some(parse_fields(child.into_nodes(), &mut other)?);
                }
                "item" => {
                    let mut other = Vec::new();
                    form.items
                        .push(parse_fields(child.into_nodes(), &mut other)?);
                }
                _ => form.payloads.push(child),
            }
        }
        form.fields = parse_fields(field_nodes, &mut form.payloads)?;
        Ok(form)
    }
}

fn text_child(name: &'static str, text: String) -> Element {
    Element::builder(name, NS).text(text).build()
}

impl From<Field> for Element {
    fn from(field: Field) -> Element {
        let kind = (field.kind != FieldType::TextSingle).then(|| field.kind.name().to_owned());
        let mut element = Element::builder("field", NS)
            .attr_opt("var", field.var)
            .attr_opt("type", kind)
            .attr_opt("label", field.label)
            .build();
        if let Some(desc) = field.desc {
            element.append_child(text_child("desc", desc));
        }
        if field.required {
            element.append_child(Element::new("required", NS));
        }
        for value in field.values {
            element.append_child(text_child("value", value));
        }
        for option in field.options {
            let child = Element::builder("option", NS)
                .attr_opt("label", option.label)
                .child(text_child("value", option.value))
                .build();
            element.append_child(child);
        }
        for payload in field.payloads {
            element.append_child(payload);
        }
        element
    }
}

impl From<DataForm> for Element {
    fn from(form: DataForm) -> Element {
        let mut element = Element::builder("x", NS)
            .attr("type", form.kind.name())
            .build();
        if let Some(title) = form.title {
            element.append_child(text_child("title", title));
        }
        for instructions in form.instructions {
            element.append_child(text_child("instructions", instructions));
        }
        for field in form.fields {
            element.append_child(field.into());
        }
        if let Some(reported) = form.reported {
            let child = Element::builder("reported", NS)
                .children(reported.into_iter().map(Element::from))
                .build();
            element.append_child(child);
        }
        for item in form.items {
            let child = Element::builder("item", NS)
                .children(item.into_iter().map(Element::from))
                .build();
            element.append_child(child);
        }
        for payload in form.payloads {
            element.append_child(payload);
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    /// XEP-0004 Example 2 (a configuration form), shortened.
    const FORM: &str = "<x xmlns='jabber:x:data' type='form'>\
          <title>Bot Configuration</title>\
          <instructions>Fill out this form to configure your new bot!</instructions>\
          <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>\
          <field type='fixed'><value>Section 1: Bot Info</value></field>\
          <field type='text-single' label='The name of your bot' var='botname'/>\
          <field type='text-multi' label='Helpful description of your bot' var='description'/>\
          <field type='boolean' label='Public bot?' var='public'><required/></field>\
          <field type='text-private' label='Password for special access' var='password'/>\
          <field type='list-multi' label='What features will the bot support?' var='features'>\
            <option label='Contests'><value>contests</value></option>\
            <option label='News'><value>news</value></option>\
            <option label='Polls'><value>polls</value></option>\
            <option label='Reminders'><value>reminders</value></option>\
            <option label='Search'><value>search</value></option>\
            <value>news</value><value>search</value>\
          </field>\
          <field type='list-single' label='Maximum number of subscribers' var='maxsubs'>\
            <value>20</value>\
            <option label='10'><value>10</value></option>\
            <option label='20'><value>20</value></option>\
          </field>\
          <field type='jid-multi' label='People to invite' var='invitelist'>\
            <desc>Tell all your friends about your new bot!</desc>\
          </field>\
          <field type='jid-single' label='Owner' var='owner'/>\
        </x>";

    #[test]
    fn test_simple() {
        let form = DataForm::try_from(element(FORM)).unwrap();
        assert_eq!(form.kind, FormType::Form);
        assert_eq!(form.title.as_deref(), Some("Bot Configuration"));
        assert_eq!(form.instructions.len(), 1);
        assert_eq!(form.form_type(), Some("jabber:bot"));
        assert_eq!(form.fields.len(), 10);
        assert_eq!(form.fields[1].kind, FieldType::Fixed);
        assert_eq!(form.fields[1].var, None);
        let public = form.field("public").unwrap();
        assert_eq!(public.kind, FieldType::Boolean);
        assert!(public.required);
        let features = form.field("features").unwrap();
        assert_eq!(features.options.len(), 5);
        assert_eq!(
            features.options[0],
            FieldOption::new("contests", Some("Contests"))
        );
        assert_eq!(features.values, ["news", "search"]);
        assert_eq!(form.value("maxsubs"), Some("20"));
        assert_eq!(
            form.field("invitelist").unwrap().desc.as_deref(),
            Some("Tell all your friends about your new bot!")
        );
        assert_eq!(form.field("owner").unwrap().kind, FieldType::JidSingle);

        // XEP-0004 Example 8: a multi-item result.
        let result = DataForm::try_from(element(
            "<x xmlns='jabber:x:data' type='result'>\
               <title>Joogle Search: verona</title>\
               <reported><field var='name'/><field var='url'/></reported>\
               <item><field var='name'><value>Comune di Verona</value></field>\
                     <field var='url'><value>http://www.comune.verona.it/</value></field></item>\
               <item><field var='name'><value>Verona Fiere</value></field>\
                     <field var='url'><value>http://www.veronafiere.it/</value></field></item>\
             </x>",
        ))
        .unwrap();
        assert_eq!(result.reported.as_ref().map(Vec::len), Some(2));
        assert_eq!(result.items.len(), 2);
        assert_eq!(result.items[1][0].value(), Some("Verona Fiere"));
    }

    #[test]
    fn test_serialise() {
        let form = DataForm::new(FormType::Submit)
            .with_field(Field::hidden(FORM_TYPE, "urn:example"))
            .with_field(Field::text_single("name", "a<b"))
            .with_field(
                Field::new("pick", FieldType::ListSingle)
                    .with_label("Pick")
                    .with_desc("One of them")
                    .required()
                    .with_option(FieldOption::new("1", Some("One"))),
            );
        assert_eq!(
            xml(&form.into()),
            "<x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>urn:example</value></field>\
             <field var='name'><value>a&lt;b</value></field>\
             <field var='pick' type='list-single' label='Pick'><desc>One of them</desc><required/>\
             <option label='One'><value>1</value></option></field></x>"
        );
    }

    #[test]
    fn test_round_trip() {
        for text in [
            FORM,
            "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported>\
             <item><field var='a'><value>1</value></field></item>\
             <page xmlns='http://jabber.org/protocol/xdata-layout' label='p'/></x>",
            "<x xmlns='jabber:x:data' type='form'><field var='m' type='x-new'>\
             <media xmlns='urn:xmpp:media-element'/><value>v</value></field></x>",
        ] {
            let form = DataForm::try_from(element(text)).unwrap();
            let again = DataForm::try_from(Element::from(form.clone())).unwrap();
            assert_eq!(again, form, "{text}");
        }
        let form = DataForm::try_from(element(
            "<x xmlns='jabber:x:data' type='form'><field var='m' type='x-new'/></x>",
        ))
        .unwrap();
        assert_eq!(form.fields[0].kind, FieldType::Other("x-new".into()));
    }

    #[test]
    fn test_invalid() {
        let cases: &[(&str, StanzaParseError)] = &[
            (
                "<x xmlns='jabber:x:data'/>",
                StanzaParseError::Missing {
                    element: "x",
                    what: "type attribute",
                },
            ),
            (
                "<x xmlns='jabber:x:data' type='nope'/>",
                StanzaParseError::invalid("x", "type", "nope"),
            ),
            (
                "<x xmlns='jabber:x:data' type='form'><field type='boolean'/></x>",
                StanzaParseError::Missing {
                    element: "field",
                    what: "var attribute",
                },
            ),
            (
                "<x xmlns='jabber:x:data' type='form'><field var='a'/><field var='a'/></x>",
                StanzaParseError::invalid("field", "duplicate var", "a"),
            ),
            (
                "<x xmlns='jabber:x:data' type='form'><field var='a'><option label='x'/></field></x>",
                StanzaParseError::Missing {
                    element: "option",
                    what: "value child",
                },
            ),
            (
                "<x xmlns='jabber:x:data' type='result'><reported/><reported/></x>",
                StanzaParseError::invalid("x", "second reported element", ""),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                DataForm::try_from(element(text)).as_ref(),
                Err(expected),
                "{text}"
            );
        }
        assert!(matches!(
            DataForm::try_from(element("<x xmlns='jabber:x:oob'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }

    #[test]
    fn submit_and_validate() {
        let form = DataForm::try_from(element(FORM)).unwrap();
        let submit = DataForm::submit_from(
            &form,
            [
                ("botname", vec!["The Jabber Google Bot"]),
                ("features", vec!["news", "search"]),
                ("extra", vec!["x"]),
            ],
        );
        assert_eq!(submit.kind, FormType::Submit);
        assert_eq!(submit.form_type(), Some("jabber:bot"));
        assert_eq!(submit.field(FORM_TYPE).unwrap().kind, FieldType::Hidden);
        assert_eq!(submit.value("botname"), Some("The Jabber Google Bot"));
        assert_eq!(submit.value("maxsubs"), Some("20"), "defaults kept");
        assert_eq!(submit.fields.last().unwrap().var.as_deref(), Some("extra"));
        assert!(submit.fields.iter().all(|f| f.kind != FieldType::Fixed));
        assert_eq!(form.missing_required(&submit), ["public"]);
        let err = form.validate_submission(&submit).unwrap_err();
        assert_eq!(err.to_string(), "required form fields are missing: public");
        let submit = DataForm::submit_from(&form, [("public", ["1"])]);
        assert_eq!(submit.field("public").unwrap().bool_value(), Some(true));
        assert_eq!(form.validate_submission(&submit), Ok(()));
    }

    #[test]
    fn debug_hides_secrets() {
        let form = DataForm::new(FormType::Submit)
            .with_field(Field::text_single("password", "hunter2"))
            .with_field(Field::new("pin", FieldType::TextPrivate).with_value("1234"));
        let debug = format!("{form:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("1234"),
            "{debug}"
        );
    }
}
