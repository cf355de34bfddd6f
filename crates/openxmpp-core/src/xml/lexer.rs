//! The tokenizer: one complete token at the start of a byte slice, checked as it is read.
//!
//! Restricted XML (RFC 6120 §11.1) needs only start and end tags, character data, references,
//! CDATA sections and the XML declaration; everything else is refused here. The ends of tokens
//! and attribute values are found with SIMD byte search (`memchr`); each token is checked for
//! UTF-8 once as a whole (a tag: once, not per name and value), and its text and values for
//! the XML character rules only when a byte calls for it. Names are checked against the XML
//! name classes by [`split_qname`](super::escape::split_qname) when the tree resolves them.
//!
//! A tag is checked in a fixed order however the input was split: its syntax first (byte by
//! byte, by [`TagScan`]), then UTF-8 over the whole tag, then the characters of each value.
//!
//! A token that runs to the end of the input is reported as [`Lexed::Incomplete`]; the parser
//! then lets the [framer](super::framer) watch the following chunks for its end, so that a
//! large token arriving in small pieces is scanned once, and lexes it again when it is whole.

use super::error::XmlError;
use super::escape::{Seen, check_chars, check_text_chars};

/// A token. Slices borrow the input; the attributes of a start tag or declaration are in the
/// list given to [`lex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name …>` or `<name …/>`.
    Start {
        /// The qualified name, as written.
        name: &'a str,
        /// `/>`.
        empty: bool,
    },
    /// `</name>`.
    End {
        /// The qualified name, as written.
        name: &'a str,
    },
    /// Character data: no `<` or `&`, valid UTF-8 and XML characters.
    Text {
        /// The text, as written.
        text: &'a str,
        /// Whether it holds a `\r` (line ends need normalizing).
        cr: bool,
    },
    /// `&name;`, without `&` and `;`.
    Reference(&'a str),
    /// `<![CDATA[…]]>`: the content, checked like text (`cr` as for [`Token::Text`]).
    CData {
        /// The content.
        text: &'a str,
        /// Whether it holds a `\r`.
        cr: bool,
    },
    /// `<?xml …?>`: the pseudo-attributes are in the attribute list.
    Declaration,
}

/// What [`lex`] found at the start of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lexed<'a> {
    /// A complete token of `len` bytes.
    Token(Token<'a>, usize),
    /// The input ends inside a token (or inside character data, which may go on).
    Incomplete,
}

/// An attribute of the last start tag or declaration: the name and the raw value (between the
/// quotes, references not resolved), with what [`check_chars`] saw in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawAttr<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) seen: Seen,
}

/// Reuses the allocation of an attribute list for input with another lifetime.
pub(crate) fn recycle<'b>(mut attrs: Vec<RawAttr<'_>>) -> Vec<RawAttr<'b>> {
    attrs.clear();
    // In-place collection: the (empty) list keeps its allocation. `filter` cannot change the
    // item's lifetime, which is the point.
    #[allow(clippy::unnecessary_filter_map)]
    attrs.into_iter().filter_map(|_| None).collect()
}

/// XML white space (`S`).
#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Bytes that end a name inside a tag (anything else is left to the name check).
static ENDS_NAME: [bool; 256] = {
    let mut t = [false; 256];
    let ends = *b" \t\n\r/>='\"<?";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] = true;
        i += 1;
    }
    t
};

#[inline]
fn ends_name(b: u8) -> bool {
    ENDS_NAME[usize::from(b)]
}

/// `s[start..end]`; the lexer's ranges end at ASCII delimiters, so they are char boundaries.
#[inline]
fn sub(s: &str, start: usize, end: usize) -> &str {
    s.get(start..end).unwrap_or_default()
}

fn syntax(what: &str) -> XmlError {
    XmlError::Syntax(what.to_owned())
}

/// Checks character data or an attribute value for the XML character rules ([`check_chars`],
/// only when a byte calls for it); the parser's buffer is UTF-8 already.
#[inline]
fn checked(text: &str) -> Result<Seen, XmlError> {
    check_chars(text)
}

