//! Presence subscriptions (RFC 6121 §3): incoming requests kept until answered, the answers
//! of others, and the presences that request, approve, deny, cancel and unsubscribe.

use std::collections::BTreeMap;

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::{Presence, PresenceType};

/// Something a contact did about a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionEvent {
    /// `from` asks to see our presence; it stays pending until approved or denied.
    Requested {
        /// Who asks.
        from: BareJid,
        /// The text they sent with the request, if any.
        status: Option<String>,
    },
    /// `from` approved our request: we now receive their presence.
    Approved {
        /// Who approved.
        from: BareJid,
    },
    /// `from` denied our request, or cancelled our existing subscription.
    Refused {
        /// Who refused.
        from: BareJid,
    },
    /// `from` no longer wants our presence.
    Unsubscribed {
        /// Who left.
        from: BareJid,
    },
}

/// Incoming subscription requests waiting for an answer, and the presences to answer with.
///
/// ```
/// use openxmpp_im::subscriptions::{Subscriptions, SubscriptionEvent};
/// use openxmpp_im::core::stanza::{Presence, PresenceType};
///
/// let mut subs = Subscriptions::default();
/// let mut request = Presence::new(PresenceType::Subscribe, None);
/// request.header.from = Some("romeo@example.net".parse()?);
/// assert!(matches!(subs.handle(&request), Some(SubscriptionEvent::Requested { .. })));
/// let answer = subs.approve(&"romeo@example.net".parse()?);
/// assert_eq!(answer.kind, PresenceType::Subscribed);
/// assert_eq!(subs.pending().count(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Subscriptions {
    pending: BTreeMap<String, (BareJid, Option<String>)>,
}

/// At most this many subscription requests wait for an answer; further requests (a flood) are
/// dropped until some are answered.
pub const MAX_PENDING: usize = 1_000;
/// The text of a request is kept up to this many bytes (cut at a character boundary).
pub const MAX_REQUEST_TEXT_LEN: usize = 1024;

impl Subscriptions {
    /// Applies an incoming presence; returns the subscription event it carries, if any.
    /// Requests from the same contact are kept once (the latest text wins); at most
    /// [`MAX_PENDING`] requests are kept (later ones are dropped, with no event), their text up
    /// to [`MAX_REQUEST_TEXT_LEN`] bytes.
    pub fn handle(&mut self, presence: &Presence) -> Option<SubscriptionEvent> {
        let from = presence.header.from.as_ref()?.to_bare();
        match presence.kind {
            PresenceType::Subscribe => {
                if !self.pending.contains_key(from.as_str()) && self.pending.len() >= MAX_PENDING {
                    tracing::warn!(%from, "too many subscription requests pending: dropped");
                    return None;
                }
                let status = presence.status().map(|text| {
                    let mut end = text.len().min(MAX_REQUEST_TEXT_LEN);
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.get(..end).unwrap_or_default().to_owned()
                });
                self.pending
                    .insert(from.as_str().to_owned(), (from.clone(), status.clone()));
                Some(SubscriptionEvent::Requested { from, status })
            }
            PresenceType::Subscribed => Some(SubscriptionEvent::Approved { from }),
            PresenceType::Unsubscribed => Some(SubscriptionEvent::Refused { from }),
            PresenceType::Unsubscribe => {
                // A pending request they withdrew is no longer pending either.
                self.pending.remove(from.as_str());
                Some(SubscriptionEvent::Unsubscribed { from })
            }
            _ => None,
        }
    }

    /// The contacts waiting for an answer, with the text of their request.
    pub fn pending(&self) -> impl Iterator<Item = (&BareJid, Option<&str>)> {
        self.pending
            .values()
            .map(|(jid, text)| (jid, text.as_deref()))
    }

    /// Approves `jid`'s request (or pre-approves it, where the server offers pre-approval,
    /// RFC 6121 §3.4): the presence to send.
    pub fn approve(&mut self, jid: &BareJid) -> Presence {
        self.pending.remove(jid.as_str());
        Presence::subscribed(Jid::from(jid.clone()))
    }

