//! `cargo xtask bench messages`: N chat messages (10,000 by default) from one of our clients
//! to another through a private Prosody and ejabberd, each with its message archive (XEP-0313)
//! on and off; the wall time from the first send until the receiver has them all, and the CPU
//! time our process spent meanwhile (both clients: sending, TLS, parsing, the IM layer). Beside
//! it, two slixmpp clients do the same (the sender's `send_many`, the receiver counting), and
//! their CPU time is the sum of both Python processes'.
//!
//! Each server runs alone; per server the runs alternate ours and slixmpp, after one untimed
//! warm-up of each.

use std::fs;
use std::time::{Duration, Instant};

use openxmpp::stanza::{Message, Stanza};
use openxmpp::{BareJid, Client, Event, Events, ImEvent, Security};
use openxmpp_testkit::{
    Account, PeerTls, SLIXMPP_VERSION, ServerKind, ServerOptions, SlixPeer, TestServer,
    ensure_venv, install,
};
use serde_json::json;

use super::{Machine, Options, Table, cpu_time};
use crate::{TaskResult, packages};

const DEFAULT_RUNS: usize = 3;
const DEFAULT_MESSAGES: usize = 10_000;
/// How long one run may take before the benchmark gives up.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// One configuration: a server and whether it archives.
struct Setup {
    label: &'static str,
    kind: ServerKind,
    mam: bool,
}

const SETUPS: [Setup; 4] = [
    Setup {
        label: "prosody",
        kind: ServerKind::Prosody,
        mam: true,
    },
    Setup {
        label: "prosody",
        kind: ServerKind::Prosody,
        mam: false,
    },
    Setup {
        label: "ejabberd",
        kind: ServerKind::Ejabberd,
        mam: true,
    },
    Setup {
        label: "ejabberd",
        kind: ServerKind::Ejabberd,
        mam: false,
    },
];

/// One timed run.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

/// The medians of one row.
struct Row {
    server: &'static str,
    mam: bool,
    runs: usize,
    ours: Sample,
    slix: Sample,
}

