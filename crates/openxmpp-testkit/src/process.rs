//! A server process that is stopped by its own PID when its owner goes away.
//!
//! The server runs under a small `sh` watchdog whose standard input is a pipe held by the test
//! process. When the owner is dropped — or the test process exits, panics or is killed, so that
//! the kernel closes the pipe — the watchdog sends SIGTERM to the server's PID (and SIGKILL if it
//! has not exited after a grace period), then removes the server's temporary directory. Nothing
//! but that one PID is ever signalled. This also covers servers kept in a `static` for a whole
//! test binary, whose destructors never run.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use crate::KitError;

/// `$1` the directory to remove at the end ("" to keep it; kept too while it holds a
/// `.keep-for-restart` marker), `$2` the log file, the rest the server's command line.
const WATCHDOG: &str = r#"
dir="$1"; log="$2"; shift 2
"$@" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid"
cat >/dev/null
kill -TERM "$pid" 2>/dev/null
( sleep 5 && kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
killer=$!
wait "$pid" 2>/dev/null
kill "$killer" 2>/dev/null
if [ -n "$dir" ] && [ ! -e "$dir/.keep-for-restart" ]; then rm -rf "$dir"; fi
"#;

/// A running server under the watchdog.
pub(crate) struct Supervised {
    name: &'static str,
    watchdog: Child,
    stdin: Option<ChildStdin>,
    pid: u32,
    log: PathBuf,
}

impl Supervised {
    /// Starts `command` with its output appended to `log`. When `cleanup_dir` is given, the
    /// watchdog removes it after the server has stopped.
    pub(crate) fn spawn(
        name: &'static str,
        command: &Command,
        log: &Path,
        cleanup_dir: Option<&Path>,
    ) -> Result<Self, KitError> {
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(WATCHDOG)
            .arg("openxmpp-testkit-watchdog")
            .arg(cleanup_dir.map(Path::as_os_str).unwrap_or_default())
            .arg(log)
            .arg(command.get_program())
            .args(command.get_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => sh.env(key, value),
                None => sh.env_remove(key),
            };
        }
        if let Some(dir) = command.get_current_dir() {
            sh.current_dir(dir);
        }
        let mut watchdog = sh
            .spawn()
            .map_err(KitError::io(format!("starting the watchdog for {name}")))?;
        let stdin = watchdog.stdin.take();
        let mut first_line = String::new();
        if let Some(out) = watchdog.stdout.take() {
            BufReader::new(out)
                .read_line(&mut first_line)
                .map_err(KitError::io(format!("reading the PID of {name}")))?;
        }
        let pid = first_line
            .trim()
            .parse::<u32>()
            .map_err(|_| KitError::StartFailed {
                server: name,
                reason: format!("the watchdog printed no PID ({first_line:?})"),
                log: log.to_path_buf(),
                log_tail: log_tail(log),
            })?;
        Ok(Self {
            name,
            watchdog,
            stdin,
            pid,
            log: log.to_path_buf(),
        })
    }

    /// The server's own PID.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether the server process is still running (not exited, not a zombie).
    pub(crate) fn is_running(&self) -> bool {
        match fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            // The state is the first field after the parenthesised command name.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        }
    }

    /// The server's log file.
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }

    /// A start failure carrying the end of the server's log.
    pub(crate) fn start_failed(&self, reason: impl Into<String>) -> KitError {
        KitError::StartFailed {
            server: self.name,
            reason: reason.into(),
            log: self.log.clone(),
            log_tail: log_tail(&self.log),
        }
    }

    /// Sends `signal` (a name such as `KILL`, `STOP`, `CONT`) to the server's own PID.
    pub(crate) fn signal(&self, signal: &str) -> Result<(), KitError> {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid.to_string())
            .status()
            .map_err(KitError::io(format!(
                "sending SIG{signal} to {}",
                self.name
            )))?;
        if status.success() {
            Ok(())
        } else {
            Err(KitError::Io {
                context: format!("sending SIG{signal} to {} ({})", self.name, self.pid),
                source: std::io::Error::other(status.to_string()),
            })
        }
    }

    /// Whether every thread of the server is stopped (SIGSTOP takes effect thread by thread,
    /// after `kill` has returned).
    pub(crate) fn is_stopped(&self) -> bool {
        let Ok(tasks) = fs::read_dir(format!("/proc/{}/task", self.pid)) else {
            return false;
        };
        let mut any = false;
        for task in tasks.flatten() {
            let stat = fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next());
            if state != Some("T") {
                return false;
            }
            any = true;
        }
        any
    }

    /// Stops the server and waits (a few seconds at most) for the watchdog to finish.
    pub(crate) fn stop(&mut self) {
        // Closing the pipe is the signal to stop.
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.watchdog.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if std::time::Instant::now() >= deadline => {
                    tracing::warn!(server = self.name, pid = self.pid, "server slow to stop");
                    return;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a log file, for error messages.
pub(crate) fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(path) {
        let mut bytes = Vec::new();
        if file.read_to_end(&mut bytes).is_ok() {
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(25)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_stops_the_process_and_removes_the_directory() {
        let dir = tempfile::tempdir().unwrap().keep();
        let log = dir.join("out.log");
        let mut cmd = Command::new("sleep");
        cmd.arg("600");
        let proc = Supervised::spawn("sleep", &cmd, &log, Some(&dir)).unwrap();
        let pid = proc.pid();
        assert!(proc.is_running());
        drop(proc);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists() || {
                // The PID may already belong to someone else; then it is not our sleep.
                let cmdline =
                    fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                !cmdline.starts_with("sleep")
            }
        );
        assert!(!dir.exists(), "the watchdog removes the temp dir");
    }

    #[test]
    fn a_server_that_exits_is_seen_as_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg("echo bye; exit 3");
        let proc = Supervised::spawn("short", &cmd, &log, None).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while proc.is_running() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!proc.is_running());
        assert!(log_tail(proc.log()).contains("bye"));
    }
}
