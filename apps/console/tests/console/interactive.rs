//! Interactive mode through a pseudo-terminal: the password asked without echo, a command,
//! tab completion of a roster JID, an incoming message printed above the line being typed
//! (which survives intact), colours on a terminal and none with `NO_COLOR`.

use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use openxmpp_testkit::{Account, ServerKind, TestServer};

use crate::common::{BIN, Console, server};

type Pty = OsSession;

fn spawn(server: &TestServer, account: &Account, no_color: bool) -> Pty {
    let mut command = Command::new(BIN);
    command
        .arg(&account.jid)
        .arg("--server")
        .arg(server.starttls_addr().to_string())
        .arg("--ca")
        .arg(server.ca_cert_path())
        .env("TERM", "xterm-256color")
        .env_remove("XMPP_PASSWORD")
        .env_remove("RUST_LOG");
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    let mut pty = Session::spawn(command).expect("spawn on a pty");
    pty.set_expect_timeout(Some(Duration::from_secs(20)));
    pty
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn sign_in_type_complete_and_receive_while_typing() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (alice, bob) = (
            server.new_account("ialice").unwrap(),
            server.new_account("ibob").unwrap(),
        );
        let mut b = Console::start(server, &bob);
        let mut pty = spawn(server, &alice, false);

        // The password is asked for on the terminal, without echo.
        pty.expect(format!("Password for {}: ", alice.jid)).unwrap();
        pty.send_line(&alice.password).unwrap();
        let signed_in = pty.expect(format!("online as {}/", alice.jid)).unwrap();
        assert!(
            !text(signed_in.before()).contains(&alice.password),
            "{kind}: echoed"
        );
        let prompt = format!("{}> ", alice.jid);
        pty.expect(prompt.as_str()).unwrap();

        // A command, its output, and colours on a terminal.
        pty.send_line(format!("add {}, Bob", bob.jid)).unwrap();
        let ok = pty.expect("ok add").unwrap();
        assert!(
            text(ok.before()).ends_with("\x1b[32m"),
            "{kind}: green on a terminal"
        );
        pty.send_line("roster").unwrap();
        pty.expect("roster: 1 contact").unwrap();
        pty.expect("ok roster").unwrap();

        // Tab completes the command, then the roster JID.
        pty.send("ros\t").unwrap();
        pty.expect("roster").unwrap();
        pty.send("\r").unwrap();
        pty.expect("ok roster").unwrap();
        let start = &bob.jid[..3];
        pty.send(format!("chat {start}\t")).unwrap();
        pty.expect(bob.jid.as_str()).unwrap();
        pty.send(", completed\r").unwrap();
        b.expect(|e| e["event"] == "message" && e["body"] == "completed");

        // A message arrives while a line is half typed: it is printed above the prompt and
        // the line goes on where it was.
        pty.send(format!("chat {}, half", bob.jid)).unwrap();
        pty.expect(", half").unwrap();
        b.ok(&format!("chat {}, Hello while you type", alice.jid));
        pty.expect("Hello while you type").unwrap();
        pty.expect(format!("{prompt}chat {}, half", bob.jid))
            .unwrap();
        pty.send(" typed\r").unwrap();
        let m = b.expect(|e| e["event"] == "message" && e["body"] == "half typed");
        assert!(
            m["from"].as_str().unwrap().starts_with(&alice.jid),
            "{kind}: {m}"
        );

        // Bad input gets one line and the session goes on.
        pty.send_line("frobnicate").unwrap();
        pty.expect("unknown command \"frobnicate\"").unwrap();

        pty.send_line("exit").unwrap();
        pty.expect(Eof).unwrap();
        assert!(
            matches!(pty.get_process().wait(), Ok(WaitStatus::Exited(_, 0))),
            "{kind}: exit status 0"
        );
        assert_eq!(b.exit().code(), Some(0));
    }
}

#[test]
fn no_colour_with_no_color() {
    let server = server(ServerKind::Prosody);
    let account = server.new_account("nocolor").unwrap();
    let mut pty = spawn(server, &account, true);
    pty.expect("Password for").unwrap();
    pty.send_line(&account.password).unwrap();
    pty.expect(format!("{}> ", account.jid)).unwrap();
    pty.send_line("roster").unwrap();
    let ok = pty.expect("ok roster").unwrap();
    let before = text(ok.before());
    assert!(
        !before.contains("\x1b[32m") && !before.contains("\x1b[1m"),
        "{before:?}"
    );
    pty.send_line("exit").unwrap();
    pty.expect(Eof).unwrap();
}
