//! openxmpp-console: the terminal XMPP client (see issue "openxmpp-console").
fn main() {}
