//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `demo`: a private Prosody on loopback with two demo accounts, and our client signed in.
//! - `test`: installs what the tests need, then formatting, clippy and every test.
//! - `servers [prosody|ejabberd]`: runs a private server until Enter, for manual testing.
//! - `bench [login | messages | idle] [--runs N] [--messages N] [--sessions N] [--server S]
//!   [--json FILE]`: end-to-end benchmarks against the private servers, next to slixmpp (see
//!   `bench.rs`); the parser benchmarks are `cargo bench -p openxmpp-bench`.
//! - `fuzz SECONDS [TARGET…] | smoke | seeds`: the fuzz targets (see `fuzz.rs`).

mod bench;
mod demo;
mod fuzz;
mod packages;
mod servers;
mod test;

use std::process::ExitCode;

/// Counts live heap bytes, for `bench idle`; otherwise the system allocator.
#[global_allocator]
static ALLOC: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const USAGE: &str = "usage: cargo xtask <demo | test | servers [prosody|ejabberd] | \
    bench [login | messages | idle] [--runs N] [--messages N] [--sessions N] \
    [--server prosody|ejabberd] [--json FILE] | fuzz (SECONDS [TARGET…] | smoke | seeds)>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("servers") => servers::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the tasks return.
type TaskResult = Result<(), Box<dyn std::error::Error>>;
