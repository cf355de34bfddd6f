//! Character-level rules: escaping for the writer; character validation, reference resolution,
//! line-end and attribute-value normalization for the parser (XML 1.0 §2.2, §2.11, §3.3.3, §4.1).

use super::error::XmlError;

/// Whether `c` matches the XML 1.0 `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// What [`check_chars`] saw, so callers can skip work on plain text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    /// A `\r` (line ends need normalizing).
    pub(crate) cr: bool,
    /// A `\t`, `\n` or `\r` (attribute values need normalizing).
    pub(crate) ws: bool,
    /// A `&` (references need resolving).
    pub(crate) amp: bool,
    /// A `<` (forbidden in attribute values).
    pub(crate) lt: bool,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the word is zero (exact as a yes or no).
#[inline]
fn has_zero_byte(v: u64) -> bool {
    v.wrapping_sub(ONES) & !v & HIGHS != 0
}

/// Whether any of the eight bytes needs a closer look: a control character (tab, LF and CR
/// included), `0xEF` (which starts U+FFFE and U+FFFF), and with `markup` also `&` or `<`.
#[inline]
fn word_needs_look(x: u64, markup: bool) -> bool {
    // Bytes below 0x20: subtracting 0x20 borrows into their high bit, which was clear.
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    // `0xEF` only where some byte is not ASCII.
    let noncharacter = x & HIGHS != 0 && has_zero_byte(x ^ (ONES * 0xEF));
    let markup = markup
        && (has_zero_byte(x ^ (ONES * u64::from(b'&')))
            | has_zero_byte(x ^ (ONES * u64::from(b'<'))));
    control | noncharacter | markup
}

/// Checks that `s` holds only XML 1.0 characters. UTF-8 validity is already guaranteed by
/// `&str`; what remains are C0 controls other than tab/LF/CR, and U+FFFE/U+FFFF (encoded
/// `EF BF BE`/`EF BF BF`). Eight bytes are tested at a time with word arithmetic; only words
/// holding one of those bytes, or `&`, `<`, tab, LF, CR (reported in [`Seen`]), are looked at
/// byte by byte.
#[inline]
pub(crate) fn check_chars(s: &str) -> Result<Seen, XmlError> {
    check_chars_in(s, true)
}

/// [`check_chars`] for character data the lexer delimited, which cannot hold `&` or `<`.
#[inline]
pub(crate) fn check_text_chars(s: &str) -> Result<Seen, XmlError> {
    check_chars_in(s, false)
}

#[inline]
fn check_chars_in(s: &str, markup: bool) -> Result<Seen, XmlError> {
    let bytes = s.as_bytes();
    let mut seen = Seen::default();
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        if let Ok(word) = <[u8; 8]>::try_from(word)
            && word_needs_look(u64::from_le_bytes(word), markup)
        {
            check_bytes(bytes, at, at + 8, &mut seen)?;
        }
        at += 8;
    }
    // The last few bytes, padded with spaces into a word of their own.
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut word = [b' '; 8];
        word[..tail.len()].copy_from_slice(tail);
        if word_needs_look(u64::from_le_bytes(word), markup) {
            check_bytes(bytes, at, bytes.len(), &mut seen)?;
        }
    }
    Ok(seen)
}

/// The byte-by-byte check of `bytes[from..to]` (a `0xEF` may look past `to`).
fn check_bytes(bytes: &[u8], from: usize, to: usize, seen: &mut Seen) -> Result<(), XmlError> {
    for i in from..to {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\r' => {
                seen.cr = true;
                seen.ws = true;
            }
            b'\t' | b'\n' => seen.ws = true,
            0..0x20 => return Err(XmlError::InvalidChar(u32::from(b))),
            b'&' => seen.amp = true,
            b'<' => seen.lt = true,
            0xEF => {
                if let (Some(0xBF), Some(&last @ (0xBE | 0xBF))) =
                    (bytes.get(i + 1), bytes.get(i + 2))
                {
                    return Err(XmlError::InvalidChar(0xFF40 + u32::from(last)));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Appends text with XML line ends normalized: `\r\n` and a lone `\r` become `\n`.
#[inline]
pub(crate) fn push_normalized_lines(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(stripped) = rest.strip_prefix('\n') {
            rest = stripped;
        }
    }
    out.push_str(rest);
}

/// Resolves the reference `&name;` (without `&` and `;`): one of the five predefined entities or
/// a character reference. Anything else is refused as restricted XML.
pub(crate) fn resolve_reference(name: &str) -> Result<char, XmlError> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => match name.strip_prefix('#') {
            Some(num) => resolve_char_ref(num),
            None => Err(XmlError::EntityReference(truncated(name))),
        },
    }
}