/// Reads the token at the start of `input`; a start tag's or declaration's attributes replace
/// the contents of `attrs`. `pi_allowed`: whether the XML declaration may appear here.
pub(crate) fn lex<'a>(
    input: &'a str,
    pi_allowed: bool,
    attrs: &mut Vec<RawAttr<'a>>,
) -> Result<Lexed<'a>, XmlError> {
    match input.as_bytes().first() {
        None => Ok(Lexed::Incomplete),
        Some(b'<') => match input.as_bytes().get(1) {
            None => Ok(Lexed::Incomplete),
            Some(b'/') => end_tag(input),
            Some(b'?') => declaration(input, pi_allowed, attrs),
            Some(b'!') => bang(input),
            Some(_) => start_tag(input, attrs),
        },
        Some(b'&') => reference(input),
        Some(_) => text(input),
    }
}

fn start_tag<'a>(input: &'a str, attrs: &mut Vec<RawAttr<'a>>) -> Result<Lexed<'a>, XmlError> {
    let mut spans = SpanList::default();
    let (len, empty, name_end) = match usual_tag(input.as_bytes(), &mut spans) {
        Some(tag) => tag,
        None => {
            // Anything unusual, malformed or cut short: the general scanner decides.
            spans = SpanList::default();
            let mut scan = TagScan::start_tag();
            let Some((len, empty)) = scan.scan(input.as_bytes(), Some(&mut spans))? else {
                return Ok(Lexed::Incomplete);
            };
            (len, empty, scan.name_end)
        }
    };
    let tag = sub(input, 0, len);
    let name = sub(tag, 1, name_end);
    collect_attrs(tag, &spans, attrs)?;
    Ok(Lexed::Token(Token::Start { name, empty }, len))
}

/// The usual complete tag, `<name a='1' b="2">` or `…/>` (one space before each attribute, none
/// around `=`), read in a straight line: its length, whether it was empty, where its name ends.
/// `None` for anything else; [`TagScan`] then reads it, and gives the same result for the tags
/// this one accepts.
#[inline]
fn usual_tag(b: &[u8], spans: &mut SpanList) -> Option<(usize, bool, usize)> {
    let name_len = b.get(1..)?.iter().position(|&c| ends_name(c))?;
    if name_len == 0 {
        return None;
    }
    let name_end = 1 + name_len;
    let mut i = name_end;
    loop {
        match *b.get(i)? {
            b'>' => return Some((i + 1, false, name_end)),
            b'/' if b.get(i + 1) == Some(&b'>') => return Some((i + 2, true, name_end)),
            b' ' => i += 1,
            _ => return None,
        }
        let attr_start = i;
        let attr_len = b.get(i..)?.iter().position(|&c| ends_name(c))?;
        i += attr_len;
        if attr_len == 0 || b.get(i) != Some(&b'=') {
            return None;
        }
        let quote = *b.get(i + 1)?;
        if quote != b'\'' && quote != b'"' {
            return None;
        }
        let value_start = i + 2;
        let value_len = memchr::memchr(quote, b.get(value_start..)?)?;
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        spans.push((
            at(attr_start),
            at(i),
            at(value_start),
            at(value_start + value_len),
        ));
        i = value_start + value_len + 1;
    }
}

/// The byte ranges of a tag's attributes: (name start, name end, value start, value end).
/// A few live inline; more spill to the heap.
#[derive(Debug, Default)]
struct SpanList {
    inline: [(u32, u32, u32, u32); 8],
    len: usize,
    more: Vec<(u32, u32, u32, u32)>,
}

impl SpanList {
    fn push(&mut self, span: (u32, u32, u32, u32)) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = span,
            None => self.more.push(span),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32, u32, u32)> + '_ {
        self.inline
            .iter()
            .take(self.len)
            .chain(self.more.iter())
            .copied()
    }
}

