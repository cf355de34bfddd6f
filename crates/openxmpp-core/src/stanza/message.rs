//! `<message/>` stanzas (RFC 6121 §5, XEP-0201 threads).

use crate::error::StanzaError;
use crate::jid::Jid;
use crate::ns;
use crate::xml::{Element, Node};

use super::header::{StanzaHeader, expect_stanza};
use super::{LangTexts, StanzaParseError};

/// The `type` of a message (RFC 6121 §5.2.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// One-to-one chat.
    Chat,
    /// A message returned with an error.
    Error,
    /// A message in a multi-user chat room.
    Groupchat,
    /// An alert or notification that expects no reply.
    Headline,
    /// A standalone message (the default when `type` is absent).
    #[default]
    Normal,
}

impl MessageType {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            MessageType::Chat => "chat",
            MessageType::Error => "error",
            MessageType::Groupchat => "groupchat",
            MessageType::Headline => "headline",
            MessageType::Normal => "normal",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "chat" => MessageType::Chat,
            "error" => MessageType::Error,
            "groupchat" => MessageType::Groupchat,
            "headline" => MessageType::Headline,
            "normal" => MessageType::Normal,
            _ => return None,
        })
    }
}

/// A conversation thread (RFC 6121 §5.2.5, XEP-0201), optionally the child of a parent thread.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thread {
    /// The thread identifier.
    pub id: String,
    /// The parent thread's identifier.
    pub parent: Option<String>,
}

/// A message stanza.
///
/// ```
/// use openxmpp_core::stanza::{Message, MessageType};
/// use openxmpp_core::xml::Element;
///
/// let to = "juliet@example.com".parse()?;
/// let msg = Message::chat(to, "Art thou not Romeo?")
///     .with_body(Some("de"), "Bist du nicht Romeo?")
///     .with_thread("e0ffe42b28561960c6b12b944a092794b9683a38", None);
/// let element = Element::from(msg.clone());
/// assert_eq!(Message::try_from(element)?, msg);
/// assert_eq!(msg.kind, MessageType::Chat);
/// assert_eq!(msg.body(), Some("Art thou not Romeo?"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// id, to, from, xml:lang and other attributes.
    pub header: StanzaHeader,
    /// The message type.
    pub kind: MessageType,
    /// The bodies, by language.
    pub bodies: LangTexts,
    /// The subjects, by language.
    pub subjects: LangTexts,
    /// The thread, if any.
    pub thread: Option<Thread>,
    /// The error, for a message of type `error`.
    pub error: Option<StanzaError>,
    /// Every other child element (extensions), kept as received.
    pub payloads: Vec<Element>,
}

impl Message {
    /// An empty message of `kind` to `to`.
    pub fn new(kind: MessageType, to: Option<Jid>) -> Self {
        Message {
            header: StanzaHeader {
                to,
                ..StanzaHeader::default()
            },
            kind,
            ..Message::default()
        }
    }

    /// A chat message with a body in the stream's language.
    pub fn chat(to: Jid, body: impl Into<String>) -> Self {
        Message::new(MessageType::Chat, Some(to)).with_body(None, body)
    }

    /// Sets the body for `lang` (`None`: the stanza's language).
    pub fn with_body(mut self, lang: Option<&str>, body: impl Into<String>) -> Self {
        self.bodies.set(lang, body);
        self
    }

    /// Sets the subject for `lang` (`None`: the stanza's language).
    pub fn with_subject(mut self, lang: Option<&str>, subject: impl Into<String>) -> Self {
        self.subjects.set(lang, subject);
        self
    }

    /// Sets the thread, with an optional parent thread.
    pub fn with_thread(mut self, id: impl Into<String>, parent: Option<&str>) -> Self {
        self.thread = Some(Thread {
            id: id.into(),
            parent: parent.map(str::to_owned),
        });
        self
    }

    /// Sets the id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.header.id = Some(id.into());
        self
    }

    /// Sets the stanza's `xml:lang`.
    pub fn with_lang(mut self, lang: impl Into<String>) -> Self {
        self.header.lang = Some(lang.into());
        self
    }

    /// Adds an extension element.
    pub fn with_payload(mut self, payload: Element) -> Self {
        self.payloads.push(payload);
        self
    }

    /// The body in the stanza's own language, else the first.
    pub fn body(&self) -> Option<&str> {
        self.bodies.for_language(None, self.header.lang.as_deref())
    }

    /// The subject in the stanza's own language, else the first.
    pub fn subject(&self) -> Option<&str> {
        self.subjects
            .for_language(None, self.header.lang.as_deref())
    }

    /// The first extension element `name` in namespace `ns`.
    pub fn payload(&self, name: &str, ns: &str) -> Option<&Element> {
        self.payloads.iter().find(|p| p.is(name, ns))
    }
}

impl TryFrom<Element> for Message {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect_stanza(&element, "message")?;
        let (attrs, nodes) = element.into_parts();
        let (header, kind) = StanzaHeader::take_from("message", attrs)?;
        let kind = match kind {
            None => MessageType::Normal,
            Some(k) => MessageType::from_name(&k)
                .ok_or_else(|| StanzaParseError::invalid("message", "type", &k))?,
        };
        let mut message = Message {
            header,
            kind,
            ..Message::default()
        };
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if child.ns() != ns::JABBER_CLIENT {
                message.payloads.push(child);
                continue;
            }
            match child.name() {
                "body" => {
                    let lang = child.lang().map(str::to_owned);
                    message.bodies.push(lang, child.into_text());
                }
                "subject" => {
                    let lang = child.lang().map(str::to_owned);
                    message.subjects.push(lang, child.into_text());
                }
                "thread" if message.thread.is_none() => {
                    let parent = child.attr("parent").map(str::to_owned);
                    message.thread = Some(Thread {
                        id: child.into_text(),
                        parent,
                    });
                }
                "error" if message.error.is_none() => {
                    message.error = Some(StanzaError::try_from(child)?);
                }
                _ => message.payloads.push(child),
            }
        }
        Ok(message)
    }
}

impl From<Message> for Element {
    fn from(message: Message) -> Element {
        let kind = (message.kind != MessageType::Normal).then_some(message.kind.name());
        let mut element = message.header.into_element("message", kind);
        super::lang_texts::append_owned(&mut element, "subject", message.subjects);
        super::lang_texts::append_owned(&mut element, "body", message.bodies);
        if let Some(thread) = message.thread {
            let mut child = Element::builder("thread", ns::JABBER_CLIENT)
                .attr_opt("parent", thread.parent)
                .build();
            child.append_text_string(thread.id);
            element.append_child(child);
        }
        if let Some(error) = message.error {
            element.append_child(error.into());
        }
        for payload in message.payloads {
            element.append_child(payload);
        }
        element
    }
}
