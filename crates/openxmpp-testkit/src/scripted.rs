//! A scripted server on loopback for the hostile-server tests: it accepts one connection,
//! speaks TLS from the first byte with the certificate it is given (expired, self-signed, for
//! another host, from an untrusted CA…) or plain TCP, then plays a script of expectations and
//! replies. What the client sent, and how the TLS session ended, are kept for the test.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::{KitError, ServerCert};

/// One step of a [`ScriptedServer`]'s script.
#[derive(Debug, Clone)]
pub enum Step {
    /// Waits until the client has sent this text (after what earlier steps waited for).
    Expect(String),
    /// Sends this text.
    Send(String),
    /// Stays silent, reading what the client sends, for this long (or until it closes).
    Silence(Duration),
    /// Closes the connection without `</stream:stream>` (nor a TLS close_notify).
    Close,
}

/// What the scripted server saw.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// Everything the client sent, as (lossy) UTF-8 plaintext.
    pub received: String,
    /// Why the session ended early, if it did: the TLS error (the client's alert), an I/O
    /// error, or an expectation that was not met.
    pub error: Option<String>,
}

/// A one-connection server playing a script: it accepts one connection, speaks TLS with the
/// certificate it is given (or plain TCP), then plays the script and keeps what it saw.
pub struct ScriptedServer {
    addr: SocketAddr,
    thread: Option<JoinHandle<Transcript>>,
}

/// How long the server waits for the client at any step.
const PATIENCE: Duration = Duration::from_secs(20);

impl ScriptedServer {
    /// A server speaking TLS from the first byte (Direct TLS, XEP-0368) with `cert`.
    pub fn direct_tls(cert: &ServerCert, script: Vec<Step>) -> Result<Self, KitError> {
        let chain: Vec<CertificateDer<'static>> = cert
            .chain_der
            .iter()
            .map(|der| CertificateDer::from(der.clone()))
            .collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der.clone()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
            .map_err(|e| KitError::Peer(format!("scripted TLS server: {e}")))?;
        Self::start(Some(Arc::new(config)), script)
    }

    /// A server speaking plain TCP (for STARTTLS stripping and the like).
    pub fn plaintext(script: Vec<Step>) -> Result<Self, KitError> {
        Self::start(None, script)
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>, script: Vec<Step>) -> Result<Self, KitError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .map_err(KitError::io("binding the scripted server"))?;
        let addr = listener
            .local_addr()
            .map_err(KitError::io("reading the scripted server's port"))?;
        let thread = thread::spawn(move || {
            let mut transcript = Transcript::default();
            let stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) => {
                    transcript.error = Some(format!("accept: {e}"));
                    return transcript;
                }
            };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let _ = stream.set_nodelay(true);
            let result = match tls {
                Some(config) => match rustls::ServerConnection::new(config) {
                    Ok(conn) => play(
                        rustls::StreamOwned::new(conn, stream),
                        &script,
                        &mut transcript,
                    ),
                    Err(e) => Err(e.to_string()),
                },
                None => play(stream, &script, &mut transcript),
            };
            transcript.error = result.err();
            transcript
        });
        Ok(ScriptedServer {
            addr,
            thread: Some(thread),
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the script to end (or the client to leave) and returns what was seen.
    pub fn finish(mut self) -> Transcript {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(transcript)) => transcript,
            Some(Err(_)) => Transcript {
                error: Some("the scripted server panicked".to_owned()),
                ..Transcript::default()
            },
            None => Transcript::default(),
        }
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            // Wake an accept that never got its client.
            let _ = TcpStream::connect(self.addr);
        }
    }
}

/// A transport the script runs over: TCP, or TLS over TCP.
trait Transport: Read + Write {
    fn tcp(&self) -> &TcpStream;
}

impl Transport for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Transport for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

/// Reads what is available into `transcript`; `Ok(false)` when the client closed.
fn read_some(io: &mut impl Transport, transcript: &mut Transcript) -> Result<bool, String> {
    let mut buf = [0u8; 16 * 1024];
    match io.read(&mut buf) {
        Ok(0) => Ok(false),
        Ok(n) => {
            transcript
                .received
                .push_str(&String::from_utf8_lossy(&buf[..n]));
            Ok(true)
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Ok(true),
        Err(e) => Err(e.to_string()),
    }
}

fn play(
    mut io: impl Transport,
    script: &[Step],
    transcript: &mut Transcript,
) -> Result<(), String> {
    let mut seen = 0;
    for step in script {
        match step {
            Step::Expect(text) => {
                let deadline = std::time::Instant::now() + PATIENCE;
                loop {
                    if let Some(at) = transcript.received.get(seen..).and_then(|r| r.find(text)) {
                        seen += at + text.len();
                        break;
                    }
                    if !read_some(&mut io, transcript)? {
                        return Err(format!("the client closed before sending {text:?}"));
                    }
                    if std::time::Instant::now() > deadline {
                        return Err(format!("the client never sent {text:?}"));
                    }
                }
            }
            Step::Send(text) => {
                io.write_all(text.as_bytes())
                    .and_then(|()| io.flush())
                    .map_err(|e| e.to_string())?;
            }
            Step::Silence(duration) => {
                let until = std::time::Instant::now() + *duration;
                while std::time::Instant::now() < until {
                    if !read_some(&mut io, transcript)? {
                        return Ok(());
                    }
                }
            }
            Step::Close => {
                let _ = io.tcp().shutdown(Shutdown::Both);
                return Ok(());
            }
        }
    }
    // The script is over: read until the client leaves (bounded).
    let until = std::time::Instant::now() + PATIENCE;
    while std::time::Instant::now() < until {
        if !read_some(&mut io, transcript)? {
            break;
        }
    }
    Ok(())
}
