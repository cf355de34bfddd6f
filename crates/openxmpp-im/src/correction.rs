//! Last message correction (XEP-0308).
