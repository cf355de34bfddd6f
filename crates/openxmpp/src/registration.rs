//! In-band registration (XEP-0077): creating an account before signing in ([`Registration`]),
//! and changing the password or deleting the account once signed in ([`AccountManagement`]).
//!
//! A registration runs on its own connection, secured like a session (STARTTLS or Direct TLS,
//! the certificate verified) and never authenticated; the core carries the requests
//! ([`Purpose::Register`](openxmpp_core::connection::Purpose::Register)). It is driven inline
//! by the calls below: no task runs between them.
//!
//! ```no_run
//! use openxmpp::{Client, Error, Registration, RegistrationError};
//!
//! # async fn run() -> Result<(), Error> {
//! let account = Client::builder("juliet@example.com", "r0m30");
//! let mut registration = account.clone().start_registration().await?;
//! println!("{:?}", registration.form().instructions);
//! match registration.submit("juliet", "r0m30").await {
//!     Ok(()) => {}
//!     Err(Error::Registration(refusal)) => match *refusal {
//!         RegistrationError::UsernameTaken(_) => println!("taken, choose another"),
//!         other => println!("{other}"),
//!     },
//!     Err(e) => return Err(e),
//! }
//! registration.close().await?;
//!
//! let (client, _events) = account.connect().await?;
//! client.registration().change_password("a better one").await?;
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use openxmpp_core::connection::{
    self, Connection, ConnectionConfig, ConnectionError, IqError, StreamFeatures,
};
use openxmpp_core::jid::BareJid;
use openxmpp_core::stanza::{Iq, IqPayload};
use openxmpp_im::data_form::DataForm;
use openxmpp_im::register::{RegisterQuery, RegistrationError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::driver::{Connector, READ_CHUNK};
use crate::{Client, ClientBuilder, Error};

/// An in-band registration with a server (XEP-0077), from connecting to
/// [`Registration::close`]: the form the server wants filled in, and submissions, as many as
/// needed (after `UsernameTaken`, try another name on the same connection).
///
/// Start it with [`ClientBuilder::start_registration`] or [`Registration::start`]. The
/// builder's JID may be the server's domain or the account to be (its domain is used); its
/// password is not used. Server address, TLS mode, trusted roots and timeouts come from the
/// builder as for a session.
pub struct Registration {
    conn: Connection,
    stream: TcpStream,
    domain: String,
    features: StreamFeatures,
    form: RegisterQuery,
    iq_timeout: Duration,
    /// Why the connection ended, once it has: `None` inside for a clean close.
    ended: Option<Option<ConnectionError>>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The form's Debug hides passwords; submissions are not kept.
        f.debug_struct("Registration")
            .field("domain", &self.domain)
            .field("state", &self.conn.state())
            .field("form", &self.form)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Connects for in-band registration; see [`Registration`].
    pub async fn start_registration(self) -> Result<Registration, Error> {
        Registration::start(self).await
    }

    /// Connects for in-band registration from blocking code; see
    /// [`blocking::Registration`](crate::blocking::Registration).
    pub fn start_registration_blocking(self) -> Result<BlockingRegistration, Error> {
        BlockingRegistration::start(self)
    }
}

/// The core's configuration for registering with the builder's domain.
fn registration_config(builder: &ClientBuilder) -> Result<ConnectionConfig, Error> {
    let bare = builder
        .jid
        .split_once('/')
        .map_or(builder.jid.as_str(), |(bare, _)| bare);
    let invalid = |e| Error::Config(format!("{:?} is not a valid JID: {e}", builder.jid));
    let jid: BareJid = bare.parse().map_err(invalid)?;
    let server = BareJid::new(None, jid.domain()).map_err(invalid)?;
    let mut config = ConnectionConfig::registration(server, builder.tls_mode()?);
    config.lang = builder.lang.clone();
    config.negotiation_timeout = builder.negotiation_timeout;
    config.iq_timeout = builder.iq_timeout;
    Ok(config)
}

impl Registration {
    /// A builder for registering with `domain` (the server's domain): set the server address,
    /// TLS mode and roots on it as for a session, then
    /// [`start_registration`](ClientBuilder::start_registration).
    pub fn builder(domain: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(domain, "")
    }

    /// Connects, secures the stream and fetches the registration form.
    ///
    /// Fails with [`Error::Connection`] when the stream cannot be secured (no STARTTLS, a bad
    /// certificate…) and with [`Error::Registration`] when the server refuses to give a form
    /// (registration closed).
    pub async fn start(builder: ClientBuilder) -> Result<Self, Error> {
        let config = registration_config(&builder)?;
        let domain = config.domain().to_owned();
        let iq_timeout = builder.iq_timeout;
        let connector = Connector {
            builder,
            config,
            domain: domain.clone(),
        };
        let (conn, stream) = connector.open(None).await?;
        let mut registration = Registration {
            conn,
            stream,
            domain,
            features: StreamFeatures::default(),
            form: RegisterQuery::default(),
            iq_timeout,
            ended: None,
        };
        registration.features = registration
            .run_until(|event| match event {
                connection::Event::ReadyToRegister { features } => Some(features),
                _ => None,
            })
            .await?;
        let fetched = match registration.request(RegisterQuery::fetch()).await {
            Ok(answer) => registration.read_form(answer),
            Err(e) => Err(e),
        };
        match fetched {
            Ok(form) => {
                registration.form = form;
                Ok(registration)
            }
            Err(e) => {
                registration.close().await?;
                Err(e)
            }
        }
    }

    /// The server's domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The features of the secured stream; `registration` says whether the server advertised
    /// in-band registration.
    pub fn features(&self) -> &StreamFeatures {
        &self.features
    }

    /// What the server asked for: instructions, the legacy fields to fill in, a data form if
    /// it sent one (which then takes precedence), or where to register instead (`oob`).
    pub fn form(&self) -> &RegisterQuery {
        &self.form
    }

    /// Registers `username` with `password` (the legacy fields; use
    /// [`Registration::submit_query`] when the form asks for more).
    pub async fn submit(
        &mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<(), Error> {
        self.submit_iq(RegisterQuery::submit(username, password))
            .await
    }

    /// Registers with every legacy field of `query` (all those the form listed).
    pub async fn submit_query(&mut self, query: RegisterQuery) -> Result<(), Error> {
        self.submit_iq(Iq::set("", query.into())).await
    }

    /// Registers with a filled-in data form (see
    /// [`DataForm::submit_from`](openxmpp_im::data_form::DataForm::submit_from)).
    pub async fn submit_form(&mut self, form: DataForm) -> Result<(), Error> {
        self.submit_iq(RegisterQuery::submit_form(form)).await
    }

    /// Ends the connection with the closing handshake.
    pub async fn close(mut self) -> Result<(), Error> {
        self.conn.close(Instant::now());
        // Runs until the connection is finished; how it ended does not matter any more.
        let _ = self.run_until(|_| None::<()>).await;
        Ok(())
    }

    async fn submit_iq(&mut self, iq: Iq) -> Result<(), Error> {
        self.request(iq).await.map(drop)
    }

    fn read_form(&self, answer: Iq) -> Result<RegisterQuery, Error> {
        let invalid = |what: String| {
            Error::Connection(ConnectionError::Protocol(format!(
                "{}'s registration form {what}",
                self.domain
            )))
        };
        match answer.payload {
            IqPayload::Result(Some(query)) => {
                RegisterQuery::try_from(query).map_err(|e| invalid(format!("is invalid: {e}")))
            }
            _ => Err(invalid("is missing from its answer".to_owned())),
        }
    }

    /// Sends a request to the server and waits for its answer; errors the server returns are
    /// [`Error::Registration`].
    async fn request(&mut self, iq: Iq) -> Result<Iq, Error> {
        if self.conn.is_finished() {
            return Err(self.end_error());
        }
        let id = self.conn.request(Instant::now(), iq)?;
        let result = self
            .run_until(|event| match event {
                // A request ended by the disconnection is reported with the connection's error.
                connection::Event::IqResponse { id: got, result }
                    if got == id && !matches!(result, Err(IqError::Disconnected)) =>
                {
                    Some(result)
                }
                _ => None,
            })
            .await?;
        result.map_err(|e| match e {
            IqError::Stanza(e) => Error::Registration(Box::new(RegistrationError::from(e))),
            other => Error::from_iq(other, self.iq_timeout),
        })
    }

    /// Why the connection ended.
    fn end_error(&self) -> Error {
        match &self.ended {
            Some(Some(error)) => Error::Connection(error.clone()),
            _ => Error::Closed,
        }
    }

    /// Writes what the core has to send; returns whether there was anything.
    async fn flush(&mut self) -> bool {
        let mut wrote = false;
        while let Some(bytes) = self.conn.poll_transmit() {
            wrote = true;
            if let Err(e) = self.stream.write_all(&bytes).await {
                tracing::info!(domain = %self.domain, error = %e, "write failed");
                self.conn.transport_closed(Instant::now());
            }
        }
        wrote
    }

    /// Drives the connection until `pick` takes an event, or it ends (then its error).
    async fn run_until<T>(
        &mut self,
        mut pick: impl FnMut(connection::Event) -> Option<T>,
    ) -> Result<T, Error> {
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            loop {
                while let Some(event) = self.conn.poll_event() {
                    if let connection::Event::Disconnected { error } = &event {
                        self.ended = Some(error.clone());
                    }
                    if let Some(found) = pick(event) {
                        self.flush().await;
                        return Ok(found);
                    }
                }
                if !self.flush().await {
                    break;
                }
            }
            if self.conn.is_finished() {
                let _ = self.stream.shutdown().await;
                return Err(self.end_error());
            }
            let deadline = self.conn.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                read = self.stream.read(&mut buf) => {
                    let now = Instant::now();
                    match read {
                        Ok(0) => self.conn.transport_closed(now),
                        Ok(n) => self.conn.handle_input(now, &buf[..n]),
                        Err(e) => {
                            tracing::info!(domain = %self.domain, error = %e, "read failed");
                            self.conn.transport_closed(now);
                        }
                    }
                }
                () = sleep => self.conn.handle_timeout(Instant::now()),
            }
        }
    }
}

