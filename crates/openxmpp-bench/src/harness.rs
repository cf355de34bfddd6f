//! Side-by-side timing for the throughput benchmarks: every contender runs once per round, the
//! rounds interleave the contenders (so noise from other work on a shared machine lands on all
//! of them alike), and results are medians reported as ratios.
//!
//! ```
//! use openxmpp_bench::harness::{Contender, measure};
//!
//! let data = vec![1u8; 10_000];
//! let mut contenders = vec![
//!     Contender::new("sum", || data.iter().map(|&b| u64::from(b)).sum::<u64>()),
//!     Contender::new("count", || data.len() as u64),
//! ];
//! let results = measure(3, &mut contenders, |name, out| assert_eq!(out, 10_000, "{name}"));
//! assert_eq!(results.len(), 2);
//! assert_eq!(results[0].samples.len(), 3);
//! ```

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

/// How a benchmark binary was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `cargo bench` passes `--bench`; without it (`cargo test --benches`) benchmarks make one
    /// quick pass on small inputs, only to show they still work.
    pub full: bool,
    /// `--rounds N`: timed rounds per contender.
    pub rounds: Option<usize>,
    /// `--size-mb N`: input size, where the benchmark has one.
    pub size_mb: Option<usize>,
    /// `--only NAME`: run only the contenders whose name contains this (for profiling).
    pub only: Option<String>,
}

impl Args {
    /// Reads the process arguments; unknown ones (cargo's and the harness's) are ignored.
    pub fn from_env() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let number = |flag: &str| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
        };
        Args {
            full: args.iter().any(|a| a == "--bench"),
            rounds: number("--rounds"),
            size_mb: number("--size-mb"),
            only: args
                .iter()
                .position(|a| a == "--only")
                .and_then(|i| args.get(i + 1))
                .cloned(),
        }
    }
}

/// One thing measured: a name and the function that does one complete run.
pub struct Contender<'a, O> {
    /// Shown in the results.
    pub name: &'static str,
    run: Box<dyn FnMut() -> O + 'a>,
}

/// Keeps the contenders `--only` asks for (all without it).
pub fn select<'a, O>(args: &Args, contenders: Vec<Contender<'a, O>>) -> Vec<Contender<'a, O>> {
    contenders
        .into_iter()
        .filter(|c| {
            args.only
                .as_deref()
                .is_none_or(|only| c.name.contains(only))
        })
        .collect()
}

impl<'a, O> Contender<'a, O> {
    /// A contender.
    pub fn new(name: &'static str, run: impl FnMut() -> O + 'a) -> Self {
        Contender {
            name,
            run: Box::new(run),
        }
    }
}

/// The timings of one contender.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The contender's name.
    pub name: &'static str,
    /// Every timed run, in order (wall time).
    pub samples: Vec<Duration>,
    /// The CPU time of the measuring thread in every timed run: on a shared machine, wall time
    /// also counts the time other processes held the core.
    pub cpu: Vec<Duration>,
}

impl Measured {
    /// The median run (the mean of the two middle ones for an even count).
    pub fn median(&self) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let n = sorted.len();
        match n {
            0 => Duration::ZERO,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
        }
    }

    /// The median CPU time of the measuring thread (the wall median where the system does not
    /// say: no `/proc/thread-self/schedstat`).
    pub fn cpu_median(&self) -> Duration {
        if self.cpu.len() != self.samples.len() {
            return self.median();
        }
        Measured {
            name: self.name,
            samples: self.cpu.clone(),
            cpu: Vec::new(),
        }
        .median()
    }

    /// The fastest run.
    pub fn min(&self) -> Duration {
        self.samples.iter().copied().min().unwrap_or_default()
    }
}

/// Runs one untimed warm-up round, then `rounds` timed rounds of every contender in turn.
/// `check` sees every output (warm-up included) so a benchmark can prove the work was done.
pub fn measure<O>(
    rounds: usize,
    contenders: &mut [Contender<'_, O>],
    mut check: impl FnMut(&'static str, O),
) -> Vec<Measured> {
    let mut results: Vec<Measured> = contenders
        .iter()
        .map(|c| Measured {
            name: c.name,
            samples: Vec::with_capacity(rounds),
            cpu: Vec::with_capacity(rounds),
        })
        .collect();
    for round in 0..=rounds {
        for (contender, result) in contenders.iter_mut().zip(&mut results) {
            let cpu_before = thread_cpu_time();
            let started = Instant::now();
            let out = std::hint::black_box((contender.run)());
            let took = started.elapsed();
            let cpu = thread_cpu_time().zip(cpu_before).map(|(a, b)| a - b);
            check(contender.name, out);
            if round > 0 {
                result.samples.push(took);
                result.cpu.extend(cpu);
            }
        }
        eprint!(".");
    }
    eprintln!();
    results
}

/// The CPU time this thread has run (Linux: the first field of `/proc/thread-self/schedstat`,
/// in nanoseconds).
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Megabytes (10⁶ bytes) per second.
pub fn mb_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64().max(1e-12)
}

/// Where the benchmark ran: CPUs, model, load, compiler.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "rustc ?".to_owned());
    format!("{cpus} CPUs, {model}; load average {load}; {rustc}")
}

/// A plain-text table; numeric columns are right-aligned.
pub struct Table {
    header: Vec<&'static str>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns (`true`: numeric).
    pub fn new(columns: &[(&'static str, bool)]) -> Self {
        Table {
            header: columns.iter().map(|c| c.0).collect(),
            numeric: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, with a rule under the header.
    pub fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .chain([self.header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
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

/// `met` or `MISSED` for a target.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let m = Measured {
            name: "x",
            samples: [3, 1, 2, 10].map(Duration::from_millis).to_vec(),
            cpu: [1, 1, 1, 4].map(Duration::from_millis).to_vec(),
        };
        assert_eq!(m.cpu_median(), Duration::from_millis(1));
        assert_eq!(m.median(), Duration::from_micros(2500));
        assert_eq!(m.min(), Duration::from_millis(1));
    }

    #[test]
    fn table_aligns() {
        let mut t = Table::new(&[("name", false), ("n", true)]);
        t.row(vec!["a".into(), "10".into()]);
        t.row(vec!["long".into(), "2".into()]);
        assert_eq!(t.render(), "name   n\n----  --\na     10\nlong   2\n");
    }
}
