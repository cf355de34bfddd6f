//! Faults against the real servers (issue 9): the server crashes (SIGKILL) in the middle of a
//! burst of 10,000 messages and comes back; messages on their way when it crashes come back from
//! the archive. (Stalled connections are in `stalls.rs`, a binary of their own so that the
//! keepalive's timing is not measured on a machine busy with these bursts.)
//!
//! Exactly once, end to end, is the work of three parts of the library: the sender sends again
//! what the lost session had not had acknowledged (XEP-0198 counts; messages carry an origin id,
//! XEP-0359), the receiver catches up from its archive (XEP-0313) after the last message it had
//! received live, and the receiver drops second copies by archive id and origin id.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{builder, go_available};
use openxmpp::{Event, ImEvent, ReconnectPolicy, Security};
use openxmpp_testkit::{CutProxy, ServerKind, TestServer};

const BURST: usize = 10_000;

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        initial_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(1),
        ..ReconnectPolicy::default()
    }
}

/// What the receiver got: how many times each body arrived (live or from the archive).
#[derive(Default)]
struct Received {
    counts: HashMap<String, u32>,
    /// `Online` events, `resumed` flag for each.
    onlines: Vec<bool>,
    disconnects: usize,
}

type Shared = Arc<Mutex<Received>>;

fn count(shared: &Shared, body: &str) {
    *shared
        .lock()
        .unwrap()
        .counts
        .entry(body.to_owned())
        .or_default() += 1;
}

/// Records Bob's messages and sessions as they come.
fn collect(mut events: openxmpp::Events, shared: Shared) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            match event {
                Event::Im {
                    event: ImEvent::Message { message },
                } => {
                    if let Some(body) = message.message.body() {
                        count(&shared, body);
                    }
                }
                Event::Online { resumed, .. } => shared.lock().unwrap().onlines.push(resumed),
                Event::Disconnected { .. } => shared.lock().unwrap().disconnects += 1,
                _ => {}
            }
        }
    })
}