/// The signed-in account's registration (XEP-0077 §3.2, §3.3): change its password or delete
/// it. From [`Client::registration`].
///
/// The requests go to the account itself (no `to`), which the server answers on its behalf:
/// ejabberd answers a cancellation from the session's own full JID, which a request addressed
/// to the domain would not accept as its answer.
#[derive(Debug, Clone, Copy)]
pub struct AccountManagement<'a> {
    client: &'a Client,
}

impl Client {
    /// Password change and account deletion for the signed-in account.
    pub fn registration(&self) -> AccountManagement<'_> {
        AccountManagement { client: self }
    }
}

impl AccountManagement<'_> {
    /// Changes the account's password. The session goes on; a reconnect of this client
    /// would still use the old password and be refused, so build the next client with the
    /// new one.
    pub async fn change_password(&self, new_password: impl Into<String>) -> Result<(), Error> {
        let jid = self.client.jid();
        let username = jid.local().ok_or_else(|| {
            Error::Config(format!(
                "{} has no username whose password could change",
                jid.as_str()
            ))
        })?;
        self.request(RegisterQuery::change_password(username, new_password))
            .await
    }

    /// Deletes the account on the server, then closes the client: the server ends the
    /// session, and no session can be established again.
    pub async fn cancel_account(&self) -> Result<(), Error> {
        self.request(RegisterQuery::cancel()).await?;
        self.client.close().await
    }

    async fn request(&self, iq: Iq) -> Result<(), Error> {
        match self.client.request(iq).await {
            Ok(_) => Ok(()),
            Err(Error::Stanza(e)) => {
                Err(Error::Registration(Box::new(RegistrationError::from(*e))))
            }
            Err(e) => Err(e),
        }
    }
}

