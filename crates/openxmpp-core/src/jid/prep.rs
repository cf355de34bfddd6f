//! Preparation and enforcement of the three parts of a JID (RFC 7622 §3.2–3.4).
//!
//! Each part has a fast path for ASCII input that the full PRECIS / IDNA machinery would map
//! to itself (or only lower-case); it returns the input borrowed, so a prepared JID costs one
//! allocation. Everything else goes through `precis-profiles` and `idna`. The property tests
//! check that both paths agree on ASCII input. Resourceparts deviate from strict RFC 8265 in
//! two documented ways, so that emoji nicknames work (see [`opaque`]).

use std::borrow::Cow;
use std::net::Ipv6Addr;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use precis_core::profile::PrecisFastInvocation;
use precis_profiles::{OpaqueString, UsernameCaseMapped};

use super::{JidError, opaque};

/// Maximum length in bytes of each part after preparation (RFC 7622 §3.2–3.4).
pub(crate) const MAX_PART_LEN: usize = 1023;

/// Maximum length in bytes of a DNS label in its A-label form.
const MAX_LABEL_LEN: usize = 63;

/// Inputs longer than this are rejected before any mapping is attempted, so a hostile peer
/// cannot make us run PRECIS or IDNA over megabytes. Width mapping and NFC shrink a string by
/// at most a factor of three; eight leaves a wide margin.
const MAX_INPUT_LEN: usize = 8 * MAX_PART_LEN;

/// Characters RFC 7622 §3.3.1 forbids in a localpart (on top of the PRECIS rules).
const LOCAL_FORBIDDEN: &[char] = &['"', '&', '\'', '/', ':', '<', '>', '@'];

/// Prepares and enforces a localpart (PRECIS UsernameCaseMapped, RFC 7622 §3.3).
pub(crate) fn localpart(s: &str) -> Result<Cow<'_, str>, JidError> {
    if s.is_empty() {
        return Err(JidError::EmptyLocal);
    }
    if s.len() > MAX_INPUT_LEN {
        return Err(JidError::LocalTooLong { len: s.len() });
    }
    let prepared = match localpart_fast(s) {
        Some(prepared) => prepared,
        None => memoized(Part::Local, s, localpart_precis)?,
    };
    // The forbidden characters are ASCII, and ASCII bytes only ever stand for themselves in
    // UTF-8: a byte search finds them.
    if let Some(b) = prepared
        .bytes()
        .find(|b| LOCAL_FORBIDDEN.contains(&char::from(*b)))
    {
        return Err(JidError::LocalForbiddenChar { ch: char::from(b) });
    }
    if prepared.len() > MAX_PART_LEN {
        return Err(JidError::LocalTooLong {
            len: prepared.len(),
        });
    }
    Ok(prepared)
}

/// The ASCII fast path for localparts: printable ASCII other than space is PVALID in the
/// IdentifierClass, and UsernameCaseMapped only lower-cases it (no width mapping, NFC or bidi
/// rule applies to ASCII). Returns `None` when the input needs the full profile.
fn localpart_fast(s: &str) -> Option<Cow<'_, str>> {
    let mut has_upper = false;
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' => has_upper = true,
            0x21..=0x7e => {}
            _ => return None,
        }
    }
    Some(if has_upper {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    })
}

/// The full PRECIS UsernameCaseMapped enforcement of a localpart.
fn localpart_precis(s: &str) -> Result<Cow<'_, str>, JidError> {
    stable(
        s,
        |s| {
            UsernameCaseMapped::enforce(s).map_err(|e| JidError::LocalPrecis {
                detail: describe_precis(&e),
            })
        },
        |detail| JidError::LocalPrecis { detail },
    )
}

