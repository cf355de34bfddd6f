//! The incremental, restricted XML stream parser and the XML writer (RFC 6120 §11).
