//! Interactive mode (stdin is a terminal): a line editor with history and completion on a
//! thread of its own; events are printed above the prompt without disturbing the line being
//! typed.

use std::sync::Arc;

use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Editor, ExternalPrinter};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::completion::ConsoleHelper;
use crate::context::Ctx;
use crate::events::Ended;
use crate::execute::{Flow, run_line};
use crate::exit::Exit;
use crate::report::Report;

/// What the editor thread hands over.
enum Input {
    /// A line, to be answered with the [`Flow`] after it.
    Line(String, std::sync::mpsc::Sender<Flow>),
    /// Ctrl-D on an empty line.
    Eof,
    /// The terminal failed.
    Failed(String),
}

/// Runs the interactive session; returns how the program should exit.
pub(crate) async fn run(ctx: Arc<Ctx>, mut pump: JoinHandle<Ended>) -> Exit {
    let (input_tx, mut input) = mpsc::channel(1);
    let (printer_tx, printer) = oneshot::channel();
    let (done_tx, done) = oneshot::channel::<()>();
    let prompt = format!("{}> ", ctx.client.jid().bare_str());
    let helper = ConsoleHelper {
        client: ctx.client.clone(),
    };
    std::thread::spawn(move || {
        edit(helper, &prompt, printer_tx, &input_tx);
        let _ = done_tx.send(());
    });
    if let Ok(Some(printer)) = printer.await {
        ctx.output.attach(printer);
    }
    let mut ended = None;
    let mut exit = Exit::Ok;
    loop {
        tokio::select! {
            result = &mut pump, if ended.is_none() => {
                let result = result.unwrap_or(Ended::Failed(None));
                ctx.print(&Report::State {
                    state: "ended",
                    jid: None,
                    attempt: None,
                    delay_ms: None,
                });
                ctx.print(&Report::error("session", "the session is over: press Enter to quit"));
                ended = Some(result);
            }
            received = input.recv() => match received {
                Some(Input::Line(line, answer)) => {
                    let flow = if ended.is_some() {
                        Flow::Exit
                    } else {
                        run_line(&ctx, &line).await
                    };
                    let _ = answer.send(flow);
                    if flow == Flow::Exit {
                        break;
                    }
                }
                Some(Input::Failed(error)) => {
                    ctx.print(&Report::error("terminal", error));
                    exit = Exit::Other;
                    break;
                }
                Some(Input::Eof) | None => break,
            }
        }
    }
    // The editor restores the terminal when its thread ends; print normally after that.
    let _ = done.await;
    ctx.output.detach();
    if let Some(ended) = ended {
        return match ended.exit() {
            Exit::Ok => Exit::Connection,
            other => other,
        };
    }
    let _ = ctx.client.close().await;
    match pump.await {
        Ok(ended) if exit == Exit::Ok => ended.exit(),
        Ok(_) => exit,
        Err(_) => Exit::Other,
    }
}

/// The editor loop (on its own thread): reads lines and waits for each to be run.
fn edit(
    helper: ConsoleHelper,
    prompt: &str,
    printer: oneshot::Sender<Option<Box<dyn ExternalPrinter + Send>>>,
    input: &mpsc::Sender<Input>,
) {
    let config = Config::builder()
        .auto_add_history(true)
        .max_history_size(1000)
        .map(|b| b.completion_type(CompletionType::List).build());
    let editor = config.and_then(Editor::<ConsoleHelper, DefaultHistory>::with_config);
    let mut editor = match editor {
        Ok(editor) => editor,
        Err(e) => {
            let _ = printer.send(None);
            let _ =
                input.blocking_send(Input::Failed(format!("cannot start the line editor: {e}")));
            return;
        }
    };
    editor.set_helper(Some(helper));
    let external = editor
        .create_external_printer()
        .ok()
        .map(|p| Box::new(p) as Box<dyn ExternalPrinter + Send>);
    let _ = printer.send(external);
    loop {
        match editor.readline(prompt) {
            Ok(line) => {
                let (answer, flow) = std::sync::mpsc::channel();
                if input.blocking_send(Input::Line(line, answer)).is_err() {
                    return;
                }
                if flow.recv().unwrap_or(Flow::Exit) == Flow::Exit {
                    return;
                }
            }
            // Ctrl-C drops the line being typed, as in a shell.
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => {
                let _ = input.blocking_send(Input::Eof);
                return;
            }
            Err(e) => {
                let _ = input.blocking_send(Input::Failed(e.to_string()));
                return;
            }
        }
    }
}
