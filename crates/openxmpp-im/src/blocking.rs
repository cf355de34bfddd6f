//! Blocking command (XEP-0191).