/// Enforces a profile with `enforce`, and refuses a result that the profile would map or
/// refuse again.
///
/// RFC 8264 §7 checks the code points after normalization, and enforcement must be idempotent;
/// `precis-profiles` checks the input's. So a code point that normalizes into a refused one
/// passed: U+0387 GREEK ANO TELEIA is allowed in an OpaqueString, but NFC maps it to U+00B7
/// MIDDLE DOT, which is allowed only between two `l` (CONTEXTO). The prepared address then did
/// not parse again (found by fuzzing). Enforcing the prepared form again catches every such
/// case, at the cost of a second pass only for input that preparation changed.
fn stable<'a>(
    s: &'a str,
    enforce: impl Fn(&str) -> Result<Cow<'_, str>, JidError>,
    unstable: impl Fn(String) -> JidError,
) -> Result<Cow<'a, str>, JidError> {
    let prepared = enforce(s)?;
    if prepared != s {
        let again = enforce(&prepared)?;
        if again != prepared {
            return Err(unstable(format!(
                "preparing it again changes it ({prepared:?} becomes {again:?})"
            )));
        }
    }
    // `enforce` borrows from `s` or owns: re-borrowing is not expressible through the closure's
    // signature, so an unchanged result is returned as the input itself.
    Ok(if prepared == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(prepared.into_owned())
    })
}

/// Prepares and enforces a resourcepart (PRECIS OpaqueString, RFC 7622 §3.4).
pub(crate) fn resourcepart(s: &str) -> Result<Cow<'_, str>, JidError> {
    if s.is_empty() {
        return Err(JidError::EmptyResource);
    }
    if s.len() > MAX_INPUT_LEN {
        return Err(JidError::ResourceTooLong { len: s.len() });
    }
    let prepared = match resourcepart_fast(s) {
        Some(prepared) => prepared,
        None => memoized(Part::Resource, s, resourcepart_precis)?,
    };
    if prepared.len() > MAX_PART_LEN {
        return Err(JidError::ResourceTooLong {
            len: prepared.len(),
        });
    }
    Ok(prepared)
}

/// The ASCII fast path for resourceparts: printable ASCII including space is PVALID in the
/// FreeformClass and OpaqueString maps none of it.
fn resourcepart_fast(s: &str) -> Option<Cow<'_, str>> {
    s.bytes()
        .all(|b| (0x20..=0x7e).contains(&b))
        .then_some(Cow::Borrowed(s))
}

/// The full PRECIS OpaqueString enforcement of a resourcepart, with our two deviations from
/// strict RFC 8265 (see [`opaque`]): symbols newer than `precis-core`'s tables, and the
/// joiners, variation selectors and tags of emoji sequences, are accepted.
fn resourcepart_precis(s: &str) -> Result<Cow<'_, str>, JidError> {
    stable(s, resourcepart_precis_once, |detail| {
        JidError::ResourcePrecis { detail }
    })
}

fn resourcepart_precis_once(s: &str) -> Result<Cow<'_, str>, JidError> {
    let error = match OpaqueString::enforce(s) {
        Ok(prepared) => return Ok(prepared),
        Err(e) => e,
    };
    match opaque::enforce(s) {
        Some(Ok(prepared)) => Ok(Cow::Owned(prepared)),
        Some(Err(e)) => Err(JidError::ResourcePrecis {
            detail: describe_precis(&e),
        }),
        None => Err(JidError::ResourcePrecis {
            detail: describe_precis(&error),
        }),
    }
}

/// Prepares and enforces a domainpart (RFC 7622 §3.2): one trailing dot is stripped, IP
/// literals are normalised, domain names are mapped to lower-case U-labels.
pub(crate) fn domainpart(s: &str) -> Result<Cow<'_, str>, JidError> {
    let (name, stripped_dot) = match s.strip_suffix('.') {
        Some(name) => (name, true),
        None => (s, false),
    };
    if name.is_empty() {
        return Err(JidError::EmptyDomain);
    }
    if name.len() > MAX_INPUT_LEN {
        return Err(JidError::DomainTooLong { len: name.len() });
    }
    let prepared = match domainpart_fast(name) {
        Some(prepared) => prepared,
        None if stripped_dot => domainpart_slow(name, true)?,
        None => memoized(Part::Domain, name, |n| domainpart_slow(n, false))?,
    };
    if prepared.len() > MAX_PART_LEN {
        return Err(JidError::DomainTooLong {
            len: prepared.len(),
        });
    }
    Ok(prepared)
}

