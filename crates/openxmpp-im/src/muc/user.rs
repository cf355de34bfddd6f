//! The occupant payload (XEP-0045 §7, §15.5): `<x xmlns='http://jabber.org/protocol/muc#user'/>`
//! in room presences (items, status codes, room destruction) and in messages (invitations,
//! declines, status codes).

use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Message, Presence, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

use super::{Affiliation, NS_USER, Role, StatusCode};
use crate::parse_util::{expect, invalid, jid_attr, missing};

/// The most status codes kept from one payload; more are ignored (a real one has two or three).
const MAX_STATUS_CODES: usize = 32;

/// Who did something to an occupant (kicked, banned, changed its role).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The actor's room nickname.
    pub nick: Option<String>,
    /// The actor's real JID, where the room shows it.
    pub jid: Option<Jid>,
}

/// An `<item/>`: an occupant's affiliation, role, real JID and nickname, and for a change made
/// by a moderator, who made it and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// The affiliation.
    pub affiliation: Option<Affiliation>,
    /// The role.
    pub role: Option<Role>,
    /// The occupant's real JID, where the room shows it to us.
    pub jid: Option<Jid>,
    /// A nickname: the new one in a nick change (status 303).
    pub nick: Option<String>,
    /// Who made the change.
    pub actor: Option<Actor>,
    /// Why.
    pub reason: Option<String>,
}

/// `<destroy/>`: the room was destroyed, maybe with an alternate venue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destroy {
    /// The room to go to instead.
    pub alternate: Option<Jid>,
    /// Why the room was destroyed.
    pub reason: Option<String>,
    /// The alternate venue's password.
    pub password: Option<String>,
}

/// `<invite/>`: a mediated invitation (XEP-0045 §7.8.2). Sent to the room with `to`; the room
/// forwards it to the invitee with `from`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invite {
    /// Who invites (set by the room).
    pub from: Option<Jid>,
    /// Who is invited (set by the inviter).
    pub to: Option<Jid>,
    /// The inviter's message.
    pub reason: Option<String>,
}

/// `<decline/>`: an invitee declines an invitation (XEP-0045 §7.8.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decline {
    /// Who declines (set by the room).
    pub from: Option<Jid>,
    /// The inviter the decline goes to (set by the invitee).
    pub to: Option<Jid>,
    /// The invitee's message.
    pub reason: Option<String>,
}

/// The `muc#user` payload.
///
/// ```
/// use openxmpp_im::muc::{Affiliation, MucUser, Role, StatusCode};
///
/// let x = openxmpp_im::core::xml::parse_element(
///     "<x xmlns='http://jabber.org/protocol/muc#user'>\
///        <item affiliation='member' role='participant'/><status code='110'/></x>",
/// )?;
/// let user = MucUser::try_from(x)?;
/// assert!(user.has_status(StatusCode::SelfPresence));
/// assert_eq!(user.items[0].role, Some(Role::Participant));
/// assert_eq!(user.items[0].affiliation, Some(Affiliation::Member));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MucUser {
    /// The items (one in an occupant's presence).
    pub items: Vec<Item>,
    /// The status codes, without duplicates, at most 32.
    pub status: Vec<StatusCode>,
    /// Set when the room was destroyed.
    pub destroy: Option<Destroy>,
    /// Invitations.
    pub invites: Vec<Invite>,
    /// A declined invitation.
    pub decline: Option<Decline>,
    /// The room password that comes with an invitation.
    pub password: Option<String>,
    /// Children this crate does not know, kept as received.
    pub payloads: Vec<Element>,
}

impl MucUser {
    /// An invitation of `to`, to send to the room (the room forwards it).
    pub fn invite(to: Jid, reason: Option<&str>) -> Self {
        MucUser {
            invites: vec![Invite {
                from: None,
                to: Some(to),
                reason: reason.map(str::to_owned),
            }],
            ..MucUser::default()
        }
    }

    /// Declines an invitation from `inviter`, to send to the room.
    pub fn decline(inviter: Jid, reason: Option<&str>) -> Self {
        MucUser {
            decline: Some(Decline {
                from: None,
                to: Some(inviter),
                reason: reason.map(str::to_owned),
            }),
            ..MucUser::default()
        }
    }

    /// Whether the payload carries this status code.
    pub fn has_status(&self, code: StatusCode) -> bool {
        self.status.contains(&code)
    }

    /// The first item, which describes the occupant in a presence.
    pub fn item(&self) -> Option<&Item> {
        self.items.first()
    }

    /// The presence's `muc#user` payload, if it has one.
    ///
    /// # Errors
    /// The parse error of the payload, if it is invalid.
    pub fn in_presence(presence: &Presence) -> Result<Option<MucUser>, StanzaParseError> {
        find(&presence.payloads)
    }

