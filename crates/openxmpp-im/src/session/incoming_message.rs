//! Messages: errors, carbon copies (only from our own account), receipts, markers, chat
//! states, and chat/normal/headline messages for the conversation layer.

use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Message, MessageType};

use super::{Event, Session};
use crate::carbons::{self, Carbon, CarbonError};
use crate::chats::{Delivery, Direction};
use crate::roster::{RosterStore, Subscription};
use crate::{chat_states, markers, receipts, stanza_id};

impl<S: RosterStore> Session<S> {
    pub(super) fn handle_message(&mut self, message: Message) -> Option<Message> {
        if self.room_message(&message) {
            return None;
        }
        if message.kind == MessageType::Error {
            let from = message
                .header
                .from
                .clone()
                .unwrap_or_else(|| self.account.clone().into());
            let error = message.error.clone().unwrap_or_else(|| {
                openxmpp_core::error::StanzaError::new(
                    openxmpp_core::error::StanzaErrorCondition::UndefinedCondition,
                )
            });
            self.emit(Event::MessageError {
                from,
                id: message.header.id.clone(),
                error,
            });
            return None;
        }
        if !self.archive_queries.is_empty() && self.claim_archive_result(&message) {
            return None;
        }
        match carbons::unwrap_carbon(&message, &self.account) {
            Ok(None) => {}
            Ok(Some(carbon)) => {
                let direction = match carbon {
                    Carbon::Received(_) => Direction::Incoming,
                    Carbon::Sent(_) => Direction::Outgoing,
                };
                let inner = carbon.into_forwarded().into_message()?;
                self.conversation_message(inner, direction, true);
                return None;
            }
            Err(CarbonError::Forged { from, .. }) => {
                self.forgery(Some(&from), "a carbon copy");
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "carbon copy dropped");
                return None;
            }
        }
        if message.kind == MessageType::Groupchat {
            return Some(message);
        }
        self.conversation_message(message, Direction::Incoming, false)
    }

    /// A chat, normal or headline message (or a carbon's inner message). Returns it when it
    /// carries nothing the session understands.
    fn conversation_message(
        &mut self,
        message: Message,
        direction: Direction,
        carbon: bool,
    ) -> Option<Message> {
        let has_content = !message.bodies.is_empty() || !message.subjects.is_empty();
        if direction == Direction::Incoming && !carbon {
            self.answer_receipt_request(&message);
        }
        let from = message
            .header
            .from
            .clone()
            .unwrap_or_else(|| Jid::from(self.account.clone()));
        if !has_content {
            if let Some(id) = receipts::received_id(&message) {
                let id = id.to_owned();
                self.emit(Event::Receipt { from, id });
                return None;
            }
            if let Some(Ok(marker)) = markers::marker(&message) {
                let conversation = self
                    .chats
                    .incoming(message, direction)
                    .map(|m| m.conversation)?;
                self.emit(Event::Marker {
                    conversation,
                    from,
                    marker,
                });
                return None;
            }
            if let Some(state) = chat_states::chat_state(&message) {
                let conversation = self
                    .chats
                    .incoming(message, direction)
                    .map(|m| m.conversation)?;
                self.emit(Event::ChatState {
                    conversation,
                    from,
                    state,
                });
                return None;
            }
            return Some(message);
        }
        let own = Jid::from(self.account.clone());
        if let Some(id) =
            stanza_id::stanza_id_by(&message, &own).filter(|id| id.len() <= crate::mam::MAX_ID_LEN)
        {
            self.last_archive_id = Some(id.to_owned());
        }
        if !self.dedup.record_live_is_new(&message, &self.account) {
            // A second copy of a message already delivered (a resend after a lost ack, the
            // offline store replaying what the archive catch-up found): delivered once only.
            tracing::debug!(%from, id = ?message.header.id, "duplicate message dropped");
            return None;
        }
        let Some(mut chat) = self.chats.incoming(message, direction) else {
            tracing::debug!("message without a peer dropped");
            return None;
        };
        if carbon {
            chat.delivery = Delivery::Carbon;
        }
        self.emit(Event::Message {
            message: Box::new(chat),
        });
        None
    }

    /// Answers a receipt request (XEP-0184) when the module is on and the sender may see our
    /// presence anyway: a receipt tells that we are online (XEP-0184 §8).
    fn answer_receipt_request(&mut self, message: &Message) {
        if !self.config.modules.receipts || !receipts::requests_receipt(message) {
            return;
        }
        let Some(from) = message.header.from.as_ref() else {
            return;
        };
        let allowed = self.roster.get(&from.to_bare()).is_some_and(|item| {
            matches!(item.subscription, Subscription::From | Subscription::Both)
        });
        if !allowed {
            tracing::debug!(%from, "receipt not sent: the sender may not see our presence");
            return;
        }
        if let Some(receipt) = receipts::receipt_for(message) {
            self.send(receipt);
        }
    }
}
