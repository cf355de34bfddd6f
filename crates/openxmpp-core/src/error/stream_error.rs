//! The `<stream:error/>` element (RFC 6120 §4.9).

use crate::ns;
use crate::stanza::{LangTexts, StanzaParseError};
use crate::xml::Element;

use super::StreamErrorCondition;
use super::body::{ErrorBody, condition_text};

/// A stream error: fatal, the stream ends after it.
///
/// ```
/// use openxmpp_core::error::{StreamError, StreamErrorCondition};
/// use openxmpp_core::xml::Element;
///
/// let err = StreamError::see_other_host("[2001:db8::1]:5222");
/// let element = Element::from(err.clone());
/// let again = StreamError::try_from(element).unwrap();
/// assert_eq!(again.condition, StreamErrorCondition::SeeOtherHost);
/// assert_eq!(again.see_other_host.as_deref(), Some("[2001:db8::1]:5222"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// The defined condition.
    pub condition: StreamErrorCondition,
    /// For `see-other-host`: the host (and port) to reconnect to.
    pub see_other_host: Option<String>,
    /// Human-readable explanations, by language.
    pub texts: LangTexts,
    /// An application-specific condition element, if any.
    pub application: Option<Element>,
}

impl StreamError {
    /// A stream error with `condition` and nothing else.
    pub fn new(condition: StreamErrorCondition) -> Self {
        Self {
            condition,
            see_other_host: None,
            texts: LangTexts::new(),
            application: None,
        }
    }

    /// A `see-other-host` error pointing at `host`.
    pub fn see_other_host(host: impl Into<String>) -> Self {
        Self {
            see_other_host: Some(host.into()),
            ..Self::new(StreamErrorCondition::SeeOtherHost)
        }
    }

    /// Adds a human-readable text.
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<String>) -> Self {
        self.texts.set(lang, text);
        self
    }

    /// The explanation to show a user, if the peer gave one.
    pub fn text(&self) -> Option<&str> {
        self.texts.for_language(None, None)
    }
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.condition.name())?;
        if let Some(host) = &self.see_other_host {
            write!(f, " ({host})")?;
        }
        if let Some(text) = self.text() {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StreamError {}

impl TryFrom<Element> for StreamError {
    type Error = StanzaParseError;

    /// Reads a `<stream:error/>`; an unknown or missing condition becomes `undefined-condition`.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("error", ns::STREAM) {
            return Err(StanzaParseError::unexpected("error", ns::STREAM, &element));
        }
        let body = ErrorBody::read(element.into_nodes(), ns::STREAM_ERRORS);
        let mut error = StreamError::new(StreamErrorCondition::UndefinedCondition);
        error.texts = body.texts;
        error.application = body.application;
        if let Some(condition) = body.condition
            && let Some(known) = StreamErrorCondition::from_name(condition.name())
        {
            error.condition = known;
            if known == StreamErrorCondition::SeeOtherHost {
                error.see_other_host = condition_text(condition);
            }
        }
        Ok(error)
    }
}

impl From<StreamError> for Element {
    fn from(error: StreamError) -> Element {
        let mut element = Element::new("error", ns::STREAM);
        ErrorBody::write(
            &mut element,
            ns::STREAM_ERRORS,
            error.condition.name(),
            error.see_other_host,
            &error.texts,
            error.application,
        );
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_round_trips() {
        for &condition in StreamErrorCondition::ALL {
            let err = StreamError::new(condition).with_text(Some("en"), "why");
            let again = StreamError::try_from(Element::from(err.clone())).unwrap();
            assert_eq!(again, err);
        }
    }

    #[test]
    fn rfc6120_example_parses() {
        let element = crate::stanza::tests::element(
            "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
               <not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
               <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>bad</text>\
               <escape-your-data xmlns='http://example.org/ns'/>\
             </stream:error>",
        );
        let err = StreamError::try_from(element).unwrap();
        assert_eq!(err.condition, StreamErrorCondition::NotWellFormed);
        assert_eq!(err.text(), Some("bad"));
        assert_eq!(
            err.application.map(|a| a.name().to_owned()).as_deref(),
            Some("escape-your-data")
        );
    }

    #[test]
    fn unknown_condition_is_undefined() {
        let element = crate::stanza::tests::element(
            "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><x xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        );
        let err = StreamError::try_from(element).unwrap();
        assert_eq!(err.condition, StreamErrorCondition::UndefinedCondition);
    }
}