    /// The message's `muc#user` payload, if it has one.
    ///
    /// # Errors
    /// The parse error of the payload, if it is invalid.
    pub fn in_message(message: &Message) -> Result<Option<MucUser>, StanzaParseError> {
        find(&message.payloads)
    }
}

fn find(payloads: &[Element]) -> Result<Option<MucUser>, StanzaParseError> {
    payloads
        .iter()
        .find(|p| p.is("x", NS_USER))
        .map(|x| MucUser::try_from(x.clone()))
        .transpose()
}

/// Reads the `<reason/>` child text (the first one).
fn text_child(slot: &mut Option<String>, child: Element) {
    if slot.is_none() {
        *slot = Some(child.into_text());
    }
}

impl TryFrom<Element> for Actor {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "actor", NS_USER)?;
        Ok(Actor {
            jid: jid_attr(&element, "actor", "jid")?,
            nick: element.attr("nick").map(str::to_owned),
        })
    }
}

impl From<Actor> for Element {
    fn from(actor: Actor) -> Element {
        Element::builder("actor", NS_USER)
            .attr_opt("jid", actor.jid.map(|j| j.as_str().to_owned()))
            .attr_opt("nick", actor.nick)
            .build()
    }
}

impl TryFrom<Element> for Item {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "item", NS_USER)?;
        let affiliation = element
            .attr("affiliation")
            .map(|a| Affiliation::from_name(a).ok_or_else(|| invalid("item", "affiliation", a)))
            .transpose()?;
        let role = element
            .attr("role")
            .map(|r| Role::from_name(r).ok_or_else(|| invalid("item", "role", r)))
            .transpose()?;
        let mut item = Item {
            affiliation,
            role,
            jid: jid_attr(&element, "item", "jid")?,
            nick: element.attr("nick").map(str::to_owned),
            actor: None,
            reason: None,
        };
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("actor", NS_USER) && item.actor.is_none() {
                item.actor = Some(Actor::try_from(child)?);
            } else if child.is("reason", NS_USER) {
                text_child(&mut item.reason, child);
            }
        }
        Ok(item)
    }
}

impl From<Item> for Element {
    fn from(item: Item) -> Element {
        let mut element = Element::builder("item", NS_USER)
            .attr_opt("affiliation", item.affiliation.map(|a| a.name()))
            .attr_opt("jid", item.jid.map(|j| j.as_str().to_owned()))
            .attr_opt("nick", item.nick)
            .attr_opt("role", item.role.map(|r| r.name()))
            .build();
        if let Some(actor) = item.actor {
            element.append_child(actor.into());
        }
        if let Some(reason) = item.reason {
            element.append_child(Element::builder("reason", NS_USER).text(reason).build());
        }
        element
    }
}

/// Reads `from`, `to` and `<reason/>` of an invite or a decline (a decline has the same
/// shape).
fn invitation(element: Element, name: &'static str) -> Result<Invite, StanzaParseError> {
    let from = jid_attr(&element, name, "from")?;
    let to = jid_attr(&element, name, "to")?;
    let mut reason = None;
    for node in element.into_nodes() {
        let Node::Element(child) = node else { continue };
        if child.is("reason", NS_USER) {
            text_child(&mut reason, child);
        }
    }
    Ok(Invite { from, to, reason })
}

/// Writes an invite or a decline.
fn invitation_element(
    name: &'static str,
    from: Option<Jid>,
    to: Option<Jid>,
    reason: Option<String>,
) -> Element {
    let mut element = Element::builder(name, NS_USER)
        .attr_opt("from", from.map(|j| j.as_str().to_owned()))
        .attr_opt("to", to.map(|j| j.as_str().to_owned()))
        .build();
    if let Some(reason) = reason {
        element.append_child(Element::builder("reason", NS_USER).text(reason).build());
    }
    element
}

impl TryFrom<Element> for Invite {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "invite", NS_USER)?;
        invitation(element, "invite")
    }
}

impl From<Invite> for Element {
    fn from(invite: Invite) -> Element {
        invitation_element("invite", invite.from, invite.to, invite.reason)
    }
}

impl TryFrom<Element> for Decline {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "decline", NS_USER)?;
        let Invite { from, to, reason } = invitation(element, "decline")?;
        Ok(Decline { from, to, reason })
    }
}

impl From<Decline> for Element {
    fn from(decline: Decline) -> Element {
        invitation_element("decline", decline.from, decline.to, decline.reason)
    }
}

impl TryFrom<Element> for Destroy {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "destroy", NS_USER)?;
        let mut destroy = Destroy {
            alternate: jid_attr(&element, "destroy", "jid")?,
            ..Destroy::default()
        };
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.is("reason", NS_USER) {
                text_child(&mut destroy.reason, child);
            } else if child.is("password", NS_USER) {
                text_child(&mut destroy.password, child);
            }
        }
        Ok(destroy)
    }
}

