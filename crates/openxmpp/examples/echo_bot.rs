//! An echo bot: answers every chat message with the same text, and accepts every
//! subscription request.
//!
//! ```sh
//! XMPP_PASSWORD=secret cargo run -p openxmpp --example echo_bot -- bot@example.org
//! # against a private test server: cargo xtask servers prosody, then
//! XMPP_PASSWORD=… cargo run -p openxmpp --example echo_bot -- user0@localhost 127.0.0.1:PORT CA.pem
//! ```
//!
//! The password comes from the `XMPP_PASSWORD` environment variable, never the command line.
//! Optional arguments: `HOST:PORT` to skip the SRV lookup, and a CA file to trust in addition
//! to the platform's roots. Set `RUST_LOG=debug` to see the protocol's progress.

use openxmpp::im::chats::Direction;
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::{Client, Event, ImEvent};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let jid = args
        .next()
        .ok_or("usage: echo_bot JID [HOST:PORT [CA.pem]]")?;
    let password = std::env::var("XMPP_PASSWORD").map_err(|_| "set XMPP_PASSWORD")?;
    let mut builder = Client::builder(jid, password).resource("echo-bot");
    if let Some(server) = args.next() {
        let (host, port) = server.rsplit_once(':').ok_or("HOST:PORT expected")?;
        builder = builder.server(host, port.parse()?);
    }
    if let Some(ca) = args.next() {
        builder = builder.add_ca_file(ca);
    }
    let (client, mut events) = builder.connect().await?;
    println!("online as {}", client.jid());
    // The client fetches the roster and sends presence by itself (again after a reconnect).
    while let Some(event) = events.next().await {
        match event {
            Event::Im {
                event: ImEvent::Message { message },
            } if message.direction == Direction::Incoming => {
                let Some(body) = message.message.body() else {
                    continue;
                };
                // The reply goes to the resource that wrote, in the same thread.
                client.chats().send_in(&message.conversation, body).await?;
            }
            Event::Im {
                event:
                    ImEvent::Subscription {
                        event: SubscriptionEvent::Requested { from, .. },
                    },
            } => client.subscriptions().approve(&from).await?,
            Event::Reconnecting { attempt, delay } => {
                println!("connection lost; reconnecting (attempt {attempt}) in {delay:.1?}");
            }
            Event::Disconnected { error: Some(error) } => println!("disconnected: {error}"),
            _ => {}
        }
    }
    Ok(())
}
