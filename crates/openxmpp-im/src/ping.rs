//! XMPP Ping (XEP-0199).
