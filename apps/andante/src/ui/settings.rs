//! The settings page: theme, notifications, history retention, and what contacts are told.

use iced::widget::{button, checkbox, column, container, pick_list, row, text};
use iced::{Alignment, Element, Length};

use crate::domain::settings::{Retention, Settings, ThemeChoice};
use crate::ui::style;

/// A change on the settings page.
#[derive(Debug, Clone)]
pub enum Message {
    /// The theme.
    Theme(ThemeChoice),
    /// Notifications on or off.
    Notifications(bool),
    /// History retention.
    Retention(Retention),
    /// Hide offline contacts.
    HideOffline(bool),
    /// Send typing notifications.
    Typing(bool),
    /// Send read markers.
    Markers(bool),
    /// Back to the chats.
    Close,
}

/// Applies a change; false for `Close`.
pub fn update(settings: &mut Settings, message: Message) -> bool {
    match message {
        Message::Theme(t) => settings.theme = t,
        Message::Notifications(on) => settings.notifications = on,
        Message::Retention(r) => settings.retention = r,
        Message::HideOffline(on) => settings.hide_offline = on,
        Message::Typing(on) => settings.send_typing = on,
        Message::Markers(on) => settings.send_read_markers = on,
        Message::Close => return false,
    }
    true
}

/// The page.
pub fn view(settings: &Settings) -> Element<'_, Message> {
    let page = column![
        text("Settings").size(28),
        row![
            text("Theme").width(200),
            pick_list(ThemeChoice::ALL, Some(settings.theme), Message::Theme),
        ]
        .align_y(Alignment::Center),
        row![
            text("Keep history").width(200),
            pick_list(
                Retention::CHOICES,
                Some(settings.retention),
                Message::Retention
            ),
        ]
        .align_y(Alignment::Center),
        checkbox(settings.notifications)
            .label("Notify me of new messages when the window is not focused")
            .on_toggle(Message::Notifications),
        checkbox(settings.hide_offline)
            .label("Hide offline contacts")
            .on_toggle(Message::HideOffline),
        checkbox(settings.send_typing)
            .label("Let contacts see when I am typing")
            .on_toggle(Message::Typing),
        checkbox(settings.send_read_markers)
            .label("Let contacts see when I have read their messages")
            .on_toggle(Message::Markers),
        text("History older than the retention is deleted when you sign in.").style(style::dim),
        button(text("Done"))
            .style(button::primary)
            .padding([8, 16])
            .on_press(Message::Close),
    ]
    .spacing(14)
    .max_width(560);
    container(page).padding(24).center_x(Length::Fill).into()
}

#[cfg(test)]
mod tests {
    use iced_test::simulator;

    use super::*;

    #[test]
    fn toggles_change_the_settings() {
        let mut settings = Settings::default();
        let mut ui = simulator(view(&settings));
        ui.click("Hide offline contacts").unwrap();
        ui.click("Done").unwrap();
        let mut open = true;
        for m in ui.into_messages() {
            open &= update(&mut settings, m);
        }
        assert!(settings.hide_offline);
        assert!(!open);
    }
}
