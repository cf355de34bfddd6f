//! Message delivery receipts (XEP-0184): a sender asks with `<request/>`; the recipient answers
//! with `<received id='…'/>` naming the message.
//!
//! ```
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::receipts::{Received, receipt_for, with_request};
//!
//! let mut sent = with_request(
//!     Message::chat("kingrichard@royalty.england.lit/throne".parse()?, "My lord, dispatch")
//!         .with_id("richard2-4.1.247"),
//! )?;
//! // … as the recipient sees it:
//! sent.header.from = Some("northumberland@shakespeare.lit/westminster".parse()?);
//! let receipt = receipt_for(&sent).expect("a receipt was asked for");
//! assert_eq!(receipt.header.to, sent.header.from);
//! assert_eq!(receipt.payload("received", openxmpp_im::receipts::NS).cloned().map(Received::try_from),
//!            Some(Ok(Received::new("richard2-4.1.247"))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::stanza::{Message, MessageType, StanzaParseError};
use openxmpp_core::xml::Element;

use crate::parse_util::{expect, take_id};

/// The XEP-0184 namespace.
pub const NS: &str = "urn:xmpp:receipts";

/// `<request/>`: the sender asks for a receipt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Request;

/// `<received id='…'/>`: the message with id `id` was received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Received {
    /// The id of the message received.
    pub id: String,
}

impl Received {
    /// A receipt for the message with id `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Received { id: id.into() }
    }
}

/// Why a receipt cannot be requested for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The message has no id, so a receipt could not name it (XEP-0184 §5.3).
    #[error("a message that requests a receipt needs an id")]
    MissingId,
    /// Receipts are not requested on error or groupchat messages (XEP-0184 §5.3 and §5.6).
    #[error("receipts are not requested on {0} messages")]
    WrongType(&'static str),
}

impl TryFrom<Element> for Request {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "request", NS)?;
        Ok(Request)
    }
}

impl From<Request> for Element {
    fn from(_: Request) -> Element {
        Element::new("request", NS)
    }
}

impl TryFrom<Element> for Received {
    type Error = StanzaParseError;

    /// Reads `<received/>`. Its id is required: the XEP-0184 v1.0 form without one cannot be
    /// matched to a message and is refused.
    fn try_from(mut element: Element) -> Result<Self, Self::Error> {
        expect(&element, "received", NS)?;
        let id = take_id(&mut element, "received", "id", "id")?;
        Ok(Received { id })
    }
}

impl From<Received> for Element {
    fn from(received: Received) -> Element {
        Element::builder("received", NS)
            .attr("id", received.id)
            .build()
    }
}

/// `message` with a receipt request added (once).
///
/// # Errors
/// [`RequestError`] if the message has no id or is an error or groupchat message.
pub fn with_request(mut message: Message) -> Result<Message, RequestError> {
    match message.kind {
        MessageType::Error => return Err(RequestError::WrongType("error")),
        MessageType::Groupchat => return Err(RequestError::WrongType("groupchat")),
        _ => {}
    }
    if message.header.id.as_deref().is_none_or(str::is_empty) {
        return Err(RequestError::MissingId);
    }
    if !requests_receipt(&message) {
        message.payloads.push(Request.into());
    }
    Ok(message)
}

/// Whether the message asks for a receipt.
pub fn requests_receipt(message: &Message) -> bool {
    message.payload("request", NS).is_some()
}

/// The id of the message a received receipt acknowledges, if it is one.
pub fn received_id(message: &Message) -> Option<&str> {
    message
        .payload("received", NS)
        .and_then(|r| r.attr("id"))
        .filter(|id| !id.is_empty())
}

