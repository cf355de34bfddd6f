//! The blocklist handle.

use openxmpp_core::jid::Jid;
use openxmpp_im::blocking::{Block, Unblock};

use crate::{Client, Error};

/// Blocking (XEP-0191): the blocklist is fetched at login (when the blocking module is on)
/// and kept current by the server's pushes, also reported as
/// [`ImEvent::Blocklist`](crate::ImEvent::Blocklist) events.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// client.blocklist().block(["spam@example.org".parse().unwrap()]).await?;
/// assert!(client.blocklist().is_blocked("spam@example.org"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BlocklistHandle<'a> {
    pub(crate) client: &'a Client,
}

impl BlocklistHandle<'_> {
    /// The blocked JIDs, once fetched.
    pub fn jids(&self) -> Option<Vec<String>> {
        self.client
            .im
            .lock()
            .blocklist()
            .map(|list| list.map(str::to_owned).collect())
    }

    /// Whether `jid` is on the blocklist (as written there).
    pub fn is_blocked(&self, jid: &str) -> bool {
        self.client
            .im
            .lock()
            .blocklist()
            .is_some_and(|mut list| list.any(|j| j == jid))
    }

    /// Blocks `jids` (at least one).
    pub async fn block(&self, jids: impl IntoIterator<Item = Jid>) -> Result<(), Error> {
        let block =
            Block::new(jids).ok_or(Error::InvalidArgument("block needs at least one JID"))?;
        self.client.request(block.into_iq("")).await?;
        Ok(())
    }

    /// Unblocks `jids` (at least one; see [`unblock_all`](Self::unblock_all)).
    pub async fn unblock(&self, jids: impl IntoIterator<Item = Jid>) -> Result<(), Error> {
        let unblock =
            Unblock::new(jids).ok_or(Error::InvalidArgument("unblock needs at least one JID"))?;
        self.client.request(unblock.into_iq("")).await?;
        Ok(())
    }

    /// Unblocks everyone.
    pub async fn unblock_all(&self) -> Result<(), Error> {
        self.client.request(Unblock::all().into_iq("")).await?;
        Ok(())
    }
}
