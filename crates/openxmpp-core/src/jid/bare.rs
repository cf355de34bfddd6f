//! `BareJid`: an address without a resourcepart.

use std::str::FromStr;

use super::inner::Inner;
use super::{FullJid, Jid, JidError};

/// A JID without a resourcepart: `domain` or `local@domain` (an account, a server, a room).
///
/// Stored prepared (lower-cased localpart and domainpart, U-labels) in a single `String`, so
/// [`as_str`](Self::as_str), [`Display`](std::fmt::Display), cloning, comparison and hashing
/// are cheap and work on the prepared form.
///
/// ```
/// use openxmpp_core::jid::BareJid;
///
/// let jid: BareJid = "Juliet@Example.COM".parse()?;
/// assert_eq!(jid.as_str(), "juliet@example.com");
/// assert_eq!(jid.local(), Some("juliet"));
/// assert_eq!(jid.domain(), "example.com");
///
/// let server = BareJid::new(None, "example.com")?;
/// assert_eq!(server.to_string(), "example.com");
///
/// let full = jid.with_resource("balcony")?;
/// assert_eq!(full.as_str(), "juliet@example.com/balcony");
///
/// // A resourcepart is an error here.
/// assert!("juliet@example.com/balcony".parse::<BareJid>().is_err());
/// # Ok::<(), openxmpp_core::jid::JidError>(())
/// ```
#[derive(Clone)]
pub struct BareJid(pub(crate) Inner);

impl BareJid {
    /// Builds a bare JID from an optional localpart and a domainpart, preparing each.
    ///
    /// # Errors
    /// Any [`JidError`] about the localpart or the domainpart.
    pub fn new(local: Option<&str>, domain: &str) -> Result<Self, JidError> {
        Inner::from_parts(local, domain, None).map(Self)
    }

    /// The whole prepared JID, e.g. `juliet@example.com`.
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

    /// A full JID with this localpart and domainpart and the given resourcepart (prepared).
    ///
    /// # Errors
    /// Any [`JidError`] about the resourcepart.
    pub fn with_resource(&self, resource: &str) -> Result<FullJid, JidError> {
        self.0.with_resource(resource).map(FullJid)
    }
}

impl FromStr for BareJid {
    type Err = JidError;

    /// Parses a bare JID; a resourcepart is an error ([`JidError::UnexpectedResource`]).
    fn from_str(s: &str) -> Result<Self, JidError> {
        Jid::from_str(s).and_then(Self::try_from)
    }
}

impl TryFrom<Jid> for BareJid {
    type Error = JidError;

    /// Succeeds when the JID has no resourcepart.
    fn try_from(jid: Jid) -> Result<Self, JidError> {
        match jid {
            Jid::Bare(bare) => Ok(bare),
            Jid::Full(full) => Err(JidError::UnexpectedResource {
                jid: full.as_str().to_owned(),
            }),
        }
    }
}
