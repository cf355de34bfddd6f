//! Serialization of elements and stream headers into a caller-provided byte buffer.
//!
//! Output uses single quotes for attribute values and declares namespaces minimally: an element
//! gets `xmlns='…'` only when its namespace differs from the default namespace in scope, and
//! elements in the stream namespace use the `stream` prefix. The writer trusts names to be valid
//! XML names (they are when they come from the parser or from constants); text and attribute
//! values are escaped, and characters XML cannot carry are replaced by U+FFFD.

use super::element::{Attribute, Element, Node};
use super::escape::{escape_attr, escape_text};
use super::ns;
use super::stream::StreamHeader;

/// Writes `element` as a standalone fragment: its namespace is always declared.
///
/// ```
/// use openxmpp_core::xml::{write_element, Element};
///
/// let iq = Element::builder("iq", "jabber:client")
///     .attr("type", "get")
///     .attr("id", "r1")
///     .child(Element::new("query", "jabber:iq:roster"))
///     .build();
/// let mut out = Vec::new();
/// write_element(&iq, &mut out);
/// assert_eq!(
///     out,
///     b"<iq xmlns='jabber:client' type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>"
/// );
/// ```
pub fn write_element(element: &Element, out: &mut Vec<u8>) {
    let mut w = Writer {
        out,
        prefixes: Vec::new(),
        next_prefix: 0,
    };
    w.element(element, None, false);
}

/// Writes `element` as a first-level child of a stream whose content namespace is `content_ns`
/// (see [`write_stream_header`]): a stanza in that namespace gets no `xmlns`, and
/// `<stream:features>`-like elements use the `stream` prefix the header declared.
///
/// ```
/// use openxmpp_core::xml::{ns, write_stanza, write_stream_close, write_stream_header};
/// use openxmpp_core::xml::{Element, StreamHeader};
///
/// let mut out = Vec::new();
/// write_stream_header(&StreamHeader::client("example.com"), &mut out);
/// let message = Element::builder("message", ns::CLIENT)
///     .attr("to", "romeo@example.net")
///     .child(Element::builder("body", ns::CLIENT).text("<3"))
///     .child(Element::new("active", "http://jabber.org/protocol/chatstates"))
///     .build();
/// write_stanza(&message, ns::CLIENT, &mut out);
/// write_stream_close(&mut out);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
///      xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>\
///      <message to='romeo@example.net'><body>&lt;3</body>\
///      <active xmlns='http://jabber.org/protocol/chatstates'/></message>\
///      </stream:stream>"
/// );
/// ```
pub fn write_stanza(element: &Element, content_ns: &str, out: &mut Vec<u8>) {
    let mut w = Writer {
        out,
        prefixes: Vec::new(),
        next_prefix: 0,
    };
    w.element(element, Some(content_ns), true);
}

/// Writes the XML declaration and the `<stream:stream>` start tag for `header`, declaring its
/// content namespace as default namespace and the `stream` prefix.
pub fn write_stream_header(header: &StreamHeader, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<?xml version='1.0'?><stream:stream xmlns='");
    escape_attr(out, &header.content_ns);
    out.extend_from_slice(b"' xmlns:stream='");
    out.extend_from_slice(ns::STREAM.as_bytes());
    out.push(b'\'');
    let plain = [
        ("to", &header.to),
        ("from", &header.from),
        ("id", &header.id),
        ("version", &header.version),
        ("xml:lang", &header.lang),
    ];
    for (name, value) in plain {
        if let Some(value) = value {
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"='");
            escape_attr(out, value);
            out.push(b'\'');
        }
    }
    let mut w = Writer {
        out,
        prefixes: Vec::new(),
        next_prefix: 0,
    };
    w.attributes(&header.attributes);
    w.out.push(b'>');
}

/// Writes `</stream:stream>`.
pub fn write_stream_close(out: &mut Vec<u8>) {
    out.extend_from_slice(b"</stream:stream>");
}

struct Writer<'o, 'e> {
    out: &'o mut Vec<u8>,
    /// Prefixes generated for namespaced attributes, innermost last: (namespace, number).
    prefixes: Vec<(&'e str, u32)>,
    next_prefix: u32,
}

impl<'e> Writer<'_, 'e> {
    /// `default_ns`: the default namespace in scope (`None` at the top of a standalone
    /// fragment, where even the empty namespace is declared). `stream_prefix`: whether the
    /// `stream` prefix is bound to the stream namespace here.
    fn element(&mut self, el: &'e Element, default_ns: Option<&'e str>, stream_prefix: bool) {
        let prefixes_before = self.prefixes.len();
        let in_stream_ns = el.ns() == ns::STREAM;
        self.out.push(b'<');
        if in_stream_ns {
            self.out.extend_from_slice(b"stream:");
        }
        self.out.extend_from_slice(el.name().as_bytes());

        let mut child_default = default_ns;
        let mut child_stream_prefix = stream_prefix;
        if in_stream_ns {
            if !stream_prefix {
                self.out.extend_from_slice(b" xmlns:stream='");
                escape_attr(self.out, ns::STREAM);
                self.out.push(b'\'');
                child_stream_prefix = true;
            }
        } else if default_ns != Some(el.ns()) {
            self.out.extend_from_slice(b" xmlns='");
            escape_attr(self.out, el.ns());
            self.out.push(b'\'');
            child_default = Some(el.ns());
        }
        self.attributes(el.attrs());

        let children = el.nodes();
        if children.is_empty() {
            self.out.extend_from_slice(b"/>");
        } else {
            self.out.push(b'>');
            for node in children {
                match node {
                    Node::Text(t) => escape_text(self.out, t),
                    Node::Element(child) => self.element(child, child_default, child_stream_prefix),
                }
            }
            self.out.extend_from_slice(b"</");
            if in_stream_ns {
                self.out.extend_from_slice(b"stream:");
            }
            self.out.extend_from_slice(el.name().as_bytes());
            self.out.push(b'>');
        }
        self.prefixes.truncate(prefixes_before);
    }

