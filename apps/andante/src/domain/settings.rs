//! The user's preferences and the last account, with their plain-text file format
//! (`key = value` lines; never a password).

use std::fmt;
use std::path::PathBuf;

use super::account::{ServerOptions, TlsChoice};

/// Light, dark, or as the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ThemeChoice {
    /// Follow the system's colour scheme.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    fn key(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }
}

impl fmt::Display for ThemeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThemeChoice::System => "Follow the system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        })
    }
}

/// How long history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Retention {
    /// Forever.
    #[default]
    Forever,
    /// This many days.
    Days(u32),
}

impl Retention {
    /// The choices the settings page offers.
    pub const CHOICES: [Retention; 5] = [
        Retention::Forever,
        Retention::Days(365),
        Retention::Days(90),
        Retention::Days(30),
        Retention::Days(7),
    ];

    /// The oldest instant kept, in Unix milliseconds, at `now_ms`.
    pub fn cutoff(self, now_ms: i64) -> Option<i64> {
        match self {
            Retention::Forever => None,
            Retention::Days(days) => Some(now_ms - i64::from(days) * 86_400_000),
        }
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Retention::Forever => f.write_str("Forever"),
            Retention::Days(365) => f.write_str("One year"),
            Retention::Days(days) => write!(f, "{days} days"),
        }
    }
}

/// The account the sign-in form starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LastAccount {
    /// Its address.
    pub jid: String,
    /// Its advanced options.
    pub options: ServerOptions,
    /// Whether its password is in the keyring.
    pub remember: bool,
}

/// The preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The colour scheme.
    pub theme: ThemeChoice,
    /// Desktop notifications for new messages while the window is not focused.
    pub notifications: bool,
    /// How long history is kept.
    pub retention: Retention,
    /// Hide offline contacts.
    pub hide_offline: bool,
    /// Tell contacts when we type (XEP-0085).
    pub send_typing: bool,
    /// Tell contacts when we have read their messages (XEP-0333).
    pub send_read_markers: bool,
    /// The last account signed in.
    pub last_account: Option<LastAccount>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: ThemeChoice::System,
            notifications: true,
            retention: Retention::Forever,
            hide_offline: false,
            send_typing: true,
            send_read_markers: true,
            last_account: None,
        }
    }
}

fn bool_key(value: &str) -> Option<bool> {
    match value {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

impl Settings {
    /// Reads the settings file's text; unknown keys and bad values are ignored.
    pub fn parse(text: &str) -> Self {
        let mut settings = Settings::default();
        let mut account = LastAccount::default();
        let mut host = None;
        let mut port = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            match key {
                "theme" => {
                    if let Some(t) = ThemeChoice::ALL.into_iter().find(|t| t.key() == value) {
                        settings.theme = t;
                    }
                }
                "notifications" => {
                    settings.notifications = bool_key(value).unwrap_or(settings.notifications);
                }
                "retention_days" => {
                    settings.retention = match value.parse::<u32>() {
                        Ok(0) | Err(_) => Retention::Forever,
                        Ok(days) => Retention::Days(days),
                    };
                }
                "hide_offline" => {
                    settings.hide_offline = bool_key(value).unwrap_or(settings.hide_offline);
                }
                "send_typing" => {
                    settings.send_typing = bool_key(value).unwrap_or(settings.send_typing);
                }
                "send_read_markers" => {
                    settings.send_read_markers =
                        bool_key(value).unwrap_or(settings.send_read_markers);
                }
                "account.jid" => account.jid = value.to_owned(),
                "account.remember" => account.remember = bool_key(value).unwrap_or(false),
                "account.host" => host = Some(value.to_owned()).filter(|h| !h.is_empty()),
                "account.port" => port = value.parse::<u16>().ok(),
                "account.tls" => {
                    account.options.tls = TlsChoice::from_key(value).unwrap_or_default();
                }
                "account.ca_file" => {
                    account.options.ca_file =
                        Some(PathBuf::from(value)).filter(|_| !value.is_empty());
                }
                _ => {}
            }
        }
        if let (Some(host), Some(port)) = (host, port) {
            account.options.server = Some((host, port));
        }
        if !account.jid.is_empty() {
            settings.last_account = Some(account);
        }
        settings
    }

    /// The settings file's text.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# andante settings\n");
        let mut line = |key: &str, value: &str| {
            // Values are single lines: a newline would start another key.
            let value: String = value.chars().filter(|c| *c != '\n' && *c != '\r').collect();
            out.push_str(&format!("{key} = {value}\n"));
        };
        line("theme", self.theme.key());
        line("notifications", &self.notifications.to_string());
        line(
            "retention_days",
            &match self.retention {
                Retention::Forever => 0,
                Retention::Days(d) => d,
            }
            .to_string(),
        );
        line("hide_offline", &self.hide_offline.to_string());
        line("send_typing", &self.send_typing.to_string());
        line("send_read_markers", &self.send_read_markers.to_string());
        if let Some(account) = &self.last_account {
            line("account.jid", &account.jid);
            line("account.remember", &account.remember.to_string());
            if let Some((host, port)) = &account.options.server {
                line("account.host", host);
                line("account.port", &port.to_string());
            }
            line("account.tls", account.options.tls.key());
            if let Some(ca) = &account.options.ca_file {
                line("account.ca_file", &ca.to_string_lossy());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_text() {
        let settings = Settings {
            theme: ThemeChoice::Dark,
            notifications: false,
            retention: Retention::Days(30),
            hide_offline: true,
            send_typing: false,
            send_read_markers: true,
            last_account: Some(LastAccount {
                jid: "juliet@capulet.lit".to_owned(),
                options: ServerOptions {
                    server: Some(("127.0.0.1".to_owned(), 5222)),
                    tls: TlsChoice::DirectTls,
                    ca_file: Some(PathBuf::from("/tmp/ca.pem")),
                },
                remember: true,
            }),
        };
        let text = settings.to_text();
        assert!(!text.contains("password"));
        assert_eq!(Settings::parse(&text), settings);
    }

    #[test]
    fn bad_lines_are_ignored() {
        let s = Settings::parse("theme = purple\nnonsense\nretention_days = x\nnotifications=no\n");
        assert_eq!(s.theme, ThemeChoice::System);
        assert_eq!(s.retention, Retention::Forever);
        assert!(!s.notifications);
        assert_eq!(s.last_account, None);
    }
}