/// Makes the attributes of a tag, checking each value's characters.
fn collect_attrs<'a>(
    tag: &'a str,
    spans: &SpanList,
    attrs: &mut Vec<RawAttr<'a>>,
) -> Result<(), XmlError> {
    attrs.clear();
    for (ns, ne, vs, ve) in spans.iter() {
        let name = sub(tag, ns as usize, ne as usize);
        let value = sub(tag, vs as usize, ve as usize);
        let seen = checked(value)?;
        if seen.lt {
            return Err(syntax("`<` in an attribute value"));
        }
        attrs.push(RawAttr { name, value, seen });
    }
    Ok(())
}

/// Where a [`TagScan`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagPhase {
    /// In the element name.
    Name,
    /// Between attributes (`spaced`: white space was seen since the last one).
    Between,
    /// After a `/`, which must be followed by `>`.
    Slash,
    /// In an attribute name.
    AttrName,
    /// After an attribute name, before `=`.
    AfterAttrName,
    /// After `=`, before the opening quote.
    AfterEquals,
    /// In a value that started at `mark` and ends at the next `quote`.
    Value,
}

/// A start tag (or the declaration's pseudo-attributes) scanned from its `<`, resumable: when
/// the input ends inside the tag, scanning more input later continues where it stopped, so a
/// large tag arriving in small chunks is read once. Every check happens at the same point of
/// the scan however the input was split, so the outcome cannot depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TagScan {
    phase: TagPhase,
    pos: usize,
    /// Start and end of the current attribute name.
    attr_name_start: usize,
    attr_name_end: usize,
    /// Start of the current attribute value.
    mark: usize,
    /// End of the element name.
    name_end: usize,
    quote: u8,
    spaced: bool,
    /// The declaration: `?>` ends it, `>` and `/` do not belong in it.
    decl: bool,
}

impl TagScan {
    /// A start tag, from its `<`.
    pub(crate) fn start_tag() -> Self {
        TagScan {
            phase: TagPhase::Name,
            pos: 1,
            attr_name_start: 0,
            attr_name_end: 0,
            mark: 0,
            name_end: 0,
            quote: b'\'',
            spaced: false,
            decl: false,
        }
    }

    /// Scans on through `input` without collecting attributes (the [framer](super::framer)'s
    /// use: the parser lexes the tag again once it is complete).
    pub(crate) fn resume(&mut self, input: &[u8]) -> Result<Option<(usize, bool)>, XmlError> {
        self.scan(input, None)
    }

    /// How far the scan got: after a refusal, the index of the byte that refused the tag.
    pub(crate) fn at(&self) -> usize {
        self.pos
    }

    /// The declaration's pseudo-attributes, from `pos`.
    fn declaration(pos: usize) -> Self {
        TagScan {
            phase: TagPhase::Between,
            pos,
            name_end: pos,
            decl: true,
            ..TagScan::start_tag()
        }
    }

