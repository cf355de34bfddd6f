//! Why an element is not a valid stanza.

use crate::jid::JidError;
use crate::xml::Element;

/// Why an element could not be read as a typed stanza or payload. The connection answers such
/// stanzas with a `bad-request` (or `jid-malformed`) error where the protocol allows, and never
/// panics on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StanzaParseError {
    /// The element is not the expected one.
    #[error("expected <{expected}/> in {ns}, found <{found}/> in {found_ns}")]
    UnexpectedElement {
        /// The expected local name.
        expected: &'static str,
        /// The expected namespace.
        ns: &'static str,
        /// What was found.
        found: String,
        /// Its namespace.
        found_ns: String,
    },
    /// An attribute holds an address that is not a valid JID.
    #[error("the '{attribute}' attribute of <{element}/> is not a valid JID: {source}")]
    InvalidJid {
        /// The element.
        element: &'static str,
        /// The attribute (`to`, `from`, `by`, `jid`…).
        attribute: &'static str,
        /// Why the JID is invalid.
        #[source]
        source: JidError,
    },
    /// An attribute or child has a value outside its defined set.
    #[error("invalid {what} in <{element}/>: {value:?}")]
    InvalidValue {
        /// The element.
        element: &'static str,
        /// What it was (e.g. `type`, `show`, `priority`).
        what: &'static str,
        /// The offending value (at most 64 characters of it).
        value: String,
    },
    /// A required attribute or child is missing.
    #[error("<{element}/> lacks its required {what}")]
    Missing {
        /// The element.
        element: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// An IQ get or set does not have exactly one payload child (RFC 6120 §8.2.3).
    #[error("an IQ of type '{kind}' must have exactly one child element, it has {count}")]
    IqPayloadCount {
        /// `get` or `set`.
        kind: &'static str,
        /// How many child elements it has.
        count: usize,
    },
}

impl StanzaParseError {
    /// An [`StanzaParseError::InvalidValue`] with the value cut to 64 characters.
    pub fn invalid(element: &'static str, what: &'static str, value: &str) -> Self {
        StanzaParseError::InvalidValue {
            element,
            what,
            value: value.chars().take(64).collect(),
        }
    }

    /// An [`StanzaParseError::UnexpectedElement`]: `found` is not `<expected/>` in `ns`.
    pub fn unexpected(expected: &'static str, ns: &'static str, found: &Element) -> Self {
        StanzaParseError::UnexpectedElement {
            expected,
            ns,
            found: found.name().to_owned(),
            found_ns: found.ns().to_owned(),
        }
    }
}
