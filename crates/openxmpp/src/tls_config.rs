//! Building the rustls configuration: the platform's roots (with optional extra CAs), or the
//! caller's own configuration. Certificate and host name verification are always on.
//!
//! Loading the platform's roots costs milliseconds and about 100 KiB (the parsed trust anchors
//! and the TLS session cache), so clients with the same extra roots share one configuration
//! while any of them is alive: a process with a thousand sessions holds one copy, and
//! reconnecting or logging in again does not reload the roots.

use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

use rustls::ClientConfig;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::Error;

/// The crypto provider the client uses (ring).
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads every certificate in a PEM file.
pub(crate) fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            Error::Config(format!(
                "cannot read certificates from {}: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "no certificate in {}",
            path.display()
        )));
    }
    Ok(certs)
}

/// Configurations in use, by their extra roots; dropped with their last client.
type Shared = Vec<(Vec<CertificateDer<'static>>, Weak<ClientConfig>)>;

static SHARED: Mutex<Shared> = Mutex::new(Vec::new());

/// The platform's trust roots plus `extra_roots`: the configuration another client with the
/// same extra roots already uses, or a new one.
pub(crate) fn platform_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<Arc<ClientConfig>, Error> {
    let mut shared = match SHARED.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    shared.retain(|(_, config)| config.strong_count() > 0);
    if let Some(config) = shared
        .iter()
        .find(|(roots, _)| *roots == extra_roots)
        .and_then(|(_, config)| config.upgrade())
    {
        return Ok(config);
    }
    let config = new_platform_config(extra_roots.clone())?;
    shared.push((extra_roots, Arc::downgrade(&config)));
    Ok(config)
}

fn new_platform_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<Arc<ClientConfig>, Error> {
    let provider = provider();
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())
            .map_err(|e| {
                Error::Config(format!("cannot load the platform's certificate roots: {e}"))
            })?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(e.to_string()))?
        .dangerous() // only to plug in the platform verifier, which verifies fully
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_with_the_same_roots_share_a_configuration() {
        let Ok(a) = platform_config(Vec::new()) else {
            return; // no platform roots on this machine: nothing to share
        };
        let b = platform_config(Vec::new()).expect("loaded once already");
        assert!(Arc::ptr_eq(&a, &b));
        let extra = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        if let Ok(c) = platform_config(vec![extra]) {
            assert!(!Arc::ptr_eq(&a, &c), "other roots, other configuration");
        }
        drop((a, b));
        assert!(
            platform_config(Vec::new()).is_ok(),
            "loads again once unused"
        );
    }
}
