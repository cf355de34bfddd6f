//! Message carbons (XEP-0280): copies of the messages our other resources send and receive.
//!
//! A carbon is a message from our own account wrapping the original in `<received/>` or
//! `<sent/>`. Anyone can send a message containing such a wrapper, so a carbon must only be
//! believed when it comes from our own bare JID (XEP-0280 §11): [`unwrap_carbon`] checks that,
//! and that the wrapped message really is one of ours.
//!
//! ```
//! use openxmpp_im::carbons::{Carbon, CarbonError, unwrap_carbon};
//! use openxmpp_im::core::jid::BareJid;
//! use openxmpp_im::core::stanza::Message;
//! use openxmpp_im::core::xml::Element;
//! use openxmpp_im::forwarded::Forwarded;
//!
//! let me: BareJid = "romeo@montague.example".parse()?;
//! let original = Message::chat("juliet@capulet.example/balcony".parse()?, "Neither, fair saint");
//! let mut carbon = Message::default().with_payload(Carbon::Sent(Forwarded::message(original)).into());
//!
//! carbon.header.from = Some("romeo@montague.example".parse()?);
//! let Some(Carbon::Sent(forwarded)) = unwrap_carbon(&carbon, &me)? else { panic!() };
//! assert_eq!(forwarded.as_message().and_then(|m| m.body()), Some("Neither, fair saint"));
//!
//! carbon.header.from = Some("juliet@capulet.example/balcony".parse()?);
//! assert!(matches!(unwrap_carbon(&carbon, &me), Err(CarbonError::Forged { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Iq, Message, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use crate::forwarded::{self, Forwarded};
use crate::parse_util::{expect, from_own_account, invalid, missing};

/// The XEP-0280 namespace.
pub const NS: &str = "urn:xmpp:carbons:2";

/// The message processing hints namespace (XEP-0334), for `<no-copy/>`.
pub const HINTS_NS: &str = "urn:xmpp:hints";

/// The IQ that enables carbons for this resource.
pub fn enable(id: impl Into<String>) -> Iq {
    Iq::set(id, Element::new("enable", NS))
}

/// The IQ that disables carbons for this resource.
pub fn disable(id: impl Into<String>) -> Iq {
    Iq::set(id, Element::new("disable", NS))
}

/// A carbon copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carbon {
    /// A copy of a message one of our resources received.
    Received(Forwarded),
    /// A copy of a message one of our other resources sent.
    Sent(Forwarded),
}

impl Carbon {
    /// The wrapped forward.
    pub fn forwarded(&self) -> &Forwarded {
        match self {
            Carbon::Received(f) | Carbon::Sent(f) => f,
        }
    }

    /// Moves the wrapped forward out.
    pub fn into_forwarded(self) -> Forwarded {
        match self {
            Carbon::Received(f) | Carbon::Sent(f) => f,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Carbon::Received(_) => "received",
            Carbon::Sent(_) => "sent",
        }
    }
}

impl TryFrom<Element> for Carbon {
    type Error = StanzaParseError;

    /// Reads `<received/>` or `<sent/>` with exactly one `<forwarded/>` inside.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        let (name, make): (&'static str, fn(Forwarded) -> Carbon) =
            match (element.ns() == NS, element.name()) {
                (true, "received") => ("received", Carbon::Received),
                (true, "sent") => ("sent", Carbon::Sent),
                _ => {
                    return Err(StanzaParseError::unexpected(
                        "received or sent",
                        NS,
                        &element,
                    ));
                }
            };
        let mut forwarded = None;
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("forwarded", forwarded::NS) {
                if forwarded.is_some() {
                    return Err(invalid(name, "number of forwarded children", "2"));
                }
                forwarded = Some(Forwarded::try_from(child)?);
            }
        }
        Ok(make(forwarded.ok_or(missing(name, "forwarded child"))?))
    }
}

impl From<Carbon> for Element {
    fn from(carbon: Carbon) -> Element {
        let mut element = Element::new(carbon.name(), NS);
        element.append_child(carbon.into_forwarded().into());
        element
    }
}

/// `<private/>`: the sender asks its server not to make carbons of this message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Private;

impl TryFrom<Element> for Private {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "private", NS)?;
        Ok(Private)
    }
}

impl From<Private> for Element {
    fn from(_: Private) -> Element {
        Element::new("private", NS)
    }
}

