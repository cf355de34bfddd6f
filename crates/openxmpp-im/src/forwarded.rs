//! Stanza forwarding (XEP-0297).
