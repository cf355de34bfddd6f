//! Turns complete tokens into stream events: namespace resolution, the restricted-XML
//! rules, `xml:lang` inheritance, depth/attribute/size limits, and the element stack of the
//! stanza being built.

use std::borrow::Cow;

use super::element::{Attribute, Element};
use super::error::{Limit, XmlError};
use super::escape::split_qname;
use super::escape::{Seen, push_attr_value, push_normalized_lines, resolve_reference};
use super::lexer::{RawAttr, Token, is_space};
use super::limits::ParserLimits;
use super::ns::{self, Scopes, intern_attr};
use super::stream::{StreamEvent, StreamHeader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `<stream:stream>`.
    Prolog,
    /// Inside the stream.
    Open,
    /// After `</stream:stream>`.
    Closed,
}

/// A token's span in absolute stream offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) start: u64,
    pub(crate) end: u64,
}

/// The parse state above the tokenizer.
#[derive(Debug)]
pub(crate) struct Tree {
    phase: Phase,
    /// No token other than whitespace (and a BOM) was seen yet: the XML declaration may come.
    at_doc_start: bool,
    /// Nothing at all was seen yet, not even whitespace: a byte order mark may come.
    bom_allowed: bool,
    scopes: Scopes,
    /// Open elements of the stanza being built; empty between stanzas.
    stack: Vec<Element>,
    /// Qualified names of the open elements (stream first), concatenated, for end-tag matching.
    qnames: String,
    qname_starts: Vec<usize>,
    stream_lang: Option<String>,
    /// The stream's content namespace: first-level elements in it are stanzas.
    content_ns: Cow<'static, str>,
    /// Absolute offset of the current stanza's `<`.
    stanza_start: u64,
    /// Attributes whose prefix is resolved once all declarations of the element are known.
    deferred: Vec<usize>,
    /// The event completed by the last token, taken by the parser.
    pub(crate) ready: Option<StreamEvent>,
    /// `<stream:stream/>` was empty: its close follows the open.
    close_after_open: bool,
    /// Scratch list of the attributes of the start tag being handled.
    attr_scratch: Vec<Attribute>,
}

impl Tree {
    pub(crate) fn new() -> Self {
        Tree {
            phase: Phase::Prolog,
            at_doc_start: true,
            bom_allowed: true,
            scopes: Scopes::default(),
            stack: Vec::new(),
            qnames: String::new(),
            qname_starts: Vec::new(),
            stream_lang: None,
            content_ns: Cow::Borrowed(""),
            stanza_start: 0,
            deferred: Vec::new(),
            ready: None,
            close_after_open: false,
            attr_scratch: Vec::new(),
        }
    }

    /// Back to the state before a stream header, keeping allocated buffers.
    pub(crate) fn reset(&mut self) {
        self.phase = Phase::Prolog;
        self.at_doc_start = true;
        self.bom_allowed = true;
        self.scopes.clear();
        self.stack.clear();
        self.qnames.clear();
        self.qname_starts.clear();
        self.stream_lang = None;
        self.content_ns = Cow::Borrowed("");
        self.stanza_start = 0;
        self.deferred.clear();
        self.ready = None;
        self.close_after_open = false;
    }

    /// Whether a processing instruction may start here (only the XML declaration, at the start).
    pub(crate) fn pi_allowed(&self) -> bool {
        self.at_doc_start
    }

    /// Whether we are between stanzas (text there must be whitespace).
    pub(crate) fn between_stanzas(&self) -> bool {
        self.stack.is_empty()
    }

    /// Where the size of an incomplete token starting at `token_start` is counted from.
    pub(crate) fn size_origin(&self, token_start: u64) -> u64 {
        if self.stack.is_empty() {
            token_start
        } else {
            self.stanza_start
        }
    }

