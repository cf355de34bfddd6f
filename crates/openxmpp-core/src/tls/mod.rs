//! TLS inside the sans-IO core: a rustls client session driven over byte buffers.
//!
//! The same layer serves STARTTLS (inserted after `<proceed/>`) and Direct TLS (from the first
//! byte, XEP-0368). Certificate and host name verification are whatever the caller's
//! [`rustls::ClientConfig`] does — with the platform's or a given CA's roots they are on, and this
//! layer offers no way to turn them off.
//!
//! Call order: [`TlsLayer::receive`] with every chunk read from the transport (decrypted data is
//! appended to the caller's buffer), [`TlsLayer::send`] with application data, and after either,
//! [`TlsLayer::drain_outgoing`] to collect the bytes to write to the transport (handshake
//! messages, alerts and encrypted data).
//!
//! ```
//! use std::sync::Arc;
//! use openxmpp_core::tls::TlsLayer;
//!
//! let provider = Arc::new(rustls::crypto::ring::default_provider());
//! let config = rustls::ClientConfig::builder_with_provider(provider)
//!     .with_safe_default_protocol_versions()?
//!     .with_root_certificates(rustls::RootCertStore::empty())
//!     .with_no_client_auth();
//! let mut tls = TlsLayer::new(Arc::new(config), "example.com")?;
//! let mut to_server = Vec::new();
//! tls.drain_outgoing(&mut to_server);
//! assert!(!to_server.is_empty(), "the ClientHello is ready to be written");
//! assert!(tls.is_handshaking());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;

use std::io::Read;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

pub use error::TlsError;

/// The exporter label for `tls-exporter` channel binding (RFC 9266).
const EXPORTER_LABEL: &[u8] = b"EXPORTER-Channel-Binding";

/// What was negotiated, for logs and for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// The protocol version, e.g. `TLSv1_3`.
    pub version: String,
    /// The cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
}

/// A client TLS session over buffers.
pub struct TlsLayer {
    conn: ClientConnection,
    host: String,
    failed: bool,
    peer_closed: bool,
}

impl std::fmt::Debug for TlsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsLayer")
            .field("host", &self.host)
            .field("handshaking", &self.conn.is_handshaking())
            .field("failed", &self.failed)
            .field("peer_closed", &self.peer_closed)
            .finish()
    }
}

impl TlsLayer {
    /// Starts a session with the server `host` (the XMPP domain, or the host name the caller
    /// expects on the certificate). The ClientHello is ready in [`TlsLayer::drain_outgoing`].
    pub fn new(config: Arc<ClientConfig>, host: &str) -> Result<Self, TlsError> {
        let name =
            ServerName::try_from(host.to_owned()).map_err(|_| TlsError::InvalidServerName {
                name: host.to_owned(),
            })?;
        let mut conn =
            ClientConnection::new(config, name).map_err(|e| TlsError::from_rustls(host, e))?;
        // Outgoing data is bounded by the caller's send queue, not by a second limit here.
        conn.set_buffer_limit(None);
        Ok(Self {
            conn,
            host: host.to_owned(),
            failed: false,
            peer_closed: false,
        })
    }

    /// Feeds bytes received from the transport; decrypted application data is appended to
    /// `plaintext`. After an error the session is dead; [`TlsLayer::drain_outgoing`] may still
    /// hold an alert to send.
    pub fn receive(&mut self, mut input: &[u8], plaintext: &mut Vec<u8>) -> Result<(), TlsError> {
        if self.failed {
            return Err(TlsError::Closed {
                host: self.host.clone(),
            });
        }
        while !input.is_empty() {
            if self.peer_closed {
                // Nothing may follow close_notify; the data is dropped, not decrypted.
                return Err(TlsError::Closed {
                    host: self.host.clone(),
                });
            }
            let read = self.conn.read_tls(&mut input);
            if !matches!(read, Ok(n) if n > 0) {
                // Only possible when rustls' plaintext buffer is full, which draining below
                // after every record prevents; treat it as a broken session rather than loop.
                self.failed = true;
                return Err(TlsError::Closed {
                    host: self.host.clone(),
                });
            }
            let state = match self.conn.process_new_packets() {
                Ok(state) => state,
                Err(e) => {
                    self.failed = true;
                    return Err(TlsError::from_rustls(&self.host, e));
                }
            };
            let len = state.plaintext_bytes_to_read();
            if len > 0 {
                let start = plaintext.len();
                plaintext.resize(start + len, 0);
                if self
                    .conn
                    .reader()
                    .read_exact(&mut plaintext[start..])
                    .is_err()
                {
                    plaintext.truncate(start);
                    self.failed = true;
                    return Err(TlsError::Closed {
                        host: self.host.clone(),
                    });
                }
            }
            if state.peer_has_closed() {
                self.peer_closed = true;
            }
        }
        Ok(())
    }

    /// Queues application data to be encrypted (sent once the handshake is done).
    pub fn send(&mut self, data: &[u8]) -> Result<(), TlsError> {
        if self.failed || self.peer_closed {
            return Err(TlsError::Closed {
                host: self.host.clone(),
            });
        }
        let mut rest = data;
        while !rest.is_empty() {
            match std::io::Write::write(&mut self.conn.writer(), rest) {
                Ok(0) | Err(_) => {
                    self.failed = true;
                    return Err(TlsError::Closed {
                        host: self.host.clone(),
                    });
                }
                Ok(n) => rest = &rest[n..],
            }
        }
        Ok(())
    }

    /// Appends every byte waiting to go to the transport to `out`.
    pub fn drain_outgoing(&mut self, out: &mut Vec<u8>) {
        while self.conn.wants_write() {
            match self.conn.write_tls(out) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    /// Sends close_notify (collect it with [`TlsLayer::drain_outgoing`]).
    pub fn close(&mut self) {
        self.conn.send_close_notify();
    }

    /// Whether the handshake is still going on.
    pub fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// Whether the server sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// The host the certificate was checked against.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The negotiated version and cipher suite, once the handshake is done.
    pub fn info(&self) -> Option<TlsInfo> {
        if self.conn.is_handshaking() {
            return None;
        }
        Some(TlsInfo {
            version: format!("{:?}", self.conn.protocol_version()?),
            cipher_suite: format!("{:?}", self.conn.negotiated_cipher_suite()?.suite()),
        })
    }

    /// `tls-exporter` channel binding data (RFC 9266): 32 bytes of keying material exported
    /// with the label `EXPORTER-Channel-Binding` and an empty context. Only for TLS 1.3 — for
    /// TLS 1.2 the binding is only safe with the extended master secret, which rustls does not
    /// report, so this returns `None` there.
    pub fn tls_exporter(&self) -> Option<[u8; 32]> {
        if self.conn.is_handshaking()
            || self.conn.protocol_version() != Some(rustls::ProtocolVersion::TLSv1_3)
        {
            return None;
        }
        self.conn
            .export_keying_material([0u8; 32], EXPORTER_LABEL, Some(&[]))
            .ok()
    }

    /// The server's end-entity certificate (DER), once verified by the handshake; the input of
    /// `tls-server-end-point` channel binding (RFC 5929).
    pub fn end_entity_certificate(&self) -> Option<&[u8]> {
        if self.conn.is_handshaking() {
            return None;
        }
        self.conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|cert| cert.as_ref())
    }
}

#[cfg(test)]
mod tests;
