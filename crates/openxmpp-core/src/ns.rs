//! XML namespaces of the protocols the core speaks.

/// The client stream's default namespace (RFC 6120 §4.8.3).
pub const JABBER_CLIENT: &str = "jabber:client";
/// The stream namespace, bound to the `stream` prefix (RFC 6120 §4.8.1).
pub const STREAM: &str = "http://etherx.jabber.org/streams";
/// Stream error conditions (RFC 6120 §4.9.3).
pub const STREAM_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// Stanza error conditions (RFC 6120 §8.3.3).
pub const STANZA_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// STARTTLS (RFC 6120 §5).
pub const TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// SASL (RFC 6120 §6).
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// Resource binding (RFC 6120 §7).
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// The legacy session establishment (RFC 3921 §3, draft-cridland-xmpp-session).
pub const SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";
/// The `xml` prefix's namespace, for `xml:lang`.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// Roster management (RFC 6121 §2).
pub const ROSTER: &str = "jabber:iq:roster";
/// Stream management (XEP-0198).
pub const STREAM_MANAGEMENT: &str = "urn:xmpp:sm:3";
/// XMPP Ping (XEP-0199).
pub const PING: &str = "urn:xmpp:ping";
/// In-band registration (XEP-0077), the IQ namespace.
pub const REGISTER: &str = "jabber:iq:register";
/// In-band registration (XEP-0077), the stream feature.
pub const REGISTER_FEATURE: &str = "http://jabber.org/features/iq-register";
/// Roster versioning stream feature (RFC 6121 §2.6).
pub const ROSTER_VERSIONING: &str = "urn:xmpp:features:rosterver";
/// Subscription pre-approval stream feature (RFC 6121 §3.4).
pub const PRE_APPROVAL: &str = "urn:xmpp:features:pre-approval";
/// Service discovery, info (XEP-0030).
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// Service discovery, items (XEP-0030).
pub const DISCO_ITEMS: &str = "http://jabber.org/protocol/disco#items";
/// Delayed delivery (XEP-0203).
pub const DELAY: &str = "urn:xmpp:delay";
/// Unique and stable stanza ids (XEP-0359).
pub const STANZA_ID: &str = "urn:xmpp:sid:0";
