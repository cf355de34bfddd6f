//! Service discovery (XEP-0030) with extended info (XEP-0128).
