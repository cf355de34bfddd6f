//! Finding what the kit needs on the machine, and saying how to install what is missing.

use std::path::Path;

use crate::KitError;

/// The Debian packages the test suite needs (servers, and Python's venv for the peer client).
pub const DEBIAN_PACKAGES: &[&str] = &["prosody", "ejabberd", "sqlite3", "python3", "python3-venv"];

/// How to install a Debian package, for error messages.
pub fn hint(package: &str) -> String {
    format!(
        "install it with `sudo apt-get update && sudo apt-get install -y --no-install-recommends \
         {package}` (or run `cargo xtask test`, which installs what the tests need)"
    )
}

/// Fails with [`KitError::NotInstalled`] unless `path` exists.
pub(crate) fn require_file(
    program: &'static str,
    path: &str,
    package: &str,
) -> Result<(), KitError> {
    if Path::new(path).exists() {
        Ok(())
    } else {
        Err(KitError::NotInstalled {
            program,
            hint: format!("{path} is missing; {}", hint(package)),
        })
    }
}
