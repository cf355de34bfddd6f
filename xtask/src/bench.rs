//! `cargo xtask bench <name>`: benchmarks as commands, never as timed unit tests.
//!
//! Absolute times on shared machines are noise, so every benchmark measures the things it
//! compares side by side in one run, interleaved, and reports ratios where a peer exists.
//!
//! - `login [--runs N] [--json FILE]`: login latency of our client against private Prosody and
//!   ejabberd servers, per mechanism and TLS mode, next to slixmpp.
//! - `messages [--runs N] [--messages N] [--json FILE]`: chat messages from one client to
//!   another through each server, with its message archive on and off: wall time and the
//!   clients' CPU time, next to two slixmpp clients doing the same.
//! - `idle [--sessions N] [--json FILE]`: N idle sessions of one account in one process, and
//!   the resident memory each costs, next to slixmpp sessions in one Python process.
//! - no name: all three, one after the other.

mod idle;
mod login;
mod messages;

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use crate::TaskResult;

const USAGE: &str = "usage: cargo xtask bench [login | messages | idle] [--runs N] \
    [--messages N] [--sessions N] [--server prosody|ejabberd] [--json FILE]";

pub(crate) fn run(args: &[String]) -> TaskResult {
    match args.first().map(String::as_str) {
        Some("login") => login::run(&Options::parse(&args[1..])?),
        Some("messages") => messages::run(&Options::parse(&args[1..])?),
        Some("idle") => idle::run(&Options::parse(&args[1..])?),
        Some(idle::WORKER) => idle::worker(&args[1..]),
        Some(other) if !other.starts_with("--") => {
            Err(format!("unknown benchmark {other:?}\n{USAGE}").into())
        }
        _ => {
            // Every benchmark; a JSON file gets one suffix per benchmark.
            let options = Options::parse(args)?;
            let with_suffix = |name: &str| Options {
                json: options
                    .json
                    .as_ref()
                    .map(|p| p.with_extension(format!("{name}.json"))),
                ..options.clone()
            };
            login::run(&with_suffix("login"))?;
            messages::run(&with_suffix("messages"))?;
            idle::run(&with_suffix("idle"))
        }
    }
}

/// The options the benchmarks take (each uses those that apply to it).
#[derive(Debug, Clone, Default)]
struct Options {
    /// Timed repetitions per row (a warm-up comes first and is not counted); each benchmark
    /// has its own default.
    runs: Option<usize>,
    /// `messages`: how many messages per run (default 10,000).
    messages: Option<usize>,
    /// `idle`: how many sessions (default 1,000).
    sessions: Option<usize>,
    /// Only this server (`prosody` or `ejabberd`).
    server: Option<String>,
    /// Where to write the rows as JSON, if anywhere.
    json: Option<std::path::PathBuf>,
}