/// `<no-copy/>` (XEP-0334): a hint that the message should not be copied to other resources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoCopy;

impl TryFrom<Element> for NoCopy {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "no-copy", HINTS_NS)?;
        Ok(NoCopy)
    }
}

impl From<NoCopy> for Element {
    fn from(_: NoCopy) -> Element {
        Element::new("no-copy", HINTS_NS)
    }
}

/// `message` marked so that no carbons are made of it: `<private/>` and, as XEP-0280 §6
/// recommends, `<no-copy/>` (each added once).
pub fn make_private(mut message: Message) -> Message {
    if message.payload("private", NS).is_none() {
        message.payloads.push(Private.into());
    }
    if message.payload("no-copy", HINTS_NS).is_none() {
        message.payloads.push(NoCopy.into());
    }
    message
}

/// Whether the message asks not to be carbon-copied (`<private/>`).
pub fn is_private(message: &Message) -> bool {
    message.payload("private", NS).is_some()
}

/// Why a message that looks like a carbon was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CarbonError {
    /// The carbon does not come from our own account: someone else wrapped a message to make
    /// it look like one of ours.
    #[error("forged carbon: from {from}, not from our own account {own}")]
    Forged {
        /// Who sent it.
        from: Jid,
        /// Our bare JID.
        own: BareJid,
    },
    /// The wrapped message is not ours: a sent carbon not from us, or a received one not to us.
    #[error("the {direction} carbon wraps a message {what} {jid}, which is not our account {own}")]
    NotOurs {
        /// `sent` or `received`.
        direction: &'static str,
        /// `from` or `to`.
        what: &'static str,
        /// The wrapped message's address.
        jid: Jid,
        /// Our bare JID.
        own: BareJid,
    },
    /// The carbon wraps something other than a message.
    #[error("the carbon does not wrap a message")]
    NotAMessage,
    /// The message holds more than one carbon wrapper.
    #[error("the message holds more than one carbon")]
    Ambiguous,
    /// The wrapper is malformed.
    #[error("invalid carbon: {0}")]
    Invalid(#[from] StanzaParseError),
}

