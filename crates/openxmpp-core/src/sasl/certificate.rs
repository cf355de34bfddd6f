//! `tls-server-end-point` channel binding data (RFC 5929 §4): the hash of the server
//! certificate, with the hash chosen from the certificate's signature algorithm.

use sha2::Digest as _;

/// The hash algorithm of a certificate's signature algorithm, which decides the
/// `tls-server-end-point` hash (RFC 5929 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateSignatureHash {
    /// MD5 (e.g. md5WithRSAEncryption): SHA-256 is used.
    Md5,
    /// SHA-1 (e.g. sha1WithRSAEncryption, ecdsa-with-SHA1): SHA-256 is used.
    Sha1,
    /// SHA-224: SHA-224 is used.
    Sha224,
    /// SHA-256 (e.g. sha256WithRSAEncryption, ecdsa-with-SHA256): SHA-256 is used.
    Sha256,
    /// SHA-384: SHA-384 is used.
    Sha384,
    /// SHA-512: SHA-512 is used.
    Sha512,
}

const SEQUENCE: u8 = 0x30;
const OBJECT_IDENTIFIER: u8 = 0x06;
const CONTEXT_0: u8 = 0xA0;

impl CertificateSignatureHash {
    /// Reads the hash of the signature algorithm from an X.509 certificate in DER (as a TLS
    /// library hands it out): RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA and DSA signatures are
    /// recognised. `None` for anything else, including Ed25519 and Ed448 certificates, which
    /// have no defined `tls-server-end-point` binding (use `tls-exporter`), and for malformed
    /// input. Only the outer structure is read: this is not certificate validation.
    ///
    /// ```
    /// use openxmpp_core::sasl::{tls_server_end_point, CertificateSignatureHash, ChannelBindings};
    /// # fn end_point(server_certificate_der: &[u8]) -> Option<ChannelBindings> {
    /// let hash = CertificateSignatureHash::from_certificate_der(server_certificate_der)?;
    /// let data = tls_server_end_point(server_certificate_der, hash);
    /// Some(ChannelBindings::new().with_tls_server_end_point(data))
    /// # }
    /// assert!(end_point(b"not a certificate").is_none());
    /// ```
    #[must_use]
    pub fn from_certificate_der(der: &[u8]) -> Option<Self> {
        // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
        let (SEQUENCE, certificate, _) = tlv(der)? else {
            return None;
        };
        let (SEQUENCE, _tbs_certificate, rest) = tlv(certificate)? else {
            return None;
        };
        // AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY }
        let (SEQUENCE, algorithm, _) = tlv(rest)? else {
            return None;
        };
        let (OBJECT_IDENTIFIER, oid, parameters) = tlv(algorithm)? else {
            return None;
        };
        match oid {
            // 1.2.840.113549.1.1.x: RSA PKCS#1.
            [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, last] => match last {
                0x04 => Some(Self::Md5),
                0x05 => Some(Self::Sha1),
                0x0A => pss_hash(parameters),
                0x0B => Some(Self::Sha256),
                0x0C => Some(Self::Sha384),
                0x0D => Some(Self::Sha512),
                0x0E => Some(Self::Sha224),
                _ => None,
            },
            // 1.2.840.10045.4.1: ecdsa-with-SHA1; 1.2.840.10040.4.3: dsa-with-sha1.
            [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01]
            | [0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x03] => Some(Self::Sha1),
            // 1.2.840.10045.4.3.x: ecdsa-with-SHA2; 2.16.840.1.101.3.4.3.x: dsa-with-SHA2.
            [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, last]
            | [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, last] => match last {
                0x01 => Some(Self::Sha224),
                0x02 => Some(Self::Sha256),
                0x03 => Some(Self::Sha384),
                0x04 => Some(Self::Sha512),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The hash of RSASSA-PSS parameters (RFC 4055 §3.1): `hashAlgorithm [0]`, SHA-1 by default.
fn pss_hash(parameters: &[u8]) -> Option<CertificateSignatureHash> {
    let (SEQUENCE, fields, _) = tlv(parameters)? else {
        return None;
    };
    let Some((CONTEXT_0, hash_algorithm, _)) = tlv(fields) else {
        return Some(CertificateSignatureHash::Sha1);
    };
    let (SEQUENCE, algorithm, _) = tlv(hash_algorithm)? else {
        return None;
    };
    let (OBJECT_IDENTIFIER, oid, _) = tlv(algorithm)? else {
        return None;
    };
    match oid {
        [0x2B, 0x0E, 0x03, 0x02, 0x1A] => Some(CertificateSignatureHash::Sha1),
        // 2.16.840.1.101.3.4.2.x
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last] => match last {
            0x01 => Some(CertificateSignatureHash::Sha256),
            0x02 => Some(CertificateSignatureHash::Sha384),
            0x03 => Some(CertificateSignatureHash::Sha512),
            0x04 => Some(CertificateSignatureHash::Sha224),
            _ => None,
        },
        _ => None,
    }
}

/// One DER element: its tag, its contents and what follows it. Single-byte tags and definite
/// lengths of up to four bytes, which is all DER certificates use.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        let length = bytes.iter().try_fold(0usize, |acc, b| {
            acc.checked_mul(256)?.checked_add(usize::from(*b))
        })?;
        (length, rest)
    };
    let (contents, rest) = rest.split_at_checked(length)?;
    Some((tag, contents, rest))
}