    fn attributes(&mut self, attrs: &'e [Attribute]) {
        for attr in attrs {
            // Namespace declarations are derived from the namespaces of elements and
            // attributes; one stored as an attribute would contradict them.
            if matches!(
                (attr.ns(), attr.name()),
                (None | Some(""), "xmlns") | (Some(ns::XMLNS), _)
            ) {
                continue;
            }
            self.out.push(b' ');
            match attr.ns() {
                None | Some("") => {}
                Some(ns::XML) => self.out.extend_from_slice(b"xml:"),
                Some(uri) => {
                    let n = match self.prefixes.iter().rev().find(|(u, _)| *u == uri) {
                        Some(&(_, n)) => n,
                        None => {
                            let n = self.next_prefix;
                            self.next_prefix += 1;
                            self.prefixes.push((uri, n));
                            self.out
                                .extend_from_slice(format!("xmlns:ns{n}='").as_bytes());
                            escape_attr(self.out, uri);
                            self.out.extend_from_slice(b"' ");
                            n
                        }
                    };
                    self.out.extend_from_slice(format!("ns{n}:").as_bytes());
                }
            }
            self.out.extend_from_slice(attr.name().as_bytes());
            self.out.extend_from_slice(b"='");
            escape_attr(self.out, attr.value());
            self.out.push(b'\'');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standalone(e: &Element) -> String {
        let mut out = Vec::new();
        write_element(e, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn stanza(e: &Element) -> String {
        let mut out = Vec::new();
        write_stanza(e, ns::CLIENT, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn namespaces_are_declared_minimally() {
        let e = Element::builder("iq", ns::CLIENT)
            .attr("type", "result")
            .child(
                Element::builder("query", "jabber:iq:roster")
                    .child(Element::builder("item", "jabber:iq:roster").attr("jid", "a@b"))
                    .child(Element::builder("group", "jabber:iq:roster").text("Friends")),
            )
            .build();
        assert_eq!(
            stanza(&e),
            "<iq type='result'><query xmlns='jabber:iq:roster'><item jid='a@b'/>\
             <group>Friends</group></query></iq>"
        );
        assert_eq!(
            standalone(&e),
            "<iq xmlns='jabber:client' type='result'><query xmlns='jabber:iq:roster'>\
             <item jid='a@b'/><group>Friends</group></query></iq>"
        );
    }

    #[test]
    fn stream_namespace_uses_the_prefix() {
        let features = Element::builder("features", ns::STREAM)
            .child(Element::new("starttls", "urn:ietf:params:xml:ns:xmpp-tls"))
            .build();
        assert_eq!(
            stanza(&features),
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
        );
        assert_eq!(
            standalone(&features),
            "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
             <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
        );
    }

    #[test]
    fn empty_namespace_and_namespaced_attributes() {
        let e = Element::builder("a", ns::CLIENT)
            .child(Element::new("b", ""))
            .child(
                Element::builder("c", ns::CLIENT)
                    .lang("de")
                    .attr_ns("urn:x", "k", "v")
                    .child(Element::builder("d", ns::CLIENT).attr_ns("urn:x", "k", "w")),
            )
            .build();
        assert_eq!(
            stanza(&e),
            "<a><b xmlns=''/><c xml:lang='de' xmlns:ns0='urn:x' ns0:k='v'><d ns0:k='w'/></c></a>"
        );
    }

    #[test]
    fn namespace_declarations_stored_as_attributes_are_not_written() {
        let e = Element::builder("a", ns::CLIENT)
            .attr("xmlns", "urn:wrong")
            .attr_ns(ns::XMLNS, "p", "urn:p")
            .attr("ok", "1")
            .build();
        assert_eq!(stanza(&e), "<a ok='1'/>");
    }

    #[test]
    fn escaping() {
        let e = Element::builder("body", ns::CLIENT)
            .attr("x", "'\"&<>")
            .text("a & b < c > d ' \"")
            .build();
        assert_eq!(
            stanza(&e),
            "<body x='&apos;&quot;&amp;&lt;&gt;'>a &amp; b &lt; c &gt; d ' \"</body>"
        );
    }

    #[test]
    fn header() {
        let mut h = StreamHeader::client("example.com");
        h.from = Some("juliet@example.com".into());
        h.lang = Some("en".into());
        h.attributes.push(Attribute::new("extra", "1"));
        let mut out = Vec::new();
        write_stream_header(&h, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams' to='example.com' \
             from='juliet@example.com' version='1.0' xml:lang='en' extra='1'>"
        );
    }
}