    /// Scans on through `input` (the tag from its `<`; what was scanned before must be
    /// unchanged) and checks the tag's syntax, byte by byte. Returns the tag's length and
    /// whether it ended with `/>` (or `?>`), or `None` when the input ends first. With `spans`,
    /// the attributes' ranges are collected (the scan must then run over the whole tag in one
    /// call).
    fn scan(
        &mut self,
        input: &[u8],
        mut spans: Option<&mut SpanList>,
    ) -> Result<Option<(usize, bool)>, XmlError> {
        loop {
            match self.phase {
                TagPhase::Name => {
                    let rest = input.get(self.pos..).unwrap_or_default();
                    let Some(n) = rest.iter().position(|&b| ends_name(b)) else {
                        self.pos = input.len();
                        return Ok(None);
                    };
                    self.pos += n;
                    if self.pos == 1 {
                        return Err(syntax("a start tag without a name"));
                    }
                    self.name_end = self.pos;
                    self.phase = TagPhase::Between;
                }
                TagPhase::Between => {
                    while input.get(self.pos).copied().is_some_and(is_space) {
                        self.pos += 1;
                        self.spaced = true;
                    }
                    let Some(&b) = input.get(self.pos) else {
                        return Ok(None);
                    };
                    match b {
                        b'?' if self.decl => self.phase = TagPhase::Slash,
                        b'>' | b'/' if self.decl => return Err(XmlError::BadDeclaration),
                        b'>' => return Ok(Some((self.pos + 1, false))),
                        b'/' => self.phase = TagPhase::Slash,
                        _ if !self.spaced => {
                            return Err(syntax("attributes must be separated by white space"));
                        }
                        _ => {
                            self.attr_name_start = self.pos;
                            self.phase = TagPhase::AttrName;
                            continue;
                        }
                    }
                    self.pos += 1;
                }
                TagPhase::Slash => {
                    return match input.get(self.pos) {
                        None => Ok(None),
                        Some(b'>') => Ok(Some((self.pos + 1, true))),
                        Some(_) if self.decl => Err(XmlError::BadDeclaration),
                        Some(_) => Err(syntax("`/` not followed by `>` in a tag")),
                    };
                }
                TagPhase::AttrName => {
                    let rest = input.get(self.pos..).unwrap_or_default();
                    let Some(n) = rest.iter().position(|&b| ends_name(b)) else {
                        self.pos = input.len();
                        return Ok(None);
                    };
                    self.pos += n;
                    if self.pos == self.attr_name_start {
                        return Err(syntax("an attribute without a name"));
                    }
                    self.attr_name_end = self.pos;
                    self.phase = TagPhase::AfterAttrName;
                }
                TagPhase::AfterAttrName | TagPhase::AfterEquals => {
                    while input.get(self.pos).copied().is_some_and(is_space) {
                        self.pos += 1;
                    }
                    let Some(&b) = input.get(self.pos) else {
                        return Ok(None);
                    };
                    match (self.phase, b) {
                        (TagPhase::AfterAttrName, b'=') => self.phase = TagPhase::AfterEquals,
                        (TagPhase::AfterAttrName, _) => {
                            return Err(syntax("an attribute without a value"));
                        }
                        (_, b'\'' | b'"') => {
                            self.quote = b;
                            self.mark = self.pos + 1;
                            self.phase = TagPhase::Value;
                        }
                        _ => return Err(syntax("an attribute value without quotes")),
                    }
                    self.pos += 1;
                }
                TagPhase::Value => {
                    let rest = input.get(self.pos..).unwrap_or_default();
                    let Some(n) = memchr::memchr(self.quote, rest) else {
                        self.pos = input.len();
                        return Ok(None);
                    };
                    if let Some(spans) = spans.as_deref_mut() {
                        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                        spans.push((
                            at(self.attr_name_start),
                            at(self.attr_name_end),
                            at(self.mark),
                            at(self.pos + n),
                        ));
                    }
                    self.pos += n + 1;
                    self.spaced = false;
                    self.phase = TagPhase::Between;
                }
            }
        }
    }
}

fn declaration<'a>(
    input: &'a str,
    pi_allowed: bool,
    attrs: &mut Vec<RawAttr<'a>>,
) -> Result<Lexed<'a>, XmlError> {
    if !pi_allowed {
        return Err(XmlError::ProcessingInstruction);
    }
    // Like quick-xml, the first `?>` ends a processing instruction, quotes or not.
    let Some(end) = memchr::memmem::find(input.as_bytes(), b"?>") else {
        return Ok(Lexed::Incomplete);
    };
    if end < 2 {
        return Err(XmlError::ProcessingInstruction); // `<?>`
    }
    let target_end = input
        .bytes()
        .take(end)
        .skip(2)
        .position(is_space)
        .map_or(end, |n| n + 2);
    if sub(input, 2, target_end) != "xml" {
        return Err(XmlError::ProcessingInstruction);
    }
    // The pseudo-attributes, read like a tag's attributes.
    let body = sub(input, 0, end + 2);
    let mut spans = SpanList::default();
    match TagScan::declaration(target_end).scan(body.as_bytes(), Some(&mut spans)) {
        Ok(Some((len, _))) if len == body.len() => {}
        Ok(_) | Err(_) => return Err(XmlError::BadDeclaration),
    }
    collect_attrs(body, &spans, attrs).map_err(|_| XmlError::BadDeclaration)?;
    Ok(Lexed::Token(Token::Declaration, end + 2))
}

