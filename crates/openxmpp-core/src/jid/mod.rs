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
//! # Emoji in resourceparts: a deviation from RFC 8265
//!
//! Room nicknames are resourceparts, and people pick emoji nicknames. Strict OpaqueString
//! (RFC 8265 §4.2) refuses much of what they pick, so resourceparts (never localparts or
//! domainparts) accept two things it does not:
//!
//! - symbols and emoji newer than the Unicode 6.3 tables of the PRECIS registry (🦀, 🥰,
//!   skin-tone modifiers), which RFC 8264 allows under current Unicode anyway;
//! - emoji sequences: U+200D ZERO WIDTH JOINER between two pictographs (👩‍💻, 🏳️‍🌈),
//!   U+FE0E/U+FE0F variation selectors after an emoji (❤️, ☺️, the keycap 1️⃣), and the tag
//!   characters U+E0020–U+E007F inside a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
//!
//! Those code points are refused anywhere else (a lone joiner, a joiner between letters, a
//! selector with nothing to select), as the profile says. Servers prepare resourceparts
//! differently (stringprep's Resourceprep deletes joiners and selectors and refuses tags,
//! PRECIS refuses them all, some MUC services pass nicknames through), so we keep them byte
//! for byte: the address we show and send back is the one the server sent.
//!
//! ```
//! use openxmpp_core::jid::{Jid, JidError};
//!
//! let jid: Jid = "user@München.example/🎸 guitar".parse()?;
//! assert_eq!(jid.domain(), "münchen.example");
//! assert_eq!(jid.resource(), Some("🎸 guitar"));
//!
//! // Emoji sequences are accepted in resourceparts, and kept as they are.
//! let coder: Jid = "room@muc.example/👩\u{200d}💻".parse()?;
//! assert_eq!(coder.resource(), Some("👩\u{200d}💻"));
//! assert!("room@muc.example/a\u{200d}b".parse::<Jid>().is_err());
//!
//! assert_eq!("@example.com".parse::<Jid>().unwrap_err(), JidError::EmptyLocal);
//! # Ok::<(), JidError>(())
//! ```

mod address;
mod bare;
mod emoji;
mod error;
mod full;
mod inner;
mod newer_symbols;
mod opaque;
mod prep;
mod traits;

#[cfg(test)]
mod tests;

pub use address::Jid;
pub use bare::BareJid;
pub use error::JidError;
pub use full::FullJid;