fn resolve_char_ref(num: &str) -> Result<char, XmlError> {
    let (digits, radix) = match num.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    if digits.is_empty() {
        return Err(XmlError::InvalidCharRef(truncated(&format!("#{num}"))));
    }
    let mut value: u32 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            return Err(XmlError::InvalidCharRef(truncated(&format!("#{num}"))));
        };
        // Saturate: anything above 0x10FFFF is invalid anyway; leading zeros are allowed.
        value = value
            .saturating_mul(radix)
            .saturating_add(d)
            .min(0x0011_0000);
    }
    match char::from_u32(value) {
        Some(c) if is_xml_char(c) => Ok(c),
        _ => Err(XmlError::InvalidChar(value)),
    }
}

/// Bounds what an error message copies from the peer's input.
fn truncated(s: &str) -> String {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Appends a raw attribute value (as between the quotes), checked, unescaped and normalized.
#[inline]
pub(crate) fn push_attr_value(out: &mut String, raw: &str) -> Result<(), XmlError> {
    let seen = check_chars(raw)?;
    if seen.lt {
        return Err(XmlError::Syntax("`<` in an attribute value".into()));
    }
    if !seen.amp && !seen.ws {
        out.push_str(raw);
        return Ok(());
    }
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let special = rest.as_bytes().get(i).copied().unwrap_or(b' ');
        rest = &rest[i + 1..];
        match special {
            b'&' => {
                let Some(end) = rest.find(';') else {
                    return Err(XmlError::Syntax("unterminated reference".into()));
                };
                out.push(resolve_reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'\r' => {
                out.push(' ');
                if let Some(stripped) = rest.strip_prefix('\n') {
                    rest = stripped;
                }
            }
            _ => out.push(' '),
        }
    }
    out.push_str(rest);
    Ok(())
}

/// Checks a qualified name and splits it into `(prefix, local)`; the prefix is empty when absent.
#[inline]
pub(crate) fn split_qname(qname: &str) -> Result<(&str, &str), XmlError> {
    let bytes = qname.as_bytes();
    // The usual name: ASCII, no colon.
    if let [first, rest @ ..] = bytes
        && NAME_CLASS[usize::from(*first)] == START
        && rest
            .iter()
            .all(|&b| matches!(NAME_CLASS[usize::from(b)], START | CHAR))
    {
        return Ok(("", qname));
    }
    let bad = || XmlError::InvalidName(truncated(qname));
    // ASCII fast path: one pass with a class table.
    let mut colon = None;
    let mut at_start = true;
    let mut ascii = true;
    for (i, &b) in bytes.iter().enumerate() {
        match NAME_CLASS[usize::from(b)] {
            START => at_start = false,
            CHAR if !at_start => {}
            COLON if !at_start && colon.is_none() => {
                colon = Some(i);
                at_start = true;
            }
            NON_ASCII => {
                ascii = false;
                break;
            }
            _ => return Err(bad()),
        }
    }
    if ascii {
        if at_start {
            return Err(bad()); // empty, or ends with a colon
        }
        return Ok(match colon {
            Some(i) => (&qname[..i], &qname[i + 1..]),
            None => ("", qname),
        });
    }
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => {
            if !is_ncname(p) {
                return Err(bad());
            }
            (p, l)
        }
        None => ("", qname),
    };
    if !is_ncname(local) {
        return Err(bad());
    }
    Ok((prefix, local))
}

const INVALID: u8 = 0;
const START: u8 = 1;
const CHAR: u8 = 2;
const COLON: u8 = 3;
const NON_ASCII: u8 = 4;

/// Name character classes of bytes (XML 1.0 `NameStartChar`/`NameChar`, ASCII part).
static NAME_CLASS: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => START,
            b'0'..=b'9' | b'-' | b'.' => CHAR,
            b':' => COLON,
            0x80..=0xFF => NON_ASCII,
            _ => INVALID,
        };
        b += 1;
    }
    t
};

/// An XML name without colons (Namespaces in XML `NCName`).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '_';
    }
    matches!(c,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    }
    is_name_start(c) || matches!(c, '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Byte classes for the writer: 0 = copy, 1 = escape or replace, 2 = `0xEF` (maybe U+FFFE/F).
const fn escape_table(attr: bool) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 1;
        b += 1;
    }
    t[b'&' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'>' as usize] = 1;
    if !attr {
        t[b'\t' as usize] = 0;
        t[b'\n' as usize] = 0;
    } else {
        t[b'\'' as usize] = 1;
        t[b'"' as usize] = 1;
    }
    t[0xEF] = 2;
    t
}

static TEXT_TABLE: [u8; 256] = escape_table(false);
static ATTR_TABLE: [u8; 256] = escape_table(true);

