//! The conversation with one contact: header with presence and typing, the contact editor,
//! search, the log (the last lines, more on request), and the composer (Enter sends,
//! Shift+Enter adds a line, ↑ corrects the last message).

use iced::keyboard::{Key, key::Named};
use iced::widget::text_editor::{Binding, KeyPress};
use iced::widget::{
    Space, button, column, container, mouse_area, row, scrollable, text, text_editor, text_input,
};
use iced::{Alignment, Element, Length};
use openxmpp::BareJid;
use openxmpp::im::chat_states::ChatState;
use openxmpp::im::chats::Direction;

use super::{Main, Message};
use crate::domain::conversation::{ChatLine, DeliveryState};
use crate::domain::time::{format_message_time, now_ms};
use crate::ui::style;

/// The composer's id.
pub(crate) const COMPOSER: &str = "chat-composer";
/// The log's id.
pub(crate) const LOG: &str = "chat-log";
/// The search field's id.
pub(crate) const SEARCH: &str = "chat-search";

pub(super) fn view<'a>(main: &'a Main, peer: &'a BareJid) -> Element<'a, Message> {
    let state = &main.state;
    let contact = state.roster.get(peer);
    let name = contact.map_or(peer.as_str(), |c| c.display_name());
    let presence = state.roster.presence(peer);
    let conversation = state.conversations.get(peer);

    let mut subtitle = peer.to_string();
    if let Some(status) = state.roster.status(peer) {
        subtitle = format!("{subtitle} — {status}");
    }
    let header = row![
        text("●").size(18).color(style::presence_color(presence)),
        column![
            text(name).size(20),
            text(subtitle).size(12).style(style::dim),
        ]
        .width(Length::Fill),
        button(text("Search"))
            .style(button::secondary)
            .on_press(Message::ToggleSearch),
        button(text(if contact.is_some() {
            "Edit contact"
        } else {
            "Add contact"
        }))
        .style(button::secondary)
        .on_press(if contact.is_some() {
            Message::ToggleEditContact
        } else {
            Message::AddContactJid(peer.to_string())
        }),
    ]
    .spacing(10)
    .align_y(Alignment::Center);

    let mut page = column![header].spacing(8).padding(12);

    if let Some(editor) = &main.chat.editor {
        let mut buttons = row![
            button(text("Save"))
                .style(button::primary)
                .on_press(Message::SaveContact),
            button(text("Cancel"))
                .style(button::secondary)
                .on_press(Message::ToggleEditContact),
            Space::new().width(Length::Fill),
        ]
        .spacing(8);
        buttons = if editor.confirm_remove {
            buttons
                .push(text(format!("Remove {peer} and stop sharing presence?")))
                .push(
                    button(text("Yes, remove"))
                        .style(button::danger)
                        .on_press(Message::ConfirmRemove),
                )
        } else {
            buttons.push(
                button(text("Remove contact"))
                    .style(button::danger)
                    .on_press(Message::RemoveContact),
            )
        };
        page = page.push(
            container(
                column![
                    row![
                        text("Name").width(70),
                        text_input("name", &editor.name)
                            .padding(6)
                            .on_input(Message::EditContactName),
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                    row![
                        text("Groups").width(70),
                        text_input("groups, separated by commas", &editor.groups)
                            .padding(6)
                            .on_input(Message::EditContactGroups)
                            .on_submit(Message::SaveContact),
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                    buttons,
                ]
                .spacing(6),
            )
            .padding(8)
            .style(style::banner),
        );
    }

    if let Some((query, results)) = &main.chat.search {
        let mut found = column![
            text_input("Search this conversation", query)
                .id(SEARCH)
                .padding(6)
                .on_input(Message::Search),
        ]
        .spacing(4);
        if !query.trim().is_empty() {
            found = found.push(
                text(match results.len() {
                    0 => "Nothing found.".to_owned(),
                    1 => "1 message found:".to_owned(),
                    n => format!("{n} messages found:"),
                })
                .style(style::dim),
            );
        }
        let now = now_ms();
        let mut list = column![].spacing(2);
        for line in results.iter().take(50) {
            let who = if line.direction == Direction::Outgoing {
                "You"
            } else {
                name
            };
            list = list.push(
                text(format!(
                    "{}  {who}: {}",
                    format_message_time(line.at_ms, now),
                    line.body
                ))
                .size(13),
            );
        }
        found = found.push(scrollable(list).height(Length::Shrink));
        page = page.push(
            container(found)
                .padding(8)
                .max_height(220)
                .style(style::panel),
        );
    }

    page = page.push(log(main, peer, name));

    if let Some(ChatState::Composing) = conversation.and_then(|c| c.peer_state) {
        page = page.push(
            text(format!("{name} is typing…"))
                .size(13)
                .style(style::dim),
        );
    } else if let Some(ChatState::Paused) = conversation.and_then(|c| c.peer_state) {
        page = page.push(
            text(format!("{name} stopped typing."))
                .size(13)
                .style(style::dim),
        );
    }

    if main.chat.editing.is_some() {
        page = page.push(
            row![
                text("Correcting your last message").style(style::dim),
                button(text("Cancel"))
                    .style(button::text)
                    .on_press(Message::CancelEdit),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    if !state.status.is_online() {
        page = page.push(
            text("You are offline: messages are queued and sent when the connection is back.")
                .size(13)
                .style(style::dim),
        );
    }
    let empty = main.chat.composer.text().trim().is_empty();
    let composer = text_editor(&main.chat.composer)
        .id(COMPOSER)
        .placeholder("Write a message — Enter sends, Shift+Enter adds a line")
        .height(Length::Shrink)
        .max_height(160)
        .padding(8)
        .on_action(Message::Composer)
        .key_binding(move |press: KeyPress| composer_keys(press, empty));
    page = page.push(
        row![
            composer,
            button(text(if main.chat.editing.is_some() {
                "Correct"
            } else {
                "Send"
            }))
            .style(button::primary)
            .padding([8, 16])
            .on_press(Message::Send),
        ]
        .spacing(8)
        .align_y(Alignment::End),
    );
    page.into()
}

/// Enter sends, Shift+Enter is a new line, ↑ in an empty composer corrects the last message.
fn composer_keys(press: KeyPress, empty: bool) -> Option<Binding<Message>> {
    let focused = matches!(press.status, text_editor::Status::Focused { .. });
    match press.key.as_ref() {
        Key::Named(Named::Enter) if focused && !press.modifiers.shift() => {
            Some(Binding::Custom(Message::Send))
        }
        Key::Named(Named::ArrowUp) if focused && empty => Some(Binding::Custom(Message::EditLast)),
        _ => Binding::from_key_press(press),
    }
}

/// The lines of the log: a window of at most [`MAX_SHOWN`](super::MAX_SHOWN) lines, the
/// newest unless the user reads back.
fn log<'a>(main: &'a Main, peer: &'a BareJid, name: &'a str) -> Element<'a, Message> {
    let Some(conversation) = main.state.conversations.get(peer) else {
        return container(text("No messages yet.").style(style::dim))
            .height(Length::Fill)
            .center_x(Length::Fill)
            .into();
    };
    let lines = conversation.lines();
    let end = lines.len().saturating_sub(main.chat.below);
    let start = end.saturating_sub(main.chat.shown);
    let now = now_ms();
    let mut list = column![].spacing(6).padding([0, 12]);
    if start > 0 || !conversation.history_exhausted {
        list = list.push(
            container(
                button(text("Earlier messages"))
                    .style(button::secondary)
                    .on_press(Message::LoadEarlier),
            )
            .center_x(Length::Fill),
        );
    } else if lines.is_empty() {
        list = list.push(text("No messages yet.").style(style::dim));
    }
    let last_outgoing = conversation.last_outgoing().and_then(|l| l.id.as_deref());
    for (i, line) in lines.range(start..end).enumerate() {
        let i = start + i;
        let selected = main.chat.selected.as_ref().filter(|(s, _)| *s == i);
        list = list.push(line_view(
            i,
            line,
            name,
            now,
            selected.map(|(_, c)| c),
            line.id.as_deref() == last_outgoing && line.direction == Direction::Outgoing,
        ));
    }
    if end < lines.len() {
        list = list.push(
            container(
                row![
                    button(text("Later messages"))
                        .style(button::secondary)
                        .on_press(Message::ShowLater),
                    button(text("Latest messages"))
                        .style(button::primary)
                        .on_press(Message::ShowLatest),
                ]
                .spacing(8),
            )
            .center_x(Length::Fill),
        );
    }
    scrollable(list.width(Length::Fill))
        .id(LOG)
        .on_scroll(Message::ChatScrolled)
        .height(Length::Fill)
        .into()
}

fn line_view<'a>(
    index: usize,
    line: &'a ChatLine,
    name: &'a str,
    now: i64,
    selected: Option<&'a text_editor::Content>,
    last_ours: bool,
) -> Element<'a, Message> {
    let ours = line.direction == Direction::Outgoing;
    let mut meta = row![
        text(if ours { "You" } else { name }).size(13),
        text(format_message_time(line.at_ms, now))
            .size(12)
            .style(style::dim),
    ]
    .spacing(8);
    if line.edited {
        meta = meta.push(text("(edited)").size(12).style(style::dim));
    }
    if ours {
        let mark = line.state.mark();
        let mark = text(mark).size(12);
        meta = meta.push(if line.state == DeliveryState::Failed {
            mark.style(iced::widget::text::danger)
        } else {
            mark.style(style::dim)
        });
    }
    let body: Element<'a, Message> = match selected {
        Some(content) => column![
            text_editor(content)
                .on_action(Message::SelectedText)
                .height(Length::Shrink)
                .padding(4),
            row![
                button(text("Copy").size(12))
                    .style(button::secondary)
                    .on_press(Message::Copy(line.body.clone())),
                if last_ours {
                    button(text("Correct").size(12))
                        .style(button::secondary)
                        .on_press(Message::EditLast)
                } else {
                    button(text("Correct").size(12)).style(button::secondary)
                },
                button(text("Close").size(12))
                    .style(button::text)
                    .on_press(Message::SelectLine(None)),
            ]
            .spacing(6),
        ]
        .spacing(4)
        .into(),
        None => text(line.body.as_str()).into(),
    };
    let bubble = container(column![meta, body].spacing(2))
        .padding([6, 10])
        .max_width(620)
        .style(style::bubble(ours, selected.is_some()));
    let bubble: Element<'a, Message> = if selected.is_some() {
        bubble.into()
    } else {
        mouse_area(bubble)
            .on_press(Message::SelectLine(Some(index)))
            .into()
    };
    if ours {
        row![Space::new().width(Length::Fill), bubble].into()
    } else {
        row![bubble, Space::new().width(Length::Fill)].into()
    }
}
