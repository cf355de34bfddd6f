//! A private XMPP server for tests: Prosody or ejabberd, on loopback, in its own temp dir.

use std::fmt;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::certs::TestCa;
use crate::process::Supervised;
use crate::{KitError, ejabberd, ports, prosody};

/// Which server software.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// Prosody 0.12 (Debian package `prosody`).
    Prosody,
    /// ejabberd 23.01 (Debian package `ejabberd`).
    Ejabberd,
}

impl ServerKind {
    /// Both servers, for tests that run against each.
    pub const ALL: [ServerKind; 2] = [ServerKind::Prosody, ServerKind::Ejabberd];

    /// The server's name.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Prosody => "prosody",
            ServerKind::Ejabberd => "ejabberd",
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The SCRAM hash a server stores passwords with (Prosody offers one SCRAM hash at a time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordHash {
    /// SCRAM-SHA-1 (Prosody's default).
    #[default]
    Sha1,
    /// SCRAM-SHA-256.
    Sha256,
}

/// How to configure a private server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The XMPP domain; the certificate covers it and `conference.<domain>`.
    pub domain: String,
    /// Allow only TLS 1.2, so that the servers offer their `-PLUS` mechanisms (both bind to
    /// `tls-unique`, which TLS 1.3 does not have).
    pub tls12_only: bool,
    /// The password hash (Prosody; ejabberd stores passwords in a form that offers every SCRAM).
    pub password_hash: PasswordHash,
    /// Names for the server certificate instead of the domain's (to test host name checks).
    pub certificate_names: Option<Vec<String>>,
    /// Message archives (XEP-0313) for accounts and rooms; off to measure what archiving
    /// costs the server.
    pub mam: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            domain: "localhost".to_owned(),
            tls12_only: false,
            password_hash: PasswordHash::Sha1,
            certificate_names: None,
            mam: true,
        }
    }
}

/// An account on a test server.
#[derive(Clone, Debug)]
pub struct Account {
    /// The localpart.
    pub user: String,
    /// The bare JID, `user@domain`.
    pub jid: String,
    /// The password (a throw-away test secret).
    pub password: String,
}

/// Where a server listens and how it was set up; what the back-ends share with [`TestServer`].
pub(crate) struct Layout {
    pub(crate) dir: PathBuf,
    pub(crate) domain: String,
    pub(crate) starttls_port: u16,
    pub(crate) direct_tls_port: u16,
    /// An extra port (ejabberd's HTTP API for account creation).
    pub(crate) admin_port: u16,
    pub(crate) cert_chain: PathBuf,
    pub(crate) cert_key: PathBuf,
    pub(crate) log: PathBuf,
}

/// A running private server. Stopped (by its own PID) and its directory removed when dropped.
pub struct TestServer {
    kind: ServerKind,
    options: ServerOptions,
    layout: Layout,
    ca_pem_path: PathBuf,
    ca_pem: String,
    process: Supervised,
    started_in: Duration,
    next_account: AtomicU32,
    /// When the last account was created (see [`TestServer::kill_for_restart`]).
    last_account: std::sync::Mutex<Option<Instant>>,
}

/// How long ejabberd may take to make an account it created survive a crash: Mnesia keeps
/// recent writes in its transaction log and a crash right after can lose them.
const EJABBERD_PERSIST: Duration = Duration::from_secs(6);

impl TestServer {
    /// Starts a server with default options.
    pub fn start(kind: ServerKind) -> Result<Self, KitError> {
        Self::start_with(kind, ServerOptions::default())
    }

    /// Starts a server: generates its CA and certificate, writes its config, starts it on free
    /// loopback ports and waits until it accepts connections.
    pub fn start_with(kind: ServerKind, options: ServerOptions) -> Result<Self, KitError> {
        match kind {
            ServerKind::Prosody => prosody::check_installed()?,
            ServerKind::Ejabberd => ejabberd::check_installed()?,
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("openxmpp-{}-", kind.name()))
            .tempdir_in(scratch_root())
            .map_err(KitError::io("creating the server's temp dir"))?
            // The watchdog removes it once the server has stopped.
            .keep();
        let result = Self::start_in(kind, options, dir.clone());
        if result.is_err() && std::env::var_os("OPENXMPP_TESTKIT_KEEP").is_none() {
            let _ = fs::remove_dir_all(&dir);
        }
        result
    }

