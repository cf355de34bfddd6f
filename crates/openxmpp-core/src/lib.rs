//! Sans-IO XMPP protocol core.
//!
//! Everything RFC 6120 asks of a client, with no sockets, no async runtime, no threads and no
//! clock: inputs are bytes and commands, outputs are bytes to send, typed events and the next
//! deadline. Time is always an argument.
//!
//! Modules:
//! - [`jid`]: XMPP addresses (RFC 7622).
//! - [`xml`]: the incremental, restricted XML stream parser and the writer.
//! - [`sasl`]: client-side SASL mechanisms (SCRAM, PLAIN, DIGEST-MD5, EXTERNAL, ANONYMOUS).
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod jid;
pub mod sasl;
pub mod xml;
