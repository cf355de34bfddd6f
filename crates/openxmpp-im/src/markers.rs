//! Chat markers (XEP-0333).
