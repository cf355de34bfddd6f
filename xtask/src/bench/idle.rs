//! `cargo xtask bench idle`: N idle sessions (1,000 by default) of one account in this process
//! against a private Prosody and ejabberd, and what each costs: resident memory (`VmRSS`) and
//! live heap (counted by the allocator) after they are all online and settled, minus the same
//! before they opened, divided by N. Beside it, slixmpp sessions in one Python process.
//!
//! The sessions send no initial presence (each would be broadcast to every other resource of
//! the account, N² stanzas); otherwise they log in as any client does (TLS, SCRAM, bind,
//! roster, the IM layer's setup) and then idle. One session is opened and kept before the
//! baseline, so one-time costs (the TLS roots, code paged in) are not counted per session.
//! Target (issue 8): ≤ 32 KiB resident per session.

use std::fs;
use std::time::{Duration, Instant};

use openxmpp::{Client, Events, Security};
use openxmpp_testkit::{
    Account, SLIXMPP_VERSION, ServerKind, SlixPeer, TestServer, ensure_venv, install,
};
use serde_json::json;

use super::{Machine, Options, Table, resident};
use crate::{TaskResult, packages};

const DEFAULT_SESSIONS: usize = 1000;
/// Sessions logging in at once.
const BATCH: usize = 16;
/// How long the sessions idle before memory is read (the IM layer's setup requests answered).
const SETTLE: Duration = Duration::from_secs(3);
const TARGET_KIB: f64 = 32.0;

struct Row {
    server: &'static str,
    sessions: usize,
    connect_time: Duration,
    rss_per_session: f64,
    heap_per_session: f64,
    slix_sessions: usize,
    slix_connect_time: Duration,
    slix_rss_per_session: f64,
}

pub(super) fn run(options: &Options) -> TaskResult {
    let sessions = options.sessions.unwrap_or(DEFAULT_SESSIONS);
    packages::ensure(install::DEBIAN_PACKAGES)?;
    ensure_venv()?;
    let machine = Machine::describe(
        &["prosody", "ejabberd"],
        &[("slixmpp", SLIXMPP_VERSION.to_owned())],
    );
    machine.print();
    println!(
        "bench idle: {sessions} idle sessions of one account in this process, {BATCH} logging in \
         at a time; slixmpp beside it in one Python process"
    );
    let mut rows = Vec::new();
    for (label, kind) in [
        ("prosody", ServerKind::Prosody),
        ("ejabberd", ServerKind::Ejabberd),
    ]
    .into_iter()
    .filter(|(label, _)| options.runs_on(label))
    {
        let server = TestServer::start(kind).map_err(|e| format!("starting {label}: {e}"))?;
        let account = server
            .new_account("idle")
            .map_err(|e| format!("creating an account on {label}: {e}"))?;

        print!("bench idle: {label}: ");
        super::flush();
        let measured = measure_in_child(&server, &account, sessions)?;
        println!("{sessions} online in {:.1?}", measured.connect_time);

        let (slix_sessions, slix_connect_time, slix_rss_per_session) =
            slix_idle(&server, &account, sessions)?;
        rows.push(Row {
            server: label,
            sessions,
            connect_time: measured.connect_time,
            rss_per_session: measured.rss_per_session,
            heap_per_session: measured.heap_per_session,
            slix_sessions,
            slix_connect_time,
            slix_rss_per_session,
        });
    }

    print_results(&rows);
    if let Some(path) = &options.json {
        let document = json!({
            "benchmark": "idle",
            "machine": machine.to_json(),
            "rows": rows.iter().map(row_json).collect::<Vec<_>>(),
        });
        fs::write(path, serde_json::to_string_pretty(&document)? + "\n")
            .map_err(|e| format!("writing the results to {}: {e}", path.display()))?;
        println!("bench idle: results written to {}", path.display());
    }
    Ok(())
}

/// What a worker process measured.
struct Measured {
    connect_time: Duration,
    rss_per_session: f64,
    heap_per_session: f64,
}

