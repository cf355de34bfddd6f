//! A group chat: subject, the lines, the occupants, and a line to write in.

use iced::widget::{Space, button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use openxmpp::BareJid;

use super::{Main, Message};
use crate::domain::time::{format_message_time, now_ms};
use crate::ui::style;

/// The room composer's id.
pub(crate) const INPUT: &str = "room-input";

pub(super) fn view<'a>(main: &'a Main, jid: &'a BareJid) -> Element<'a, Message> {
    let Some(room) = main.state.rooms.get(jid) else {
        return container(text(format!("You are not in {jid}.")).style(style::dim))
            .center(Length::Fill)
            .into();
    };
    let header = row![
        column![
            text(jid.to_string()).size(20),
            text(match (&room.subject, room.joined) {
                (_, false) => "Joining…".to_owned(),
                (Some(subject), true) => subject.clone(),
                (None, true) => "No subject".to_owned(),
            })
            .size(13)
            .style(style::dim),
        ]
        .width(Length::Fill),
        text(format!("You are {}", room.nick))
            .size(13)
            .style(style::dim),
        button(text("Leave"))
            .style(button::secondary)
            .on_press(Message::LeaveRoom),
    ]
    .spacing(10)
    .align_y(Alignment::Center);

    let now = now_ms();
    let mut lines = column![].spacing(4).padding([0, 12]);
    for line in room.lines() {
        let time = text(format_message_time(line.at_ms, now))
            .size(12)
            .style(style::dim);
        lines = lines.push(match &line.nick {
            Some(nick) => row![
                time,
                text(format!("{nick}:")).size(14),
                text(line.body.as_str()).width(Length::Fill),
            ]
            .spacing(8),
            None => row![time, text(line.body.as_str()).size(13).style(style::dim)].spacing(8),
        });
    }

    let mut occupants = column![text(format!("{} here", room.occupants.len())).size(14)].spacing(4);
    for occupant in room.occupants.values() {
        let mut line = row![text(occupant.nick.as_str()).size(14)].spacing(6);
        if occupant.role == "moderator" {
            line = line.push(text("moderator").size(11).style(style::dim));
        }
        if occupant.away {
            line = line.push(text("away").size(11).style(style::dim));
        }
        occupants = occupants.push(line);
    }

    column![
        header,
        row![
            scrollable(lines.width(Length::Fill))
                .id("room-log")
                .anchor_bottom()
                .height(Length::Fill)
                .width(Length::Fill),
            container(scrollable(occupants))
                .width(180)
                .height(Length::Fill)
                .padding(8)
                .style(style::panel),
        ]
        .spacing(8)
        .height(Length::Fill),
        row![
            text_input("Write to the room", &main.room_input)
                .id(INPUT)
                .padding(8)
                .on_input(Message::RoomInput)
                .on_submit(Message::RoomSend),
            Space::new().width(4),
            button(text("Send"))
                .style(button::primary)
                .padding([8, 16])
                .on_press(Message::RoomSend),
        ]
        .align_y(Alignment::Center),
    ]
    .spacing(8)
    .padding(12)
    .into()
}
