//! Exit statuses: 0 after a clean session, and one per kind of failure.

use std::process::Command;

use openxmpp_testkit::ServerKind;
use serde_json::Value;

use crate::common::{BIN, Console, run_script, server, sign_in_args};

fn error_kind(events: &[Value]) -> Option<&str> {
    events
        .iter()
        .find(|e| e["event"] == "error")
        .and_then(|e| e["kind"].as_str())
}

#[test]
fn failures_to_sign_in_have_their_own_statuses() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("exit").unwrap();
        let args = sign_in_args(server, &account);

        let (code, events) = run_script(&args, &account.password, "roster");
        assert_eq!(code, 0, "{kind}: a clean session: {events:?}");

        let (code, events) = run_script(&args, "not-the-password", "roster");
        assert_eq!(code, 5, "{kind}: wrong password: {events:?}");
        assert_eq!(error_kind(&events), Some("authentication"));
        assert!(
            !events
                .iter()
                .any(|e| e.to_string().contains("not-the-password")),
            "{kind}: the password never shows"
        );

        let untrusted = vec![
            account.jid.clone(),
            "--server".into(),
            server.starttls_addr().to_string(),
            "--json".into(),
        ];
        let (code, events) = run_script(&untrusted, &account.password, "roster");
        assert_eq!(code, 4, "{kind}: unknown CA: {events:?}");
        assert_eq!(error_kind(&events), Some("tls"));

        let mut direct = args.clone();
        direct[2] = server.direct_tls_addr().to_string();
        direct.extend(["--tls".into(), "direct".into()]);
        let (code, events) = run_script(&direct, &account.password, "roster");
        assert_eq!(code, 0, "{kind}: Direct TLS: {events:?}");
    }
}

#[test]
fn a_refused_connection_and_usage_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let args: Vec<String> = [
        "nobody@localhost",
        "--server",
        &format!("127.0.0.1:{port}"),
        "--json",
    ]
    .map(str::to_owned)
    .to_vec();
    let (code, events) = run_script(&args, "x", "roster");
    assert_eq!(code, 3, "refused: {events:?}");
    assert_eq!(error_kind(&events), Some("connection"));

    for bad in [
        vec![],
        vec!["a@b", "--server", "nonsense"],
        vec!["a@b", "--tls", "sometimes"],
        vec!["a@b", "--field", "x=y"],
    ] {
        let status = Command::new(BIN)
            .args(&bad)
            .env("XMPP_PASSWORD", "x")
            .output()
            .unwrap();
        assert_eq!(status.status.code(), Some(2), "{bad:?}");
    }
    let (code, events) = run_script(
        &["not a jid@@".to_owned(), "--json".to_owned()],
        "x",
        "roster",
    );
    assert_eq!(code, 2, "{events:?}");
    assert_eq!(error_kind(&events), Some("usage"));
    let missing = Command::new(BIN)
        .args(["a@b", "--json", "--password-file", "/nonexistent/password"])
        .env_remove("XMPP_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("\"kind\":\"usage\""));
}

#[test]
fn a_session_replaced_by_another_ends_with_the_stream_status() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("replaced").unwrap();
        let mut first = Console::start_with(server, &account, &["--resource", "desk"]);
        let second = Console::start_with(server, &account, &["--resource", "desk"]);
        let status = first.wait();
        assert_eq!(status.code(), Some(6), "{kind}: {:?}", first.rest());
        assert_eq!(second.exit().code(), Some(0), "{kind}");
    }
}
