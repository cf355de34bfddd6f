//! Finds where an incomplete token at the end of the input buffer ends, incrementally.
//!
//! The lexer reads complete tokens from a slice. When the buffer ends inside a token the parser
//! rewinds to that token's start and waits for more input. To avoid re-lexing a large token on
//! every small chunk (O(n²)), this scanner remembers how far it looked and in which state
//! (inside a quoted attribute value, after a `]`…), and resumes from there; the lexer runs again
//! only once the token is complete. Start tags are followed by the lexer's own resumable
//! [`TagScan`], which also refuses a malformed tag at the same point the lexer would, so the
//! outcome never depends on where the input was split; the other tokens end at a fixed
//! delimiter the lexer looks for too (quick-xml's [`PiParser`] for the declaration).

use quick_xml::parser::{Parser, PiParser};

use super::error::XmlError;
use super::lexer::TagScan;

const CDATA_OPEN: &[u8] = b"<![CDATA[";

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Not classified yet (too few bytes).
    Unknown,
    /// Start tag.
    StartTag(TagScan),
    /// End tag: ends at the first `>`.
    EndTag,
    /// Processing instruction or XML declaration.
    Pi(PiParser),
    /// CDATA section, after its opening.
    CData,
    /// Entity or character reference.
    Reference,
    /// Character data.
    Text,
}

/// Outcome of [`Pending::advance`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The token needs more input.
    Incomplete,
    /// The token is complete in the buffer.
    Complete,
    /// The token is refused whatever follows (e.g. a comment).
    Refused(XmlError),
}

/// An incomplete token: where it starts in the buffer, how far it was scanned, and the state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
    start: usize,
    scanned: usize,
    kind: Kind,
    pi_allowed: bool,
    /// Once the outcome is known: the index just past the byte that decided it (the byte that
    /// completed the token, or the one that made it refused).
    decided: usize,
}

impl Pending {
    /// A token starting at `start` in the buffer. `pi_allowed`: whether `<?` may appear here (the
    /// XML declaration at the start of the stream).
    pub(crate) fn new(start: usize, pi_allowed: bool) -> Self {
        Pending {
            start,
            scanned: start,
            kind: Kind::Unknown,
            pi_allowed,
            decided: start,
        }
    }

    /// Where the token starts in the buffer.
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// Once [`Pending::advance`] returned `Complete` or `Refused`: the index just past the byte
    /// that decided it. Split anywhere before it, the token was still undecided; so the size
    /// limit is checked against it, which makes the outcome independent of the chunking.
    pub(crate) fn decided(&self) -> usize {
        self.decided
    }

    /// Moves the token after the buffer dropped `n` consumed bytes from its front.
    pub(crate) fn shift(&mut self, n: usize) {
        self.start -= n.min(self.start);
        self.scanned -= n.min(self.scanned);
        self.decided -= n.min(self.decided);
    }

    /// Scans the bytes of `buf` not seen yet.
    pub(crate) fn advance(&mut self, buf: &[u8]) -> Progress {
        let rest = match buf.get(self.scanned..) {
            // Nothing new: scanners must not see an empty chunk (PiParser would forget a `?`
            // that ended the previous one).
            Some(rest) if !rest.is_empty() || matches!(self.kind, Kind::Unknown) => rest,
            _ => return Progress::Incomplete,
        };
        let from = self.scanned;
        // Where in `rest` the deciding byte is, if it is there.
        let at = match self.kind {
            Kind::Unknown => return self.classify(buf),
            Kind::StartTag(mut scan) => {
                let token = buf.get(self.start..).unwrap_or(&[]);
                let r = scan.resume(token);
                self.kind = Kind::StartTag(scan);
                self.scanned = buf.len();
                // The scanner stops at the byte that ended or refused the tag.
                return match r {
                    Ok(Some((len, _))) => {
                        self.decided = self.start + len;
                        Progress::Complete
                    }
                    Ok(None) => Progress::Incomplete,
                    Err(e) => self.refuse(scan.at() + 1, e),
                };
            }
            Kind::EndTag => rest.iter().position(|&b| b == b'>'),
            Kind::Pi(mut p) => {
                let at = p.feed(rest);
                self.kind = Kind::Pi(p);
                at
            }
            Kind::CData => match rest.windows(3).position(|w| w == b"]]>") {
                Some(at) => Some(at + 2),
                None => {
                    // `]]>` may straddle the next chunk: rescan the last two bytes.
                    self.scanned = buf.len().saturating_sub(2).max(self.scanned);
                    return Progress::Incomplete;
                }
            },
            Kind::Reference => rest.iter().position(|&b| matches!(b, b';' | b'&' | b'<')),
            Kind::Text => rest.iter().position(|&b| matches!(b, b'<' | b'&')),
        };
        self.scanned = buf.len();
        match at {
            Some(at) => {
                self.decided = from + at + 1;
                Progress::Complete
            }
            None => Progress::Incomplete,
        }
    }

    /// Refuses the token, decided by its first `len` bytes.
    fn refuse(&mut self, len: usize, error: XmlError) -> Progress {
        self.decided = self.start + len;
        Progress::Refused(error)
    }