    /// A UTF-8 byte order mark where a token starts.
    pub(crate) fn on_bom(&mut self) -> Result<(), XmlError> {
        // Only as the very first bytes: after whitespace (or a first BOM) it is text before
        // the stream header, however the input was split.
        if self.phase == Phase::Prolog && self.bom_allowed {
            self.bom_allowed = false;
            Ok(())
        } else if let Some(top) = self.stack.last_mut() {
            top.append_text("\u{FEFF}");
            Ok(())
        } else {
            Err(self.text_outside_error())
        }
    }

    /// White space between stanzas (or before the header), dropped by the parser: no byte
    /// order mark may follow.
    #[inline]
    pub(crate) fn on_space(&mut self) {
        self.bom_allowed = false;
    }

    /// The error for character data that is not inside a stanza: legal XML inside the stream
    /// element but not XMPP (`bad-format`), not well-formed outside of it.
    pub(crate) fn text_outside_error(&self) -> XmlError {
        match self.phase {
            Phase::Open => XmlError::TextOutsideStanza,
            Phase::Prolog => XmlError::Syntax("text before the stream header".into()),
            Phase::Closed => XmlError::AfterStreamEnd,
        }
    }

    /// Handles one complete token (`attrs`: a start tag's or declaration's attributes).
    /// Returns whether an event is ready (in [`Tree::take_ready`]). Kept small on purpose:
    /// this runs for every token.
    pub(crate) fn handle(
        &mut self,
        token: Token<'_>,
        attrs: &[RawAttr<'_>],
        span: Span,
        limits: &ParserLimits,
    ) -> Result<bool, XmlError> {
        self.bom_allowed = false;
        if self.stack.is_empty() {
            if let Token::Text { text, .. } = token {
                // Whitespace between stanzas is not part of any stanza: no size accounting.
                return self.on_text(text, false).map(|()| false);
            }
            self.stanza_start = span.start;
        }
        // The size limit first, counted to the token's last byte (the one that decided it):
        // the parser refuses an incomplete token beyond the limit, so a fault of the token
        // must not be reported instead when it arrives whole.
        if span.end - self.stanza_start > limits.max_stanza_size as u64 {
            return Err(XmlError::LimitExceeded(Limit::StanzaSize));
        }
        match token {
            Token::Start { name, empty } => self.on_start(name, attrs, empty, limits)?,
            Token::End { name } => self.on_end(name)?,
            Token::Text { text, cr } => self.on_text(text, cr)?,
            Token::CData { text, cr } => {
                let outside = self.text_outside_error();
                let top = self.stack.last_mut().ok_or(outside)?;
                top.with_text_tail(|s| {
                    if cr {
                        push_normalized_lines(s, text);
                    } else {
                        s.push_str(text);
                    }
                });
            }
            Token::Reference(name) => {
                let outside = self.text_outside_error();
                let top = self.stack.last_mut().ok_or(outside)?;
                let c = resolve_reference(name)?;
                top.with_text_tail(|s| s.push(c));
            }
            Token::Declaration => self.on_decl(attrs)?,
        }
        Ok(self.ready.is_some())
    }

    /// The completed event, if any; after `<stream:stream/>`, the close follows the open.
    pub(crate) fn take_ready(&mut self) -> Option<StreamEvent> {
        match self.ready.take() {
            Some(event) => Some(event),
            None if self.close_after_open => {
                self.close_after_open = false;
                Some(StreamEvent::StreamClose)
            }
            None => None,
        }
    }

    /// The XML declaration: version 1.0 first, UTF-8 if an encoding is declared.
    fn on_decl(&mut self, attrs: &[RawAttr<'_>]) -> Result<(), XmlError> {
        if !(self.phase == Phase::Prolog && self.at_doc_start) {
            return Err(XmlError::ProcessingInstruction);
        }
        self.at_doc_start = false;
        match attrs.first() {
            Some(a) if a.name == "version" && a.value == "1.0" => {}
            _ => return Err(XmlError::BadDeclaration),
        }
        match attrs.iter().find(|a| a.name == "encoding") {
            None => Ok(()),
            Some(a) if a.value.eq_ignore_ascii_case("utf-8") => Ok(()),
            Some(a) => Err(XmlError::UnsupportedEncoding(
                a.value.chars().take(64).collect(),
            )),
        }
    }

    /// Text between tokens (checked by the lexer; `cr`: it holds a `\r`). Between stanzas
    /// only whitespace is allowed; it is dropped.
    #[inline]
    pub(crate) fn on_text(&mut self, text: &str, cr: bool) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(top) => {
                top.with_text_tail(|s| {
                    if cr {
                        push_normalized_lines(s, text);
                    } else {
                        s.push_str(text);
                    }
                });
                Ok(())
            }
            None => {
                if text.bytes().all(is_space) {
                    Ok(())
                } else {
                    Err(self.text_outside_error())
                }
            }
        }
    }

