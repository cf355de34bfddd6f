//! The owned XML element that stanzas are parsed into and built from.

use std::borrow::Cow;
use std::fmt;

use super::ns;

/// An attribute: an optional namespace (only for prefixed attributes such as `xml:lang`), a
/// local name and an unescaped value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    name: Cow<'static, str>,
    ns: Option<Cow<'static, str>>,
    value: String,
}

impl Attribute {
    /// An attribute in no namespace (the usual case: `type`, `id`, `to`…).
    pub fn new(name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        Attribute {
            name: name.into(),
            ns: None,
            value: value.into(),
        }
    }

    /// A namespaced attribute, e.g. `Attribute::with_ns(ns::XML, "lang", "en")` for
    /// `xml:lang='en'`.
    pub fn with_ns(
        ns: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        Attribute {
            name: name.into(),
            ns: Some(ns.into()),
            value: value.into(),
        }
    }

    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace, `None` for an unprefixed attribute.
    pub fn ns(&self) -> Option<&str> {
        self.ns.as_deref()
    }

    /// The unescaped value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Moves the value out.
    pub fn into_value(self) -> String {
        self.value
    }

    pub(crate) fn value_mut(&mut self) -> &mut String {
        &mut self.value
    }

    fn matches(&self, name: &str, ns: Option<&str>) -> bool {
        self.name == name && self.ns.as_deref() == ns
    }
}

/// A child node: an element or a run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data, unescaped. Adjacent text is always merged into one node by
    /// [`Element::append_text`] and by the parser.
    Text(String),
}

/// An owned XML element: a namespace and local name, attributes, and child nodes.
///
/// Names are resolved: an element carries its namespace URI, never a prefix. Names and namespaces
/// are `Cow<'static, str>`, so elements built from constants allocate nothing for them.
/// Adjacent text is merged, so the text of a leaf element is one `String` that
/// [`Element::into_text`] moves out.
///
/// ```
/// use openxmpp_core::xml::Element;
///
/// let msg = Element::builder("message", "jabber:client")
///     .attr("type", "chat")
///     .child(Element::builder("body", "jabber:client").text("Hi & bye"))
///     .build();
/// assert_eq!(msg.attr("type"), Some("chat"));
/// assert_eq!(msg.get_child("body", "jabber:client").map(|b| b.text()).as_deref(), Some("Hi & bye"));
/// assert_eq!(
///     msg.to_string(),
///     "<message xmlns='jabber:client' type='chat'><body>Hi &amp; bye</body></message>"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    name: Cow<'static, str>,
    ns: Cow<'static, str>,
    attrs: Vec<Attribute>,
    children: Vec<Node>,
}

impl Element {
    /// An empty element `name` in namespace `ns` (the empty string for no namespace).
    pub fn new(name: impl Into<Cow<'static, str>>, ns: impl Into<Cow<'static, str>>) -> Self {
        Element {
            name: name.into(),
            ns: ns.into(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Starts building an element `name` in namespace `ns`.
    pub fn builder(
        name: impl Into<Cow<'static, str>>,
        ns: impl Into<Cow<'static, str>>,
    ) -> ElementBuilder {
        ElementBuilder {
            element: Element::new(name, ns),
        }
    }

    #[inline]
    pub(crate) fn from_parts(
        name: Cow<'static, str>,
        ns: Cow<'static, str>,
        attrs: Vec<Attribute>,
    ) -> Self {
        Element {
            name,
            ns,
            attrs,
            children: Vec::new(),
        }
    }

    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace URI (empty for no namespace).
    pub fn ns(&self) -> &str {
        &self.ns
    }

    /// Whether this element is `name` in namespace `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    /// The value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attr_ns(name, None)
    }

    /// The value of attribute `name` in namespace `ns` (`None`: unprefixed).
    pub fn attr_ns(&self, name: &str, ns: Option<&str>) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.matches(name, ns))
            .map(|a| a.value.as_str())
    }

    /// Sets the unprefixed attribute `name`, replacing any previous value.
    pub fn set_attr(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        self.set_attribute(Attribute::new(name, value));
    }

    /// Sets an attribute, replacing one with the same namespace and name.
    pub fn set_attribute(&mut self, attr: Attribute) {
        match self
            .attrs
            .iter_mut()
            .find(|a| a.matches(&attr.name, attr.ns.as_deref()))
        {
            Some(slot) => *slot = attr,
            None => self.attrs.push(attr),
        }
    }

