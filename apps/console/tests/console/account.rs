//! The account itself: `--register` creates it (XEP-0077), `passwd` changes its password.

use std::sync::atomic::{AtomicU32, Ordering};

use openxmpp_testkit::ServerKind;
use serde_json::Value;

use crate::common::{Console, run_script, server};

fn fresh_user(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn args(kind: ServerKind, jid: &str, extra: &[&str]) -> Vec<String> {
    let server = server(kind);
    let mut args = vec![
        jid.to_owned(),
        "--server".to_owned(),
        server.starttls_addr().to_string(),
        "--ca".to_owned(),
        server.ca_cert_path().display().to_string(),
        "--json".to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn error_kind(events: &[Value]) -> Option<&str> {
    events
        .iter()
        .find(|e| e["event"] == "error")
        .and_then(|e| e["kind"].as_str())
}

#[test]
fn register_a_new_account_then_change_its_password() {
    for kind in ServerKind::ALL {
        let user = fresh_user("newc");
        let jid = format!("{user}@{}", server(kind).domain());
        let password = format!("{user}-first");

        // Registered, then signed in, in one run.
        let register = args(
            kind,
            &jid,
            &["--register", "--field", "email=new@example.com"],
        );
        let mut c = Console::spawn(&register, &password, &jid);
        let registered = c.expect(|e| e["event"] == "registered");
        assert_eq!(registered["jid"], jid, "{kind}");
        c.expect(|e| e["event"] == "state" && e["state"] == "online");
        c.ok("roster");
        assert_eq!(c.exit().code(), Some(0), "{kind}");

        // The name is taken now.
        let (code, events) = run_script(&register, &password, "exit");
        assert_eq!(code, 7, "{kind}: {events:?}");
        assert_eq!(error_kind(&events), Some("registration"));

        // passwd, with the new password from the environment.
        let new = format!("{user}-second");
        let plain = args(kind, &jid, &[]);
        let mut c = Console::spawn_env(&plain, &password, &jid, &[("XMPP_NEW_PASSWORD", &new)]);
        c.expect(|e| e["event"] == "state" && e["state"] == "online");
        c.ok("passwd");
        assert_eq!(c.exit().code(), Some(0), "{kind}");
        let (code, events) = run_script(&plain, &new, "roster");
        assert_eq!(code, 0, "{kind}: the new password works: {events:?}");
        assert!(
            !events.iter().any(|e| e.to_string().contains(&new)),
            "{kind}: the password never shows"
        );
        let (code, _) = run_script(&plain, &password, "roster");
        assert_eq!(code, 5, "{kind}: the old one does not");
    }
}
