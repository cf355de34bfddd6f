//! Mechanism selection: what the server offered, the TLS state, and the client's policy.

use super::channel_binding::{ChannelBindingType, ChannelBindings, Gs2Binding, Gs2CbindFlag};
use super::config::SaslConfig;
use super::error::SaslError;
use super::mechanism::Mechanism;

/// What the server advertised in `<mechanisms/>`, and, when it supports XEP-0440, the channel
/// binding types of `<sasl-channel-binding/>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerOffer {
    mechanisms: Vec<String>,
    channel_binding_types: Option<Vec<ChannelBindingType>>,
}

impl ServerOffer {
    /// The mechanism names as advertised (unknown names are kept, and ignored by selection).
    pub fn new<I, S>(mechanisms: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            mechanisms: mechanisms.into_iter().map(Into::into).collect(),
            channel_binding_types: None,
        }
    }

    /// The channel binding types the server advertised (XEP-0440). Without this call, any type
    /// the client has is assumed acceptable to the server.
    #[must_use]
    pub fn with_channel_binding_types(
        mut self,
        types: impl IntoIterator<Item = ChannelBindingType>,
    ) -> Self {
        self.channel_binding_types = Some(types.into_iter().collect());
        self
    }

    /// The advertised mechanism names.
    #[must_use]
    pub fn mechanisms(&self) -> &[String] {
        &self.mechanisms
    }

    /// The advertised channel binding types, if the server uses XEP-0440.
    #[must_use]
    pub fn channel_binding_types(&self) -> Option<&[ChannelBindingType]> {
        self.channel_binding_types.as_deref()
    }

    /// Whether `mechanism` was advertised.
    #[must_use]
    pub fn offers(&self, mechanism: Mechanism) -> bool {
        self.mechanisms.iter().any(|m| m == mechanism.name())
    }

    /// Whether any -PLUS mechanism was advertised (including ones unknown to this library): the
    /// server supports channel binding.
    #[must_use]
    pub fn offers_plus(&self) -> bool {
        self.mechanisms.iter().any(|m| m.ends_with("-PLUS"))
    }

    fn accepts_binding(&self, kind: ChannelBindingType) -> bool {
        self.channel_binding_types
            .as_ref()
            .is_none_or(|types| types.contains(&kind))
    }
}

/// Whether the stream is encrypted, and the channel binding data of its TLS connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsState {
    /// No TLS: passwords would travel in the clear, no channel binding.
    Plaintext,
    /// TLS (STARTTLS or Direct TLS) is established.
    Encrypted {
        /// The channel binding data the caller extracted from the TLS connection.
        channel_bindings: ChannelBindings,
    },
}

impl TlsState {
    /// An encrypted stream with this channel binding data.
    #[must_use]
    pub fn encrypted(channel_bindings: ChannelBindings) -> Self {
        Self::Encrypted { channel_bindings }
    }

    /// Whether the stream is encrypted.
    #[must_use]
    pub fn is_encrypted(&self) -> bool {
        matches!(self, Self::Encrypted { .. })
    }

    fn channel_bindings(&self) -> Option<&ChannelBindings> {
        match self {
            Self::Plaintext => None,
            Self::Encrypted { channel_bindings } => Some(channel_bindings),
        }
    }
}

/// Picks the strongest mechanism that the server offered and the configuration allows on this
/// stream.
///
/// Order (a mechanism is skipped when not offered or not allowed):
/// EXTERNAL (only with a client certificate) > SCRAM-SHA-512-PLUS > SCRAM-SHA-256-PLUS >
/// SCRAM-SHA-1-PLUS (each needs a channel binding type that the client has and the server
/// accepts; tls-exporter, then tls-server-end-point, then tls-unique) > SCRAM-SHA-512 >
/// SCRAM-SHA-256 > SCRAM-SHA-1 > PLAIN (only over TLS unless allowed in the clear, and unless
/// disabled) > DIGEST-MD5 (only when enabled) > ANONYMOUS (only with
/// [`SaslConfig::anonymous`]).
///
/// ```
/// use openxmpp_core::sasl::{select_mechanism, ChannelBindings, Mechanism, SaslConfig, ServerOffer, TlsState};
/// let offer = ServerOffer::new(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]);
/// let config = SaslConfig::password("juliet", "r0m30");
/// let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter([0; 32]));
/// assert_eq!(select_mechanism(&offer, &tls, &config)?, Mechanism::ScramSha256Plus);
/// let no_cb = TlsState::encrypted(ChannelBindings::new());
/// assert_eq!(select_mechanism(&offer, &no_cb, &config)?, Mechanism::ScramSha256);
/// # Ok::<(), openxmpp_core::sasl::SaslError>(())
/// ```
///
/// # Errors
/// [`SaslError::PlainWithoutTls`] when PLAIN is the only offered mechanism the client could
/// use but the stream is not encrypted; [`SaslError::NoAcceptableMechanism`] otherwise, with
/// the list of offered mechanisms.
pub fn select_mechanism(
    offer: &ServerOffer,
    tls: &TlsState,
    config: &SaslConfig,
) -> Result<Mechanism, SaslError> {
    if let Some(found) = Mechanism::PREFERENCE
        .into_iter()
        .find(|m| check(*m, offer, tls, config).is_ok())
    {
        return Ok(found);
    }
    match check(Mechanism::Plain, offer, tls, config) {
        Err(e @ SaslError::PlainWithoutTls { .. }) => Err(e),
        _ => Err(SaslError::NoAcceptableMechanism {
            offered: offer.mechanisms.clone(),
        }),
    }
}