    /// Removes the unprefixed attribute `name` and returns its value (moved, not copied).
    pub fn take_attr(&mut self, name: &str) -> Option<String> {
        let i = self.attrs.iter().position(|a| a.matches(name, None))?;
        Some(self.attrs.remove(i).value)
    }

    /// All attributes, in document order.
    pub fn attrs(&self) -> &[Attribute] {
        &self.attrs
    }

    /// Moves the attributes out.
    pub fn into_attrs(self) -> Vec<Attribute> {
        self.attrs
    }

    /// The `xml:lang` of this element, if it carries one. The parser records the language
    /// inherited from the stream header on every stanza (first-level element in the stream's
    /// content namespace) that has none, so on a stanza this is the effective language; for a
    /// child, fall back to its parent's.
    pub fn lang(&self) -> Option<&str> {
        self.attr_ns("lang", Some(ns::XML))
    }

    /// Sets `xml:lang`.
    pub fn set_lang(&mut self, lang: impl Into<String>) {
        self.set_attribute(Attribute::with_ns(ns::XML, "lang", lang));
    }

    /// All child nodes, elements and text, in document order.
    pub fn nodes(&self) -> &[Node] {
        &self.children
    }

    /// Moves the child nodes out.
    pub fn into_nodes(self) -> Vec<Node> {
        self.children
    }

    /// Moves the attributes and the child nodes out together (what typed stanzas are built
    /// from, without copying).
    pub fn into_parts(self) -> (Vec<Attribute>, Vec<Node>) {
        (self.attrs, self.children)
    }

    /// The child elements.
    pub fn children(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The child elements, mutably.
    pub fn children_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element `name` in namespace `ns`.
    pub fn get_child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.children().find(|e| e.is(name, ns))
    }

    /// The first child element `name` in namespace `ns`, mutably.
    pub fn get_child_mut(&mut self, name: &str, ns: &str) -> Option<&mut Element> {
        self.children_mut().find(|e| e.is(name, ns))
    }

    /// Whether a child element `name` in namespace `ns` exists.
    pub fn has_child(&self, name: &str, ns: &str) -> bool {
        self.get_child(name, ns).is_some()
    }

    /// Removes the first child element `name` in namespace `ns` and returns it.
    pub fn take_child(&mut self, name: &str, ns: &str) -> Option<Element> {
        let i = self
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.is(name, ns)))?;
        match self.children.remove(i) {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// The text directly inside this element (text of child elements excluded). Borrowed when
    /// the element has at most one text node, which is always the case for leaf elements.
    pub fn text(&self) -> Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        });
        let Some(first) = texts.next() else {
            return Cow::Borrowed("");
        };
        match texts.next() {
            None => Cow::Borrowed(first),
            Some(second) => {
                let mut all = String::with_capacity(first.len() + second.len());
                all.push_str(first);
                all.push_str(second);
                texts.for_each(|t| all.push_str(t));
                Cow::Owned(all)
            }
        }
    }

    /// Moves the direct text out (no copy for a leaf element).
    pub fn into_text(self) -> String {
        let mut out = String::new();
        for node in self.children {
            if let Node::Text(t) = node {
                if out.is_empty() {
                    out = t;
                } else {
                    out.push_str(&t);
                }
            }
        }
        out
    }

    /// Appends a child element.
    #[inline]
    pub fn append_child(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// Appends text, merged with a text node that ends the children.
    pub fn append_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(text),
            _ => self.children.push(Node::Text(text.to_owned())),
        }
    }

    /// Appends owned text (moved in when it starts a new text node).
    pub fn append_text_string(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        match self.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(&text),
            _ => self.children.push(Node::Text(text)),
        }
    }

    /// Appends a node; text is merged like [`Element::append_text`].
    pub fn append_node(&mut self, node: Node) {
        match node {
            Node::Element(e) => self.children.push(Node::Element(e)),
            Node::Text(t) => self.append_text_string(t),
        }
    }

    /// Runs `f` on the trailing text node (created if needed, dropped again if left empty), so
    /// the parser merges text without extra copies.
    #[inline]
    pub(crate) fn with_text_tail<R>(&mut self, f: impl FnOnce(&mut String) -> R) -> R {
        if let Some(Node::Text(t)) = self.children.last_mut() {
            return f(t);
        }
        let mut t = String::new();
        let r = f(&mut t);
        if !t.is_empty() {
            if self.children.is_empty() {
                // Most text is the only child of a leaf (`<body>`): no room for four nodes.
                self.children.reserve_exact(1);
            }
            self.children.push(Node::Text(t));
        }
        r
    }
}

