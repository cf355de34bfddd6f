//! `cargo +nightly fuzz run connection`: see [`openxmpp_fuzz::connection`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openxmpp_fuzz::connection(data));
