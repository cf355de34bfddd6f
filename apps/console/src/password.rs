//! Where the password comes from: a file, the `XMPP_PASSWORD` environment variable, or the
//! terminal without echo. The password is never printed or logged.

use std::path::{Path, PathBuf};

/// The environment variable holding the password.
pub(crate) const ENV_VAR: &str = "XMPP_PASSWORD";
/// The environment variable holding the new password for `passwd`.
pub(crate) const NEW_ENV_VAR: &str = "XMPP_NEW_PASSWORD";

/// A password that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(String);

impl Password {
    /// The secret, for handing to the library.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why no password could be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasswordError {
    /// The password file could not be read.
    #[error("cannot read the password file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The password (from wherever it came) is empty.
    #[error("the password from {0} is empty")]
    Empty(&'static str),
    /// There is no terminal to ask on.
    #[error("no password: use --password-file or {ENV_VAR}, or run on a terminal ({0})")]
    NoTerminal(std::io::Error),
    /// The new password was not typed the same twice.
    #[error("the two passwords differ")]
    Mismatch,
}

/// The password: from `file` if given, else from the environment, else asked for on the
/// terminal (`/dev/tty`, so it works while stdin is a script) with `prompt`.
pub(crate) fn obtain(file: Option<&Path>, prompt: &str) -> Result<Password, PasswordError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| PasswordError::File {
            path: path.to_owned(),
            source,
        })?;
        return non_empty(first_line(&text), "the password file");
    }
    if let Some(value) = std::env::var_os(ENV_VAR) {
        return non_empty(&value.to_string_lossy(), ENV_VAR);
    }
    ask(prompt)
}

/// The new password for `passwd`: from `XMPP_NEW_PASSWORD`, else asked for twice on the
/// terminal.
pub(crate) fn new_password() -> Result<Password, PasswordError> {
    if let Some(value) = std::env::var_os(NEW_ENV_VAR) {
        return non_empty(&value.to_string_lossy(), NEW_ENV_VAR);
    }
    let first = ask("New password: ")?;
    let second = ask("New password again: ")?;
    if first == second {
        Ok(first)
    } else {
        Err(PasswordError::Mismatch)
    }
}

/// A password for unit tests.
#[cfg(test)]
pub(crate) fn for_tests(text: &str) -> Password {
    Password(text.to_owned())
}

/// Asks on the terminal without echo.
pub(crate) fn ask(prompt: &str) -> Result<Password, PasswordError> {
    let answer = rpassword::prompt_password(prompt).map_err(PasswordError::NoTerminal)?;
    non_empty(&answer, "the terminal")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn non_empty(text: &str, source: &'static str) -> Result<Password, PasswordError> {
    if text.is_empty() {
        Err(PasswordError::Empty(source))
    } else {
        Ok(Password(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_file_gives_its_first_line_and_debug_hides_it() {
        let dir = std::env::temp_dir().join(format!("oxc-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pw");
        std::fs::write(&path, "s3cret pass\r\nignored\n").unwrap();
        let password = obtain(Some(&path), "").unwrap();
        assert_eq!(password.expose(), "s3cret pass");
        assert!(!format!("{password:?}").contains("s3cret"));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            obtain(Some(&path), ""),
            Err(PasswordError::Empty(_))
        ));
        assert!(matches!(
            obtain(Some(&dir.join("missing")), ""),
            Err(PasswordError::File { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