impl fmt::Display for Element {
    /// Serializes the element on its own, declaring its namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        super::writer::write_element(self, &mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// Builds an [`Element`] by value; see [`Element::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ElementBuilder {
    element: Element,
}

impl ElementBuilder {
    /// Sets an unprefixed attribute.
    pub fn attr(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.element.set_attr(name, value);
        self
    }

    /// Sets an unprefixed attribute if `value` is `Some`.
    pub fn attr_opt(
        self,
        name: impl Into<Cow<'static, str>>,
        value: Option<impl Into<String>>,
    ) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Sets a namespaced attribute.
    pub fn attr_ns(
        mut self,
        ns: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.element
            .set_attribute(Attribute::with_ns(ns, name, value));
        self
    }

    /// Sets `xml:lang`.
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.element.set_lang(lang);
        self
    }

    /// Appends a child element (a built [`Element`] or a builder).
    pub fn child(mut self, child: impl Into<Element>) -> Self {
        self.element.append_child(child.into());
        self
    }

    /// Appends child elements.
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Self {
        for c in children {
            self.element.append_child(c);
        }
        self
    }

    /// Appends text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.element.append_text_string(text.into());
        self
    }

    /// Finishes the element.
    pub fn build(self) -> Element {
        self.element
    }
}

impl From<ElementBuilder> for Element {
    fn from(b: ElementBuilder) -> Element {
        b.element
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_read() {
        let mut e = Element::builder("iq", ns::CLIENT)
            .attr("type", "get")
            .attr("id", "1")
            .lang("en")
            .child(Element::new("query", "jabber:iq:roster"))
            .build();
        assert!(e.is("iq", ns::CLIENT));
        assert_eq!(e.attr("type"), Some("get"));
        assert_eq!(e.lang(), Some("en"));
        e.set_attr("type", "set");
        assert_eq!(e.attr("type"), Some("set"));
        assert_eq!(e.attrs().len(), 3);
        assert!(e.has_child("query", "jabber:iq:roster"));
        assert!(!e.has_child("query", ns::CLIENT));
        assert_eq!(e.take_attr("id").as_deref(), Some("1"));
        assert_eq!(e.attr("id"), None);
        let q = e.take_child("query", "jabber:iq:roster");
        assert!(q.is_some());
        assert_eq!(e.children().count(), 0);
    }

    #[test]
    fn mutable_access_and_moving_out() {
        let mut e = Element::builder("message", ns::CLIENT)
            .attr_opt("id", Some("m1"))
            .attr_opt("to", None::<String>)
            .children([Element::new("body", ns::CLIENT), Element::new("x", "urn:x")])
            .build();
        assert_eq!(e.attrs().len(), 1);
        if let Some(body) = e.get_child_mut("body", ns::CLIENT) {
            body.append_text("hi");
        }
        for child in e.children_mut() {
            child.set_attr("seen", "1");
        }
        assert!(e.children().all(|c| c.attr("seen") == Some("1")));
        let body = e.take_child("body", ns::CLIENT).unwrap();
        assert_eq!(body.into_text(), "hi");
        e.append_node(Node::Text("a".into()));
        e.append_node(Node::Text("b".into()));
        assert_eq!(e.nodes().len(), 2, "text nodes merge");
        assert_eq!(
            e.to_string(),
            "<message xmlns='jabber:client' id='m1'><x xmlns='urn:x' seen='1'/>ab</message>"
        );
        let attrs = e.clone().into_attrs();
        assert_eq!(attrs[0].clone().into_value(), "m1");
        assert_eq!(e.into_nodes().len(), 2);
    }

    #[test]
    fn text_is_merged() {
        let mut e = Element::new("body", ns::CLIENT);
        e.append_text("a");
        e.append_text("");
        e.append_text_string("b".to_owned());
        assert_eq!(e.nodes().len(), 1);
        assert!(matches!(e.text(), Cow::Borrowed("ab")));
        let mut x = Element::new("x", "urn:x");
        x.append_text("inner");
        e.append_child(x);
        e.append_text("c");
        assert_eq!(e.text(), "abc");
        assert_eq!(e.clone().into_text(), "abc");
        assert_eq!(e.nodes().len(), 3);
    }
}
