//! Helpers shared by the per-XEP tests.

use openxmpp_core::xml::{Element, StreamEvent, StreamParser};

/// Parses one element as it would arrive as a first-level child of a client stream (namespace
/// `jabber:client` by default), panicking with the input if it is not exactly that.
pub(crate) fn element(xml: &str) -> Element {
    let mut parser = StreamParser::new();
    parser.feed(
        b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
          version='1.0'>",
    );
    parser.feed(xml.as_bytes());
    loop {
        match parser.next_event() {
            Ok(Some(StreamEvent::StreamOpen(_))) => continue,
            Ok(Some(StreamEvent::Stanza(element))) => return element,
            other => panic!("no element in {xml:?}: {other:?}"),
        }
    }
}

/// Serializes an element on its own (declaring its namespace), for comparisons.
pub(crate) fn xml(element: &Element) -> String {
    element.to_string()
}
