//! An account to sign in with: the form's fields checked, and the client configuration they
//! make.

use std::fmt;
use std::path::PathBuf;

use openxmpp::im::session::Modules;
use openxmpp::im::version::SoftwareVersion;
use openxmpp::{BareJid, Client, ClientBuilder, Registration, Security};

/// How the stream is secured, as the sign-in form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TlsChoice {
    /// STARTTLS on the usual port (required).
    #[default]
    StartTls,
    /// TLS from the first byte (XEP-0368).
    DirectTls,
}

impl TlsChoice {
    /// Both choices.
    pub const ALL: [TlsChoice; 2] = [TlsChoice::StartTls, TlsChoice::DirectTls];

    /// The name stored in the settings file.
    pub fn key(self) -> &'static str {
        match self {
            TlsChoice::StartTls => "starttls",
            TlsChoice::DirectTls => "direct",
        }
    }

    /// The choice stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "starttls" => Some(TlsChoice::StartTls),
            "direct" => Some(TlsChoice::DirectTls),
            _ => None,
        }
    }
}

impl fmt::Display for TlsChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsChoice::StartTls => "STARTTLS",
            TlsChoice::DirectTls => "Direct TLS",
        })
    }
}

/// Where and how to connect, beyond the JID: the form's "Advanced" part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ServerOptions {
    /// Host and port to connect to instead of the SRV lookup.
    pub server: Option<(String, u16)>,
    /// STARTTLS or Direct TLS.
    pub tls: TlsChoice,
    /// A PEM file of CA certificates to trust besides the system's.
    pub ca_file: Option<PathBuf>,
}

impl ServerOptions {
    /// The library's configuration for these options, on `builder`.
    pub fn apply(&self, mut builder: ClientBuilder) -> ClientBuilder {
        if let Some((host, port)) = &self.server {
            builder = builder.server(host.clone(), *port);
        }
        builder = builder.security(match self.tls {
            TlsChoice::StartTls => Security::StartTls,
            TlsChoice::DirectTls => Security::DirectTls,
        });
        if let Some(ca) = &self.ca_file {
            builder = builder.add_ca_file(ca.clone());
        }
        builder
    }

    /// Reads the form's advanced fields: host (empty: automatic), port (empty: the default
    /// for the TLS choice), the CA file (empty: none).
    pub fn from_form(host: &str, port: &str, tls: TlsChoice, ca: &str) -> Result<Self, FormError> {
        let host = host.trim();
        let port = port.trim();
        let server = if host.is_empty() {
            if !port.is_empty() {
                return Err(FormError::PortWithoutHost);
            }
            None
        } else {
            let port = if port.is_empty() {
                match tls {
                    TlsChoice::StartTls => 5222,
                    TlsChoice::DirectTls => 5223,
                }
            } else {
                match port.parse::<u16>() {
                    Ok(p) if p > 0 => p,
                    _ => return Err(FormError::InvalidPort(port.to_owned())),
                }
            };
            Some((host.to_owned(), port))
        };
        let ca = ca.trim();
        Ok(ServerOptions {
            server,
            tls,
            ca_file: (!ca.is_empty()).then(|| PathBuf::from(ca)),
        })
    }
}

/// A password that does not show in logs or debug output.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(String);

impl Password {
    /// Wraps `password`.
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }

    /// The password itself, to hand to the library or the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<password>")
    }
}

/// What is wrong with a form, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Nothing in the address field.
    #[error("Enter your address, like juliet@example.com.")]
    MissingJid,
    /// The address is not a JID.
    #[error("“{0}” is not a valid address: {1}.")]
    InvalidJid(String, String),
    /// The address has no username part.
    #[error("“{0}” has no username: write it as name@{0}.")]
    NoUsername(String),
    /// No password.
    #[error("Enter your password.")]
    MissingPassword,
    /// The port is not a number from 1 to 65535.
    #[error("The port “{0}” is not a number from 1 to 65535.")]
    InvalidPort(String),
    /// A port without a host.
    #[error("Give the server host too, or leave the port empty.")]
    PortWithoutHost,
    /// No server domain (registration).
    #[error("Enter the server, like example.com.")]
    MissingServer,
    /// The server domain is not a domain.
    #[error("“{0}” is not a valid server name.")]
    InvalidServer(String),
}

