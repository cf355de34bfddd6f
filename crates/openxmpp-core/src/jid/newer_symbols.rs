//! Symbols and emoji newer than the PRECIS tables.
//!
//! `precis-core` derives its code point properties from Unicode 6.3 (the version of the IANA
//! PRECIS registry), so every emoji or symbol assigned since 2013 (🤔, 🥰, the skin-tone
//! modifiers, …) is "unassigned" there and an OpaqueString would reject it. RFC 8264 derives
//! properties from whatever Unicode version an implementation supports, and under current
//! Unicode such a code point is a symbol (general category So or Sk), which the FreeformClass
//! allows. Servers let these through in resourceparts (room nicknames especially), so a
//! client that refuses them cannot even read the `from` of such stanzas.
//!
//! This module recognises exactly those code points, using the current Unicode data of
//! `icu_properties`; [`opaque`](super::opaque) keeps them as they are and enforces the
//! OpaqueString profile on the text between them.

use icu_properties::props::{CanonicalCombiningClass, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use precis_core::{DerivedPropertyValue, FreeformClass, StringClass};

/// Whether `c` is unassigned in `precis-core`'s Unicode 6.3 tables but a symbol (So, Sk) in
/// current Unicode that is neither default-ignorable nor a combining character.
pub(crate) fn is_newer_symbol(c: char) -> bool {
    FreeformClass::default().get_value_from_char(c) == DerivedPropertyValue::Unassigned
        && matches!(
            CodePointMapData::<GeneralCategory>::new().get(c),
            GeneralCategory::OtherSymbol | GeneralCategory::ModifierSymbol
        )
        && !CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        && CodePointMapData::<CanonicalCombiningClass>::new().get(c)
            == CanonicalCombiningClass::NotReordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_newer_symbols() {
        assert!(is_newer_symbol('🤔')); // Unicode 8.0
        assert!(is_newer_symbol('🥰')); // Unicode 11.0
        assert!(is_newer_symbol('\u{1f3fd}')); // skin tone modifier, Sk
        assert!(!is_newer_symbol('🎸')); // Unicode 6.0: PRECIS knows it
        assert!(!is_newer_symbol('a'));
        assert!(!is_newer_symbol('\u{fe0f}')); // variation selector: default-ignorable
        assert!(!is_newer_symbol('\u{e0080}')); // still unassigned
        assert!(!is_newer_symbol('\u{10ffff}')); // noncharacter
    }
}