    /// Denies `jid`'s request: the presence to send.
    pub fn deny(&mut self, jid: &BareJid) -> Presence {
        self.pending.remove(jid.as_str());
        Presence::unsubscribed(Jid::from(jid.clone()))
    }

    /// Asks to see `jid`'s presence.
    pub fn request(jid: &BareJid) -> Presence {
        Presence::subscribe(Jid::from(jid.clone()))
    }

    /// Stops `jid` from seeing our presence (cancels its subscription).
    pub fn cancel(jid: &BareJid) -> Presence {
        Presence::unsubscribed(Jid::from(jid.clone()))
    }

    /// Stops receiving `jid`'s presence.
    pub fn unsubscribe(jid: &BareJid) -> Presence {
        Presence::unsubscribe(Jid::from(jid.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};
    use openxmpp_core::xml::Element;

    fn presence(text: &str) -> Presence {
        Presence::try_from(element(text)).unwrap()
    }

    #[test]
    fn requests_stay_pending_until_answered() {
        let mut subs = Subscriptions::default();
        let event = subs.handle(&presence(
            "<presence from='romeo@example.net' type='subscribe'><status>It's Romeo</status></presence>",
        ));
        assert!(
            matches!(event, Some(SubscriptionEvent::Requested { status: Some(s), .. }) if s == "It's Romeo")
        );
        subs.handle(&presence(
            "<presence from='nurse@example.com/kitchen' type='subscribe'/>",
        ));
        subs.handle(&presence(
            "<presence from='romeo@example.net' type='subscribe'/>",
        ));
        let pending: Vec<_> = subs.pending().map(|(j, _)| j.as_str().to_owned()).collect();
        assert_eq!(pending, ["nurse@example.com", "romeo@example.net"]);
        let answer = subs.approve(&"romeo@example.net".parse().unwrap());
        assert_eq!(
            xml(&Element::from(answer)),
            "<presence xmlns='jabber:client' to='romeo@example.net' type='subscribed'/>"
        );
        let answer = subs.deny(&"nurse@example.com".parse().unwrap());
        assert_eq!(answer.kind, PresenceType::Unsubscribed);
        assert_eq!(subs.pending().count(), 0);
    }

    #[test]
    fn answers_and_departures_are_events() {
        let mut subs = Subscriptions::default();
        for (kind, check) in [
            ("subscribed", "approved"),
            ("unsubscribed", "refused"),
            ("unsubscribe", "unsubscribed"),
        ] {
            let event = subs.handle(&presence(&format!(
                "<presence from='romeo@example.net/x' type='{kind}'/>"
            )));
            let ok = match (check, event) {
                ("approved", Some(SubscriptionEvent::Approved { from })) => {
                    from.as_str() == "romeo@example.net"
                }
                ("refused", Some(SubscriptionEvent::Refused { .. })) => true,
                ("unsubscribed", Some(SubscriptionEvent::Unsubscribed { .. })) => true,
                _ => false,
            };
            assert!(ok, "{kind}");
        }
        assert!(
            subs.handle(&presence("<presence from='romeo@example.net/x'/>"))
                .is_none()
        );
    }

    #[test]
    fn a_withdrawn_request_is_no_longer_pending() {
        let mut subs = Subscriptions::default();
        subs.handle(&presence(
            "<presence from='romeo@example.net' type='subscribe'/>",
        ));
        subs.handle(&presence(
            "<presence from='romeo@example.net' type='unsubscribe'/>",
        ));
        assert_eq!(subs.pending().count(), 0);
    }

    #[test]
    fn the_builders_address_bare_jids() {
        let jid: BareJid = "romeo@example.net".parse().unwrap();
        for (p, kind) in [
            (Subscriptions::request(&jid), "subscribe"),
            (Subscriptions::cancel(&jid), "unsubscribed"),
            (Subscriptions::unsubscribe(&jid), "unsubscribe"),
        ] {
            assert_eq!(
                xml(&Element::from(p)),
                format!("<presence xmlns='jabber:client' to='romeo@example.net' type='{kind}'/>")
            );
        }
    }
}
