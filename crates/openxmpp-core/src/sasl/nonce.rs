//! Client nonces: generated from the operating system's randomness, or injected for tests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::SaslError;

/// Random bytes in a generated nonce (RFC 5802 asks for enough entropy; 24 bytes is 192 bits,
/// encoded as 32 printable characters).
const NONCE_BYTES: usize = 24;

/// A fresh nonce: [`NONCE_BYTES`] random bytes, base64-encoded (printable, no comma).
pub(crate) fn random_nonce() -> Result<String, SaslError> {
    let mut bytes = [0u8; NONCE_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| SaslError::RandomUnavailable)?;
    Ok(STANDARD.encode(bytes))
}

/// Checks an injected nonce: non-empty printable ASCII without a comma (RFC 5802 `printable`),
/// and without the double quote and backslash that DIGEST-MD5's quoted strings would need to
/// escape.
pub(crate) fn validate_nonce(nonce: &str) -> Result<(), SaslError> {
    if nonce.is_empty() {
        return Err(SaslError::InvalidParameter {
            what: "client nonce",
            reason: "empty",
        });
    }
    if !nonce
        .bytes()
        .all(|b| (0x21..=0x7E).contains(&b) && b != b',' && b != b'"' && b != b'\\')
    {
        return Err(SaslError::InvalidParameter {
            what: "client nonce",
            reason: "only printable ASCII without ',', '\"' and '\\' is allowed",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_nonces_are_valid_and_differ() {
        let a = random_nonce().unwrap();
        let b = random_nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        validate_nonce(&a).unwrap();
    }

    #[test]
    fn injected_nonces_are_checked() {
        validate_nonce("fyko+d2lbbFgONRv9qkxdawL").unwrap();
        for bad in ["", "a,b", "a b", "é", "a\"b", "a\\b", "a\u{7f}"] {
            assert!(validate_nonce(bad).is_err(), "{bad:?}");
        }
    }
}
