//! ANONYMOUS (RFC 4505): an optional trace (1 to 255 characters) as the initial response.

use super::error::SaslError;

/// The longest trace RFC 4505 §3 allows, in characters.
const MAX_TRACE_CHARS: usize = 255;

/// The ANONYMOUS initial response: the trace, or empty.
pub(crate) fn anonymous_message(trace: Option<&str>) -> Result<Vec<u8>, SaslError> {
    match trace {
        None => Ok(Vec::new()),
        Some("") => Err(SaslError::InvalidParameter {
            what: "ANONYMOUS trace",
            reason: "empty (leave it out instead)",
        }),
        Some(t) if t.chars().count() > MAX_TRACE_CHARS => Err(SaslError::InvalidParameter {
            what: "ANONYMOUS trace",
            reason: "longer than 255 characters",
        }),
        Some(t) if t.contains('\0') => Err(SaslError::InvalidParameter {
            what: "ANONYMOUS trace",
            reason: "contains a NUL character",
        }),
        Some(t) => Ok(t.as_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_or_empty() {
        assert_eq!(anonymous_message(None).unwrap(), b"");
        // RFC 4505 §4 example trace.
        assert_eq!(anonymous_message(Some("sirhc")).unwrap(), b"sirhc");
        let longest = "é".repeat(255);
        assert_eq!(
            anonymous_message(Some(&longest)).unwrap(),
            longest.as_bytes()
        );
        assert!(anonymous_message(Some(&"a".repeat(256))).is_err());
        assert!(anonymous_message(Some("")).is_err());
        assert!(anonymous_message(Some("a\0")).is_err());
    }
}
