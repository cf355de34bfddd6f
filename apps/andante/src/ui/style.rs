//! Colours and small style helpers shared by the screens.

use iced::widget::{container, text};
use iced::{Border, Color, Theme};

use crate::domain::presence::ContactPresence;

/// The colour of a presence dot.
pub(crate) fn presence_color(presence: ContactPresence) -> Color {
    match presence {
        ContactPresence::Chat => Color::from_rgb8(0x1e, 0xb9, 0x80),
        ContactPresence::Available => Color::from_rgb8(0x2e, 0xa0, 0x43),
        ContactPresence::Away => Color::from_rgb8(0xe3, 0xa0, 0x08),
        ContactPresence::ExtendedAway => Color::from_rgb8(0xd0, 0x6b, 0x1a),
        ContactPresence::DoNotDisturb => Color::from_rgb8(0xd1, 0x24, 0x2f),
        ContactPresence::Offline => Color::from_rgb8(0x8c, 0x95, 0x9f),
    }
}

/// A dimmed text colour (timestamps, status texts).
pub(crate) fn dim(theme: &Theme) -> text::Style {
    let palette = theme.extended_palette();
    text::Style {
        color: Some(palette.background.strong.text.scale_alpha(0.7)),
    }
}

/// The panel background (roster, top bar).
pub(crate) fn panel(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.into()),
        ..container::Style::default()
    }
}

/// A banner (requests, notices).
pub(crate) fn banner(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.weak.color.into()),
        text_color: Some(palette.primary.weak.text),
        border: Border::default().rounded(6),
        ..container::Style::default()
    }
}

/// An error banner.
pub(crate) fn error_banner(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.danger.weak.color.into()),
        text_color: Some(palette.danger.weak.text),
        border: Border::default().rounded(6),
        ..container::Style::default()
    }
}

/// A message bubble: ours or theirs.
pub(crate) fn bubble(ours: bool, selected: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme: &Theme| {
        let palette = theme.extended_palette();
        let pair = if ours {
            palette.primary.weak
        } else {
            palette.background.strong
        };
        container::Style {
            background: Some(pair.color.into()),
            text_color: Some(pair.text),
            border: Border::default()
                .rounded(8)
                .width(if selected { 2 } else { 0 })
                .color(palette.primary.strong.color),
            ..container::Style::default()
        }
    }
}

/// The unread badge.
pub(crate) fn badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.strong.color.into()),
        text_color: Some(palette.primary.strong.text),
        border: Border::default().rounded(9),
        ..container::Style::default()
    }
}
