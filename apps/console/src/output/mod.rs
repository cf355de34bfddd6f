//! Printing reports: as text (what peers sent made safe for a terminal) or JSON lines, on
//! stdout or above the prompt of the line editor. Each report is written whole, so lines from
//! the event task and the command loop never interleave.

mod clean;
mod human;
mod json;

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, MutexGuard, mpsc};

pub(crate) use human::Style;

use crate::report::Report;

/// How reports are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// One JSON object per line.
    Json,
    /// Text for people.
    Human(Style),
}

impl Format {
    /// JSON when asked; otherwise text, coloured only on a terminal and never with
    /// `NO_COLOR` set (to anything but the empty string, as no-color.org says).
    pub(crate) fn choose(json: bool) -> Format {
        if json {
            return Format::Json;
        }
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Format::Human(Style {
            colour: !no_color && std::io::stdout().is_terminal(),
        })
    }
}

/// Where lines go.
enum Sink {
    /// Standard output.
    Stdout,
    /// The thread that prints above the line editor's prompt.
    Editor(mpsc::Sender<String>),
}

/// The console's single place for printing.
pub(crate) struct Output {
    format: Format,
    sink: Mutex<Sink>,
}

impl Output {
    /// Prints to stdout in `format`.
    pub(crate) fn new(format: Format) -> Self {
        Output {
            format,
            sink: Mutex::new(Sink::Stdout),
        }
    }

    fn sink(&self) -> MutexGuard<'_, Sink> {
        self.sink.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on prints through `printer`, above the prompt, until [`Output::detach`].
    pub(crate) fn attach(&self, mut printer: Box<dyn rustyline::ExternalPrinter + Send>) {
        let (tx, rx) = mpsc::channel::<String>();
        // The editor's printer may wait for the editor to take a line: never on a runtime
        // thread.
        std::thread::spawn(move || {
            for line in rx {
                if printer.print(line).is_err() {
                    break;
                }
            }
        });
        *self.sink() = Sink::Editor(tx);
    }

    /// Prints to stdout again.
    pub(crate) fn detach(&self) {
        *self.sink() = Sink::Stdout;
    }

    /// The text of `report` in this output's format.
    pub(crate) fn render(&self, report: &Report) -> String {
        match self.format {
            Format::Json => json::to_json(report).to_string(),
            Format::Human(style) => human::to_text(&clean::report(report), style),
        }
    }

    /// Prints `report` (nothing, if it has no text in this format).
    pub(crate) fn print(&self, report: &Report) {
        let mut text = self.render(report);
        if text.is_empty() {
            return;
        }
        text.push('\n');
        let mut sink = self.sink();
        if let Sink::Editor(tx) = &*sink {
            if tx.send(text.clone()).is_ok() {
                return;
            }
            *sink = Sink::Stdout;
        }
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (a reader that went away) is not worth dying for.
        let _ = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
    }

    /// Prints a report that ends the program: JSON on stdout like everything else, text on
    /// stderr.
    pub(crate) fn print_fatal(&self, report: &Report) {
        match self.format {
            Format::Json => self.print(report),
            Format::Human(_) => {
                let text = human::to_text(&clean::report(report), Style { colour: false });
                eprintln!("openxmpp-console: {text}");
            }
        }
    }
}