fn end_tag(input: &str) -> Result<Lexed<'_>, XmlError> {
    let Some(close) = memchr::memchr(b'>', input.as_bytes()) else {
        return Ok(Lexed::Incomplete);
    };
    let inner = sub(input, 2, close);
    let name_len = inner.bytes().position(is_space).unwrap_or(inner.len());
    let name = sub(inner, 0, name_len);
    if name.is_empty() || !inner.bytes().skip(name_len).all(is_space) {
        return Err(syntax("a malformed end tag"));
    }
    if name.bytes().any(ends_name) {
        return Err(syntax("a malformed end tag"));
    }
    Ok(Lexed::Token(Token::End { name }, close + 1))
}

const CDATA_OPEN: &str = "<![CDATA[";

fn bang(input: &str) -> Result<Lexed<'_>, XmlError> {
    match input.as_bytes().get(2) {
        None => Ok(Lexed::Incomplete),
        Some(b'-') => Err(XmlError::Comment),
        Some(b'D' | b'd') => Err(XmlError::Doctype),
        Some(b'[') => {
            let n = input.len().min(CDATA_OPEN.len());
            if input.as_bytes()[..n] != CDATA_OPEN.as_bytes()[..n] {
                return Err(syntax("invalid `<![` markup"));
            }
            if n < CDATA_OPEN.len() {
                return Ok(Lexed::Incomplete);
            }
            let body = sub(input, CDATA_OPEN.len(), input.len());
            let Some(end) = memchr::memmem::find(body.as_bytes(), b"]]>") else {
                return Ok(Lexed::Incomplete);
            };
            let text = sub(body, 0, end);
            // `<` and `&` are literal in CDATA.
            let seen = check_chars(text)?;
            Ok(Lexed::Token(
                Token::CData { text, cr: seen.cr },
                CDATA_OPEN.len() + end + 3,
            ))
        }
        Some(_) => Err(syntax("invalid `<!` markup")),
    }
}

fn reference(input: &str) -> Result<Lexed<'_>, XmlError> {
    let bytes = input.as_bytes();
    match memchr::memchr3(b';', b'&', b'<', bytes.get(1..).unwrap_or_default()) {
        None => Ok(Lexed::Incomplete),
        Some(n) if bytes.get(n + 1) == Some(&b';') => {
            Ok(Lexed::Token(Token::Reference(sub(input, 1, n + 1)), n + 2))
        }
        Some(_) => Err(syntax("a `&` that starts no reference")),
    }
}

