//! Chat state notifications (XEP-0085).
