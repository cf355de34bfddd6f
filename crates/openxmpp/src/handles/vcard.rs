//! The vCard handle (XEP-0054).

use openxmpp_core::jid::BareJid;
use openxmpp_im::vcard::{self, VCard, VCardError};

use crate::{Client, Error};

/// vCard-temp (XEP-0054): fetch our own or a contact's vCard, publish ours.
///
/// ```no_run
/// # async fn run(client: openxmpp::Client) -> Result<(), openxmpp::Error> {
/// let romeo = "romeo@example.net".parse().unwrap();
/// if let Some(card) = client.vcard().fetch(Some(&romeo)).await? {
///     println!("{:?}", card.full_name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VCardHandle<'a> {
    pub(crate) client: &'a Client,
}

impl VCardHandle<'_> {
    /// The vCard of `jid` (`None`: our own); `None` if there is none.
    pub async fn fetch(&self, jid: Option<&BareJid>) -> Result<Option<VCard>, Error> {
        let response = match self.client.request(vcard::request(jid.cloned())).await {
            Ok(iq) => Ok(iq),
            Err(Error::Stanza(error)) => Err(*error),
            Err(other) => return Err(other),
        };
        vcard::from_response(response).map_err(|e| match e {
            VCardError::Refused(error) => Error::Stanza(error),
            other => Error::InvalidResponse {
                what: "vCard",
                detail: other.to_string(),
            },
        })
    }

    /// Publishes our vCard.
    pub async fn publish(&self, card: VCard) -> Result<(), Error> {
        self.client.request(vcard::publish(card)).await?;
        Ok(())
    }
}
