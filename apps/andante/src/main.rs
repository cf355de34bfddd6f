//! andante: the desktop XMPP client.
fn main() {}
