//! Prosody 0.12 as a private test server.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::server::{Layout, PasswordHash, ServerOptions, run};
use crate::{KitError, install};

const PROSODY: &str = "/usr/bin/prosody";
const PROSODYCTL: &str = "/usr/bin/prosodyctl";

pub(crate) fn check_installed() -> Result<(), KitError> {
    install::require_file("prosody", PROSODY, "prosody")?;
    install::require_file("prosodyctl", PROSODYCTL, "prosody")
}

/// A Lua string literal.
fn lua(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn path(p: &Path) -> String {
    lua(&p.to_string_lossy())
}

fn config(layout: &Layout, options: &ServerOptions) -> String {
    let data = layout.dir.join("data");
    let protocol = if options.tls12_only {
        "tlsv1_2"
    } else {
        "tlsv1_2+"
    };
    let hash = match options.password_hash {
        PasswordHash::Sha1 => "SHA-1",
        PasswordHash::Sha256 => "SHA-256",
    };
    let (mam, muc_mam) = if options.mam {
        (r#""mam", "#, r#""muc_mam""#)
    } else {
        ("", "")
    };
    let level = if std::env::var_os("OPENXMPP_TESTKIT_DEBUG").is_some() {
        "debug"
    } else {
        "info"
    };
    format!(
        r#"-- Written by openxmpp-testkit for one test run.
run_as_root = true
daemonize = false
pidfile = {pidfile}
data_path = {data}
log = {{ {level} = {log} }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {starttls} }}
c2s_direct_tls_ports = {{ {direct} }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
network_settings = {{ nagle = false }}
certificates = {certs}
ssl = {{ certificate = {chain}, key = {key}, protocol = "{protocol}" }}
c2s_require_encryption = true
allow_registration = true
authentication = "internal_hashed"
password_hash = "{hash}"
storage = "internal"
modules_enabled = {{
  "roster", "saslauth", "tls", "disco", "register", "carbons", {mam}"smacks",
  "blocklist", "ping", "vcard", "private", "pep", "version", "time", "csi_simple",
  "offline", "posix"
}}
modules_disabled = {{ "s2s" }}
archive_expires_after = "never"
-- The internal store's default quota (10,000 per account) makes mod_mam truncate the archive
-- on every message beyond it, rewriting its file: benchmarks send more than that.
storage_archive_item_limit = 1000000

VirtualHost {domain}

Component {conference} "muc"
  modules_enabled = {{ {muc_mam} }}
  restrict_room_creation = false
"#,
        pidfile = path(&layout.dir.join("prosody.pid")),
        data = path(&data),
        log = path(&layout.log),
        starttls = layout.starttls_port,
        direct = layout.direct_tls_port,
        certs = path(&layout.dir.join("certs")),
        chain = path(&layout.cert_chain),
        key = path(&layout.cert_key),
        domain = lua(&layout.domain),
        conference = lua(&format!("conference.{}", layout.domain)),
    )
}

fn config_path(layout: &Layout) -> std::path::PathBuf {
    layout.dir.join("prosody.cfg.lua")
}

/// Writes the config and returns the command that runs Prosody in the foreground.
pub(crate) fn prepare(layout: &Layout, options: &ServerOptions) -> Result<Command, KitError> {
    for dir in [layout.dir.join("data"), layout.dir.join("certs")] {
        fs::create_dir_all(&dir).map_err(KitError::io(format!("creating {}", dir.display())))?;
    }
    let cfg = config_path(layout);
    fs::write(&cfg, config(layout, options))
        .map_err(KitError::io(format!("writing {}", cfg.display())))?;
    let mut command = Command::new(PROSODY);
    command.arg("--config").arg(&cfg).arg("-F");
    Ok(command)
}

/// Creates an account with `prosodyctl register` against the server's own config and data.
pub(crate) fn register(layout: &Layout, user: &str, password: &str) -> Result<(), KitError> {
    let mut command = Command::new(PROSODYCTL);
    command
        .arg("--config")
        .arg(config_path(layout))
        .arg("register")
        .arg(user)
        .arg(&layout.domain)
        .arg(password);
    run("prosodyctl register", &mut command).map_err(|e| KitError::Account {
        server: "prosody",
        jid: format!("{user}@{}", layout.domain),
        reason: e.to_string(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        let dir = std::path::PathBuf::from("/tmp/openxmpp-test-layout");
        Layout {
            domain: "localhost".to_owned(),
            starttls_port: 5222,
            direct_tls_port: 5223,
            admin_port: 5280,
            cert_chain: dir.join("chain.pem"),
            cert_key: dir.join("key.pem"),
            log: dir.join("log"),
            dir,
        }
    }

    #[test]
    fn archives_can_be_switched_off() {
        let on = config(&layout(), &ServerOptions::default());
        assert!(on.contains(r#""mam", "#) && on.contains(r#"{ "muc_mam" }"#));
        let options = ServerOptions {
            mam: false,
            ..ServerOptions::default()
        };
        let off = config(&layout(), &options);
        assert!(!off.contains("mam\""), "{off}");
    }

    #[test]
    fn lua_strings_are_escaped() {
        assert_eq!(lua(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
