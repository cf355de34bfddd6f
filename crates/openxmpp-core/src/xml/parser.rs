//! The sans-IO stream parser: bytes in, [`StreamEvent`]s out.

use super::error::{Limit, XmlError};
use super::framer::{Pending, Progress};
use super::lexer::{self, Lexed, RawAttr, is_space};
use super::limits::ParserLimits;
use super::stream::StreamEvent;
use super::tree::{Span, Tree};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An incremental parser for one direction of an XMPP stream (RFC 6120 §4, restricted XML §11).
///
/// Feed it the bytes that arrive, in chunks split anywhere, with [`feed`](Self::feed); then call
/// [`next_event`](Self::next_event) until it returns `Ok(None)`. The events are the same however
/// the input was split. It does no I/O and keeps no clock.
///
/// Tokens come from our own restricted-XML lexer (`lexer.rs`); this type adds what XMPP needs
/// on top: buffering across chunk boundaries, namespaces, `xml:lang` inheritance, the
/// restricted-XML rules and [`ParserLimits`]. Memory stays bounded by the largest stanza allowed (plus the last chunk fed),
/// provided `next_event` is drained after each `feed`.
///
/// Any error is fatal: it names the stream error condition to send
/// ([`XmlError::condition`]) and the parser then returns it on every call.
///
/// ```
/// use openxmpp_core::xml::{StreamEvent, StreamParser};
///
/// let mut parser = StreamParser::new();
/// parser.feed(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' \
///     version='1.0' xml:lang='en'><message to='juliet@example.com'><bo");
/// let Ok(Some(StreamEvent::StreamOpen(header))) = parser.next_event() else { panic!() };
/// assert_eq!(header.from.as_deref(), Some("example.com"));
/// assert_eq!(header.content_ns, "jabber:client");
/// assert_eq!(parser.next_event(), Ok(None)); // the message is not complete yet
///
/// parser.feed(b"dy>Art thou not R&#xE9;mi?</body></message></stream:stream>");
/// let Ok(Some(StreamEvent::Stanza(message))) = parser.next_event() else { panic!() };
/// assert!(message.is("message", "jabber:client"));
/// assert_eq!(message.lang(), Some("en")); // inherited from the stream
/// let body = message.get_child("body", "jabber:client").unwrap();
/// assert_eq!(body.text(), "Art thou not Rémi?");
/// assert_eq!(parser.next_event(), Ok(Some(StreamEvent::StreamClose)));
///
/// // Restricted XML: a comment is a fatal `restricted-xml` stream error.
/// let mut parser = StreamParser::new();
/// parser.feed(b"<!-- hello -->");
/// assert_eq!(parser.next_event().unwrap_err().condition(), "restricted-xml");
/// ```
#[derive(Debug)]
pub struct StreamParser {
    limits: ParserLimits,
    /// Received bytes, checked as UTF-8 as they arrive (once each); `buf[..pos]` is consumed.
    buf: String,
    /// The start of a UTF-8 sequence split by the end of the last chunk.
    partial: ([u8; 4], usize),
    /// Bytes that are not UTF-8 arrived after `buf`: nothing more is appended, and the token
    /// that reaches them is refused.
    poisoned: bool,
    pos: usize,
    /// Absolute stream offset of `buf[0]` (bytes dropped from the front so far).
    base: u64,
    /// The incomplete token at the end of the buffer, if any; it starts at `pos`.
    pending: Option<Pending>,
    tree: Tree,
    error: Option<XmlError>,
    /// The attribute list the lexer fills, kept for its allocation.
    attrs: Vec<RawAttr<'static>>,
}

/// How a run of the lexer over the buffer ended.
enum Outcome {
    /// An event is ready; this many bytes were consumed.
    Ready(usize),
    /// Everything was consumed.
    Drained,
    /// A token starts at this offset and is not complete yet.
    Incomplete(usize),
    /// The lexer refused the token starting at this offset.
    Refused(usize, XmlError),
}

impl Default for StreamParser {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamParser {
    /// A parser with the default [`ParserLimits`].
    pub fn new() -> Self {
        Self::with_limits(ParserLimits::default())
    }

