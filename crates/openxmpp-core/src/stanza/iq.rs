//! `<iq/>` stanzas: requests and responses (RFC 6120 §8.2.3).

use crate::error::StanzaError;
use crate::jid::Jid;
use crate::ns;
use crate::xml::{Element, Node};

use super::StanzaParseError;
use super::header::{StanzaHeader, expect_stanza};

/// What an IQ carries, by type. A get or set has exactly one payload; a result at most one;
/// an error has the error and, optionally, the request's payload echoed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IqPayload {
    /// A request for information.
    Get(Element),
    /// A request to change something.
    Set(Element),
    /// A successful response.
    Result(Option<Element>),
    /// A failed request.
    Error {
        /// What went wrong.
        error: StanzaError,
        /// The request's payload, if the responder included it.
        request: Option<Element>,
    },
}

impl IqPayload {
    /// The wire name of the type.
    pub const fn type_name(&self) -> &'static str {
        match self {
            IqPayload::Get(_) => "get",
            IqPayload::Set(_) => "set",
            IqPayload::Result(_) => "result",
            IqPayload::Error { .. } => "error",
        }
    }

    /// Whether this is a request (get or set) that must be answered.
    pub const fn is_request(&self) -> bool {
        matches!(self, IqPayload::Get(_) | IqPayload::Set(_))
    }
}

/// An IQ stanza. Its id is required.
///
/// ```
/// use openxmpp_core::stanza::{Iq, IqPayload};
/// use openxmpp_core::xml::Element;
///
/// let ping = Element::new("ping", "urn:xmpp:ping");
/// let request = Iq::get("p1", ping).to("example.com".parse()?);
/// let answer = request.result(None);
/// assert_eq!(answer.id, "p1");
/// assert_eq!(answer.header.to, None, "the server routes the answer back by itself");
/// let element = Element::from(request.clone());
/// assert_eq!(Iq::try_from(element)?, request);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iq {
    /// The id, which the response repeats.
    pub id: String,
    /// to, from, xml:lang and other attributes (`header.id` is unused: see [`Iq::id`]).
    pub header: StanzaHeader,
    /// The type and what it carries.
    pub payload: IqPayload,
}

impl Iq {
    /// A get request with `id` and `payload`.
    pub fn get(id: impl Into<String>, payload: Element) -> Self {
        Iq::new(id, IqPayload::Get(payload))
    }

    /// A set request with `id` and `payload`.
    pub fn set(id: impl Into<String>, payload: Element) -> Self {
        Iq::new(id, IqPayload::Set(payload))
    }

    fn new(id: impl Into<String>, payload: IqPayload) -> Self {
        Iq {
            id: id.into(),
            header: StanzaHeader::default(),
            payload,
        }
    }

    /// Addresses the IQ.
    pub fn to(mut self, to: Jid) -> Self {
        self.header.to = Some(to);
        self
    }

    /// The result answering this request, addressed to its sender.
    pub fn result(&self, payload: Option<Element>) -> Iq {
        self.response(IqPayload::Result(payload))
    }

    /// The error answering this request, addressed to its sender.
    pub fn error(&self, error: StanzaError) -> Iq {
        self.response(IqPayload::Error {
            error,
            request: None,
        })
    }

    fn response(&self, payload: IqPayload) -> Iq {
        Iq {
            id: self.id.clone(),
            header: StanzaHeader {
                to: self.header.from.clone(),
                ..StanzaHeader::default()
            },
            payload,
        }
    }

    /// The request's or result's payload element, if any.
    pub fn payload_element(&self) -> Option<&Element> {
        match &self.payload {
            IqPayload::Get(e) | IqPayload::Set(e) => Some(e),
            IqPayload::Result(e) => e.as_ref(),
            IqPayload::Error { request, .. } => request.as_ref(),
        }
    }
}

impl TryFrom<Element> for Iq {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect_stanza(&element, "iq")?;
        let (attrs, nodes) = element.into_parts();
        let (mut header, kind) = StanzaHeader::take_from("iq", attrs)?;
        let id = header.id.take().ok_or(StanzaParseError::Missing {
            element: "iq",
            what: "id attribute",
        })?;
        let kind = kind.ok_or(StanzaParseError::Missing {
            element: "iq",
            what: "type attribute",
        })?;
        let mut error = None;
        let mut children = Vec::new();
        for node in nodes {
            let Node::Element(child) = node else { continue };
            if kind == "error" && error.is_none() && child.is("error", ns::JABBER_CLIENT) {
                error = Some(StanzaError::try_from(child)?);
            } else {
                children.push(child);
            }
        }
        let count = children.len();
        let mut children = children.into_iter();
        let payload = match kind.as_str() {
            "get" | "set" => {
                let (Some(only), None) = (children.next(), children.next()) else {
                    let kind = if kind == "get" { "get" } else { "set" };
                    return Err(StanzaParseError::IqPayloadCount { kind, count });
                };
                if kind == "get" {
                    IqPayload::Get(only)
                } else {
                    IqPayload::Set(only)
                }
            }
            // RFC 6120 allows at most one child; a second one from a sloppy peer is dropped
            // rather than failing the response the caller is waiting for.
            "result" => IqPayload::Result(children.next()),
            "error" => IqPayload::Error {
                error: error.ok_or(StanzaParseError::Missing {
                    element: "iq",
                    what: "error child",
                })?,
                request: children.next(),
            },
            other => return Err(StanzaParseError::invalid("iq", "type", other)),
        };
        Ok(Iq {
            id,
            header,
            payload,
        })
    }
}

impl From<Iq> for Element {
    fn from(iq: Iq) -> Element {
        let mut header = iq.header;
        header.id = Some(iq.id);
        let mut element = header.into_element("iq", Some(iq.payload.type_name()));
        match iq.payload {
            IqPayload::Get(payload) | IqPayload::Set(payload) => element.append_child(payload),
            IqPayload::Result(payload) => {
                if let Some(payload) = payload {
                    element.append_child(payload);
                }
            }
            IqPayload::Error { error, request } => {
                if let Some(request) = request {
                    element.append_child(request);
                }
                element.append_child(error.into());
            }
        }
        element
    }
}
