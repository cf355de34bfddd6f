//! The `<error/>` child of a stanza (RFC 6120 §8.3).

use crate::jid::Jid;
use crate::ns;
use crate::stanza::{LangTexts, StanzaParseError, parse_jid};
use crate::xml::Element;

use super::body::{ErrorBody, condition_text};
use super::{StanzaErrorCondition, StanzaErrorType};

/// A stanza error: recoverable, about one stanza, with a type saying what the sender may do.
///
/// ```
/// use openxmpp_core::error::{StanzaError, StanzaErrorCondition, StanzaErrorType};
/// use openxmpp_core::xml::Element;
///
/// let err = StanzaError::new(StanzaErrorCondition::ItemNotFound).with_text(Some("en"), "no such room");
/// assert_eq!(err.kind, StanzaErrorType::Cancel);
/// let element = Element::from(err.clone());
/// assert_eq!(StanzaError::try_from(element).unwrap(), err);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaError {
    /// What the sender may do about it.
    pub kind: StanzaErrorType,
    /// The defined condition.
    pub condition: StanzaErrorCondition,
    /// For `gone` and `redirect`: the alternative address the condition element carried.
    pub alternative: Option<String>,
    /// Human-readable explanations, by language.
    pub texts: LangTexts,
    /// The entity that generated the error (`by`).
    pub by: Option<Jid>,
    /// An application-specific condition element, if any.
    pub application: Option<Element>,
}

impl StanzaError {
    /// An error with `condition` and the type RFC 6120 gives it.
    pub fn new(condition: StanzaErrorCondition) -> Self {
        Self {
            kind: condition.default_type(),
            condition,
            alternative: None,
            texts: LangTexts::new(),
            by: None,
            application: None,
        }
    }

    /// Sets the type.
    pub fn with_type(mut self, kind: StanzaErrorType) -> Self {
        self.kind = kind;
        self
    }

    /// Adds a human-readable text.
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<String>) -> Self {
        self.texts.set(lang, text);
        self
    }

    /// Adds an application-specific condition element.
    pub fn with_application(mut self, element: Element) -> Self {
        self.application = Some(element);
        self
    }

    /// The explanation to show a user: the text without `xml:lang`, else the first.
    pub fn text(&self) -> Option<&str> {
        self.texts.for_language(None, None)
    }
}

impl std::fmt::Display for StanzaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.condition, self.kind)?;
        if let Some(text) = self.text() {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StanzaError {}

impl TryFrom<Element> for StanzaError {
    type Error = StanzaParseError;

    /// Reads an `<error/>` element. An unknown or missing condition becomes
    /// `undefined-condition` and a missing or unknown type the condition's default, so that an
    /// error from a sloppy peer is still reported rather than dropped.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("error", ns::JABBER_CLIENT) {
            return Err(StanzaParseError::unexpected(
                "error",
                ns::JABBER_CLIENT,
                &element,
            ));
        }
        let kind = element.attr("type").and_then(StanzaErrorType::from_name);
        let by = match element.attr("by") {
            Some(by) => Some(parse_jid("error", "by", by)?),
            None => None,
        };
        let body = ErrorBody::read(element.into_nodes(), ns::STANZA_ERRORS);
        let mut error = StanzaError::new(StanzaErrorCondition::UndefinedCondition);
        error.by = by;
        error.texts = body.texts;
        error.application = body.application;
        if let Some(condition) = body.condition
            && let Some(known) = StanzaErrorCondition::from_name(condition.name())
        {
            error.condition = known;
            error.alternative = condition_text(condition);
        }
        error.kind = kind.unwrap_or(error.condition.default_type());
        Ok(error)
    }
}

impl From<StanzaError> for Element {
    fn from(error: StanzaError) -> Element {
        let mut element = Element::builder("error", ns::JABBER_CLIENT)
            .attr("type", error.kind.name())
            .attr_opt("by", error.by.map(|j| j.as_str().to_owned()))
            .build();
        ErrorBody::write(
            &mut element,
            ns::STANZA_ERRORS,
            error.condition.name(),
            error.alternative,
            &error.texts,
            error.application,
        );
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Element {
        crate::stanza::tests::element(xml)
    }

    #[test]
    fn rfc6120_example_parses() {
        let err = StanzaError::try_from(parse(
            "<error xmlns='jabber:client' type='cancel'>\
               <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
               <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Nope</text>\
               <too-many xmlns='urn:example:app'/>\
             </error>",
        ))
        .unwrap();
        assert_eq!(err.kind, StanzaErrorType::Cancel);
        assert_eq!(err.condition, StanzaErrorCondition::ServiceUnavailable);
        assert_eq!(err.texts.get(Some("en")), Some("Nope"));
        assert_eq!(err.application.as_ref().map(|a| a.name()), Some("too-many"));
        assert_eq!(err.to_string(), "service-unavailable (cancel): Nope");
    }

    #[test]
    fn redirect_keeps_its_address_and_round_trips() {
        let err = StanzaError::try_from(parse(
            "<error xmlns='jabber:client' type='modify' by='room@muc.example'>\
               <redirect xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:other@example.com</redirect>\
             </error>",
        ))
        .unwrap();
        assert_eq!(err.alternative.as_deref(), Some("xmpp:other@example.com"));
        assert_eq!(
            err.by.as_ref().map(|j| j.as_str()),
            Some("room@muc.example")
        );
        let again = StanzaError::try_from(Element::from(err.clone())).unwrap();
        assert_eq!(again, err);
    }

    #[test]
    fn sloppy_errors_are_still_reported() {
        let err = StanzaError::try_from(parse(
            "<error xmlns='jabber:client' type='bogus'><made-up xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
        ))
        .unwrap();
        assert_eq!(err.condition, StanzaErrorCondition::UndefinedCondition);
        assert_eq!(err.kind, StanzaErrorType::Cancel);
        let empty = StanzaError::try_from(parse("<error xmlns='jabber:client'/>")).unwrap();
        assert_eq!(empty.condition, StanzaErrorCondition::UndefinedCondition);
    }

    #[test]
    fn invalid_input_is_refused() {
        assert!(matches!(
            StanzaError::try_from(parse("<failure xmlns='jabber:client'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            StanzaError::try_from(parse("<error xmlns='jabber:client' by='@bad'/>")),
            Err(StanzaParseError::InvalidJid {
                attribute: "by",
                ..
            })
        ));
    }
}