/// The receipt owed for a received `message`: a message to its sender (of the same type, chat
/// or normal) carrying `<received id='…'/>`. `None` when none is owed: the message did not ask,
/// has no id or no sender, is an error or groupchat message, or is itself a receipt.
///
/// The caller decides whether to send it (XEP-0184 §8: not to a sender that may not learn our
/// presence) and sets an id if it wants one.
pub fn receipt_for(message: &Message) -> Option<Message> {
    if !requests_receipt(message) || received_id(message).is_some() {
        return None;
    }
    if matches!(message.kind, MessageType::Error | MessageType::Groupchat) {
        return None;
    }
    let id = message.header.id.as_deref().filter(|id| !id.is_empty())?;
    let to = message.header.from.clone()?;
    let kind = match message.kind {
        MessageType::Chat => MessageType::Chat,
        _ => MessageType::Normal,
    };
    Some(Message::new(kind, Some(to)).with_payload(Received::new(id).into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0184 examples 3 and 4.
        let request = Message::try_from(element(
            "<message from='northumberland@shakespeare.lit/westminster' \
               id='richard2-4.1.247' to='kingrichard@royalty.england.lit/throne'>\
               <body>My lord, dispatch; read o'er these articles.</body>\
               <request xmlns='urn:xmpp:receipts'/>\
             </message>",
        ))
        .unwrap();
        assert!(requests_receipt(&request));
        let receipt = receipt_for(&request).unwrap();
        assert_eq!(
            xml(&receipt.into()),
            "<message xmlns='jabber:client' to='northumberland@shakespeare.lit/westminster'>\
             <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/></message>"
        );
        let answer = Message::try_from(element(
            "<message from='kingrichard@royalty.england.lit/throne' id='bi29sg183b4v' \
               to='northumberland@shakespeare.lit/westminster'>\
               <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/>\
             </message>",
        ))
        .unwrap();
        assert_eq!(received_id(&answer), Some("richard2-4.1.247"));
        assert!(!requests_receipt(&answer));
        assert_eq!(receipt_for(&answer), None);
        assert_eq!(
            Received::try_from(answer.payload("received", NS).unwrap().clone()).unwrap(),
            Received::new("richard2-4.1.247")
        );
        assert_eq!(
            Request::try_from(element("<request xmlns='urn:xmpp:receipts'/>")).unwrap(),
            Request
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(xml(&Request.into()), "<request xmlns='urn:xmpp:receipts'/>");
        assert_eq!(
            xml(&Received::new("a").into()),
            "<received xmlns='urn:xmpp:receipts' id='a'/>"
        );
        let m = with_request(Message::chat("a@b.c".parse().unwrap(), "hi").with_id("m1")).unwrap();
        let m = with_request(m).unwrap();
        assert_eq!(
            xml(&m.into()),
            "<message xmlns='jabber:client' id='m1' to='a@b.c' type='chat'><body>hi</body>\
             <request xmlns='urn:xmpp:receipts'/></message>"
        );
    }

    #[test]
    fn round_trip() {
        assert_eq!(Request::try_from(Element::from(Request)).unwrap(), Request);
        let r = Received::new("x&y");
        assert_eq!(Received::try_from(Element::from(r.clone())).unwrap(), r);
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            Received::try_from(element("<received xmlns='urn:xmpp:receipts'/>")).unwrap_err(),
            StanzaParseError::Missing {
                element: "received",
                what: "id"
            }
        );
        assert!(matches!(
            Received::try_from(element(
                "<received xmlns='urn:xmpp:chat-markers:0' id='a'/>"
            )),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            Request::try_from(element("<request xmlns='urn:xmpp:receipt'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let to: openxmpp_core::jid::Jid = "a@b.c".parse().unwrap();
        assert_eq!(
            with_request(Message::chat(to.clone(), "no id")),
            Err(RequestError::MissingId)
        );
        assert_eq!(
            with_request(Message::chat(to.clone(), "empty id").with_id("")),
            Err(RequestError::MissingId)
        );
        assert_eq!(
            with_request(Message::new(MessageType::Groupchat, Some(to.clone())).with_id("g")),
            Err(RequestError::WrongType("groupchat"))
        );
        assert_eq!(
            with_request(Message::new(MessageType::Error, Some(to)).with_id("e")),
            Err(RequestError::WrongType("error"))
        );
    }

    #[test]
    fn no_receipt_unless_owed() {
        let owed = |xml: &str| receipt_for(&Message::try_from(element(xml)).unwrap());
        let req = "<request xmlns='urn:xmpp:receipts'/>";
        assert!(
            owed(&format!(
                "<message from='a@b.c/r' id='1' type='chat'>{req}</message>"
            ))
            .is_some()
        );
        assert_eq!(
            owed(&format!(
                "<message from='a@b.c/r' id='1' type='headline'>{req}</message>"
            ))
            .map(|m| m.kind),
            Some(MessageType::Normal)
        );
        assert_eq!(owed("<message from='a@b.c/r' id='1' type='chat'/>"), None);
        assert_eq!(
            owed(&format!(
                "<message from='a@b.c/r' type='chat'>{req}</message>"
            )),
            None
        );
        assert_eq!(
            owed(&format!(
                "<message from='a@b.c/r' id='' type='chat'>{req}</message>"
            )),
            None
        );
        assert_eq!(
            owed(&format!("<message id='1' type='chat'>{req}</message>")),
            None
        );
        assert_eq!(
            owed(&format!(
                "<message from='r@muc.c/n' id='1' type='groupchat'>{req}</message>"
            )),
            None
        );
        assert_eq!(
            owed(&format!(
                "<message from='a@b.c/r' id='1' type='error'>{req}<error type='cancel'/></message>"
            )),
            None
        );
        assert_eq!(
            owed(&format!(
                "<message from='a@b.c/r' id='1'>{req}<received xmlns='urn:xmpp:receipts' id='0'/></message>"
            )),
            None
        );
    }
}
