//! The presence handle.

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Presence, Show};
use openxmpp_im::presence::ResourcePresence;

use crate::{Client, Error};

/// Our presence and our contacts' (RFC 6121 §4). Contacts' changes also arrive as
/// [`ImEvent::Presence`](crate::ImEvent::Presence) events.
///
/// ```no_run
/// use openxmpp::stanza::Show;
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// client.presence().set(Some(Show::Away), Some("at the balcony"), 0).await?;
/// let romeo = "romeo@example.net".parse().unwrap();
/// if let Some((resource, presence)) = client.presence().best_resource(&romeo) {
///     println!("talk to {romeo}/{resource}: {:?}", presence.availability);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PresenceHandle<'a> {
    pub(crate) client: &'a Client,
}

impl PresenceHandle<'_> {
    /// Broadcasts our availability: `show` (`None`: plainly available), a status text and a
    /// priority (RFC 6121 §4.7). It is sent again after a reconnect.
    pub async fn set(
        &self,
        show: Option<Show>,
        status: Option<&str>,
        priority: i8,
    ) -> Result<(), Error> {
        let mut presence = Presence::available().with_priority(priority);
        if let Some(show) = show {
            presence = presence.with_show(show);
        }
        if let Some(status) = status {
            presence = presence.with_status(None, status);
        }
        self.send(presence).await
    }

    /// Sends a presence built by hand: without `to` it is our broadcast presence (with our
    /// entity capabilities added; several `xml:lang` statuses are fine), with `to` it is
    /// directed presence, remembered so it is withdrawn when we go offline.
    pub async fn send(&self, presence: Presence) -> Result<(), Error> {
        let (presence, for_rooms) = {
            let mut im = self.client.im.lock();
            let presence = im.outgoing_presence(presence);
            let for_rooms = im.presence_for_rooms(&presence);
            (presence, for_rooms)
        };
        self.client.send(presence).await?;
        // Rooms do not get the server's broadcast: our new presence goes to each one.
        for presence in for_rooms {
            self.client.send(presence).await?;
        }
        Ok(())
    }

    /// Sends available presence to `to` only (RFC 6121 §4.6).
    pub async fn directed(&self, to: Jid, presence: Presence) -> Result<(), Error> {
        self.send(presence.to(to)).await
    }

    /// Withdraws directed presence from `to`.
    pub async fn directed_unavailable(&self, to: Jid) -> Result<(), Error> {
        self.send(Presence::unavailable().to(to)).await
    }

    /// Becomes unavailable to everyone while staying connected.
    pub async fn unavailable(&self, status: Option<&str>) -> Result<(), Error> {
        let presences = self.client.im.lock().closing_presences(status);
        for presence in presences {
            self.client.send(presence).await?;
        }
        Ok(())
    }

    /// The online resources of `contact`, by name ("" for presence from the bare JID).
    pub fn resources(&self, contact: &BareJid) -> Vec<(String, ResourcePresence)> {
        self.client
            .im
            .lock()
            .presence()
            .resources(contact)
            .map(|(r, p)| (r.to_owned(), p.clone()))
            .collect()
    }

    /// The resource to talk to: the highest priority, then the most available.
    pub fn best_resource(&self, contact: &BareJid) -> Option<(String, ResourcePresence)> {
        self.client
            .im
            .lock()
            .presence()
            .best_resource(contact)
            .map(|(r, p)| (r.to_owned(), p.clone()))
    }

    /// Whether `contact` has any online resource.
    pub fn is_online(&self, contact: &BareJid) -> bool {
        self.client.im.lock().presence().is_online(contact)
    }

    /// Where we sent directed presence that is not withdrawn.
    pub fn directed_targets(&self) -> Vec<String> {
        self.client
            .im
            .lock()
            .presence()
            .directed_targets()
            .map(str::to_owned)
            .collect()
    }
}