impl Options {
    /// Whether `--server` lets this server run.
    fn runs_on(&self, server: &str) -> bool {
        self.server.as_deref().is_none_or(|s| server.starts_with(s))
    }

    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<usize, String> {
                let value = args
                    .next()
                    .ok_or_else(|| format!("{name} needs a number\n{USAGE}"))?;
                match value.parse() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!(
                        "{name} {value:?}: expected a positive whole number\n{USAGE}"
                    )),
                }
            };
            match arg.as_str() {
                "--runs" => options.runs = Some(number("--runs")?),
                "--messages" => options.messages = Some(number("--messages")?),
                "--sessions" => options.sessions = Some(number("--sessions")?),
                "--server" => match args.next().map(String::as_str) {
                    Some(name @ ("prosody" | "ejabberd")) => options.server = Some(name.to_owned()),
                    _ => return Err(format!("--server needs prosody or ejabberd\n{USAGE}")),
                },
                "--json" => {
                    let value = args
                        .next()
                        .ok_or_else(|| format!("--json needs a file name\n{USAGE}"))?;
                    options.json = Some(value.into());
                }
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(options)
    }
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat` (whole
/// process, every thread, dead ones included), in clock ticks of 10 ms.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / CLOCK_TICKS))
}

/// Shows progress printed without a newline.
fn flush() {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}

/// `sysconf(_SC_CLK_TCK)` on Linux, which the kernel's USER_HZ fixes at 100.
const CLOCK_TICKS: u64 = 100;

/// Resident memory of a process in bytes, from `/proc/<pid>/status` (`VmRSS`).
fn resident(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Summary of one row's timed runs.
#[derive(Debug, Clone, Copy)]
struct Stats {
    runs: usize,
    median: Duration,
    min: Duration,
    /// Nearest-rank 90th percentile: the smallest sample at least 90 % of the samples do not
    /// exceed (with 20 runs, the 18th fastest).
    p90: Duration,
}

impl Stats {
    /// `None` for no samples.
    fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort();
        let n = sorted.len();
        let min = *sorted.first()?;
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        };
        let rank = (n * 90).div_ceil(100).max(1);
        Some(Stats {
            runs: n,
            median,
            min,
            p90: sorted[rank - 1],
        })
    }
}

/// Milliseconds with a fraction, for tables and JSON.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Where and with what a benchmark ran; printed first and stored with the rows.
#[derive(Debug)]
struct Machine {
    cpus: String,
    cpu_model: String,
    load_before: String,
    build: &'static str,
    versions: Vec<(&'static str, String)>,
}

impl Machine {
    fn describe(packages: &[&'static str], extra: &[(&'static str, String)]) -> Self {
        let cpus = command_output("nproc", &[]).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "?".to_owned())
        });
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let mut versions: Vec<(&'static str, String)> = packages
            .iter()
            .map(|&p| {
                let version = command_output("dpkg-query", &["-W", "-f=${Version}", p])
                    .unwrap_or_else(|| "unknown".to_owned());
                (p, version)
            })
            .collect();
        versions.extend(extra.iter().cloned());
        Machine {
            cpus,
            cpu_model,
            load_before: load_average(),
            // The root Cargo.toml builds dependencies at opt-level 2 even in the dev profile, but
            // generic code is compiled in the crate that instantiates it: PBKDF2 and HMAC over
            // SHA-x are instantiated in openxmpp-core and so run unoptimized there.
            build: if cfg!(debug_assertions) {
                "dev profile: dependencies opt-level 2, our crates opt-level 0 -- including the \
                 generic PBKDF2/HMAC instantiated in openxmpp-core, so SCRAM rows are slower \
                 than a user's release build (try `cargo run --release -p xtask -- bench ...`)"
            } else {
                "release profile"
            },
            versions,
        }
    }

    fn print(&self) {
        println!(
            "machine: {} CPUs, {}; load average {}",
            self.cpus, self.cpu_model, self.load_before
        );
        let versions = self
            .versions
            .iter()
            .map(|(name, v)| format!("{name} {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!("versions: {versions}");
        println!("build: {}", self.build);
    }

    fn to_json(&self) -> serde_json::Value {
        let versions: serde_json::Map<String, serde_json::Value> = self
            .versions
            .iter()
            .map(|(name, v)| ((*name).to_owned(), serde_json::Value::from(v.as_str())))
            .collect();
        serde_json::json!({
            "nproc": self.cpus,
            "cpu_model": self.cpu_model,
            "load_average_before": self.load_before,
            "load_average_after": load_average(),
            "build": self.build,
            "versions": versions,
        })
    }
}

/// The 1, 5 and 15 minute load averages, as the kernel reports them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// A command's trimmed stdout if it ran and succeeded.
fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A plain-text table with right-aligned numeric columns.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Which columns are right-aligned.
    numeric: Vec<bool>,
}

impl Table {
    fn new(columns: &[(&'static str, bool)]) -> Self {
        Table {
            header: columns.iter().map(|(name, _)| *name).collect(),
            rows: Vec::new(),
            numeric: columns.iter().map(|(_, numeric)| *numeric).collect(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn render(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|cell| cell.chars().count())
                .chain([self.header[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut text = String::new();
            for (i, cell) in cells.enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                if i > 0 {
                    text.push_str("  ");
                }
                if self.numeric.get(i).copied().unwrap_or(false) {
                    let _ = write!(text, "{cell:>w$}");
                } else {
                    let _ = write!(text, "{cell:<w$}");
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&mut self.header.iter().copied());
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        line(&mut rule.iter().map(String::as_str));
        for row in &self.rows {
            line(&mut row.iter().map(String::as_str));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn stats_of_twenty() {
        let samples = millis(&(1..=20).rev().collect::<Vec<_>>());
        let Some(stats) = Stats::of(&samples) else {
            panic!("no stats");
        };
        assert_eq!(stats.runs, 20);
        assert_eq!(stats.min, Duration::from_millis(1));
        assert_eq!(stats.median, Duration::from_micros(10_500));
        assert_eq!(stats.p90, Duration::from_millis(18));
    }

    #[test]
    fn stats_of_one_and_none() {
        let Some(stats) = Stats::of(&millis(&[7])) else {
            panic!("no stats");
        };
        assert_eq!(
            (stats.min, stats.median, stats.p90),
            (millis(&[7])[0], millis(&[7])[0], millis(&[7])[0])
        );
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn options() {
        let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let Ok(o) = Options::parse(&args("--runs 5 --json out.json --sessions 10")) else {
            panic!("rejected");
        };
        assert_eq!(o.runs, Some(5));
        assert_eq!(o.sessions, Some(10));
        assert_eq!(o.messages, None);
        assert_eq!(o.json.as_deref(), Some(std::path::Path::new("out.json")));
        assert!(Options::parse(&args("--runs 0")).is_err());
        assert!(Options::parse(&args("--runs")).is_err());
        assert!(Options::parse(&args("--fast")).is_err());
        assert!(Options::parse(&args("--messages x")).is_err());
    }

    #[test]
    fn procfs_readings_of_this_process() {
        let me = std::process::id();
        assert!(resident(me).is_some_and(|rss| rss > 0));
        assert!(cpu_time(me).is_some());
        assert!(resident(u32::MAX).is_none());
    }
}
