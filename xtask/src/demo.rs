//! `cargo xtask demo`: a private Prosody on loopback, an echo contact, and the console client
//! signed in as the demo user, so a newcomer can chat at once without an account anywhere.
//!
//! On a terminal the console is interactive (type `help`); without one (CI, a pipe) it runs a
//! short script instead: the roster, who is online, a message, and the echo coming back.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::{BareJid, Client, Event, ImEvent, Security};
use openxmpp_testkit::{Account, ServerKind, TestServer};

use crate::{TaskResult, packages};

/// The echo contact's text, shown in its status.
const ECHO_STATUS: &str = "I repeat what you say";

fn builder(server: &TestServer, account: &Account) -> openxmpp::ClientBuilder {
    let addr = server.starttls_addr();
    Client::builder(account.jid.clone(), account.password.clone())
        .server(addr.ip().to_string(), addr.port())
        .security(Security::StartTls)
        .add_ca_file(server.ca_cert_path())
}

/// The echo contact: approves every subscription request (and asks back), and answers every
/// chat message with the same text. Runs until `stop` is dropped.
async fn echo_contact(
    builder: openxmpp::ClientBuilder,
    ready: mpsc::Sender<()>,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Result<(), openxmpp::Error> {
    let (client, mut events) = builder
        .resource("echo")
        .initial_presence(Some(
            openxmpp::stanza::Presence::available().with_status(None, ECHO_STATUS),
        ))
        .connect()
        .await?;
    let _ = ready.send(());
    let mut stop = stop;
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = &mut stop => break,
        };
        let Some(event) = event else { break };
        match event {
            Event::Im {
                event:
                    ImEvent::Subscription {
                        event: SubscriptionEvent::Requested { from, .. },
                    },
            } => {
                client.subscriptions().approve(&from).await?;
                client.subscriptions().request(&from, None).await?;
            }
            Event::Im {
                event: ImEvent::Message { message },
            } => {
                if let Some(body) = message.message.body() {
                    let reply = format!("echo: {body}");
                    client
                        .chats()
                        .send_in(&message.conversation, &reply)
                        .await?;
                }
            }
            _ => {}
        }
    }
    client.close().await
}

/// Puts the echo contact in the demo user's roster, with subscriptions both ways.
async fn befriend(
    server: &TestServer,
    user: &Account,
    echo: &BareJid,
) -> Result<(), openxmpp::Error> {
    let (client, mut events) = builder(server, user).resource("setup").connect().await?;
    client.roster().add(echo, Some("Echo 🔁"), ["Demo"]).await?;
    client
        .subscriptions()
        .request(echo, Some("Hi, it's the demo user"))
        .await?;
    // The echo contact approves and asks back; approve that.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
        if let Event::Im {
            event:
                ImEvent::Subscription {
                    event: SubscriptionEvent::Requested { from, .. },
                },
        } = event
        {
            client.subscriptions().approve(&from).await?;
            break;
        }
    }
    client.close().await
}

/// Builds the console and returns its path.
fn console_binary() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "openxmpp-console"])
        .status()?;
    if !status.success() {
        return Err("building openxmpp-console failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    Ok(target.join("debug").join("openxmpp-console"))
}

/// Writes the demo user's password to a file only its owner can read, for
/// `--password-file` (never on the command line).
fn password_file(server: &TestServer, account: &Account) -> std::io::Result<PathBuf> {
    let dir = server
        .ca_cert_path()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join("demo-password");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)?
        .write_all(account.password.as_bytes())?;
    Ok(path)
}

/// Runs the console without a terminal: a short script, waiting for the echo before `exit`.
fn scripted(mut console: Command, echo: &BareJid) -> TaskResult {
    let mut child = console
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let script = [
        "roster".to_owned(),
        "who".to_owned(),
        format!("chat {echo}, Hello echo! Grüße from openXMPP 🎻"),
    ];
    for line in &script {
        println!("demo> {line}");
        writeln!(stdin, "{line}")?;
    }
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut echoed = false;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                println!("{line}");
                if line.contains("echo: Hello echo!") {
                    echoed = true;
                    break;
                }
            }
            Err(_) => break,
        }
    }
    writeln!(stdin, "exit")?;
    drop(stdin);
    for line in lines.iter() {
        println!("{line}");
    }
    let status = child.wait()?;
    if !echoed {
        return Err("the echo contact's answer did not arrive within 20 s".into());
    }
    if !status.success() {
        return Err(format!("the console ended with {status}").into());
    }
    println!("demo: the console closed the session cleanly");
    Ok(())
}

pub(crate) fn run(_args: &[String]) -> TaskResult {
    packages::ensure(&["prosody"])?;
    println!("demo: starting a private Prosody on loopback…");
    let server = TestServer::start(ServerKind::Prosody)?;
    let server = &server;
    let user = server.create_account("you", "you-demo-password")?;
    let echo = server.create_account("echo", "echo-demo-password")?;
    let echo_jid: BareJid = echo.jid.parse()?;
    println!(
        "demo: Prosody is up in {:.2?} on {} (STARTTLS) with a throw-away CA; accounts {} and {} (an echo contact)",
        server.startup_time(),
        server.starttls_addr(),
        user.jid,
        echo.jid
    );

    // The echo contact runs on its own thread while the console runs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (ready_tx, ready) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let echo_builder = builder(server, &echo);
    let echo_task = runtime.spawn(async move {
        if let Err(e) = echo_contact(echo_builder, ready_tx, stop_rx).await {
            eprintln!("demo: the echo contact stopped: {e}");
        }
    });
    ready
        .recv_timeout(Duration::from_secs(15))
        .map_err(|_| "the echo contact did not sign in")?;
    runtime.block_on(befriend(server, &user, &echo_jid))?;
    println!("demo: {} is in your roster, subscribed both ways", echo.jid);

    let console_path = console_binary()?;
    let password = password_file(server, &user)?;
    let mut console = Command::new(&console_path);
    console
        .arg(&user.jid)
        .arg("--password-file")
        .arg(&password)
        .arg("--server")
        .arg(server.starttls_addr().to_string())
        .arg("--ca")
        .arg(server.ca_cert_path())
        .arg("--resource")
        .arg("console");
    let result = if std::io::stdin().is_terminal() {
        println!(
            "demo: starting the console as {}. Try: `chat {}, hello`, `roster`, `who`, `help`, `exit`.",
            user.jid, echo.jid
        );
        let status = console.status()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the console ended with {status}").into())
        }
    } else {
        scripted(console, &echo_jid)
    };
    let _ = stop_tx.send(());
    let _ = runtime.block_on(echo_task);
    result
}
