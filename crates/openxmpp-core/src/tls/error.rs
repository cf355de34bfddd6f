//! TLS failures, said in terms of what went wrong for the user.

/// Why a TLS session could not be set up or went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The domain cannot be used as a TLS server name.
    #[error("{name:?} is not a valid TLS server name")]
    InvalidServerName {
        /// The name that was refused.
        name: String,
    },
    /// The server's certificate does not chain to a trusted root (or its signature is bad).
    #[error("the certificate of {host} is not trusted: {reason}")]
    UntrustedCertificate {
        /// The server we connected to.
        host: String,
        /// What the verifier said.
        reason: String,
    },
    /// The certificate is valid, but for other names.
    #[error("the certificate of {host} is for another host ({presented})")]
    WrongHost {
        /// The server we connected to.
        host: String,
        /// The names the certificate is valid for, if known.
        presented: String,
    },
    /// The certificate has expired or is not valid yet.
    #[error("the certificate of {host} is {reason}")]
    CertificateNotValidNow {
        /// The server we connected to.
        host: String,
        /// `expired` or `not valid yet`.
        reason: &'static str,
    },
    /// Any other TLS failure: alerts, no common protocol version or cipher suite, bad records.
    #[error("TLS with {host} failed: {source}")]
    Protocol {
        /// The server we connected to.
        host: String,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
    /// Data arrived after the server closed the TLS session, or the session was used after
    /// failing.
    #[error("TLS with {host} is closed")]
    Closed {
        /// The server we connected to.
        host: String,
    },
}

impl TlsError {
    /// Turns a rustls error into the variant that says what went wrong.
    pub(crate) fn from_rustls(host: &str, error: rustls::Error) -> Self {
        use rustls::CertificateError as C;
        let host = host.to_owned();
        match error {
            rustls::Error::InvalidCertificate(cert) => match cert {
                C::NotValidForName => TlsError::WrongHost {
                    host,
                    presented: "names not given".to_owned(),
                },
                C::NotValidForNameContext { presented, .. } => TlsError::WrongHost {
                    host,
                    presented: presented.join(", "),
                },
                C::Expired | C::ExpiredContext { .. } => TlsError::CertificateNotValidNow {
                    host,
                    reason: "expired",
                },
                C::NotValidYet | C::NotValidYetContext { .. } => TlsError::CertificateNotValidNow {
                    host,
                    reason: "not valid yet",
                },
                C::UnknownIssuer => TlsError::UntrustedCertificate {
                    host,
                    reason: "issued by an unknown certificate authority".to_owned(),
                },
                C::BadSignature => TlsError::UntrustedCertificate {
                    host,
                    reason: "its signature is invalid".to_owned(),
                },
                C::Revoked => TlsError::UntrustedCertificate {
                    host,
                    reason: "it has been revoked".to_owned(),
                },
                other => TlsError::UntrustedCertificate {
                    host,
                    reason: format!("{other:?}"),
                },
            },
            other => TlsError::Protocol {
                host,
                source: other,
            },
        }
    }
}
