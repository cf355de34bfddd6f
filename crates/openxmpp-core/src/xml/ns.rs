//! Namespace names used by the XML layer, and the prefix scopes of the parser.

use std::borrow::Cow;

/// The namespace bound to the predefined `xml` prefix (`xml:lang`).
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations themselves (`xmlns`, `xmlns:p`); never bindable.
pub const XMLNS: &str = "http://www.w3.org/2000/xmlns/";
/// The stream namespace, bound to the `stream` prefix (RFC 6120 §4.8.1).
pub const STREAM: &str = "http://etherx.jabber.org/streams";
/// The content namespace of client-to-server streams (RFC 6120 §4.8.2).
pub const CLIENT: &str = "jabber:client";
/// The content namespace of server-to-server streams (RFC 6120 §4.8.2).
pub const SERVER: &str = "jabber:server";

/// Well-known namespaces: elements inheriting one share a `&'static str` instead of each owning
/// an allocated copy.
static NAMESPACES: Interner = Interner::new(&[
    CLIENT,
    SERVER,
    STREAM,
    XML,
    "urn:ietf:params:xml:ns:xmpp-tls",
    "urn:ietf:params:xml:ns:xmpp-sasl",
    "urn:ietf:params:xml:ns:xmpp-bind",
    "urn:ietf:params:xml:ns:xmpp-session",
    "urn:ietf:params:xml:ns:xmpp-streams",
    "urn:ietf:params:xml:ns:xmpp-stanzas",
    "urn:xmpp:sm:3",
    "jabber:iq:roster",
    "jabber:iq:register",
    "jabber:iq:version",
    "jabber:x:data",
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "http://jabber.org/protocol/caps",
    "http://jabber.org/protocol/chatstates",
    "http://jabber.org/protocol/muc",
    "http://jabber.org/protocol/muc#user",
    "http://jabber.org/protocol/pubsub",
    "http://jabber.org/protocol/pubsub#event",
    "urn:xmpp:ping",
    "urn:xmpp:receipts",
    "urn:xmpp:delay",
    "urn:xmpp:carbons:2",
    "urn:xmpp:forward:0",
    "urn:xmpp:mam:2",
    "urn:xmpp:sid:0",
    "urn:xmpp:chat-markers:0",
    "urn:xmpp:hints",
    "vcard-temp:x:update",
]);

/// Common element names.
static NAMES: Interner = Interner::new(&[
    "message",
    "presence",
    "iq",
    "body",
    "subject",
    "thread",
    "show",
    "status",
    "priority",
    "error",
    "query",
    "item",
    "x",
    "c",
    "delay",
    "active",
    "composing",
    "features",
    "r",
    "a",
    "group",
    "origin-id",
    "stanza-id",
    "markable",
    "displayed",
    "received",
    "request",
    "inactive",
    "paused",
    "gone",
    "forwarded",
    "result",
    "sent",
    "store",
    "no-store",
    "identity",
    "feature",
    "field",
    "value",
    "event",
    "items",
    "nick",
    "bind",
    "jid",
    "resource",
    "mechanisms",
    "mechanism",
    "starttls",
    "required",
    "proceed",
    "challenge",
    "response",
    "success",
    "failure",
    "enabled",
    "ping",
]);

/// Common attribute names.
static ATTRIBUTES: Interner = Interner::new(&[
    "to",
    "from",
    "id",
    "type",
    "lang",
    "jid",
    "name",
    "node",
    "var",
    "stamp",
    "subscription",
    "version",
    "hash",
    "ver",
    "h",
    "xmlns",
    "category",
    "by",
    "ask",
    "approved",
    "label",
    "affiliation",
    "role",
    "nick",
    "code",
    "mechanism",
    "max",
    "resume",
    "previd",
    "location",
]);

/// Returns a namespace name, borrowed from a static table when it is a well-known one.
#[inline]
pub(crate) fn intern(uri: &str) -> Cow<'static, str> {
    NAMESPACES.get(uri)
}

/// Returns an element name, borrowed from a static table when it is a common one.
#[inline]
pub(crate) fn intern_name(name: &str) -> Cow<'static, str> {
    NAMES.get(name)
}

/// Returns an attribute name, borrowed from a static table when it is a common one.
#[inline]
pub(crate) fn intern_attr(name: &str) -> Cow<'static, str> {
    ATTRIBUTES.get(name)
}

const SLOTS: usize = 256;

/// A fixed, compile-time built open-addressing hash set of static strings. A `match` on strings
/// compares arm after arm; this looks at one or two slots.
pub(crate) struct Interner {
    slots: [&'static str; SLOTS],
}

impl Interner {
    /// Builds the table; `words` must be fewer than [`SLOTS`] (checked at compile time by the
    /// probe loop finding a free slot).
    const fn new(words: &[&'static str]) -> Self {
        let mut slots = [""; SLOTS];
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            let mut h = hash(word.as_bytes());
            while !slots[h].is_empty() {
                h = (h + 1) % SLOTS;
            }
            slots[h] = word;
            i += 1;
        }
        Interner { slots }
    }

    #[inline]
    fn get(&self, s: &str) -> Cow<'static, str> {
        let mut h = hash(s.as_bytes());
        for _ in 0..SLOTS {
            let candidate = self.slots[h];
            if candidate.is_empty() {
                break;
            }
            if candidate == s {
                return Cow::Borrowed(candidate);
            }
            h = (h + 1) % SLOTS;
        }
        Cow::Owned(s.to_owned())
    }
}