/// Runs [`worker`] in a fresh process (so that memory freed by an earlier measurement cannot
/// hide the growth of this one) and reads its one line of JSON.
fn measure_in_child(
    server: &TestServer,
    account: &Account,
    sessions: usize,
) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    let output = std::process::Command::new(exe)
        .args(["bench", WORKER])
        .arg(server.starttls_addr().to_string())
        .arg(server.ca_cert_path())
        .arg(&account.jid)
        .arg(&account.password)
        .arg(sessions.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("starting the idle worker: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the idle worker failed ({}): {text}",
            output.status
        ));
    }
    let value: serde_json::Value = text
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| format!("the idle worker answered {text:?}"))?;
    let number = |key: &str| {
        value[key]
            .as_f64()
            .ok_or_else(|| format!("the idle worker's answer lacks {key}: {value}"))
    };
    Ok(Measured {
        connect_time: Duration::from_secs_f64(number("connect_s")?),
        rss_per_session: number("rss_kib_per_session")?,
        heap_per_session: number("heap_kib_per_session")?,
    })
}

/// The hidden subcommand the measuring child runs.
pub(super) const WORKER: &str = "idle-worker";

/// The child: `bench idle-worker ADDR CA JID PASSWORD SESSIONS`. Opens one session, settles,
/// takes the baseline, opens SESSIONS more, settles, and prints one line of JSON.
pub(super) fn worker(args: &[String]) -> TaskResult {
    let [addr, ca, jid, password, sessions] = args else {
        return Err("usage: cargo xtask bench idle-worker ADDR CA JID PASSWORD SESSIONS".into());
    };
    let addr: std::net::SocketAddr = addr.parse()?;
    let ca = std::path::PathBuf::from(ca);
    let sessions: usize = sessions.parse()?;
    let account = Account {
        user: jid.split('@').next().unwrap_or_default().to_owned(),
        jid: jid.clone(),
        password: password.clone(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Timers and spawned login tasks are created outside `block_on`.
    let _context = runtime.enter();
    let me = std::process::id();

    // One session first: one-time costs are not per-session costs.
    let first = runtime.block_on(login(addr, &ca, &account, "first"))?;
    runtime.block_on(tokio::time::sleep(SETTLE));
    let rss_before = resident(me).ok_or("no VmRSS for this process")?;
    let heap_before = crate::ALLOC.current_usage();

    let started = Instant::now();
    let mut clients: Vec<(Client, Events)> = Vec::with_capacity(sessions);
    while clients.len() < sessions {
        let batch = BATCH.min(sessions - clients.len());
        let mut set = tokio::task::JoinSet::new();
        for i in clients.len()..clients.len() + batch {
            let (ca, account) = (ca.clone(), account.clone());
            set.spawn(async move { login(addr, &ca, &account, &format!("idle{i}")).await });
        }
        runtime.block_on(async {
            while let Some(joined) = set.join_next().await {
                let client = joined.map_err(|e| format!("a login task failed: {e}"))??;
                clients.push(client);
            }
            Ok::<(), String>(())
        })?;
        if clients.len() % 100 < BATCH {
            eprint!(".");
        }
    }
    let connect_time = started.elapsed();
    runtime.block_on(tokio::time::sleep(SETTLE));
    for (_, events) in &mut clients {
        while events.try_next().is_some() {}
    }
    let rss_after = resident(me).ok_or("no VmRSS for this process")?;
    let heap_after = crate::ALLOC.current_usage();
    let per =
        |after: u64, before: u64| after.saturating_sub(before) as f64 / sessions as f64 / 1024.0;
    println!(
        "{}",
        json!({
            "connect_s": connect_time.as_secs_f64(),
            "rss_kib_per_session": per(rss_after, rss_before),
            "heap_kib_per_session": per(heap_after as u64, heap_before as u64),
        })
    );
    if std::env::var_os("OPENXMPP_BENCH_IDLE_EXIT").is_some() {
        // For heap profilers (valgrind --tool=massif): end with the sessions still open, so
        // the last snapshot is the state that was measured.
        std::process::exit(0);
    }
    runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (client, _) in clients.drain(..).chain([first]) {
            set.spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(20), client.close()).await;
            });
        }
        while set.join_next().await.is_some() {}
    });
    Ok(())
}

