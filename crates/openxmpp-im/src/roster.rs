//! Roster management (RFC 6121 §2): the roster query, items, versioning.