/// The GS2 flag for a SCRAM mechanism without channel binding (RFC 5802 §6):
/// `n` ([`Gs2CbindFlag::ClientUnsupported`]) when the client cannot or will not bind to this
/// stream, or when the server advertised a -PLUS mechanism (the server supports channel
/// binding, so the client is not using it by choice: e.g. no common channel binding type);
/// `y` ([`Gs2CbindFlag::ServerUnsupported`]) when the client could bind but the server
/// advertised no -PLUS mechanism, so that a server which does support channel binding detects
/// that the advertisement was stripped.
///
/// ```
/// use openxmpp_core::sasl::{gs2_cbind_flag, ChannelBindings, Gs2CbindFlag, SaslConfig, ServerOffer, TlsState};
/// let config = SaslConfig::password("juliet", "r0m30");
/// let tls = TlsState::encrypted(ChannelBindings::new().with_tls_exporter([0; 32]));
/// let stripped = ServerOffer::new(["SCRAM-SHA-1"]);
/// assert_eq!(gs2_cbind_flag(&stripped, &tls, &config), Gs2CbindFlag::ServerUnsupported);
/// assert_eq!(gs2_cbind_flag(&stripped, &TlsState::Plaintext, &config), Gs2CbindFlag::ClientUnsupported);
/// ```
#[must_use]
pub fn gs2_cbind_flag(offer: &ServerOffer, tls: &TlsState, config: &SaslConfig) -> Gs2CbindFlag {
    let client_can_bind =
        config.channel_binding() && tls.channel_bindings().is_some_and(|cb| !cb.is_empty());
    if client_can_bind && !offer.offers_plus() {
        Gs2CbindFlag::ServerUnsupported
    } else {
        Gs2CbindFlag::ClientUnsupported
    }
}

/// The channel binding a -PLUS mechanism would use: the first type in preference order that
/// the client has and the server accepts.
fn channel_binding_choice(offer: &ServerOffer, tls: &TlsState) -> Option<Gs2Binding> {
    let bindings = tls.channel_bindings()?;
    bindings
        .available()
        .find(|kind| offer.accepts_binding(*kind))
        .and_then(|kind| {
            bindings.get(kind).map(|data| Gs2Binding {
                flag: Gs2CbindFlag::Bound(kind),
                data: data.to_vec(),
            })
        })
}

