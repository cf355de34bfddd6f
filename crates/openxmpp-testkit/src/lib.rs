//! Test kit for openXMPP: private real servers and an independent peer client.
#![deny(missing_docs)]
