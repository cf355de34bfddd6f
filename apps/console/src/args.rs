//! The command line: who to sign in as, where, and how.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// A terminal XMPP client: interactive on a terminal, scripted when stdin is not one.
#[derive(Debug, Parser)]
#[command(name = "openxmpp-console", version, about, after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The account to sign in as (`user@domain`, optionally `/resource`).
    pub(crate) jid: String,

    /// Read the password from this file (its first line). Without it, the `XMPP_PASSWORD`
    /// environment variable is used, else the password is asked for on the terminal.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,

    /// Connect to HOST:PORT instead of looking up the domain's SRV records.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_server)]
    pub(crate) server: Option<(String, u16)>,

    /// How to secure the stream.
    #[arg(long, value_enum, default_value_t = TlsArg::Starttls)]
    pub(crate) tls: TlsArg,

    /// Trust the CA certificates in this PEM file, in addition to the system's.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca: Vec<PathBuf>,

    /// Ask the server for this resource.
    #[arg(long, value_name = "NAME")]
    pub(crate) resource: Option<String>,

    /// Create the account first (XEP-0077 in-band registration).
    #[arg(long)]
    pub(crate) register: bool,

    /// A registration field the server asks for, as name=value (with --register; repeatable).
    #[arg(long = "field", value_name = "NAME=VALUE", value_parser = parse_field, requires = "register")]
    pub(crate) fields: Vec<(String, String)>,

    /// Ping the server after SECONDS without input, and give the connection up when nothing
    /// answers within SECONDS more (default: a ping after 60 s, given up 20 s later).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) keepalive: Option<u64>,

    /// Print every event as one JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
}

const AFTER_HELP: &str = "\
Exit status: 0 after a clean session; 2 usage error; 3 connection failure; 4 TLS failure;
5 authentication failure; 6 stream error; 7 registration refused; 1 anything else.
Type `help` in the client for its commands.";

/// How the stream is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TlsArg {
    /// Plain TCP, then STARTTLS (required).
    Starttls,
    /// TLS from the first byte (XEP-0368).
    Direct,
    /// No encryption at all: only for a local test server.
    PlaintextInsecure,
}

fn parse_server(value: &str) -> Result<(String, u16), String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| format!("{value:?} is not HOST:PORT"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("{value:?} has no host"));
    }
    let port = port
        .parse()
        .map_err(|_| format!("{port:?} is not a port number"))?;
    Ok((host.to_owned(), port))
}

fn parse_field(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("{value:?} is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_and_fields_parse() {
        assert_eq!(
            parse_server("127.0.0.1:5222"),
            Ok(("127.0.0.1".to_owned(), 5222))
        );
        assert_eq!(parse_server("[::1]:5223"), Ok(("::1".to_owned(), 5223)));
        assert!(parse_server("localhost").is_err());
        assert!(parse_server("localhost:http").is_err());
        assert_eq!(
            parse_field("email=a=b@example.com"),
            Ok(("email".to_owned(), "a=b@example.com".to_owned()))
        );
        assert!(parse_field("=x").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
