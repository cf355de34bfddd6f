//! The incremental, restricted XML stream parser and the XML writer (RFC 6120 §4, §11).
//!
//! - [`Element`]: the owned element stanzas are parsed into and built from.
//! - [`StreamParser`]: sans-IO parser; bytes in (split anywhere), [`StreamEvent`]s out.
//! - [`write_stream_header`], [`write_stanza`], [`write_element`], [`write_stream_close`]:
//!   serialization into a caller-provided `Vec<u8>`.
//! - [`XmlError`]: why a stream was refused, with the stream error condition to send.
//!
//! Files: `element.rs` (the tree), `parser.rs` (buffering and the quick-xml tokenizer loop),
//! `framer.rs` (incremental end-of-token search), `tree.rs` (tokens to events: namespaces,
//! restrictions, limits), `escape.rs` (character rules), `writer.rs`, `ns.rs`, `stream.rs`,
//! `limits.rs`, `error.rs`.

mod element;
mod error;
mod escape;
mod framer;
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
pub use limits::ParserLimits;
pub use parser::StreamParser;
pub use stream::{StreamEvent, StreamHeader};
pub use writer::{write_element, write_stanza, write_stream_close, write_stream_header};
