//! Running one line: parse it, carry the command out (waiting for the server where it
//! answers), and print its `result`.

use openxmpp::core::xml::Element;
use openxmpp::im::markers::Markable;
use openxmpp::stanza::{IqPayload, Message, MessageType, Presence, Stanza};
use openxmpp::{Error, Jid};

use crate::commands::spec::COMMANDS;
use crate::commands::{self, Availability, Command};
use crate::context::Ctx;
use crate::convert;
use crate::password;
use crate::report::{ContactEntry, Report};

/// What to do after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Read the next line.
    Continue,
    /// Sign out.
    Exit,
}

/// Runs one line and prints its reports, ending with a `result`.
pub(crate) async fn run_line(ctx: &Ctx, line: &str) -> Flow {
    let Some(parsed) = commands::parse(line) else {
        return Flow::Continue;
    };
    let command = match parsed {
        Ok(command) => command,
        Err(error) => {
            ctx.print(&Report::result(error.command(), Err(error.to_string())));
            return Flow::Continue;
        }
    };
    let name = command_name(line);
    if command == Command::Exit {
        ctx.print(&Report::result(name, Ok(())));
        return Flow::Exit;
    }
    let outcome = execute(ctx, command).await.map_err(|e| e.to_string());
    ctx.print(&Report::result(name, outcome));
    Flow::Continue
}

/// The command word of a line that parsed.
fn command_name(line: &str) -> &str {
    let line = line.trim();
    if line.starts_with('<') {
        "raw"
    } else {
        line.split_whitespace().next().unwrap_or_default()
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// The client said no.
    #[error(transparent)]
    Client(#[from] Error),
    /// Something the console itself refuses.
    #[error("{0}")]
    Console(String),
}

/// Carries out `command`.
async fn execute(ctx: &Ctx, command: Command) -> Result<(), Failure> {
    let client = &ctx.client;
    match command {
        Command::Roster => ctx.print(&convert::roster(&client.roster().items())),
        Command::Add { jid, name, group } => {
            let name = Some(name.as_str()).filter(|n| !n.is_empty());
            client.roster().add(&jid, name, group).await?;
        }
        Command::Delete { jid } => client.roster().remove(&jid).await?,
        Command::Subscribe { jid } => client.subscriptions().request(&jid, None).await?,
        Command::Approve { jid } => client.subscriptions().approve(&jid).await?,
        Command::Deny { jid } => client.subscriptions().deny(&jid).await?,
        Command::Who => ctx.print(&who(ctx)),
        Command::Chat {
            to,
            body,
            body_lang,
            subject,
            thread,
        } => {
            let to = match to {
                Jid::Bare(bare) => client.chats().address(&bare),
                full => full,
            };
            let mut message = Message::new(MessageType::Chat, Some(to))
                .with_body(body_lang.as_deref(), body)
                .with_payload(Markable.into());
            if let Some((subject, lang)) = subject {
                message = message.with_subject(lang.as_deref(), subject);
            }
            if let Some(thread) = thread {
                message = message.with_thread(thread, None);
            }
            client.chats().send_message(message).await?;
        }
        Command::Presence {
            availability,
            status,
            lang,
        } => match availability {
            Availability::Available(show) => {
                let mut presence = Presence::available();
                if let Some(show) = show {
                    presence = presence.with_show(show);
                }
                if let Some(status) = status {
                    presence = presence.with_status(lang.as_deref(), status);
                }
                client.presence().send(presence).await?;
            }
            Availability::Unavailable => client.presence().unavailable(status.as_deref()).await?,
        },
        Command::Direct {
            to,
            availability,
            status,
        } => {
            let mut presence = match availability {
                Availability::Available(show) => {
                    let presence = Presence::available();
                    match show {
                        Some(show) => presence.with_show(show),
                        None => presence,
                    }
                }
                Availability::Unavailable => Presence::unavailable(),
            };
            if let Some(status) = status {
                presence = presence.with_status(None, status);
            }
            let presence = presence.to(to);
            client.presence().send(presence).await?;
        }
        Command::Block { jid } => client.blocklist().block([jid]).await?,
        Command::Unblock { jid } => client.blocklist().unblock([jid]).await?,
        Command::Raw { stanza } => raw(ctx, *stanza).await?,
        Command::Xml { on } => client.set_xml_trace(on).await?,
        Command::Help { topic } => ctx.print(&help(topic.as_deref())),
        Command::Join { occupant } => {
            client
                .muc()
                .join(&occupant.to_bare(), occupant.resource())
                .await?;
        }
        Command::Say { room, body } => {
            client.muc().say(&room, &body).await?;
        }
        Command::Leave { room } => client.muc().leave(&room, None).await?,
        Command::History { with, count } => {
            for archived in client.archive().last_with(&with, count).await? {
                ctx.print(&Report::Message(Box::new(convert::archived(&archived))));
            }
        }
        Command::Passwd => {
            let new = password::new_password().map_err(|e| Failure::Console(e.to_string()))?;
            client.registration().change_password(new.expose()).await?;
        }
        Command::Exit => {}
    }
    Ok(())
}

/// Sends a raw stanza; an IQ request waits for its response, which is printed.
async fn raw(ctx: &Ctx, stanza: Stanza) -> Result<(), Failure> {
    match stanza {
        Stanza::Iq(iq) if matches!(iq.payload, IqPayload::Get(_) | IqPayload::Set(_)) => {
            let response = ctx.client.request(iq).await?;
            let kind = match response.payload {
                IqPayload::Error { .. } => "error",
                _ => "result",
            };
            ctx.print(&Report::Iq {
                from: response.header.from.as_ref().map(ToString::to_string),
                kind,
                xml: Element::from(response).to_string(),
            });
        }
        other => ctx.client.send(other).await?,
    }
    Ok(())
}

/// Every roster contact with its online resources.
fn who(ctx: &Ctx) -> Report {
    let presence = ctx.client.presence();
    let contacts = ctx
        .client
        .roster()
        .items()
        .into_iter()
        .map(|item| ContactEntry {
            resources: presence
                .resources(&item.jid)
                .into_iter()
                .map(|(name, p)| convert::resource(name, &p))
                .collect(),
            jid: item.jid.to_string(),
            name: item.name,
        })
        .collect();
    Report::Who { contacts }
}

/// Help on `topic`, or on every command.
fn help(topic: Option<&str>) -> Report {
    Report::Help {
        commands: COMMANDS
            .iter()
            .filter(|spec| topic.is_none_or(|t| t == spec.name))
            .map(|spec| (spec.usage, spec.summary))
            .collect(),
    }
}