/// An in-band registration for blocking code: [`Registration`] run on a private runtime.
/// Exported as `openxmpp::blocking::Registration`.
///
/// ```no_run
/// let mut registration = openxmpp::Registration::builder("example.com")
///     .start_registration_blocking()?;
/// registration.submit("juliet", "r0m30")?;
/// registration.close()?;
/// # Ok::<(), openxmpp::Error>(())
/// ```
#[derive(Debug)]
pub struct BlockingRegistration {
    // Dropped before the runtime its socket belongs to.
    inner: Registration,
    runtime: tokio::runtime::Runtime,
}

impl BlockingRegistration {
    /// Connects, secures the stream and fetches the form; see [`Registration::start`].
    pub fn start(builder: ClientBuilder) -> Result<Self, Error> {
        let runtime = crate::blocking::runtime()?;
        let inner = runtime.block_on(Registration::start(builder))?;
        Ok(BlockingRegistration { inner, runtime })
    }

    /// The server's domain.
    pub fn domain(&self) -> &str {
        self.inner.domain()
    }

    /// The features of the secured stream.
    pub fn features(&self) -> &StreamFeatures {
        self.inner.features()
    }

    /// What the server asked for; see [`Registration::form`].
    pub fn form(&self) -> &RegisterQuery {
        self.inner.form()
    }

