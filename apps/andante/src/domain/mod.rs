//! What the client knows, in plain Rust types: no GUI types here, so every rule can be tested
//! without a window and the GUI stays a thin view of this state.

pub mod account;
pub mod conversation;
pub mod errors;
pub mod presence;
pub mod rooms;
pub mod roster;
pub mod session;
pub mod settings;
pub mod time;
