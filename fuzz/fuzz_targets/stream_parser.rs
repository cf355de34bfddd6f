//! `cargo +nightly fuzz run stream_parser`: see [`openxmpp_fuzz::stream_parser`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openxmpp_fuzz::stream_parser(data));
