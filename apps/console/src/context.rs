//! What the command loop and the event task share.

use std::sync::atomic::{AtomicBool, Ordering};

use openxmpp::Client;

use crate::output::Output;
use crate::report::Report;

/// The signed-in client, the output, and the console's switches.
pub(crate) struct Ctx {
    /// The client.
    pub(crate) client: Client,
    /// Where reports go.
    pub(crate) output: Output,
    /// Whether `xml on` is in force.
    xml: AtomicBool,
}

impl Ctx {
    /// A context for `client`, printing to `output`.
    pub(crate) fn new(client: Client, output: Output) -> Self {
        Ctx {
            client,
            output,
            xml: AtomicBool::new(false),
        }
    }

    /// Whether stanzas are shown as XML.
    pub(crate) fn xml(&self) -> bool {
        self.xml.load(Ordering::Relaxed)
    }

    /// Shows stanzas as XML, or stops.
    pub(crate) fn set_xml(&self, on: bool) {
        self.xml.store(on, Ordering::Relaxed);
    }

    /// Prints `report`.
    pub(crate) fn print(&self, report: &Report) {
        self.output.print(report);
    }

    /// With `xml on`, prints the XML of a stanza going `direction` (`in` or `out`).
    pub(crate) fn trace(&self, direction: &'static str, xml: impl FnOnce() -> String) {
        if self.xml() {
            self.print(&Report::Xml {
                direction,
                xml: xml(),
            });
        }
    }
}
