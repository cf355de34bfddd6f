//! `cargo +nightly fuzz run stanza`: see [`openxmpp_fuzz::stanza`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openxmpp_fuzz::stanza(data));
