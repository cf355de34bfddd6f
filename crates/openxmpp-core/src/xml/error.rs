//! Why the parser refused a stream.

use std::fmt;

/// A parser limit (see [`ParserLimits`](super::ParserLimits)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A first-level element (stanza or nonza), or the stream header, is too large.
    StanzaSize,
    /// Elements are nested too deeply.
    Depth,
    /// An element has too many attributes (namespace declarations included).
    Attributes,
    /// Too many namespace declarations are in scope.
    NamespaceBindings,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::StanzaSize => "stanza size",
            Limit::Depth => "nesting depth",
            Limit::Attributes => "attribute count",
            Limit::NamespaceBindings => "namespace declaration count",
        })
    }
}

/// A fatal error in the incoming XML stream.
///
/// Every variant maps to the stream error condition to send to the peer (RFC 6120 §4.9.3) with
/// [`XmlError::condition`]. Once the parser has returned an error it keeps returning it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The tokenizer found malformed markup.
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// The input is not valid UTF-8 (including overlong encodings and surrogates).
    #[error("invalid UTF-8 in the stream")]
    InvalidUtf8,
    /// A character that XML 1.0 does not allow, literal or as a character reference.
    #[error("character U+{0:04X} is not allowed in XML")]
    InvalidChar(u32),
    /// A malformed character reference (`&#...;`).
    #[error("malformed character reference `&{0};`")]
    InvalidCharRef(String),
    /// An element or attribute name that is not a valid (qualified) XML name.
    #[error("invalid XML name `{0}`")]
    InvalidName(String),
    /// An end tag that does not close the innermost open element.
    #[error("end tag `</{found}>` does not match `<{expected}>`")]
    MismatchedEndTag {
        /// The qualified name of the open element.
        expected: String,
        /// The qualified name in the end tag.
        found: String,
    },
    /// An attribute appears twice on one element.
    #[error("duplicate attribute `{0}`")]
    DuplicateAttribute(String),
    /// Non-whitespace text directly inside `<stream:stream>` or outside of it.
    #[error("text outside of any stanza")]
    TextOutsideStanza,
    /// Data after `</stream:stream>`, or a second root element.
    #[error("data after the end of the stream")]
    AfterStreamEnd,
    /// The XML declaration is not at the very start of the stream, or is malformed.
    #[error("misplaced or malformed XML declaration")]
    BadDeclaration,
    /// A comment (RFC 6120 §11.1).
    #[error("comments are not allowed in XMPP")]
    Comment,
    /// A processing instruction (RFC 6120 §11.1).
    #[error("processing instructions are not allowed in XMPP")]
    ProcessingInstruction,
    /// A document type declaration (RFC 6120 §11.1).
    #[error("DTDs are not allowed in XMPP")]
    Doctype,
    /// An entity reference other than the five predefined ones (RFC 6120 §11.1).
    #[error("entity reference `&{0};` is not allowed in XMPP")]
    EntityReference(String),
    /// The XML declaration names an encoding other than UTF-8.
    #[error("unsupported encoding `{0}`")]
    UnsupportedEncoding(String),
    /// A prefix used without a declaration in scope.
    #[error("namespace prefix `{0}` is not bound")]
    UnboundPrefix(String),
    /// A namespace declaration that XML namespaces forbid (binding `xmlns`, rebinding `xml`,
    /// an empty namespace for a prefix).
    #[error("invalid namespace declaration `{0}`")]
    BadNamespaceDeclaration(String),
    /// The stream element is in the stream namespace but not with the `stream` prefix.
    #[error("the stream namespace must use the `stream` prefix")]
    StreamPrefix,
    /// The root element is not `<stream:stream>` in the stream namespace, or the stream has no
    /// content namespace.
    #[error("invalid stream namespace or element: {0}")]
    InvalidNamespace(String),
    /// A `<stream:stream>` start tag inside the stream, where a stanza should start.
    #[error("a stream header inside the stream")]
    NestedStream,
    /// A limit of [`ParserLimits`](super::ParserLimits) was exceeded.
    #[error("{0} limit exceeded")]
    LimitExceeded(Limit),
}

impl XmlError {
    /// The RFC 6120 §4.9.3 stream error condition to send for this error, e.g.
    /// `"not-well-formed"` or `"policy-violation"`.
    pub fn condition(&self) -> &'static str {
        match self {
            XmlError::Syntax(_)
            | XmlError::InvalidUtf8
            | XmlError::InvalidChar(_)
            | XmlError::InvalidCharRef(_)
            | XmlError::InvalidName(_)
            | XmlError::MismatchedEndTag { .. }
            | XmlError::DuplicateAttribute(_)
            | XmlError::AfterStreamEnd
            | XmlError::BadDeclaration => "not-well-formed",
            XmlError::TextOutsideStanza => "bad-format",
            XmlError::Comment
            | XmlError::ProcessingInstruction
            | XmlError::Doctype
            | XmlError::EntityReference(_) => "restricted-xml",
            XmlError::UnsupportedEncoding(_) => "unsupported-encoding",
            XmlError::UnboundPrefix(_)
            | XmlError::BadNamespaceDeclaration(_)
            | XmlError::StreamPrefix => "bad-namespace-prefix",
            XmlError::InvalidNamespace(_) => "invalid-namespace",
            XmlError::NestedStream => "invalid-xml",
            XmlError::LimitExceeded(_) => "policy-violation",
        }
    }
}

impl From<quick_xml::Error> for XmlError {
    fn from(e: quick_xml::Error) -> Self {
        match e {
            quick_xml::Error::Encoding(_) => XmlError::InvalidUtf8,
            other => XmlError::Syntax(other.to_string()),
        }
    }
}

impl From<quick_xml::events::attributes::AttrError> for XmlError {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        XmlError::Syntax(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        assert_eq!(XmlError::Comment.condition(), "restricted-xml");
        assert_eq!(XmlError::InvalidUtf8.condition(), "not-well-formed");
        assert_eq!(
            XmlError::LimitExceeded(Limit::Depth).condition(),
            "policy-violation"
        );
        assert_eq!(
            XmlError::UnboundPrefix("a".into()).condition(),
            "bad-namespace-prefix"
        );
        assert_eq!(
            XmlError::LimitExceeded(Limit::StanzaSize).to_string(),
            "stanza size limit exceeded"
        );
    }
}
