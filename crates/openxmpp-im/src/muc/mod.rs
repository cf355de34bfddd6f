//! Multi-user chat (XEP-0045): joining rooms, talking in them, and following who is there.
//!
//! - Payloads: [`MucJoin`] (`<x xmlns='http://jabber.org/protocol/muc'/>` in a join, with the
//!   password and [`History`]), [`MucUser`] (`<x xmlns='http://jabber.org/protocol/muc#user'/>`
//!   in room presences and messages: [`Item`]s with [`Affiliation`], [`Role`], real JID and
//!   [`Actor`], [`StatusCode`]s, [`Destroy`], [`Invite`], [`Decline`]).
//! - State: [`Rooms`] holds a [`Room`] per room address, turns commands into stanzas and
//!   incoming stanzas into [`MucEvent`]s. It never reads the clock and sends nothing itself.
//!
//! Nicknames are the resourcepart of the occupant JID (`room@service/nick`), so they follow
//! the resourcepart rules of [`openxmpp_core::jid`], which accept emoji sequences (🦀, 👩‍💻,
//! ❤️).
//!
//! ```
//! use openxmpp_im::core::stanza::{Message, Presence};
//! use openxmpp_im::core::xml::parse_element;
//! use openxmpp_im::muc::{History, JoinOptions, LeaveReason, MucEvent, Rooms};
//!
//! let mut rooms = Rooms::default();
//! let coven = "coven@chat.shakespeare.lit".parse()?;
//! let join = rooms.join(coven, "👩\u{200d}💻", JoinOptions::default().with_history(History::default().with_max_stanzas(20)))?;
//! # let _ = join;
//! let presence = |xml: &str| Presence::try_from(parse_element(xml).unwrap()).unwrap();
//!
//! // Someone already in the room, then our own presence (status 110).
//! let event = rooms.handle_presence(&presence(
//!     "<presence from='coven@chat.shakespeare.lit/firstwitch'>\
//!        <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/></x></presence>",
//! ));
//! assert!(matches!(event, Some(MucEvent::OccupantJoined { .. })));
//! let event = rooms.handle_presence(&presence(
//!     "<presence from='coven@chat.shakespeare.lit/👩\u{200d}💻'>\
//!        <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>\
//!        <status code='110'/></x></presence>",
//! ));
//! assert!(matches!(event, Some(MucEvent::Joined { occupants: 2, .. })));
//!
//! // A message in the room.
//! let message = Message::try_from(parse_element(
//!     "<message from='coven@chat.shakespeare.lit/firstwitch' type='groupchat'><body>Hail!</body></message>",
//! )?)?;
//! let Some(MucEvent::Message { nick, own, .. }) = rooms.handle_message(&message) else { panic!() };
//! assert_eq!((nick.as_deref(), own), (Some("firstwitch"), false));
//!
//! // The first witch leaves.
//! let event = rooms.handle_presence(&presence(
//!     "<presence from='coven@chat.shakespeare.lit/firstwitch' type='unavailable'/>",
//! ));
//! assert!(matches!(event, Some(MucEvent::OccupantLeft { reason: LeaveReason::Left, .. })));
//!
//! // Stanzas that are not from a room we know are for someone else.
//! assert_eq!(rooms.handle_presence(&presence("<presence from='romeo@montague.lit/orchard'/>")), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod event;
mod join;
mod privileges;
mod room;
mod rooms;
mod status;
mod user;

#[cfg(test)]
mod tests;

pub use event::{JoinFailure, LeaveReason, MucEvent};
pub use join::{History, MucJoin};
pub use privileges::{Affiliation, Role};
pub use room::{Occupant, Room, RoomState};
pub use rooms::{DEFAULT_MAX_OCCUPANTS, JoinError, JoinOptions, Rooms};
pub use status::StatusCode;
pub use user::{Actor, Decline, Destroy, Invite, Item, MucUser};

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::Iq;
use openxmpp_core::xml::Element;

/// The MUC namespace: the join request.
pub const NS: &str = "http://jabber.org/protocol/muc";

/// The occupant namespace: room presences, invitations, status codes.
pub const NS_USER: &str = "http://jabber.org/protocol/muc#user";

/// The owner namespace: room configuration and destruction.
pub const NS_OWNER: &str = "http://jabber.org/protocol/muc#owner";

/// The IQ that accepts the default configuration of a room our join created (status 201),
/// which unlocks it for others (an "instant room", XEP-0045 §10.1.2).
///
/// ```
/// use openxmpp_im::core::xml::Element;
///
/// let iq = openxmpp_im::muc::instant_room(&"coven@chat.shakespeare.lit".parse()?, "create1");
/// assert_eq!(
///     Element::from(iq).to_string(),
///     "<iq xmlns='jabber:client' id='create1' to='coven@chat.shakespeare.lit' type='set'>\
///      <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn instant_room(room: &BareJid, id: impl Into<String>) -> Iq {
    let form = Element::builder("x", crate::data_form::NS)
        .attr("type", "submit")
        .build();
    let query = Element::builder("query", NS_OWNER).child(form).build();
    Iq::set(id, query).to(Jid::from(room.clone()))
}
