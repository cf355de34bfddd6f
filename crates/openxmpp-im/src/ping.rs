//! XMPP Ping (XEP-0199).
//!
//! ```
//! use openxmpp_im::ping::{Ping, is_ping};
//!
//! let request = Ping::request(Some("example.com".parse()?));
//! assert!(is_ping(&request));
//! let pong = request.result(None);
//! assert!(!is_ping(&pong));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Iq, IqPayload, StanzaParseError};
use openxmpp_core::xml::Element;

/// The ping namespace.
pub const NS: &str = openxmpp_core::ns::PING;

/// The `<ping/>` payload of an IQ get; the answer is an empty IQ result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ping;

impl Ping {
    /// A ping request to `to` (`None`: the user's server). The id is left empty for the
    /// connection to assign.
    pub fn request(to: Option<Jid>) -> Iq {
        let mut iq = Iq::get("", Ping.into());
        iq.header.to = to;
        iq
    }
}

/// Whether `iq` is a ping request (an IQ get carrying `<ping xmlns='urn:xmpp:ping'/>`).
pub fn is_ping(iq: &Iq) -> bool {
    matches!(&iq.payload, IqPayload::Get(payload) if payload.is("ping", NS))
}

impl TryFrom<Element> for Ping {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if element.is("ping", NS) {
            Ok(Ping)
        } else {
            Err(StanzaParseError::unexpected("ping", NS, &element))
        }
    }
}

impl From<Ping> for Element {
    fn from(_: Ping) -> Element {
        Element::new("ping", NS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0199 Example 1: server-to-client ping.
        let iq = Iq::try_from(element(
            "<iq from='capulet.lit' to='juliet@capulet.lit/balcony' id='s2c1' type='get'>\
               <ping xmlns='urn:xmpp:ping'/>\
             </iq>",
        ))
        .unwrap();
        assert!(is_ping(&iq));
        assert_eq!(
            Ping::try_from(iq.payload_element().unwrap().clone()),
            Ok(Ping)
        );
        // Example 2: the pong.
        let pong = Iq::try_from(element(
            "<iq from='juliet@capulet.lit/balcony' to='capulet.lit' id='s2c1' type='result'/>",
        ))
        .unwrap();
        assert!(!is_ping(&pong));
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&Ping::request(Some("capulet.lit".parse().unwrap())).into()),
            "<iq xmlns='jabber:client' id='' to='capulet.lit' type='get'>\
             <ping xmlns='urn:xmpp:ping'/></iq>"
        );
        assert_eq!(xml(&Ping.into()), "<ping xmlns='urn:xmpp:ping'/>");
    }

    #[test]
    fn test_round_trip() {
        assert_eq!(Ping::try_from(Element::from(Ping)), Ok(Ping));
        let request = Ping::request(None);
        assert_eq!(Iq::try_from(Element::from(request.clone())), Ok(request));
    }

    #[test]
    fn test_invalid() {
        assert!(matches!(
            Ping::try_from(element("<ping xmlns='urn:xmpp:pong'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
        let set = Iq::set("x", Ping.into());
        assert!(!is_ping(&set), "a ping is a get");
        let other = Iq::get("x", Element::new("query", "jabber:iq:version"));
        assert!(!is_ping(&other));
    }
}
