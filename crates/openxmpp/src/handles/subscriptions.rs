//! The subscriptions handle.

use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::Presence;
use openxmpp_im::subscriptions::Subscriptions;

use crate::{Client, Error};

/// Presence subscriptions (RFC 6121 §3). Requests from contacts arrive as
/// [`ImEvent::Subscription`](crate::ImEvent::Subscription) events and stay in
/// [`pending`](SubscriptionsHandle::pending) until answered.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let romeo = "romeo@example.net".parse().unwrap();
/// client.subscriptions().request(&romeo, Some("It's Juliet")).await?;
/// for (contact, _text) in client.subscriptions().pending() {
///     client.subscriptions().approve(&contact).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionsHandle<'a> {
    pub(crate) client: &'a Client,
}

impl SubscriptionsHandle<'_> {
    /// Contacts waiting for an answer, with the text of their request.
    pub fn pending(&self) -> Vec<(BareJid, Option<String>)> {
        self.client
            .im
            .lock()
            .subscriptions()
            .pending()
            .map(|(jid, text)| (jid.clone(), text.map(str::to_owned)))
            .collect()
    }

    /// Asks to see `contact`'s presence, with an optional text for them.
    pub async fn request(&self, contact: &BareJid, text: Option<&str>) -> Result<(), Error> {
        let mut presence = Subscriptions::request(contact);
        if let Some(text) = text {
            presence = presence.with_status(None, text);
        }
        self.client.send(presence).await
    }

    /// Lets `contact` see our presence (answering their request).
    pub async fn approve(&self, contact: &BareJid) -> Result<(), Error> {
        let presence = self.client.im.lock().approve(contact);
        self.client.send(presence).await
    }

    /// Lets `contact` see our presence before they ask (RFC 6121 §3.4), where the server
    /// offers pre-approval.
    pub async fn preapprove(&self, contact: &BareJid) -> Result<(), Error> {
        if !self.client.im.lock().pre_approval() {
            return Err(Error::Unsupported {
                feature: "subscription pre-approval (RFC 6121 §3.4)",
            });
        }
        self.approve(contact).await
    }

    /// Refuses `contact`'s request.
    pub async fn deny(&self, contact: &BareJid) -> Result<(), Error> {
        let presence = self.client.im.lock().deny(contact);
        self.client.send(presence).await
    }

    /// Stops `contact` from seeing our presence.
    pub async fn cancel(&self, contact: &BareJid) -> Result<(), Error> {
        self.client.send(Subscriptions::cancel(contact)).await
    }

    /// Stops receiving `contact`'s presence.
    pub async fn unsubscribe(&self, contact: &BareJid) -> Result<(), Error> {
        self.client.send(Subscriptions::unsubscribe(contact)).await
    }

    /// Sends a subscription presence built by hand.
    pub async fn send(&self, presence: Presence) -> Result<(), Error> {
        self.client.send(presence).await
    }
}
