//! Test kit for openXMPP: private real servers and an independent peer client.
//!
//! - [`TestServer`] starts a private **Prosody** or **ejabberd** from Debian's packages, in a
//!   fresh temp dir with its own config, data, and a throw-away CA and server certificate,
//!   listening on free loopback ports (STARTTLS and Direct TLS). It creates accounts on demand
//!   and is stopped by its own PID when dropped — or, through a watchdog, when the test process
//!   ends in any way. A server that is not installed is an error saying how to install it.
//! - [`SlixPeer`] runs slixmpp (PyPI, pinned) as a second, independent client.
//! - [`CutProxy`] sits between a client and a server and cuts (or stalls) the connections on
//!   demand.
//! - [`ScriptedServer`] plays a hostile server on loopback: TLS with a chosen certificate
//!   (expired, self-signed, for another host, from an untrusted CA), then a script.
//!
//! ```no_run
//! use openxmpp_testkit::{ServerKind, TestServer};
//!
//! let server = TestServer::start(ServerKind::Prosody)?;
//! let alice = server.new_account("alice")?;
//! println!("{} can log in at {} trusting {}", alice.jid, server.starttls_addr(),
//!          server.ca_cert_path().display());
//! # Ok::<(), openxmpp_testkit::KitError>(())
//! ```
#![deny(missing_docs)]

mod certs;
mod ejabberd;
mod error;
pub mod install;
mod peer;
mod ports;
mod process;
mod prosody;
mod proxy;
mod scripted;
mod server;

pub use certs::{ServerCert, TestCa};
pub use error::KitError;
pub use peer::{PeerTls, SLIXMPP_VERSION, SlixPeer, ensure_venv};
pub use proxy::CutProxy;
pub use scripted::{ScriptedServer, Step, Transcript};
pub use server::{Account, Frozen, PasswordHash, ServerKind, ServerOptions, TestServer, shared};