/// The ASCII fast path for domainparts: labels of letters, digits and hyphens (1 to 63 octets,
/// no hyphen first or last, none in both the third and fourth position, so no A-labels) are
/// left alone by UTS #46 except for lower-casing. This also covers IPv4 literals: a dotted
/// quad is already in its normal form (`Ipv4Addr` rejects leading zeros).
fn domainpart_fast(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    let mut has_upper = false;
    // One pass; each label is checked when its dot (or the end) is reached.
    let mut label_start = 0;
    let label_ok = |label: &[u8]| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
            && label.get(2..4) != Some(b"--")
    };
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => {}
            b'A'..=b'Z' => has_upper = true,
            b'.' => {
                if !label_ok(bytes.get(label_start..i)?) {
                    return None;
                }
                label_start = i + 1;
            }
            _ => return None,
        }
    }
    if !label_ok(bytes.get(label_start..)?) {
        return None;
    }
    Some(if has_upper {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    })
}

/// IP literals and full IDNA processing of a domainpart.
fn domainpart_slow(s: &str, stripped_dot: bool) -> Result<Cow<'_, str>, JidError> {
    if s.starts_with('[') {
        return s
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|addr| addr.parse::<Ipv6Addr>().ok())
            .map(|addr| Cow::Owned(format!("[{addr}]")))
            .ok_or_else(|| JidError::InvalidIpv6 {
                domain: s.to_owned(),
            });
    }

    let invalid = || JidError::InvalidDomain {
        domain: s.to_owned(),
    };
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            s.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .map_err(|_| invalid())?;
    // A trailing ideographic full stop (or similar) is mapped to '.' only now; it is the
    // final label separator and is stripped like an ASCII one, but only once.
    let ascii = match ascii.strip_suffix('.') {
        Some(rest) if !stripped_dot => rest,
        _ => &ascii,
    };
    if ascii.is_empty() {
        return Err(JidError::EmptyDomain);
    }
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(JidError::DomainEmptyLabel {
                domain: s.to_owned(),
            });
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(JidError::DomainLabelTooLong {
                label: label.to_owned(),
                len: label.len(),
            });
        }
    }
    let (unicode, result) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
    result.map_err(|_| invalid())?;
    Ok(Cow::Owned(unicode.into_owned()))
}

/// Which part a memoized preparation is of.
#[derive(Clone, Copy)]
enum Part {
    Local = 0,
    Domain = 1,
    Resource = 2,
}

/// Parts longer than this are prepared every time (and cost the memo no memory).
const MEMO_MAX_LEN: usize = 64;
const MEMO_SLOTS: usize = 64;

/// One memoized preparation: the input and its prepared form (`None`: the input itself).
type MemoSlot = Option<(Box<str>, Option<Box<str>>)>;

thread_local! {
    /// The last preparations of parts that missed the ASCII fast paths (a direct-mapped cache
    /// per kind of part). The same contacts, rooms and nicknames come back in stanza after
    /// stanza, and PRECIS or IDNA cost microseconds each time; a hit costs a hash and a
    /// comparison. A pure cache of a pure function: results are the same with or without it.
    static MEMO: std::cell::RefCell<[[MemoSlot; MEMO_SLOTS]; 3]> =
        std::cell::RefCell::new(std::array::from_fn(|_| std::array::from_fn(|_| None)));
}

/// `prepare(s)`, from the memo when it was prepared recently. Only successes are kept.
fn memoized<'s>(
    part: Part,
    s: &'s str,
    prepare: impl FnOnce(&'s str) -> Result<Cow<'s, str>, JidError>,
) -> Result<Cow<'s, str>, JidError> {
    if s.len() > MEMO_MAX_LEN {
        return prepare(s);
    }
    // FNV-1a over the bytes; the slot is the low bits.
    let hash = s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let slot = (hash as usize) % MEMO_SLOTS;
    let hit = MEMO
        .try_with(|memo| {
            memo.try_borrow()
                .ok()
                .and_then(|memo| match &memo[part as usize][slot] {
                    Some((input, prepared)) if **input == *s => Some(prepared.clone()),
                    _ => None,
                })
        })
        .ok()
        .flatten();
    if let Some(prepared) = hit {
        return Ok(match prepared {
            None => Cow::Borrowed(s),
            Some(p) => Cow::Owned(p.into_string()),
        });
    }
    let prepared = prepare(s)?;
    let entry = match &prepared {
        Cow::Borrowed(p) if *p == s => None,
        other => Some(Box::from(other.as_ref())),
    };
    let _ = MEMO.try_with(|memo| {
        if let Ok(mut memo) = memo.try_borrow_mut() {
            memo[part as usize][slot] = Some((Box::from(s), entry));
        }
    });
    Ok(prepared)
}

