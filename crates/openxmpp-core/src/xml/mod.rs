//! The incremental, restricted XML stream parser and the XML writer (RFC 6120 §4, §11).
//!
//! - [`Element`]: the owned element stanzas are parsed into and built from.
//! - [`StreamParser`]: sans-IO parser; bytes in (split anywhere), [`StreamEvent`]s out.
//! - [`write_stream_header`], [`write_stanza`], [`write_element`], [`write_stream_close`]:
//!   serialization into a caller-provided `Vec<u8>`.
//! - [`XmlError`]: why a stream was refused, with the stream error condition to send.
//!
//! # Behaviour worth knowing
//!
//! - Restricted XML (RFC 6120 §11.1): comments, processing instructions, DTDs and entity
//!   references other than the five predefined ones are refused (`restricted-xml`); the XML
//!   declaration is accepted only before the stream header (whitespace before it is tolerated)
//!   and must declare UTF-8 if it declares an encoding.
//! - XML 1.0 normalization is applied: `\r\n`/`\r` become `\n` in text; tab, CR and LF in
//!   attribute values become spaces (character references excepted). The writer emits
//!   `&#xD;`, `&#x9;`, `&#xA;` where needed so that values survive a round trip.
//! - Whitespace between stanzas is dropped as it arrives; other text there is `bad-format`.
//! - Stanzas (first-level elements in the stream's content namespace) without `xml:lang` get the
//!   stream's as an attribute, so [`Element::lang`] on a stanza is its effective language.
//! - A UTF-8 byte order mark at the start of the stream is skipped.
//! - [`StreamParser::reset`] keeps bytes received but not parsed yet: after SASL success they
//!   are the start of the new stream.
//! - The writer quotes attribute values with `'`, replaces characters XML cannot carry with
//!   U+FFFD, and trusts element and attribute names to be valid XML names.
//!
//! Files: `element.rs` (the tree), `parser.rs` (buffering and the quick-xml tokenizer loop),
//! `framer.rs` (incremental end-of-token search), `tree.rs` (tokens to events: namespaces,
//! restrictions, limits), `escape.rs` (character rules), `writer.rs`, `ns.rs`, `stream.rs`,
//! `limits.rs`, `error.rs`.

mod element;
mod error;
mod escape;
mod fragment;
mod framer;
mod lexer;
mod limits;
pub mod ns;
mod parser;
mod stream;
mod tree;
mod writer;

#[cfg(test)]
mod tests;

pub use element::{Attribute, Element, ElementBuilder, Node};
pub use error::{Limit, XmlError};
pub use fragment::{FragmentError, parse_element};
pub use limits::ParserLimits;
pub use parser::StreamParser;
pub use stream::{StreamEvent, StreamHeader};
pub use writer::{write_element, write_stanza, write_stream_close, write_stream_header};
