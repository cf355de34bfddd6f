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

/// A server certificate and its private key, in PEM and DER.
#[derive(Clone)]
pub struct ServerCert {
    /// The leaf certificate followed by the CA certificate.
    pub chain_pem: String,
    /// The leaf's private key (PKCS#8).
    pub key_pem: String,
    /// The same chain in DER, leaf first.
    pub chain_der: Vec<Vec<u8>>,
    /// The same key in DER (PKCS#8).
    pub key_der: Vec<u8>,
}

impl ServerCert {
    /// A self-signed leaf certificate for `names` (no CA: nothing can trust it but itself),
    /// for the hostile-server tests.
    pub fn self_signed(names: &[&str]) -> Result<Self, KitError> {
        let mut params = leaf_params(names)?;
        set_validity(&mut params);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(ServerCert {
            chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            chain_der: vec![cert.der().to_vec()],
            key_der: key.serialize_der(),
        })
    }
}

/// The parameters of a TLS server certificate for `names`.
fn leaf_params(names: &[&str]) -> Result<CertificateParams, KitError> {
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
    Ok(params)
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
        let mut params = leaf_params(names)?;
        set_validity(&mut params);
        self.sign(params)
    }

    /// Issues a server certificate for the given names that expired long ago (valid during
    /// 2000 only), for the hostile-server tests.
    pub fn issue_expired_server_cert(&self, names: &[&str]) -> Result<ServerCert, KitError> {
        let mut params = leaf_params(names)?;
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2000, 12, 31);
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Result<ServerCert, KitError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ServerCert {
            chain_pem: format!("{}{}", cert.pem(), self.cert_pem),
            key_pem: key.serialize_pem(),
            chain_der: vec![cert.der().to_vec(), self.cert_der.clone()],
            key_der: key.serialize_der(),
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
