//! XMPP addresses (RFC 7622).
//!
//! - [`Jid`]: any address, an enum of
//! - [`BareJid`]: `domain` or `local@domain`, and
//! - [`FullJid`]: `domain/resource` or `local@domain/resource`.
//!
//! All three hold the prepared address in one `String` with the separator offsets, so
//! accessors, [`Display`](std::fmt::Display), cloning, comparison and hashing are cheap.
//! Parsing prepares each part (PRECIS UsernameCaseMapped for the localpart, IDNA for the
//! domainpart, PRECIS OpaqueString for the resourcepart); pure-ASCII input that is already in
//! prepared form skips that machinery and costs one allocation. Errors are [`JidError`].
//!
//! ```
//! use openxmpp_core::jid::{Jid, JidError};
//!
//! let jid: Jid = "user@München.example/🎸 guitar".parse()?;
//! assert_eq!(jid.domain(), "münchen.example");
//! assert_eq!(jid.resource(), Some("🎸 guitar"));
//!
//! assert_eq!("@example.com".parse::<Jid>().unwrap_err(), JidError::EmptyLocal);
//! # Ok::<(), JidError>(())
//! ```

mod address;
mod bare;
mod error;
mod full;
mod inner;
mod newer_symbols;
mod prep;
mod traits;

#[cfg(test)]
mod tests;

pub use address::Jid;
pub use bare::BareJid;
pub use error::JidError;
pub use full::FullJid;