/// The carbon in `message`, if it is one, after checking that it can be believed.
///
/// Returns `Ok(None)` for a message without `<received/>` or `<sent/>`. Refuses
/// ([`CarbonError::Forged`]) a carbon whose `from` is anything but our bare JID (an absent `from`
/// counts as our account, RFC 6120 §8.1.2.1), one whose wrapped message is not ours
/// ([`CarbonError::NotOurs`]: a sent carbon must be from one of our resources, a received one to
/// us), one wrapping no message, several carbons, and malformed ones.
///
/// # Errors
/// A [`CarbonError`] saying why the carbon was refused; the caller should drop the message.
pub fn unwrap_carbon(message: &Message, own_bare: &BareJid) -> Result<Option<Carbon>, CarbonError> {
    let mut wrappers = message
        .payloads
        .iter()
        .filter(|p| p.ns() == NS && matches!(p.name(), "received" | "sent"));
    let Some(wrapper) = wrappers.next() else {
        return Ok(None);
    };
    if !from_own_account(message.header.from.as_ref(), own_bare) {
        return Err(CarbonError::Forged {
            from: message
                .header
                .from
                .clone()
                .unwrap_or_else(|| own_bare.clone().into()),
            own: own_bare.clone(),
        });
    }
    if wrappers.next().is_some() {
        return Err(CarbonError::Ambiguous);
    }
    let carbon = Carbon::try_from(wrapper.clone())?;
    let inner = carbon
        .forwarded()
        .as_message()
        .ok_or(CarbonError::NotAMessage)?;
    let (direction, what, jid) = match &carbon {
        Carbon::Sent(_) => ("sent", "from", inner.header.from.as_ref()),
        Carbon::Received(_) => ("received", "to", inner.header.to.as_ref()),
    };
    if let Some(jid) = jid.filter(|j| j.bare_str() != own_bare.as_str()) {
        return Err(CarbonError::NotOurs {
            direction,
            what,
            jid: jid.clone(),
            own: own_bare.clone(),
        });
    }
    Ok(Some(carbon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    const RECEIVED: &str = "<message xmlns='jabber:client' from='romeo@montague.example' \
          to='romeo@montague.example/garden' type='chat'>\
          <received xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
              <message xmlns='jabber:client' from='juliet@capulet.example/balcony' \
                       to='romeo@montague.example/garden' type='chat'>\
                <body>What man art thou that, thus bescreen'd in night, so stumblest on my counsel?</body>\
                <thread>0e3141cd80894871a68e6fe6b1ec56fa</thread>\
              </message>\
            </forwarded>\
          </received>\
        </message>";

    const SENT: &str = "<message xmlns='jabber:client' from='romeo@montague.example' \
          to='romeo@montague.example/home' type='chat'>\
          <sent xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
              <message xmlns='jabber:client' to='juliet@capulet.example/balcony' \
                       from='romeo@montague.example/home' type='chat'>\
                <body>Neither, fair saint, if either thee dislike.</body>\
                <thread>0e3141cd80894871a68e6fe6b1ec56fa</thread>\
              </message>\
            </forwarded>\
          </sent>\
        </message>";

    fn me() -> BareJid {
        "romeo@montague.example".parse().unwrap()
    }

    fn msg(xml: &str) -> Message {
        Message::try_from(element(xml)).unwrap()
    }

    #[test]
    fn test_simple() {
        // XEP-0280 examples 8 and 9.
        let Some(Carbon::Received(f)) = unwrap_carbon(&msg(RECEIVED), &me()).unwrap() else {
            panic!("not a received carbon")
        };
        let inner = f.into_message().unwrap();
        assert_eq!(
            inner.header.from.unwrap().as_str(),
            "juliet@capulet.example/balcony"
        );
        assert_eq!(inner.thread.unwrap().id, "0e3141cd80894871a68e6fe6b1ec56fa");
        let Some(Carbon::Sent(f)) = unwrap_carbon(&msg(SENT), &me()).unwrap() else {
            panic!("not a sent carbon")
        };
        assert_eq!(
            f.as_message().unwrap().body(),
            Some("Neither, fair saint, if either thee dislike.")
        );
        // XEP-0280 example 11: a private message.
        let private = msg(
            "<message xmlns='jabber:client' from='romeo@montague.example/garden' \
               to='juliet@capulet.example/balcony' type='chat'>\
               <body>Neither, fair saint, if either thee dislike.</body>\
               <private xmlns='urn:xmpp:carbons:2'/>\
               <no-copy xmlns='urn:xmpp:hints'/>\
             </message>",
        );
        assert!(is_private(&private));
        assert_eq!(unwrap_carbon(&private, &me()), Ok(None));
        assert_eq!(
            Private::try_from(private.payload("private", NS).unwrap().clone()),
            Ok(Private)
        );
        assert_eq!(
            NoCopy::try_from(private.payload("no-copy", HINTS_NS).unwrap().clone()),
            Ok(NoCopy)
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&enable("enable1").into()),
            "<iq xmlns='jabber:client' id='enable1' type='set'><enable xmlns='urn:xmpp:carbons:2'/></iq>"
        );
        assert_eq!(
            xml(&disable("disable1").into()),
            "<iq xmlns='jabber:client' id='disable1' type='set'><disable xmlns='urn:xmpp:carbons:2'/></iq>"
        );
        let private = make_private(make_private(Message::chat(
            "juliet@capulet.example".parse().unwrap(),
            "hi",
        )));
        assert_eq!(
            xml(&private.into()),
            "<message xmlns='jabber:client' to='juliet@capulet.example' type='chat'><body>hi</body>\
             <private xmlns='urn:xmpp:carbons:2'/><no-copy xmlns='urn:xmpp:hints'/></message>"
        );
        let carbon = Carbon::Received(Forwarded::message(Message::default()));
        assert_eq!(
            xml(&carbon.into()),
            "<received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
             <message xmlns='jabber:client'/></forwarded></received>"
        );
    }

    #[test]
    fn round_trip() {
        for input in [RECEIVED, SENT] {
            let carbon = unwrap_carbon(&msg(input), &me()).unwrap().unwrap();
            assert_eq!(
                Carbon::try_from(Element::from(carbon.clone())).unwrap(),
                carbon
            );
        }
        assert_eq!(Private::try_from(Element::from(Private)), Ok(Private));
        assert_eq!(NoCopy::try_from(Element::from(NoCopy)), Ok(NoCopy));
    }

    #[test]
    fn forged_carbons_are_refused() {
        // A contact wraps a message of their own making in <sent/> or <received/>.
        for (forger, input) in [
            ("juliet@capulet.example/balcony", SENT),
            ("juliet@capulet.example", RECEIVED),
            ("romeo@montague.example/home", SENT),
            ("montague.example", RECEIVED),
        ] {
            let forged = input.replace(
                "from='romeo@montague.example' ",
                &format!("from='{forger}' "),
            );
            let err = unwrap_carbon(&msg(&forged), &me()).unwrap_err();
            assert_eq!(
                err,
                CarbonError::Forged {
                    from: forger.parse().unwrap(),
                    own: me()
                }
            );
            assert!(err.to_string().contains(forger), "{err}");
        }
        // No `from`: the server speaking for our account.
        let absent = RECEIVED.replace("from='romeo@montague.example' ", "");
        assert!(unwrap_carbon(&msg(&absent), &me()).unwrap().is_some());
        // The JID is compared prepared.
        let cased = RECEIVED.replace(
            "from='romeo@montague.example' ",
            "from='Romeo@Montague.Example' ",
        );
        assert!(unwrap_carbon(&msg(&cased), &me()).unwrap().is_some());
    }

    #[test]
    fn wrapped_message_must_be_ours() {
        let sent_by_other = SENT.replace(
            "from='romeo@montague.example/home' type",
            "from='juliet@capulet.example/balcony' type",
        );
        assert!(matches!(
            unwrap_carbon(&msg(&sent_by_other), &me()),
            Err(CarbonError::NotOurs {
                direction: "sent",
                what: "from",
                ..
            })
        ));
        let received_by_other = RECEIVED.replace(
            "to='romeo@montague.example/garden' type='chat'>\
                <body>",
            "to='mercutio@verona.example' type='chat'><body>",
        );
        assert_ne!(received_by_other, RECEIVED);
        assert!(matches!(
            unwrap_carbon(&msg(&received_by_other), &me()),
            Err(CarbonError::NotOurs {
                direction: "received",
                what: "to",
                ..
            })
        ));
    }

    #[test]
    fn test_invalid() {
        let wrap = |inner: &str| {
            msg(&format!(
                "<message from='romeo@montague.example'>{inner}</message>"
            ))
        };
        assert_eq!(
            unwrap_carbon(&wrap("<received xmlns='urn:xmpp:carbons:2'/>"), &me()),
            Err(CarbonError::Invalid(StanzaParseError::Missing {
                element: "received",
                what: "forwarded child"
            }))
        );
        assert_eq!(
            unwrap_carbon(
                &wrap(
                    "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
                     <presence xmlns='jabber:client'/></forwarded></sent>"
                ),
                &me()
            ),
            Err(CarbonError::NotAMessage)
        );
        assert!(matches!(
            unwrap_carbon(
                &wrap(
                    "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></sent>"
                ),
                &me()
            ),
            Err(CarbonError::Invalid(_))
        ));
        let one =
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded>";
        assert_eq!(
            unwrap_carbon(
                &wrap(&format!(
                    "<sent xmlns='urn:xmpp:carbons:2'>{one}</sent><received xmlns='urn:xmpp:carbons:2'>{one}</received>"
                )),
                &me()
            ),
            Err(CarbonError::Ambiguous)
        );
        assert!(matches!(
            Carbon::try_from(element(&format!(
                "<sent xmlns='urn:xmpp:carbons:2'>{one}{one}</sent>"
            ))),
            Err(StanzaParseError::InvalidValue { .. })
        ));
        assert!(matches!(
            Carbon::try_from(element(&format!(
                "<sent xmlns='urn:xmpp:carbons:1'>{one}</sent>"
            ))),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            Carbon::try_from(element(&format!(
                "<private xmlns='urn:xmpp:carbons:2'>{one}</private>"
            ))),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        assert!(Private::try_from(element("<private xmlns='urn:xmpp:hints'/>")).is_err());
        assert!(NoCopy::try_from(element("<no-copy xmlns='urn:xmpp:carbons:2'/>")).is_err());
        // Carbons of the old namespaces are not carbons to us.
        assert_eq!(
            unwrap_carbon(
                &wrap(&format!("<sent xmlns='urn:xmpp:carbons:1'>{one}</sent>")),
                &me()
            ),
            Ok(None)
        );
    }
}
