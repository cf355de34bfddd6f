//! Delayed delivery (XEP-0203).
