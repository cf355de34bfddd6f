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

/// Returns a static copy of a well-known namespace name, so that elements inheriting it share it
/// instead of each owning an allocated copy.
pub(crate) fn intern(uri: &str) -> Cow<'static, str> {
    let known: &'static str = match uri {
        CLIENT => CLIENT,
        SERVER => SERVER,
        STREAM => STREAM,
        XML => XML,
        "urn:ietf:params:xml:ns:xmpp-tls" => "urn:ietf:params:xml:ns:xmpp-tls",
        "urn:ietf:params:xml:ns:xmpp-sasl" => "urn:ietf:params:xml:ns:xmpp-sasl",
        "urn:ietf:params:xml:ns:xmpp-bind" => "urn:ietf:params:xml:ns:xmpp-bind",
        "urn:ietf:params:xml:ns:xmpp-session" => "urn:ietf:params:xml:ns:xmpp-session",
        "urn:ietf:params:xml:ns:xmpp-streams" => "urn:ietf:params:xml:ns:xmpp-streams",
        "urn:ietf:params:xml:ns:xmpp-stanzas" => "urn:ietf:params:xml:ns:xmpp-stanzas",
        "urn:xmpp:sm:3" => "urn:xmpp:sm:3",
        "jabber:iq:roster" => "jabber:iq:roster",
        "jabber:iq:register" => "jabber:iq:register",
        "jabber:iq:version" => "jabber:iq:version",
        "jabber:x:data" => "jabber:x:data",
        "http://jabber.org/protocol/disco#info" => "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items" => "http://jabber.org/protocol/disco#items",
        "http://jabber.org/protocol/caps" => "http://jabber.org/protocol/caps",
        "http://jabber.org/protocol/chatstates" => "http://jabber.org/protocol/chatstates",
        "http://jabber.org/protocol/muc" => "http://jabber.org/protocol/muc",
        "http://jabber.org/protocol/muc#user" => "http://jabber.org/protocol/muc#user",
        "http://jabber.org/protocol/pubsub" => "http://jabber.org/protocol/pubsub",
        "http://jabber.org/protocol/pubsub#event" => "http://jabber.org/protocol/pubsub#event",
        "urn:xmpp:ping" => "urn:xmpp:ping",
        "urn:xmpp:receipts" => "urn:xmpp:receipts",
        "urn:xmpp:delay" => "urn:xmpp:delay",
        "urn:xmpp:carbons:2" => "urn:xmpp:carbons:2",
        "urn:xmpp:forward:0" => "urn:xmpp:forward:0",
        "urn:xmpp:mam:2" => "urn:xmpp:mam:2",
        "urn:xmpp:sid:0" => "urn:xmpp:sid:0",
        "urn:xmpp:chat-markers:0" => "urn:xmpp:chat-markers:0",
        "urn:xmpp:hints" => "urn:xmpp:hints",
        "vcard-temp:x:update" => "vcard-temp:x:update",
        _ => return Cow::Owned(uri.to_owned()),
    };
    Cow::Borrowed(known)
}

/// Returns a static copy of a common element name (same idea as [`intern`]).
pub(crate) fn intern_name(name: &str) -> Cow<'static, str> {
    let known: &'static str = match name {
        "message" => "message",
        "presence" => "presence",
        "iq" => "iq",
        "body" => "body",
        "subject" => "subject",
        "thread" => "thread",
        "show" => "show",
        "status" => "status",
        "priority" => "priority",
        "error" => "error",
        "query" => "query",
        "item" => "item",
        "x" => "x",
        "c" => "c",
        "delay" => "delay",
        "active" => "active",
        "composing" => "composing",
        "features" => "features",
        "r" => "r",
        "a" => "a",
        "group" => "group",
        "origin-id" => "origin-id",
        "stanza-id" => "stanza-id",
        "markable" => "markable",
        "displayed" => "displayed",
        "received" => "received",
        "request" => "request",
        "inactive" => "inactive",
        "paused" => "paused",
        "gone" => "gone",
        "forwarded" => "forwarded",
        "result" => "result",
        "sent" => "sent",
        "store" => "store",
        "no-store" => "no-store",
        "identity" => "identity",
        "feature" => "feature",
        "field" => "field",
        "value" => "value",
        "event" => "event",
        "items" => "items",
        "nick" => "nick",
        "bind" => "bind",
        "jid" => "jid",
        "resource" => "resource",
        "mechanisms" => "mechanisms",
        "mechanism" => "mechanism",
        "starttls" => "starttls",
        "required" => "required",
        "proceed" => "proceed",
        "challenge" => "challenge",
        "response" => "response",
        "success" => "success",
        "failure" => "failure",
        "enabled" => "enabled",
        "ping" => "ping",
        _ => return Cow::Owned(name.to_owned()),
    };
    Cow::Borrowed(known)
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

    /// Starts the scope of a new element.
    pub(crate) fn open(&mut self) {
        self.marks.push(self.bindings.len());
    }

    /// Ends the scope of the innermost element, dropping its declarations.
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

    fn prefix_is(&self, b: &Binding, prefix: &str) -> bool {
        let (start, end) = (b.prefix.0 as usize, b.prefix.1 as usize);
        end - start == prefix.len()
            && (prefix.is_empty()
                || self.prefixes.as_bytes().get(start..end) == Some(prefix.as_bytes()))
    }

    /// Resolves a prefix (empty for the default namespace). `xml` is always bound. `None` means
    /// unbound; the default namespace, when undeclared, resolves to the empty string.
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
    }
}
