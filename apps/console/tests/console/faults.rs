//! The interactive console survives faults (issue 9): the server crashes and comes back, or
//! the network under it goes silent. Each time it says the connection was lost, and comes back
//! online by itself; what was lost on the way during a crash comes back from the archive.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use openxmpp_testkit::{Account, CutProxy, ServerKind, TestServer};

use crate::common::{BIN, Console, server};

/// The console on a pseudo-terminal (interactive, so it reconnects), signed in as `account`
/// at `addr` with the password from the environment.
fn spawn(addr: SocketAddr, ca: &std::path::Path, account: &Account, extra: &[&str]) -> OsSession {
    let mut command = Command::new(BIN);
    command
        .arg(&account.jid)
        .arg("--server")
        .arg(addr.to_string())
        .arg("--ca")
        .arg(ca)
        .args(extra)
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .env("XMPP_PASSWORD", &account.password)
        .env_remove("RUST_LOG");
    let mut pty = Session::spawn(command).expect("spawn on a pty");
    pty.set_expect_timeout(Some(Duration::from_secs(30)));
    pty
}

fn still_works(pty: &mut OsSession) {
    pty.send_line("roster").unwrap();
    pty.expect("ok roster").unwrap();
}

fn exit(pty: &mut OsSession) {
    pty.send_line("exit").unwrap();
    pty.expect(Eof).unwrap();
}

#[test]
fn the_console_survives_a_server_crash_and_restart() {
    for kind in ServerKind::ALL {
        let mut server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let account = server.new_account("crash").unwrap();
        let mut pty = spawn(server.starttls_addr(), server.ca_cert_path(), &account, &[]);
        pty.expect(format!("online as {}/", account.jid)).unwrap();
        still_works(&mut pty);

        server.kill_for_restart().unwrap();
        // The loss is reported, and a reconnect announced.
        pty.expect("the connection closed unexpectedly").unwrap();
        pty.expect("*** connection lost; reconnecting in").unwrap();
        server.start_again().unwrap();
        pty.expect(format!("online as {}/", account.jid)).unwrap();
        still_works(&mut pty);
        exit(&mut pty);
    }
}

#[test]
fn the_console_survives_a_stalled_network() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let proxy = CutProxy::start(server.starttls_addr()).unwrap();
        let account = server.new_account("cstall").unwrap();
        let mut pty = spawn(
            proxy.addr(),
            server.ca_cert_path(),
            &account,
            &["--keepalive", "2"],
        );
        pty.expect(format!("online as {}/", account.jid)).unwrap();
        still_works(&mut pty);

        proxy.stall();
        let started = std::time::Instant::now();
        // The keepalive gives up within 2 s + 2 s of silence.
        pty.expect("the server stopped answering").unwrap();
        let after = started.elapsed();
        assert!(
            after <= Duration::from_millis(5500),
            "{kind}: after {after:?}"
        );
        pty.expect("*** connection lost; reconnecting in").unwrap();
        proxy.resume();
        pty.expect(format!("online as {}/", account.jid)).unwrap();
        still_works(&mut pty);
        exit(&mut pty);
    }
}

#[test]
fn the_console_shows_messages_lost_in_a_crash_from_the_archive() {
    for kind in ServerKind::ALL {
        let mut server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let proxy = CutProxy::start(server.starttls_addr()).unwrap();
        let (alice, bob) = (
            server.new_account("lalice").unwrap(),
            server.new_account("lbob").unwrap(),
        );
        let mut pty = spawn(proxy.addr(), server.ca_cert_path(), &alice, &[]);
        pty.expect(format!("online as {}/", alice.jid)).unwrap();
        let mut b = Console::start(&server, &bob);
        b.ok(&format!("chat {}, seen live", alice.jid));
        pty.expect("seen live").unwrap();

        // Alice's network stalls: the server archives Bob's message and sends it towards her,
        // then crashes, and what was on the way is lost with the connection.
        proxy.stall();
        b.ok(&format!("chat {}, lost on the way", alice.jid));
        std::thread::sleep(Duration::from_secs(1));
        server.kill_for_restart().unwrap();
        proxy.cut_all();
        proxy.resume();
        // Bob's scripted console does not reconnect: it ends with the connection.
        b.wait();
        server.start_again().unwrap();

        pty.expect(format!("online as {}/", alice.jid)).unwrap();
        let caught_up = pty.expect("lost on the way").unwrap();
        still_works(&mut pty);
        let text = String::from_utf8_lossy(caught_up.before()).into_owned();
        assert!(!text.contains("seen live"), "{kind}: shown twice: {text:?}");
        // Shown with the archive's timestamp: it came from the archive.
        let line = text.rsplit('\n').next().unwrap_or_default();
        assert!(
            line.contains("] ") && line.contains(&bob.jid),
            "{kind}: {line:?}"
        );
        exit(&mut pty);
    }
}
