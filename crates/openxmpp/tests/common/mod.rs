//! Shared helpers for the integration tests against the private servers.
#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use openxmpp::{Client, ClientBuilder, Event, Events, Security};
use openxmpp_testkit::{Account, TestServer};

/// A builder for `account` on `server`, trusting the server's test CA.
pub(crate) fn builder(server: &TestServer, account: &Account, security: Security) -> ClientBuilder {
    let addr = match security {
        Security::DirectTls => server.direct_tls_addr(),
        _ => server.starttls_addr(),
    };
    Client::builder(account.jid.clone(), account.password.clone())
        .server(addr.ip().to_string(), addr.port())
        .security(security)
        .add_ca_file(server.ca_cert_path())
}

/// Waits for the first event matching `pick`, failing after 10 s.
pub(crate) async fn wait_for<T>(
    events: &mut Events,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(event)) => {
                if let Some(found) = pick(&event) {
                    return found;
                }
            }
            Ok(None) => panic!("the event stream ended"),
            Err(_) => panic!("no matching event within 10 s"),
        }
    }
}

/// Sends initial presence and waits until the server reflects it back: from then on the
/// session is available and receives chat sent to the bare JID (RFC 6121 §4.2).
pub(crate) async fn go_available(client: &Client, events: &mut Events) {
    client
        .send(openxmpp::stanza::Presence::available())
        .await
        .expect("queue presence");
    let me = client.jid().as_str().to_owned();
    wait_for(events, |e| match e {
        Event::Stanza {
            stanza: openxmpp::stanza::Stanza::Presence(p),
        } if p.header.from.as_ref().map(|j| j.as_str()) == Some(me.as_str()) => Some(()),
        _ => None,
    })
    .await;
}
