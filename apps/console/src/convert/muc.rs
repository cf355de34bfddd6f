//! Room events (XEP-0045) as reports.

use openxmpp::im::muc::{LeaveReason, MucEvent, Occupant};

use crate::report::Report;

/// The reports for one room event.
pub(crate) fn muc(event: &MucEvent) -> Vec<Report> {
    let room =
        |action, room: &openxmpp::BareJid, nick: Option<&str>, text: Option<String>| Report::Room {
            room: room.to_string(),
            action,
            nick: nick.map(str::to_owned),
            text,
        };
    let report = match event {
        MucEvent::Message { delay, message, .. }
        | MucEvent::PrivateMessage { delay, message, .. } => {
            let delivery = if delay.is_some() { "delayed" } else { "live" };
            let mut report = super::message_fields(message, delivery);
            report.stamp = delay.as_ref().map(ToString::to_string);
            Report::Message(Box::new(report))
        }
        MucEvent::Subject {
            room: r,
            subject,
            by,
        } => room("subject", r, by.as_deref(), subject.clone()),
        MucEvent::Joined { room: r, nick, .. } => room("joined", r, Some(nick), None),
        MucEvent::JoinFailed {
            room: r,
            nick,
            reason,
            ..
        } => Report::error("room", format!("cannot join {r} as {nick}: {reason}")),
        MucEvent::NickChanged {
            room: r,
            old_nick,
            new_nick,
        } => room(
            "nick-changed",
            r,
            Some(new_nick),
            Some(format!("was {old_nick}")),
        ),
        MucEvent::NickChangeFailed {
            room: r,
            nick,
            reason,
            ..
        } => Report::error(
            "room",
            format!("{r}: cannot take the nickname {nick}: {reason}"),
        ),
        MucEvent::PrivilegesChanged {
            room: r,
            role,
            affiliation,
            ..
        } => room(
            "privileges-changed",
            r,
            None,
            Some(format!("{} / {}", role.name(), affiliation.name())),
        ),
        MucEvent::OccupantJoined { room: r, occupant } => occupant_report(r, occupant, "joined"),
        MucEvent::OccupantChanged { room: r, occupant } => occupant_report(r, occupant, "changed"),
        MucEvent::OccupantLeft {
            room: r,
            nick,
            reason,
            status,
        } => Report::Occupant {
            room: r.to_string(),
            nick: nick.clone(),
            action: "left",
            role: None,
            affiliation: None,
            jid: None,
            show: None,
            status: status.clone().or_else(|| leave_reason(reason)),
        },
        MucEvent::Left {
            room: r,
            reason,
            status,
        } => room(
            "left",
            r,
            None,
            leave_reason(reason).or_else(|| status.clone()),
        ),
        MucEvent::RoomDestroyed {
            room: r, reason, ..
        } => room("destroyed", r, None, reason.clone()),
        MucEvent::MessageError { room: r, error, .. } => {
            Report::error("room", format!("{r} returned a message: {error}"))
        }
        MucEvent::PresenceError { room: r, error } => {
            Report::error("room", format!("{r} returned a presence: {error}"))
        }
        MucEvent::ConfigChanged { room: r, status } => room(
            "config-changed",
            r,
            None,
            Some(
                status
                    .iter()
                    .map(|s| s.code().to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
        MucEvent::Invited {
            room: r,
            from,
            reason,
            ..
        } => room("invited", r, None, Some(from_and_reason(from, reason))),
        MucEvent::InvitationDeclined {
            room: r,
            from,
            reason,
        } => room(
            "invitation-declined",
            r,
            None,
            Some(from_and_reason(from, reason)),
        ),
        _ => return Vec::new(),
    };
    vec![report]
}

fn from_and_reason(from: &Option<openxmpp::Jid>, reason: &Option<String>) -> String {
    let from = from
        .as_ref()
        .map_or_else(|| "someone".to_owned(), ToString::to_string);
    match reason {
        Some(reason) => format!("from {from}: {reason}"),
        None => format!("from {from}"),
    }
}

fn occupant_report(room: &openxmpp::BareJid, occupant: &Occupant, action: &'static str) -> Report {
    Report::Occupant {
        room: room.to_string(),
        nick: occupant.nick.clone(),
        action,
        role: Some(occupant.role.name()),
        affiliation: Some(occupant.affiliation.name()),
        jid: occupant.jid.as_ref().map(ToString::to_string),
        show: occupant.show.map(|s| s.name()),
        status: occupant.status.clone(),
    }
}

/// Why someone left, in words (`None` for a plain departure).
fn leave_reason(reason: &LeaveReason) -> Option<String> {
    let with = |what: &str, reason: &Option<String>| match reason {
        Some(r) => format!("{what}: {r}"),
        None => what.to_owned(),
    };
    Some(match reason {
        LeaveReason::Left => return None,
        LeaveReason::Kicked { reason, .. } => with("kicked", reason),
        LeaveReason::Banned { reason, .. } => with("banned", reason),
        LeaveReason::NickChanged { new_nick } => format!("now known as {new_nick}"),
        LeaveReason::RemovedAffiliationChange => "removed (affiliation change)".to_owned(),
        LeaveReason::MembersOnly => "removed (the room became members-only)".to_owned(),
        LeaveReason::Shutdown => "the service is shutting down".to_owned(),
        LeaveReason::ServiceError => "removed after an error".to_owned(),
        _ => "left".to_owned(),
    })
}
