//! Driving the real binary in scripted mode with `--json`: lines in, JSON events out.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openxmpp_testkit::{Account, ServerKind, TestServer, shared};
use serde_json::Value;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_openxmpp-console");

/// How long any one expected event may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// The shared server of `kind`.
pub(crate) fn server(kind: ServerKind) -> &'static TestServer {
    shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// The arguments that sign `account` in to `server` over STARTTLS, trusting its CA.
pub(crate) fn sign_in_args(server: &TestServer, account: &Account) -> Vec<String> {
    vec![
        account.jid.clone(),
        "--server".into(),
        server.starttls_addr().to_string(),
        "--ca".into(),
        server.ca_cert_path().display().to_string(),
        "--json".into(),
    ]
}

/// A running console in scripted mode.
pub(crate) struct Console {
    /// Who it is, for messages.
    pub(crate) name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    events: mpsc::Receiver<Value>,
    backlog: VecDeque<Value>,
    stderr: Arc<Mutex<String>>,
}

impl Console {
    /// Starts the console signed in as `account` (password from the environment).
    pub(crate) fn start(server: &TestServer, account: &Account) -> Console {
        Console::start_with(server, account, &[])
    }

    /// Starts it with extra arguments; waits until it is online.
    pub(crate) fn start_with(server: &TestServer, account: &Account, extra: &[&str]) -> Console {
        let mut args = sign_in_args(server, account);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let mut console = Console::spawn(&args, &account.password, &account.jid);
        console.expect(|e| e["event"] == "state" && e["state"] == "online");
        console
    }

    /// Starts the binary with `args` and the password in `XMPP_PASSWORD`.
    pub(crate) fn spawn(args: &[String], password: &str, name: &str) -> Console {
        Console::spawn_env(args, password, name, &[])
    }

    /// Starts the binary with `args`, the password in `XMPP_PASSWORD` and more variables.
    pub(crate) fn spawn_env(
        args: &[String],
        password: &str,
        name: &str,
        env: &[(&str, &str)],
    ) -> Console {
        let mut child = Command::new(BIN)
            .args(args)
            .envs(env.iter().copied())
            .env("XMPP_PASSWORD", password)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the console");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line:?}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        Console {
            name: name.to_owned(),
            stdin: child.stdin.take(),
            child,
            events,
            backlog: VecDeque::new(),
            stderr,
        }
    }

    /// Sends one line.
    pub(crate) fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("write to the console");
        stdin.flush().expect("flush");
    }

    /// Sends `line` and returns its `result` event (events before it stay for `expect`).
    pub(crate) fn run(&mut self, line: &str) -> Value {
        self.send(line);
        self.expect(|e| e["event"] == "result")
    }

    /// Runs `line` and asserts it worked.
    pub(crate) fn ok(&mut self, line: &str) {
        let result = self.run(line);
        assert_eq!(result["ok"], true, "{}: {line:?}: {result}", self.name);
        assert_eq!(result["error"], Value::Null);
    }

    /// Runs `line` and asserts it failed; returns the error text.
    pub(crate) fn fails(&mut self, line: &str) -> String {
        let result = self.run(line);
        assert_eq!(result["ok"], false, "{}: {line:?}: {result}", self.name);
        result["error"].as_str().expect("an error text").to_owned()
    }

    /// The first event (kept ones first) that `matches`, within [`WAIT`].
    pub(crate) fn expect(&mut self, mut matches: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&mut matches) {
            return self.backlog.remove(i).expect("present");
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) if matches(&event) => return event,
                Ok(event) => self.backlog.push_back(event),
                Err(_) => panic!(
                    "{}: no matching event within {WAIT:?}; seen: {:#?}\nstderr: {}",
                    self.name,
                    self.backlog,
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Whether an event matching `matches` was seen (without waiting).
    pub(crate) fn seen(&mut self, matches: impl FnMut(&Value) -> bool) -> bool {
        while let Ok(event) = self.events.try_recv() {
            self.backlog.push_back(event);
        }
        self.backlog.iter().any(matches)
    }

    /// Sends `exit` and waits for the process; returns its status.
    pub(crate) fn exit(mut self) -> ExitStatus {
        self.send("exit");
        self.wait()
    }

    /// Closes stdin and waits for the process.
    pub(crate) fn end_input(&mut self) -> ExitStatus {
        self.stdin = None;
        self.wait()
    }

    /// Waits for the process to end by itself (within [`WAIT`]).
    pub(crate) fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{}: still running after {WAIT:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every event left, after the process ended.
    pub(crate) fn rest(&mut self) -> Vec<Value> {
        let mut all: Vec<Value> = self.backlog.drain(..).collect();
        while let Ok(event) = self.events.recv_timeout(Duration::from_secs(2)) {
            all.push(event);
        }
        all
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs the binary with `args`, `password` and `input` on stdin to the end; returns the exit
/// code and every JSON event.
pub(crate) fn run_script(args: &[String], password: &str, input: &str) -> (i32, Vec<Value>) {
    let mut console = Console::spawn(args, password, "script");
    // The console may have given up before reading anything.
    if let Some(stdin) = console.stdin.as_mut() {
        let _ = writeln!(stdin, "{}", input.trim_end());
    }
    let status = console.end_input();
    let events = console.rest();
    (status.code().unwrap_or(-1), events)
}