const fn hash(b: &[u8]) -> usize {
    let n = b.len();
    if n == 0 {
        return 0;
    }
    (n.wrapping_mul(31)
        .wrapping_add((b[0] as usize).wrapping_mul(7))
        .wrapping_add((b[n - 1] as usize).wrapping_mul(13))
        .wrapping_add((b[n / 2] as usize).wrapping_mul(3))
        .wrapping_add(b[n * 3 / 4] as usize))
        % SLOTS
}

/// One prefix binding. The default namespace is the binding of the empty prefix; an empty URI
/// undeclares it.
#[derive(Debug, Clone)]
struct Binding {
    /// Range of the prefix in [`Scopes::prefixes`].
    prefix: (u32, u32),
    uri: Cow<'static, str>,
}

/// The namespace bindings in scope, as a stack: each element pushes its declarations and pops
/// them when it ends. Prefix strings live in one shared buffer, so declaring costs no allocation
/// once the buffers have grown.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scopes {
    bindings: Vec<Binding>,
    prefixes: String,
    /// For each open element: the number of bindings before its declarations.
    marks: Vec<usize>,
}

impl Scopes {
    /// Forgets every binding.
    pub(crate) fn clear(&mut self) {
        self.bindings.clear();
        self.prefixes.clear();
        self.marks.clear();
    }

    /// The number of bindings in scope.
    pub(crate) fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Starts the scope of a new element.
    #[inline]
    pub(crate) fn open(&mut self) {
        self.marks.push(self.bindings.len());
    }

    /// Ends the scope of the innermost element, dropping its declarations.
    #[inline]
    pub(crate) fn close(&mut self) {
        let mark = self.marks.pop().unwrap_or(0);
        if let Some(b) = self.bindings.get(mark) {
            self.prefixes.truncate(b.prefix.0 as usize);
        }
        self.bindings.truncate(mark);
    }

    /// Declares `prefix` (empty for the default namespace) in the innermost scope.
    pub(crate) fn declare(&mut self, prefix: &str, uri: &str) {
        let start = self.prefixes.len();
        self.prefixes.push_str(prefix);
        let end = self.prefixes.len();
        // The prefix buffer is bounded by the stanza size limit, far below u32::MAX.
        let range = (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(end).unwrap_or(u32::MAX),
        );
        self.bindings.push(Binding {
            prefix: range,
            uri: intern(uri),
        });
    }

    /// Whether the innermost scope already declares `prefix`.
    pub(crate) fn declared_here(&self, prefix: &str) -> bool {
        let mark = self.marks.last().copied().unwrap_or(0);
        self.bindings
            .get(mark..)
            .unwrap_or(&[])
            .iter()
            .any(|b| self.prefix_is(b, prefix))
    }

    #[inline]
    fn prefix_is(&self, b: &Binding, prefix: &str) -> bool {
        let (start, end) = (b.prefix.0 as usize, b.prefix.1 as usize);
        end - start == prefix.len()
            && (prefix.is_empty()
                || self.prefixes.as_bytes().get(start..end) == Some(prefix.as_bytes()))
    }

    /// Resolves a prefix (empty for the default namespace). `xml` is always bound. `None` means
    /// unbound; the default namespace, when undeclared, resolves to the empty string.
    #[inline]
    pub(crate) fn resolve(&self, prefix: &str) -> Option<&Cow<'static, str>> {
        const XML_COW: &Cow<'static, str> = &Cow::Borrowed(XML);
        const NONE_COW: &Cow<'static, str> = &Cow::Borrowed("");
        if prefix == "xml" {
            return Some(XML_COW);
        }
        match self
            .bindings
            .iter()
            .rev()
            .find(|b| self.prefix_is(b, prefix))
        {
            Some(b) => Some(&b.uri),
            None if prefix.is_empty() => Some(NONE_COW),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_shadow_and_pop() {
        let mut s = Scopes::default();
        s.open();
        s.declare("", CLIENT);
        s.declare("stream", STREAM);
        s.open();
        s.declare("", "jabber:iq:roster");
        s.declare("stream", "urn:other");
        assert_eq!(s.resolve("").map(|c| c.as_ref()), Some("jabber:iq:roster"));
        assert_eq!(s.resolve("stream").map(|c| c.as_ref()), Some("urn:other"));
        assert!(s.declared_here("stream"));
        s.close();
        assert_eq!(s.resolve("").map(|c| c.as_ref()), Some(CLIENT));
        assert_eq!(s.resolve("stream").map(|c| c.as_ref()), Some(STREAM));
        assert_eq!(s.resolve("xml").map(|c| c.as_ref()), Some(XML));
        assert!(s.resolve("nope").is_none());
        s.close();
        assert_eq!(s.resolve("").map(|c| c.as_ref()), Some(""));
    }

    #[test]
    fn interned_namespaces_are_borrowed() {
        assert!(matches!(intern(CLIENT), Cow::Borrowed(_)));
        assert!(matches!(intern("urn:example"), Cow::Owned(_)));
        assert!(matches!(intern_name("body"), Cow::Borrowed(_)));
        assert!(matches!(intern_name("bodx"), Cow::Owned(_)));
        assert!(matches!(intern_attr("subscription"), Cow::Borrowed(_)));
        assert!(matches!(intern(""), Cow::Owned(_)));
    }
}
