//! `cargo xtask bench login`: how long our client takes from `connect()` to online (TCP, TLS,
//! SASL, resource binding) against private Prosody and ejabberd servers, for every mechanism
//! each offers and for STARTTLS and Direct TLS, next to slixmpp logging in to the same servers.
//!
//! Per server, every row (both TLS modes) gets one untimed warm-up login, then the timed logins
//! go round-robin over the rows (our client with each mechanism, then slixmpp, for STARTTLS and
//! then Direct TLS), so that noise from other work on the machine spreads over all rows of a
//! server alike instead of landing on one. The servers run one after the other.

use std::fmt;
use std::fs;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use openxmpp::{Client, Event, Mechanism, Security};
use openxmpp_testkit::{
    Account, PasswordHash, PeerTls, SLIXMPP_VERSION, ServerKind, ServerOptions, SlixPeer,
    TestServer, ensure_venv, install,
};
use serde_json::json;

use super::{Machine, Options, Stats, Table, flush, ms};
use crate::{TaskResult, packages};

/// One private server and the mechanisms it offers (over TLS 1.3, so no `-PLUS`: both servers
/// bind only to `tls-unique`).
struct Setup {
    label: &'static str,
    kind: ServerKind,
    options: ServerOptions,
    mechanisms: &'static [Mechanism],
}

fn setups() -> [Setup; 3] {
    [
        Setup {
            label: "prosody",
            kind: ServerKind::Prosody,
            options: ServerOptions::default(),
            mechanisms: &[Mechanism::ScramSha1, Mechanism::Plain],
        },
        Setup {
            label: "prosody-sha256",
            kind: ServerKind::Prosody,
            options: ServerOptions {
                password_hash: PasswordHash::Sha256,
                ..ServerOptions::default()
            },
            mechanisms: &[Mechanism::ScramSha256],
        },
        Setup {
            label: "ejabberd",
            kind: ServerKind::Ejabberd,
            options: ServerOptions::default(),
            mechanisms: &[
                Mechanism::ScramSha512,
                Mechanism::ScramSha256,
                Mechanism::ScramSha1,
                Mechanism::Plain,
                Mechanism::DigestMd5,
            ],
        },
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    StartTls,
    DirectTls,
}

impl Mode {
    const ALL: [Mode; 2] = [Mode::StartTls, Mode::DirectTls];

    fn security(self) -> Security {
        match self {
            Mode::StartTls => Security::StartTls,
            Mode::DirectTls => Security::DirectTls,
        }
    }

    fn peer(self) -> PeerTls {
        match self {
            Mode::StartTls => PeerTls::StartTls,
            Mode::DirectTls => PeerTls::DirectTls,
        }
    }

    fn addr(self, server: &TestServer) -> SocketAddr {
        match self {
            Mode::StartTls => server.starttls_addr(),
            Mode::DirectTls => server.direct_tls_addr(),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::StartTls => "STARTTLS",
            Mode::DirectTls => "Direct TLS",
        })
    }
}

/// Which mechanism slixmpp used, and how we know.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SlixMechanism {
    /// Read from the server's log (ejabberd logs every accepted authentication).
    Observed(String),
    /// Not visible, but the server offers exactly one SCRAM variant, which slixmpp ranks above
    /// PLAIN and DIGEST-MD5 (its scores: SCRAM 60+, DIGEST-MD5 30, PLAIN 2).
    Inferred(Mechanism),
    /// Not known.
    Auto,
}

impl SlixMechanism {
    /// The mechanism name to match our rows against, if known or inferred.
    fn name(&self) -> Option<&str> {
        match self {
            SlixMechanism::Observed(name) => Some(name),
            SlixMechanism::Inferred(m) => Some(m.name()),
            SlixMechanism::Auto => None,
        }
    }

    fn label(&self) -> String {
        match self {
            SlixMechanism::Observed(name) => name.clone(),
            SlixMechanism::Inferred(m) => format!("auto (={}*)", m.name()),
            SlixMechanism::Auto => "auto".to_owned(),
        }
    }

    fn source(&self) -> &'static str {
        match self {
            SlixMechanism::Observed(_) => "server log",
            SlixMechanism::Inferred(_) => "inferred",
            SlixMechanism::Auto => "unknown",
        }
    }
}

