//! Tests of the public JID API: RFC 7622 §3.5 examples, preparation, limits, errors, and
//! round-trip properties.

use std::collections::HashSet;

use proptest::prelude::*;

use super::{BareJid, FullJid, Jid, JidError};

fn parse(s: &str) -> Result<Jid, JidError> {
    s.parse()
}

fn ok(s: &str) -> Jid {
    match parse(s) {
        Ok(jid) => jid,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

fn err(s: &str) -> JidError {
    match parse(s) {
        Ok(jid) => panic!("{s:?} should not parse, got {jid:?}"),
        Err(e) => e,
    }
}

/// Localpart, domainpart and resourcepart of a JID.
type Parts<'a> = (Option<&'a str>, &'a str, Option<&'a str>);

fn parts(jid: &Jid) -> Parts<'_> {
    (jid.local(), jid.domain(), jid.resource())
}

// ---- RFC 7622 §3.5.1: valid JIDs -----------------------------------------------------------

#[test]
fn rfc7622_valid_examples() {
    let cases: &[(&str, Parts<'_>)] = &[
        // 1-4
        ("juliet@example.com", (Some("juliet"), "example.com", None)),
        (
            "juliet@example.com/foo",
            (Some("juliet"), "example.com", Some("foo")),
        ),
        (
            "juliet@example.com/foo bar",
            (Some("juliet"), "example.com", Some("foo bar")),
        ),
        (
            "juliet@example.com/foo@bar",
            (Some("juliet"), "example.com", Some("foo@bar")),
        ),
        // 5: XEP-0106 escaping is not undone by the address format.
        (
            "foo\\20bar@example.com",
            (Some("foo\\20bar"), "example.com", None),
        ),
        // 6-7: sharp s is not case-folded to "ss".
        (
            "fussball@example.com",
            (Some("fussball"), "example.com", None),
        ),
        (
            "fußball@example.com",
            (Some("fußball"), "example.com", None),
        ),
        // 8-11: Greek; capital sigma maps to small sigma, final sigma stays.
        ("π@example.com", (Some("π"), "example.com", None)),
        ("Σ@example.com/foo", (Some("σ"), "example.com", Some("foo"))),
        ("σ@example.com/foo", (Some("σ"), "example.com", Some("foo"))),
        ("ς@example.com/foo", (Some("ς"), "example.com", Some("foo"))),
        // 12: a symbol is fine in a resourcepart.
        (
            "king@example.com/♚",
            (Some("king"), "example.com", Some("♚")),
        ),
        // 13-15
        ("example.com", (None, "example.com", None)),
        ("example.com/foobar", (None, "example.com", Some("foobar"))),
        (
            "a.example.com/b@example.net",
            (None, "a.example.com", Some("b@example.net")),
        ),
    ];
    for (input, expected) in cases {
        let jid = ok(input);
        assert_eq!(parts(&jid), *expected, "{input}");
    }
    assert_ne!(ok("fussball@example.com"), ok("fußball@example.com"));
    assert_ne!(ok("ς@example.com"), ok("σ@example.com"));
}

// ---- RFC 7622 §3.5.2: invalid JIDs ---------------------------------------------------------

#[test]
fn rfc7622_invalid_examples() {
    // 16: quotation marks in the localpart.
    assert_eq!(
        err("\"juliet\"@example.com"),
        JidError::LocalForbiddenChar { ch: '"' }
    );
    // 17: space in the localpart.
    assert!(matches!(
        err("foo bar@example.com"),
        JidError::LocalPrecis { .. }
    ));
    // 19: empty localpart and resourcepart; the localpart is reported first.
    assert_eq!(err("@example.com/"), JidError::EmptyLocal);
    // 20: Roman numeral four (compatibility character) in the localpart.
    assert!(matches!(
        err("henryⅣ@example.com"),
        JidError::LocalPrecis { .. }
    ));
    // 21: a symbol in the localpart.
    assert!(matches!(err("♚@example.com"), JidError::LocalPrecis { .. }));
    // 22-23: no domainpart.
    assert_eq!(err("juliet@"), JidError::EmptyDomain);
    assert_eq!(err("/foobar"), JidError::EmptyDomain);
}

/// RFC 7622 example 18 (`juliet@example.com/ foo`, a leading space in the resourcepart) is
/// listed as invalid, but no rule of the OpaqueString profile (RFC 8265 §4.2) forbids it:
/// U+0020 is allowed anywhere. We follow the profile, as other implementations do.
#[test]
fn rfc7622_example_18_leading_space_is_accepted() {
    assert_eq!(ok("juliet@example.com/ foo").resource(), Some(" foo"));
}

// ---- Splitting -----------------------------------------------------------------------------

#[test]
fn resource_is_everything_after_the_first_slash() {
    let jid = ok("juliet@example.com/foo@bar/baz");
    assert_eq!(
        parts(&jid),
        (Some("juliet"), "example.com", Some("foo@bar/baz"))
    );
    let jid = ok("example.com/a/b@c");
    assert_eq!(parts(&jid), (None, "example.com", Some("a/b@c")));
}

#[test]
fn empty_parts_are_errors() {
    assert_eq!(err(""), JidError::EmptyDomain);
    assert_eq!(err("@"), JidError::EmptyLocal);
    assert_eq!(err("/"), JidError::EmptyDomain);
    assert_eq!(err("@example.com"), JidError::EmptyLocal);
    assert_eq!(err("juliet@example.com/"), JidError::EmptyResource);
    assert_eq!(err("example.com/"), JidError::EmptyResource);
    assert_eq!(err("juliet@/foo"), JidError::EmptyDomain);
    assert_eq!(err("."), JidError::EmptyDomain);
}

// ---- Preparation ---------------------------------------------------------------------------

#[test]
fn localpart_and_domainpart_are_case_mapped() {
    let a = ok("Juliet@Example.COM");
    let b = ok("juliet@example.com");
    assert_eq!(a, b);
    assert_eq!(a.as_str(), "juliet@example.com");
    let hashed: HashSet<Jid> = [a, b].into_iter().collect();
    assert_eq!(hashed.len(), 1);
    // Non-ASCII case mapping goes through PRECIS.
    assert_eq!(ok("ÉLODIE@example.com").local(), Some("élodie"));
}

#[test]
fn resource_case_is_preserved() {
    let jid = ok("Juliet@Example.COM/Balcony");
    assert_eq!(jid.as_str(), "juliet@example.com/Balcony");
    assert_ne!(jid, ok("juliet@example.com/balcony"));
}

#[test]
fn emoji_resources_round_trip() {
    for input in [
        "user@example.com/🎸 guitar",
        "user@example.com/🇩🇪",
        "a.example/♚♛",
    ] {
        let jid = ok(input);
        assert_eq!(jid.to_string(), input);
        assert_eq!(ok(jid.as_str()), jid);
    }
    assert_eq!(
        ok("user@example.com/🎸 guitar").resource(),
        Some("🎸 guitar")
    );
}

/// Emoji sequences in resourceparts (a documented deviation from RFC 8265, see the module
/// docs): joiners between pictographs, variation selectors after emoji, keycaps and
/// subdivision flags parse as full JIDs and are kept byte for byte.
#[test]
fn emoji_sequences_in_resourceparts() {
    let nicks = [
        "👩\u{200d}💻",                                             // woman technologist
        "👩\u{200d}👩\u{200d}👧 family",                            // family
        "🏳\u{fe0f}\u{200d}🌈",                                      // rainbow flag
        "🏴\u{200d}☠\u{fe0f}",                                      // pirate flag
        "👩\u{1f3fd}\u{200d}🦰",                                    // skin tone and hair
        "❤\u{fe0f}",                                                // red heart
        "☺\u{fe0f} smile",                                          // smiling face
        "☺\u{fe0e}",                                                // text presentation
        "1\u{fe0f}\u{20e3}",                                        // keycap one
        "#\u{fe0f}\u{20e3} and *\u{fe0f}\u{20e3}",                  // keycaps hash and star
        "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}", // Scotland
        "Ana ❤\u{fe0f} 🦀 caf\u{e9}",
    ];
    for nick in nicks {
        let input = format!("room@muc.example/{nick}");
        let full: FullJid = input
            .parse()
            .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(full.resource(), nick, "{input:?}");
        assert_eq!(full.as_str(), input, "{input:?}");
        assert_eq!(full.to_string().parse::<FullJid>(), Ok(full.clone()));
        assert_eq!(
            BareJid::new(Some("room"), "muc.example")
                .and_then(|b| b.with_resource(nick))
                .as_ref(),
            Ok(&full)
        );
    }
    // The pieces around a sequence are still prepared (here: NFC).
    assert_eq!(
        ok("a@example.com/❤\u{fe0f} caf\u{65}\u{301}").resource(),
        Some("❤\u{fe0f} caf\u{e9}")
    );
}

/// Joiners, variation selectors and tags outside an emoji sequence stay refused (U+200D is
/// CONTEXTJ, valid only after a virama; the others are default-ignorable), and the
/// localpart follows the strict profile.
#[test]
fn misplaced_emoji_joiners_are_rejected() {
    for resource in [
        "\u{200d}",
        "a\u{200d}b",
        "\u{200d}👩",
        "👩\u{200d}",
        "👩\u{200d}\u{200d}💻",
        "1\u{200d}2",
        "\u{fe0f}",
        "a\u{fe0f}",
        "❤\u{fe0f}\u{fe0f}",
        "👩\u{200d}\u{fe0f}",
        "\u{e0067}\u{e007f}",
        "🏴\u{e0067}\u{e0062}",
        "a\u{e0067}\u{e007f}",
        // A valid sequence does not excuse a misplaced joiner elsewhere.
        "👩\u{200d}💻 a\u{200d}b",
    ] {
        assert!(
            matches!(
                err(&format!("a@example.com/{resource}")),
                JidError::ResourcePrecis { .. }
            ),
            "{resource:?}"
        );
    }
    assert!(matches!(
        err("❤\u{fe0f}@example.com"),
        JidError::LocalPrecis { .. }
    ));
    assert!(matches!(
        err("👩\u{200d}💻@example.com"),
        JidError::LocalPrecis { .. }
    ));
}

/// precis-core's tables are Unicode 6.3; newer emoji are accepted anyway (see
/// `newer_symbols`), in the resourcepart only.
#[test]
fn emoji_newer_than_precis_tables() {
    for input in [
        "user@example.com/🤔",
        "room@muc.example/Ana 🥰",
        "a.example/👍🏽 ok",
    ] {
        let jid = ok(input);
        assert_eq!(jid.as_str(), input);
        assert_eq!(ok(jid.as_str()), jid);
    }
    assert!(matches!(
        err("🤔@example.com"),
        JidError::LocalPrecis { .. }
    ));
    // Variation selectors are default-ignorable, which PRECIS disallows in any version; only
    // after an emoji do we accept one (see `emoji_sequences_in_resourceparts`).
    assert!(matches!(
        err("a@example.com/\u{fe0f}"),
        JidError::ResourcePrecis { .. }
    ));
}

#[test]
fn resource_is_normalized_to_nfc() {
    // "e" + COMBINING ACUTE ACCENT becomes U+00E9.
    assert_eq!(
        ok("a@example.com/caf\u{65}\u{301}").resource(),
        Some("caf\u{e9}")
    );
    // Non-ASCII spaces map to U+0020.
    assert_eq!(ok("a@example.com/a\u{3000}b").resource(), Some("a b"));
}

#[test]
fn localpart_width_mapping() {
    // Fullwidth letters are width-mapped and lower-cased.
    assert_eq!(ok("ＪＵＬＩＥＴ@example.com").local(), Some("juliet"));
    // A fullwidth '@' becomes '@' after preparation, which is forbidden.
    assert_eq!(
        err("a＠b@example.com"),
        JidError::LocalForbiddenChar { ch: '@' }
    );
}

#[test]
fn localpart_forbidden_characters() {
    for ch in ['"', '&', '\'', ':', '<', '>'] {
        assert_eq!(
            err(&format!("a{ch}b@example.com")),
            JidError::LocalForbiddenChar { ch },
            "{ch}"
        );
    }
    // '/' and '@' cannot reach the localpart through parsing, only through `new`.
    assert_eq!(
        BareJid::new(Some("a/b"), "example.com").unwrap_err(),
        JidError::LocalForbiddenChar { ch: '/' }
    );
    assert_eq!(
        BareJid::new(Some("a@b"), "example.com").unwrap_err(),
        JidError::LocalForbiddenChar { ch: '@' }
    );
    // Other ASCII punctuation is fine.
    assert_eq!(
        ok("a.b_c-d+e!#$%*=?^`{|}~@example.com").local(),
        Some("a.b_c-d+e!#$%*=?^`{|}~")
    );
}

#[test]
fn idn_domain_becomes_lowercase_u_labels() {
    assert_eq!(ok("user@München.example").domain(), "münchen.example");
    assert_eq!(
        ok("user@xn--mnchen-3ya.example").domain(),
        "münchen.example"
    );
    assert_eq!(
        ok("user@XN--MNCHEN-3YA.EXAMPLE").domain(),
        "münchen.example"
    );
    assert_eq!(ok("user@München.example"), ok("user@münchen.example"));
    // Ideographic full stop as label separator.
    assert_eq!(
        ok("user@münchen\u{3002}example").domain(),
        "münchen.example"
    );
}

#[test]
fn domain_trailing_dot_is_stripped_once() {
    assert_eq!(
        ok("juliet@example.com./foo").as_str(),
        "juliet@example.com/foo"
    );
    assert_eq!(ok("münchen.example.").domain(), "münchen.example");
    assert_eq!(ok("münchen.example\u{3002}").domain(), "münchen.example");
    assert!(matches!(
        err("example.com.."),
        JidError::DomainEmptyLabel { .. }
    ));
    assert!(matches!(
        err("münchen.example.\u{3002}"),
        JidError::DomainEmptyLabel { .. }
    ));
}

#[test]
fn ip_literals() {
    let jid = ok("juliet@[2002:4559:1FE2::4559:1FE2]/res");
    assert_eq!(jid.domain(), "[2002:4559:1fe2::4559:1fe2]");
    assert_eq!(ok("juliet@[0:0:0:0:0:0:0:1]").domain(), "[::1]");
    assert_eq!(ok("juliet@[::1]"), ok("juliet@[0::1]"));
    assert_eq!(ok("juliet@123.123.123.123/res").domain(), "123.123.123.123");
    assert_eq!(ok("192.168.1.1").domain(), "192.168.1.1");
    assert_eq!(ok("192.168.1.1.").domain(), "192.168.1.1");
    // Fullwidth digits and dots are width-mapped by IDNA.
    assert_eq!(ok("１９２．１６８．１．１").domain(), "192.168.1.1");
    for bad in ["[::1", "[not-an-ip]", "[1.2.3.4]", "[::1]x", "[]"] {
        assert!(matches!(err(bad), JidError::InvalidIpv6 { .. }), "{bad}");
    }
}

#[test]
fn invalid_domains() {
    for bad in [
        "exa mple.com",
        "example_com",
        "-example.com",
        "example-.com",
        "ab--cd.example",
        "xn--abc-.example",
        "user@host@example.com",
        "a]b",
        "ex\u{7}ample.com",
    ] {
        assert!(
            matches!(err(bad), JidError::InvalidDomain { .. }),
            "{bad}: {:?}",
            err(bad)
        );
    }
    for bad in ["example..com", ".example.com", "a.\u{3002}b"] {
        assert!(
            matches!(err(bad), JidError::DomainEmptyLabel { .. }),
            "{bad}: {:?}",
            err(bad)
        );
    }
}

#[test]
fn resource_precis_failures() {
    assert!(matches!(
        err("a@example.com/\u{1}"),
        JidError::ResourcePrecis { .. }
    ));
    assert!(matches!(
        err("a@example.com/a\u{7f}"),
        JidError::ResourcePrecis { .. }
    ));
    // Unassigned code points are not allowed.
    assert!(matches!(
        err("a@example.com/\u{e0080}"),
        JidError::ResourcePrecis { .. }
    ));
}

/// Found by fuzzing (`jid`): U+0387 GREEK ANO TELEIA is allowed in a resourcepart, but NFC
/// maps it to U+00B7 MIDDLE DOT, which PRECIS allows only between two `l` (CONTEXTO). The
/// prepared address did not parse again. Preparation is now checked to be stable.
#[test]
fn a_code_point_that_normalizes_into_a_refused_one_is_refused() {
    for input in [
        "a@b/\u{0387}",
        "a@b/x\u{0387}V",
        "2R2R\u{0311}--b/\u{0387}V\u{0331}b/\u{0390}\u{0311}b\u{0311}b/\u{0390}",
    ] {
        assert!(
            matches!(err(input), JidError::ResourcePrecis { .. }),
            "{input:?}"
        );
    }
    // Between two `l` (Catalan's ela geminada) the middle dot is allowed, however it came.
    assert_eq!(ok("a@b/l\u{0387}l").resource(), Some("l\u{00B7}l"));
    assert_eq!(ok("a@b/l\u{00B7}l").resource(), Some("l\u{00B7}l"));
    let again = ok("a@b/l\u{0387}l");
    assert_eq!(ok(again.as_str()), again);
}

// ---- Length limits -------------------------------------------------------------------------

/// A domain name of exactly `len` bytes made of labels of at most 63 octets.
fn domain_of_len(len: usize) -> String {
    let mut s = String::new();
    while len - s.len() > 63 {
        s.push_str(&"d".repeat(62));
        s.push('.');
    }
    let rest = len - s.len();
    s.push_str(&"d".repeat(rest));
    s
}

#[test]
fn localpart_length_limit() {
    let max = "a".repeat(1023);
    assert_eq!(
        ok(&format!("{max}@example.com")).local(),
        Some(max.as_str())
    );
    assert_eq!(
        err(&format!("{}@example.com", "a".repeat(1024))),
        JidError::LocalTooLong { len: 1024 }
    );
    // Bytes, not characters: 512 × 'π' is 1024 bytes.
    assert_eq!(
        err(&format!("{}@example.com", "π".repeat(512))),
        JidError::LocalTooLong { len: 1024 }
    );
    // Length is measured after preparation: fullwidth letters shrink from 3 bytes to 1.
    assert!(parse(&format!("{}@example.com", "Ａ".repeat(1023))).is_ok());
    // Absurdly long input is rejected before any mapping.
    assert!(matches!(
        err(&format!("{}@example.com", "π".repeat(100_000))),
        JidError::LocalTooLong { .. }
    ));
}

#[test]
fn domainpart_length_limit() {
    let max = domain_of_len(1023);
    assert_eq!(max.len(), 1023);
    assert_eq!(ok(&max).domain(), max);
    // The stripped trailing dot does not count.
    assert_eq!(ok(&format!("{max}.")).domain(), max);
    assert_eq!(
        err(&domain_of_len(1024)),
        JidError::DomainTooLong { len: 1024 }
    );
    // Non-ASCII domain: measured in bytes of the U-label form.
    let long_idn = format!("{}.{}", "ü".repeat(20), domain_of_len(1023 - 41 + 1));
    assert_eq!(long_idn.len(), 1024);
    assert_eq!(err(&long_idn), JidError::DomainTooLong { len: 1024 });
}

#[test]
fn domain_label_length_limit() {
    let label63 = "l".repeat(63);
    assert!(parse(&format!("{label63}.example")).is_ok());
    assert_eq!(
        err(&format!("{}.example", "l".repeat(64))),
        JidError::DomainLabelTooLong {
            label: "l".repeat(64),
            len: 64
        }
    );
    // 60 'ü' are 60 characters but an A-label of more than 63 octets.
    assert!(matches!(
        err(&format!("{}.example", "ü".repeat(60))),
        JidError::DomainLabelTooLong { .. }
    ));
}

#[test]
fn resourcepart_length_limit() {
    let max = "r".repeat(1023);
    assert_eq!(
        ok(&format!("a@example.com/{max}")).resource(),
        Some(max.as_str())
    );
    assert_eq!(
        err(&format!("a@example.com/{}", "r".repeat(1024))),
        JidError::ResourceTooLong { len: 1024 }
    );
    // 256 guitars are 1024 bytes.
    assert_eq!(
        err(&format!("a@example.com/{}", "🎸".repeat(256))),
        JidError::ResourceTooLong { len: 1024 }
    );
    let max_jid = format!("{}@{}/{}", "a".repeat(1023), domain_of_len(1023), max);
    assert_eq!(ok(&max_jid).as_str(), max_jid);
}

// ---- API -----------------------------------------------------------------------------------

#[test]
fn bare_and_full_conversions() {
    let jid = ok("juliet@example.com/balcony");
    assert!(jid.is_full() && !jid.is_bare());
    assert_eq!(jid.bare_str(), "juliet@example.com");
    assert_eq!(jid.to_bare().as_str(), "juliet@example.com");
    assert_eq!(jid.as_full().map(FullJid::resource), Some("balcony"));
    assert!(jid.as_bare().is_none());

    let full = FullJid::try_from(jid.clone()).unwrap();
    assert_eq!(full, jid);
    assert_eq!(full.local(), Some("juliet"));
    assert_eq!(full.node(), Some("juliet"));
    assert_eq!(full.domain(), "example.com");
    assert_eq!(full.bare_str(), "juliet@example.com");
    assert_eq!(
        BareJid::try_from(jid.clone()).unwrap_err(),
        JidError::UnexpectedResource {
            jid: "juliet@example.com/balcony".to_owned()
        }
    );

    let bare = full.clone().into_bare();
    assert_eq!(bare, full.to_bare());
    assert_eq!(bare.local(), Some("juliet"));
    assert_eq!(bare.node(), Some("juliet"));
    assert_eq!(bare.domain(), "example.com");
    let as_jid = Jid::from(bare.clone());
    assert!(as_jid.is_bare());
    assert_eq!(as_jid.resource(), None);
    assert_eq!(as_jid.as_bare(), Some(&bare));
    assert_eq!(as_jid.to_bare(), bare);
    assert_eq!(
        FullJid::try_from(as_jid.clone()).unwrap_err(),
        JidError::ResourceMissing {
            jid: "juliet@example.com".to_owned()
        }
    );
    assert_eq!(BareJid::try_from(as_jid.clone()).unwrap(), bare);
    assert_eq!(Jid::from(full.clone()), full);
    assert_eq!(jid.clone().into_bare(), bare);
}

#[test]
fn with_resource_prepares_and_replaces() {
    let bare = BareJid::new(Some("Juliet"), "Example.com").unwrap();
    assert_eq!(bare.as_str(), "juliet@example.com");
    let full = bare.with_resource("Balcony").unwrap();
    assert_eq!(full.as_str(), "juliet@example.com/Balcony");
    let other = full.with_resource("caf\u{65}\u{301}").unwrap();
    assert_eq!(other.as_str(), "juliet@example.com/caf\u{e9}");
    let from_jid = ok("example.com/x").with_resource("y/z").unwrap();
    assert_eq!(from_jid.as_str(), "example.com/y/z");
    assert_eq!(bare.with_resource("").unwrap_err(), JidError::EmptyResource);
    assert!(matches!(
        bare.with_resource("\u{0}"),
        Err(JidError::ResourcePrecis { .. })
    ));
}

#[test]
fn constructors_from_parts() {
    assert_eq!(
        BareJid::new(None, "example.com").unwrap().as_str(),
        "example.com"
    );
    assert_eq!(
        FullJid::new(Some("ROMEO"), "Example.NET.", "orchard")
            .unwrap()
            .as_str(),
        "romeo@example.net/orchard"
    );
    assert_eq!(
        BareJid::new(Some(""), "example.com").unwrap_err(),
        JidError::EmptyLocal
    );
    assert_eq!(BareJid::new(None, "").unwrap_err(), JidError::EmptyDomain);
    assert!(matches!(
        BareJid::new(None, "a/b"),
        Err(JidError::InvalidDomain { .. })
    ));
    assert!(matches!(
        BareJid::new(None, "a@b"),
        Err(JidError::InvalidDomain { .. })
    ));
}

#[test]
fn typed_parsing() {
    assert_eq!(
        "a@b.example".parse::<BareJid>().unwrap().as_str(),
        "a@b.example"
    );
    assert_eq!(
        "a@b.example/r".parse::<BareJid>().unwrap_err(),
        JidError::UnexpectedResource {
            jid: "a@b.example/r".to_owned()
        }
    );
    assert_eq!("a@b.example/r".parse::<FullJid>().unwrap().resource(), "r");
    assert_eq!(
        "A@b.example".parse::<FullJid>().unwrap_err(),
        JidError::ResourceMissing {
            jid: "a@b.example".to_owned()
        }
    );
    assert_eq!(Jid::new("B.example").unwrap().as_str(), "b.example");
}

#[test]
fn ordering_display_debug() {
    let mut jids = [ok("b@x/1"), ok("a@x"), ok("a@x/1"), ok("x")];
    jids.sort();
    let sorted: Vec<&str> = jids.iter().map(Jid::as_str).collect();
    assert_eq!(sorted, ["a@x", "a@x/1", "b@x/1", "x"]);
    assert_eq!(format!("{}", ok("A@X/R")), "a@x/R");
    assert_eq!(format!("{:?}", ok("a@x/r")), "Jid(\"a@x/r\")");
    assert_eq!(format!("{:?}", ok("a@x").into_bare()), "BareJid(\"a@x\")");
    assert_eq!(
        format!("{:?}", FullJid::new(None, "x", "r").unwrap()),
        "FullJid(\"x/r\")"
    );
    let bare = BareJid::new(None, "x").unwrap();
    assert_eq!(AsRef::<str>::as_ref(&bare), "x");
    assert!(bare < BareJid::new(None, "y").unwrap());
}

/// One input per error variant; the exhaustive match makes a new variant fail to compile
/// here until it gets a case.
#[test]
fn every_error_variant_is_reachable() {
    fn name(e: &JidError) -> &'static str {
        match e {
            JidError::EmptyLocal => "EmptyLocal",
            JidError::EmptyDomain => "EmptyDomain",
            JidError::EmptyResource => "EmptyResource",
            JidError::LocalTooLong { .. } => "LocalTooLong",
            JidError::DomainTooLong { .. } => "DomainTooLong",
            JidError::ResourceTooLong { .. } => "ResourceTooLong",
            JidError::LocalForbiddenChar { .. } => "LocalForbiddenChar",
            JidError::LocalPrecis { .. } => "LocalPrecis",
            JidError::ResourcePrecis { .. } => "ResourcePrecis",
            JidError::InvalidDomain { .. } => "InvalidDomain",
            JidError::DomainEmptyLabel { .. } => "DomainEmptyLabel",
            JidError::DomainLabelTooLong { .. } => "DomainLabelTooLong",
            JidError::InvalidIpv6 { .. } => "InvalidIpv6",
            JidError::ResourceMissing { .. } => "ResourceMissing",
            JidError::UnexpectedResource { .. } => "UnexpectedResource",
        }
    }
    let cases: Vec<(Result<Jid, JidError>, &str, &str)> = vec![
        (parse("@example.com"), "EmptyLocal", "localpart"),
        (parse("juliet@"), "EmptyDomain", "domainpart"),
        (
            parse("juliet@example.com/"),
            "EmptyResource",
            "resourcepart",
        ),
        (
            parse(&format!("{}@x", "a".repeat(1024))),
            "LocalTooLong",
            "localpart",
        ),
        (parse(&domain_of_len(1024)), "DomainTooLong", "domainpart"),
        (
            parse(&format!("x/{}", "r".repeat(1024))),
            "ResourceTooLong",
            "resourcepart",
        ),
        (parse("a:b@x"), "LocalForbiddenChar", "localpart"),
        (parse("a b@x"), "LocalPrecis", "localpart"),
        (parse("x/\u{1}"), "ResourcePrecis", "resourcepart"),
        (parse("a_b"), "InvalidDomain", "domainpart"),
        (parse("a..b"), "DomainEmptyLabel", "domainpart"),
        (parse(&"l".repeat(64)), "DomainLabelTooLong", "domainpart"),
        (parse("[::g]"), "InvalidIpv6", "domainpart"),
        (
            "x".parse::<FullJid>().map(Jid::from),
            "ResourceMissing",
            "resourcepart",
        ),
        (
            "x/r".parse::<BareJid>().map(Jid::from),
            "UnexpectedResource",
            "resourcepart",
        ),
    ];
    let mut seen = HashSet::new();
    for (result, expected, part) in cases {
        let e = result.unwrap_err();
        assert_eq!(name(&e), expected);
        let message = e.to_string();
        assert!(
            message.contains(part),
            "{expected}: {message:?} should name the {part}"
        );
        seen.insert(expected);
    }
    assert_eq!(seen.len(), 15);
}

