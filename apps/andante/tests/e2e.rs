//! End to end: the real app in a virtual X display (Xvfb, tiny-skia, no GPU) against the
//! private Prosody of the test kit, talking with slixmpp. It signs in by typing the password,
//! opens the contact from the filter, sends a message, gets the reply (checked in the app's
//! history database), saves a screenshot (`target/tmp/andante-e2e.png`, or where
//! `ANDANTE_E2E_SCREENSHOT` says), and quits with Ctrl+Q (the peer sees it go offline).
//!
//! Needs `xvfb`, `xdotool` and `imagemagick` (`cargo xtask test` installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use andante::store::Paths;
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::{Client, Event, ImEvent, Security};
use openxmpp_testkit::{Account, ServerKind, SlixPeer, TestServer};
use serde_json::json;

/// A child process killed (by its own id) when the test ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn need(program: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{program} is missing: install the Debian package {package} (cargo xtask test does)"
    );
}

fn free_display() -> u32 {
    (90 + std::process::id() % 400..1000)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display number")
}

fn wait_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool runs");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Puts `peer` in `account`'s roster with presence both ways (slixmpp approves and asks back).
fn befriend(server: &TestServer, account: &Account, peer: &Account) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let addr = server.starttls_addr();
        let (client, mut events) = Client::builder(account.jid.clone(), account.password.clone())
            .server(addr.ip().to_string(), addr.port())
            .security(Security::StartTls)
            .add_ca_file(server.ca_cert_path())
            .resource("setup")
            .connect()
            .await
            .unwrap();
        let jid = peer.jid.parse().unwrap();
        client
            .roster()
            .add(&jid, Some("Slixmpp peer"), ["Friends"])
            .await
            .unwrap();
        client.subscriptions().request(&jid, None).await.unwrap();
        // Two more contacts (offline: nobody signs in as them), for a fuller roster on screen.
        for (contact, name) in [("romeo", "Romeo"), ("nurse", "Nurse")] {
            let contact = format!("{contact}@{}", server.domain()).parse().unwrap();
            client
                .roster()
                .add(&contact, Some(name), ["Verona"])
                .await
                .unwrap();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
            if let Event::Im {
                event:
                    ImEvent::Subscription {
                        event: SubscriptionEvent::Requested { from, .. },
                    },
            } = event
            {
                client.subscriptions().approve(&from).await.unwrap();
                break;
            }
        }
        client.close().await.unwrap();
    });
}

