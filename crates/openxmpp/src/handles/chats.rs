//! The chats handle.

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::Message;
use openxmpp_im::chat_states::ChatState;
use openxmpp_im::chats::ConversationKey;
use openxmpp_im::correction::Replace;
use openxmpp_im::markers::{Markable, Marker};
use openxmpp_im::stanza_id::OriginId;

use crate::{Client, Error};

/// One-to-one conversations (RFC 6121 §5). Received messages arrive as
/// [`ImEvent::Message`](crate::ImEvent::Message) events, keyed by contact and thread; replies
/// go to the resource the contact wrote from until its presence changes.
///
/// ```no_run
/// use openxmpp::im::chats::ConversationKey;
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let romeo = "romeo@example.net".parse().unwrap();
/// let id = client.chats().send(&romeo, "Wherefore art thou?").await?;
/// client.chats().correct(&ConversationKey::with(romeo), &id, "Wherefore art thou, Romeo?").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ChatsHandle<'a> {
    pub(crate) client: &'a Client,
}

impl ChatsHandle<'_> {
    /// Where a message to `contact` goes now: the resource it last wrote from (until its
    /// presence changes, RFC 6121 §5.1), else its bare JID.
    pub fn address(&self, contact: &BareJid) -> Jid {
        self.client.im.lock().chats().address(contact)
    }

    /// Sends `body` to `contact` outside any thread; returns the message id.
    pub async fn send(&self, contact: &BareJid, body: &str) -> Result<String, Error> {
        self.send_in(&ConversationKey::with(contact.clone()), body)
            .await
    }

    /// Sends `body` in `conversation` (its thread, if any); returns the message id.
    pub async fn send_in(
        &self,
        conversation: &ConversationKey,
        body: &str,
    ) -> Result<String, Error> {
        let message = self
            .client
            .im
            .lock()
            .chats_mut()
            .compose(conversation, body);
        let message = message.with_payload(Markable.into());
        self.send_message(message).await
    }

    /// Sends a message built by hand (any type, several `xml:lang` bodies, a subject, a
    /// thread…). Without an id it gets one, which is also its origin-id (XEP-0359).
    /// Returns the id.
    pub async fn send_message(&self, mut message: Message) -> Result<String, Error> {
        let id = match &message.header.id {
            Some(id) => id.clone(),
            None => {
                let id = self.client.im.lock().chats_mut().next_id();
                message.header.id = Some(id.clone());
                message.payloads.push(OriginId::new(id.clone()).into());
                id
            }
        };
        self.client.send(message).await?;
        Ok(id)
    }

    /// Replaces the text of our message `id` in `conversation` (XEP-0308).
    pub async fn correct(
        &self,
        conversation: &ConversationKey,
        id: &str,
        body: &str,
    ) -> Result<String, Error> {
        let message = self
            .client
            .im
            .lock()
            .chats_mut()
            .compose(conversation, body)
            .with_payload(Replace::new(id).into());
        self.send_message(message).await
    }

    /// Tells the contact what we are doing in `conversation` (XEP-0085).
    pub async fn chat_state(
        &self,
        conversation: &ConversationKey,
        state: ChatState,
    ) -> Result<(), Error> {
        let to = self.client.im.lock().chats().address(&conversation.peer);
        let mut message = Message::new(openxmpp_core::stanza::MessageType::Chat, Some(to))
            .with_payload(state.into());
        if let Some(thread) = &conversation.thread {
            message = message.with_thread(thread.clone(), None);
        }
        self.client.send(message).await
    }

    /// Marks the contact's message `id` as received, displayed or acknowledged (XEP-0333).
    pub async fn mark(&self, conversation: &ConversationKey, marker: Marker) -> Result<(), Error> {
        let to = self.client.im.lock().chats().address(&conversation.peer);
        let mut message = Message::new(openxmpp_core::stanza::MessageType::Chat, Some(to))
            .with_payload(marker.into());
        if let Some(thread) = &conversation.thread {
            message = message.with_thread(thread.clone(), None);
        }
        self.client.send(message).await
    }
}
