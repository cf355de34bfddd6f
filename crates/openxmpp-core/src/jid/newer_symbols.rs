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
//! `icu_properties`, and enforces the OpaqueString profile on the text between them. Symbols
//! are starters (canonical combining class 0) that take part in no canonical composition, so
//! normalising the pieces separately gives the same result as normalising the whole.

use icu_properties::props::{CanonicalCombiningClass, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use precis_core::profile::PrecisFastInvocation;
use precis_core::{DerivedPropertyValue, FreeformClass, StringClass};
use precis_profiles::OpaqueString;

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

/// OpaqueString enforcement that accepts [newer symbols](is_newer_symbol) as they are.
/// Returns `None` when `s` contains none (the caller's error stands).
pub(crate) fn enforce_opaque(s: &str) -> Option<Result<String, precis_core::Error>> {
    if !s.chars().any(is_newer_symbol) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut start = 0;
    for (i, c) in s.char_indices().filter(|&(_, c)| is_newer_symbol(c)) {
        if let Err(e) = push_enforced(&mut out, s.get(start..i)) {
            return Some(Err(e));
        }
        out.push(c);
        start = i + c.len_utf8();
    }
    if let Err(e) = push_enforced(&mut out, s.get(start..)) {
        return Some(Err(e));
    }
    Some(Ok(out))
}

/// Appends the OpaqueString form of a piece between newer symbols (nothing if it is empty).
fn push_enforced(out: &mut String, piece: Option<&str>) -> Result<(), precis_core::Error> {
    match piece {
        Some(piece) if !piece.is_empty() => {
            out.push_str(&OpaqueString::enforce(piece)?);
            Ok(())
        }
        _ => Ok(()),
    }
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

    #[test]
    fn pieces_between_symbols_are_enforced() {
        assert_eq!(enforce_opaque("abc"), None);
        assert_eq!(
            enforce_opaque("caf\u{65}\u{301}🤔a\u{3000}b🥰"),
            Some(Ok("caf\u{e9}🤔a b🥰".to_owned()))
        );
        assert!(matches!(enforce_opaque("🤔\u{1}"), Some(Err(_))));
    }
}
