//! An independent XMPP client for interop tests: slixmpp (from PyPI, pinned) in a venv the kit
//! manages, driven by a small script over stdin/stdout in JSON lines.

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Account, TestServer, run};
use crate::{KitError, install};

/// The slixmpp release the peer uses.
pub const SLIXMPP_VERSION: &str = "1.17.0";

const SCRIPT: &str = include_str!("../peer/slixmpp_peer.py");
const READY_MARKER: &str = ".openxmpp-testkit-ready";
const STDERR_KEEP: usize = 16 * 1024;

/// Where the venv lives: `OPENXMPP_TESTKIT_VENV`, else the user's cache directory.
fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPENXMPP_TESTKIT_VENV") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache
        .join("openxmpp-testkit")
        .join(format!("slixmpp-{SLIXMPP_VERSION}"))
}

/// Makes sure the venv with slixmpp exists (creating it on first use, under a file lock so that
/// parallel test binaries do not race) and returns its Python interpreter.
pub fn ensure_venv() -> Result<PathBuf, KitError> {
    let dir = venv_dir();
    let python = dir.join("bin").join("python");
    if dir.join(READY_MARKER).exists() {
        return Ok(python);
    }
    let parent = dir.parent().unwrap_or(&dir).to_path_buf();
    fs::create_dir_all(&parent).map_err(KitError::io(format!("creating {}", parent.display())))?;
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path)
        .map_err(KitError::io(format!("creating {}", lock_path.display())))?;
    lock.lock()
        .map_err(KitError::io(format!("locking {}", lock_path.display())))?;
    if dir.join(READY_MARKER).exists() {
        return Ok(python);
    }
    let system_python = which("python3").ok_or_else(|| KitError::NotInstalled {
        program: "python3",
        hint: install::hint("python3 python3-venv"),
    })?;
    let _ = fs::remove_dir_all(&dir);
    run(
        "python3 -m venv",
        Command::new(&system_python).arg("-m").arg("venv").arg(&dir),
    )
    .map_err(|e| KitError::NotInstalled {
        program: "python3-venv",
        hint: format!(
            "`python3 -m venv` failed ({e}); {}",
            install::hint("python3-venv")
        ),
    })?;
    run(
        "pip install slixmpp",
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("slixmpp=={SLIXMPP_VERSION}")),
    )?;
    fs::write(dir.join(READY_MARKER), SLIXMPP_VERSION)
        .map_err(KitError::io("marking the venv ready"))?;
    Ok(python)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// How the peer reaches the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerTls {
    /// Plain TCP, then STARTTLS.
    StartTls,
    /// TLS from the first byte (XEP-0368).
    DirectTls,
}

/// A running slixmpp client. Killed (its own process) when dropped.
pub struct SlixPeer {
    child: Child,
    stdin: ChildStdin,
    events: mpsc::Receiver<Value>,
    backlog: VecDeque<Value>,
    stderr: Arc<Mutex<String>>,
    next_tag: u64,
    /// How long a command may take.
    pub timeout: Duration,
}

impl SlixPeer {
    /// Starts the peer process (creating the venv first if needed) and waits until it is ready.
    pub fn start() -> Result<Self, KitError> {
        let python = ensure_venv()?;
        let mut child = Command::new(&python)
            .arg("-c")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(KitError::io(format!("starting {}", python.display())))?;
        let (stdin, stdout, stderr_pipe) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => {
                    return Err(KitError::Peer(
                        "the peer's pipes were not set up".to_owned(),
                    ));
                }
            };
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| json!({ "event": "unparsed", "line": line }));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut pipe = stderr_pipe;
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut text) = sink.lock() {
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if text.len() > STDERR_KEEP {
                        let cut = text.len() - STDERR_KEEP;
                        let cut = (cut..text.len())
                            .find(|&i| text.is_char_boundary(i))
                            .unwrap_or(0);
                        text.drain(..cut);
                    }
                }
            }
        });
        let mut peer = Self {
            child,
            stdin,
            events,
            backlog: VecDeque::new(),
            stderr,
            next_tag: 0,
            timeout: Duration::from_secs(30),
        };
        peer.wait_for(|e| e["event"] == "ready", Duration::from_secs(30))?;
        Ok(peer)
    }

    /// Logs in to `server` as `account`; returns the full JID the server bound.
    pub fn connect(
        &mut self,
        server: &TestServer,
        account: &Account,
        tls: PeerTls,
    ) -> Result<String, KitError> {
        let addr = match tls {
            PeerTls::StartTls => server.starttls_addr(),
            PeerTls::DirectTls => server.direct_tls_addr(),
        };
        let done = self.call(json!({
            "op": "connect",
            "jid": account.jid,
            "password": account.password,
            "host": addr.ip().to_string(),
            "port": addr.port(),
            "ca": server.ca_cert_path(),
            "direct_tls": tls == PeerTls::DirectTls,
            "timeout": self.timeout.as_secs(),
        }))?;
        done["jid"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| KitError::Peer(format!("connect answered without a JID: {done}")))
    }

    /// Sends a chat message.
    pub fn send_chat(&mut self, to: &str, body: &str) -> Result<(), KitError> {
        self.call(json!({ "op": "message", "to": to, "body": body, "type": "chat" }))
            .map(drop)
    }

    /// The peer's process id (for reading its CPU time or memory in benchmarks).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Runs one command (a JSON object with an `op`) and returns its `done` answer; events that
    /// arrive meanwhile are kept for [`SlixPeer::wait_for`].
    pub fn call(&mut self, mut command: Value) -> Result<Value, KitError> {
        self.next_tag += 1;
        let tag = self.next_tag;
        command["tag"] = json!(tag);
        let line = format!("{command}\n");
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| {
                KitError::Peer(format!("writing to the peer: {e}{}", self.stderr_tail()))
            })?;
        let answer = self.wait_for(
            |e| e["tag"] == json!(tag) && (e["event"] == "done" || e["event"] == "failed"),
            self.timeout,
        )?;
        if answer["event"] == "failed" {
            return Err(KitError::Peer(format!(
                "{} failed: {}{}",
                command["op"],
                answer["error"],
                self.stderr_tail()
            )));
        }
        Ok(answer)
    }

    /// Waits for the first event (kept ones first) that `matches`, within `timeout`.
    pub fn wait_for(
        &mut self,
        mut matches: impl FnMut(&Value) -> bool,
        timeout: Duration,
    ) -> Result<Value, KitError> {
        if let Some(i) = self.backlog.iter().position(&mut matches)
            && let Some(event) = self.backlog.remove(i)
        {
            return Ok(event);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) if matches(&event) => return Ok(event),
                Ok(event) => self.backlog.push_back(event),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(KitError::Peer(format!(
                        "no matching event within {timeout:?}; seen: {:?}{}",
                        self.backlog,
                        self.stderr_tail()
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(KitError::Peer(format!(
                        "the peer exited; seen: {:?}{}",
                        self.backlog,
                        self.stderr_tail()
                    )));
                }
            }
        }
    }

    /// Closes the stream and waits for the process to end.
    pub fn disconnect(mut self) -> Result<(), KitError> {
        self.call(json!({ "op": "disconnect" }))?;
        let _ = self.child.wait();
        Ok(())
    }

    fn stderr_tail(&self) -> String {
        match self.stderr.lock() {
            Ok(text) if !text.trim().is_empty() => format!("\n--- peer stderr ---\n{}", *text),
            _ => String::new(),
        }
    }
}

impl Drop for SlixPeer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
