//! The sans-IO stream parser: bytes in, [`StreamEvent`]s out.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::{Limit, XmlError};
use super::framer::{Pending, Progress};
use super::limits::ParserLimits;
use super::stream::StreamEvent;
use super::tree::{Span, Tree, is_space};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An incremental parser for one direction of an XMPP stream (RFC 6120 §4, restricted XML §11).
///
/// Feed it the bytes that arrive, in chunks split anywhere, with [`feed`](Self::feed); then call
/// [`next_event`](Self::next_event) until it returns `Ok(None)`. The events are the same however
/// the input was split. It does no I/O and keeps no clock.
///
/// Tokens come from quick-xml; this type adds what XMPP needs on top: buffering across chunk
/// boundaries, namespaces, `xml:lang` inheritance, the restricted-XML rules and
/// [`ParserLimits`]. Memory stays bounded by the largest stanza allowed (plus the last chunk fed),
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
    /// Received bytes; `buf[..pos]` is consumed.
    buf: Vec<u8>,
    pos: usize,
    /// Absolute stream offset of `buf[0]` (bytes dropped from the front so far).
    base: u64,
    /// The incomplete token at the end of the buffer, if any; it starts at `pos`.
    pending: Option<Pending>,
    tree: Tree,
    error: Option<XmlError>,
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
            buf: Vec::new(),
            pos: 0,
            base: 0,
            pending: None,
            tree: Tree::new(),
            error: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &ParserLimits {
        &self.limits
    }

    /// Appends received bytes. Ignored once the parser has failed.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Whether a first-level element has started and not yet ended (its start tag was read).
    pub fn in_element(&self) -> bool {
        !self.tree.between_stanzas()
    }

    /// The number of received bytes not turned into events yet.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.pos
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
                self.buf = Vec::new();
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
        if live == 0 || self.pos >= live {
            self.buf.copy_within(self.pos.., 0);
            self.buf.truncate(live);
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
    /// `end`. A token that is refused, or complete but malformed, is checked at the byte that
    /// decided it ([`Pending::decided`]) before its own fault is reported: had it arrived in
    /// pieces, the size limit would have refused it first, and the outcome must not depend on
    /// how the input was split.
    fn check_size(&self, token_start: usize, end: usize) -> Result<(), XmlError> {
        let origin = self.tree.size_origin(self.abs(token_start));
        if self.abs(end).saturating_sub(origin) > self.limits.max_stanza_size as u64 {
            return Err(XmlError::LimitExceeded(Limit::StanzaSize));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<StreamEvent>, XmlError> {
        if let Some(event) = self.tree.take_ready() {
            return Ok(Some(event));
        }
        if let Some(pending) = &mut self.pending {
            match pending.advance(&self.buf) {
                Progress::Incomplete => {
                    let start = pending.start();
                    self.check_incomplete(start)?;
                    return Ok(None);
                }
                Progress::Complete => self.pending = None,
                Progress::Refused(e) => {
                    let (start, decided) = (pending.start(), pending.decided());
                    self.check_size(start, decided)?;
                    return Err(e);
                }
            }
        }
        // quick-xml strips a byte order mark at the start of its input; handle it here so that
        // where the input was split cannot matter.
        loop {
            let rest = self.buf.get(self.pos..).unwrap_or(&[]);
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
        let input = self.buf.get(self.pos..).unwrap_or(&[]);
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.expand_empty_elements = false;
        config.allow_dangling_amp = false;
        config.check_comments = false;
        loop {
            let before = to_usize(reader.buffer_position());
            let result = reader.read_event();
            let after = to_usize(reader.buffer_position());
            let event = match result {
                Ok(Event::Eof) => {
                    self.pos += before;
                    return Ok(None);
                }
                Ok(Event::Text(text)) if after == input.len() => {
                    // Text up to the end of the buffer may continue in the next chunk. Between
                    // stanzas it can only be whitespace: check and drop it now (keepalives).
                    if self.tree.between_stanzas() {
                        self.tree.on_text(&text)?;
                        self.pos += after;
                        return Ok(None);
                    }
                    self.pos += before;
                    return self.wait_for(self.pos);
                }
                Ok(event) => event,
                Err(e) => {
                    let start = self.pos + before;
                    // Between stanzas, text is refused for its first non-space byte, valid UTF-8
                    // or not, so that the outcome cannot depend on where a chunk ended.
                    if self.tree.between_stanzas() {
                        let rest = self.buf.get(start..).unwrap_or(&[]);
                        let text = rest
                            .iter()
                            .position(|&b| matches!(b, b'<' | b'&'))
                            .unwrap_or(rest.len());
                        if rest
                            .get(..text)
                            .is_some_and(|t| !t.iter().all(|&b| is_space(b)))
                        {
                            return Err(self.tree.text_outside_error());
                        }
                    }
                    let mut pending = Pending::new(start, self.tree.pi_allowed());
                    return match pending.advance(&self.buf) {
                        Progress::Incomplete => {
                            self.pos = start;
                            self.pending = Some(pending);
                            self.check_incomplete(start)?;
                            Ok(None)
                        }
                        Progress::Complete => {
                            self.check_size(start, pending.decided())?;
                            Err(e.into())
                        }
                        Progress::Refused(refusal) => {
                            self.check_size(start, pending.decided())?;
                            Err(refusal)
                        }
                    };
                }
            };
            let span = Span {
                start: base + before as u64,
                end: base + after as u64,
            };
            if self.tree.handle(event, span, &self.limits)? {
                self.pos += after;
                return Ok(self.tree.take_ready());
            }
        }
    }

    /// Records that the token at `start` is incomplete.
    fn wait_for(&mut self, start: usize) -> Result<Option<StreamEvent>, XmlError> {
        let mut pending = Pending::new(start, self.tree.pi_allowed());
        match pending.advance(&self.buf) {
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

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
