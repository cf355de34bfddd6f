//! A throw-away certificate authority and server certificates signed by it.
//!
//! rustls refuses a self-signed leaf used directly as a trust anchor, so the kit makes a CA, gives
//! the server a leaf signed by it, and lets the client trust the CA.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

use crate::KitError;

/// A private CA, valid for the life of a test run.
pub struct TestCa {
    cert_pem: String,
    cert_der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its private key, in PEM.
#[derive(Clone)]
pub struct ServerCert {
    /// The leaf certificate followed by the CA certificate.
    pub chain_pem: String,
    /// The leaf's private key (PKCS#8).
    pub key_pem: String,
}

/// A validity window every TLS stack accepts: rcgen's default ends in the year 4096, which
/// Erlang's certificate code (ejabberd) cannot represent, and UTCTime stops at 2049.
fn set_validity(params: &mut CertificateParams) {
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2049, 12, 31);
}

impl TestCa {
    /// Generates a new CA key pair and self-signed CA certificate.
    pub fn generate() -> Result<Self, KitError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "openXMPP test kit CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        set_validity(&mut params);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate in PEM, for the client's trust store.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate in DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Issues a server certificate for the given names (DNS names or IP addresses).
    pub fn issue_server_cert(&self, names: &[&str]) -> Result<ServerCert, KitError> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone())?;
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        set_validity(&mut params);
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ServerCert {
            chain_pem: format!("{}{}", cert.pem(), self.cert_pem),
            key_pem: key.serialize_pem(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_a_chain_ending_in_the_ca() {
        let ca = TestCa::generate().unwrap();
        let leaf = ca.issue_server_cert(&["localhost", "127.0.0.1"]).unwrap();
        assert_eq!(leaf.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(leaf.chain_pem.ends_with(ca.cert_pem()));
        assert!(leaf.key_pem.contains("PRIVATE KEY"));
        assert!(!ca.cert_der().is_empty());
    }
}
