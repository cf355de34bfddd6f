//! Sans-IO instant-messaging logic on top of [`openxmpp_core`]: roster, subscriptions, presence,
//! chats and threads, in-band registration and the everyday XEPs (RFC 6121).
//!
//! Like the core, this crate performs no I/O and never reads the clock.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub use openxmpp_core as core;

pub mod blocking;
pub mod caps;
pub mod caps_cache;
pub mod carbons;
pub mod chat_states;
pub mod chats;
pub mod correction;
pub mod data_form;
pub mod delay;
pub mod disco;
pub mod forwarded;
pub mod mam;
pub mod markers;
pub mod muc;
mod parse_util;
pub mod ping;
pub mod presence;
pub mod receipts;
pub mod register;
pub mod roster;
pub mod session;
pub mod stanza_id;
pub mod subscriptions;
pub mod time;
pub mod vcard;
pub mod version;

#[cfg(test)]
pub(crate) mod test_support;