fn median(samples: &[Sample], f: impl Fn(&Sample) -> Duration) -> Duration {
    let mut values: Vec<Duration> = samples.iter().map(f).collect();
    values.sort();
    match values.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

fn medians(samples: &[Sample]) -> Sample {
    Sample {
        wall: median(samples, |s| s.wall),
        cpu: median(samples, |s| s.cpu),
    }
}

pub(super) fn run(options: &Options) -> TaskResult {
    let runs = options.runs.unwrap_or(DEFAULT_RUNS);
    let count = options.messages.unwrap_or(DEFAULT_MESSAGES);
    packages::ensure(install::DEBIAN_PACKAGES)?;
    ensure_venv()?;
    let machine = Machine::describe(
        &["prosody", "ejabberd"],
        &[("slixmpp", SLIXMPP_VERSION.to_owned())],
    );
    machine.print();
    println!(
        "bench messages: {count} chat messages per run, {runs} timed runs per row after a \
         warm-up, ours and slixmpp alternating"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let mut rows = Vec::new();
    for setup in SETUPS.iter().filter(|s| options.runs_on(s.label)) {
        let server = TestServer::start_with(
            setup.kind,
            ServerOptions {
                mam: setup.mam,
                ..ServerOptions::default()
            },
        )
        .map_err(|e| format!("starting {}: {e}", setup.label))?;
        let what = format!(
            "{} (MAM {})",
            setup.label,
            if setup.mam { "on" } else { "off" }
        );
        let account = |prefix: &str| {
            server
                .new_account(prefix)
                .map_err(|e| format!("creating an account on {what}: {e}"))
        };
        let (a, b) = (account("sender")?, account("receiver")?);
        let (sa, sb) = (account("slixsender")?, account("slixreceiver")?);

        let (sender, mut sender_events) = runtime.block_on(connect(&server, &a))?;
        let (receiver, mut receiver_events) = runtime.block_on(connect(&server, &b))?;
        let to: BareJid = b.jid.parse().map_err(|e| format!("{}: {e}", b.jid))?;

        let mut slix_sender = SlixPeer::start()?;
        let mut slix_receiver = SlixPeer::start()?;
        for peer in [&mut slix_sender, &mut slix_receiver] {
            peer.timeout = RUN_TIMEOUT;
        }
        slix_sender.connect(&server, &sa, PeerTls::StartTls)?;
        slix_receiver.connect(&server, &sb, PeerTls::StartTls)?;
        slix_receiver.call(json!({ "op": "quiet" }))?;

        print!("bench messages: {what}: ");
        super::flush();
        let mut ours = Vec::new();
        let mut slix = Vec::new();
        let mut slix_expected = 0;
        for round in 0..=runs {
            let sample = runtime
                .block_on(our_run(
                    &sender,
                    &mut sender_events,
                    &mut receiver_events,
                    &to,
                    count,
                    round,
                ))
                .map_err(|e| {
                    format!(
                        "{what}: {e}\n--- server log (end) ---\n{}",
                        log_tail(&server)
                    )
                })?;
            slix_expected += count;
            let slix_sample = slix_run(
                &mut slix_sender,
                &mut slix_receiver,
                &sb.jid,
                count,
                slix_expected,
            )?;
            if round > 0 {
                ours.push(sample);
                slix.push(slix_sample);
            }
            print!(".");
            super::flush();
        }
        println!();
        runtime.block_on(async {
            let _ = tokio::time::timeout(Duration::from_secs(10), sender.close()).await;
            let _ = tokio::time::timeout(Duration::from_secs(10), receiver.close()).await;
        });
        let _ = slix_sender.disconnect();
        let _ = slix_receiver.disconnect();
        rows.push(Row {
            server: setup.label,
            mam: setup.mam,
            runs,
            ours: medians(&ours),
            slix: medians(&slix),
        });
    }

    print_results(&rows, count);
    if let Some(path) = &options.json {
        let document = json!({
            "benchmark": "messages",
            "messages": count,
            "runs": runs,
            "machine": machine.to_json(),
            "rows": rows.iter().map(|r| row_json(r, count)).collect::<Vec<_>>(),
        });
        fs::write(path, serde_json::to_string_pretty(&document)? + "\n")
            .map_err(|e| format!("writing the results to {}: {e}", path.display()))?;
        println!("bench messages: results written to {}", path.display());
    }
    Ok(())
}

async fn connect(server: &TestServer, account: &Account) -> Result<(Client, Events), String> {
    let addr = server.starttls_addr();
    Client::builder(account.jid.clone(), account.password.clone())
        .server(addr.ip().to_string(), addr.port())
        .security(Security::StartTls)
        .add_ca_file(server.ca_cert_path())
        .connect()
        .await
        .map_err(|e| format!("{} could not log in: {e}", account.jid))
}

/// One run of ours: `count` messages sent while the receiver counts them.
async fn our_run(
    sender: &Client,
    sender_events: &mut Events,
    receiver_events: &mut Events,
    to: &BareJid,
    count: usize,
    round: usize,
) -> Result<Sample, String> {
    while sender_events.try_next().is_some() {}
    let me = std::process::id();
    let cpu_before = cpu_time(me).ok_or("no CPU time for this process")?;
    let started = Instant::now();
    let send = async {
        for i in 0..count {
            let message = Message::chat(to.clone().into(), format!("bench {round} {i}"))
                .with_id(format!("b{round}-{i}"));
            sender
                .send(message)
                .await
                .map_err(|e| format!("sending: {e}"))?;
        }
        Ok::<(), String>(())
    };
    let receive = async {
        let mut received = 0;
        while received < count {
            match receiver_events.next().await {
                Some(Event::Im {
                    event: ImEvent::Message { .. },
                }) => received += 1,
                Some(Event::Stanza {
                    stanza: Stanza::Message(m),
                }) if m.body().is_some() => received += 1,
                Some(Event::Disconnected { error }) => {
                    return Err(format!("the receiver was disconnected: {error:?}"));
                }
                Some(_) => {}
                None => return Err("the receiver's events ended".to_owned()),
            }
        }
        Ok(())
    };
    let both = async { tokio::try_join!(send, receive) };
    match tokio::time::timeout(RUN_TIMEOUT, both).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            return Err(format!(
                "{count} messages did not arrive within {RUN_TIMEOUT:?}"
            ));
        }
    }
    let wall = started.elapsed();
    let cpu = cpu_time(me).ok_or("no CPU time for this process")? - cpu_before;
    Ok(Sample { wall, cpu })
}