#[test]
fn sign_in_chat_with_slixmpp_and_take_a_screenshot() {
    need("Xvfb", "xvfb");
    need("xdotool", "xdotool");
    need("import", "imagemagick");

    let server = openxmpp_testkit::shared(ServerKind::Prosody).unwrap();
    let ours = server.new_account("andante").unwrap();
    let theirs = server.new_account("slix").unwrap();
    let mut peer = SlixPeer::start().unwrap();
    peer.call(json!({
        "op": "connect", "jid": theirs.jid, "password": theirs.password,
        "host": server.starttls_addr().ip().to_string(),
        "port": server.starttls_addr().port(), "ca": server.ca_cert_path(),
        "direct_tls": false, "auto_authorize": true,
    }))
    .unwrap();
    befriend(server, &ours, &theirs);

    // The app's home, with the account filled in (as a previous sign-in leaves it).
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(home.path().to_path_buf());
    let addr = server.starttls_addr();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        paths.settings_file(),
        format!(
            "account.jid = {}\naccount.host = {}\naccount.port = {}\naccount.tls = starttls\n\
             account.ca_file = {}\nnotifications = false\n",
            ours.jid,
            addr.ip(),
            addr.port(),
            server.ca_cert_path().display()
        ),
    )
    .unwrap();
    let runtime_dir = home.path().join("runtime");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }

    let n = free_display();
    let display = format!(":{n}");
    let _xvfb = Guard(
        Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts"),
    );
    wait_until("Xvfb", Duration::from_secs(10), || {
        Path::new(&format!("/tmp/.X11-unix/X{n}"))
            .exists()
            .then_some(())
    });

    let log = home.path().join("andante.log");
    let app = Guard(
        Command::new(env!("CARGO_BIN_EXE_andante"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env("ANDANTE_HOME", home.path())
            .env("ANDANTE_NO_KEYRING", "1")
            .env("ANDANTE_NO_NOTIFICATIONS", "1")
            .env("RUST_LOG", "andante=debug,openxmpp=info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("andante starts"),
    );
    let app_log = || std::fs::read_to_string(&log).unwrap_or_default();

    let window = wait_until("the andante window", Duration::from_secs(60), || {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "andante"])
            .env("DISPLAY", &display)
            .output()
            .ok()?;
        let id = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .to_owned();
        (!id.is_empty()).then_some(id)
    });
    // No window manager: give the window the keyboard ourselves, then let it draw.
    xdotool(&display, &["windowfocus", "--sync", &window]);
    std::thread::sleep(Duration::from_millis(1500));

    // The password field has the focus (the address came from the settings).
    xdotool(&display, &["type", "--delay", "20", &ours.password]);
    xdotool(&display, &["key", "Return"]);
    let history = paths.history_file(&ours.jid.parse().unwrap());
    wait_until("signing in", Duration::from_secs(30), || {
        history.exists().then_some(())
    });
    std::thread::sleep(Duration::from_millis(1500));

    // The filter has the focus: the peer's name, Enter opens the chat, the composer has the
    // focus.
    xdotool(&display, &["type", "--delay", "20", "slix"]);
    xdotool(&display, &["key", "Return"]);
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&display, &["type", "--delay", "20", "Hello from andante"]);
    xdotool(&display, &["key", "Return"]);

    let got = peer
        .wait_for(
            |e| e["event"] == "message" && e["body"] == "Hello from andante",
            Duration::from_secs(20),
        )
        .unwrap_or_else(|e| panic!("{e}\n--- andante log ---\n{}", app_log()));
    assert!(
        got["from"].as_str().unwrap().starts_with(&ours.jid),
        "{got}"
    );
    peer.send_chat(&ours.jid, "Hello back from slixmpp")
        .unwrap();

    // The reply is in the app's history (and so on screen: the conversation is open).
    wait_until("the reply in the history", Duration::from_secs(20), || {
        let db = rusqlite::Connection::open(&history).ok()?;
        let found: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE body = 'Hello back from slixmpp' AND outgoing = 0",
                [],
                |row| row.get(0),
            )
            .ok()?;
        (found == 1).then_some(())
    });
    std::thread::sleep(Duration::from_millis(1500));

    let shot = std::env::var_os("ANDANTE_E2E_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("andante-e2e.png"));
    let status = Command::new("import")
        .args(["-window", &window, shot.to_str().unwrap()])
        .env("DISPLAY", &display)
        .status()
        .unwrap();
    assert!(status.success(), "import failed");
    println!("screenshot: {}", shot.display());
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);

    // Ctrl+Q quits: the contact sees us go offline (unavailable presence), the app exits.
    xdotool(&display, &["key", "ctrl+q"]);
    // (Matched on the app's full JID: the setup session's own unavailable is in the backlog.)
    let app_jid = got["from"].as_str().unwrap().to_owned();
    peer.wait_for(
        |e| e["event"] == "presence" && e["type"] == "unavailable" && e["from"] == app_jid.as_str(),
        Duration::from_secs(20),
    )
    .unwrap_or_else(|e| panic!("{e}\n--- andante log ---\n{}", app_log()));
    let mut app = app;
    let status = wait_until("andante to exit", Duration::from_secs(10), || {
        app.0.try_wait().ok().flatten()
    });
    assert!(status.success(), "andante exited with {status}");
    peer.disconnect().unwrap();
}
