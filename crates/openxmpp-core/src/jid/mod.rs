//! XMPP addresses (RFC 7622).
