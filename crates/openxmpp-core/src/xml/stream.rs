//! The stream header and the events of an incoming stream.

use super::element::{Attribute, Element};
use super::ns;

/// The attributes of a `<stream:stream>` start tag (RFC 6120 §4.7).
///
/// Parsed from the peer's header by the [`StreamParser`](super::StreamParser), and written for
/// our own header by [`write_stream_header`](super::write_stream_header).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamHeader {
    /// `from`.
    pub from: Option<String>,
    /// `to`.
    pub to: Option<String>,
    /// `id` (the stream id, set by the receiving entity).
    pub id: Option<String>,
    /// `version`, `"1.0"` for RFC 6120 streams.
    pub version: Option<String>,
    /// `xml:lang`, the default language of the stream's stanzas.
    pub lang: Option<String>,
    /// The content namespace declared as default namespace, e.g. `jabber:client`.
    pub content_ns: String,
    /// Any other attributes, in document order.
    pub attributes: Vec<Attribute>,
}

impl StreamHeader {
    /// The header a client sends to open a stream to `domain`: `jabber:client`, version 1.0.
    pub fn client(domain: impl Into<String>) -> Self {
        StreamHeader {
            to: Some(domain.into()),
            version: Some("1.0".to_owned()),
            content_ns: ns::CLIENT.to_owned(),
            ..StreamHeader::default()
        }
    }
}

/// What the [`StreamParser`](super::StreamParser) recognized in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// The peer opened the stream with `<stream:stream …>`.
    StreamOpen(StreamHeader),
    /// A complete first-level child of the stream: a stanza, `<stream:features>`,
    /// `<stream:error>`, or a TLS/SASL/stream-management nonza.
    Stanza(Element),
    /// The peer closed the stream with `</stream:stream>`.
    StreamClose,
}
