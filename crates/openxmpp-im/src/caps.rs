//! Entity capabilities (XEP-0115).
