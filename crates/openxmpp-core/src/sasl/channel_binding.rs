//! Channel binding (RFC 5056) for the SCRAM -PLUS mechanisms: the types, the data the caller
//! extracts from its TLS connection, and the GS2 flag.

use std::fmt;
use std::str::FromStr;

use super::error::SaslError;

/// The label of the TLS exporter for `tls-exporter` channel binding (RFC 9266 §2); the
/// context is empty and the length is [`TLS_EXPORTER_LENGTH`].
pub const TLS_EXPORTER_LABEL: &str = "EXPORTER-Channel-Binding";

/// The number of bytes of keying material exported for `tls-exporter` (RFC 9266 §2).
pub const TLS_EXPORTER_LENGTH: usize = 32;

/// A channel binding type (IANA "Channel-Binding Types" registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelBindingType {
    /// `tls-exporter` (RFC 9266): exported keying material; the one to use with TLS 1.3.
    TlsExporter,
    /// `tls-server-end-point` (RFC 5929 §4): a hash of the server's certificate.
    TlsServerEndPoint,
    /// `tls-unique` (RFC 5929 §3): the first Finished message; TLS 1.2 only, and unsafe without
    /// the extended master secret extension. Used only when the caller provides it.
    TlsUnique,
}

impl ChannelBindingType {
    /// The types in the order they are preferred: tls-exporter, tls-server-end-point,
    /// tls-unique.
    pub const PREFERENCE: [Self; 3] = [Self::TlsExporter, Self::TlsServerEndPoint, Self::TlsUnique];

    /// The registered name (`tls-exporter`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::TlsExporter => "tls-exporter",
            Self::TlsServerEndPoint => "tls-server-end-point",
            Self::TlsUnique => "tls-unique",
        }
    }

    /// The type with this registered name, if implemented here.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::PREFERENCE.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for ChannelBindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ChannelBindingType {
    type Err = SaslError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or_else(|| SaslError::UnknownChannelBindingType {
            name: name.to_owned(),
        })
    }
}

/// The channel binding data of one TLS connection, as extracted by the caller from its TLS
/// library. Only the types filled in here can be used.
///
/// ```
/// use openxmpp_core::sasl::{ChannelBindingType, ChannelBindings};
/// // With rustls: conn.export_keying_material(&mut km, TLS_EXPORTER_LABEL.as_bytes(), None)
/// let km = [7u8; 32];
/// let cb = ChannelBindings::new().with_tls_exporter(km);
/// assert_eq!(cb.get(ChannelBindingType::TlsExporter), Some(&km[..]));
/// assert_eq!(cb.get(ChannelBindingType::TlsUnique), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChannelBindings {
    tls_exporter: Option<[u8; TLS_EXPORTER_LENGTH]>,
    tls_server_end_point: Option<Vec<u8>>,
    tls_unique: Option<Vec<u8>>,
}

impl ChannelBindings {
    /// No channel binding data.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `tls-exporter` data: the [`TLS_EXPORTER_LENGTH`] bytes exported with the label
    /// [`TLS_EXPORTER_LABEL`] and an empty context (RFC 9266). With TLS 1.2, only provide it
    /// when the connection negotiated the extended master secret (RFC 7627): RFC 9266 §3
    /// forbids it otherwise.
    #[must_use]
    pub fn with_tls_exporter(mut self, keying_material: [u8; TLS_EXPORTER_LENGTH]) -> Self {
        self.tls_exporter = Some(keying_material);
        self
    }

    /// Adds `tls-server-end-point` data: the hash of the server certificate, see
    /// [`tls_server_end_point`](super::tls_server_end_point).
    #[must_use]
    pub fn with_tls_server_end_point(mut self, certificate_hash: Vec<u8>) -> Self {
        self.tls_server_end_point = Some(certificate_hash);
        self
    }

    /// Adds `tls-unique` data: the first TLS Finished message of the connection (TLS 1.2).
    #[must_use]
    pub fn with_tls_unique(mut self, finished: Vec<u8>) -> Self {
        self.tls_unique = Some(finished);
        self
    }

    /// The data for `kind`, if provided.
    #[must_use]
    pub fn get(&self, kind: ChannelBindingType) -> Option<&[u8]> {
        match kind {
            ChannelBindingType::TlsExporter => self.tls_exporter.as_ref().map(|d| &d[..]),
            ChannelBindingType::TlsServerEndPoint => self.tls_server_end_point.as_deref(),
            ChannelBindingType::TlsUnique => self.tls_unique.as_deref(),
        }
    }

    /// The types provided, in preference order.
    pub fn available(&self) -> impl Iterator<Item = ChannelBindingType> + '_ {
        ChannelBindingType::PREFERENCE
            .into_iter()
            .filter(|t| self.get(*t).is_some())
    }

    /// Whether no type is provided.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.available().next().is_none()
    }
}

impl fmt::Debug for ChannelBindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.available()).finish()
    }
}

/// The GS2 channel binding flag of a SCRAM exchange (RFC 5802 §6, §7 `gs2-cbind-flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gs2CbindFlag {
    /// `n`: the client does not do channel binding on this stream.
    ClientUnsupported,
    /// `y`: the client could do channel binding, but the server offered no -PLUS mechanism
    /// (lets a server that does support channel binding detect a downgrade).
    ServerUnsupported,
    /// `p=<type>`: channel binding with this type (-PLUS mechanisms only).
    Bound(ChannelBindingType),
}

impl Gs2CbindFlag {
    /// The flag as written in the GS2 header: `n`, `y` or `p=<type>`.
    #[must_use]
    pub fn as_header_part(self) -> String {
        match self {
            Self::ClientUnsupported => "n".to_owned(),
            Self::ServerUnsupported => "y".to_owned(),
            Self::Bound(kind) => format!("p={kind}"),
        }
    }
}

/// The GS2 flag decided for a session, with the channel binding data when bound.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Gs2Binding {
    pub(crate) flag: Gs2CbindFlag,
    pub(crate) data: Vec<u8>,
}

impl Gs2Binding {
    pub(crate) fn unbound(flag: Gs2CbindFlag) -> Self {
        Self {
            flag,
            data: Vec::new(),
        }
    }
}

impl fmt::Debug for Gs2Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gs2Binding")
            .field("flag", &self.flag)
            .field("data_len", &self.data.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for t in ChannelBindingType::PREFERENCE {
            assert_eq!(t.name().parse::<ChannelBindingType>(), Ok(t));
        }
        assert!("tls-foo".parse::<ChannelBindingType>().is_err());
    }

    #[test]
    fn available_in_preference_order() {
        let cb = ChannelBindings::new()
            .with_tls_unique(vec![1])
            .with_tls_server_end_point(vec![2])
            .with_tls_exporter([3; 32]);
        assert_eq!(
            cb.available().collect::<Vec<_>>(),
            ChannelBindingType::PREFERENCE.to_vec()
        );
        assert!(!cb.is_empty());
        assert!(ChannelBindings::new().is_empty());
        assert_eq!(
            format!("{cb:?}"),
            "{TlsExporter, TlsServerEndPoint, TlsUnique}"
        );
    }

    #[test]
    fn flag_header_parts() {
        assert_eq!(Gs2CbindFlag::ClientUnsupported.as_header_part(), "n");
        assert_eq!(Gs2CbindFlag::ServerUnsupported.as_header_part(), "y");
        assert_eq!(
            Gs2CbindFlag::Bound(ChannelBindingType::TlsServerEndPoint).as_header_part(),
            "p=tls-server-end-point"
        );
    }
}
