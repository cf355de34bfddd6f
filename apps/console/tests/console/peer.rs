//! A conversation with an independent client (slixmpp).

use std::time::Duration;

use openxmpp_testkit::{ServerKind, SlixPeer};
use serde_json::{Value, json};

use crate::common::{Console, server};

fn from_account(event: &Value, jid: &str) -> bool {
    event["from"]
        .as_str()
        .is_some_and(|from| from == jid || from.starts_with(&format!("{jid}/")))
}

#[test]
fn a_conversation_with_slixmpp() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (ours, theirs) = (
            server.new_account("slixc").unwrap(),
            server.new_account("slixp").unwrap(),
        );
        let mut peer = SlixPeer::start().unwrap();
        peer.call(json!({
            "op": "connect", "jid": theirs.jid, "password": theirs.password,
            "host": server.starttls_addr().ip().to_string(),
            "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
            "direct_tls": false, "auto_authorize": true,
        }))
        .unwrap();
        let mut c = Console::start(server, &ours);
        let tj = &theirs.jid;

        // slixmpp approves and asks back; we approve.
        c.ok(&format!("subscribe {tj}"));
        c.expect(|e| {
            e["event"] == "subscription" && e["type"] == "subscribed" && from_account(e, tj)
        });
        c.expect(|e| {
            e["event"] == "subscription" && e["type"] == "subscribe" && from_account(e, tj)
        });
        c.ok(&format!("approve {tj}"));
        c.expect(|e| e["event"] == "presence" && e["type"] == "available" && from_account(e, tj));

        peer.send_chat(&ours.jid, "Hello from slixmpp").unwrap();
        let m = c.expect(|e| e["event"] == "message" && from_account(e, tj));
        assert_eq!(m["body"], "Hello from slixmpp", "{kind}: {m}");
        assert_eq!(m["type"], "chat");

        c.ok(&format!("chat {tj}, Hello slixmpp, en"));
        let got = peer
            .wait_for(
                |e| e["event"] == "message" && e["body"] == "Hello slixmpp",
                Duration::from_secs(15),
            )
            .unwrap();
        assert!(
            got["from"].as_str().unwrap().starts_with(&ours.jid),
            "{kind}: {got}"
        );
        c.ok(&format!("thread {tj}, th-1, threaded hello"));
        let got = peer
            .wait_for(
                |e| e["event"] == "message" && e["thread"] == "th-1",
                Duration::from_secs(15),
            )
            .unwrap();
        assert_eq!(got["body"], "threaded hello", "{kind}: {got}");

        assert_eq!(c.exit().code(), Some(0), "{kind}");
        peer.disconnect().unwrap();
    }
}
