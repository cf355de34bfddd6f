//! How a connection is set up.

use std::sync::Arc;
use std::time::Duration;

use crate::jid::{BareJid, FullJid, Jid};
use crate::sasl::SaslConfig;
use crate::xml::ParserLimits;

/// How the stream is secured.
#[derive(Clone)]
pub enum TlsMode {
    /// Plain TCP first, then STARTTLS, which the server must offer (RFC 6120 §5). The default.
    StartTls(Arc<rustls::ClientConfig>),
    /// TLS from the first byte (XEP-0368).
    DirectTls(Arc<rustls::ClientConfig>),
    /// No TLS at all. Only for local testing: passwords cross the network readable by anyone.
    /// PLAIN is still refused unless the SASL config explicitly allows it without TLS.
    PlaintextInsecureForLocalTestingOnly,
}

impl std::fmt::Debug for TlsMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsMode::StartTls(_) => "StartTls",
            TlsMode::DirectTls(_) => "DirectTls",
            TlsMode::PlaintextInsecureForLocalTestingOnly => "PlaintextInsecureForLocalTestingOnly",
        })
    }
}

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    /// Authenticate and bind a resource: an ordinary session. The default.
    #[default]
    Login,
    /// In-band registration (XEP-0077): secure the stream as usual, then stop before
    /// authenticating, in [`State::Registering`](super::State::Registering), where IQ
    /// requests to the server may be sent until [`Connection::close`](super::Connection::close).
    Register,
}

/// Everything a [`Connection`](super::Connection) needs to negotiate a session.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The account: its domain is the stream's `to`, its localpart the SASL username.
    pub account: BareJid,
    /// SASL credentials and mechanism policy.
    pub sasl: SaslConfig,
    /// How the stream is secured.
    pub tls: TlsMode,
    /// The resource to ask for; `None` lets the server choose.
    pub resource: Option<String>,
    /// The stream's `xml:lang` (the user's language), if any.
    pub lang: Option<String>,
    /// Limits on what the server may send.
    pub parser_limits: ParserLimits,
    /// How long stream negotiation (from transport up to online) may take.
    pub negotiation_timeout: Duration,
    /// How long an IQ request waits for its response by default.
    pub iq_timeout: Duration,
    /// How long to wait for the server's `</stream:stream>` after sending ours.
    pub close_timeout: Duration,
    /// The prefix of generated stanza ids. Random by default; fixed in transcript tests.
    pub id_prefix: Option<String>,
    /// A fixed SCRAM client nonce, for transcript tests only. Never set this in production:
    /// the nonce must be fresh and unpredictable.
    pub fixed_sasl_nonce: Option<String>,
    /// When set, only these SASL mechanisms may be used.
    pub allowed_mechanisms: Option<Vec<crate::sasl::Mechanism>>,
    /// Keepalive: after this long without receiving anything, ping the server (XEP-0199).
    /// `None` disables it.
    pub keepalive_interval: Option<Duration>,
    /// How long after a keepalive ping the connection is declared dead if nothing at all has
    /// arrived. A dead connection is detected within `keepalive_interval + dead_timeout`.
    pub dead_timeout: Duration,
    /// Use stream management (XEP-0198) with resumption when the server offers it.
    pub stream_management: bool,
    /// The payload namespaces of IQ requests (get/set) the application answers; they come as
    /// [`Event::Stanza`](super::Event::Stanza). Any other request is answered by the
    /// connection with `service-unavailable` (RFC 6120 §8.4), as every request must be.
    pub iq_namespaces: Vec<String>,
    /// What the connection is for: a session (the default) or in-band registration.
    pub purpose: Purpose,
}

impl ConnectionConfig {
    /// A configuration for `account` with a password, STARTTLS required and verified against
    /// `tls_config`'s roots, and default limits and timeouts.
    pub fn new(
        account: BareJid,
        password: impl Into<String>,
        tls_config: Arc<rustls::ClientConfig>,
    ) -> Self {
        let username = account.local().unwrap_or_default().to_owned();
        let sasl = SaslConfig::password(username, password);
        Self::with_sasl(account, sasl, TlsMode::StartTls(tls_config))
    }

    /// A configuration with the given SASL settings and TLS mode, and default limits and
    /// timeouts.
    pub fn with_sasl(account: BareJid, sasl: SaslConfig, tls: TlsMode) -> Self {
        ConnectionConfig {
            sasl,
            account,
            tls,
            resource: None,
            lang: None,
            parser_limits: ParserLimits::default(),
            negotiation_timeout: Duration::from_secs(30),
            iq_timeout: Duration::from_secs(30),
            close_timeout: Duration::from_secs(5),
            id_prefix: None,
            fixed_sasl_nonce: None,
            allowed_mechanisms: None,
            keepalive_interval: Some(Duration::from_secs(60)),
            dead_timeout: Duration::from_secs(20),
            stream_management: true,
            iq_namespaces: Vec::new(),
            purpose: Purpose::Login,
        }
    }

    /// A configuration for in-band registration (XEP-0077) with the server `server` (the
    /// stream's `to`), secured with `tls` like a session, with default limits and timeouts.
    /// The connection never authenticates: it reports [`Event::ReadyToRegister`] once the
    /// stream is secured. A plaintext stream is only possible with
    /// [`TlsMode::PlaintextInsecureForLocalTestingOnly`].
    ///
    /// [`Event::ReadyToRegister`]: super::Event::ReadyToRegister
    pub fn registration(server: BareJid, tls: TlsMode) -> Self {
        // No credentials: SASL never runs for this purpose.
        let mut config = Self::with_sasl(server, SaslConfig::anonymous(), tls);
        config.purpose = Purpose::Register;
        config.keepalive_interval = None;
        config.stream_management = false;
        config
    }

    /// Asks for a resource.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Uses Direct TLS instead of STARTTLS.
    pub fn with_direct_tls(mut self) -> Self {
        if let TlsMode::StartTls(config) = &self.tls {
            self.tls = TlsMode::DirectTls(config.clone());
        }
        self
    }

    /// The domain to connect to and to expect on the server's certificate.
    pub fn domain(&self) -> &str {
        self.account.domain()
    }

    /// Whether `jid` is this account or one of its resources, or its server.
    pub(crate) fn is_own_or_server(&self, jid: Option<&Jid>, bound: Option<&FullJid>) -> bool {
        match jid {
            None => true,
            Some(jid) => {
                jid.as_str() == self.account.as_str()
                    || jid.as_str() == self.account.domain()
                    || bound.is_some_and(|b| b.as_str() == jid.as_str())
            }
        }
    }
}
