//! What the app asks of the client, and what came of it.

use openxmpp::im::chat_states::ChatState;
use openxmpp::im::chats::ConversationKey;
use openxmpp::im::correction::Replace;
use openxmpp::im::mam::ArchivedMessage;
use openxmpp::im::markers::{Markable, Marker};
use openxmpp::im::receipts;
use openxmpp::im::stanza_id::OriginId;
use openxmpp::stanza::Message;
use openxmpp::{BareJid, Client};

use crate::domain::errors;
use crate::domain::presence::MyPresence;
use crate::domain::time::ms_timestamp;

/// The most messages one archive catch-up fetches.
pub(crate) const CATCH_UP_LIMIT: usize = 1_000;

/// Something for the client to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Send a chat message with our id (and a receipt request, markable, active state).
    SendChat {
        /// To whom.
        peer: BareJid,
        /// Our id for it.
        id: String,
        /// The text.
        body: String,
        /// The id of our message it corrects (XEP-0308).
        replaces: Option<String>,
    },
    /// Tell `peer` what we are doing (XEP-0085).
    ChatState {
        /// To whom.
        peer: BareJid,
        /// The state.
        state: ChatState,
    },
    /// Tell `peer` we displayed their message `id` (XEP-0333).
    MarkDisplayed {
        /// To whom.
        peer: BareJid,
        /// Their message.
        id: String,
    },
    /// Show this presence (not `Offline`: that closes the session).
    SetPresence {
        /// The availability.
        presence: MyPresence,
        /// The status text (empty: none).
        status: String,
    },
    /// Add a contact and ask to see their presence.
    AddContact {
        /// Who.
        jid: BareJid,
        /// The name to show (none: the JID).
        name: Option<String>,
        /// The group (none: ungrouped).
        group: Option<String>,
    },
    /// Rename a contact or change its groups.
    UpdateContact {
        /// Who.
        jid: BareJid,
        /// The name.
        name: Option<String>,
        /// The groups.
        groups: Vec<String>,
    },
    /// Remove a contact (and the subscriptions both ways).
    RemoveContact {
        /// Who.
        jid: BareJid,
    },
    /// Let `jid` see our presence; with `add_back`, also ask to see theirs.
    Approve {
        /// Who.
        jid: BareJid,
        /// Also subscribe to them (adding them to the roster).
        add_back: bool,
    },
    /// Refuse `jid`'s request.
    Deny {
        /// Who.
        jid: BareJid,
    },
    /// Join a room.
    JoinRoom {
        /// The room.
        room: BareJid,
        /// Our nickname.
        nick: String,
    },
    /// Leave a room.
    LeaveRoom {
        /// The room.
        room: BareJid,
    },
    /// Say something in a room.
    SayInRoom {
        /// The room.
        room: BareJid,
        /// What.
        body: String,
    },
    /// Fetch what the archive has since `since_ms` that did not arrive live.
    CatchUp {
        /// Since when, in Unix milliseconds.
        since_ms: i64,
    },
}

impl Command {
    /// What it does, for error messages ("Could not …").
    pub fn describe(&self) -> String {
        match self {
            Command::SendChat { peer, .. } => format!("send the message to {peer}"),
            Command::ChatState { .. } => "send the typing notification".to_owned(),
            Command::MarkDisplayed { .. } => "send the read marker".to_owned(),
            Command::SetPresence { .. } => "change your presence".to_owned(),
            Command::AddContact { jid, .. } => format!("add {jid}"),
            Command::UpdateContact { jid, .. } => format!("change {jid}"),
            Command::RemoveContact { jid } => format!("remove {jid}"),
            Command::Approve { jid, .. } => format!("approve {jid}"),
            Command::Deny { jid } => format!("deny {jid}"),
            Command::JoinRoom { room, .. } => format!("join {room}"),
            Command::LeaveRoom { room } => format!("leave {room}"),
            Command::SayInRoom { room, .. } => format!("send the message to {room}"),
            Command::CatchUp { .. } => "fetch the message archive".to_owned(),
        }
    }
}

