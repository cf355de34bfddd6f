//! openXMPP: an XMPP client library.
//!
//! The protocol lives in the sans-IO crates [`core`] (streams, TLS, SASL, stanzas) and [`im`]
//! (roster, presence, chats); this crate drives them over real connections, from tokio or from
//! blocking code.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub use openxmpp_core as core;
pub use openxmpp_im as im;
