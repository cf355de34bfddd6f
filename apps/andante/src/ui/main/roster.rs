//! The contact list: filter, hide offline, add contact, join room, rooms, conversations with
//! people who are not contacts, and the contacts by group. Only the rows in view are built, so thousands of contacts cost no more than a
//! screenful.

use iced::widget::{Space, button, checkbox, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Main, Message, Pane};
use crate::domain::roster::RosterRow;
use crate::ui::style;

/// The filter field's id.
pub(crate) const FILTER_INPUT: &str = "roster-filter";
/// The list's id.
pub(crate) const LIST: &str = "roster-list";
/// The height of every row, so the visible ones can be computed from the scroll offset.
pub(crate) const ROW_HEIGHT: f32 = 44.0;
/// Rows built above and below the visible ones.
const OVERSCAN: usize = 4;
/// At most this many conversations with non-contacts are listed (the most recent).
const MAX_STRANGERS: usize = 8;

pub(super) fn view(main: &Main) -> Element<'_, Message> {
    let mut panel = column![
        row![
            text("Contacts").size(18),
            Space::new().width(Length::Fill),
            button(text("+ Contact"))
                .style(button::secondary)
                .on_press(Message::ToggleAddContact),
            button(text("Join room"))
                .style(button::secondary)
                .on_press(Message::ToggleJoinRoom),
        ]
        .spacing(6)
        .align_y(Alignment::Center),
        text_input("Filter (Enter opens the first)", &main.filter.text)
            .id(FILTER_INPUT)
            .padding(6)
            .on_input(Message::Filter)
            .on_submit(Message::FilterSubmit),
        checkbox(main.filter.hide_offline)
            .label("Hide offline contacts")
            .on_toggle(Message::HideOffline),
    ]
    .spacing(8)
    .padding(10);

    if let Some(form) = &main.add_contact {
        let mut f = column![
            text("Add a contact").size(16),
            text_input("address, like romeo@example.net", &form.jid)
                .id("add-contact-jid")
                .padding(6)
                .on_input(Message::AddContactJid)
                .on_submit(Message::AddContactSubmit),
            text_input("name (optional)", &form.name)
                .padding(6)
                .on_input(Message::AddContactName)
                .on_submit(Message::AddContactSubmit),
            text_input("group (optional)", &form.group)
                .padding(6)
                .on_input(Message::AddContactGroup)
                .on_submit(Message::AddContactSubmit),
            text("They will be asked to share their presence with you.").style(style::dim),
        ]
        .spacing(6);
        if let Some(error) = &form.error {
            f = f.push(text(error.as_str()).style(iced::widget::text::danger));
        }
        f = f.push(
            row![
                button(text("Add"))
                    .style(button::primary)
                    .on_press(Message::AddContactSubmit),
                button(text("Cancel"))
                    .style(button::secondary)
                    .on_press(Message::ToggleAddContact),
            ]
            .spacing(8),
        );
        panel = panel.push(container(f).padding(8).style(style::banner));
    }

    if let Some(form) = &main.join_room {
        let mut f = column![
            text("Join a room").size(16),
            text_input("room@conference.example.com", &form.room)
                .padding(6)
                .on_input(Message::JoinRoomJid)
                .on_submit(Message::JoinRoomSubmit),
            text_input("nickname", &form.nick)
                .padding(6)
                .on_input(Message::JoinRoomNick)
                .on_submit(Message::JoinRoomSubmit),
        ]
        .spacing(6);
        if let Some(error) = &form.error {
            f = f.push(text(error.as_str()).style(iced::widget::text::danger));
        }
        f = f.push(
            row![
                button(text("Join"))
                    .style(button::primary)
                    .on_press(Message::JoinRoomSubmit),
                button(text("Cancel"))
                    .style(button::secondary)
                    .on_press(Message::ToggleJoinRoom),
            ]
            .spacing(8),
        );
        panel = panel.push(container(f).padding(8).style(style::banner));
    }

    let rooms: Vec<_> = main.state.rooms.iter().collect();
    if !rooms.is_empty() {
        let mut list = column![text("Rooms").size(14).style(style::dim)].spacing(2);
        for room in rooms {
            let open = main.pane == Pane::Room(room.jid.clone());
            let label = if room.joined {
                room.jid.to_string()
            } else {
                format!("{} (joining…)", room.jid)
            };
            let mut line = row![text("#").size(16), text(label).width(Length::Fill)]
                .spacing(8)
                .align_y(Alignment::Center);
            if room.unread > 0 {
                line = line.push(unread_badge(room.unread));
            }
            list = list.push(
                button(line)
                    .width(Length::Fill)
                    .style(if open { button::primary } else { button::text })
                    .on_press(Message::OpenRoom(room.jid.clone())),
            );
        }
        panel = panel.push(list);
    }

    // Conversations with people who are not contacts (a stranger wrote, or the address was
    // typed in the filter): listed here so they can be found again.
    let strangers: Vec<_> = main
        .state
        .conversations
        .recent()
        .into_iter()
        .filter(|c| main.state.roster.get(&c.peer).is_none())
        .take(MAX_STRANGERS)
        .collect();
    if !strangers.is_empty() {
        let mut list = column![text("Not in your contacts").size(14).style(style::dim)].spacing(2);
        for conversation in strangers {
            let peer = &conversation.peer;
            let open = main.pane == Pane::Chat(peer.clone());
            let mut line = row![
                text("●")
                    .size(14)
                    .color(style::presence_color(main.state.roster.presence(peer))),
                text(peer.as_str()).width(Length::Fill),
            ]
            .spacing(8)
            .align_y(Alignment::Center);
            if conversation.unread > 0 {
                line = line.push(unread_badge(conversation.unread));
            }
            list = list.push(
                button(line)
                    .width(Length::Fill)
                    .style(if open { button::primary } else { button::text })
                    .on_press(Message::OpenChat(peer.clone())),
            );
        }
        panel = panel.push(list);
    }

    column![panel, contact_list(main)].into()
}

