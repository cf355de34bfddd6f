//! `cargo +nightly fuzz run jid`: see [`openxmpp_fuzz::jid`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openxmpp_fuzz::jid(data));