    fn start_in(kind: ServerKind, options: ServerOptions, dir: PathBuf) -> Result<Self, KitError> {
        let ca = TestCa::generate()?;
        let conference = format!("conference.{}", options.domain);
        let default_names = [options.domain.as_str(), conference.as_str(), "127.0.0.1"];
        let leaf = match &options.certificate_names {
            Some(names) => {
                ca.issue_server_cert(&names.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            None => ca.issue_server_cert(&default_names)?,
        };
        let write = |name: &str, text: &str| -> Result<PathBuf, KitError> {
            let path = dir.join(name);
            fs::write(&path, text).map_err(KitError::io(format!("writing {}", path.display())))?;
            Ok(path)
        };
        let ca_pem_path = write("ca.pem", ca.cert_pem())?;
        let cert_chain = write("server.crt", &leaf.chain_pem)?;
        let cert_key = write("server.key", &leaf.key_pem)?;
        let ports = ports::free_loopback_ports(3)?;
        let layout = Layout {
            domain: options.domain.clone(),
            starttls_port: ports[0],
            direct_tls_port: ports[1],
            admin_port: ports[2],
            cert_chain,
            cert_key,
            log: dir.join(format!("{}.log", kind.name())),
            dir,
        };
        let command = match kind {
            ServerKind::Prosody => prosody::prepare(&layout, &options)?,
            ServerKind::Ejabberd => ejabberd::prepare(&layout, &options)?,
        };
        let keep = std::env::var_os("OPENXMPP_TESTKIT_KEEP").is_some();
        let started = Instant::now();
        let process = Supervised::spawn(
            kind.name(),
            &command,
            &layout.log,
            (!keep).then_some(layout.dir.as_path()),
        )?;
        let mut wait_for = vec![layout.starttls_port, layout.direct_tls_port];
        if kind == ServerKind::Ejabberd {
            wait_for.push(layout.admin_port);
        }
        wait_until_listening(&process, &wait_for, Duration::from_secs(60))?;
        let started_in = started.elapsed();
        tracing::info!(server = kind.name(), dir = %layout.dir.display(), ?started_in, "server up");
        Ok(Self {
            kind,
            options,
            layout,
            ca_pem_path,
            ca_pem: ca.cert_pem().to_owned(),
            process,
            started_in,
            next_account: AtomicU32::new(0),
            last_account: std::sync::Mutex::new(None),
        })
    }

    /// Which server this is.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// The options it was started with.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// The XMPP domain it serves.
    pub fn domain(&self) -> &str {
        &self.layout.domain
    }

    /// The client port that offers STARTTLS (TLS required).
    pub fn starttls_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.layout.starttls_port))
    }

    /// The client port that speaks TLS from the first byte (XEP-0368 Direct TLS).
    pub fn direct_tls_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.layout.direct_tls_port))
    }

    /// The CA certificate (PEM file) the server's certificate chains to.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_pem_path
    }

    /// The CA certificate in PEM.
    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The server's log file.
    pub fn log_path(&self) -> &Path {
        self.process.log()
    }

    /// The server's PID.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// How long the server took from spawn to accepting connections.
    pub fn startup_time(&self) -> Duration {
        self.started_in
    }

    /// Stops the server (by its PID) and starts it again on the same ports with the same data
    /// and accounts: a server restart as clients see it. Returns once it accepts connections.
    pub fn restart(&mut self) -> Result<(), KitError> {
        self.stop_for_restart()?;
        self.start_again()
    }

    /// Stops the server but keeps its directory, so that [`TestServer::start_again`] can bring
    /// it back (an outage of any length, for reconnect tests).
    pub fn stop_for_restart(&mut self) -> Result<(), KitError> {
        let marker = self.layout.dir.join(".keep-for-restart");
        fs::write(&marker, b"").map_err(KitError::io("marking the server dir for a restart"))?;
        self.process.stop();
        Ok(())
    }

    /// Kills the server outright (SIGKILL to its PID: no goodbye to its clients, nothing
    /// flushed, every session lost) but keeps its directory, so that
    /// [`TestServer::start_again`] brings it back with the data it had written: a crash.
    ///
    /// ejabberd keeps its accounts in Mnesia, which can lose its last seconds of writes in a
    /// crash: the kill waits until accounts created just before have had time to persist
    /// (the clients under test are what should be crashed into, not the test's own setup).
    pub fn kill_for_restart(&mut self) -> Result<(), KitError> {
        self.wait_for_accounts_to_persist();
        let marker = self.layout.dir.join(".keep-for-restart");
        fs::write(&marker, b"").map_err(KitError::io("marking the server dir for a restart"))?;
        self.process.signal("KILL")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.process.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Lets the watchdog finish (the directory stays: it is marked).
        self.process.stop();
        Ok(())
    }

    /// Waits until the accounts created so far survive a crash (ejabberd's Mnesia may need a
    /// few seconds; Prosody writes them at once), so that a test can crash the server at the
    /// moment it wants.
    pub fn wait_for_accounts_to_persist(&self) {
        if self.kind != ServerKind::Ejabberd {
            return;
        }
        let last = self.last_account.lock().map(|l| *l).unwrap_or(None);
        if let Some(wait) = last.and_then(|at| EJABBERD_PERSIST.checked_sub(at.elapsed())) {
            std::thread::sleep(wait);
        }
    }

    /// Freezes the server (SIGSTOP to its PID): its sockets stay open but nothing is read or
    /// answered, as with a stalled network. It runs again when the guard is dropped (SIGCONT).
    pub fn freeze(&self) -> Result<Frozen<'_>, KitError> {
        self.process.signal("STOP")?;
        let frozen = Frozen { server: self };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.process.is_stopped() {
            if Instant::now() > deadline {
                return Err(KitError::Io {
                    context: format!("freezing {} ({})", self.kind, self.pid()),
                    source: std::io::Error::other("SIGSTOP did not stop every thread in 5 s"),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(frozen)
    }

    /// Starts a server stopped with [`TestServer::stop_for_restart`] again.
    pub fn start_again(&mut self) -> Result<(), KitError> {
        let marker = self.layout.dir.join(".keep-for-restart");
        let command = match self.kind {
            ServerKind::Prosody => prosody::prepare(&self.layout, &self.options)?,
            ServerKind::Ejabberd => ejabberd::prepare(&self.layout, &self.options)?,
        };
        let keep = std::env::var_os("OPENXMPP_TESTKIT_KEEP").is_some();
        let _ = fs::remove_file(&marker);
        let process = Supervised::spawn(
            self.kind.name(),
            &command,
            &self.layout.log,
            (!keep).then_some(self.layout.dir.as_path()),
        )?;
        let mut ports = vec![self.layout.starttls_port, self.layout.direct_tls_port];
        if self.kind == ServerKind::Ejabberd {
            ports.push(self.layout.admin_port);
        }
        wait_until_listening(&process, &ports, Duration::from_secs(60))?;
        self.process = process;
        Ok(())
    }

    /// Creates an account with the given localpart and password.
    pub fn create_account(&self, user: &str, password: &str) -> Result<Account, KitError> {
        match self.kind {
            ServerKind::Prosody => prosody::register(&self.layout, user, password)?,
            ServerKind::Ejabberd => ejabberd::register(&self.layout, user, password)?,
        }
        if let Ok(mut last) = self.last_account.lock() {
            *last = Some(Instant::now());
        }
        Ok(Account {
            user: user.to_owned(),
            jid: format!("{user}@{}", self.layout.domain),
            password: password.to_owned(),
        })
    }

    /// Creates an account with a fresh, unique localpart starting with `prefix` and a random
    /// password, so that tests sharing a server never share accounts.
    pub fn new_account(&self, prefix: &str) -> Result<Account, KitError> {
        let n = self.next_account.fetch_add(1, Ordering::Relaxed);
        let user = format!("{prefix}{n}");
        let password = random_password()?;
        self.create_account(&user, &password)
    }
}

/// A server frozen by [`TestServer::freeze`]; dropping it lets the server run again.
#[must_use = "the server runs again as soon as this is dropped"]
pub struct Frozen<'a> {
    server: &'a TestServer,
}

impl fmt::Debug for Frozen<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frozen")
            .field("pid", &self.server.pid())
            .finish()
    }
}