impl From<Destroy> for Element {
    fn from(destroy: Destroy) -> Element {
        let mut element = Element::builder("destroy", NS_USER)
            .attr_opt("jid", destroy.alternate.map(|j| j.as_str().to_owned()))
            .build();
        if let Some(reason) = destroy.reason {
            element.append_child(Element::builder("reason", NS_USER).text(reason).build());
        }
        if let Some(password) = destroy.password {
            element.append_child(Element::builder("password", NS_USER).text(password).build());
        }
        element
    }
}

impl TryFrom<Element> for MucUser {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        expect(&element, "x", NS_USER)?;
        let mut user = MucUser::default();
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != NS_USER {
                user.payloads.push(child);
                continue;
            }
            match child.name() {
                "item" => user.items.push(Item::try_from(child)?),
                "status" => {
                    let value = child.attr("code").ok_or(missing("status", "code"))?;
                    let code =
                        StatusCode::parse(value).ok_or_else(|| invalid("status", "code", value))?;
                    if !user.status.contains(&code) && user.status.len() < MAX_STATUS_CODES {
                        user.status.push(code);
                    }
                }
                "destroy" if user.destroy.is_none() => {
                    user.destroy = Some(Destroy::try_from(child)?);
                }
                "invite" => user.invites.push(Invite::try_from(child)?),
                "decline" if user.decline.is_none() => {
                    user.decline = Some(Decline::try_from(child)?);
                }
                "password" if user.password.is_none() => user.password = Some(child.into_text()),
                _ => user.payloads.push(child),
            }
        }
        Ok(user)
    }
}