/// Waits until `done` holds for what Bob received, polling; panics after `limit`.
async fn until(shared: &Shared, limit: Duration, what: &str, done: impl Fn(&Received) -> bool) {
    let deadline = Instant::now() + limit;
    loop {
        if done(&shared.lock().unwrap()) {
            return;
        }
        if Instant::now() > deadline {
            let state = {
                let r = shared.lock().unwrap();
                format!(
                    "{} distinct bodies, onlines {:?}",
                    r.counts.len(),
                    r.onlines
                )
            };
            panic!("{what}: not within {limit:?} ({state})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn burst_through_a_crash(kind: ServerKind) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("openxmpp=info,openxmpp_core=info")
        .with_test_writer()
        .try_init();
    let started = Instant::now();
    let mut server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let (a, b) = (
        server.new_account("fa").unwrap(),
        server.new_account("fb").unwrap(),
    );
    let (alice, mut alice_events) = builder(&server, &a, Security::StartTls)
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    let (bob, mut bob_events) = builder(&server, &b, Security::DirectTls)
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    go_available(&alice, &mut alice_events).await;
    go_available(&bob, &mut bob_events).await;
    // Alice's events are not looked at; drain them so they do not pile up.
    tokio::spawn(async move { while alice_events.next().await.is_some() {} });
    let received = Shared::default();
    let collector = collect(bob_events, Arc::clone(&received));

    let to_bob: openxmpp::BareJid = b.jid.parse().unwrap();
    // The crash is for the clients, not for the test's own accounts.
    tokio::task::block_in_place(|| server.wait_for_accounts_to_persist());
    let sender = {
        let alice = alice.clone();
        tokio::spawn(async move {
            for i in 0..BURST {
                // Waits (instead of dropping) while the server is away and the queue is full.
                alice.chats().send(&to_bob, &format!("m{i}")).await.unwrap();
            }
        })
    };
    // The crash comes in the middle of the burst.
    until(&received, Duration::from_secs(60), "first part", |r| {
        r.counts.len() >= BURST / 5
    })
    .await;
    tokio::task::block_in_place(|| server.kill_for_restart()).unwrap();
    let at_crash = received.lock().unwrap().counts.len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::task::block_in_place(|| server.start_again()).unwrap();

    // Bob's new session (the restarted server cannot resume the old one) catches up from the
    // archive: after the last message that reached him live before the crash.
    until(&received, Duration::from_secs(30), "bob back", |r| {
        r.onlines.contains(&false)
    })
    .await;
    let caught_up = tokio::time::timeout(
        Duration::from_secs(90),
        bob.archive().catch_up_missed(2 * BURST),
    )
    .await
    .unwrap_or_else(|_| panic!("{kind}: the catch-up took over 90 s"))
    .unwrap_or_else(|e| panic!("{kind}: catch-up: {e}"));
    for archived in &caught_up {
        if let Some(body) = archived.message.body() {
            count(&received, body);
        }
    }
    tokio::time::timeout(Duration::from_secs(120), sender)
        .await
        .unwrap_or_else(|_| panic!("{kind}: the burst did not finish"))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while received.lock().unwrap().counts.len() < BURST && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Anything still coming would be a duplicate.
    tokio::time::sleep(Duration::from_secs(2)).await;
    eprintln!(
        "{kind}: crash after {at_crash} received; {} from the archive; {:?} in all",
        caught_up.len(),
        started.elapsed()
    );
    check_exactly_once(kind, &received.lock().unwrap());
    collector.abort();
    alice.close().await.unwrap();
    bob.close().await.unwrap();
}

/// `numbers` (ascending) as inclusive ranges.
fn ranges(numbers: &[usize]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    ranges
}

/// Every body `m0`…`m9999` exactly once, nothing else.
fn check_exactly_once(kind: ServerKind, r: &Received) {
    let missing: Vec<usize> = (0..BURST)
        .filter(|i| !r.counts.contains_key(&format!("m{i}")))
        .collect();
    let ranges = ranges(&missing);
    let doubled: Vec<(&String, &u32)> = r.counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        missing.is_empty(),
        "{kind}: {} lost: {:?}",
        missing.len(),
        &ranges[..ranges.len().min(20)]
    );
    assert!(
        doubled.is_empty(),
        "{kind}: {} delivered more than once: {:?}",
        doubled.len(),
        &doubled[..doubled.len().min(20)]
    );
    assert_eq!(r.counts.len(), BURST, "{kind}: unexpected bodies");
    assert!(r.disconnects >= 1, "{kind}: bob saw the crash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_crash_during_a_burst_delivers_every_message_once() {
    burst_through_a_crash(ServerKind::Prosody).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ejabberd_crash_during_a_burst_delivers_every_message_once() {
    burst_through_a_crash(ServerKind::Ejabberd).await;
}

/// Messages the server archived and sent to Bob, but which never reached him: his network
/// stalls (the proxy holds them), then the server crashes and his connection is cut, so the
/// server's stream management state is gone with what it held. Bob's catch-up after the last
/// message he had received live brings exactly those back, and nothing twice.
async fn lost_in_flight(kind: ServerKind) {
    let mut server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let proxy = CutProxy::start(server.starttls_addr()).unwrap();
    let (a, b) = (
        server.new_account("la").unwrap(),
        server.new_account("lb").unwrap(),
    );
    let (alice, mut alice_events) = builder(&server, &a, Security::DirectTls)
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    let (bob, mut bob_events) = openxmpp::Client::builder(b.jid.clone(), b.password.clone())
        .server(proxy.addr().ip().to_string(), proxy.addr().port())
        .add_ca_file(server.ca_cert_path())
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    go_available(&alice, &mut alice_events).await;
    go_available(&bob, &mut bob_events).await;
    tokio::spawn(async move { while alice_events.next().await.is_some() {} });
    let received = Shared::default();
    let collector = collect(bob_events, Arc::clone(&received));
    let to_bob: openxmpp::BareJid = b.jid.parse().unwrap();

    for i in 0..10 {
        alice
            .chats()
            .send(&to_bob, &format!("before{i}"))
            .await
            .unwrap();
    }
    until(&received, Duration::from_secs(20), "before", |r| {
        r.counts.len() == 10
    })
    .await;
    proxy.stall();
    for i in 0..50 {
        alice
            .chats()
            .send(&to_bob, &format!("gap{i}"))
            .await
            .unwrap();
    }
    // The server handles Alice's stanzas in order: once it answers a ping sent after them, it
    // has archived the messages and routed them towards Bob.
    let ping = openxmpp::core::xml::Element::new("ping", "urn:xmpp:ping");
    alice
        .request(openxmpp::core::stanza::Iq::get("", ping))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::task::block_in_place(|| server.kill_for_restart()).unwrap();
    proxy.cut_all();
    proxy.resume();
    tokio::task::block_in_place(|| server.start_again()).unwrap();
    until(&received, Duration::from_secs(30), "bob back", |r| {
        r.onlines.contains(&false)
    })
    .await;
    let caught_up = bob.archive().catch_up_missed(1000).await.unwrap();
    let bodies: Vec<&str> = caught_up.iter().filter_map(|m| m.message.body()).collect();
    let gap: Vec<String> = (0..50).map(|i| format!("gap{i}")).collect();
    assert_eq!(bodies, gap, "{kind}: the archive fills exactly the gap");
    for body in bodies {
        count(&received, body);
    }
    // Nothing arrives twice later (the offline store, a resend).
    tokio::time::sleep(Duration::from_secs(2)).await;
    {
        let r = received.lock().unwrap();
        assert_eq!(r.counts.len(), 60, "{kind}: {:?}", r.counts);
        assert!(r.counts.values().all(|n| *n == 1), "{kind}: {:?}", r.counts);
    }
    collector.abort();
    alice.close().await.unwrap();
    bob.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_messages_lost_in_flight_come_back_from_the_archive() {
    lost_in_flight(ServerKind::Prosody).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ejabberd_messages_lost_in_flight_come_back_from_the_archive() {
    lost_in_flight(ServerKind::Ejabberd).await;
}
