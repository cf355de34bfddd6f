//! Emoji sequences in resourceparts (UTS #51 §1.4).
//!
//! Many emoji are not one code point but a sequence held together by code points that PRECIS
//! disallows (RFC 8264 §9): 👩‍💻 is WOMAN, U+200D ZERO WIDTH JOINER, PERSONAL COMPUTER; ❤️ is
//! HEAVY BLACK HEART with U+FE0F VARIATION SELECTOR-16; 1️⃣ is `1`, U+FE0F, U+20E3 COMBINING
//! ENCLOSING KEYCAP; 🏴󠁧󠁢󠁳󠁣󠁴󠁿 is WAVING BLACK FLAG, the tag characters `gbsct` and U+E007F CANCEL TAG.
//! The joiner is CONTEXTJ (valid only after a virama), the variation selectors and the tags are
//! default-ignorable, so a strict OpaqueString refuses all of these, and with them the emoji
//! nicknames people pick in chat rooms.
//!
//! This module finds those code points where, and only where, they form an emoji sequence:
//!
//! - U+200D between two pictographic characters (the one before may carry a variation
//!   selector or a skin-tone modifier);
//! - U+FE0E and U+FE0F directly after a character with the Emoji property (this includes the
//!   keycap bases `0`–`9`, `#` and `*`);
//! - U+E0020–U+E007E directly after WAVING BLACK FLAG, as a run closed by U+E007F (a
//!   subdivision flag).
//!
//! A lone joiner, a joiner between letters, a selector at the start or after another selector,
//! and a tag outside a flag stay refused. U+20E3 needs nothing from here: it is an enclosing
//! mark, which the FreeformClass allows anyway.

use icu_properties::CodePointSetData;
use icu_properties::props::{Emoji, ExtendedPictographic};

/// ZERO WIDTH JOINER.
const ZWJ: char = '\u{200d}';
/// VARIATION SELECTOR-15 (text presentation).
const VS15: char = '\u{fe0e}';
/// VARIATION SELECTOR-16 (emoji presentation).
const VS16: char = '\u{fe0f}';
/// WAVING BLACK FLAG, the base of subdivision flags.
const FLAG: char = '\u{1f3f4}';
/// CANCEL TAG, the end of a tag sequence.
const CANCEL_TAG: char = '\u{e007f}';
/// The tag characters a flag's tag run may hold.
const TAGS: std::ops::RangeInclusive<char> = '\u{e0020}'..='\u{e007e}';

/// Whether `c` has the Emoji property (a variation selector may follow it).
fn is_emoji(c: char) -> bool {
    CodePointSetData::new::<Emoji>().contains(c)
}

/// Whether `c` can stand on either side of a joiner: an extended pictographic character or a
/// non-ASCII emoji (skin-tone modifiers, hair components). ASCII digits and `#`/`*` have the
/// Emoji property for keycaps but never join.
fn is_pictographic(c: char) -> bool {
    CodePointSetData::new::<ExtendedPictographic>().contains(c) || (!c.is_ascii() && is_emoji(c))
}

/// For each character of `chars`, whether it is a joiner, variation selector or tag that sits
/// in an emoji sequence (see the module documentation). Characters of any other kind are
/// never marked. One pass, so hostile input costs linear time.
pub(crate) fn sequence_marks(chars: &[char]) -> Vec<bool> {
    let mut marks = vec![false; chars.len()];
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        match c {
            ZWJ => {
                // Skip one variation selector back to the emoji it dresses.
                let base = match before {
                    Some(VS15 | VS16) => i.checked_sub(2).and_then(|j| chars.get(j)).copied(),
                    other => other,
                };
                let after = chars.get(i + 1).copied();
                let joins = base.is_some_and(is_pictographic) && after.is_some_and(is_pictographic);
                set(&mut marks, i, joins);
            }
            VS15 | VS16 => set(&mut marks, i, before.is_some_and(is_emoji)),
            FLAG => {
                let run = chars
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&c| TAGS.contains(&c))
                    .count();
                let end = i + 1 + run;
                if run > 0 && chars.get(end) == Some(&CANCEL_TAG) {
                    for j in i + 1..=end {
                        set(&mut marks, j, true);
                    }
                    i = end + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    marks
}

fn set(marks: &mut [bool], i: usize, value: bool) {
    if let Some(mark) = marks.get_mut(i) {
        *mark = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marked characters of `s`, as a string.
    fn marked(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let marks = sequence_marks(&chars);
        chars
            .iter()
            .zip(marks)
            .filter(|(_, m)| *m)
            .map(|(c, _)| c)
            .collect()
    }

    #[test]
    fn joiners_between_pictographs() {
        assert_eq!(marked("👩\u{200d}💻"), "\u{200d}");
        assert_eq!(marked("👩\u{200d}👩\u{200d}👧"), "\u{200d}\u{200d}");
        // Rainbow flag: the joiner follows a variation selector.
        assert_eq!(marked("🏳\u{fe0f}\u{200d}🌈"), "\u{fe0f}\u{200d}");
        // Skin tone before the joiner, a hair component after it.
        assert_eq!(marked("👩\u{1f3fd}\u{200d}🦰"), "\u{200d}");
        // Gendered: MAN + ZWJ + MALE SIGN + VS16.
        assert_eq!(marked("🧔\u{200d}♂\u{fe0f}"), "\u{200d}\u{fe0f}");
    }

    #[test]
    fn misplaced_joiners_are_not_marked() {
        for s in [
            "\u{200d}",
            "a\u{200d}b",
            "1\u{200d}2",
            "👩\u{200d}",
            "\u{200d}💻",
            "👩\u{200d}a",
            "a\u{200d}💻",
            "👩\u{200d}\u{200d}💻",
            "👩 \u{200d}💻",
        ] {
            assert_eq!(marked(s), "", "{s:?}");
        }
    }

    #[test]
    fn variation_selectors_after_emoji_only() {
        assert_eq!(marked("❤\u{fe0f}"), "\u{fe0f}");
        assert_eq!(marked("☺\u{fe0f}"), "\u{fe0f}");
        assert_eq!(marked("☺\u{fe0e}"), "\u{fe0e}");
        assert_eq!(marked("1\u{fe0f}\u{20e3}"), "\u{fe0f}");
        for s in [
            "\u{fe0f}",
            "a\u{fe0f}",
            "❤\u{fe0f}\u{fe0f}",
            "👩\u{200d}\u{fe0f}",
        ] {
            let chars: Vec<char> = s.chars().collect();
            let last = sequence_marks(&chars).last().copied();
            assert_eq!(last, Some(false), "{s:?}");
        }
    }

    #[test]
    fn tags_only_in_flags() {
        let scotland = "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        assert_eq!(marked(scotland).chars().count(), 6);
        assert_eq!(marked(&format!("a{scotland}b")).chars().count(), 6);
        for s in [
            "\u{e0067}\u{e007f}",
            "a\u{e0067}\u{e007f}",
            "🏴\u{e007f}",
            "🏴\u{e0067}\u{e0062}",
            "🏴\u{e0067}x\u{e007f}",
            "\u{e007f}",
        ] {
            assert_eq!(marked(s), "", "{s:?}");
        }
    }
}
