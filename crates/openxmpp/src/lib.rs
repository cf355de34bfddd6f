//! openXMPP: an XMPP client library.
//!
//! The protocol lives in the sans-IO crates [`core`] (streams, TLS, SASL, stanzas) and [`im`]
//! (roster, presence, chats); this crate drives them over real connections, from tokio
//! ([`Client`]) or from blocking code ([`blocking::Client`]). Both share one driver and one
//! core: protocol decisions are made in one place.
//!
//! - TLS is required by default (STARTTLS, or Direct TLS), with certificates verified against
//!   the platform's roots plus any CA you add.
//! - The strongest SASL mechanism both sides allow is used (SCRAM with channel binding where
//!   possible); a server that cannot prove it knows the password is refused.
//! - IQ responses are matched by id and sender, with a timeout.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod blocking;
mod builder;
mod client;
mod dns;
mod driver;
mod error;
mod event;
mod handles;
mod reconnect;
mod registration;
mod session;
mod tls_config;

pub use builder::{ClientBuilder, Security};
pub use client::{Client, Events};
pub use error::Error;
pub use event::Event;
pub use handles::{
    ArchiveHandle, BlocklistHandle, CATCH_UP_MARGIN, ChatsHandle, DiscoveryHandle, MucHandle,
    PresenceHandle, RosterHandle, SubscriptionsHandle, VCardHandle,
};
pub use reconnect::ReconnectPolicy;
pub use registration::{AccountManagement, Registration};

pub use openxmpp_core as core;
pub use openxmpp_core::connection::{AuthError, ConnectionError, State, XmlDirection};
pub use openxmpp_core::jid::{self, BareJid, FullJid, Jid};
pub use openxmpp_core::sasl::Mechanism;
pub use openxmpp_core::stanza;
pub use openxmpp_im as im;
pub use openxmpp_im::register::{RegisterQuery, RegistrationError};
pub use openxmpp_im::session::Event as ImEvent;
