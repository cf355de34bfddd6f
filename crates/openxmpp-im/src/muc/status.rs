//! MUC status codes (XEP-0045 §15.6, the XMPP Registrar's `mucstatus` registry): the numbers in
//! `<status code='…'/>` that say what a room presence or message is about.

use std::fmt;

/// A status code of a `muc#user` payload. Codes outside the registry are kept as
/// [`StatusCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StatusCode {
    /// 100: any occupant may see our real JID (entering a non-anonymous room).
    NonAnonymous,
    /// 101: our affiliation changed while we were not in the room.
    AffiliationChanged,
    /// 102: the room now shows unavailable members.
    ShowsUnavailableMembers,
    /// 103: the room no longer shows unavailable members.
    HidesUnavailableMembers,
    /// 104: a room configuration change unrelated to privacy.
    ConfigurationChanged,
    /// 110: the presence is about our own occupant (self-presence).
    SelfPresence,
    /// 170: the room is logged (public archives).
    LoggingEnabled,
    /// 171: the room is no longer logged.
    LoggingDisabled,
    /// 172: the room is now non-anonymous.
    NowNonAnonymous,
    /// 173: the room is now semi-anonymous.
    NowSemiAnonymous,
    /// 201: the room was created by our join (it may be locked until configured).
    RoomCreated,
    /// 210: the service assigned or changed our nickname.
    NickAssigned,
    /// 301: banned from the room.
    Banned,
    /// 303: the occupant changed its nickname (the new one is in the item's `nick`).
    NewNick,
    /// 307: kicked from the room.
    Kicked,
    /// 321: removed because of an affiliation change.
    RemovedAffiliationChange,
    /// 322: removed because the room became members-only.
    RemovedMembersOnly,
    /// 332: removed because the MUC service is shutting down.
    RemovedShutdown,
    /// 333: removed because of a technical problem (XEP-0045 1.31).
    RemovedError,
    /// A code this crate does not name.
    Other(u16),
}

impl StatusCode {
    /// Every named code, in numeric order.
    pub const NAMED: &'static [StatusCode] = &[
        StatusCode::NonAnonymous,
        StatusCode::AffiliationChanged,
        StatusCode::ShowsUnavailableMembers,
        StatusCode::HidesUnavailableMembers,
        StatusCode::ConfigurationChanged,
        StatusCode::SelfPresence,
        StatusCode::LoggingEnabled,
        StatusCode::LoggingDisabled,
        StatusCode::NowNonAnonymous,
        StatusCode::NowSemiAnonymous,
        StatusCode::RoomCreated,
        StatusCode::NickAssigned,
        StatusCode::Banned,
        StatusCode::NewNick,
        StatusCode::Kicked,
        StatusCode::RemovedAffiliationChange,
        StatusCode::RemovedMembersOnly,
        StatusCode::RemovedShutdown,
        StatusCode::RemovedError,
    ];

    /// The number.
    pub const fn code(self) -> u16 {
        match self {
            StatusCode::NonAnonymous => 100,
            StatusCode::AffiliationChanged => 101,
            StatusCode::ShowsUnavailableMembers => 102,
            StatusCode::HidesUnavailableMembers => 103,
            StatusCode::ConfigurationChanged => 104,
            StatusCode::SelfPresence => 110,
            StatusCode::LoggingEnabled => 170,
            StatusCode::LoggingDisabled => 171,
            StatusCode::NowNonAnonymous => 172,
            StatusCode::NowSemiAnonymous => 173,
            StatusCode::RoomCreated => 201,
            StatusCode::NickAssigned => 210,
            StatusCode::Banned => 301,
            StatusCode::NewNick => 303,
            StatusCode::Kicked => 307,
            StatusCode::RemovedAffiliationChange => 321,
            StatusCode::RemovedMembersOnly => 322,
            StatusCode::RemovedShutdown => 332,
            StatusCode::RemovedError => 333,
            StatusCode::Other(code) => code,
        }
    }

    /// The status code with this number; `None` outside 100–999 (the codes are three digits).
    pub fn from_code(code: u16) -> Option<Self> {
        if !(100..=999).contains(&code) {
            return None;
        }
        Some(
            StatusCode::NAMED
                .iter()
                .copied()
                .find(|s| s.code() == code)
                .unwrap_or(StatusCode::Other(code)),
        )
    }

    /// Parses the `code` attribute: exactly three ASCII digits, 100 to 999.
    pub fn parse(value: &str) -> Option<Self> {
        if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        value.parse().ok().and_then(StatusCode::from_code)
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for &s in StatusCode::NAMED {
            assert_eq!(StatusCode::from_code(s.code()), Some(s));
            assert_eq!(StatusCode::parse(&s.to_string()), Some(s));
        }
        assert_eq!(StatusCode::parse("110"), Some(StatusCode::SelfPresence));
        assert_eq!(StatusCode::parse("999"), Some(StatusCode::Other(999)));
        assert_eq!(StatusCode::Other(999).code(), 999);
    }

    #[test]
    fn invalid_codes() {
        for bad in ["", "11", "1100", "099", "abc", "+11", " 110", "1e2"] {
            assert_eq!(StatusCode::parse(bad), None, "{bad:?}");
        }
        assert_eq!(StatusCode::from_code(42), None);
        assert_eq!(StatusCode::from_code(1000), None);
    }
}
