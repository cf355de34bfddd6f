//! The top bar (account, presence, status text, connection, settings), the subscription
//! requests and the notices.

use iced::widget::{Space, button, checkbox, column, container, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Main, Message};
use crate::domain::presence::{ContactPresence, MyPresence};
use crate::domain::session::ConnectionStatus;
use crate::ui::style;

pub(super) fn view(main: &Main) -> Element<'_, Message> {
    let state = &main.state;
    let (dot, status_color) = match &state.status {
        ConnectionStatus::Online { .. } => ("●", style::presence_color(ContactPresence::Available)),
        ConnectionStatus::Connecting | ConnectionStatus::Reconnecting { .. } => {
            ("●", style::presence_color(ContactPresence::Away))
        }
        ConnectionStatus::Offline { error: Some(_) } => {
            ("●", style::presence_color(ContactPresence::DoNotDisturb))
        }
        ConnectionStatus::Offline { error: None } => {
            ("●", style::presence_color(ContactPresence::Offline))
        }
    };
    let bar = row![
        text(state.jid.to_string()).size(16),
        pick_list(MyPresence::ALL, Some(state.presence), Message::Presence),
        text_input("Status message", &main.status_input)
            .padding(6)
            .width(220)
            .on_input(Message::StatusText)
            .on_submit(Message::StatusSubmit),
        Space::new().width(Length::Fill),
        text(dot).color(status_color),
        text(state.status.label()).size(14),
        button(text("Settings"))
            .style(button::secondary)
            .on_press(Message::OpenSettings),
        button(text("Sign out"))
            .style(button::secondary)
            .on_press(Message::SignOut),
    ]
    .spacing(10)
    .padding([8, 12])
    .align_y(Alignment::Center);
    container(bar)
        .width(Length::Fill)
        .style(style::panel)
        .into()
}

pub(super) fn requests(main: &Main) -> Element<'_, Message> {
    let mut list = column![].spacing(6);
    for request in &main.state.requests {
        let in_roster = main
            .state
            .roster
            .get(&request.jid)
            .is_some_and(|c| c.sees_presence());
        let add_back = main
            .add_back
            .get(&request.jid)
            .copied()
            .unwrap_or(!in_roster);
        let mut line = row![
            text(match &request.text {
                Some(t) if !t.trim().is_empty() => {
                    format!("{} wants to see your presence: “{t}”", request.jid)
                }
                _ => format!("{} wants to see your presence.", request.jid),
            })
            .width(Length::Fill),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if !in_roster {
            let jid = request.jid.clone();
            line = line.push(
                checkbox(add_back)
                    .label("Add them back")
                    .on_toggle(move |on| Message::AddBack(jid.clone(), on)),
            );
        }
        line = line
            .push(
                button(text("Approve"))
                    .style(button::success)
                    .on_press(Message::Approve(request.jid.clone())),
            )
            .push(
                button(text("Deny"))
                    .style(button::danger)
                    .on_press(Message::Deny(request.jid.clone())),
            );
        list = list.push(line);
    }
    container(list)
        .padding(10)
        .width(Length::Fill)
        .style(style::banner)
        .into()
}

pub(super) fn notices(main: &Main) -> Element<'_, Message> {
    let mut list = column![].spacing(4);
    for (i, notice) in main.notices.iter().enumerate() {
        list = list.push(
            row![
                text(notice.as_str()).width(Length::Fill),
                button(text("✕"))
                    .style(button::text)
                    .on_press(Message::DismissNotice(i)),
            ]
            .align_y(Alignment::Center),
        );
    }
    container(list)
        .padding([6, 10])
        .width(Length::Fill)
        .style(style::error_banner)
        .into()
}
