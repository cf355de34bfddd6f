//! Helpers shared by the per-XEP tests.

use openxmpp_core::xml::Element;

/// Parses one element as it would arrive as a first-level child of a client stream (namespace
/// `jabber:client` by default), panicking with the input if it is not exactly that.
pub(crate) fn element(xml: &str) -> Element {
    openxmpp_core::xml::parse_element(xml).unwrap_or_else(|e| panic!("{xml:?}: {e}"))
}

/// Serializes an element on its own (declaring its namespace), for comparisons.
pub(crate) fn xml(element: &Element) -> String {
    element.to_string()
}