/// Everything needed to sign in, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// The account.
    pub jid: BareJid,
    /// Its password.
    pub password: Password,
    /// Server, TLS and CA options.
    pub options: ServerOptions,
}

impl SignIn {
    /// Checks the sign-in form.
    pub fn from_form(jid: &str, password: &str, options: ServerOptions) -> Result<Self, FormError> {
        let jid = parse_account(jid)?;
        if password.is_empty() {
            return Err(FormError::MissingPassword);
        }
        Ok(SignIn {
            jid,
            password: Password::new(password),
            options,
        })
    }

    /// The library's client configuration.
    pub fn builder(&self) -> ClientBuilder {
        let builder = Client::builder(self.jid.to_string(), self.password.expose())
            .resource(format!("andante-{}", short_random()))
            .modules(Modules {
                version: Some(SoftwareVersion::new("andante", env!("CARGO_PKG_VERSION"))),
                ..Modules::default()
            });
        self.options.apply(builder)
    }
}

/// Reads an account address: a bare JID with a username.
pub fn parse_account(jid: &str) -> Result<BareJid, FormError> {
    let jid = jid.trim();
    if jid.is_empty() {
        return Err(FormError::MissingJid);
    }
    let parsed: BareJid = jid.parse().map_err(|e: openxmpp::jid::JidError| {
        FormError::InvalidJid(jid.to_owned(), e.to_string())
    })?;
    if parsed.local().is_none() {
        return Err(FormError::NoUsername(parsed.domain().to_owned()));
    }
    Ok(parsed)
}

/// Reads a server domain for registration.
pub fn parse_server(domain: &str) -> Result<BareJid, FormError> {
    let domain = domain.trim();
    if domain.is_empty() {
        return Err(FormError::MissingServer);
    }
    match domain.parse::<BareJid>() {
        Ok(jid) if jid.local().is_none() => Ok(jid),
        _ => Err(FormError::InvalidServer(domain.to_owned())),
    }
}

/// The library's configuration for registering with `domain`.
pub fn registration_builder(domain: &BareJid, options: &ServerOptions) -> ClientBuilder {
    options.apply(Registration::builder(domain.to_string()))
}

/// A short random-looking tag, for resource names and message ids.
pub fn short_random() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("{:08x}", hasher.finish() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_checked() {
        let options = ServerOptions::default();
        assert_eq!(
            SignIn::from_form("", "pw", options.clone()),
            Err(FormError::MissingJid)
        );
        assert_eq!(
            SignIn::from_form("example.com", "pw", options.clone()),
            Err(FormError::NoUsername("example.com".to_owned()))
        );
        assert!(matches!(
            SignIn::from_form("a@b@c", "pw", options.clone()),
            Err(FormError::InvalidJid(..))
        ));
        assert_eq!(
            SignIn::from_form("juliet@example.com", "", options.clone()),
            Err(FormError::MissingPassword)
        );
        let ok = SignIn::from_form(" juliet@example.com ", "pw", options).unwrap();
        assert_eq!(ok.jid.as_str(), "juliet@example.com");
        assert!(!format!("{ok:?}").contains("pw\""));
    }

    #[test]
    fn advanced_options_are_checked() {
        let tls = TlsChoice::StartTls;
        assert_eq!(
            ServerOptions::from_form("", "", tls, "").unwrap(),
            ServerOptions::default()
        );
        assert_eq!(
            ServerOptions::from_form("", "5222", tls, ""),
            Err(FormError::PortWithoutHost)
        );
        assert_eq!(
            ServerOptions::from_form("h", "99999", tls, ""),
            Err(FormError::InvalidPort("99999".to_owned()))
        );
        let direct =
            ServerOptions::from_form("xmpp.example.com", "", TlsChoice::DirectTls, "/ca.pem")
                .unwrap();
        assert_eq!(direct.server, Some(("xmpp.example.com".to_owned(), 5223)));
        assert_eq!(direct.ca_file, Some(PathBuf::from("/ca.pem")));
    }

    #[test]
    fn servers_are_domains() {
        assert!(parse_server("example.com").is_ok());
        assert_eq!(parse_server(" "), Err(FormError::MissingServer));
        assert!(matches!(
            parse_server("me@example.com"),
            Err(FormError::InvalidServer(_))
        ));
    }
}
