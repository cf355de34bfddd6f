//! What the server offers in `<stream:features/>` (RFC 6120 §4.3.2).

use crate::ns;
use crate::sasl::{ChannelBindingType, ServerOffer};
use crate::xml::Element;

/// XEP-0440: the channel-binding types the server supports.
const SASL_CHANNEL_BINDING: &str = "urn:xmpp:sasl-cb:0";

/// The features of one stream, as far as the core and the layers above use them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamFeatures {
    /// STARTTLS is offered; `Some(true)` when the server marks it `<required/>`.
    pub starttls: Option<bool>,
    /// The SASL mechanisms offered, in the server's order.
    pub mechanisms: Vec<String>,
    /// The channel-binding types the server announced (XEP-0440), if it did.
    pub channel_binding_types: Option<Vec<String>>,
    /// Resource binding is offered.
    pub bind: bool,
    /// The legacy session establishment is offered and not marked `<optional/>`.
    pub session_required: bool,
    /// Stream management (XEP-0198) is offered.
    pub stream_management: bool,
    /// Roster versioning (RFC 6121 §2.6) is offered.
    pub roster_versioning: bool,
    /// Subscription pre-approval (RFC 6121 §3.4) is offered.
    pub pre_approval: bool,
    /// In-band registration (XEP-0077) is offered.
    pub registration: bool,
    /// Every feature element as the server sent it, for layers that look for others.
    pub elements: Vec<Element>,
}

impl StreamFeatures {
    /// Reads a `<stream:features/>` element. Unknown features are kept in `elements`.
    pub fn parse(features: &Element) -> Self {
        let mut out = StreamFeatures::default();
        for child in features.children() {
            match (child.ns(), child.name()) {
                (ns::TLS, "starttls") => {
                    out.starttls = Some(child.has_child("required", ns::TLS));
                }
                (ns::SASL, "mechanisms") => {
                    out.mechanisms = child
                        .children()
                        .filter(|m| m.is("mechanism", ns::SASL))
                        .map(|m| m.text().trim().to_owned())
                        .filter(|m| !m.is_empty())
                        .collect();
                }
                (SASL_CHANNEL_BINDING, "sasl-channel-binding") => {
                    out.channel_binding_types = Some(
                        child
                            .children()
                            .filter(|c| c.is("channel-binding", SASL_CHANNEL_BINDING))
                            .filter_map(|c| c.attr("type").map(str::to_owned))
                            .collect(),
                    );
                }
                (ns::BIND, "bind") => out.bind = true,
                (ns::SESSION, "session") => {
                    out.session_required = !child.has_child("optional", ns::SESSION);
                }
                (ns::STREAM_MANAGEMENT, "sm") => out.stream_management = true,
                (ns::ROSTER_VERSIONING, "ver") => out.roster_versioning = true,
                (ns::PRE_APPROVAL, "sub") => out.pre_approval = true,
                (ns::REGISTER_FEATURE, "register") => out.registration = true,
                _ => {}
            }
            out.elements.push(child.clone());
        }
        out
    }

    /// The SASL offer, for mechanism selection.
    ///
    /// Channel binding is used only with a type the server announces (XEP-0440). Servers that
    /// offer `-PLUS` without announcing types cannot be relied on: ejabberd 23.01 offers it on
    /// TLS 1.3 yet only knows `tls-unique` (refusing `tls-exporter`), and Prosody 0.12 over
    /// TLS 1.2 knows only `tls-unique`, which rustls cannot provide. Without an announcement
    /// the client therefore uses the non-PLUS mechanism, with the GS2 flag `n` when the server
    /// offered `-PLUS` and `y` (downgrade detection) when it did not.
    pub fn sasl_offer(&self) -> ServerOffer {
        let offer = ServerOffer::new(self.mechanisms.iter().map(String::as_str));
        let announced = self.channel_binding_types.iter().flatten();
        offer.with_channel_binding_types(announced.filter_map(|t| ChannelBindingType::from_name(t)))
    }
}
