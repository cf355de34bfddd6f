//! The children stream and stanza errors share (RFC 6120 §4.9.2, §8.3.2): one defined
//! condition (whose text may carry an address, for `see-other-host`, `gone`, `redirect`),
//! human-readable texts by language, and an optional application-specific condition.

use crate::stanza::LangTexts;
use crate::xml::{Element, Node};

/// What an error element carries besides its own attributes.
pub(super) struct ErrorBody {
    /// The first child in the conditions namespace other than `<text/>`.
    pub(super) condition: Option<Element>,
    pub(super) texts: LangTexts,
    pub(super) application: Option<Element>,
}

impl ErrorBody {
    /// Reads the children of an error element whose conditions live in `conditions_ns`.
    pub(super) fn read(nodes: Vec<Node>, conditions_ns: &str) -> Self {
        let mut body = ErrorBody {
            condition: None,
            texts: LangTexts::new(),
            application: None,
        };
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if child.ns() == conditions_ns {
                if child.name() == "text" {
                    let lang = child.lang().map(str::to_owned);
                    body.texts.push(lang, child.into_text());
                } else if body.condition.is_none() {
                    body.condition = Some(child);
                }
            } else if body.application.is_none() {
                body.application = Some(child);
            }
        }
        body
    }

    /// Appends the condition (with its text, if any), the texts and the application element.
    pub(super) fn write(
        element: &mut Element,
        conditions_ns: &'static str,
        condition: &'static str,
        condition_text: Option<String>,
        texts: &LangTexts,
        application: Option<Element>,
    ) {
        let mut child = Element::new(condition, conditions_ns);
        if let Some(text) = condition_text {
            child.append_text_string(text);
        }
        element.append_child(child);
        for text in texts {
            let mut child = Element::new("text", conditions_ns);
            if let Some(lang) = &text.lang {
                child.set_lang(lang.clone());
            }
            child.append_text(&text.text);
            element.append_child(child);
        }
        if let Some(application) = application {
            element.append_child(application);
        }
    }
}

/// A condition element's text, if it has any that is not whitespace.
pub(super) fn condition_text(condition: Element) -> Option<String> {
    let text = condition.into_text();
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}
