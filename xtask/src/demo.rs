//! `cargo xtask demo`: a private Prosody on loopback with two demo accounts, and our client
//! signed in to it as both: what each session negotiated is printed, then alice and bob
//! exchange a message. (It becomes the console client once that exists.)

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use openxmpp::{Client, Event, Events, ImEvent, Security};
use openxmpp_testkit::{Account, ServerKind, TestServer};

use crate::{TaskResult, packages};

fn describe(name: &str, events: &mut Events) {
    while let Some(event) = events.try_next() {
        match event {
            Event::TlsEstablished { info } => {
                println!(
                    "demo: {name}: TLS {} with {}, certificate verified",
                    info.version, info.cipher_suite
                );
            }
            Event::Authenticated { mechanism } => {
                println!("demo: {name}: authenticated with {}", mechanism.name());
            }
            Event::Online { jid, features, .. } => {
                println!(
                    "demo: {name}: online as {jid} (stream management: {}, roster versioning: {})",
                    features.stream_management, features.roster_versioning
                );
            }
            _ => {}
        }
    }
}

async fn sign_in(
    server: &TestServer,
    account: &Account,
    name: &str,
) -> Result<(Client, Events), openxmpp::Error> {
    let addr = server.starttls_addr();
    let started = Instant::now();
    let (client, mut events) = Client::builder(account.jid.clone(), account.password.clone())
        .server(addr.ip().to_string(), addr.port())
        .security(Security::StartTls)
        .add_ca_file(server.ca_cert_path())
        .resource("demo")
        .connect()
        .await?;
    println!("demo: {name}: signed in in {:.1?}", started.elapsed());
    describe(name, &mut events);
    // The client fetches the roster, then sends its initial presence; the session is
    // available once the server reflects it.
    wait_for(&mut events, |e| {
        matches!(
            e,
            Event::Im {
                event: ImEvent::Presence { .. }
            }
        )
    })
    .await;
    println!(
        "demo: {name}: roster loaded ({} contacts), presence sent",
        client.roster().items().len()
    );
    Ok((client, events))
}

async fn wait_for(events: &mut Events, mut matches: impl FnMut(&Event) -> bool) -> Option<Event> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
        if matches(&event) {
            return Some(event);
        }
    }
    None
}

async fn chat(server: &TestServer, alice: &Account, bob: &Account) -> TaskResult {
    let (alice_client, _alice_events) = sign_in(server, alice, "alice").await?;
    let (bob_client, mut bob_events) = sign_in(server, bob, "bob").await?;
    let text = "Hello Bob! Grüße from openXMPP 🎻";
    alice_client.chats().send(&bob.jid.parse()?, text).await?;
    println!("demo: alice → bob: {text}");
    match wait_for(&mut bob_events, |e| {
        matches!(
            e,
            Event::Im {
                event: ImEvent::Message { .. }
            }
        )
    })
    .await
    {
        Some(Event::Im {
            event: ImEvent::Message { message },
        }) => println!(
            "demo: bob received from {}: {}",
            message
                .message
                .header
                .from
                .as_ref()
                .map(|j| j.as_str())
                .unwrap_or("?"),
            message.message.body().unwrap_or("")
        ),
        _ => return Err("bob did not receive the message within 10 s".into()),
    }
    alice_client.close().await?;
    bob_client.close().await?;
    println!("demo: both sessions closed cleanly");
    Ok(())
}

pub(crate) fn run(_args: &[String]) -> TaskResult {
    packages::ensure(&["prosody"])?;
    println!("demo: starting a private Prosody on loopback…");
    let server = TestServer::start(ServerKind::Prosody)?;
    let alice = server.create_account("alice", "alice-demo-password")?;
    let bob = server.create_account("bob", "bob-demo-password")?;
    println!(
        "demo: Prosody is up in {:.2?}: STARTTLS on {}, Direct TLS on {}",
        server.startup_time(),
        server.starttls_addr(),
        server.direct_tls_addr()
    );
    println!(
        "demo: accounts {} and {} (passwords: <name>-demo-password)",
        alice.jid, bob.jid
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(chat(&server, &alice, &bob))?;
    if std::io::stdin().is_terminal() {
        println!(
            "demo: the server keeps running; connect any client to {} trusting {}.\n\
             Press Enter to stop it.",
            server.starttls_addr(),
            server.ca_cert_path().display()
        );
        std::io::stdin().read_line(&mut String::new())?;
    }
    Ok(())
}