async fn login(
    addr: std::net::SocketAddr,
    ca: &std::path::Path,
    account: &Account,
    resource: &str,
) -> Result<(Client, Events), String> {
    Client::builder(account.jid.clone(), account.password.clone())
        .resource(resource)
        .server(addr.ip().to_string(), addr.port())
        .security(Security::StartTls)
        .add_ca_file(ca)
        .initial_presence(None)
        .connect()
        .await
        .map_err(|e| format!("{}/{resource} could not log in: {e}", account.jid))
}

/// slixmpp's idle sessions in one peer process: (sessions, time to open them, resident KiB per
/// session).
fn slix_idle(
    server: &TestServer,
    account: &Account,
    sessions: usize,
) -> Result<(usize, Duration, f64), String> {
    let mut peer = SlixPeer::start().map_err(|e| format!("starting slixmpp: {e}"))?;
    peer.timeout = Duration::from_secs(900);
    let pid = peer.pid();
    let addr = server.starttls_addr();
    // One session first, as for ours.
    let open = |peer: &mut SlixPeer, count: usize| {
        peer.call(json!({
            "op": "open_idle",
            "jid": account.jid,
            "password": account.password,
            "host": addr.ip().to_string(),
            "port": addr.port(),
            "ca": server.ca_cert_path(),
            "count": count,
        }))
        .map_err(|e| format!("slixmpp open_idle: {e}"))
    };
    open(&mut peer, 1)?;
    std::thread::sleep(SETTLE);
    let before = resident(pid).ok_or("no VmRSS for the slixmpp peer")?;
    print!("bench idle: slixmpp: ");
    super::flush();
    let started = Instant::now();
    open(&mut peer, sessions)?;
    let took = started.elapsed();
    println!("{sessions} online in {took:.1?}");
    std::thread::sleep(SETTLE);
    let after = resident(pid).ok_or("no VmRSS for the slixmpp peer")?;
    let _ = peer.call(json!({ "op": "close_idle" }));
    Ok((
        sessions,
        took,
        after.saturating_sub(before) as f64 / sessions as f64 / 1024.0,
    ))
}

fn print_results(rows: &[Row]) {
    let mut table = Table::new(&[
        ("server", false),
        ("sessions", true),
        ("login all s", true),
        ("RSS KiB/session", true),
        ("heap KiB/session", true),
        ("target ≤ 32", false),
        ("slixmpp sessions", true),
        ("slixmpp login all s", true),
        ("slixmpp RSS KiB/session", true),
        ("RSS slix/ours", true),
    ]);
    for r in rows {
        table.push(vec![
            r.server.to_owned(),
            r.sessions.to_string(),
            format!("{:.1}", r.connect_time.as_secs_f64()),
            format!("{:.1}", r.rss_per_session),
            format!("{:.1}", r.heap_per_session),
            if r.rss_per_session <= TARGET_KIB {
                "met"
            } else {
                "MISSED"
            }
            .to_owned(),
            r.slix_sessions.to_string(),
            format!("{:.1}", r.slix_connect_time.as_secs_f64()),
            format!("{:.1}", r.slix_rss_per_session),
            format!("{:.1}", r.slix_rss_per_session / r.rss_per_session.max(0.1)),
        ]);
    }
    println!("\nidle sessions in one process (resident and heap growth per session):");
    print!("{}", table.render());
}

fn row_json(r: &Row) -> serde_json::Value {
    let round = |x: f64| (x * 10.0).round() / 10.0;
    json!({
        "server": r.server,
        "sessions": r.sessions,
        "login_all_s": round(r.connect_time.as_secs_f64()),
        "rss_kib_per_session": round(r.rss_per_session),
        "heap_kib_per_session": round(r.heap_per_session),
        "slixmpp_sessions": r.slix_sessions,
        "slixmpp_login_all_s": round(r.slix_connect_time.as_secs_f64()),
        "slixmpp_rss_kib_per_session": round(r.slix_rss_per_session),
    })
}