/// A readable description of a PRECIS failure, naming the offending code point.
fn describe_precis(e: &precis_core::Error) -> String {
    match e {
        precis_core::Error::BadCodepoint(info) => {
            let ch = char::from_u32(info.cp)
                .map(|c| format!("{c:?} "))
                .unwrap_or_default();
            format!(
                "character {ch}(U+{:04X}) at position {} is not allowed ({})",
                info.cp,
                info.position,
                // The property's `Display` ends in a newline.
                info.property.to_string().trim_end()
            )
        }
        precis_core::Error::Invalid => {
            "the string breaks a rule of the PRECIS profile (for example the bidi rule)".to_owned()
        }
        precis_core::Error::Unexpected(u) => format!("unexpected PRECIS condition: {u}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same<'a>(
        fast: Option<Cow<'a, str>>,
        slow: Result<Cow<'a, str>, JidError>,
    ) -> Result<(), TestCaseError> {
        if let Some(fast) = fast {
            prop_assert_eq!(Ok(fast), slow);
        }
        Ok(())
    }

    proptest! {
        /// Whatever the localpart fast path accepts, PRECIS maps the same way.
        #[test]
        fn localpart_fast_path_agrees_with_precis(s in "[\\x20-\\x7e]{1,24}") {
            same(localpart_fast(&s), localpart_precis(&s))?;
        }

        /// Whatever the resourcepart fast path accepts, PRECIS maps the same way.
        #[test]
        fn resourcepart_fast_path_agrees_with_precis(s in "[\\x20-\\x7e]{1,24}") {
            same(resourcepart_fast(&s), resourcepart_precis(&s))?;
        }

        /// Whatever the domainpart fast path accepts, IDNA maps the same way.
        #[test]
        fn domainpart_fast_path_agrees_with_idna(s in "[a-zA-Z0-9.-]{1,24}") {
            same(domainpart_fast(&s), domainpart_slow(&s, false))?;
        }
    }

    #[test]
    fn memoized_preparations_are_the_same() {
        for s in ["zoë", "ZOË", "ﾌｫｸ", "Ǆ", "𝓐"] {
            let first = localpart(s);
            assert_eq!(localpart(s), first, "{s}");
        }
        for s in ["Büro", "🎸 guitar", "a\u{301}"] {
            let first = resourcepart(s);
            let again = resourcepart(s);
            assert_eq!(again, first, "{s}");
            // Input already in prepared form comes back borrowed, hit or miss.
            if let Ok(Cow::Borrowed(_)) = first {
                assert!(matches!(again, Ok(Cow::Borrowed(_))));
            }
        }
        for s in [
            "münchen.example",
            "MÜNCHEN.example",
            "xn--mnchen-3ya.example",
        ] {
            let first = domainpart(s);
            assert_eq!(domainpart(s), first, "{s}");
        }
        // Errors are not kept, and still come back.
        assert!(localpart("a\u{0}").is_err());
        assert!(localpart("a\u{0}").is_err());
    }

    #[test]
    fn fast_paths_borrow_prepared_input() {
        assert!(matches!(localpart_fast("juliet"), Some(Cow::Borrowed(_))));
        assert!(matches!(
            resourcepart_fast("balcony 1"),
            Some(Cow::Borrowed(_))
        ));
        assert!(matches!(
            domainpart_fast("example.com"),
            Some(Cow::Borrowed(_))
        ));
        assert!(domainpart_fast("xn--mnchen-3ya.example").is_none());
        assert!(localpart_fast("jüliet").is_none());
    }
}
