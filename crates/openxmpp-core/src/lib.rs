//! Sans-IO XMPP protocol core.
//!
//! Everything RFC 6120 asks of a client, with no sockets, no async runtime, no threads and no
//! clock: inputs are bytes and commands, outputs are bytes to send, typed events and the next
//! deadline. Time is always an argument.
//!
//! Modules:
//! - [`connection`]: the sans-IO client connection: negotiation and the online session.
//! - [`jid`]: XMPP addresses (RFC 7622).
//! - [`error`]: the stream and stanza error vocabularies of RFC 6120.
//! - [`ns`]: the XML namespaces the core speaks.
//! - [`xml`]: the incremental, restricted XML stream parser and the writer.
//! - [`sasl`]: client-side SASL mechanisms (SCRAM, PLAIN, DIGEST-MD5, EXTERNAL, ANONYMOUS).
//! - [`stanza`]: typed message, presence and IQ stanzas.
//! - [`tls`]: a rustls client session over byte buffers, for STARTTLS and Direct TLS.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod connection;
pub mod error;
pub mod jid;
pub mod ns;
pub mod sasl;
pub mod stanza;
pub mod tls;
pub mod xml;
