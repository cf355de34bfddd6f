//! ejabberd 23.01 as a private test server.
//!
//! `ejabberdctl` wants Erlang distribution (epmd on all interfaces, a cookie, a system user), so
//! the kit runs `erl` directly as a non-distributed node with a private config and spool dir;
//! instances can run side by side. Accounts are created through `mod_http_api` on loopback.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::server::{Layout, ServerOptions};
use crate::{KitError, install};

const ERL: &str = "/usr/bin/erl";
/// Where Debian installs ejabberd's Erlang applications.
const ERL_LIBS: &str = "/usr/lib/x86_64-linux-gnu";
const EJABBERDCTL: &str = "/usr/sbin/ejabberdctl";

pub(crate) fn check_installed() -> Result<(), KitError> {
    install::require_file("ejabberd", EJABBERDCTL, "ejabberd")?;
    install::require_file("erl", ERL, "ejabberd")?;
    install::require_file("sqlite3", SQLITE3, "sqlite3")?;
    let has_driver = fs::read_dir("/usr/lib/erlang/lib")
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("p1_sqlite3-"))
        })
        .unwrap_or(false);
    if !has_driver {
        return Err(KitError::NotInstalled {
            program: "p1_sqlite3",
            hint: format!(
                "no p1_sqlite3-* under /usr/lib/erlang/lib (e.g. {P1_SQLITE3}); {}",
                install::hint("erlang-p1-sqlite3")
            ),
        });
    }
    let has_app = fs::read_dir(ERL_LIBS)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("ejabberd-"))
        })
        .unwrap_or(false);
    if has_app {
        Ok(())
    } else {
        Err(KitError::NotInstalled {
            program: "ejabberd",
            hint: format!(
                "no ejabberd-* application under {ERL_LIBS}; {}",
                install::hint("ejabberd")
            ),
        })
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn yaml(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn yaml_path(p: &Path) -> String {
    yaml(&p.to_string_lossy())
}

fn config(layout: &Layout, options: &ServerOptions) -> String {
    let tls_protocols = if options.tls12_only {
        r#"["no_sslv3", "no_tlsv1", "no_tlsv1_1", "no_tlsv1_3"]"#
    } else {
        r#"["no_sslv3", "no_tlsv1", "no_tlsv1_1"]"#
    };
    let mam = if options.mam {
        "\n  mod_mam:\n    db_type: sql\n    assume_mam_usage: true\n    default: always"
    } else {
        ""
    };
    let level = if std::env::var_os("OPENXMPP_TESTKIT_DEBUG").is_some() {
        "debug"
    } else {
        "info"
    };
    format!(
        r#"# Written by openxmpp-testkit for one test run.
hosts:
  - {domain}
loglevel: {level}
certfiles:
  - {certfile}
c2s_protocol_options: {tls_protocols}
listen:
  -
    port: {starttls}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    protocol_options: {tls_protocols}
    max_stanza_size: 262144
    shaper: none
    access: c2s
    backlog: 1024
  -
    port: {direct}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    tls: true
    protocol_options: {tls_protocols}
    max_stanza_size: 262144
    shaper: none
    access: c2s
    backlog: 1024
  -
    port: {admin}
    ip: "127.0.0.1"
    module: ejabberd_http
    backlog: 128
    request_handlers:
      /api: mod_http_api
acl:
  loopback:
    ip:
      - 127.0.0.0/8
api_permissions:
  "loopback admin":
    from:
      - mod_http_api
    who:
      ip: 127.0.0.0/8
    what: "*"
sql_type: sqlite
sql_database: {database}
auth_method: internal
auth_password_format: plain
disable_sasl_mechanisms: ["X-OAUTH2"]
registration_timeout: infinity
s2s_access: none
shaper_rules:
  c2s_shaper: none
  s2s_shaper: none
access_rules:
  c2s:
    allow: all
  local:
    allow: all
  register:
    allow: all
modules:
  mod_adhoc: {{}}
  mod_blocking: {{}}
  mod_caps: {{}}
  mod_carboncopy: {{}}
  mod_client_state: {{}}
  mod_disco: {{}}
  mod_last: {{}}{mam}
  mod_muc:
    host: {conference}
    access_create: all
    default_room_options:
      mam: {room_mam}
  mod_offline: {{}}
  mod_ping: {{}}
  mod_privacy: {{}}
  mod_private: {{}}
  mod_pubsub:
    plugins:
      - flat
      - pep
  mod_register:
    ip_access: all
    access: register
  mod_roster:
    versioning: true
  mod_stream_mgmt: {{}}
  mod_time: {{}}
  mod_vcard: {{}}
  mod_version: {{}}
"#,
        domain = yaml(&layout.domain),
        certfile = yaml_path(&layout.dir.join("server.pem")),
        starttls = layout.starttls_port,
        direct = layout.direct_tls_port,
        admin = layout.admin_port,
        conference = yaml(&format!("conference.{}", layout.domain)),
        room_mam = options.mam,
        database = yaml_path(&database_path(layout)),
    )
}

/// The SQLite database the archive lives in: MAM on Mnesia is quadratic (a bag per user), so
/// that 10,000 messages take minutes; SQLite in the (tmpfs) server dir keeps up, and keeps every
/// committed write when the server is killed.
fn database_path(layout: &Layout) -> std::path::PathBuf {
    layout.dir.join("ejabberd.db")
}

/// Where Debian puts ejabberd's SQLite schema (23.01 does not create its tables itself).
const SQLITE_SCHEMA: &str = "/usr/share/ejabberd/sql/lite.sql";
const SQLITE3: &str = "/usr/bin/sqlite3";
/// The Erlang SQLite driver ejabberd's `sql_type: sqlite` needs.
const P1_SQLITE3: &str = "/usr/lib/erlang/lib/p1_sqlite3-1.1.14";

/// Creates the database from ejabberd's schema, once (a restart keeps the data).
fn create_database(layout: &Layout) -> Result<(), KitError> {
    let database = database_path(layout);
    if database.exists() {
        return Ok(());
    }
    let schema =
        fs::File::open(SQLITE_SCHEMA).map_err(KitError::io(format!("reading {SQLITE_SCHEMA}")))?;
    let mut command = Command::new(SQLITE3);
    command.arg(&database).stdin(schema);
    crate::server::run("sqlite3 (ejabberd schema)", &mut command)?;
    Ok(())
}

/// Writes the config and returns the command that runs ejabberd as a plain Erlang node.
pub(crate) fn prepare(layout: &Layout, options: &ServerOptions) -> Result<Command, KitError> {
    let spool = layout.dir.join("spool");
    fs::create_dir_all(&spool).map_err(KitError::io(format!("creating {}", spool.display())))?;
    // ejabberd wants certificate and key in one file.
    let read =
        |p: &Path| fs::read_to_string(p).map_err(KitError::io(format!("reading {}", p.display())));
    let pem = format!("{}{}", read(&layout.cert_chain)?, read(&layout.cert_key)?);
    let pem_path = layout.dir.join("server.pem");
    fs::write(&pem_path, pem).map_err(KitError::io(format!("writing {}", pem_path.display())))?;
    create_database(layout)?;
    let cfg = layout.dir.join("ejabberd.yml");
    fs::write(&cfg, config(layout, options))
        .map_err(KitError::io(format!("writing {}", cfg.display())))?;

    let mut command = Command::new(ERL);
    command
        .env("EJABBERD_CONFIG_PATH", &cfg)
        .env("EJABBERD_LOG_PATH", &layout.log)
        .env("ERL_LIBS", ERL_LIBS)
        .env("ERL_CRASH_DUMP", layout.dir.join("erl_crash.dump"))
        .env("HOME", &layout.dir)
        .args(["-noinput", "-noshell", "+K", "true", "-mnesia", "dir"])
        .arg(format!("\"{}\"", spool.display()))
        .args(["-s", "ejabberd"])
        .current_dir(&layout.dir);
    Ok(command)
}

/// Creates an account through `mod_http_api` (`POST /api/register`) on loopback.
pub(crate) fn register(layout: &Layout, user: &str, password: &str) -> Result<(), KitError> {
    let jid = format!("{user}@{}", layout.domain);
    let fail = |reason: String| KitError::Account {
        server: "ejabberd",
        jid: jid.clone(),
        reason,
    };
    let body = serde_json::json!({ "user": user, "host": layout.domain, "password": password })
        .to_string();
    let (status, answer) = http_post(layout.admin_port, "/api/register", &body)
        .map_err(|e| fail(format!("HTTP API: {e}")))?;
    if status == 200 {
        Ok(())
    } else {
        Err(fail(format!("HTTP {status}: {answer}")))
    }
}

/// A minimal HTTP/1.1 POST to loopback; returns the status code and the body.
fn http_post(port: u16, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    Ok((status, body.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(yaml("a\"b"), r#""a\"b""#);
        assert_eq!(yaml("localhost"), r#""localhost""#);
    }

    #[test]
    fn archives_can_be_switched_off() {
        let dir = std::path::PathBuf::from("/tmp/openxmpp-test-layout");
        let layout = Layout {
            domain: "localhost".to_owned(),
            starttls_port: 5222,
            direct_tls_port: 5223,
            admin_port: 5280,
            cert_chain: dir.join("chain.pem"),
            cert_key: dir.join("key.pem"),
            log: dir.join("log"),
            dir,
        };
        let on = config(&layout, &ServerOptions::default());
        assert!(on.contains("  mod_mam:\n") && on.contains("      mam: true"));
        let options = ServerOptions {
            mam: false,
            ..ServerOptions::default()
        };
        let off = config(&layout, &options);
        assert!(
            !off.contains("mod_mam") && off.contains("      mam: false"),
            "{off}"
        );
    }
}
