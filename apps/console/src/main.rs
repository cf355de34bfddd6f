//! openxmpp-console: a terminal XMPP client built on the `openxmpp` library.
//!
//! Interactive on a terminal (line editing, history, completion, events above the prompt);
//! scripted when stdin is not a terminal (commands line by line, events as lines of text or
//! JSON). The README lists the commands, the JSON events and the exit statuses.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

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
mod register;
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

/// How long the first command waits for the login sequence (roster, initial presence).
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

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
    if args.register
        && let Err(exit) = register(&args, &password, builder.clone(), &output).await
    {
        return exit;
    }
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
    ctx.wait_ready(READY_WAIT).await;
    if interactive {
        interactive::run(ctx, pump).await
    } else {
        scripted::run(ctx, pump).await
    }
}

/// Creates the account (`--register`).
async fn register(
    args: &Args,
    password: &Password,
    builder: openxmpp::ClientBuilder,
    output: &Output,
) -> Result<(), Exit> {
    let bare = args.jid.split('/').next().unwrap_or_default();
    let username = bare
        .split_once('@')
        .map(|(user, _)| user)
        .unwrap_or_default();
    if username.is_empty() {
        let message = format!("{:?} has no username to register", args.jid);
        output.print_fatal(&Report::error(Exit::Usage.kind(), message));
        return Err(Exit::Usage);
    }
    let answers = register::Answers {
        username,
        password,
        fields: args
            .fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect(),
    };
    match register::register(builder, &answers).await {
        Ok(()) => {
            output.print(&Report::Registered {
                jid: bare.to_owned(),
            });
            Ok(())
        }
        Err(e) => {
            let exit = match &e {
                register::RegisterError::Client(error) => Exit::for_error(error),
                register::RegisterError::Missing(_) => Exit::Usage,
                register::RegisterError::Elsewhere(_) => Exit::Registration,
            };
            output.print_fatal(&Report::error(exit.kind(), e.to_string()));
            Err(exit)
        }
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
