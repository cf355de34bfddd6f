//! What the command loop and the event task share.

use std::time::Duration;

use openxmpp::Client;
use tokio::sync::watch;

use crate::output::Output;
use crate::report::Report;

/// The signed-in client, the output, and the console's switches.
pub(crate) struct Ctx {
    /// The client.
    pub(crate) client: Client,
    /// Where reports go.
    pub(crate) output: Output,
    /// Whether the login sequence is over: the roster loaded and our initial presence
    /// reflected by the server.
    ready: watch::Sender<bool>,
}

impl Ctx {
    /// A context for `client`, printing to `output`.
    pub(crate) fn new(client: Client, output: Output) -> Self {
        Ctx {
            client,
            output,
            ready: watch::Sender::new(false),
        }
    }

    /// Says the login sequence is over.
    pub(crate) fn set_ready(&self) {
        self.ready.send_replace(true);
    }

    /// Waits (at most `limit`) until the login sequence is over, so that the first command
    /// runs in a session that is available and has its roster.
    pub(crate) async fn wait_ready(&self, limit: Duration) {
        let mut ready = self.ready.subscribe();
        let _ = tokio::time::timeout(limit, ready.wait_for(|r| *r)).await;
    }

    /// Prints `report`.
    pub(crate) fn print(&self, report: &Report) {
        self.output.print(report);
    }
}