/// What came of a command.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It was done.
    Done,
    /// Our chat message went out.
    Sent {
        /// To whom.
        peer: BareJid,
        /// Its id.
        id: String,
    },
    /// Our chat message could not be sent.
    NotSent {
        /// To whom.
        peer: BareJid,
        /// Its id.
        id: String,
        /// Why.
        error: String,
    },
    /// The archive's messages since the catch-up's start, oldest first.
    Archive {
        /// The messages.
        messages: Vec<ArchivedMessage>,
    },
    /// The room let us in.
    Joined {
        /// The room.
        room: BareJid,
        /// Our nickname there.
        nick: String,
    },
    /// The room did not.
    JoinFailed {
        /// The room.
        room: BareJid,
        /// Why.
        error: String,
    },
    /// It failed; the words for the user.
    Failed {
        /// What went wrong.
        error: String,
    },
}

/// The message [`Command::SendChat`] sends.
fn chat_message(
    client: &Client,
    peer: &BareJid,
    id: &str,
    body: &str,
    replaces: Option<&str>,
) -> Message {
    let mut message = Message::chat(client.chats().address(peer), body)
        .with_id(id)
        .with_payload(OriginId::new(id).into())
        .with_payload(Markable.into())
        .with_payload(ChatState::Active.into());
    if let Some(replaced) = replaces {
        message = message.with_payload(Replace::new(replaced).into());
    }
    match receipts::with_request(message.clone()) {
        Ok(with_request) => with_request,
        Err(_) => message,
    }
}

/// Carries out `command` with `client`.
pub async fn execute(client: Client, command: Command) -> Outcome {
    let what = command.describe();
    let failed = |e: openxmpp::Error| Outcome::Failed {
        error: errors::action(&what, &e),
    };
    let done = |r: Result<(), openxmpp::Error>| r.map_or_else(failed, |()| Outcome::Done);
    match command {
        Command::SendChat {
            peer,
            id,
            body,
            replaces,
        } => {
            let message = chat_message(&client, &peer, &id, &body, replaces.as_deref());
            match client.chats().send_message(message).await {
                Ok(_) => Outcome::Sent { peer, id },
                Err(e) => Outcome::NotSent {
                    peer,
                    id,
                    error: errors::action(&what, &e),
                },
            }
        }
        Command::ChatState { peer, state } => done(
            client
                .chats()
                .chat_state(&ConversationKey::with(peer), state)
                .await,
        ),
        Command::MarkDisplayed { peer, id } => done(
            client
                .chats()
                .mark(&ConversationKey::with(peer), Marker::Displayed { id })
                .await,
        ),
        Command::SetPresence { presence, status } => {
            let status = Some(status.trim()).filter(|s| !s.is_empty());
            done(client.presence().set(presence.show(), status, 0).await)
        }
        Command::AddContact { jid, name, group } => {
            let added = client.roster().add(&jid, name.as_deref(), group).await;
            match added {
                Ok(()) => done(client.subscriptions().request(&jid, None).await),
                Err(e) => failed(e),
            }
        }
        Command::UpdateContact { jid, name, groups } => {
            done(client.roster().add(&jid, name.as_deref(), groups).await)
        }
        Command::RemoveContact { jid } => done(client.roster().remove(&jid).await),
        Command::Approve { jid, add_back } => {
            if let Err(e) = client.subscriptions().approve(&jid).await {
                return failed(e);
            }
            if add_back {
                if client.roster().get(&jid).is_none() {
                    let empty: [&str; 0] = [];
                    if let Err(e) = client.roster().add(&jid, None, empty).await {
                        return failed(e);
                    }
                }
                return done(client.subscriptions().request(&jid, None).await);
            }
            Outcome::Done
        }
        Command::Deny { jid } => done(client.subscriptions().deny(&jid).await),
        Command::JoinRoom { room, nick } => match client.muc().join(&room, &nick).await {
            Ok(nick) => Outcome::Joined { room, nick },
            Err(e) => Outcome::JoinFailed {
                room,
                error: errors::action(&what, &e),
            },
        },
        Command::LeaveRoom { room } => done(client.muc().leave(&room, None).await),
        Command::SayInRoom { room, body } => done(client.muc().say(&room, &body).await.map(|_| ())),
        Command::CatchUp { since_ms } => {
            let Some(since) = ms_timestamp(since_ms) else {
                return Outcome::Archive {
                    messages: Vec::new(),
                };
            };
            match client.archive().catch_up(since, CATCH_UP_LIMIT).await {
                Ok(messages) => Outcome::Archive { messages },
                Err(e) => failed(e),
            }
        }
    }
}
