//! Configuring a client: account, server, TLS, SASL policy, timeouts.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use openxmpp_core::connection::{ConnectionConfig, TlsMode};
use openxmpp_core::jid::BareJid;
use openxmpp_core::sasl::{Mechanism, SaslConfig};
use openxmpp_core::stanza::Presence;
use openxmpp_im::roster::RosterStore;
use openxmpp_im::session::{Modules, SessionConfig};

use crate::session::SharedRosterStore;

use crate::{Client, Error, Events, ReconnectPolicy, tls_config};

/// How the client secures the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain TCP, then STARTTLS, which the server must offer. The default.
    #[default]
    StartTls,
    /// TLS from the first byte (XEP-0368).
    DirectTls,
    /// No encryption at all: passwords and messages cross the network readable by anyone.
    /// Only for a local test server. PLAIN is still refused unless explicitly allowed.
    PlaintextInsecureForLocalTestingOnly,
}

/// Builds a [`Client`].
///
/// ```no_run
/// # async fn run() -> Result<(), openxmpp::Error> {
/// let (client, mut events) = openxmpp::Client::builder("juliet@example.com", "secret")
///     .resource("balcony")
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) jid: String,
    password: String,
    pub(crate) resource: Option<String>,
    pub(crate) server: Option<(String, u16)>,
    pub(crate) security: Security,
    extra_ca_files: Vec<PathBuf>,
    tls_config: Option<Arc<rustls::ClientConfig>>,
    mechanisms: Option<Vec<Mechanism>>,
    allow_plain_without_tls: bool,
    allow_digest_md5: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) negotiation_timeout: Duration,
    pub(crate) iq_timeout: Duration,
    pub(crate) lang: Option<String>,
    pub(crate) reconnect: ReconnectPolicy,
    keepalive_interval: Option<Duration>,
    dead_timeout: Duration,
    stream_management: bool,
    pub(crate) resend_unacknowledged: bool,
    iq_namespaces: Vec<String>,
    pub(crate) session: SessionConfig,
    pub(crate) roster_store: Option<SharedRosterStore>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("jid", &self.jid)
            .field("password", &"<redacted>")
            .field("resource", &self.resource)
            .field("server", &self.server)
            .field("security", &self.security)
            .field("extra_ca_files", &self.extra_ca_files)
            .field("mechanisms", &self.mechanisms)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder for the account `jid` (a bare JID; a resource part is used as the requested
    /// resource) with `password`.
    pub fn new(jid: impl Into<String>, password: impl Into<String>) -> Self {
        ClientBuilder {
            jid: jid.into(),
            password: password.into(),
            resource: None,
            server: None,
            security: Security::StartTls,
            extra_ca_files: Vec::new(),
            tls_config: None,
            mechanisms: None,
            allow_plain_without_tls: false,
            allow_digest_md5: false,
            connect_timeout: Duration::from_secs(10),
            negotiation_timeout: Duration::from_secs(30),
            iq_timeout: Duration::from_secs(30),
            lang: None,
            reconnect: ReconnectPolicy::default(),
            keepalive_interval: Some(Duration::from_secs(60)),
            dead_timeout: Duration::from_secs(20),
            stream_management: true,
            resend_unacknowledged: true,
            iq_namespaces: Vec::new(),
            session: SessionConfig::default(),
            roster_store: None,
        }
    }

    /// Asks the server for this resource.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Connects to `host:port` instead of looking up the domain's SRV records.
    pub fn server(mut self, host: impl Into<String>, port: u16) -> Self {
        self.server = Some((host.into(), port));
        self
    }

    /// How to secure the stream (default: STARTTLS, required).
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Trusts the CA certificates in this PEM file, in addition to the platform's roots.
    pub fn add_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_ca_files.push(path.into());
        self
    }

    /// Uses this rustls configuration (its roots and verifier) instead of the platform's.
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// Only these SASL mechanisms may be used (the strongest one the server also offers wins).
    pub fn mechanisms(mut self, allowed: impl IntoIterator<Item = Mechanism>) -> Self {
        self.mechanisms = Some(allowed.into_iter().collect());
        self
    }

    /// Allows PLAIN on an unencrypted stream (only with
    /// [`Security::PlaintextInsecureForLocalTestingOnly`]).
    pub fn allow_plain_without_tls(mut self) -> Self {
        self.allow_plain_without_tls = true;
        self
    }

    /// Allows DIGEST-MD5, which RFC 6331 made obsolete; only for servers that offer nothing
    /// better. It is never chosen over SCRAM or PLAIN over TLS.
    pub fn allow_digest_md5(mut self) -> Self {
        self.allow_digest_md5 = true;
        self
    }

    /// How long one TCP connection attempt may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the stream negotiation (TLS, SASL, binding) may take.
    pub fn negotiation_timeout(mut self, timeout: Duration) -> Self {
        self.negotiation_timeout = timeout;
        self
    }

    /// How long [`Client::request`] waits for a response by default.
    pub fn iq_timeout(mut self, timeout: Duration) -> Self {
        self.iq_timeout = timeout;
        self
    }

    /// When and how to reconnect after the connection is lost (default: exponential backoff
    /// from 1 s to 60 s, forever).
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// Keepalive: ping the server after `interval` without input (`None`: never), and treat
    /// the connection as dead when nothing arrives within `dead_timeout` of that ping.
    pub fn keepalive(mut self, interval: Option<Duration>, dead_timeout: Duration) -> Self {
        self.keepalive_interval = interval;
        self.dead_timeout = dead_timeout;
        self
    }

    /// Whether to use stream management (XEP-0198) when the server offers it (default: yes):
    /// acknowledged delivery, and sessions resumed after a lost connection without losing or
    /// duplicating stanzas.
    pub fn stream_management(mut self, enabled: bool) -> Self {
        self.stream_management = enabled;
        self
    }

    /// Whether to send again, on the new session, the messages the server had not
    /// acknowledged when a session was lost and could not be resumed (default: yes). Only
    /// messages carrying an origin id (XEP-0359; every message sent through
    /// [`Client::chats`](crate::Client::chats) has one) are sent again: the server may have
    /// handled them before it went down, and a receiver recognises the second copy by that id
    /// (this client drops it). Other unacknowledged stanzas are reported in
    /// [`Event::StanzasMaybeLost`](crate::Event::StanzasMaybeLost), as are all of them when
    /// this is off.
    pub fn resend_unacknowledged(mut self, enabled: bool) -> Self {
        self.resend_unacknowledged = enabled;
        self
    }

    /// The application answers IQ requests (get/set) whose payload is in `namespace`: they
    /// arrive as [`Event::Stanza`](crate::Event::Stanza) and must be answered (with
    /// `Iq::result` or `Iq::error`). Requests in namespaces nobody handles are answered with
    /// `service-unavailable` by the client itself, as RFC 6120 requires.
    pub fn handle_iq(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.session.app_iq_namespaces.push(namespace.clone());
        self.iq_namespaces.push(namespace);
        self
    }

    /// Advertises `feature` in our service discovery (XEP-0030) and entity capabilities
    /// (XEP-0115), for something the application implements itself.
    pub fn feature(mut self, feature: impl Into<String>) -> Self {
        self.session.app_features.push(feature.into());
        self
    }

    /// The presence sent once the roster is loaded at login (default: available). `None`
    /// leaves it to the application: the session stays invisible to contacts until it sends
    /// one with [`PresenceHandle::send`](crate::PresenceHandle::send).
    pub fn initial_presence(mut self, presence: Option<Presence>) -> Self {
        self.session.initial_presence = presence;
        self
    }

    /// Which IM modules run (all by default); each one's disco features follow.
    pub fn modules(mut self, modules: Modules) -> Self {
        self.session.modules = modules;
        self
    }

    /// The whole IM session configuration (identity, caps node, time zone, modules…).
    pub fn session_config(mut self, config: SessionConfig) -> Self {
        let app_iq = std::mem::take(&mut self.session.app_iq_namespaces);
        self.session = config;
        self.session.app_iq_namespaces.extend(app_iq);
        self
    }

    /// Keeps the roster and its version in `store` between sessions (RFC 6121 §2.6), so a
    /// versioned server sends only what changed. Default: in memory, for this client.
    pub fn roster_store(mut self, store: impl RosterStore + Send + 'static) -> Self {
        self.roster_store = Some(SharedRosterStore::new(store));
        self
    }

    /// The user's language, sent as the stream's `xml:lang`.
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// Connects and negotiates the session; returns once online, with the event stream.
    pub async fn connect(self) -> Result<(Client, Events), Error> {
        crate::driver::connect(self).await
    }

    /// Connects from blocking code; see [`crate::blocking::Client`].
    pub fn connect_blocking(self) -> Result<crate::blocking::Client, Error> {
        crate::blocking::Client::connect(self)
    }

    /// The core's connection configuration.
    pub(crate) fn connection_config(&self) -> Result<ConnectionConfig, Error> {
        let (bare, resource) = match self.jid.split_once('/') {
            Some((bare, resource)) => (bare, Some(resource.to_owned())),
            None => (self.jid.as_str(), None),
        };
        let account: BareJid = bare.parse().map_err(|e| {
            Error::Config(format!("{:?} is not a valid account JID: {e}", self.jid))
        })?;
        if account.local().is_none() {
            return Err(Error::Config(format!(
                "{:?} has no username (localpart)",
                self.jid
            )));
        }
        let tls = self.tls_mode()?;
        let username = account.local().unwrap_or_default().to_owned();
        let mut sasl = SaslConfig::password(username, self.password.clone());
        if self.allow_plain_without_tls {
            sasl = sasl.allow_plain_without_tls();
        }
        if self.allow_digest_md5 {
            sasl = sasl.enable_digest_md5(account.domain());
        }
        let mut config = ConnectionConfig::with_sasl(account, sasl, tls);
        config.resource = self.resource.clone().or(resource);
        config.lang = self.lang.clone();
        config.negotiation_timeout = self.negotiation_timeout;
        config.iq_timeout = self.iq_timeout;
        config.allowed_mechanisms = self.mechanisms.clone();
        config.keepalive_interval = self.keepalive_interval;
        config.dead_timeout = self.dead_timeout;
        config.stream_management = self.stream_management;
        config.iq_namespaces = self.iq_namespaces.clone();
        Ok(config)
    }

    /// How the core secures the stream, from [`ClientBuilder::security`] and the roots.
    pub(crate) fn tls_mode(&self) -> Result<TlsMode, Error> {
        Ok(match self.security {
            Security::PlaintextInsecureForLocalTestingOnly => {
                tracing::warn!("connecting WITHOUT encryption, as configured");
                TlsMode::PlaintextInsecureForLocalTestingOnly
            }
            Security::StartTls => TlsMode::StartTls(self.rustls_config()?),
            Security::DirectTls => TlsMode::DirectTls(self.rustls_config()?),
        })
    }

    fn rustls_config(&self) -> Result<Arc<rustls::ClientConfig>, Error> {
        if let Some(config) = &self.tls_config {
            return Ok(config.clone());
        }
        let mut extra = Vec::new();
        for path in &self.extra_ca_files {
            extra.extend(tls_config::read_pem_certificates(path)?);
        }
        tls_config::platform_config(extra)
    }
}
