//! The XML trace: every first-level element sent and received, as text, for an application
//! that shows the traffic (a console's `xml on`). Off by default. Secrets are never traced:
//! SASL exchanges, `<password/>` elements and data form fields named `password` are redacted.

use super::{Connection, Event};
use crate::ns;
use crate::xml::Element;

/// Which way traced XML went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlDirection {
    /// We sent it.
    Sent,
    /// The server sent it.
    Received,
}

/// The text that stands for a secret in the trace.
const REDACTED: &str = "[redacted]";

impl Connection {
    /// Turns the XML trace on or off: while on, [`Event::Xml`] reports every first-level
    /// element sent and received (secrets redacted).
    pub fn set_xml_trace(&mut self, on: bool) {
        self.xml_trace = on;
    }

    pub(super) fn trace_xml(&mut self, direction: XmlDirection, element: &Element) {
        if !self.xml_trace {
            return;
        }
        let xml = if element.ns() == ns::SASL {
            redact_all_text(element).to_string()
        } else if has_secret(element) {
            redact_secrets(element).to_string()
        } else {
            element.to_string()
        };
        self.events.push_back(Event::Xml { direction, xml });
    }
}

fn is_secret(element: &Element) -> bool {
    element.name() == "password"
        || (element.name() == "field" && element.attr("var") == Some("password"))
}

fn has_secret(element: &Element) -> bool {
    is_secret(element) || element.children().any(has_secret)
}

/// `element`'s name, namespace and attributes, with `[redacted]` as its only content.
fn emptied(element: &Element) -> Element {
    let mut copy = Element::new(element.name().to_owned(), element.ns().to_owned());
    for attr in element.attrs() {
        copy.set_attribute(attr.clone());
    }
    copy.append_text(REDACTED);
    copy
}

/// A copy of a SASL element with its content (credentials, proofs) replaced.
fn redact_all_text(element: &Element) -> Element {
    if element.nodes().is_empty() {
        element.clone()
    } else {
        emptied(element)
    }
}

/// A copy of `element` with every secret's content replaced.
fn redact_secrets(element: &Element) -> Element {
    if is_secret(element) {
        return emptied(element);
    }
    let mut copy = element.clone();
    redact_children(&mut copy);
    copy
}

fn redact_children(element: &mut Element) {
    for child in element.children_mut() {
        if is_secret(child) {
            *child = emptied(child);
        } else {
            redact_children(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_element;

    #[test]
    fn sasl_content_is_redacted() {
        let auth = parse_element(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABzZWNyZXQ=</auth>",
        )
        .unwrap();
        let traced = redact_all_text(&auth).to_string();
        assert!(!traced.contains("AGp1"), "{traced}");
        assert!(traced.contains("mechanism='PLAIN'") && traced.contains(REDACTED));
    }

    #[test]
    fn passwords_in_registration_and_forms_are_redacted() {
        let iq = parse_element(
            "<iq type='set' id='r1'><query xmlns='jabber:iq:register'><username>bill</username>\
             <password>Calliope</password><x xmlns='jabber:x:data' type='submit'>\
             <field var='password'><value>Calliope</value></field>\
             <field var='username'><value>bill</value></field></x></query></iq>",
        )
        .unwrap();
        assert!(has_secret(&iq));
        let traced = redact_secrets(&iq).to_string();
        assert!(!traced.contains("Calliope"), "{traced}");
        assert!(traced.contains("<username>bill</username>"), "{traced}");
        assert!(traced.contains("<value>bill</value>"), "{traced}");
    }

    #[test]
    fn ordinary_stanzas_are_traced_as_they_are() {
        let message =
            parse_element("<message to='romeo@example.net'><body>password?</body></message>")
                .unwrap();
        assert!(!has_secret(&message));
    }
}
