//! Entity time (XEP-0202).