/// Appends `s` escaped as element text. `\r` is written as `&#xD;` so it survives line-end
/// normalization; characters XML cannot carry (C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub(crate) fn escape_text(out: &mut Vec<u8>, s: &str) {
    escape_with(out, s, &TEXT_TABLE, false);
}

/// Appends `s` escaped for an attribute value in single quotes. Tab, LF and CR are written as
/// character references so they survive attribute-value normalization.
pub(crate) fn escape_attr(out: &mut Vec<u8>, s: &str) {
    escape_with(out, s, &ATTR_TABLE, true);
}

/// Whether none of the eight bytes needs the table: no control character, `&`, `<`, `>`, no
/// `0xEF`, and for an attribute no quote either.
#[inline]
fn word_plain(x: u64, attr: bool) -> bool {
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    let noncharacter = x & HIGHS != 0 && has_zero_byte(x ^ (ONES * 0xEF));
    let markup = has_zero_byte(x ^ (ONES * u64::from(b'&')))
        | has_zero_byte(x ^ (ONES * u64::from(b'<')))
        | has_zero_byte(x ^ (ONES * u64::from(b'>')));
    let quote = attr
        && (has_zero_byte(x ^ (ONES * u64::from(b'\'')))
            | has_zero_byte(x ^ (ONES * u64::from(b'"'))));
    !(control | noncharacter | markup | quote)
}

