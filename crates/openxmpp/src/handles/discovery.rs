//! The discovery handle: questions to other entities.

use std::time::{Duration, Instant};

use openxmpp_core::jid::Jid;
use openxmpp_im::disco::{DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult};
use openxmpp_im::ping::Ping;
use openxmpp_im::time::{EntityTime, EntityTimeQuery};
use openxmpp_im::version::{SoftwareVersion, SoftwareVersionQuery};

use super::result_payload;
use crate::{Client, Error};

/// Asks other entities what they are and do.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let server = "example.com".parse().unwrap();
/// let info = client.discovery().info(&server, None).await?;
/// println!("MAM: {}", info.has_feature("urn:xmpp:mam:2"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DiscoveryHandle<'a> {
    pub(crate) client: &'a Client,
}

fn invalid(what: &'static str, error: impl std::fmt::Display) -> Error {
    Error::InvalidResponse {
        what,
        detail: error.to_string(),
    }
}

impl DiscoveryHandle<'_> {
    /// What `jid` can do, from the entity capabilities (XEP-0115) it advertised in its
    /// presence, once looked up and verified: no request is sent.
    pub fn capabilities(&self, jid: &Jid) -> Option<DiscoInfoResult> {
        self.client.im.lock().capabilities(jid).cloned()
    }

    /// `jid`'s identities and features (XEP-0030), or those of one of its nodes.
    pub async fn info(&self, jid: &Jid, node: Option<&str>) -> Result<DiscoInfoResult, Error> {
        let iq = self
            .client
            .request(DiscoInfoQuery::request(jid.clone(), node))
            .await?;
        DiscoInfoResult::try_from(result_payload(iq, "disco#info")?)
            .map_err(|e| invalid("disco#info", e))
    }

    /// `jid`'s items (XEP-0030), or those of one of its nodes.
    pub async fn items(&self, jid: &Jid, node: Option<&str>) -> Result<DiscoItemsResult, Error> {
        let iq = self
            .client
            .request(DiscoItemsQuery::request(jid.clone(), node))
            .await?;
        DiscoItemsResult::try_from(result_payload(iq, "disco#items")?)
            .map_err(|e| invalid("disco#items", e))
    }

    /// `jid`'s software (XEP-0092).
    pub async fn version(&self, jid: &Jid) -> Result<SoftwareVersion, Error> {
        let iq = self
            .client
            .request(SoftwareVersionQuery::request(jid.clone()))
            .await?;
        SoftwareVersion::try_from(result_payload(iq, "software version")?)
            .map_err(|e| invalid("software version", e))
    }

    /// `jid`'s time (XEP-0202).
    pub async fn time(&self, jid: &Jid) -> Result<EntityTime, Error> {
        let iq = self
            .client
            .request(EntityTimeQuery::request(jid.clone()))
            .await?;
        EntityTime::try_from(result_payload(iq, "entity time")?)
            .map_err(|e| invalid("entity time", e))
    }

    /// Pings `jid` (XEP-0199; `None`: our server) and returns the round-trip time.
    pub async fn ping(&self, jid: Option<&Jid>) -> Result<Duration, Error> {
        let start = Instant::now();
        self.client.request(Ping::request(jid.cloned())).await?;
        Ok(start.elapsed())
    }
}
