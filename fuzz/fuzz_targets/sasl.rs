//! `cargo +nightly fuzz run sasl`: see [`openxmpp_fuzz::sasl`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openxmpp_fuzz::sasl(data));