fn text(input: &str) -> Result<Lexed<'_>, XmlError> {
    let Some(end) = memchr::memchr2(b'<', b'&', input.as_bytes()) else {
        return Ok(Lexed::Incomplete);
    };
    let text = sub(input, 0, end);
    let seen = check_text_chars(text)?;
    Ok(Lexed::Token(Token::Text { text, cr: seen.cr }, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(input: &str) -> Result<Lexed<'_>, XmlError> {
        super::lex(input, true, &mut Vec::new())
    }

    #[test]
    fn tags_and_attributes() {
        let input = "<m a='1' b = \"x>y\" c='&amp;'/>rest";
        let mut attrs = Vec::new();
        let Ok(Lexed::Token(Token::Start { name, empty }, len)) =
            super::lex(input, false, &mut attrs)
        else {
            panic!("no start tag");
        };
        assert_eq!((name, empty, &input[len..]), ("m", true, "rest"));
        let attrs: Vec<_> = attrs
            .iter()
            .map(|a| (a.name, a.value, a.seen.amp))
            .collect();
        assert_eq!(
            attrs,
            [("a", "1", false), ("b", "x>y", false), ("c", "&amp;", true)]
        );
        assert_eq!(
            lex("</a:b >x"),
            Ok(Lexed::Token(Token::End { name: "a:b" }, 7))
        );
        assert_eq!(lex("<a b='1'"), Ok(Lexed::Incomplete));
        assert_eq!(lex("<a b='1'/"), Ok(Lexed::Incomplete));
        assert_eq!(lex("</a"), Ok(Lexed::Incomplete));
    }

    #[test]
    fn text_and_references() {
        assert_eq!(
            lex("héllo\r<"),
            Ok(Lexed::Token(
                Token::Text {
                    text: "héllo\r",
                    cr: true
                },
                7
            ))
        );
        assert_eq!(lex("hello"), Ok(Lexed::Incomplete));
        assert_eq!(lex("&amp;x"), Ok(Lexed::Token(Token::Reference("amp"), 5)));
        assert_eq!(lex("&am"), Ok(Lexed::Incomplete));
        assert!(lex("&a<").is_err());
        assert_eq!(
            lex("<![CDATA[<&]]>"),
            Ok(Lexed::Token(
                Token::CData {
                    text: "<&",
                    cr: false
                },
                14
            ))
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "< a>",
            "<<a>",
            "<a b>",
            "<a b=c>",
            "<a b='1'c='2'>",
            "<a/ >",
            "<a b='<'>",
            "</a b>",
            "</>",
            "<!x",
            "<![CDATX",
            "<a\u{1}='x'>",
        ] {
            assert!(lex(bad).is_err(), "{bad}");
        }
        assert_eq!(lex("<!-- c -->"), Err(XmlError::Comment));
        assert_eq!(lex("<!DOCTYPE x>"), Err(XmlError::Doctype));
        assert_eq!(
            super::lex("<?xml version='1.0'?>", false, &mut Vec::new()),
            Err(XmlError::ProcessingInstruction)
        );
        assert_eq!(lex("<?php x?>"), Err(XmlError::ProcessingInstruction));
        assert_eq!(lex("x\u{1}<"), Err(XmlError::InvalidChar(1)));
    }

    #[test]
    fn declaration() {
        let input = "<?xml version='1.0' encoding=\"UTF-8\"?><x";
        let mut attrs = Vec::new();
        assert_eq!(
            super::lex(input, true, &mut attrs),
            Ok(Lexed::Token(Token::Declaration, 38))
        );
        let attrs: Vec<_> = attrs.iter().map(|a| (a.name, a.value)).collect();
        assert_eq!(attrs, [("version", "1.0"), ("encoding", "UTF-8")]);
        assert_eq!(lex("<?xml version='1.0'"), Ok(Lexed::Incomplete));
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    /// Scans `input` in pieces of `step` bytes, resuming each time.
    fn in_pieces(input: &[u8], step: usize) -> Result<Option<(usize, bool)>, XmlError> {
        let mut scan = TagScan::start_tag();
        let mut end = 0;
        while end < input.len() {
            end = (end + step).min(input.len());
            if let Some(done) = scan.resume(&input[..end])? {
                return Ok(Some(done));
            }
        }
        Ok(None)
    }

    #[test]
    fn resuming_gives_the_same_outcome() {
        for input in [
            &b"<m a='1' b = \"x>y\"/>"[..],
            b"<m a='1'>",
            b"<m a='1'c='2'>",
            b"<m a b='1'>",
            b"<m a='\xFF'>",
            b"<m a='<'>",
            b"<m a='1'",
            b"<\xFF",
        ] {
            let whole = TagScan::start_tag().resume(input);
            for step in 1..input.len() {
                assert_eq!(in_pieces(input, step), whole, "{input:?} by {step}");
            }
        }
    }
}
