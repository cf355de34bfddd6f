//! Client-side SASL mechanisms (RFC 4422 and the mechanism RFCs), sans-IO.
//!
//! No XML and no base64 of the stream here: the caller decodes `<challenge/>` and `<success/>`
//! contents and encodes what [`SaslSession`] returns into `<auth/>` and `<response/>`.
//!
//! Mechanisms: SCRAM-SHA-1, SCRAM-SHA-256 and SCRAM-SHA-512 and their -PLUS variants
//! (RFC 5802, RFC 7677; channel binding `tls-exporter` RFC 9266, `tls-server-end-point`
//! RFC 5929, `tls-unique`), PLAIN (RFC 4616), DIGEST-MD5 (RFC 2831, historic: only when
//! enabled), EXTERNAL (RFC 4422 appendix A) and ANONYMOUS (RFC 4505).
//!
//! The flow:
//! 1. describe what the server offered ([`ServerOffer`]), the stream ([`TlsState`], with the
//!    [`ChannelBindings`] of the TLS connection) and the client ([`SaslConfig`]);
//! 2. [`select_mechanism`] picks the strongest acceptable mechanism;
//! 3. a [`SaslSession`] runs it: [`initial_response`](SaslSession::initial_response), then
//!    [`step`](SaslSession::step) per challenge, then [`finish`](SaslSession::finish) on
//!    success (which verifies the server's proof);
//! 4. on `<failure/>`, [`FailureCondition::from_name`] and [`SaslFailure`] describe why.
//!
//! Not here: SASL security layers (DIGEST-MD5 `auth-int`/`auth-conf`), XEP-0388 (SASL2),
//! XEP-0474 (SCRAM downgrade protection), XEP-0484 (FAST). Usernames are taken as given (the
//! JID localpart, already prepared); passwords are prepared with PRECIS OpaqueString. Secrets
//! are wiped on drop on a best-effort basis only.
//!
//! ```
//! use openxmpp_core::sasl::{select_mechanism, ChannelBindings, SaslConfig, SaslSession, ServerOffer, TlsState};
//!
//! let offer = ServerOffer::new(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN"]);
//! // Keying material exported from the TLS connection (label "EXPORTER-Channel-Binding").
//! let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter([42; 32]));
//! let config = SaslConfig::password("juliet", "r0m30");
//! let mechanism = select_mechanism(&offer, &tls, &config)?;
//! let mut session = SaslSession::new(mechanism, &offer, &tls, &config)?;
//! let first = session.initial_response()?.unwrap_or_default();
//! assert!(first.starts_with(b"p=tls-exporter,,n=juliet,r="));
//! # Ok::<(), openxmpp_core::sasl::SaslError>(())
//! ```

mod anonymous;
mod certificate;
mod channel_binding;
mod config;
mod digest_md5;
mod error;
mod external;
mod failure;
mod mechanism;
mod nonce;
mod plain;
mod scram;
mod scram_keys;
mod secret;
mod select;
mod session;
#[cfg(test)]
mod tests;

pub use certificate::{CertificateSignatureHash, tls_server_end_point};
pub use channel_binding::{
    ChannelBindingType, ChannelBindings, Gs2CbindFlag, TLS_EXPORTER_LABEL, TLS_EXPORTER_LENGTH,
};
pub use config::{DEFAULT_MAX_ITERATIONS, MIN_ITERATIONS, SaslConfig};
pub use error::SaslError;
pub use failure::{FailureCondition, SaslFailure};
pub use mechanism::{Mechanism, ScramHash};
pub use scram_keys::ScramKeys;
pub use select::{ServerOffer, TlsState, gs2_cbind_flag, select_mechanism};
pub use session::SaslSession;
