//! Why a string is not a valid JID.

/// The reason a string (or a set of parts) is not a valid XMPP address.
///
/// Each rule of RFC 7622 has its own variant, and every message names the part it is about
/// (localpart, domainpart or resourcepart).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JidError {
    /// An `@` is present but nothing precedes it (`@example.com`).
    #[error("empty localpart: an '@' must be preceded by a localpart")]
    EmptyLocal,

    /// The domainpart is missing or empty (`juliet@`, `/foo`, `` ``, `.`).
    #[error("empty domainpart: every JID needs a domainpart")]
    EmptyDomain,

    /// A `/` is present but nothing follows it (`juliet@example.com/`).
    #[error("empty resourcepart: a '/' must be followed by a resourcepart")]
    EmptyResource,

    /// The localpart is longer than 1023 bytes after preparation.
    #[error("localpart too long: {len} bytes after preparation, at most 1023 are allowed")]
    LocalTooLong {
        /// Length in bytes (UTF-8) of the offending localpart.
        len: usize,
    },

    /// The domainpart is longer than 1023 bytes after preparation.
    #[error("domainpart too long: {len} bytes after preparation, at most 1023 are allowed")]
    DomainTooLong {
        /// Length in bytes (UTF-8) of the offending domainpart.
        len: usize,
    },

    /// The resourcepart is longer than 1023 bytes after preparation.
    #[error("resourcepart too long: {len} bytes after preparation, at most 1023 are allowed")]
    ResourceTooLong {
        /// Length in bytes (UTF-8) of the offending resourcepart.
        len: usize,
    },

    /// The localpart contains one of `" & ' / : < > @`, which RFC 7622 §3.3.1 forbids.
    #[error("localpart contains the forbidden character {ch:?} (not allowed: \" & ' / : < > @)")]
    LocalForbiddenChar {
        /// The forbidden character.
        ch: char,
    },

    /// The localpart is not a valid PRECIS IdentifierClass string (UsernameCaseMapped profile,
    /// RFC 8265 §3.3), for example because it contains a space or a symbol.
    #[error("invalid localpart: {detail}")]
    LocalPrecis {
        /// What the PRECIS enforcement rejected.
        detail: String,
    },

    /// The resourcepart is not a valid PRECIS FreeformClass string (OpaqueString profile,
    /// RFC 8265 §4.2), for example because it contains a control character.
    #[error("invalid resourcepart: {detail}")]
    ResourcePrecis {
        /// What the PRECIS enforcement rejected.
        detail: String,
    },

    /// The domainpart is not a valid internationalized domain name (IDNA2008 / UTS #46 with
    /// STD3 rules and hyphen checks).
    #[error("invalid domainpart {domain:?}: not a valid (internationalized) domain name")]
    InvalidDomain {
        /// The domainpart as it was given.
        domain: String,
    },

    /// The domainpart contains an empty label (`example..com`, `.example.com`).
    #[error("invalid domainpart {domain:?}: it contains an empty label")]
    DomainEmptyLabel {
        /// The domainpart as it was given.
        domain: String,
    },

    /// A label of the domainpart is longer than 63 octets in its A-label (ASCII) form.
    #[error(
        "domainpart label {label:?} is {len} octets long as an A-label, at most 63 are allowed"
    )]
    DomainLabelTooLong {
        /// The label in its A-label form.
        label: String,
        /// Its length in octets.
        len: usize,
    },

    /// The domainpart starts with `[` but is not a valid bracketed IPv6 literal.
    #[error("invalid domainpart {domain:?}: not a valid IPv6 literal")]
    InvalidIpv6 {
        /// The domainpart as it was given.
        domain: String,
    },

    /// A full JID (with a resourcepart) was required, but the JID has no resourcepart.
    #[error("{jid} has no resourcepart, but a full JID is required")]
    ResourceMissing {
        /// The JID that was given.
        jid: String,
    },

    /// A bare JID (without a resourcepart) was required, but the JID has a resourcepart.
    #[error("{jid} has a resourcepart, but a bare JID is required")]
    UnexpectedResource {
        /// The JID that was given.
        jid: String,
    },
}