#[test]
fn precis_error_messages_name_the_code_point() {
    let message = err("a b@example.com").to_string();
    assert!(message.contains("U+0020"), "{message}");
    assert!(message.contains("localpart"), "{message}");
}

// ---- Properties ----------------------------------------------------------------------------

/// Candidate parts from several alphabets; those that are not valid are filtered out by
/// parsing, the rest are valid JIDs by construction.
fn jid_candidate() -> impl Strategy<Value = String> {
    let local = prop_oneof![
        "[a-z0-9._-]{1,12}",
        "[A-Za-z0-9!#$%*+=?^_`{|}~.-]{1,12}",
        "[a-zäöüßéπσςΣЖж]{1,8}",
    ];
    let domain = prop_oneof![
        "[a-z][a-z0-9-]{0,10}[a-z0-9](\\.[a-z]{2,6}){0,3}\\.?",
        "[A-Za-zäöüéø]{1,10}\\.[a-z]{2,4}",
        "(xn--mnchen-3ya|m\u{fc}nchen|M\u{dc}NCHEN)\\.example",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "\\[(::1|2001:[dD][bB]8::[0-9a-f]{1,4}|0:0:0:0:0:0:0:[0-9])\\]",
    ];
    let resource = prop_oneof![
        "[ -~]{1,16}",
        "[a-zA-Z0-9 /@🎸♚🤔🥰ßéЖ\u{1f3fd}\u{3000}\u{301}]{1,12}",
        "[a1#👩💻❤🏴🏳\u{200d}\u{fe0f}\u{fe0e}\u{20e3}\u{e0067}\u{e007f}]{1,10}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
    ];
    (
        proptest::option::of(local),
        domain,
        proptest::option::of(resource),
    )
        .prop_map(|(local, domain, resource)| {
            let mut s = String::new();
            if let Some(local) = local {
                s.push_str(&local);
                s.push('@');
            }
            s.push_str(&domain);
            if let Some(resource) = resource {
                s.push('/');
                s.push_str(&resource);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Preparation is idempotent: parse(display(j)) == j, and displays the same.
    #[test]
    fn display_then_parse_round_trips(input in jid_candidate()) {
        if let Ok(jid) = parse(&input) {
            let shown = jid.to_string();
            let again = parse(&shown);
            prop_assert_eq!(again.as_ref(), Ok(&jid), "{:?} -> {:?}", input, shown);
            if let Ok(again) = again {
                prop_assert_eq!(again.as_str(), shown.as_str());
                prop_assert_eq!(again.local(), jid.local());
                prop_assert_eq!(again.domain(), jid.domain());
                prop_assert_eq!(again.resource(), jid.resource());
            }
            // Rebuilding from the parts gives the same JID.
            let rebuilt = match jid.resource() {
                Some(r) => FullJid::new(jid.local(), jid.domain(), r).map(Jid::from),
                None => BareJid::new(jid.local(), jid.domain()).map(Jid::from),
            };
            prop_assert_eq!(rebuilt, Ok(jid));
        }
    }

    /// Parsing arbitrary strings never panics.
    #[test]
    fn parsing_arbitrary_strings_never_panics(input in any::<String>()) {
        let _ = parse(&input);
    }

    /// Parsing an owned string (which keeps it when it is prepared already) gives what parsing
    /// a borrowed one gives, errors included.
    #[test]
    fn parsing_owned_strings_agrees(input in jid_candidate()) {
        let borrowed = parse(&input);
        let owned = Jid::try_from(input.clone());
        prop_assert_eq!(&owned, &borrowed);
        if let (Ok(a), Ok(b)) = (owned, borrowed) {
            prop_assert_eq!(a.as_str(), b.as_str());
            prop_assert_eq!((a.local(), a.domain(), a.resource()), (b.local(), b.domain(), b.resource()));
        }
    }

    /// The same for separator soup, where the parts are often empty or odd.
    #[test]
    fn parsing_owned_separator_soup_agrees(input in "[a-zA-Z@/.\\[\\]:ü \u{3002}\u{ff0e}-]{0,24}") {
        prop_assert_eq!(Jid::try_from(input.clone()), parse(&input));
    }

    /// Parsing strings dense in separators and odd characters never panics either.
    #[test]
    fn parsing_separator_soup_never_panics(input in "[a-zA-Z@/.\\[\\]:ü \u{3002}\u{ff0e}-]{0,24}") {
        let _ = parse(&input);
    }
}
