//! Where files go: the platform's config and data directories (via `directories`), or one
//! directory given in `ANDANTE_HOME` (tests, portable installs).

use std::path::{Path, PathBuf};

use openxmpp::BareJid;

use crate::domain::settings::Settings;

/// The app's directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    config_dir: PathBuf,
    data_dir: PathBuf,
}

impl Paths {
    /// The platform's directories, or `ANDANTE_HOME` when set.
    pub fn from_env() -> Self {
        if let Some(home) = std::env::var_os("ANDANTE_HOME") {
            return Paths::in_dir(PathBuf::from(home));
        }
        match directories::ProjectDirs::from("org", "openXMPP", "andante") {
            Some(dirs) => Paths {
                config_dir: dirs.config_dir().to_path_buf(),
                data_dir: dirs.data_dir().to_path_buf(),
            },
            None => Paths::in_dir(std::env::temp_dir().join("andante")),
        }
    }

    /// Everything under `dir`.
    pub fn in_dir(dir: PathBuf) -> Self {
        Paths {
            config_dir: dir.join("config"),
            data_dir: dir.join("data"),
        }
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.conf")
    }

    /// The history database of `account`.
    pub fn history_file(&self, account: &BareJid) -> PathBuf {
        let name: String = account
            .as_str()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.data_dir
            .join("accounts")
            .join(name)
            .join("history.sqlite")
    }

    /// Reads the settings (defaults when there is no file or it cannot be read).
    pub fn load_settings(&self) -> Settings {
        match std::fs::read_to_string(self.settings_file()) {
            Ok(text) => Settings::parse(&text),
            Err(_) => Settings::default(),
        }
    }

    /// Writes the settings.
    pub fn save_settings(&self, settings: &Settings) -> std::io::Result<()> {
        write_file(&self.settings_file(), settings.to_text().as_bytes())
    }
}

fn write_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, contents)?;
    std::fs::rename(temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_saved_and_read_back() {
        let dir = std::env::temp_dir().join(format!("andante-paths-{}", std::process::id()));
        let paths = Paths::in_dir(dir.clone());
        assert_eq!(paths.load_settings(), Settings::default());
        let settings = Settings {
            hide_offline: true,
            ..Settings::default()
        };
        paths.save_settings(&settings).unwrap();
        assert_eq!(paths.load_settings(), settings);
        let file = paths.history_file(
            &"a/b@example.com"
                .parse()
                .unwrap_or_else(|_| "ab@example.com".parse().unwrap()),
        );
        assert!(file.starts_with(dir.join("data")));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