impl Drop for Frozen<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.server.process.signal("CONT") {
            tracing::warn!(error = %e, "could not let the server run again");
        }
    }
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("kind", &self.kind)
            .field("domain", &self.layout.domain)
            .field("starttls", &self.starttls_addr())
            .field("direct_tls", &self.direct_tls_addr())
            .field("pid", &self.pid())
            .finish()
    }
}

/// One server of each kind per test binary, started on first use and stopped by the watchdog
/// when the test binary exits.
pub fn shared(kind: ServerKind) -> Result<&'static TestServer, &'static KitError> {
    static PROSODY: OnceLock<Result<TestServer, KitError>> = OnceLock::new();
    static EJABBERD: OnceLock<Result<TestServer, KitError>> = OnceLock::new();
    let cell = match kind {
        ServerKind::Prosody => &PROSODY,
        ServerKind::Ejabberd => &EJABBERD,
    };
    cell.get_or_init(|| TestServer::start(kind)).as_ref()
}

/// Where server directories go: `OPENXMPP_TESTKIT_DIR`, else `/dev/shm` (servers fsync; tmpfs
/// makes that free), else the system temp dir.
fn scratch_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPENXMPP_TESTKIT_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

fn wait_until_listening(
    process: &Supervised,
    ports: &[u16],
    limit: Duration,
) -> Result<(), KitError> {
    let deadline = Instant::now() + limit;
    for &port in ports {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if !process.is_running() {
                return Err(process
                    .start_failed(format!("the server exited before listening on port {port}")));
            }
            if Instant::now() >= deadline {
                return Err(process
                    .start_failed(format!("nothing listened on port {port} within {limit:?}")));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    Ok(())
}

fn random_password() -> Result<String, KitError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| KitError::Io {
        context: "getting random bytes".to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs a command to completion, turning a failure into [`KitError::Command`]. `label` names
/// the command in errors (the arguments are not shown: they may hold a test password).
pub(crate) fn run(label: &str, command: &mut std::process::Command) -> Result<String, KitError> {
    let line = label.to_owned();
    let output = command
        .output()
        .map_err(KitError::io(format!("running {line}")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        Ok(text)
    } else {
        Err(KitError::Command {
            command: line,
            status: output.status.to_string(),
            output: text
                .chars()
                .rev()
                .take(2000)
                .collect::<String>()
                .chars()
                .rev()
                .collect(),
        })
    }
}