/// Computes the `tls-server-end-point` channel binding data (RFC 5929 §4.1): the hash of the
/// server certificate's DER encoding, with SHA-256 when the certificate's signature uses MD5,
/// SHA-1 or SHA-256, and otherwise with the signature's own hash. The hash choice comes from
/// [`CertificateSignatureHash::from_certificate_der`] or from the caller's own X.509 parser.
///
/// ```
/// use openxmpp_core::sasl::{tls_server_end_point, CertificateSignatureHash};
/// let der = b"not really a certificate";
/// assert_eq!(tls_server_end_point(der, CertificateSignatureHash::Sha1).len(), 32);
/// assert_eq!(tls_server_end_point(der, CertificateSignatureHash::Sha384).len(), 48);
/// ```
#[must_use]
pub fn tls_server_end_point(
    certificate_der: &[u8],
    signature_hash: CertificateSignatureHash,
) -> Vec<u8> {
    match signature_hash {
        CertificateSignatureHash::Md5
        | CertificateSignatureHash::Sha1
        | CertificateSignatureHash::Sha256 => sha2::Sha256::digest(certificate_der).to_vec(),
        CertificateSignatureHash::Sha224 => sha2::Sha224::digest(certificate_der).to_vec(),
        CertificateSignatureHash::Sha384 => sha2::Sha384::digest(certificate_der).to_vec(),
        CertificateSignatureHash::Sha512 => sha2::Sha512::digest(certificate_der).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;

    use super::*;

    // Self-signed throwaway certificates made with OpenSSL 3.0 (`openssl req -x509 …`); the
    // expected hashes are `openssl dgst -sha256/-sha384/-sha512` of the same DER.
    const ECDSA_SHA384: &str = "MIIBbjCCAROgAwIBAgIUXP21C+Ey4/X+VFS/8fUDeVrNtLEwCgYIKoZIzj0EAwMwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNzIxMTdaFw0yNjExMjcxNzIxMTdaMAwxCjAIBgNVBAMMAWEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARKPHQ6myjtBT+wpFetSZsgqr4TYbP8VY6F4s6T+hcmmE05JKloiQ6HvHzrvia4WmfRifrfjMCxKy0AI2OGkcK4o1MwUTAdBgNVHQ4EFgQUjx2RK1j9034HzUI/azE5V/Q8mSowHwYDVR0jBBgwFoAUjx2RK1j9034HzUI/azE5V/Q8mSowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAwNJADBGAiEA+mD3xKXmlzbMXpgM4VzkYSAvYf6D35SyS9x1CkZGILICIQDH2FrTMWY/4zgT1o8wf2oq81KJClR/PB77tUffPnSOQw==";
    const ECDSA_SHA384_END_POINT: &str = "84f5452d335f52315a7263d7cfe75220289bd0c0aa42f1bf7ca3275ea676c4af13b0cf58861708be30366ffd4c9e3b2e";
    const RSA_SHA1: &str = "MIIB9DCCAV2gAwIBAgIUeV394Rns6JdzsAbgl0suUfQh3qowDQYJKoZIhvcNAQEFBQAwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNzIxMTdaFw0yNjExMjcxNzIxMTdaMAwxCjAIBgNVBAMMAWEwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAN1fpAoeRu0cDhEPmLTxV/7qD2WBb4PFUczL5VqLW77GtGgEyLyBWyRk074jf8XOffLNTcgeM9vjNMgd8x/aIEDzzRYN7cIplmXYyZJdT//VlOMs+kmHoPRX8cRerwvqgUrDKmw57s4uTii4Xauam5qwEHMyKuJSB16fIcgLN9olAgMBAAGjUzBRMB0GA1UdDgQWBBS0iR3j8fO+5Z3OoV4z3LqZ80p9ATAfBgNVHSMEGDAWgBS0iR3j8fO+5Z3OoV4z3LqZ80p9ATAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBBQUAA4GBANdkw3R2SWECMEibvx0la81fJLVITvjxuxrh+hVCSPJPiSGpWgQLnw07LDTqlspyjw0sPc8U9vyAThHv5UuB8ObQvBUr44e5sE8A0mWgr2uPEDA3CVMjqQaYHAH86JjpaDZS2v+pDF7e7DfeLy615pqsBFN2stlRnY/q0oneWEs3";
    const RSA_SHA1_END_POINT: &str =
        "8befdce2a5cc373ec67d971685a3dc4ccc3cee50d3b8367e0b2ea7ec5efb748e";
    const RSA_PSS_SHA512: &str = "MIICWjCCAY+gAwIBAgIUWnTjhKJUwZdNg3HcxLNHwiwkW0gwQQYJKoZIhvcNAQEKMDSgDzANBglghkgBZQMEAgMFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgMFAKIDAgE+MAwxCjAIBgNVBAMMAWEwHhcNMjYxMTI2MTcyMTE3WhcNMjYxMTI3MTcyMTE3WjAMMQowCAYDVQQDDAFhMIGdMAsGCSqGSIb3DQEBCgOBjQAwgYkCgYEAymIldoa8XjZa1IFdjonlOaflqqrcoO6CKIOeYvRBMbQsVlduO+AieWcwXyKnaptUHDbUrEZ93F12mBE8b8oawMYgIBOqNpKLZ1yHHdq8amB2QVScqPGIbrBD7eJhUCk30MTyeTC6gX/RP4j3m28Iukz0K+oEb1LxqdkBgMhmVl8CAwEAAaNTMFEwHQYDVR0OBBYEFHf4EKIZYlr5Use3HQKy74A4izVgMB8GA1UdIwQYMBaAFHf4EKIZYlr5Use3HQKy74A4izVgMA8GA1UdEwEB/wQFMAMBAf8wQQYJKoZIhvcNAQEKMDSgDzANBglghkgBZQMEAgMFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgMFAKIDAgE+A4GBAD11GtjWXq85OPlteQJwMPa5Su+IKcFmYuoGnhtQfIS2AETxnOwPWVUSK8Tr3r+1qtMPbS0COeIPDfvahiyfXrvzpHBvMI31hXIIUZvZpAlhQOkpIuhdGC7Hj5N9kUKtUYPQP7FO/Pknanw/naNELMBKH/JzZ7Jo24PMJhG/MQXz";
    const RSA_PSS_SHA512_END_POINT: &str = "5f76b52e9ace386db5ed7f3f71b3f4545b932ce41b773e7602a14db809901b39b930bb74486ea34f0902f3caa8d1770f50973b7c0e51e311485cdcc78b0700a5";
    const ED25519: &str = "MIIBLDCB36ADAgECAhQCDhW9Zgr/Cc6r9l6NwjS0UQnK/DAFBgMrZXAwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNzIxMTdaFw0yNjExMjcxNzIxMTdaMAwxCjAIBgNVBAMMAWEwKjAFBgMrZXADIQAugUURb5O1fKoofYO9215xVahjcXWkIvxlVO07CTqwoaNTMFEwHQYDVR0OBBYEFKALsn5Kpg+cws4dvALwuVcVWdkUMB8GA1UdIwQYMBaAFKALsn5Kpg+cws4dvALwuVcVWdkUMA8GA1UdEwEB/wQFMAMBAf8wBQYDK2VwA0EACBU3sj4x0gUBBejpuoezyXBrf/gEvYbuEc++pPvquQwOjNEPANoYHMz4M8L7iEMi0lmkc9WdKnffrP20q9u5AQ==";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn end_point(certificate: &str) -> Option<(CertificateSignatureHash, String)> {
        let der = STANDARD.decode(certificate).unwrap();
        let hash = CertificateSignatureHash::from_certificate_der(&der)?;
        Some((hash, hex(&tls_server_end_point(&der, hash))))
    }

    #[test]
    fn real_certificates() {
        assert_eq!(
            end_point(ECDSA_SHA384),
            Some((
                CertificateSignatureHash::Sha384,
                ECDSA_SHA384_END_POINT.into()
            ))
        );
        assert_eq!(
            end_point(RSA_SHA1),
            Some((CertificateSignatureHash::Sha1, RSA_SHA1_END_POINT.into()))
        );
        assert_eq!(
            end_point(RSA_PSS_SHA512),
            Some((
                CertificateSignatureHash::Sha512,
                RSA_PSS_SHA512_END_POINT.into()
            ))
        );
        assert_eq!(end_point(ED25519), None);
    }

    #[test]
    fn end_point_hash_choice() {
        let der = b"certificate";
        let sha256 = sha2::Sha256::digest(der).to_vec();
        assert_eq!(
            tls_server_end_point(der, CertificateSignatureHash::Md5),
            sha256
        );
        assert_eq!(
            tls_server_end_point(der, CertificateSignatureHash::Sha1),
            sha256
        );
        assert_eq!(
            tls_server_end_point(der, CertificateSignatureHash::Sha256),
            sha256
        );
        assert_eq!(
            tls_server_end_point(der, CertificateSignatureHash::Sha224),
            sha2::Sha224::digest(der).to_vec()
        );
        assert_eq!(
            tls_server_end_point(der, CertificateSignatureHash::Sha512),
            sha2::Sha512::digest(der).to_vec()
        );
    }

    /// A minimal certificate shell with this signature AlgorithmIdentifier.
    fn shell(algorithm: &[u8]) -> Vec<u8> {
        let mut inner = vec![0x30, 0x00]; // empty tbsCertificate
        inner.extend_from_slice(algorithm);
        inner.extend_from_slice(&[0x03, 0x01, 0x00]); // empty signature BIT STRING
        let mut der = vec![0x30, u8::try_from(inner.len()).unwrap()];
        der.extend_from_slice(&inner);
        der
    }

    #[test]
    fn algorithm_table() {
        let rsa = |last: u8| {
            shell(&[
                0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, last,
            ])
        };
        let ecdsa2 = |last: u8| {
            shell(&[
                0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, last,
            ])
        };
        let dsa2 = |last: u8| {
            shell(&[
                0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, last,
            ])
        };
        let parse = |der: Vec<u8>| CertificateSignatureHash::from_certificate_der(&der);
        use CertificateSignatureHash::*;
        assert_eq!(parse(rsa(0x04)), Some(Md5));
        assert_eq!(parse(rsa(0x05)), Some(Sha1));
        assert_eq!(parse(rsa(0x0B)), Some(Sha256));
        assert_eq!(parse(rsa(0x0C)), Some(Sha384));
        assert_eq!(parse(rsa(0x0D)), Some(Sha512));
        assert_eq!(parse(rsa(0x0E)), Some(Sha224));
        assert_eq!(parse(rsa(0x01)), None);
        assert_eq!(
            parse(shell(&[
                0x30, 0x09, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01
            ])),
            Some(Sha1)
        );
        assert_eq!(
            parse(shell(&[
                0x30, 0x09, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x03
            ])),
            Some(Sha1)
        );
        assert_eq!(parse(ecdsa2(0x01)), Some(Sha224));
        assert_eq!(parse(ecdsa2(0x02)), Some(Sha256));
        assert_eq!(parse(ecdsa2(0x04)), Some(Sha512));
        assert_eq!(parse(ecdsa2(0x05)), None);
        assert_eq!(parse(dsa2(0x02)), Some(Sha256));
        // RSASSA-PSS with empty parameters: SHA-1 by default.
        assert_eq!(
            parse(shell(&[
                0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A, 0x30,
                0x00
            ])),
            Some(Sha1)
        );
        // Long-form lengths are read.
        let mut long = vec![0x30, 0x81, 0x12];
        long.extend_from_slice(&rsa(0x0B)[2..]);
        assert_eq!(parse(long), Some(Sha256));
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x30],
            &[0x31, 0x00],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x80],
        ] {
            assert_eq!(
                CertificateSignatureHash::from_certificate_der(bad),
                None,
                "{bad:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_der_never_panics(der in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = CertificateSignatureHash::from_certificate_der(&der);
        }
    }
}
