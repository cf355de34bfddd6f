//! andante: the desktop XMPP client. `cargo run -p andante`.
//!
//! Files go to the platform's config and data directories, or under `ANDANTE_HOME`.
//! `RUST_LOG=andante=debug,openxmpp=debug` shows what happens.

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!(
            "andante {}: a desktop XMPP client\n\nusage: andante\n\nEnvironment:\n  \
             ANDANTE_HOME         keep settings and history in this directory\n  \
             ANDANTE_NO_KEYRING   do not use the system keyring\n  \
             RUST_LOG             log filter (e.g. andante=debug)",
            env!("CARGO_PKG_VERSION")
        );
        return ExitCode::SUCCESS;
    }
    match andante::ui::run(andante::store::Paths::from_env()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("andante: {e}");
            ExitCode::FAILURE
        }
    }
}
