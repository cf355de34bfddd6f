//! andante: a desktop XMPP chat client on [`openxmpp`], with iced.
//!
//! - [`domain`]: what the client knows (roster, conversations, rooms, settings), in plain
//!   types with no GUI types, and the rules that change it.
//! - [`store`]: the settings file, the SQLite history per account, the keyring.
//! - [`net`]: the session as an iced subscription, and the commands sent through the client.
//! - [`ui`]: the screens, each owning its state, update and view.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod domain;
pub mod net;
pub mod store;
pub mod ui;