    /// A parser with the given limits.
    pub fn with_limits(limits: ParserLimits) -> Self {
        StreamParser {
            limits,
            buf: String::new(),
            partial: ([0; 4], 0),
            poisoned: false,
            pos: 0,
            base: 0,
            pending: None,
            tree: Tree::new(),
            error: None,
            attrs: Vec::new(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &ParserLimits {
        &self.limits
    }

    /// Appends received bytes. Ignored once the parser has failed.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.error.is_some() || self.poisoned {
            return;
        }
        self.compact();
        // First complete a sequence the previous chunk ended in the middle of.
        let (mut partial, mut len) = self.partial;
        if len > 0 {
            while len < partial.len() && !bytes.is_empty() {
                match std::str::from_utf8(&partial[..len]) {
                    Err(e) if e.error_len().is_none() => {}
                    _ => break,
                }
                partial[len] = bytes[0];
                len += 1;
                bytes = &bytes[1..];
            }
            match std::str::from_utf8(&partial[..len]) {
                Ok(s) => self.buf.push_str(s),
                Err(e) if e.error_len().is_none() && len < partial.len() => {
                    self.partial = (partial, len);
                    return;
                }
                Err(_) => {
                    self.poisoned = true;
                    return;
                }
            }
            self.partial.1 = 0;
        }
        // A sequence cut by the end of the chunk waits for the next one.
        let keep = incomplete_tail(bytes);
        let (whole, tail) = bytes.split_at(bytes.len() - keep);
        match std::str::from_utf8(whole) {
            Ok(text) => self.buf.push_str(text),
            Err(e) => {
                // Not UTF-8: what precedes the fault is kept, nothing after it.
                let valid = whole.get(..e.valid_up_to()).unwrap_or_default();
                self.buf
                    .push_str(std::str::from_utf8(valid).unwrap_or_default());
                self.poisoned = true;
                return;
            }
        }
        let mut partial = [0; 4];
        partial[..tail.len()].copy_from_slice(tail);
        self.partial = (partial, tail.len());
    }

    /// Whether a first-level element has started and not yet ended (its start tag was read).
    pub fn in_element(&self) -> bool {
        !self.tree.between_stanzas()
    }

    /// The number of received bytes not turned into events yet.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.pos + self.partial.1
    }

    /// Prepares for a new stream from the peer (after STARTTLS or SASL success, RFC 6120 §4.3.3):
    /// forgets the stream header, namespaces and any partial stanza, and clears a previous error.
    /// Bytes received but not parsed yet are kept: they belong to the new stream. Buffers are
    /// reused, not reallocated.
    pub fn reset(&mut self) {
        self.tree.reset();
        self.pending = None;
        self.error = None;
    }

    /// Returns the next event, `Ok(None)` when more input is needed.
    ///
    /// # Errors
    ///
    /// Any violation of XML, XML namespaces, RFC 6120's restrictions or the limits; see
    /// [`XmlError`]. Errors are sticky.
    pub fn next_event(&mut self) -> Result<Option<StreamEvent>, XmlError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match self.step() {
            Ok(event) => Ok(event),
            Err(e) => {
                self.error = Some(e.clone());
                // Nothing will be parsed any more: release the memory.
                self.buf = String::new();
                self.partial.1 = 0;
                self.poisoned = false;
                self.pos = 0;
                self.pending = None;
                Err(e)
            }
        }
    }