/// One run of slixmpp: `send_many` on the sender, then the receiver waits until it has seen
/// `expected` messages in all.
fn slix_run(
    sender: &mut SlixPeer,
    receiver: &mut SlixPeer,
    to: &str,
    count: usize,
    expected: usize,
) -> Result<Sample, String> {
    let cpu = |a: &SlixPeer, b: &SlixPeer| -> Result<Duration, String> {
        Ok(
            cpu_time(a.pid()).ok_or("no CPU time for the slixmpp sender")?
                + cpu_time(b.pid()).ok_or("no CPU time for the slixmpp receiver")?,
        )
    };
    let cpu_before = cpu(sender, receiver)?;
    let started = Instant::now();
    sender
        .call(json!({ "op": "send_many", "to": to, "count": count, "body": "bench" }))
        .map_err(|e| format!("slixmpp send_many: {e}"))?;
    receiver
        .call(json!({ "op": "wait_messages", "count": expected, "timeout": RUN_TIMEOUT.as_secs() }))
        .map_err(|e| format!("slixmpp wait_messages: {e}"))?;
    let wall = started.elapsed();
    Ok(Sample {
        wall,
        cpu: cpu(sender, receiver)? - cpu_before,
    })
}

/// The last lines of the server's log, for error reports.
fn log_tail(server: &TestServer) -> String {
    let text = fs::read_to_string(server.log_path()).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn per_second(count: usize, d: Duration) -> f64 {
    count as f64 / d.as_secs_f64().max(1e-9)
}

fn print_results(rows: &[Row], count: usize) {
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    let mut table = Table::new(&[
        ("server", false),
        ("MAM", false),
        ("runs", true),
        ("ours wall ms", true),
        ("ours msg/s", true),
        ("ours CPU ms", true),
        ("slixmpp wall ms", true),
        ("slixmpp CPU ms", true),
        ("wall slix/ours", true),
        ("CPU slix/ours", true),
    ]);
    for r in rows {
        table.push(vec![
            r.server.to_owned(),
            if r.mam { "on" } else { "off" }.to_owned(),
            r.runs.to_string(),
            ms(r.ours.wall),
            format!("{:.0}", per_second(count, r.ours.wall)),
            ms(r.ours.cpu),
            ms(r.slix.wall),
            ms(r.slix.cpu),
            format!(
                "{:.2}",
                r.slix.wall.as_secs_f64() / r.ours.wall.as_secs_f64()
            ),
            format!(
                "{:.2}",
                r.slix.cpu.as_secs_f64() / r.ours.cpu.as_secs_f64().max(1e-3)
            ),
        ]);
    }
    println!(
        "\n{count} chat messages, client to client through the server (medians; CPU: both \
         clients' processes, in 10 ms ticks):"
    );
    print!("{}", table.render());
}

fn row_json(r: &Row, count: usize) -> serde_json::Value {
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    json!({
        "server": r.server,
        "mam": r.mam,
        "runs": r.runs,
        "ours_wall_ms": ms(r.ours.wall),
        "ours_messages_per_s": per_second(count, r.ours.wall).round(),
        "ours_cpu_ms": ms(r.ours.cpu),
        "slixmpp_wall_ms": ms(r.slix.wall),
        "slixmpp_cpu_ms": ms(r.slix.cpu),
    })
}
