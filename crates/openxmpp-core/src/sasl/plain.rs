//! PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, in one initial response.

use super::error::SaslError;
use super::secret::{Secret, SecretBytes, prepare_password};

/// The PLAIN message. The password is prepared with PRECIS OpaqueString; no field may contain
/// NUL, and the username must not be empty.
pub(crate) fn plain_message(
    username: &str,
    password: &Secret,
    authzid: Option<&str>,
) -> Result<SecretBytes, SaslError> {
    if username.is_empty() {
        return Err(SaslError::InvalidParameter {
            what: "username",
            reason: "empty",
        });
    }
    let password = prepare_password(password)?;
    let has_nul = |s: &str| s.contains('\0');
    if has_nul(username) || authzid.is_some_and(has_nul) || has_nul(password.expose()) {
        return Err(SaslError::InvalidParameter {
            what: "PLAIN credentials",
            reason: "contain a NUL character",
        });
    }
    let authzid = authzid.unwrap_or_default();
    let mut message =
        Vec::with_capacity(authzid.len() + username.len() + password.expose().len() + 2);
    message.extend_from_slice(authzid.as_bytes());
    message.push(0);
    message.extend_from_slice(username.as_bytes());
    message.push(0);
    message.extend_from_slice(password.expose().as_bytes());
    Ok(SecretBytes::new(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::new(s.into())
    }

    #[test]
    fn rfc4616_examples() {
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq".
        assert_eq!(
            plain_message("tim", &secret("tanstaaftanstaaf"), None)
                .unwrap()
                .expose(),
            b"\0tim\0tanstaaftanstaaf"
        );
        assert_eq!(
            plain_message("Kurt", &secret("xipj3plmq"), Some("Ursel"))
                .unwrap()
                .expose(),
            b"Ursel\0Kurt\0xipj3plmq"
        );
    }

    #[test]
    fn password_is_prepared() {
        assert_eq!(
            plain_message("u", &secret("a\u{a0}b"), None)
                .unwrap()
                .expose(),
            b"\0u\0a b"
        );
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            plain_message("", &secret("p"), None),
            Err(SaslError::InvalidParameter {
                what: "username",
                ..
            })
        ));
        assert!(matches!(
            plain_message("a\0b", &secret("p"), None),
            Err(SaslError::InvalidParameter { .. })
        ));
        assert!(matches!(
            plain_message("u", &secret("p"), Some("x\0")),
            Err(SaslError::InvalidParameter { .. })
        ));
        assert_eq!(
            plain_message("u", &secret(""), None),
            Err(SaslError::PasswordPreparation)
        );
    }
}