impl From<MucUser> for Element {
    fn from(user: MucUser) -> Element {
        let mut element = Element::new("x", NS_USER);
        for invite in user.invites {
            element.append_child(invite.into());
        }
        if let Some(decline) = user.decline {
            element.append_child(decline.into());
        }
        if let Some(destroy) = user.destroy {
            element.append_child(destroy.into());
        }
        for item in user.items {
            element.append_child(item.into());
        }
        for code in user.status {
            element.append_child(
                Element::builder("status", NS_USER)
                    .attr("code", code.to_string())
                    .build(),
            );
        }
        if let Some(password) = user.password {
            element.append_child(Element::builder("password", NS_USER).text(password).build());
        }
        for payload in user.payloads {
            element.append_child(payload);
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    fn user(xml: &str) -> MucUser {
        MucUser::try_from(element(xml)).unwrap()
    }

    #[test]
    fn test_simple() {
        // XEP-0045 example 24: self-presence in a non-anonymous room, nick changed by the service.
        let x = user(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <item affiliation='member' jid='hag66@shakespeare.lit/pda' role='participant'/>\
               <status code='100'/><status code='110'/><status code='210'/></x>",
        );
        let item = x.item().unwrap();
        assert_eq!(item.affiliation, Some(Affiliation::Member));
        assert_eq!(item.role, Some(Role::Participant));
        assert_eq!(
            item.jid.as_ref().unwrap().as_str(),
            "hag66@shakespeare.lit/pda"
        );
        assert_eq!(
            x.status,
            [
                StatusCode::NonAnonymous,
                StatusCode::SelfPresence,
                StatusCode::NickAssigned
            ]
        );

        // Example 110: kicked, with actor and reason.
        let x = user(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <item affiliation='none' role='none'><actor nick='Fluellen'/>\
               <reason>Avaunt, you cullion!</reason></item>\
               <status code='110'/><status code='307'/></x>",
        );
        let item = x.item().unwrap();
        assert_eq!(item.role, Some(Role::None));
        assert_eq!(
            item.actor.as_ref().unwrap().nick.as_deref(),
            Some("Fluellen")
        );
        assert_eq!(item.reason.as_deref(), Some("Avaunt, you cullion!"));
        assert!(x.has_status(StatusCode::Kicked));

        // Example 204: the room is destroyed, with an alternate venue.
        let x = user(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <item affiliation='none' role='none'/>\
               <destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></x>",
        );
        let destroy = x.destroy.unwrap();
        assert_eq!(
            destroy.alternate.unwrap().as_str(),
            "coven@chat.shakespeare.lit"
        );
        assert_eq!(destroy.reason.as_deref(), Some("Macbeth doth come."));

        // Example 57: a mediated invitation, forwarded by the room, with the password.
        let x = user(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <invite from='crone1@shakespeare.lit/desktop'>\
                 <reason>Hey Hecate, this is the place for all good witches!</reason></invite>\
               <password>cauldronburn</password></x>",
        );
        assert_eq!(
            x.invites[0].from.as_ref().unwrap().as_str(),
            "crone1@shakespeare.lit/desktop"
        );
        assert_eq!(x.password.as_deref(), Some("cauldronburn"));

        // Example 61: a decline forwarded to the inviter.
        let x = user(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <decline from='hecate@shakespeare.lit'><reason>Sorry, I'm too busy right now.</reason></decline></x>",
        );
        assert_eq!(
            x.decline.unwrap().reason.as_deref(),
            Some("Sorry, I'm too busy right now.")
        );
    }

    #[test]
    fn test_serialise() {
        let invite = MucUser::invite(
            "hecate@shakespeare.lit".parse().unwrap(),
            Some("Hey Hecate, this is the place for all good witches!"),
        );
        assert_eq!(
            xml(&invite.into()),
            "<x xmlns='http://jabber.org/protocol/muc#user'><invite to='hecate@shakespeare.lit'>\
             <reason>Hey Hecate, this is the place for all good witches!</reason></invite></x>"
        );
        let decline = MucUser::decline("crone1@shakespeare.lit".parse().unwrap(), None);
        assert_eq!(
            xml(&decline.into()),
            "<x xmlns='http://jabber.org/protocol/muc#user'><decline to='crone1@shakespeare.lit'/></x>"
        );
        let x = MucUser {
            items: vec![Item {
                affiliation: Some(Affiliation::Member),
                role: Some(Role::Participant),
                nick: Some("🦀".into()),
                ..Item::default()
            }],
            status: vec![StatusCode::NewNick, StatusCode::SelfPresence],
            ..MucUser::default()
        };
        assert_eq!(
            xml(&x.into()),
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
             <item affiliation='member' nick='🦀' role='participant'/>\
             <status code='303'/><status code='110'/></x>"
        );
    }

    #[test]
    fn round_trip() {
        let x = MucUser {
            items: vec![Item {
                affiliation: Some(Affiliation::Outcast),
                role: Some(Role::None),
                jid: Some("pistol@shakespeare.lit/harfleur".parse().unwrap()),
                nick: Some("👩\u{200d}💻".into()),
                actor: Some(Actor {
                    nick: Some("❤\u{fe0f}".into()),
                    jid: Some("fluellen@shakespeare.lit".parse().unwrap()),
                }),
                reason: Some("Treason".into()),
            }],
            status: vec![StatusCode::Banned, StatusCode::Other(999)],
            destroy: Some(Destroy {
                alternate: Some("coven@chat.shakespeare.lit".parse().unwrap()),
                reason: Some("gone".into()),
                password: Some("pw".into()),
            }),
            invites: vec![Invite {
                from: Some("crone1@shakespeare.lit/desktop".parse().unwrap()),
                to: None,
                reason: Some("come".into()),
            }],
            decline: Some(Decline::default()),
            password: Some("cauldronburn".into()),
            payloads: vec![Element::new("extra", "urn:example")],
        };
        assert_eq!(MucUser::try_from(Element::from(x.clone())).unwrap(), x);
    }

    #[test]
    fn duplicate_and_excess_status_codes_are_dropped() {
        let mut body = String::from("<x xmlns='http://jabber.org/protocol/muc#user'>");
        for code in (100..200).chain([110, 110]) {
            body.push_str(&format!("<status code='{code}'/>"));
        }
        body.push_str("</x>");
        let x = user(&body);
        assert_eq!(x.status.len(), MAX_STATUS_CODES);
        assert_eq!(
            x.status
                .iter()
                .filter(|&&c| c == StatusCode::SelfPresence)
                .count(),
            1
        );
    }

    #[test]
    fn test_invalid() {
        let cases: &[(&str, StanzaParseError)] = &[
            (
                "<item affiliation='king'/>",
                invalid("item", "affiliation", "king"),
            ),
            ("<item role='guest'/>", invalid("item", "role", "guest")),
            ("<status code='abc'/>", invalid("status", "code", "abc")),
            ("<status code='42'/>", invalid("status", "code", "42")),
            ("<status/>", missing("status", "code")),
        ];
        for (inner, expected) in cases {
            let x = format!("<x xmlns='http://jabber.org/protocol/muc#user'>{inner}</x>");
            assert_eq!(
                &MucUser::try_from(element(&x)).unwrap_err(),
                expected,
                "{inner}"
            );
        }
        for inner in [
            "<item jid='@bad'/>",
            "<item><actor jid='a@'/></item>",
            "<invite to='/x'/>",
            "<decline from=''/>",
            "<destroy jid='@'/>",
        ] {
            let x = format!("<x xmlns='http://jabber.org/protocol/muc#user'>{inner}</x>");
            assert!(
                matches!(
                    MucUser::try_from(element(&x)),
                    Err(StanzaParseError::InvalidJid { .. })
                ),
                "{inner}"
            );
        }
        assert!(matches!(
            MucUser::try_from(element("<x xmlns='http://jabber.org/protocol/muc'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }
}
