//! Software version (XEP-0092).
