//! What the app keeps on disk: the settings file, the history database per account, and the
//! password in the system keyring.

pub mod history;
pub mod paths;
pub mod secrets;

pub use history::{History, StoreError};
pub use paths::Paths;
