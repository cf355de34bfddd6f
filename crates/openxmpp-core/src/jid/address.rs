//! `Jid`: any address, bare or full.

use std::str::FromStr;

use super::inner::Inner;
use super::{BareJid, FullJid, JidError};

/// Any XMPP address: [`Jid::Bare`] (`local@domain`, `domain`) or [`Jid::Full`]
/// (`local@domain/resource`, `domain/resource`).
///
/// Parsing follows RFC 7622: the resourcepart is everything after the first `/` (it may
/// itself contain `/` and `@`), the localpart is what precedes an `@` before that, and the
/// domainpart is the rest. Every part is prepared: the localpart with PRECIS
/// UsernameCaseMapped, the domainpart with IDNA (lower-case U-labels, trailing dot stripped,
/// IP literals normalised), the resourcepart with PRECIS OpaqueString. Equality, ordering and
/// hashing work on the prepared form, which is also what [`Display`](std::fmt::Display)
/// prints.
///
/// ```
/// use openxmpp_core::jid::{BareJid, FullJid, Jid};
///
/// let jid: Jid = "Juliet@Example.COM/balcony".parse()?;
/// assert_eq!(jid.to_string(), "juliet@example.com/balcony");
/// assert_eq!(jid, "juliet@example.com/balcony".parse::<Jid>()?);
/// assert!(jid.is_full());
///
/// match &jid {
///     Jid::Full(full) => assert_eq!(full.resource(), "balcony"),
///     Jid::Bare(_) => unreachable!(),
/// }
///
/// let full = FullJid::try_from(jid.clone())?;
/// let bare: BareJid = jid.into_bare();
/// assert_eq!(bare, full.to_bare());
/// assert_eq!(Jid::from(bare).resource(), None);
/// # Ok::<(), openxmpp_core::jid::JidError>(())
/// ```
#[derive(Clone)]
pub enum Jid {
    /// A JID without a resourcepart.
    Bare(BareJid),
    /// A JID with a resourcepart.
    Full(FullJid),
}

impl Jid {
    /// Parses and prepares a JID; the same as [`str::parse`].
    ///
    /// # Errors
    /// The [`JidError`] of the first part that breaks a rule.
    pub fn new(s: &str) -> Result<Self, JidError> {
        Inner::parse(s).map(Self::from_inner)
    }

    fn from_inner(inner: Inner) -> Self {
        if inner.has_resource() {
            Self::Full(FullJid(inner))
        } else {
            Self::Bare(BareJid(inner))
        }
    }

    fn inner(&self) -> &Inner {
        match self {
            Self::Bare(BareJid(inner)) | Self::Full(FullJid(inner)) => inner,
        }
    }

    /// The whole prepared JID.
    pub fn as_str(&self) -> &str {
        self.inner().as_str()
    }

    /// The prepared localpart, if any.
    pub fn local(&self) -> Option<&str> {
        self.inner().local()
    }

    /// The prepared localpart, if any (the historical name; same as [`local`](Self::local)).
    pub fn node(&self) -> Option<&str> {
        self.inner().local()
    }

    /// The prepared domainpart.
    pub fn domain(&self) -> &str {
        self.inner().domain()
    }

    /// The prepared resourcepart, if any.
    pub fn resource(&self) -> Option<&str> {
        self.inner().resource()
    }

    /// Whether this JID has a resourcepart.
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether this JID has no resourcepart.
    pub fn is_bare(&self) -> bool {
        matches!(self, Self::Bare(_))
    }

    /// The full JID, if this is one.
    pub fn as_full(&self) -> Option<&FullJid> {
        match self {
            Self::Full(full) => Some(full),
            Self::Bare(_) => None,
        }
    }

    /// The bare JID, if this is one.
    pub fn as_bare(&self) -> Option<&BareJid> {
        match self {
            Self::Bare(bare) => Some(bare),
            Self::Full(_) => None,
        }
    }

    /// The bare part as a string slice (no allocation).
    pub fn bare_str(&self) -> &str {
        self.inner().bare_str()
    }

    /// A copy of the bare part (the JID itself when it is bare).
    pub fn to_bare(&self) -> BareJid {
        match self {
            Self::Bare(bare) => bare.clone(),
            Self::Full(full) => full.to_bare(),
        }
    }

    /// Drops the resourcepart, if any, reusing the allocation.
    pub fn into_bare(self) -> BareJid {
        match self {
            Self::Bare(bare) => bare,
            Self::Full(full) => full.into_bare(),
        }
    }

    /// A full JID with this localpart and domainpart and the given resourcepart (prepared),
    /// replacing any resourcepart this JID has.
    ///
    /// # Errors
    /// Any [`JidError`] about the resourcepart.
    pub fn with_resource(&self, resource: &str) -> Result<FullJid, JidError> {
        self.inner().with_resource(resource).map(FullJid)
    }
}

impl FromStr for Jid {
    type Err = JidError;

    fn from_str(s: &str) -> Result<Self, JidError> {
        Self::new(s)
    }
}

impl TryFrom<String> for Jid {
    type Error = JidError;

    /// Parses and prepares a JID; when the string is already in prepared form (as addresses a
    /// server sends usually are) it becomes the JID's storage, without a copy.
    ///
    /// ```
    /// use openxmpp_core::jid::Jid;
    ///
    /// let jid = Jid::try_from("Juliet@Example.com/balcony".to_owned())?;
    /// assert_eq!(jid.as_str(), "juliet@example.com/balcony");
    /// # Ok::<(), openxmpp_core::jid::JidError>(())
    /// ```
    fn try_from(s: String) -> Result<Self, JidError> {
        Inner::parse_owned(s).map(Self::from_inner)
    }
}

impl From<Jid> for String {
    /// The prepared address, moved out (no copy).
    fn from(jid: Jid) -> String {
        match jid {
            Jid::Bare(BareJid(inner)) | Jid::Full(FullJid(inner)) => inner.into_string(),
        }
    }
}

impl From<BareJid> for Jid {
    fn from(bare: BareJid) -> Self {
        Self::Bare(bare)
    }
}

impl From<FullJid> for Jid {
    fn from(full: FullJid) -> Self {
        Self::Full(full)
    }
}
