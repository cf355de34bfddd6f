//! Helpers shared by the per-XEP tests.

use openxmpp_core::xml::Element;

/// Parses one element as it would arrive as a first-level child of a client stream (namespace
/// `jabber:client` by default), panicking with the input if it is not exactly that.
///
/// With `OPENXMPP_FUZZ_SEEDS=DIR`, keeps `xml` in `DIR/stanza/` for the fuzz seeds
/// (`cargo xtask fuzz seeds`).
pub(crate) fn element(xml: &str) -> Element {
    if let Some(dir) = std::env::var_os("OPENXMPP_FUZZ_SEEDS") {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        xml.hash(&mut hasher);
        let dir = std::path::Path::new(&dir).join("stanza");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("im-{:016x}.xml", hasher.finish())), xml);
    }
    openxmpp_core::xml::parse_element(xml).unwrap_or_else(|e| panic!("{xml:?}: {e}"))
}

/// Serializes an element on its own (declaring its namespace), for comparisons.
pub(crate) fn xml(element: &Element) -> String {
    element.to_string()
}