    fn classify(&mut self, buf: &[u8]) -> Progress {
        let token = buf.get(self.start..).unwrap_or(&[]);
        let (kind, skip) = match token {
            [] | [b'<'] | [b'<', b'!'] => return Progress::Incomplete,
            [b'<', b'?', ..] if !self.pi_allowed => {
                return self.refuse(2, XmlError::ProcessingInstruction);
            }
            [b'<', b'?', ..] => (Kind::Pi(PiParser(false)), 0),
            [b'<', b'!', b'-', ..] => return self.refuse(3, XmlError::Comment),
            [b'<', b'!', b'[', ..] => {
                let n = token.len().min(CDATA_OPEN.len());
                if let Some(bad) = (0..n).find(|&i| token.get(i) != CDATA_OPEN.get(i)) {
                    return self.refuse(bad + 1, XmlError::Syntax("invalid `<![` markup".into()));
                }
                if n < CDATA_OPEN.len() {
                    return Progress::Incomplete;
                }
                (Kind::CData, CDATA_OPEN.len())
            }
            [b'<', b'!', b'D' | b'd', ..] => {
                return self.refuse(3, XmlError::Doctype);
            }
            [b'<', b'!', ..] => {
                return self.refuse(3, XmlError::Syntax("invalid `<!` markup".into()));
            }
            [b'<', b'/', ..] => (Kind::EndTag, 0),
            [b'<', ..] => (Kind::StartTag(TagScan::start_tag()), 0),
            [b'&', ..] => (Kind::Reference, 1),
            _ => (Kind::Text, 0),
        };
        self.kind = kind;
        self.scanned = self.start + skip;
        self.advance(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` byte by byte and returns the length at which the token completed.
    fn completes_at(input: &[u8]) -> Result<Option<usize>, XmlError> {
        let mut p = Pending::new(0, true);
        for end in 1..=input.len() {
            match p.advance(&input[..end]) {
                Progress::Incomplete => {}
                Progress::Complete => return Ok(Some(end)),
                Progress::Refused(e) => return Err(e),
            }
        }
        Ok(None)
    }

    #[test]
    fn tags_respect_quotes() {
        assert_eq!(completes_at(b"<a b='>' c=\">\">rest"), Ok(Some(15)));
        assert_eq!(completes_at(b"</a>"), Ok(Some(4)));
        assert_eq!(
            completes_at(b"</a '>"),
            Ok(Some(6)),
            "an end tag ends at its first `>`"
        );
        assert_eq!(completes_at(b"<a"), Ok(None));
        assert!(matches!(completes_at(b"<a b=c"), Err(XmlError::Syntax(_))));
    }

    #[test]
    fn text_and_references() {
        assert_eq!(completes_at(b"hello<"), Ok(Some(6)));
        assert_eq!(completes_at(b"hello"), Ok(None));
        assert_eq!(completes_at(b"&amp;"), Ok(Some(5)));
        assert_eq!(completes_at(b"&am"), Ok(None));
    }

    #[test]
    fn cdata_across_chunks() {
        assert_eq!(completes_at(b"<![CDATA[a]]]>"), Ok(Some(14)));
        assert_eq!(completes_at(b"<![CDATA[]]"), Ok(None));
        assert!(completes_at(b"<![CDAX").is_err());
    }

    #[test]
    fn empty_chunks_keep_state() {
        let mut p = Pending::new(0, true);
        let mut buf = b"<?xml version='1.0'?".to_vec();
        assert_eq!(p.advance(&buf), Progress::Incomplete);
        assert_eq!(p.advance(&buf), Progress::Incomplete);
        buf.push(b'>');
        assert_eq!(p.advance(&buf), Progress::Complete);
    }

    /// Where each outcome was decided, whole or byte by byte: the size limit is checked there.
    #[test]
    fn decided_at_the_deciding_byte() {
        for (input, pi_allowed, decided) in [
            (&b"<a b='1'>tail"[..], true, 9),
            (b"</a>tail", true, 4),
            (b"text<", true, 5),
            (b"&amp;x", true, 5),
            (b"<![CDATA[x]]>tail", true, 13),
            (b"<?xml version='1.0'?>tail", true, 21),
            (b"<!-- c -->", true, 3),
            (b"<!DOCTYPE x>", true, 3),
            (b"<!x", true, 3),
            (b"<![CDAX[", true, 7),
            (b"<?pi?>", false, 2),
            (b"<a b=c>", true, 6),
            (b"<a/x>", true, 4),
        ] {
            let mut whole = Pending::new(0, pi_allowed);
            assert_ne!(whole.advance(input), Progress::Incomplete, "{input:?}");
            assert_eq!(whole.decided(), decided, "{input:?} whole");
            let mut pieces = Pending::new(0, pi_allowed);
            let end = (1..=input.len())
                .find(|&end| pieces.advance(&input[..end]) != Progress::Incomplete)
                .unwrap();
            assert_eq!(
                (end, pieces.decided()),
                (decided, decided),
                "{input:?} in pieces"
            );
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(completes_at(b"<!-"), Err(XmlError::Comment));
        assert_eq!(completes_at(b"<!DOCTYPE"), Err(XmlError::Doctype));
        assert!(matches!(completes_at(b"<!x"), Err(XmlError::Syntax(_))));
        let mut p = Pending::new(0, false);
        assert_eq!(
            p.advance(b"<?x"),
            Progress::Refused(XmlError::ProcessingInstruction)
        );
        // Like quick-xml, the first `?>` ends a processing instruction, quotes or not.
        assert_eq!(completes_at(b"<?xml version='?>'?>"), Ok(Some(17)));
    }
}
