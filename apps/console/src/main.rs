//! openxmpp-console: a terminal XMPP client built on the `openxmpp` library.
//!
//! Interactive on a terminal (line editing, history, completion, events above the prompt);
//! scripted when stdin is not a terminal (commands line by line, events as lines of text or
//! JSON). The README lists the commands, the JSON events and the exit statuses.

mod args;
mod commands;
mod completion;
mod connect;
mod context;
mod convert;
mod events;
mod execute;
mod exit;
mod interactive;
mod output;
mod password;
mod report;
mod scripted;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::args::Args;
use crate::context::Ctx;
use crate::exit::Exit;
use crate::output::{Format, Output};
use crate::password::Password;
use crate::report::Report;

fn main() -> ExitCode {
    // clap exits with status 2 (Exit::Usage) on a usage error.
    let args = Args::parse();
    init_logging();
    let output = Output::new(Format::choose(args.json));
    let password = match password::obtain(
        args.password_file.as_deref(),
        &format!("Password for {}: ", args.jid),
    ) {
        Ok(password) => password,
        Err(e) => return fail(&output, Exit::Usage, e.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&output, Exit::Other, format!("cannot start: {e}")),
    };
    let exit = runtime.block_on(session(args, password, output));
    // Anything still blocked (a read of stdin) must not hold the exit up.
    runtime.shutdown_background();
    exit.into()
}

/// Signs in, runs the interactive or scripted session, and says how to exit.
async fn session(args: Args, password: Password, output: Output) -> Exit {
    let interactive = std::io::stdin().is_terminal();
    let builder = connect::builder(&args, &password, interactive);
    let (client, events) = match builder.connect().await {
        Ok(connected) => connected,
        Err(e) => {
            let exit = Exit::for_error(&e);
            output.print_fatal(&Report::error(exit.kind(), e.to_string()));
            return exit;
        }
    };
    let ctx = Arc::new(Ctx::new(client, output));
    let pump = tokio::spawn(events::pump(Arc::clone(&ctx), events));
    if interactive {
        interactive::run(ctx, pump).await
    } else {
        scripted::run(ctx, pump).await
    }
}

fn fail(output: &Output, exit: Exit, message: String) -> ExitCode {
    output.print_fatal(&Report::error(exit.kind(), message));
    exit.into()
}

/// Logs go to stderr, only when `RUST_LOG` asks for them.
fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
}
