//! `cargo xtask fuzz`: the fuzz targets in `fuzz/` (their own workspace; see its `src/lib.rs`).
//!
//! - `cargo xtask fuzz SECONDS [TARGET…]`: runs every target (or those named) for SECONDS each
//!   with `cargo +nightly fuzz`, one after the other, growing `fuzz/corpus/TARGET` from the
//!   committed seeds in `fuzz/seeds/TARGET`; prints the executions per target. A finding is
//!   left in `fuzz/artifacts/TARGET/` and fails the task.
//! - `cargo xtask fuzz smoke`: every target's body over its seeds, on stable (what CI runs).
//! - `cargo xtask fuzz seeds`: derives the seeds again from the test transcripts: the server
//!   side of the core's connection transcript tests, and the stanzas of the IM tests. Seeds
//!   named `regression-*` (inputs that once failed) are kept.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use openxmpp::core::xml::{self, StreamEvent, StreamParser};

use crate::TaskResult;

/// Every target, in the order they run.
pub(crate) const TARGETS: [&str; 5] = ["stream_parser", "jid", "stanza", "sasl", "connection"];

const USAGE: &str = "usage: cargo xtask fuzz <SECONDS [TARGET…] | smoke | seeds>";

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The repository root (xtask lives in `xtask/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub(crate) fn run(args: &[String]) -> TaskResult {
    match args.first().map(String::as_str) {
        Some("smoke") => smoke(),
        Some("seeds") => seeds(),
        Some(seconds) => match seconds.parse::<u64>() {
            Ok(seconds) if seconds > 0 => fuzz(seconds, &args[1..]),
            _ => Err(USAGE.into()),
        },
        None => Err(USAGE.into()),
    }
}

/// The command running the targets' bodies over the seed corpora, on the current (stable)
/// toolchain.
pub(crate) fn smoke_command() -> Command {
    let mut command = cargo();
    command
        .current_dir(root().join("fuzz"))
        .args(["test", "--no-default-features", "--quiet"]);
    command
}

fn smoke() -> TaskResult {
    let status = smoke_command().status()?;
    if status.success() {
        Ok(())
    } else {
        Err("the fuzz targets fail on their seeds".into())
    }
}

fn fuzz(seconds: u64, only: &[String]) -> TaskResult {
    let targets: Vec<&str> = if only.is_empty() {
        TARGETS.to_vec()
    } else {
        for name in only {
            if !TARGETS.contains(&name.as_str()) {
                return Err(format!("unknown target {name:?}; targets: {TARGETS:?}").into());
            }
        }
        only.iter().map(String::as_str).collect()
    };
    let probe = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return Err("fuzzing needs a nightly toolchain and cargo-fuzz: \
                    `rustup toolchain install nightly && cargo install cargo-fuzz`"
            .into());
    }
    let fuzz_dir = root().join("fuzz");
    let mut report = Vec::new();
    let mut failed = Vec::new();
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        println!("xtask: == fuzz {target} for {seconds} s");
        let started = Instant::now();
        // The environment's CARGO (stable, from `cargo xtask`) must not leak into the nightly
        // cargo, nor its target dir into the instrumented build.
        let output = Command::new("cargo")
            .current_dir(&fuzz_dir)
            .env_remove("CARGO")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTC")
            .env_remove("RUSTUP_TOOLCHAIN")
            .args(["+nightly", "fuzz", "run", target])
            .arg(&corpus)
            .arg(fuzz_dir.join("seeds").join(target))
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
                "-timeout=10",
                "-rss_limit_mb=2048",
                "-max_len=16384",
            ])
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()?
            .wait_with_output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        // libFuzzer's final statistics, e.g. `stat::number_of_executed_units: 123456`.
        let stat = |name: &str| {
            stderr
                .lines()
                .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|| "?".to_owned())
        };
        let line = format!(
            "{target}: {} executions in {:.0?} ({}/s), peak RSS {} MB, corpus {} inputs, {}",
            stat("number_of_executed_units"),
            started.elapsed(),
            stat("average_exec_per_sec"),
            stat("peak_rss_mb"),
            std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0),
            if output.status.success() {
                "no finding"
            } else {
                "FINDING"
            },
        );
        if !output.status.success() {
            // Show what libFuzzer said about the finding.
            let tail: Vec<&str> = stderr.lines().rev().take(60).collect();
            for l in tail.into_iter().rev() {
                eprintln!("{l}");
            }
            failed.push(target);
        }
        println!("xtask: {line}");
        report.push(line);
    }
    println!("xtask: fuzzing summary");
    for line in &report {
        println!("  {line}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("findings in {failed:?}: see fuzz/artifacts/").into())
    }
}

// ----- seeds ---------------------------------------------------------------------------------

/// A seed's file name: a prefix and the hash of its content (so that equal seeds collapse).
fn seed_name(prefix: &str, data: &[u8]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    data.hash(&mut hasher);
    format!("{prefix}-{:016x}", hasher.finish())
}

struct Seeds {
    dir: PathBuf,
    written: usize,
    /// The shapes seen: a target and its input with every run of digits replaced by `0`.
    shapes: BTreeSet<(String, Vec<u8>)>,
}

/// `data` with every run of ASCII digits replaced by one `0`: tests that generate thousands
/// of stanzas (a presence flood) give one seed, not thousands.
fn shape(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for &b in data {
        if b.is_ascii_digit() {
            if out.last() != Some(&b'0') {
                out.push(b'0');
            }
        } else {
            out.push(b);
        }
    }
    out
}

impl Seeds {
    fn add(&mut self, target: &str, prefix: &str, data: &[u8]) -> TaskResult {
        if !self.shapes.insert((target.to_owned(), shape(data))) {
            return Ok(());
        }
        let dir = self.dir.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(seed_name(prefix, data)), data)?;
        self.written += 1;
        Ok(())
    }
}

/// Runs the tests that write transcripts into `dir`.
fn collect_transcripts(dir: &Path) -> TaskResult {
    for (package, filter) in [("openxmpp-core", "connection::"), ("openxmpp-im", "")] {
        let mut command = cargo();
        command
            .current_dir(root())
            .env("OPENXMPP_FUZZ_SEEDS", dir)
            .args(["test", "--quiet", "-p", package, "--lib"]);
        if !filter.is_empty() {
            command.arg(filter);
        }
        if !command.status()?.success() {
            return Err(format!("the {package} tests failed").into());
        }
    }
    Ok(())
}

/// The first-level elements of a server's stream.
fn elements_of(stream: &[u8]) -> Vec<xml::Element> {
    let mut parser = StreamParser::new();
    parser.feed(stream);
    let mut elements = Vec::new();
    while let Ok(Some(event)) = parser.next_event() {
        if let StreamEvent::Stanza(element) = event {
            elements.push(element);
        }
    }
    elements
}

/// Standard base64, for the SASL payloads of the transcripts.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = text.trim();
    if text == "=" {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c)?;
        acc = (acc << 6) | u32::try_from(value).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

const SASL_NS: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// The `sasl` target's selectors seeds are written for: each SCRAM variant (with and without
/// bindings), DIGEST-MD5, PLAIN, EXTERNAL, ANONYMOUS, SCRAM-SHA-1 with -PLUS offered, and
/// SCRAM-SHA-1 on a plaintext stream.
const SASL_SELECTORS: [u8; 13] = [
    0x00, 0x01, 0x02, 0x13, 0x24, 0x35, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x1A, 0x40,
];

fn sasl_input(selector: u8, elements: &[xml::Element]) -> Option<Vec<u8>> {
    let mut messages = Vec::new();
    for element in elements.iter().filter(|e| e.ns() == SASL_NS) {
        let text = element.text();
        match element.name() {
            "challenge" => messages.push(base64_decode(&text)?),
            "success" if text.trim().is_empty() => messages.push(vec![0]),
            "success" => {
                let mut message = vec![1];
                message.extend(base64_decode(&text)?);
                messages.push(message);
            }
            _ => {}
        }
    }
    if messages.is_empty() {
        return None;
    }
    let mut input = vec![selector];
    input.extend(messages.join(&0xFF));
    Some(input)
}

/// Addresses worth starting from besides those in the transcripts.
const EXTRA_JIDS: &[&str] = &[
    "juliet@example.com/balcony",
    "user@München.example/🎸 guitar",
    "room@muc.example/👩\u{200d}💻",
    "[2001:db8::1]",
    "a@192.0.2.1/r",
    "ΣΑΣ@example.com",
    "\u{212b}@example.com",
    "local@domain.example./resource/with/slashes",
    "@example.com",
    "a@b@c",
];

fn seeds() -> TaskResult {
    let root = root();
    let seeds_dir = root.join("fuzz").join("seeds");
    let scratch = std::env::temp_dir().join(format!("openxmpp-fuzz-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    println!("xtask: collecting transcripts from the tests");
    collect_transcripts(&scratch)?;

    // Start again from the transcripts, keeping the regression inputs.
    for target in TARGETS {
        let dir = seeds_dir.join(target);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if !name.to_string_lossy().starts_with("regression-") {
                    std::fs::remove_file(entry.path())?;
                }
            }
        }
    }
    let mut seeds = Seeds {
        dir: seeds_dir,
        written: 0,
        shapes: BTreeSet::new(),
    };
    let mut jids = BTreeSet::new();
    jids.extend(EXTRA_JIDS.iter().map(|s| (*s).to_owned()));

    let mut transcripts: Vec<PathBuf> = std::fs::read_dir(scratch.join("connection"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    transcripts.sort();
    for path in &transcripts {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = name.rsplit_once('-').map(|(k, _)| k).unwrap_or("tls");
        let stream = std::fs::read(path)?;
        // The stream parser: byte by byte, and in chunks of 7 and 256 bytes.
        for prefix in [&[0x00][..], &[0x02, 6, 255], &[0x0A, 6, 255]] {
            let mut input = prefix.to_vec();
            input.extend_from_slice(&stream);
            seeds.add("stream_parser", "transcript", &input)?;
        }
        // The connection, when the transcript is of a plaintext negotiation.
        let flags = match kind {
            "plaintext-password" => Some(0x00),
            "plaintext-anonymous" => Some(0x10),
            _ => None,
        };
        if let Some(flags) = flags {
            for prefix in [vec![flags], vec![flags | 1, 63]] {
                let mut input = prefix;
                input.extend_from_slice(&stream);
                seeds.add("connection", "transcript", &input)?;
            }
        }
        let elements = elements_of(&stream);
        for selector in SASL_SELECTORS {
            if let Some(input) = sasl_input(selector, &elements) {
                seeds.add("sasl", "transcript", &input)?;
            }
        }
        for element in &elements {
            let mut bytes = Vec::new();
            xml::write_stanza(element, "jabber:client", &mut bytes);
            seeds.add("stanza", "transcript", &bytes)?;
            collect_jids(element, &mut jids);
        }
    }
    if let Ok(entries) = std::fs::read_dir(scratch.join("stanza")) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let text = std::fs::read(&path)?;
            seeds.add("stanza", "im", &text)?;
            if let Ok(element) = xml::parse_element(&String::from_utf8_lossy(&text)) {
                collect_jids(&element, &mut jids);
            }
        }
    }
    for jid in &jids {
        seeds.add("jid", "transcript", jid.as_bytes())?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "xtask: {} seeds from {} connection transcripts in fuzz/seeds/",
        seeds.written,
        transcripts.len()
    );
    Ok(())
}

/// Every address-like value in `element`: `from`, `to` and `jid` attributes, `<jid/>` text.
fn collect_jids(element: &xml::Element, jids: &mut BTreeSet<String>) {
    for name in ["from", "to", "jid"] {
        if let Some(value) = element.attr(name) {
            jids.insert(value.to_owned());
        }
    }
    if element.name() == "jid" {
        jids.insert(element.text().trim().to_owned());
    }
    for child in element.children() {
        collect_jids(child, jids);
    }
}
