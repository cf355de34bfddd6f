//! The multi-user chat handle (XEP-0045).

use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::Message;
use openxmpp_im::muc::{JoinOptions, MucEvent, Room, instant_room};
use openxmpp_im::session::JoinOutcome;

use crate::{Client, Error};

/// Multi-user chat (XEP-0045): join rooms (emoji nicknames welcome), talk, follow occupants.
/// Everything that happens in a room arrives as [`ImEvent::Muc`](crate::ImEvent::Muc).
/// Rooms are rejoined after a reconnect that could not resume, asking only for the history
/// since the connection was lost.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let room = "balcony@conference.example.com".parse().unwrap();
/// let nick = client.muc().join(&room, "Juliet 🌹").await?;
/// client.muc().say(&room, "Good morrow!").await?;
/// client.muc().leave(&room, Some("Parting is such sweet sorrow")).await?;
/// # let _ = nick;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MucHandle<'a> {
    pub(crate) client: &'a Client,
}

impl MucHandle<'_> {
    /// Joins `room` as `nick` and waits until the room lets us in; returns our nickname as
    /// the room has it. A room our join creates is opened with the default configuration
    /// (an instant room).
    pub async fn join(&self, room: &BareJid, nick: &str) -> Result<String, Error> {
        self.join_with(room, nick, JoinOptions::default()).await
    }

    /// Joins with a password or a history request.
    pub async fn join_with(
        &self,
        room: &BareJid,
        nick: &str,
        options: JoinOptions,
    ) -> Result<String, Error> {
        let presence = self
            .client
            .im
            .lock()
            .join_room(room.clone(), nick, options)
            .map_err(|e| Error::Muc(e.to_string()))?;
        self.client.send(presence).await?;
        let deadline = tokio::time::Instant::now() + self.client.iq_timeout;
        let outcome = self
            .client
            .im
            .wait_until(deadline, |im| im.take_join_outcome(room))
            .await;
        match outcome {
            Some(JoinOutcome::Joined { nick, created }) => {
                if created {
                    // A new room stays locked until configured: accept the defaults
                    // (an instant room, XEP-0045 §10.1.2).
                    self.client.request(instant_room(room, "")).await?;
                }
                Ok(nick)
            }
            Some(JoinOutcome::Failed { event }) => match *event {
                MucEvent::JoinFailed { reason, error, .. } => Err(Error::MucJoin {
                    room: room.to_string(),
                    reason: reason.to_string(),
                    error: Box::new(error),
                }),
                other => Err(Error::Muc(format!("{other:?}"))),
            },
            None => Err(Error::Timeout {
                seconds: self.client.iq_timeout.as_secs(),
            }),
        }
    }

    /// Leaves `room` with an optional parting status.
    pub async fn leave(&self, room: &BareJid, status: Option<&str>) -> Result<(), Error> {
        let presence = self.client.im.lock().leave_room(room, status);
        match presence {
            Some(presence) => self.client.send(presence).await,
            None => Err(Error::Muc(format!("not in {room}"))),
        }
    }

    /// Sends `body` to everyone in `room`; returns the message id (the room echoes it back).
    pub async fn say(&self, room: &BareJid, body: &str) -> Result<String, Error> {
        let message = self.in_room(room, |im| im.rooms().message(room, body))?;
        self.client.chats().send_message(message).await
    }

    /// Sets the room's subject (if our role allows it).
    pub async fn set_subject(&self, room: &BareJid, subject: &str) -> Result<String, Error> {
        let message = self.in_room(room, |im| im.rooms().subject(room, subject))?;
        self.client.chats().send_message(message).await
    }

    /// Sends a private message to the occupant `nick` of `room`.
    pub async fn private_message(
        &self,
        room: &BareJid,
        nick: &str,
        body: &str,
    ) -> Result<String, Error> {
        let message = self
            .client
            .im
            .lock()
            .rooms()
            .private_message(room, nick, body)
            .map_err(|e| Error::Muc(e.to_string()))?;
        self.client.chats().send_message(message).await
    }

    /// Changes our nickname in `room`.
    pub async fn change_nick(&self, room: &BareJid, nick: &str) -> Result<(), Error> {
        let presence = self
            .client
            .im
            .lock()
            .change_room_nick(room, nick)
            .map_err(|e| Error::Muc(e.to_string()))?;
        self.client.send(presence).await
    }

    /// The room `room` as we know it (our nickname, occupants with roles, subject).
    pub fn room(&self, room: &BareJid) -> Option<Room> {
        self.client.im.lock().rooms().room(room).cloned()
    }

    /// Every room we are in, joining or leaving.
    pub fn rooms(&self) -> Vec<Room> {
        self.client.im.lock().rooms().rooms().cloned().collect()
    }

    fn in_room(
        &self,
        room: &BareJid,
        build: impl FnOnce(&openxmpp_im::session::Session<crate::session::SharedRosterStore>) -> Message,
    ) -> Result<Message, Error> {
        let im = self.client.im.lock();
        if im.rooms().room(room).is_none() {
            return Err(Error::Muc(format!("not in {room}")));
        }
        Ok(build(&im))
    }
}
