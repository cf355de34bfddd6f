//! Shared helpers for the integration tests against the private servers.
#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use openxmpp::im::chats::ChatMessage;
use openxmpp::im::presence::PresenceChange;
use openxmpp::{Client, ClientBuilder, Event, Events, ImEvent, Security};
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

/// Waits until the server reflects our initial presence (sent by the client once the roster
/// is loaded): from then on the session is available and receives chat sent to the bare JID
/// (RFC 6121 §4.2).
pub(crate) async fn go_available(client: &Client, events: &mut Events) {
    let me = client.jid();
    wait_for(events, |e| match e {
        Event::Im {
            event:
                ImEvent::Presence {
                    change:
                        PresenceChange::Available {
                            contact, resource, ..
                        },
                },
        } if contact.as_str() == me.bare_str() && resource.as_deref() == Some(me.resource()) => {
            Some(())
        }
        _ => None,
    })
    .await;
}

/// The body of a chat message event.
pub(crate) fn message_body(event: &Event) -> Option<String> {
    chat_message(event).and_then(|m| m.message.body().map(str::to_owned))
}

/// The chat message of an event.
pub(crate) fn chat_message(event: &Event) -> Option<ChatMessage> {
    match event {
        Event::Im {
            event: ImEvent::Message { message },
        } => Some((**message).clone()),
        _ => None,
    }
}

/// Waits for the first IM event matching `pick`, failing after 15 s.
pub(crate) async fn wait_im<T>(
    events: &mut Events,
    mut pick: impl FnMut(&ImEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Event::Im { event })) => {
                if let Some(found) = pick(&event) {
                    return found;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the event stream ended"),
            Err(_) => panic!("no matching IM event within 15 s"),
        }
    }
}

/// A roster store a test keeps a handle on across clients.
#[derive(Clone, Default)]
pub(crate) struct KeptRosterStore(
    pub(crate) std::sync::Arc<std::sync::Mutex<openxmpp::im::roster::MemoryRosterStore>>,
);

impl openxmpp::im::roster::RosterStore for KeptRosterStore {
    fn load(&self) -> Option<(String, Vec<openxmpp::im::roster::RosterItem>)> {
        self.0.lock().unwrap().load()
    }

    fn save(&mut self, version: &str, items: &[openxmpp::im::roster::RosterItem]) {
        self.0.lock().unwrap().save(version, items);
    }

    fn clear(&mut self) {
        self.0.lock().unwrap().clear();
    }
}

/// Signs `account` in on `server` and waits until its initial presence is reflected.
pub(crate) async fn signed_in(
    server: &TestServer,
    account: &Account,
    security: Security,
) -> (Client, Events) {
    let (client, mut events) = builder(server, account, security)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", account.jid));
    go_available(&client, &mut events).await;
    (client, events)
}
