//! The test kit's error type.

use std::path::PathBuf;

/// What can go wrong while setting up a private server or the peer client.
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    /// A program the kit needs is not installed; the message says how to install it.
    #[error("{program} is not installed: {hint}")]
    NotInstalled {
        /// The missing program.
        program: &'static str,
        /// How to install it, e.g. `apt-get install -y prosody`.
        hint: String,
    },
    /// An I/O error while preparing or running something.
    #[error("{context}: {source}")]
    Io {
        /// What the kit was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Generating the throw-away CA or server certificate failed.
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The server process exited or did not accept connections in time.
    #[error("{server} did not start: {reason}\n--- last lines of its log ({log}) ---\n{log_tail}")]
    StartFailed {
        /// Which server.
        server: &'static str,
        /// Why the kit gave up.
        reason: String,
        /// Where the server's log is (deleted when the server is dropped).
        log: PathBuf,
        /// The end of the log, for the test output.
        log_tail: String,
    },
    /// Creating an account failed.
    #[error("creating account {jid} on {server} failed: {reason}")]
    Account {
        /// Which server.
        server: &'static str,
        /// The account.
        jid: String,
        /// What the server or tool said.
        reason: String,
    },
    /// The peer client failed or answered something unexpected.
    #[error("peer client: {0}")]
    Peer(String),
    /// A command run by the kit failed.
    #[error("`{command}` failed ({status}): {output}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed (last part).
        output: String,
    },
}

impl KitError {
    /// Wraps an I/O error with what the kit was doing.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> KitError {
        let context = context.into();
        move |source| KitError::Io { context, source }
    }
}