    fn abs(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    /// Drops consumed bytes from the front of the buffer when that is cheap relative to the
    /// bytes kept, so compaction costs O(1) amortized per byte.
    fn compact(&mut self) {
        if self.pos == 0 {
            return;
        }
        let live = self.buf.len() - self.pos;
        // Tokens end at ASCII delimiters, so `pos` is a char boundary.
        if (live == 0 || self.pos >= live) && self.buf.is_char_boundary(self.pos) {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            if let Some(p) = &mut self.pending {
                p.shift(self.pos);
            }
            self.pos = 0;
        }
    }

    /// Refuses an incomplete token (and the stanza it belongs to) that already exceeds the size
    /// limit, so a peer cannot make the buffer grow without bound.
    fn check_incomplete(&self, token_start: usize) -> Result<(), XmlError> {
        self.check_size(token_start, self.buf.len())
    }

    /// Refuses the token starting at `token_start` if its stanza exceeds the size limit at
    /// `end`. A token that is refused is checked at the byte that decided it
    /// ([`Pending::decided`]) before its own fault is reported: had it arrived in pieces, the
    /// size limit would have refused it first, and the outcome must not depend on how the
    /// input was split.
    fn check_size(&self, token_start: usize, end: usize) -> Result<(), XmlError> {
        let origin = self.tree.size_origin(self.abs(token_start));
        if self.abs(end).saturating_sub(origin) > self.limits.max_stanza_size as u64 {
            return Err(XmlError::LimitExceeded(Limit::StanzaSize));
        }
        Ok(())
    }

    /// The bytes after the buffer are not UTF-8: the token at `token_start` is refused for
    /// that, at the first byte that is not (after the size limit, as for any refusal).
    fn refuse_utf8(&self, token_start: usize) -> XmlError {
        match self.check_size(token_start, self.buf.len() + 1) {
            Err(e) => e,
            Ok(()) => XmlError::InvalidUtf8,
        }
    }

    /// The lexer refused the complete (or refused) token at `token_start`: the size limit is
    /// checked at the byte that decided it, as the framer finds it, so that the outcome is the
    /// one the token would have had arriving in pieces.
    fn refuse_token(&self, token_start: usize, error: XmlError) -> XmlError {
        let mut pending = Pending::new(token_start, self.tree.pi_allowed());
        let decided = match pending.advance(self.buf.as_bytes()) {
            Progress::Complete | Progress::Refused(_) => pending.decided(),
            Progress::Incomplete => self.buf.len(),
        };
        match self.check_size(token_start, decided) {
            Err(e) => e,
            Ok(()) => error,
        }
    }

    fn step(&mut self) -> Result<Option<StreamEvent>, XmlError> {
        if let Some(event) = self.tree.take_ready() {
            return Ok(Some(event));
        }
        if let Some(mut pending) = self.pending {
            let start = pending.start();
            let progress = pending.advance(self.buf.as_bytes());
            self.pending = Some(pending);
            match progress {
                Progress::Incomplete if self.poisoned => return Err(self.refuse_utf8(start)),
                Progress::Incomplete => {
                    self.check_incomplete(start)?;
                    return Ok(None);
                }
                Progress::Complete => self.pending = None,
                Progress::Refused(e) => {
                    self.check_size(start, pending.decided())?;
                    return Err(e);
                }
            }
        }
        // A byte order mark where a token starts: skipped at the start of the stream, text
        // inside a stanza, refused elsewhere; handled here so that where the input was split
        // cannot matter.
        loop {
            let rest = self.buf.as_bytes().get(self.pos..).unwrap_or(&[]);
            if rest.starts_with(BOM) {
                self.tree.on_bom()?;
                self.pos += BOM.len();
            } else if !rest.is_empty() && rest.len() < BOM.len() && BOM.starts_with(rest) {
                return Ok(None);
            } else {
                break;
            }
        }

        let base = self.abs(self.pos);
        let input = self.buf.get(self.pos..).unwrap_or_default();
        let mut attrs = lexer::recycle(std::mem::take(&mut self.attrs));
        let outcome = lex_tokens(input, base, &mut self.tree, &mut attrs, &self.limits);
        self.attrs = lexer::recycle(attrs);
        match outcome? {
            Outcome::Ready(n) => {
                self.pos += n;
                Ok(self.tree.take_ready())
            }
            // What follows the checked text is not UTF-8: refused where it starts. Between
            // stanzas that is text outside any stanza, whatever its bytes.
            Outcome::Drained if self.poisoned && self.tree.between_stanzas() => {
                Err(self.tree.text_outside_error())
            }
            Outcome::Drained if self.poisoned => Err(self.refuse_utf8(self.buf.len())),
            Outcome::Incomplete(n) if self.poisoned => Err(self.refuse_utf8(self.pos + n)),
            Outcome::Refused(n, e) => Err(self.refuse_token(self.pos + n, e)),
            Outcome::Drained => {
                self.pos = self.buf.len();
                Ok(None)
            }
            Outcome::Incomplete(n) => {
                self.pos += n;
                self.wait_for(self.pos)
            }
        }
    }

    /// Records that the token at `start` is incomplete.
    fn wait_for(&mut self, start: usize) -> Result<Option<StreamEvent>, XmlError> {
        let mut pending = Pending::new(start, self.tree.pi_allowed());
        match pending.advance(self.buf.as_bytes()) {
            Progress::Refused(e) => {
                self.check_size(start, pending.decided())?;
                return Err(e);
            }
            // Text ending the buffer is never complete; keep scanning state anyway.
            Progress::Incomplete | Progress::Complete => {}
        }
        self.pending = Some(pending);
        self.check_incomplete(start)?;
        Ok(None)
    }
}

/// How many bytes at the end of `bytes` start a UTF-8 sequence that continues past it (0 to
/// 3): a lead byte and the continuation bytes that follow it, fewer than it announces.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let announced = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0, // ASCII, or not a lead byte: the UTF-8 check decides
        };
        let tail = &bytes[bytes.len() - back..];
        // Only a sequence that is right so far waits; a wrong one is refused now.
        let waits = announced > back
            && matches!(std::str::from_utf8(tail), Err(e) if e.error_len().is_none());
        return if waits { back } else { 0 };
    }
    0
}

/// Lexes tokens from `input` (at stream offset `base`) into `tree` until an event is ready,
/// the input is used up, or a token is incomplete.
fn lex_tokens<'a>(
    input: &'a str,
    base: u64,
    tree: &mut Tree,
    attrs: &mut Vec<RawAttr<'a>>,
    limits: &ParserLimits,
) -> Result<Outcome, XmlError> {
    let mut at = 0;
    loop {
        let Some(rest) = input.get(at..).filter(|r| !r.is_empty()) else {
            return Ok(Outcome::Drained);
        };
        if tree.between_stanzas() && !rest.starts_with('<') {
            tree.on_space();
            // Between stanzas only white space may come (keepalives): dropped as it arrives.
            // Anything else is refused for its first byte, so that where a chunk ended cannot
            // matter.
            let n = rest
                .bytes()
                .position(|b| !is_space(b))
                .unwrap_or(rest.len());
            at += n;
            if rest.as_bytes().get(n).is_some_and(|&b| b != b'<') {
                return Err(tree.text_outside_error());
            }
            continue;
        }
        let lexed = match lexer::lex(rest, tree.pi_allowed(), attrs) {
            Ok(lexed) => lexed,
            Err(e) => return Ok(Outcome::Refused(at, e)),
        };
        match lexed {
            Lexed::Incomplete => return Ok(Outcome::Incomplete(at)),
            Lexed::Token(token, len) => {
                let span = Span {
                    start: base + at as u64,
                    end: base + (at + len) as u64,
                };
                at += len;
                if tree.handle(token, attrs, span, limits)? {
                    return Ok(Outcome::Ready(at));
                }
            }
        }
    }
}