fn escape_with(out: &mut Vec<u8>, s: &str, table: &[u8; 256], attr: bool) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight plain bytes at a time; the table decides the bytes of a word that is not.
        while let Some(word) = bytes.get(i..i + 8) {
            match <[u8; 8]>::try_from(word) {
                Ok(word) if word_plain(u64::from_le_bytes(word), attr) => i += 8,
                _ => break,
            }
        }
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let Some(&b) = bytes.get(i) else { break };
            match table[usize::from(b)] {
                0 => i += 1,
                2 => {
                    let noncharacter = bytes.get(i + 1) == Some(&0xBF)
                        && matches!(bytes.get(i + 2), Some(0xBE | 0xBF));
                    if noncharacter {
                        out.extend_from_slice(&bytes[start..i]);
                        out.extend_from_slice("\u{FFFD}".as_bytes());
                        i += 3;
                        start = i;
                    } else {
                        i += 1;
                    }
                }
                _ => {
                    out.extend_from_slice(&bytes[start..i]);
                    let replacement: &[u8] = match b {
                        b'&' => b"&amp;",
                        b'<' => b"&lt;",
                        b'>' => b"&gt;",
                        b'\'' => b"&apos;",
                        b'"' => b"&quot;",
                        b'\t' => b"&#x9;",
                        b'\n' => b"&#xA;",
                        b'\r' => b"&#xD;",
                        _ => "\u{FFFD}".as_bytes(),
                    };
                    out.extend_from_slice(replacement);
                    i += 1;
                    start = i;
                }
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut v = Vec::new();
        escape_text(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    fn attr(s: &str) -> String {
        let mut v = Vec::new();
        escape_attr(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn escapes() {
        assert_eq!(text("a<b>&c'\"\t\n\r"), "a&lt;b&gt;&amp;c'\"\t\n&#xD;");
        assert_eq!(
            attr("a<b>&c'\"\t\n\r"),
            "a&lt;b&gt;&amp;c&apos;&quot;&#x9;&#xA;&#xD;"
        );
        assert_eq!(
            text("x\u{1}y\u{FFFE}z\u{FFFF}\u{FFFD}é"),
            "x\u{FFFD}y\u{FFFD}z\u{FFFD}\u{FFFD}é"
        );
        assert_eq!(text("\u{F000}\u{FFFC}"), "\u{F000}\u{FFFC}");
    }

    #[test]
    fn escaping_finds_every_byte_anywhere() {
        for (raw, as_text, as_attr) in [
            ("&", "&amp;", "&amp;"),
            ("<", "&lt;", "&lt;"),
            (">", "&gt;", "&gt;"),
            ("'", "'", "&apos;"),
            ("\"", "\"", "&quot;"),
            ("\t", "\t", "&#x9;"),
            ("\n", "\n", "&#xA;"),
            ("\r", "&#xD;", "&#xD;"),
            ("\u{1}", "\u{FFFD}", "\u{FFFD}"),
            ("\u{FFFE}", "\u{FFFD}", "\u{FFFD}"),
            ("\u{F000}", "\u{F000}", "\u{F000}"),
            ("é", "é", "é"),
        ] {
            for before in 0..18 {
                for after in [0, 1, 7, 9] {
                    let (b, a) = ("a".repeat(before), "b".repeat(after));
                    let input = format!("{b}{raw}{raw}{a}");
                    assert_eq!(
                        text(&input),
                        format!("{b}{as_text}{as_text}{a}"),
                        "{input:?}"
                    );
                    assert_eq!(
                        attr(&input),
                        format!("{b}{as_attr}{as_attr}{a}"),
                        "{input:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn char_checks_find_every_byte_anywhere() {
        for (byte, expect) in [
            (
                "\t",
                Ok(Seen {
                    ws: true,
                    ..Seen::default()
                }),
            ),
            (
                "\n",
                Ok(Seen {
                    ws: true,
                    ..Seen::default()
                }),
            ),
            (
                "\r",
                Ok(Seen {
                    ws: true,
                    cr: true,
                    ..Seen::default()
                }),
            ),
            (
                "&",
                Ok(Seen {
                    amp: true,
                    ..Seen::default()
                }),
            ),
            (
                "<",
                Ok(Seen {
                    lt: true,
                    ..Seen::default()
                }),
            ),
            ("\u{1}", Err(XmlError::InvalidChar(1))),
            ("\u{FFFE}", Err(XmlError::InvalidChar(0xFFFE))),
            ("\u{FFFF}", Err(XmlError::InvalidChar(0xFFFF))),
            ("\u{FFFD}", Ok(Seen::default())),
            ("\u{F000}", Ok(Seen::default())),
        ] {
            for before in 0..18 {
                for after in [0, 1, 7, 9] {
                    let s = format!("{}{byte}{}", "a".repeat(before), "b".repeat(after));
                    assert_eq!(check_chars(&s), expect, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn char_checks() {
        assert!(check_chars("hello\t\n\r wörld \u{FFFD}").is_ok());
        assert_eq!(check_chars("a\u{0}"), Err(XmlError::InvalidChar(0)));
        assert_eq!(check_chars("\u{1F}"), Err(XmlError::InvalidChar(0x1F)));
        let long = format!("{}\u{FFFF}", "x".repeat(31));
        assert_eq!(check_chars(&long), Err(XmlError::InvalidChar(0xFFFF)));
        assert!(check_chars("&").unwrap().amp);
    }

    #[test]
    fn references() {
        assert_eq!(resolve_reference("lt"), Ok('<'));
        assert_eq!(resolve_reference("apos"), Ok('\''));
        assert_eq!(resolve_reference("#x41"), Ok('A'));
        assert_eq!(resolve_reference("#0000065"), Ok('A'));
        assert_eq!(resolve_reference("#x1F600"), Ok('😀'));
        assert_eq!(resolve_reference("#0"), Err(XmlError::InvalidChar(0)));
        assert_eq!(resolve_reference("#x1"), Err(XmlError::InvalidChar(1)));
        assert_eq!(
            resolve_reference("#xD800"),
            Err(XmlError::InvalidChar(0xD800))
        );
        assert_eq!(
            resolve_reference("#xFFFE"),
            Err(XmlError::InvalidChar(0xFFFE))
        );
        assert_eq!(
            resolve_reference("#99999999999999999"),
            Err(XmlError::InvalidChar(0x0011_0000))
        );
        assert!(matches!(
            resolve_reference("#+5"),
            Err(XmlError::InvalidCharRef(_))
        ));
        assert!(matches!(
            resolve_reference("#x"),
            Err(XmlError::InvalidCharRef(_))
        ));
        assert!(matches!(
            resolve_reference("nbsp"),
            Err(XmlError::EntityReference(_))
        ));
        assert_eq!(
            resolve_reference("nbsp").unwrap_err().condition(),
            "restricted-xml"
        );
    }

    #[test]
    fn attribute_values() {
        let mut s = String::new();
        push_attr_value(&mut s, "a&amp;b\r\nc\td&#x9;e&#10;").unwrap();
        assert_eq!(s, "a&b c d\te\n");
        assert!(push_attr_value(&mut String::new(), "a<b").is_err());
        assert!(push_attr_value(&mut String::new(), "&foo;").is_err());
        assert!(push_attr_value(&mut String::new(), "&amp").is_err());
    }

    #[test]
    fn line_ends() {
        let mut s = String::new();
        push_normalized_lines(&mut s, "a\r\nb\rc\n\r");
        assert_eq!(s, "a\nb\nc\n\n");
    }

    #[test]
    fn names() {
        assert_eq!(split_qname("stream:stream"), Ok(("stream", "stream")));
        assert_eq!(split_qname("body"), Ok(("", "body")));
        assert_eq!(split_qname("é-1.x"), Ok(("", "é-1.x")));
        for bad in ["", ":a", "a:", "a:b:c", "1a", "-a", "a\"b", "a=b", "a b"] {
            assert!(split_qname(bad).is_err(), "{bad}");
        }
    }
}
