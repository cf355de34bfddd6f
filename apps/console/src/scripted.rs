//! Scripted mode (stdin is not a terminal): commands line by line, each finished (its IQ
//! answered) before the next; events printed as they come; `exit` or the end of input closes
//! the stream cleanly.

use std::io::BufRead;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::context::Ctx;
use crate::events::Ended;
use crate::execute::{Flow, run_line};
use crate::exit::Exit;
use crate::report::Report;

/// Runs the script on stdin; returns how the program should exit.
pub(crate) async fn run(ctx: Arc<Ctx>, mut pump: JoinHandle<Ended>) -> Exit {
    let mut lines = stdin_lines();
    loop {
        tokio::select! {
            ended = &mut pump => {
                // The session ended by itself (the connection was lost for good).
                let ended = ended.unwrap_or(Ended::Failed(None));
                return lost(&ctx, &ended);
            }
            line = lines.recv() => match line {
                Some(Ok(line)) => {
                    if run_line(&ctx, &line).await == Flow::Exit {
                        break;
                    }
                }
                Some(Err(error)) => {
                    ctx.print(&Report::error("input", format!("cannot read stdin: {error}")));
                    break;
                }
                None => break,
            }
        }
    }
    let _ = ctx.client.close().await;
    match pump.await {
        Ok(ended) => ended.exit(),
        Err(_) => Exit::Other,
    }
}

/// The exit for a session lost while the script ran (its error, if any, was printed).
fn lost(ctx: &Ctx, ended: &Ended) -> Exit {
    match ended {
        Ended::Failed(Some(_)) => ended.exit(),
        Ended::Failed(None) | Ended::Cleanly => {
            ctx.print(&Report::error(
                Exit::Connection.kind(),
                "the server ended the session",
            ));
            Exit::Connection
        }
    }
}

/// Lines of stdin, read on a thread of their own (a blocked read must not keep the program
/// from exiting).
fn stdin_lines() -> mpsc::Receiver<std::io::Result<String>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let failed = line.is_err();
            if tx.blocking_send(line).is_err() || failed {
                break;
            }
        }
    });
    rx
}
