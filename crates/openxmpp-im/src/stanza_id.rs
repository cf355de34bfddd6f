//! Unique and stable stanza ids (XEP-0359).
