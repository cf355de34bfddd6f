//! "Remember me": the password in the operating system's keyring (Secret Service, Keychain,
//! Credential Manager via `keyring`), never in a file. Set `ANDANTE_NO_KEYRING` to keep the
//! keyring out (tests, machines without one).

use crate::domain::account::Password;

const SERVICE: &str = "andante-xmpp";

fn disabled() -> bool {
    std::env::var_os("ANDANTE_NO_KEYRING").is_some()
}

/// Why the keyring could not be used, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system keyring is not available: {0}")]
pub struct KeyringError(String);

fn entry(account: &str) -> Result<keyring::Entry, KeyringError> {
    if disabled() {
        return Err(KeyringError("disabled by ANDANTE_NO_KEYRING".to_owned()));
    }
    keyring::Entry::new(SERVICE, account).map_err(|e| KeyringError(e.to_string()))
}

/// Stores the password of `account`. Blocking: call it off the GUI thread.
pub fn store(account: &str, password: &Password) -> Result<(), KeyringError> {
    entry(account)?
        .set_password(password.expose())
        .map_err(|e| KeyringError(e.to_string()))
}

/// The stored password of `account`, if any. Blocking.
pub fn load(account: &str) -> Result<Option<Password>, KeyringError> {
    match entry(account)?.get_password() {
        Ok(password) => Ok(Some(Password::new(password))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}

/// Forgets the stored password of `account`. Blocking.
pub fn forget(account: &str) -> Result<(), KeyringError> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}
