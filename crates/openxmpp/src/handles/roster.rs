//! The roster handle.

use openxmpp_core::jid::BareJid;
use openxmpp_im::roster::{RosterItem, RosterQuery};

use crate::{Client, Error};

/// The roster (RFC 6121 §2), fetched at login and kept current by the server's pushes, which
/// also arrive as [`ImEvent::Roster`](crate::ImEvent::Roster) events.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let romeo = "romeo@example.net".parse().unwrap();
/// client.roster().add(&romeo, Some("Romeo"), ["Friends"]).await?;
/// for item in client.roster().items() {
///     println!("{} {:?} {:?}", item.jid, item.name, item.groups);
/// }
/// client.roster().remove(&romeo).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RosterHandle<'a> {
    pub(crate) client: &'a Client,
}

impl RosterHandle<'_> {
    /// Every contact, ordered by JID.
    pub fn items(&self) -> Vec<RosterItem> {
        self.client.im.lock().roster().items().cloned().collect()
    }

    /// The contact `jid`, if in the roster.
    pub fn get(&self, jid: &BareJid) -> Option<RosterItem> {
        self.client.im.lock().roster().get(jid).cloned()
    }

    /// The roster version, when the server versions the roster.
    pub fn version(&self) -> Option<String> {
        self.client.im.lock().roster().version().map(str::to_owned)
    }

    /// Adds `jid` (or updates it) with a display name and groups. The change arrives as a
    /// roster push once the server has made it.
    pub async fn add<G: Into<String>>(
        &self,
        jid: &BareJid,
        name: Option<&str>,
        groups: impl IntoIterator<Item = G>,
    ) -> Result<(), Error> {
        let mut item = RosterItem::new(jid.clone());
        if let Some(name) = name {
            item = item.with_name(name);
        }
        for group in groups {
            item = item.with_group(group);
        }
        self.set(item).await
    }

    /// Writes `item` (its name and groups; the subscription is the server's to change).
    pub async fn set(&self, item: RosterItem) -> Result<(), Error> {
        self.client.request(RosterQuery::set_item(item)).await?;
        Ok(())
    }

    /// Removes `jid` from the roster, which also cancels subscriptions both ways
    /// (RFC 6121 §2.5).
    pub async fn remove(&self, jid: &BareJid) -> Result<(), Error> {
        self.client
            .request(RosterQuery::remove(jid.clone()))
            .await?;
        Ok(())
    }
}
