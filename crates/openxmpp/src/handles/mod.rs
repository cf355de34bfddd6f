//! Typed handles on a [`Client`](crate::Client) for each part of instant messaging: what the
//! IM session knows (read without waiting) and what can be asked of the server (async).

mod archive;
mod blocklist;
mod chats;
mod discovery;
mod muc;
mod presence;
mod roster;
mod subscriptions;
mod vcard;

pub use archive::{ArchiveHandle, CATCH_UP_MARGIN};
pub use blocklist::BlocklistHandle;
pub use chats::ChatsHandle;
pub use discovery::DiscoveryHandle;
pub use muc::MucHandle;
pub use presence::PresenceHandle;
pub use roster::RosterHandle;
pub use subscriptions::SubscriptionsHandle;
pub use vcard::VCardHandle;

use openxmpp_core::stanza::{Iq, IqPayload};
use openxmpp_core::xml::Element;

use crate::Error;

/// The payload of a result, or an error naming what was expected.
pub(crate) fn result_payload(iq: Iq, what: &'static str) -> Result<Element, Error> {
    match iq.payload {
        IqPayload::Result(Some(payload)) => Ok(payload),
        _ => Err(Error::InvalidResponse {
            what,
            detail: "the result is empty".to_owned(),
        }),
    }
}

impl crate::Client {
    /// The roster: contacts with names and groups (RFC 6121 §2).
    pub fn roster(&self) -> RosterHandle<'_> {
        RosterHandle { client: self }
    }

    /// Presence subscriptions: requests, answers, pending requests (RFC 6121 §3).
    pub fn subscriptions(&self) -> SubscriptionsHandle<'_> {
        SubscriptionsHandle { client: self }
    }

    /// Our presence and contacts' presence (RFC 6121 §4).
    pub fn presence(&self) -> PresenceHandle<'_> {
        PresenceHandle { client: self }
    }

    /// One-to-one messages and conversations (RFC 6121 §5, XEP-0201, XEP-0085, XEP-0333,
    /// XEP-0308).
    pub fn chats(&self) -> ChatsHandle<'_> {
        ChatsHandle { client: self }
    }

    /// Blocking (XEP-0191).
    pub fn blocklist(&self) -> BlocklistHandle<'_> {
        BlocklistHandle { client: self }
    }

    /// Multi-user chat (XEP-0045).
    pub fn muc(&self) -> MucHandle<'_> {
        MucHandle { client: self }
    }

    /// The message archive (XEP-0313).
    pub fn archive(&self) -> ArchiveHandle<'_> {
        ArchiveHandle { client: self }
    }

    /// vCards (XEP-0054).
    pub fn vcard(&self) -> VCardHandle<'_> {
        VCardHandle { client: self }
    }

    /// Questions to other entities: service discovery (XEP-0030), software version
    /// (XEP-0092), entity time (XEP-0202), ping (XEP-0199).
    pub fn discovery(&self) -> DiscoveryHandle<'_> {
        DiscoveryHandle { client: self }
    }
}
