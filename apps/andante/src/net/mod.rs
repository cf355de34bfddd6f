//! The network: the session as an iced subscription that signs in and then feeds every client
//! event to the app as a typed message (as halloy does), and the commands the app asks the
//! client to carry out, each an async call on the library's handles.

mod commands;
pub mod register;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use iced::Subscription;
use iced::futures::SinkExt;
use openxmpp::{Client, Event};

pub use commands::{Command, Outcome, execute};

use crate::domain::account::SignIn;
use crate::domain::errors;

/// At most this many client events are delivered in one message (a roster of thousands
/// comes online at once; one update per event would redraw for each).
const MAX_BATCH: usize = 512;

/// What the session subscription reports.
#[derive(Debug, Clone)]
pub enum NetEvent {
    /// Signed in: the client to send with.
    Connected {
        /// The session's client.
        client: Client,
    },
    /// Signing in failed; the words for the user.
    Failed {
        /// What went wrong.
        error: String,
    },
    /// Events of the client, in order.
    Events(Vec<Event>),
    /// The event stream ended: the session is over for good.
    Ended,
}

/// A session the app wants running: a sign-in, numbered so that signing in again starts a
/// new one.
#[derive(Debug, Clone)]
pub struct SessionRequest {
    /// Which attempt this is.
    pub id: u64,
    /// The account and options.
    pub sign_in: Arc<SignIn>,
}

impl Hash for SessionRequest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// The subscription that runs `request`'s session.
pub fn session(request: SessionRequest) -> Subscription<NetEvent> {
    Subscription::run_with(request, |request| run(request.clone()))
}

fn run(request: SessionRequest) -> impl iced::futures::Stream<Item = NetEvent> {
    iced::stream::channel(
        64,
        async move |mut out: iced::futures::channel::mpsc::Sender<NetEvent>| {
            let builder = request.sign_in.builder();
            match builder.connect().await {
                Err(error) => {
                    tracing::info!(%error, "signing in failed");
                    let _ = out
                        .send(NetEvent::Failed {
                            error: errors::sign_in(&error),
                        })
                        .await;
                }
                Ok((client, mut events)) => {
                    if out.send(NetEvent::Connected { client }).await.is_err() {
                        return;
                    }
                    while let Some(first) = events.next().await {
                        let mut batch = vec![first];
                        while batch.len() < MAX_BATCH {
                            match events.try_next() {
                                Some(event) => batch.push(event),
                                None => break,
                            }
                        }
                        if out.send(NetEvent::Events(batch)).await.is_err() {
                            return;
                        }
                    }
                    let _ = out.send(NetEvent::Ended).await;
                }
            }
        },
    )
}
