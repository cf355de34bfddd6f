//! Stalled connections against the real servers (issue 9): the network goes silent, or the
//! server process freezes (SIGSTOP), with the socket open; the keepalive declares the connection
//! dead within its configured bound, and the client comes back once the server answers again.

mod common;

use std::time::{Duration, Instant};

use common::{builder, go_available, wait_for};
use openxmpp::{ConnectionError, Event, ReconnectPolicy, Security};
use openxmpp_testkit::{CutProxy, ServerKind, TestServer};

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        initial_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(1),
        ..ReconnectPolicy::default()
    }
}

/// The keepalive bound the stall tests configure: a ping after `INTERVAL` without input, the
/// connection dead `DEAD` after it.
const INTERVAL: Duration = Duration::from_secs(2);
const DEAD: Duration = Duration::from_secs(2);
/// What the scheduler of a busy machine may add to the bound.
const SLACK: Duration = Duration::from_millis(1500);

/// Waits for the session's end and returns its error and when it came.
async fn lost(events: &mut openxmpp::Events) -> (Option<ConnectionError>, Instant) {
    let error = wait_for(events, |e| match e {
        Event::Disconnected { error } => Some(error.clone()),
        _ => None,
    })
    .await;
    (error, Instant::now())
}

fn assert_unresponsive(kind: ServerKind, error: Option<ConnectionError>, after: Duration) {
    assert!(
        matches!(error, Some(ConnectionError::Unresponsive { .. })),
        "{kind}: {error:?}"
    );
    // Nothing had arrived for at most the interval when the stall began; a little slack for
    // the scheduler.
    let bound = INTERVAL + DEAD + SLACK;
    assert!(
        after <= bound,
        "{kind}: detected after {after:?} > {bound:?}"
    );
}

/// The network between the client and the server goes silent (the proxy holds every byte,
/// both ways, and closes nothing): the keepalive declares the connection dead within
/// `INTERVAL + DEAD`, and once the network is back the session is resumed.
async fn stalled_network(kind: ServerKind) {
    let server = openxmpp_testkit::shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let proxy = CutProxy::start(server.starttls_addr()).unwrap();
    let account = server.new_account("stall").unwrap();
    let (client, mut events) =
        openxmpp::Client::builder(account.jid.clone(), account.password.clone())
            .server(proxy.addr().ip().to_string(), proxy.addr().port())
            .add_ca_file(server.ca_cert_path())
            .keepalive(Some(INTERVAL), DEAD)
            .reconnect(fast_policy())
            .connect()
            .await
            .unwrap();
    go_available(&client, &mut events).await;
    proxy.stall();
    let since = Instant::now();
    let (error, at) = lost(&mut events).await;
    assert_unresponsive(kind, error, at - since);
    proxy.resume();
    let resumed = wait_for(&mut events, |e| match e {
        Event::Online { resumed, .. } => Some(*resumed),
        _ => None,
    })
    .await;
    assert!(resumed, "{kind}: the server kept the session: resumed");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_stalled_network_is_detected_by_the_keepalive() {
    stalled_network(ServerKind::Prosody).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ejabberd_stalled_network_is_detected_by_the_keepalive() {
    stalled_network(ServerKind::Ejabberd).await;
}

/// The server process freezes (SIGSTOP: its sockets stay open, nothing is answered): the
/// keepalive notices within its bound, the client keeps trying, and once the server runs again
/// the client is back online.
async fn frozen_server(kind: ServerKind) {
    let server = TestServer::start(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let account = server.new_account("frozen").unwrap();
    let (client, mut events) = builder(&server, &account, Security::StartTls)
        .keepalive(Some(INTERVAL), DEAD)
        .connect_timeout(Duration::from_secs(2))
        .negotiation_timeout(Duration::from_secs(3))
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    go_available(&client, &mut events).await;
    let frozen = server.freeze().unwrap();
    let since = Instant::now();
    let (error, at) = lost(&mut events).await;
    assert_unresponsive(kind, error, at - since);
    wait_for(&mut events, |e| {
        matches!(e, Event::Reconnecting { .. }).then_some(())
    })
    .await;
    drop(frozen);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline.into(), events.next())
            .await
            .unwrap_or_else(|_| panic!("{kind}: not back online within 30 s"));
        if let Some(Event::Online { .. }) = next {
            break;
        }
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_frozen_server_is_detected_by_the_keepalive() {
    frozen_server(ServerKind::Prosody).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ejabberd_frozen_server_is_detected_by_the_keepalive() {
    frozen_server(ServerKind::Ejabberd).await;
}
