//! Benchmarks for openXMPP (dev only, never published): the seeded stream corpus the decode
//! benchmark reads, and the small harness the side-by-side benchmarks share.
//!
//! The benchmarks themselves are in `benches/` (`cargo bench -p openxmpp-bench`); see
//! `BENCHMARKS.md` at the repository root for what each measures and the latest results.
#![deny(missing_docs)]

pub mod corpus;
pub mod harness;
