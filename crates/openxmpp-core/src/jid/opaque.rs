//! The OpaqueString profile as our resourceparts apply it: RFC 8265 §4.2, with two
//! deliberate deviations so that the nicknames people really use are valid addresses.
//!
//! 1. Symbols and emoji assigned after `precis-core`'s Unicode 6.3 tables are accepted as
//!    they are ([`newer_symbols`]); RFC 8264 allows them under current Unicode.
//! 2. The joiners, variation selectors and tag characters of emoji sequences (👩‍💻, ❤️, 1️⃣,
//!    🏴󠁧󠁢󠁳󠁣󠁴󠁿) are accepted where they form such a sequence ([`emoji`]). Strict RFC 8265 refuses
//!    them (U+200D is CONTEXTJ, the others are default-ignorable). Servers differ here:
//!    stringprep's Resourceprep (RFC 3920, still used by many servers) maps the joiner and
//!    the variation selectors to nothing and prohibits the tags, PRECIS refuses all of them,
//!    and some MUC services pass room nicknames through as users typed them. We accept them
//!    so that emoji nicknames work, and keep them unchanged so that the address we show and
//!    send back is the one the server sent (a room that normalised our nickname says so with
//!    its self-presence).
//!
//! Everything else is the strict profile: the text between accepted code points is enforced
//! piece by piece with OpaqueString. The accepted code points are starters (canonical
//! combining class 0) that take part in no canonical composition, so normalising the pieces
//! separately gives the same result as normalising the whole string.
//!
//! [`newer_symbols`]: super::newer_symbols
//! [`emoji`]: super::emoji

use precis_core::profile::PrecisFastInvocation;
use precis_profiles::OpaqueString;

use super::{emoji, newer_symbols};

/// OpaqueString enforcement with the two deviations above. Returns `None` when `s` contains
/// nothing they accept (the strict profile's verdict stands). Error positions count the
/// characters of the whole string.
pub(crate) fn enforce(s: &str) -> Option<Result<String, precis_core::Error>> {
    let chars: Vec<char> = s.chars().collect();
    let sequences = emoji::sequence_marks(&chars);
    let kept = |i: usize, c: char| {
        sequences.get(i).copied().unwrap_or(false) || newer_symbols::is_newer_symbol(c)
    };
    if !chars.iter().enumerate().any(|(i, &c)| kept(i, c)) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut piece = String::new();
    let mut piece_start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if kept(i, c) {
            if let Err(e) = push_enforced(&mut out, &piece, piece_start) {
                return Some(Err(e));
            }
            piece.clear();
            piece_start = i + 1;
            out.push(c);
        } else {
            piece.push(c);
        }
    }
    if let Err(e) = push_enforced(&mut out, &piece, piece_start) {
        return Some(Err(e));
    }
    Some(Ok(out))
}

/// Appends the OpaqueString form of a piece (nothing if it is empty); an error's position is
/// shifted by `start`, the piece's first character in the whole string.
fn push_enforced(out: &mut String, piece: &str, start: usize) -> Result<(), precis_core::Error> {
    if piece.is_empty() {
        return Ok(());
    }
    match OpaqueString::enforce(piece) {
        Ok(enforced) => {
            out.push_str(&enforced);
            Ok(())
        }
        Err(precis_core::Error::BadCodepoint(mut info)) => {
            info.position += start;
            Err(precis_core::Error::BadCodepoint(info))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_verdict_stands_without_accepted_code_points() {
        assert_eq!(enforce("abc"), None);
        assert_eq!(enforce("a\u{200d}b"), None);
        assert_eq!(enforce("\u{fe0f}"), None);
    }

    #[test]
    fn pieces_between_accepted_code_points_are_enforced() {
        assert_eq!(
            enforce("caf\u{65}\u{301}🤔a\u{3000}b🥰"),
            Some(Ok("caf\u{e9}🤔a b🥰".to_owned()))
        );
        assert_eq!(
            enforce("❤\u{fe0f} caf\u{65}\u{301}"),
            Some(Ok("❤\u{fe0f} caf\u{e9}".to_owned()))
        );
        assert_eq!(
            enforce("👩\u{200d}💻\u{3000}dev"),
            Some(Ok("👩\u{200d}💻 dev".to_owned()))
        );
    }

    #[test]
    fn errors_name_the_position_in_the_whole_string() {
        match enforce("🤔ab\u{1}") {
            Some(Err(precis_core::Error::BadCodepoint(info))) => {
                assert_eq!((info.cp, info.position), (1, 3));
            }
            other => panic!("{other:?}"),
        }
        // A misplaced joiner next to a valid sequence is still refused.
        assert!(matches!(enforce("❤\u{fe0f}a\u{200d}b"), Some(Err(_))));
    }
}
