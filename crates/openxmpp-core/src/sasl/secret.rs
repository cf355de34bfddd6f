//! Secret holders: redacted in `Debug`, wiped (best effort) on drop.

use std::fmt;

use precis_core::profile::PrecisFastInvocation as _;
use precis_profiles::OpaqueString;

use super::error::SaslError;

/// A secret string (a password). `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(secret: String) -> Self {
        Self(secret)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(std::mem::take(&mut self.0).into_bytes());
    }
}

/// Secret bytes (keys, a PLAIN message). `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub(crate) fn new(secret: Vec<u8>) -> Self {
        Self(secret)
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        wipe(std::mem::take(&mut self.0));
    }
}

/// Prepares a password with the PRECIS OpaqueString profile (RFC 8265 §4.2), the successor of
/// SASLprep that RFC 5802 and RFC 4616 ask for.
pub(crate) fn prepare_password(password: &Secret) -> Result<Secret, SaslError> {
    OpaqueString::enforce(password.expose())
        .map(|prepared| Secret::new(prepared.into_owned()))
        .map_err(|_| SaslError::PasswordPreparation)
}

/// Overwrites a buffer with zeros before freeing it. Best effort: copies made by reallocation
/// or by callers are out of reach, and without volatile writes the compiler may still elide
/// this (`black_box` makes that unlikely).
pub(crate) fn wipe(mut bytes: Vec<u8>) {
    bytes.fill(0);
    std::hint::black_box(&bytes);
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("pencil".into())), "<redacted>");
        assert_eq!(format!("{:?}", SecretBytes::new(vec![1, 2])), "<redacted>");
    }

    #[test]
    fn passwords_are_prepared() {
        let prepared = prepare_password(&Secret::new("pen\u{2003}cil".into())).unwrap();
        assert_eq!(prepared.expose(), "pen cil");
        let prepared = prepare_password(&Secret::new("A\u{30a}".into())).unwrap();
        assert_eq!(prepared.expose(), "\u{c5}");
        assert_eq!(
            prepare_password(&Secret::new(String::new())),
            Err(SaslError::PasswordPreparation)
        );
        assert_eq!(
            prepare_password(&Secret::new("a\u{7}b".into())),
            Err(SaslError::PasswordPreparation)
        );
    }

    #[test]
    fn compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
