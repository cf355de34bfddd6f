//! An echo bot: answers every chat message with the same text.
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

use openxmpp::stanza::{Message, MessageType, Presence, Stanza};
use openxmpp::{Client, Event};

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
    // The first Online event (already queued) triggers the initial presence below.
    while let Some(event) = events.next().await {
        match event {
            Event::Stanza {
                stanza: Stanza::Message(message),
            } if message.kind == MessageType::Chat => {
                let (Some(from), Some(body)) = (message.header.from.clone(), message.body()) else {
                    continue; // chat states, receipts and the like carry no body
                };
                let mut reply = Message::chat(from, body);
                reply.thread = message.thread.clone();
                client.send(reply).await?;
            }
            // A new session after a reconnect needs presence again; a resumed one does not.
            Event::Online { resumed: false, .. } => client.send(Presence::available()).await?,
            Event::Reconnecting { attempt, delay } => {
                println!("connection lost; reconnecting (attempt {attempt}) in {delay:.1?}");
            }
            Event::Disconnected { error: Some(error) } => println!("disconnected: {error}"),
            _ => {}
        }
    }
    Ok(())
}