    /// Registers `username` with `password`; see [`Registration::submit`].
    pub fn submit(
        &mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<(), Error> {
        self.runtime.block_on(self.inner.submit(username, password))
    }

    /// Registers with the legacy fields of `query`; see [`Registration::submit_query`].
    pub fn submit_query(&mut self, query: RegisterQuery) -> Result<(), Error> {
        self.runtime.block_on(self.inner.submit_query(query))
    }

    /// Registers with a filled-in data form; see [`Registration::submit_form`].
    pub fn submit_form(&mut self, form: DataForm) -> Result<(), Error> {
        self.runtime.block_on(self.inner.submit_form(form))
    }

    /// Ends the connection with the closing handshake.
    pub fn close(self) -> Result<(), Error> {
        self.runtime.block_on(self.inner.close())
    }
}

/// [`AccountManagement`] for blocking code, from
/// [`blocking::Client::registration`](crate::blocking::Client::registration). Exported as
/// `openxmpp::blocking::AccountManagement`.
#[derive(Debug, Clone, Copy)]
pub struct BlockingAccountManagement<'a> {
    client: &'a crate::blocking::Client,
}

impl crate::blocking::Client {
    /// Password change and account deletion for the signed-in account.
    pub fn registration(&self) -> BlockingAccountManagement<'_> {
        BlockingAccountManagement { client: self }
    }
}

impl BlockingAccountManagement<'_> {
    /// Changes the account's password; see [`AccountManagement::change_password`].
    pub fn change_password(&self, new_password: impl Into<String>) -> Result<(), Error> {
        let client = self.client;
        client
            .runtime
            .block_on(client.inner.registration().change_password(new_password))
    }

    /// Deletes the account and closes the client; see [`AccountManagement::cancel_account`].
    pub fn cancel_account(&self) -> Result<(), Error> {
        let client = self.client;
        client
            .runtime
            .block_on(client.inner.registration().cancel_account())
    }
}

#[cfg(test)]
mod tests {
    use openxmpp_core::connection::{Purpose, TlsMode};
    use openxmpp_core::error::{StanzaError, StanzaErrorCondition};

    use super::*;
    use crate::Security;

    fn config_for(jid: &str) -> Result<ConnectionConfig, Error> {
        let builder = ClientBuilder::new(jid, "s3cr3t")
            .security(Security::PlaintextInsecureForLocalTestingOnly)
            .lang("fr")
            .iq_timeout(Duration::from_secs(7));
        registration_config(&builder)
    }

    #[test]
    fn the_builder_names_the_server_or_the_account_to_be() {
        for jid in ["Example.com", "bill@example.com", "bill@example.com/desk"] {
            let config = config_for(jid).unwrap();
            assert_eq!(config.account.as_str(), "example.com", "{jid}");
            assert_eq!(config.purpose, Purpose::Register);
            assert!(matches!(
                config.tls,
                TlsMode::PlaintextInsecureForLocalTestingOnly
            ));
            assert_eq!(config.lang.as_deref(), Some("fr"));
            assert_eq!(config.iq_timeout, Duration::from_secs(7));
            assert!(!format!("{config:?}").contains("s3cr3t"));
        }
        for jid in ["", "@example.com", "bill@"] {
            assert!(matches!(config_for(jid), Err(Error::Config(_))), "{jid:?}");
        }
    }

    #[test]
    fn refusals_say_what_the_server_refused() {
        let taken = Error::Registration(Box::new(RegistrationError::from(
            StanzaError::new(StanzaErrorCondition::Conflict).with_text(None, "User already exists"),
        )));
        assert_eq!(
            taken.to_string(),
            "the server refused: this username is already taken (User already exists)"
        );
    }
}
