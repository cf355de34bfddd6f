//! Message carbons (XEP-0280).
