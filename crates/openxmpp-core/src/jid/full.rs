//! `FullJid`: an address with a resourcepart.

use std::str::FromStr;

use super::inner::Inner;
use super::{BareJid, Jid, JidError};

/// A JID with a resourcepart: `local@domain/resource` or `domain/resource` (a connected
/// client, a room occupant).
///
/// Stored prepared in a single `String`. The resourcepart keeps its case and any symbols
/// (OpaqueString profile); only the localpart and the domainpart are lower-cased.
///
/// ```
/// use openxmpp_core::jid::FullJid;
///
/// let jid: FullJid = "Juliet@Example.COM/Balcony 🎸".parse()?;
/// assert_eq!(jid.as_str(), "juliet@example.com/Balcony 🎸");
/// assert_eq!(jid.resource(), "Balcony 🎸");
/// assert_eq!(jid.to_bare().as_str(), "juliet@example.com");
///
/// // The resourcepart is everything after the first '/'.
/// let room = FullJid::new(Some("room"), "muc.example.com", "Romeo/Montague")?;
/// assert_eq!(room.resource(), "Romeo/Montague");
///
/// // No resourcepart is an error here.
/// assert!("juliet@example.com".parse::<FullJid>().is_err());
/// # Ok::<(), openxmpp_core::jid::JidError>(())
/// ```
#[derive(Clone)]
pub struct FullJid(pub(crate) Inner);

impl FullJid {
    /// Builds a full JID from its parts, preparing each.
    ///
    /// # Errors
    /// Any [`JidError`] about one of the parts.
    pub fn new(local: Option<&str>, domain: &str, resource: &str) -> Result<Self, JidError> {
        Inner::from_parts(local, domain, Some(resource)).map(Self)
    }

    /// The whole prepared JID, e.g. `juliet@example.com/balcony`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The prepared localpart, if any.
    pub fn local(&self) -> Option<&str> {
        self.0.local()
    }

    /// The prepared localpart, if any (the historical name; same as [`local`](Self::local)).
    pub fn node(&self) -> Option<&str> {
        self.0.local()
    }

    /// The prepared domainpart.
    pub fn domain(&self) -> &str {
        self.0.domain()
    }

    /// The prepared resourcepart.
    pub fn resource(&self) -> &str {
        self.0.resource().unwrap_or_default()
    }

    /// The bare part as a string slice, e.g. `juliet@example.com` (no allocation).
    pub fn bare_str(&self) -> &str {
        self.0.bare_str()
    }

    /// A copy of the bare part.
    pub fn to_bare(&self) -> BareJid {
        BareJid(self.0.to_bare())
    }

    /// Drops the resourcepart, reusing the allocation.
    pub fn into_bare(self) -> BareJid {
        BareJid(self.0.into_bare())
    }

    /// The same bare part with another resourcepart (prepared).
    ///
    /// # Errors
    /// Any [`JidError`] about the resourcepart.
    pub fn with_resource(&self, resource: &str) -> Result<Self, JidError> {
        self.0.with_resource(resource).map(Self)
    }
}

impl FromStr for FullJid {
    type Err = JidError;

    /// Parses a full JID; a missing resourcepart is an error ([`JidError::ResourceMissing`]).
    fn from_str(s: &str) -> Result<Self, JidError> {
        Jid::from_str(s).and_then(Self::try_from)
    }
}

impl TryFrom<Jid> for FullJid {
    type Error = JidError;

    /// Succeeds when the JID has a resourcepart.
    fn try_from(jid: Jid) -> Result<Self, JidError> {
        match jid {
            Jid::Full(full) => Ok(full),
            Jid::Bare(bare) => Err(JidError::ResourceMissing {
                jid: bare.as_str().to_owned(),
            }),
        }
    }
}