    fn on_start(
        &mut self,
        qname: &str,
        attrs: &[RawAttr<'_>],
        empty: bool,
        limits: &ParserLimits,
    ) -> Result<(), XmlError> {
        self.at_doc_start = false;
        match self.phase {
            Phase::Prolog => self.open_stream(qname, attrs, empty, limits),
            Phase::Closed => Err(XmlError::AfterStreamEnd),
            Phase::Open => {
                // The stream element is depth 1.
                if self.stack.len() + 2 > limits.max_depth {
                    return Err(XmlError::LimitExceeded(Limit::Depth));
                }
                self.open_element(qname, attrs, limits)?;
                if self.stack.len() == 1
                    && self
                        .stack
                        .last()
                        .is_some_and(|top| top.name() == "stream" && top.ns() == ns::STREAM)
                {
                    // A second stream header where a stanza should start: it could never be
                    // completed as a stanza, so waiting for it would only hang.
                    return Err(XmlError::NestedStream);
                }
                if empty {
                    self.close_element();
                }
                Ok(())
            }
        }
    }

    /// Ends the innermost element: attaches it to its parent, or makes it the ready stanza.
    #[inline]
    fn close_element(&mut self) {
        self.close_scope();
        if let Some(element) = self.stack.pop() {
            match self.stack.last_mut() {
                Some(parent) => parent.append_child(element),
                None => self.ready = Some(StreamEvent::Stanza(element)),
            }
        }
    }

    #[inline]
    fn close_scope(&mut self) {
        self.scopes.close();
        if let Some(start) = self.qname_starts.pop() {
            self.qnames.truncate(start);
        }
    }

    fn open_stream(
        &mut self,
        qname: &str,
        attrs: &[RawAttr<'_>],
        empty: bool,
        limits: &ParserLimits,
    ) -> Result<(), XmlError> {
        if limits.max_depth == 0 {
            return Err(XmlError::LimitExceeded(Limit::Depth));
        }
        self.open_element(qname, attrs, limits)?;
        let Some(root) = self.stack.pop() else {
            return Err(XmlError::Syntax("no stream element".into()));
        };
        let (prefix, _) = split_qname(qname)?;
        if root.ns() != ns::STREAM || root.name() != "stream" {
            return Err(XmlError::InvalidNamespace(format!(
                "root element `{}` in namespace `{}`",
                truncate(qname),
                truncate(root.ns())
            )));
        }
        if prefix != "stream" {
            return Err(XmlError::StreamPrefix);
        }
        let content_ns = match self.scopes.resolve("") {
            Some(uri) if !uri.is_empty() => {
                self.content_ns = uri.clone();
                uri.to_string()
            }
            _ => {
                return Err(XmlError::InvalidNamespace(
                    "the stream declares no content namespace".into(),
                ));
            }
        };
        let mut header = StreamHeader {
            content_ns,
            ..StreamHeader::default()
        };
        for attr in root.into_attrs() {
            match (attr.ns(), attr.name()) {
                (None, "from") => header.from = Some(attr.into_value()),
                (None, "to") => header.to = Some(attr.into_value()),
                (None, "id") => header.id = Some(attr.into_value()),
                (None, "version") => header.version = Some(attr.into_value()),
                (Some(ns::XML), "lang") => header.lang = Some(attr.into_value()),
                _ => header.attributes.push(attr),
            }
        }
        self.stream_lang.clone_from(&header.lang);
        self.phase = Phase::Open;
        if empty {
            self.phase = Phase::Closed;
            self.close_scope();
            self.close_after_open = true;
        }
        self.ready = Some(StreamEvent::StreamOpen(header));
        Ok(())
    }

    fn on_end(&mut self, found: &str) -> Result<(), XmlError> {
        match self.phase {
            Phase::Open => {}
            Phase::Prolog => {
                return Err(XmlError::Syntax("end tag before the stream header".into()));
            }
            Phase::Closed => return Err(XmlError::AfterStreamEnd),
        }
        let expected = self
            .qname_starts
            .last()
            .and_then(|&s| self.qnames.get(s..))
            .unwrap_or("");
        if found != expected {
            return Err(XmlError::MismatchedEndTag {
                expected: truncate(expected),
                found: truncate(found),
            });
        }
        if self.stack.is_empty() {
            self.close_scope();
            self.phase = Phase::Closed;
            self.scopes.clear();
            self.ready = Some(StreamEvent::StreamClose);
        } else {
            self.close_element();
        }
        Ok(())
    }

    /// Opens the scope of a start tag (declarations, attributes, resolved name) and pushes the
    /// new element on the stack.
    fn open_element(
        &mut self,
        qname: &str,
        attrs: &[RawAttr<'_>],
        limits: &ParserLimits,
    ) -> Result<(), XmlError> {
        let (prefix, local) = split_qname(qname)?;
        self.scopes.open();
        self.qname_starts.push(self.qnames.len());
        self.qnames.push_str(qname);

        let scratch = &mut self.attr_scratch;
        scratch.clear();
        let mut deferred = false;
        if attrs.len() > limits.max_attributes {
            return Err(XmlError::LimitExceeded(Limit::Attributes));
        }
        for attr in attrs {
            let key = attr.name;
            if let Some(rest) = key.strip_prefix("xmlns") {
                if rest.is_empty() {
                    let uri = attr_value_cow(attr.value, attr.seen)?;
                    if uri == ns::XML || uri == ns::XMLNS {
                        return Err(XmlError::BadNamespaceDeclaration(truncate(key)));
                    }
                    if self.scopes.declared_here("") {
                        return Err(XmlError::DuplicateAttribute(truncate(key)));
                    }
                    declare(&mut self.scopes, "", &uri, limits)?;
                    continue;
                }
                if let Some(p) = rest.strip_prefix(':') {
                    let (_, p) = split_qname(p)?;
                    let uri = attr_value_cow(attr.value, attr.seen)?;
                    let bad = match p {
                        "xmlns" => true,
                        "xml" => uri != ns::XML,
                        _ => uri.is_empty() || uri == ns::XML || uri == ns::XMLNS,
                    };
                    if bad {
                        return Err(XmlError::BadNamespaceDeclaration(truncate(key)));
                    }
                    if self.scopes.declared_here(p) {
                        return Err(XmlError::DuplicateAttribute(truncate(key)));
                    }
                    if p != "xml" {
                        declare(&mut self.scopes, p, &uri, limits)?;
                    }
                    continue;
                }
            }
            let (ap, al) = split_qname(key)?;
            let value = attr_value(attr.value, attr.seen)?;
            scratch.push(match ap {
                "" => Attribute::new(intern_attr(al), value),
                "xml" => Attribute::with_ns(ns::XML, intern_attr(al), value),
                _ => {
                    deferred = true;
                    // Resolved below, once all declarations of this tag are known.
                    Attribute::with_ns("", key.to_owned(), value)
                }
            });
        }
        if deferred {
            for attr in scratch.iter_mut() {
                if attr.ns() != Some("") {
                    continue;
                }
                let (ap, al) = split_qname(attr.name())?;
                let uri = self
                    .scopes
                    .resolve(ap)
                    .ok_or_else(|| XmlError::UnboundPrefix(truncate(ap)))?;
                *attr = Attribute::with_ns(
                    uri.clone(),
                    al.to_owned(),
                    std::mem::take(attr.value_mut()),
                );
            }
        }
        if let Some(dup) = find_duplicate(scratch) {
            return Err(XmlError::DuplicateAttribute(truncate(dup)));
        }
        let ns = self
            .scopes
            .resolve(prefix)
            .ok_or_else(|| XmlError::UnboundPrefix(truncate(prefix)))?
            .clone();

        // A stanza without xml:lang records the stream's (RFC 6120 §4.7.4).
        let inherit_lang = match &self.stream_lang {
            Some(lang)
                if self.stack.is_empty()
                    && self.phase == Phase::Open
                    && ns == self.content_ns
                    && !scratch
                        .iter()
                        .any(|a| a.name() == "lang" && a.ns() == Some(ns::XML)) =>
            {
                Some(lang.clone())
            }
            _ => None,
        };
        let mut attrs = Vec::with_capacity(scratch.len() + usize::from(inherit_lang.is_some()));
        attrs.append(scratch);
        if let Some(lang) = inherit_lang {
            attrs.push(Attribute::with_ns(ns::XML, "lang", lang));
        }
        self.stack
            .push(Element::from_parts(ns::intern_name(local), ns, attrs));
        Ok(())
    }
}

/// Declares a prefix within the namespace binding limit.
fn declare(
    scopes: &mut Scopes,
    prefix: &str,
    uri: &str,
    limits: &ParserLimits,
) -> Result<(), XmlError> {
    if scopes.len() >= limits.max_namespace_bindings {
        return Err(XmlError::LimitExceeded(Limit::NamespaceBindings));
    }
    scopes.declare(prefix, uri);
    Ok(())
}

/// The name of an attribute that appears twice (same namespace and local name), if any.
/// Quadratic for the usual handful of attributes, sorted beyond that.
fn find_duplicate(attrs: &[Attribute]) -> Option<&str> {
    if attrs.len() <= 8 {
        for (i, a) in attrs.iter().enumerate() {
            if attrs
                .iter()
                .skip(i + 1)
                .any(|b| a.name() == b.name() && a.ns() == b.ns())
            {
                return Some(a.name());
            }
        }
        return None;
    }
    let mut keys: Vec<(Option<&str>, &str)> = attrs.iter().map(|a| (a.ns(), a.name())).collect();
    keys.sort_unstable();
    keys.windows(2)
        .find(|w| w.first() == w.get(1))
        .and_then(|w| w.first())
        .map(|&(_, name)| name)
}

/// An attribute value, unescaped and normalized (`seen`: what the lexer saw in it).
#[inline]
fn attr_value(raw: &str, seen: Seen) -> Result<String, XmlError> {
    if !seen.amp && !seen.ws {
        return Ok(raw.to_owned());
    }
    let mut value = String::with_capacity(raw.len());
    push_attr_value(&mut value, raw)?;
    Ok(value)
}

/// An attribute value borrowed from the input when it needs no unescaping (namespace names are
/// compared and interned, rarely kept).
fn attr_value_cow(raw: &str, seen: Seen) -> Result<Cow<'_, str>, XmlError> {
    if !seen.amp && !seen.ws {
        return Ok(Cow::Borrowed(raw));
    }
    attr_value(raw, seen).map(Cow::Owned)
}

/// Bounds what an error message copies from the input.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
