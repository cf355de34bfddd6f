//! EXTERNAL (RFC 4422 appendix A): the TLS client certificate authenticates; the initial
//! response is the authzid, or empty (sent as `=`) to let the server derive it.

use super::error::SaslError;

/// The EXTERNAL initial response.
pub(crate) fn external_message(authzid: Option<&str>) -> Result<Vec<u8>, SaslError> {
    match authzid {
        Some(a) if a.contains('\0') => Err(SaslError::InvalidParameter {
            what: "authzid",
            reason: "contains a NUL character",
        }),
        Some(a) => Ok(a.as_bytes().to_vec()),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authzid_or_empty() {
        assert_eq!(external_message(None).unwrap(), b"");
        assert_eq!(
            external_message(Some("juliet@capulet.lit")).unwrap(),
            b"juliet@capulet.lit"
        );
        assert!(external_message(Some("a\0")).is_err());
    }
}