/// Whether `mechanism` may be used, and with which GS2 flag: the single rule shared by
/// [`select_mechanism`] and [`SaslSession::new`](super::SaslSession::new).
pub(crate) fn check(
    mechanism: Mechanism,
    offer: &ServerOffer,
    tls: &TlsState,
    config: &SaslConfig,
) -> Result<Gs2Binding, SaslError> {
    if !offer.offers(mechanism) {
        return Err(SaslError::NotOffered {
            mechanism,
            offered: offer.mechanisms.clone(),
        });
    }
    let unbound = Gs2Binding::unbound(Gs2CbindFlag::ClientUnsupported);
    match mechanism {
        Mechanism::ScramSha512Plus
        | Mechanism::ScramSha256Plus
        | Mechanism::ScramSha1Plus
        | Mechanism::ScramSha512
        | Mechanism::ScramSha256
        | Mechanism::ScramSha1 => {
            // Without a password, only cached keys of the same hash can answer.
            let keys_fit = config
                .scram_keys()
                .is_some_and(|keys| Some(keys.hash()) == mechanism.scram_hash());
            if config.username().is_none() || !(config.has_password() || keys_fit) {
                return Err(SaslError::MissingCredentials {
                    mechanism,
                    missing: "a username and a password",
                });
            }
            if !mechanism.is_plus() {
                return Ok(Gs2Binding::unbound(gs2_cbind_flag(offer, tls, config)));
            }
            if !config.channel_binding() {
                return Err(SaslError::MechanismDisabled { mechanism });
            }
            channel_binding_choice(offer, tls)
                .ok_or(SaslError::ChannelBindingUnavailable { mechanism })
        }
        Mechanism::Plain => {
            if !config.plain_allowed() {
                return Err(SaslError::MechanismDisabled { mechanism });
            }
            if config.username().is_none() || !config.has_password() {
                return Err(SaslError::MissingCredentials {
                    mechanism,
                    missing: "a username and a password",
                });
            }
            if !tls.is_encrypted() && !config.plain_without_tls() {
                return Err(SaslError::PlainWithoutTls {
                    offered: offer.mechanisms.clone(),
                });
            }
            Ok(unbound)
        }
        Mechanism::DigestMd5 => {
            if config.digest_md5_domain().is_none() {
                return Err(SaslError::MechanismDisabled { mechanism });
            }
            if config.username().is_none() || !config.has_password() {
                return Err(SaslError::MissingCredentials {
                    mechanism,
                    missing: "a username and a password",
                });
            }
            Ok(unbound)
        }
        Mechanism::External => {
            if !config.client_certificate() {
                return Err(SaslError::MissingCredentials {
                    mechanism,
                    missing: "a client certificate",
                });
            }
            Ok(unbound)
        }
        Mechanism::Anonymous => {
            if !config.is_anonymous() {
                return Err(SaslError::MechanismDisabled { mechanism });
            }
            Ok(unbound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mechanism::*;

    const ALL_NAMES: [&str; 10] = [
        "SCRAM-SHA-512-PLUS",
        "SCRAM-SHA-256-PLUS",
        "SCRAM-SHA-1-PLUS",
        "SCRAM-SHA-512",
        "SCRAM-SHA-256",
        "SCRAM-SHA-1",
        "PLAIN",
        "DIGEST-MD5",
        "EXTERNAL",
        "ANONYMOUS",
    ];

    fn exporter() -> TlsState {
        TlsState::encrypted(ChannelBindings::new().with_tls_exporter([1; 32]))
    }

    fn end_point() -> TlsState {
        TlsState::encrypted(ChannelBindings::new().with_tls_server_end_point(vec![2; 32]))
    }

    fn no_cb() -> TlsState {
        TlsState::encrypted(ChannelBindings::new())
    }

    fn pw() -> SaslConfig {
        SaslConfig::password("user", "pencil")
    }

    fn pick(offered: &[&str], tls: &TlsState, config: &SaslConfig) -> Result<Mechanism, SaslError> {
        select_mechanism(&ServerOffer::new(offered.iter().copied()), tls, config)
    }

    #[test]
    fn selection_table() {
        let cases: Vec<(&[&str], TlsState, SaslConfig, Mechanism)> = vec![
            (&ALL_NAMES, exporter(), pw(), ScramSha512Plus),
            (&ALL_NAMES, no_cb(), pw(), ScramSha512),
            (&ALL_NAMES, TlsState::Plaintext, pw(), ScramSha512),
            (
                &ALL_NAMES,
                exporter(),
                pw().disable_channel_binding(),
                ScramSha512,
            ),
            (
                &ALL_NAMES,
                exporter(),
                pw().with_client_certificate(),
                External,
            ),
            (&ALL_NAMES, exporter(), SaslConfig::external(), External),
            (&ALL_NAMES, exporter(), SaslConfig::anonymous(), Anonymous),
            (
                &["SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512"],
                end_point(),
                pw(),
                ScramSha256Plus,
            ),
            (
                &["SCRAM-SHA-1-PLUS", "SCRAM-SHA-512"],
                exporter(),
                pw(),
                ScramSha1Plus,
            ),
            (
                &["SCRAM-SHA-1-PLUS", "SCRAM-SHA-512"],
                no_cb(),
                pw(),
                ScramSha512,
            ),
            (
                &["SCRAM-SHA-1", "SCRAM-SHA-256"],
                exporter(),
                pw(),
                ScramSha256,
            ),
            (&["PLAIN", "SCRAM-SHA-1"], exporter(), pw(), ScramSha1),
            (&["PLAIN", "DIGEST-MD5"], exporter(), pw(), Plain),
            (
                &["PLAIN", "DIGEST-MD5"],
                TlsState::Plaintext,
                pw().allow_plain_without_tls(),
                Plain,
            ),
            (
                &["PLAIN", "DIGEST-MD5"],
                exporter(),
                pw().disable_plain().enable_digest_md5("example.com"),
                DigestMd5,
            ),
            (
                &["PLAIN", "DIGEST-MD5"],
                TlsState::Plaintext,
                pw().enable_digest_md5("example.com"),
                DigestMd5,
            ),
            (
                &["PLAIN", "DIGEST-MD5"],
                exporter(),
                pw().enable_digest_md5("example.com"),
                Plain,
            ),
            (
                &["X-OAUTH2", "EXTERNAL", "SCRAM-SHA-1"],
                no_cb(),
                pw(),
                ScramSha1,
            ),
        ];
        for (i, (offered, tls, config, expected)) in cases.iter().enumerate() {
            assert_eq!(
                pick(offered, tls, config),
                Ok(*expected),
                "case {i}: {offered:?}"
            );
        }
    }

    #[test]
    fn scram_needs_a_username_even_with_cached_keys() {
        let keys = crate::sasl::ScramKeys::from_parts(
            crate::sasl::ScramHash::Sha1,
            vec![1],
            4096,
            vec![0; 20],
            vec![0; 20],
        )
        .unwrap();
        let keys_only = SaslConfig::external().with_scram_keys(keys);
        assert!(matches!(
            pick(&["SCRAM-SHA-1"], &no_cb(), &keys_only),
            Err(SaslError::NoAcceptableMechanism { .. })
        ));
        assert_eq!(
            pick(&["SCRAM-SHA-1", "EXTERNAL"], &no_cb(), &keys_only),
            Ok(External)
        );
    }

    #[test]
    fn keys_without_password_select_only_their_hash() {
        let keys = crate::sasl::ScramKeys::from_parts(
            crate::sasl::ScramHash::Sha256,
            vec![1],
            4096,
            vec![0; 32],
            vec![0; 32],
        )
        .unwrap();
        let config = SaslConfig::from_scram_keys("user", keys);
        let offered = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"];
        assert_eq!(pick(&offered, &no_cb(), &config), Ok(ScramSha256));
        assert!(matches!(
            pick(
                &["SCRAM-SHA-512", "SCRAM-SHA-1", "PLAIN"],
                &no_cb(),
                &config
            ),
            Err(SaslError::NoAcceptableMechanism { .. })
        ));
        // With the password too, the strongest hash wins again.
        let both = SaslConfig::password("user", "pw")
            .with_scram_keys(config.scram_keys().unwrap().clone());
        assert_eq!(pick(&offered, &no_cb(), &both), Ok(ScramSha512));
    }

    #[test]
    fn plus_follows_xep_0440_types() {
        let both = TlsState::encrypted(
            ChannelBindings::new()
                .with_tls_exporter([1; 32])
                .with_tls_server_end_point(vec![2; 32]),
        );
        let offer = ServerOffer::new(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"])
            .with_channel_binding_types([ChannelBindingType::TlsServerEndPoint]);
        let binding = check(ScramSha256Plus, &offer, &both, &pw()).unwrap();
        assert_eq!(
            binding.flag,
            Gs2CbindFlag::Bound(ChannelBindingType::TlsServerEndPoint)
        );
        assert_eq!(binding.data, vec![2; 32]);

        let unique_only = offer
            .clone()
            .with_channel_binding_types([ChannelBindingType::TlsUnique]);
        assert_eq!(
            select_mechanism(&unique_only, &both, &pw()),
            Ok(ScramSha256)
        );
        // The server supports channel binding (it offers -PLUS): `n`, not `y`.
        assert_eq!(
            gs2_cbind_flag(&unique_only, &both, &pw()),
            Gs2CbindFlag::ClientUnsupported
        );

        let with_unique = TlsState::encrypted(ChannelBindings::new().with_tls_unique(vec![3; 12]));
        assert_eq!(
            select_mechanism(&unique_only, &with_unique, &pw()),
            Ok(ScramSha256Plus)
        );
        // Without XEP-0440, tls-exporter is preferred.
        let binding = check(
            ScramSha256Plus,
            &ServerOffer::new(["SCRAM-SHA-256-PLUS"]),
            &both,
            &pw(),
        )
        .unwrap();
        assert_eq!(
            binding.flag,
            Gs2CbindFlag::Bound(ChannelBindingType::TlsExporter)
        );
    }

    #[test]
    fn gs2_flag_table() {
        let config = pw();
        let plain_offer = ServerOffer::new(["SCRAM-SHA-1", "SCRAM-SHA-256"]);
        let plus_offer = ServerOffer::new(["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"]);
        let unknown_plus = ServerOffer::new(["SCRAM-SHA-1", "SCRAM-SHA3-512-PLUS"]);
        assert_eq!(
            gs2_cbind_flag(&plain_offer, &exporter(), &config),
            Gs2CbindFlag::ServerUnsupported
        );
        assert_eq!(
            gs2_cbind_flag(&plain_offer, &no_cb(), &config),
            Gs2CbindFlag::ClientUnsupported
        );
        assert_eq!(
            gs2_cbind_flag(&plain_offer, &TlsState::Plaintext, &config),
            Gs2CbindFlag::ClientUnsupported
        );
        assert_eq!(
            gs2_cbind_flag(
                &plain_offer,
                &exporter(),
                &config.clone().disable_channel_binding()
            ),
            Gs2CbindFlag::ClientUnsupported
        );
        assert_eq!(
            gs2_cbind_flag(&plus_offer, &exporter(), &config),
            Gs2CbindFlag::ClientUnsupported
        );
        assert_eq!(
            gs2_cbind_flag(&unknown_plus, &exporter(), &config),
            Gs2CbindFlag::ClientUnsupported
        );
        // And the session's check uses the same flag for non-PLUS SCRAM.
        let binding = check(ScramSha1, &plain_offer, &exporter(), &config).unwrap();
        assert_eq!(binding.flag, Gs2CbindFlag::ServerUnsupported);
        assert!(binding.data.is_empty());
    }

    #[test]
    fn refusals() {
        let offered = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            pick(&["PLAIN"], &TlsState::Plaintext, &pw()),
            Err(SaslError::PlainWithoutTls {
                offered: offered(&["PLAIN"])
            })
        );
        assert_eq!(
            pick(&["PLAIN", "X-FOO"], &exporter(), &pw().disable_plain()),
            Err(SaslError::NoAcceptableMechanism {
                offered: offered(&["PLAIN", "X-FOO"])
            })
        );
        assert_eq!(
            pick(&[], &exporter(), &pw()),
            Err(SaslError::NoAcceptableMechanism { offered: vec![] })
        );
        assert_eq!(
            pick(&["DIGEST-MD5", "ANONYMOUS", "EXTERNAL"], &exporter(), &pw()),
            Err(SaslError::NoAcceptableMechanism {
                offered: offered(&["DIGEST-MD5", "ANONYMOUS", "EXTERNAL"])
            })
        );
        assert_eq!(
            pick(
                &["SCRAM-SHA-1", "PLAIN"],
                &exporter(),
                &SaslConfig::anonymous()
            ),
            Err(SaslError::NoAcceptableMechanism {
                offered: offered(&["SCRAM-SHA-1", "PLAIN"])
            })
        );
        let offer = ServerOffer::new(["SCRAM-SHA-1-PLUS"]);
        assert_eq!(
            check(ScramSha1Plus, &offer, &no_cb(), &pw()),
            Err(SaslError::ChannelBindingUnavailable {
                mechanism: ScramSha1Plus
            })
        );
        assert_eq!(
            check(
                ScramSha1Plus,
                &offer,
                &exporter(),
                &pw().disable_channel_binding()
            ),
            Err(SaslError::MechanismDisabled {
                mechanism: ScramSha1Plus
            })
        );
        assert!(matches!(
            check(ScramSha1, &offer, &exporter(), &pw()),
            Err(SaslError::NotOffered {
                mechanism: ScramSha1,
                ..
            })
        ));
        let all = ServerOffer::new(ALL_NAMES);
        assert!(matches!(
            check(ScramSha1, &all, &exporter(), &SaslConfig::anonymous()),
            Err(SaslError::MissingCredentials {
                mechanism: ScramSha1,
                ..
            })
        ));
        assert!(matches!(
            check(Plain, &all, &exporter(), &SaslConfig::external()),
            Err(SaslError::MissingCredentials {
                mechanism: Plain,
                ..
            })
        ));
        assert_eq!(
            check(DigestMd5, &all, &exporter(), &pw()),
            Err(SaslError::MechanismDisabled {
                mechanism: DigestMd5
            })
        );
        assert!(matches!(
            check(
                DigestMd5,
                &all,
                &exporter(),
                &SaslConfig::external().enable_digest_md5("x")
            ),
            Err(SaslError::MissingCredentials {
                mechanism: DigestMd5,
                ..
            })
        ));
        assert!(matches!(
            check(External, &all, &exporter(), &pw()),
            Err(SaslError::MissingCredentials {
                mechanism: External,
                ..
            })
        ));
        assert_eq!(
            check(Anonymous, &all, &exporter(), &pw()),
            Err(SaslError::MechanismDisabled {
                mechanism: Anonymous
            })
        );
    }
}