fn unread_badge<'a>(count: usize) -> Element<'a, Message> {
    container(text(count.to_string()).size(12))
        .padding([1, 7])
        .style(style::badge)
        .into()
}

/// The contacts, with only the rows in view built.
fn contact_list(main: &Main) -> Element<'_, Message> {
    let rows = main.state.roster.rows(&main.filter);
    let total = rows.len();
    if total == 0 {
        let hint = if main.state.roster.is_empty() {
            "No contacts yet: add one with “+ Contact”."
        } else {
            "No contact matches."
        };
        return container(text(hint).style(style::dim)).padding(12).into();
    }
    let first = ((main.roster_scroll.offset / ROW_HEIGHT).floor() as usize)
        .saturating_sub(OVERSCAN)
        .min(total);
    let visible = (main.roster_scroll.height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
    let last = (first + visible).min(total);
    let window: Vec<RosterRow> = rows[first..last].to_vec();
    drop(rows);

    let mut list = column![Space::new().height(first as f32 * ROW_HEIGHT)];
    for entry in window {
        list = list.push(row_view(main, entry));
    }
    list = list.push(Space::new().height((total - last) as f32 * ROW_HEIGHT));
    scrollable(list.width(Length::Fill))
        .id(LIST)
        .on_scroll(Message::RosterScrolled)
        .height(Length::Fill)
        .into()
}

fn row_view(main: &Main, entry: RosterRow) -> Element<'_, Message> {
    match entry {
        RosterRow::Group {
            name,
            contacts,
            online,
            collapsed,
        } => button(
            row![
                text(if collapsed { "▸" } else { "▾" }),
                text(format!("{name}  {online}/{contacts}")).size(14),
            ]
            .spacing(6)
            .height(Length::Fill)
            .align_y(Alignment::Center),
        )
        .style(button::text)
        .width(Length::Fill)
        .height(ROW_HEIGHT)
        .on_press(Message::ToggleGroup(name))
        .into(),
        RosterRow::Contact { jid, .. } => {
            let roster = &main.state.roster;
            let presence = roster.presence(&jid);
            let name: &str = roster.get(&jid).map_or("", |c| c.display_name());
            let mut second = roster.status(&jid).unwrap_or(presence.label()).to_owned();
            if roster.get(&jid).is_some_and(|c| c.request_pending()) {
                second = "request sent, waiting for an answer".to_owned();
            } else if let Some(state) = main
                .state
                .conversations
                .get(&jid)
                .and_then(|c| c.peer_state)
                && state == openxmpp::im::chat_states::ChatState::Composing
            {
                second = "typing…".to_owned();
            }
            let color = style::presence_color(presence);
            let mut line = row![
                text("●").size(14).color(color),
                column![text(name).size(15), text(second).size(12).style(style::dim),]
                    .width(Length::Fill),
            ]
            .spacing(8)
            .align_y(Alignment::Center);
            let unread = main.state.conversations.unread(&jid);
            if unread > 0 {
                line = line.push(unread_badge(unread));
            }
            let open = main.pane == Pane::Chat(jid.clone());
            button(line)
                .style(if open { button::primary } else { button::text })
                .width(Length::Fill)
                .height(ROW_HEIGHT)
                .padding([4, 10])
                .on_press(Message::OpenChat(jid))
                .into()
        }
    }
}
