//! The event task: every event of the client, printed as it comes, until the session ends.

use std::sync::Arc;

use openxmpp::XmlDirection;
use openxmpp::core::xml::Element;
use openxmpp::im::presence::PresenceChange;
use openxmpp::im::session::BlocklistEvent;
use openxmpp::{ConnectionError, Event, Events, ImEvent};

use crate::context::Ctx;
use crate::convert;
use crate::exit::Exit;
use crate::report::Report;

/// How the session ended.
#[derive(Debug, Clone)]
pub(crate) enum Ended {
    /// Closed cleanly (by `exit` or the end of input).
    Cleanly,
    /// Lost for good, with the last error.
    Failed(Option<ConnectionError>),
}

impl Ended {
    /// The exit status for it.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Ended::Cleanly => Exit::Ok,
            Ended::Failed(Some(error)) => Exit::for_connection(error),
            Ended::Failed(None) => Exit::Connection,
        }
    }
}

/// Prints every event until the event stream ends; says how the session ended.
pub(crate) async fn pump(ctx: Arc<Ctx>, mut events: Events) -> Ended {
    let mut last: Option<Option<ConnectionError>> = None;
    let mut login = Login::default();
    while let Some(event) = events.next().await {
        match &event {
            Event::Disconnected { error } => {
                last = Some(error.clone());
                ctx.set_ready();
            }
            Event::Online { resumed, .. } => {
                last = None;
                if !resumed {
                    catch_up(&ctx);
                }
            }
            _ => {}
        }
        if login.sees(&ctx, &event) {
            ctx.set_ready();
        }
        for report in translate(&ctx, event) {
            ctx.print(&report);
        }
    }
    match last {
        Some(None) => Ended::Cleanly,
        Some(Some(error)) => Ended::Failed(Some(error)),
        None => Ended::Failed(None),
    }
}

/// How many missed messages a catch-up fetches at most.
const CATCH_UP_LIMIT: usize = 1_000;

/// After a session that could not be resumed, prints what was missed meanwhile: the messages
/// the archive (XEP-0313) holds after the last one that arrived live, without those that did.
/// Nothing is asked for on the first session.
fn catch_up(ctx: &Arc<Ctx>) {
    let ctx = Arc::clone(ctx);
    tokio::spawn(async move {
        match ctx.client.archive().catch_up_missed(CATCH_UP_LIMIT).await {
            Ok(missed) => {
                for archived in &missed {
                    ctx.print(&Report::Message(Box::new(convert::archived(archived))));
                }
            }
            Err(error) => ctx.print(&Report::error(
                "archive",
                format!("messages missed while offline could not be fetched: {error}"),
            )),
        }
    });
}

/// The login sequence: the roster is loaded (or could not be), then the server reflects our
/// initial presence.
#[derive(Debug, Default)]
struct Login {
    roster: bool,
    presence: bool,
}

impl Login {
    /// Notes `event`; true once the sequence is over.
    fn sees(&mut self, ctx: &Ctx, event: &Event) -> bool {
        match event {
            Event::Im {
                event: ImEvent::Roster { .. } | ImEvent::RosterUnavailable { .. },
            } => self.roster = true,
            Event::Im {
                event:
                    ImEvent::Presence {
                        change:
                            PresenceChange::Available {
                                contact, resource, ..
                            },
                    },
            } => {
                let me = ctx.client.jid();
                if contact.as_str() == me.bare_str() && resource.as_deref() == Some(me.resource()) {
                    self.presence = true;
                }
            }
            _ => {}
        }
        self.roster && self.presence
    }
}

/// The reports for one event.
pub(crate) fn translate(ctx: &Ctx, event: Event) -> Vec<Report> {
    match event {
        Event::Online { jid, .. } => vec![Report::State {
            state: "online",
            jid: Some(jid.to_string()),
            attempt: None,
            delay_ms: None,
        }],
        Event::Reconnecting { attempt, delay } => vec![Report::State {
            state: "reconnecting",
            jid: None,
            attempt: Some(attempt),
            delay_ms: Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
        }],
        Event::Disconnected { error } => {
            let mut reports = Vec::new();
            if let Some(error) = error {
                reports.push(Report::error(
                    Exit::for_connection(&error).kind(),
                    error.to_string(),
                ));
            }
            reports.push(Report::State {
                state: "offline",
                jid: None,
                attempt: None,
                delay_ms: None,
            });
            reports
        }
        Event::StanzasMaybeLost { stanzas } => vec![Report::error(
            "delivery",
            format!(
                "{} stanza(s) sent before the connection was lost may not have been delivered",
                stanzas.len()
            ),
        )],
        Event::Stanza { stanza } => vec![Report::Stanza {
            xml: Element::from(stanza).to_string(),
        }],
        Event::InvalidStanza { error } => vec![Report::error(
            "invalid-stanza",
            format!("a stanza from the server was dropped: {error}"),
        )],
        Event::Im { event } => im(ctx, event),
        Event::Xml { direction, xml } => vec![Report::Xml {
            direction: match direction {
                XmlDirection::Sent => "out",
                _ => "in",
            },
            xml,
        }],
        _ => Vec::new(),
    }
}

fn im(ctx: &Ctx, event: ImEvent) -> Vec<Report> {
    match event {
        ImEvent::Roster { .. } => vec![convert::roster(&ctx.client.roster().items())],
        ImEvent::RosterUnavailable { error } => vec![Report::error(
            "roster",
            match error {
                Some(e) => format!("the roster could not be fetched: {e}"),
                None => "the roster could not be fetched".to_owned(),
            },
        )],
        ImEvent::Presence { change } => convert::presence(&change).into_iter().collect(),
        ImEvent::Subscription { event } => convert::subscription(&event).into_iter().collect(),
        ImEvent::Message { message } => {
            vec![Report::Message(Box::new(convert::message(&message)))]
        }
        ImEvent::MessageError { from, id, error } => vec![Report::error(
            "message",
            match id {
                Some(id) => format!("message {id} to {from} bounced: {error}"),
                None => format!("a message to {from} bounced: {error}"),
            },
        )],
        ImEvent::ChatState { from, state, .. } => vec![Report::ChatState {
            from: from.to_string(),
            state: state.name(),
        }],
        ImEvent::Receipt { from, id } => vec![Report::Receipt {
            from: from.to_string(),
            id,
        }],
        ImEvent::Marker { from, marker, .. } => vec![Report::Marker {
            from: from.to_string(),
            marker: marker.name(),
            id: marker.id().to_owned(),
        }],
        ImEvent::Blocklist { event } => {
            let (action, jids) = match event {
                BlocklistEvent::Loaded { jids } => ("loaded", jids),
                BlocklistEvent::Blocked { jids } => ("blocked", jids),
                BlocklistEvent::Unblocked { jids } => ("unblocked", jids),
                BlocklistEvent::UnblockedAll => ("unblocked-all", Vec::new()),
                _ => return Vec::new(),
            };
            vec![Report::Blocklist {
                action,
                jids: jids.iter().map(ToString::to_string).collect(),
            }]
        }
        ImEvent::Muc { event } => convert::muc(&event),
        ImEvent::Forgery { from, what } => vec![Report::error(
            "forgery",
            format!("{from} sent a forged {what}: dropped"),
        )],
        _ => Vec::new(),
    }
}
