//! The storage shared by all JID types: the prepared address in one `String`, plus the offsets
//! of the separators.

use std::borrow::Cow;
use std::num::NonZeroU16;

use super::{JidError, prep};

/// A prepared JID: `normalized` is `[local '@'] domain ['/' resource]`, every part already
/// prepared and checked. `at` and `slash` are the byte offsets of the separators.
///
/// The offsets are a function of the string (a prepared localpart contains neither `@` nor `/`,
/// a prepared domainpart neither), so comparing and hashing the string alone is sound. Each
/// part is at most 1023 bytes, so offsets fit in a `u16`; none can be zero because a
/// separator is always preceded by a non-empty part.
#[derive(Clone)]
pub(crate) struct Inner {
    normalized: String,
    at: Option<NonZeroU16>,
    slash: Option<NonZeroU16>,
}

/// Splits an address into localpart, domainpart and resourcepart (RFC 7622 §3.1): the
/// resourcepart is everything after the first `/`, the localpart what precedes an `@` before
/// it. Separators are ASCII, so a byte search finds them.
fn split(s: &str) -> (Option<&str>, &str, Option<&str>) {
    let (bare, resource) = match s.bytes().position(|b| b == b'/') {
        Some(i) => (s.get(..i).unwrap_or_default(), s.get(i + 1..)),
        None => (s, None),
    };
    match bare.bytes().position(|b| b == b'@') {
        Some(i) => (
            bare.get(..i),
            bare.get(i + 1..).unwrap_or_default(),
            resource,
        ),
        None => (None, bare, resource),
    }
}

/// Converts a separator offset; parts are at most 1023 bytes, so every offset is below
/// 3 × 1024 and non-zero (a separator always follows a non-empty part).
fn offset(n: usize) -> Option<NonZeroU16> {
    u16::try_from(n).ok().and_then(NonZeroU16::new)
}

impl Inner {
    /// Parses and prepares a JID string (RFC 7622 §3.1).
    pub(crate) fn parse(s: &str) -> Result<Self, JidError> {
        let (local, domain, resource) = split(s);
        Self::from_parts(local, domain, resource)
    }

    /// Like [`Inner::parse`], keeping `s` as the prepared form when it already is one (the
    /// usual case for addresses a server sent): no new allocation.
    pub(crate) fn parse_owned(s: String) -> Result<Self, JidError> {
        let (local, domain, resource) = split(&s);
        let prepared_local = local.map(prep::localpart).transpose()?;
        let prepared_domain = prep::domainpart(domain)?;
        let prepared_resource = resource.map(prep::resourcepart).transpose()?;
        let same = |part: &str, prepared: &Cow<'_, str>| matches!(prepared, Cow::Borrowed(p) if p.as_ptr() == part.as_ptr() && p.len() == part.len());
        let unchanged = local
            .zip(prepared_local.as_ref())
            .is_none_or(|(part, prepared)| same(part, prepared))
            && same(domain, &prepared_domain)
            && resource
                .zip(prepared_resource.as_ref())
                .is_none_or(|(part, prepared)| same(part, prepared));
        if unchanged {
            let at = local.map(str::len);
            let slash = resource.map(|r| s.len() - r.len() - 1);
            drop((prepared_local, prepared_domain, prepared_resource));
            return Ok(Self {
                at: at.and_then(offset),
                slash: slash.and_then(offset),
                normalized: s,
            });
        }
        Ok(Self::join(
            prepared_local.as_deref(),
            &prepared_domain,
            prepared_resource.as_deref(),
        ))
    }

    /// Prepares each part and joins them into one string.
    pub(crate) fn from_parts(
        local: Option<&str>,
        domain: &str,
        resource: Option<&str>,
    ) -> Result<Self, JidError> {
        let local = local.map(prep::localpart).transpose()?;
        let domain = prep::domainpart(domain)?;
        let resource = resource.map(prep::resourcepart).transpose()?;
        Ok(Self::join(local.as_deref(), &domain, resource.as_deref()))
    }

    /// Joins already prepared parts (one allocation).
    fn join(local: Option<&str>, domain: &str, resource: Option<&str>) -> Self {
        let len =
            local.map_or(0, |l| l.len() + 1) + domain.len() + resource.map_or(0, |r| r.len() + 1);
        let mut normalized = String::with_capacity(len);
        let mut at = None;
        if let Some(local) = local {
            normalized.push_str(local);
            at = offset(normalized.len());
            normalized.push('@');
        }
        normalized.push_str(domain);
        let mut slash = None;
        if let Some(resource) = resource {
            slash = offset(normalized.len());
            normalized.push('/');
            normalized.push_str(resource);
        }
        Self {
            normalized,
            at,
            slash,
        }
    }

    /// The same bare part with a new (unprepared) resourcepart.
    pub(crate) fn with_resource(&self, resource: &str) -> Result<Self, JidError> {
        let resource = prep::resourcepart(resource)?;
        Ok(Self::join(self.local(), self.domain(), Some(&resource)))
    }

    /// The prepared JID, moved out.
    pub(crate) fn into_string(self) -> String {
        self.normalized
    }

    /// The whole prepared JID.
    pub(crate) fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The prepared localpart, if any.
    pub(crate) fn local(&self) -> Option<&str> {
        self.at
            .and_then(|at| self.normalized.get(..usize::from(at.get())))
    }

    /// The prepared domainpart.
    pub(crate) fn domain(&self) -> &str {
        let start = self.at.map_or(0, |at| usize::from(at.get()) + 1);
        let end = self
            .slash
            .map_or(self.normalized.len(), |slash| usize::from(slash.get()));
        self.normalized.get(start..end).unwrap_or_default()
    }

    /// The prepared resourcepart, if any.
    pub(crate) fn resource(&self) -> Option<&str> {
        self.slash
            .and_then(|slash| self.normalized.get(usize::from(slash.get()) + 1..))
    }

    /// The bare part (`[local '@'] domain`).
    pub(crate) fn bare_str(&self) -> &str {
        match self.slash {
            Some(slash) => self
                .normalized
                .get(..usize::from(slash.get()))
                .unwrap_or_default(),
            None => &self.normalized,
        }
    }

    /// Copies the bare part.
    pub(crate) fn to_bare(&self) -> Self {
        Self {
            normalized: self.bare_str().to_owned(),
            at: self.at,
            slash: None,
        }
    }

    /// Drops the resourcepart in place (no new allocation).
    pub(crate) fn into_bare(mut self) -> Self {
        if let Some(slash) = self.slash.take() {
            self.normalized.truncate(usize::from(slash.get()));
        }
        self
    }

    /// Whether a resourcepart is present.
    pub(crate) fn has_resource(&self) -> bool {
        self.slash.is_some()
    }
}