/// One row of results: our client with one mechanism, and slixmpp where it used the same one.
struct Row {
    server: &'static str,
    mode: Mode,
    mechanism: Mechanism,
    ours: Stats,
    slix: Option<Stats>,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.slix.map(|s| ms(s.median) / ms(self.ours.median))
    }
}

/// slixmpp's result for one server and TLS mode.
struct SlixResult {
    server: &'static str,
    mode: Mode,
    mechanism: SlixMechanism,
    stats: Stats,
}

/// Timed logins per row unless `--runs` says otherwise.
const DEFAULT_RUNS: usize = 20;

pub(super) fn run(options: &Options) -> TaskResult {
    let runs = options.runs.unwrap_or(DEFAULT_RUNS);
    packages::ensure(install::DEBIAN_PACKAGES)?;
    let python = ensure_venv()?;
    let machine = Machine::describe(
        &["prosody", "ejabberd"],
        &[("slixmpp", SLIXMPP_VERSION.to_owned())],
    );
    machine.print();
    println!(
        "bench login: {} timed logins per row after one warm-up; slixmpp from {}",
        runs,
        python.display()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let mut rows = Vec::new();
    let mut slix_results = Vec::new();
    // One server at a time, so that no idle server shares the cores with the one measured.
    for setup in setups().into_iter().filter(|s| options.runs_on(s.label)) {
        let server = TestServer::start_with(setup.kind, setup.options.clone())
            .map_err(|e| format!("starting {}: {e}", setup.label))?;
        println!(
            "bench login: {} up in {:.2?} (STARTTLS {}, Direct TLS {})",
            setup.label,
            server.startup_time(),
            server.starttls_addr(),
            server.direct_tls_addr()
        );
        let (ours, slix) = measure(&runtime, &server, &setup, runs)?;
        for row in ours {
            rows.push(Row {
                server: setup.label,
                mode: row.mode,
                mechanism: row.mechanism,
                ours: Stats::of(&row.samples).ok_or("no samples")?,
                slix: None,
            });
        }
        slix_results.extend(slix);
    }
    for s in &slix_results {
        if let Some(row) = rows.iter_mut().find(|r| {
            r.server == s.server
                && r.mode == s.mode
                && Some(r.mechanism.name()) == s.mechanism.name()
        }) {
            row.slix = Some(s.stats);
        }
    }

    print_results(&rows, &slix_results);
    if let Some(path) = &options.json {
        let document = json!({
            "benchmark": "login",
            "runs": runs,
            "machine": machine.to_json(),
            "timed": { "ours": OURS_TIMED, "slixmpp": SLIX_TIMED },
            "rows": rows.iter().map(row_json).collect::<Vec<_>>(),
            "slixmpp": slix_results.iter().map(slix_json).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&document)?;
        fs::write(path, text + "\n")
            .map_err(|e| format!("writing the results to {}: {e}", path.display()))?;
        println!("bench login: results written to {}", path.display());
    }
    Ok(())
}

/// Our client's timed logins for one row.
struct OurSamples {
    mode: Mode,
    mechanism: Mechanism,
    account: Account,
    samples: Vec<Duration>,
}

/// slixmpp's timed logins for one TLS mode.
struct SlixSamples {
    mode: Mode,
    account: Account,
    peer: SlixPeer,
    samples: Vec<Duration>,
}

/// All rows of one server, both TLS modes, interleaved round-robin.
fn measure(
    runtime: &tokio::runtime::Runtime,
    server: &TestServer,
    setup: &Setup,
    runs: usize,
) -> Result<(Vec<OurSamples>, Vec<SlixResult>), Box<dyn std::error::Error>> {
    let account = |prefix: &str| {
        server
            .new_account(prefix)
            .map_err(|e| format!("creating an account on {}: {e}", setup.label))
    };
    let mut ours = Vec::new();
    let mut slix = Vec::new();
    for mode in Mode::ALL {
        for &mechanism in setup.mechanisms {
            ours.push(OurSamples {
                mode,
                mechanism,
                account: account("bench")?,
                samples: Vec::with_capacity(runs),
            });
        }
        slix.push(SlixSamples {
            mode,
            account: account("slix")?,
            peer: SlixPeer::start().map_err(|e| format!("starting slixmpp: {e}"))?,
            samples: Vec::with_capacity(runs),
        });
    }
    let log_start = fs::metadata(server.log_path())
        .map(|m| m.len())
        .unwrap_or(0);

    print!("bench login: {}: ", setup.label);
    flush();
    for round in 0..=runs {
        let warm_up = round == 0;
        for mode in Mode::ALL {
            for row in ours.iter_mut().filter(|r| r.mode == mode) {
                let took = runtime.block_on(our_login(
                    server,
                    setup.label,
                    mode,
                    &row.account,
                    row.mechanism,
                ))?;
                if !warm_up {
                    row.samples.push(took);
                }
            }
            for row in slix.iter_mut().filter(|r| r.mode == mode) {
                let took = slix_login(&mut row.peer, server, setup.label, mode, &row.account)?;
                if !warm_up {
                    row.samples.push(took);
                }
            }
        }
        print!(".");
        flush();
    }
    println!();

    let mut results = Vec::new();
    for row in slix {
        drop(row.peer);
        let mechanism = match observed_mechanisms(server, log_start, &row.account).as_slice() {
            [one] => SlixMechanism::Observed(one.clone()),
            _ => match setup
                .mechanisms
                .iter()
                .filter(|m| m.name().starts_with("SCRAM-"))
                .collect::<Vec<_>>()
                .as_slice()
            {
                [only_scram] => SlixMechanism::Inferred(**only_scram),
                _ => SlixMechanism::Auto,
            },
        };
        results.push(SlixResult {
            server: setup.label,
            mode: row.mode,
            mechanism,
            stats: Stats::of(&row.samples).ok_or("no slixmpp samples")?,
        });
    }
    Ok((ours, results))
}

/// One login with our client: the time from the `connect()` call until the session is online
/// (TCP connect, TLS, SASL, resource binding; the TLS configuration is built inside `connect()`
/// too, as it would be for any application). Then a clean close, not timed.
async fn our_login(
    server: &TestServer,
    label: &str,
    mode: Mode,
    account: &Account,
    mechanism: Mechanism,
) -> Result<Duration, String> {
    let addr = mode.addr(server);
    let what = || {
        format!(
            "our client on {label} ({mode}, {}) as {}",
            mechanism.name(),
            account.jid
        )
    };
    let mut builder = Client::builder(account.jid.clone(), account.password.clone())
        .server(addr.ip().to_string(), addr.port())
        .security(mode.security())
        .add_ca_file(server.ca_cert_path())
        .mechanisms([mechanism]);
    if mechanism == Mechanism::DigestMd5 {
        builder = builder.allow_digest_md5();
    }
    let started = Instant::now();
    let (client, mut events) = builder
        .connect()
        .await
        .map_err(|e| format!("{}: login failed: {e}", what()))?;
    let took = started.elapsed();
    let mut used = None;
    while let Some(event) = events.try_next() {
        if let Event::Authenticated { mechanism } = event {
            used = Some(mechanism);
        }
    }
    match tokio::time::timeout(Duration::from_secs(10), client.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("{}: close failed: {e}", what())),
        Err(_) => return Err(format!("{}: close did not finish within 10 s", what())),
    }
    if used != Some(mechanism) {
        return Err(format!(
            "{}: authenticated with {} instead",
            what(),
            used.map_or("nothing reported", Mechanism::name)
        ));
    }
    Ok(took)
}

/// What our number covers.
const OURS_TIMED: &str = "connect() call to online (TLS config, TCP, TLS, SASL, bind)";

/// What slixmpp's number covers. The kit's peer builds a new `ClientXMPP` inside its `connect`
/// command, and slixmpp's constructor creates two SSL contexts that each load the system trust
/// store; its `session_start` handler sends initial presence and waits for the roster.
const SLIX_TIMED: &str = "the kit peer's connect command: building the slixmpp client (which \
     loads the system trust store twice), TCP, TLS, SASL, bind, then initial presence and a \
     roster get (one round trip more than ours), plus the JSON-lines hop to Python";

/// One login with slixmpp: the time `SlixPeer::connect` takes (see [`SLIX_TIMED`]). Then the
/// stream is closed, not timed, so the same peer process logs in again warm, as our client
/// does.
fn slix_login(
    peer: &mut SlixPeer,
    server: &TestServer,
    label: &str,
    mode: Mode,
    account: &Account,
) -> Result<Duration, String> {
    let started = Instant::now();
    peer.connect(server, account, mode.peer())
        .map_err(|e| format!("slixmpp on {label} ({mode}) as {}: {e}", account.jid))?;
    let took = started.elapsed();
    // The peer script has no "log out but keep running" command: close the stream by hand and
    // wait until slixmpp has seen the connection end.
    peer.call(json!({ "op": "raw", "xml": "</stream:stream>" }))
        .and_then(|_| peer.wait_for(|e| e["event"] == "disconnected", Duration::from_secs(10)))
        .map_err(|e| format!("closing slixmpp's session on {label} ({mode}): {e}"))?;
    Ok(took)
}

/// The mechanisms the server logged for `account`'s logins since `offset` in its log. Only
/// ejabberd logs them (`Accepted c2s SCRAM-SHA-512 authentication for user@domain …`).
fn observed_mechanisms(server: &TestServer, offset: u64, account: &Account) -> Vec<String> {
    let Ok(bytes) = fs::read(server.log_path()) else {
        return Vec::new();
    };
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[start..]);
    let needle = format!(" authentication for {}", account.jid);
    let mut found: Vec<String> = text
        .lines()
        .filter(|line| line.contains(&needle))
        .filter_map(|line| {
            let (_, rest) = line.split_once("Accepted c2s ")?;
            rest.split_whitespace().next().map(str::to_owned)
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn print_results(rows: &[Row], slix: &[SlixResult]) {
    let f = |d: std::time::Duration| format!("{:.1}", ms(d));
    let mut table = Table::new(&[
        ("server", false),
        ("TLS", false),
        ("mechanism", false),
        ("runs", true),
        ("median ms", true),
        ("min ms", true),
        ("p90 ms", true),
        ("slixmpp median ms", true),
        ("ratio slix/ours", true),
    ]);
    for row in rows {
        table.push(vec![
            row.server.to_owned(),
            row.mode.to_string(),
            row.mechanism.name().to_owned(),
            row.ours.runs.to_string(),
            f(row.ours.median),
            f(row.ours.min),
            f(row.ours.p90),
            row.slix.map_or_else(|| "-".to_owned(), |s| f(s.median)),
            row.ratio()
                .map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
        ]);
    }
    println!("\nopenXMPP login, {OURS_TIMED}:");
    print!("{}", table.render());

    let mut table = Table::new(&[
        ("server", false),
        ("TLS", false),
        ("slixmpp mechanism", false),
        ("known from", false),
        ("runs", true),
        ("median ms", true),
        ("min ms", true),
        ("p90 ms", true),
    ]);
    for s in slix {
        table.push(vec![
            s.server.to_owned(),
            s.mode.to_string(),
            s.mechanism.label(),
            s.mechanism.source().to_owned(),
            s.stats.runs.to_string(),
            f(s.stats.median),
            f(s.stats.min),
            f(s.stats.p90),
        ]);
    }
    println!("\nslixmpp {SLIXMPP_VERSION} (picks its own mechanism), {SLIX_TIMED}:");
    print!("{}", table.render());
    if slix
        .iter()
        .any(|s| matches!(s.mechanism, SlixMechanism::Inferred(_)))
    {
        println!(
            "* not visible in Prosody's log; the server offers one SCRAM variant, which slixmpp \
             ranks above PLAIN"
        );
    }
}

/// Milliseconds rounded to 0.01 for the JSON file (more digits would only be noise).
fn json_ms(d: Duration) -> f64 {
    (ms(d) * 100.0).round() / 100.0
}

fn row_json(row: &Row) -> serde_json::Value {
    json!({
        "server": row.server,
        "tls": row.mode.to_string(),
        "mechanism": row.mechanism.name(),
        "runs": row.ours.runs,
        "median_ms": json_ms(row.ours.median),
        "min_ms": json_ms(row.ours.min),
        "p90_ms": json_ms(row.ours.p90),
        "slixmpp_median_ms": row.slix.map(|s| json_ms(s.median)),
        "ratio_slixmpp_over_ours": row.ratio().map(|r| (r * 100.0).round() / 100.0),
    })
}

fn slix_json(s: &SlixResult) -> serde_json::Value {
    json!({
        "server": s.server,
        "tls": s.mode.to_string(),
        "mechanism": s.mechanism.name(),
        "mechanism_known_from": s.mechanism.source(),
        "runs": s.stats.runs,
        "median_ms": json_ms(s.stats.median),
        "min_ms": json_ms(s.stats.min),
        "p90_ms": json_ms(s.stats.p90),
    })
}
