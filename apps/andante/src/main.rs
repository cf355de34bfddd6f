//! andante: the desktop XMPP client. `cargo run -p andante`.
//!
//! Files go to the platform's config and data directories, or under `ANDANTE_HOME`.
//! `RUST_LOG=andante=debug,openxmpp=debug` shows what happens.

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,winit=error")),
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
    if let Some(problem) = no_display() {
        eprintln!("andante: {problem}");
        return ExitCode::FAILURE;
    }
    // iced panics when the windowing system cannot be reached (a stale DISPLAY, say): that
    // one is told in words, any other panic keeps the default report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !panic_text(info.payload()).contains("event loop") {
            default_hook(info);
        }
    }));
    let paths = andante::store::Paths::from_env();
    match std::panic::catch_unwind(move || andante::ui::run(paths)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("andante: {e}");
            ExitCode::FAILURE
        }
        Err(payload) => {
            let text = panic_text(payload.as_ref());
            if text.contains("event loop") {
                let display = std::env::var("WAYLAND_DISPLAY")
                    .or_else(|_| std::env::var("DISPLAY"))
                    .unwrap_or_default();
                eprintln!(
                    "andante: cannot open a window on the display “{display}”: is it running \
                     and may this user use it? ({text})"
                );
            }
            ExitCode::FAILURE
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// On Linux and the BSDs a window needs a Wayland or X11 display; say so plainly instead of
/// letting the windowing library fail with its own words.
fn no_display() -> Option<&'static str> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("WAYLAND_DISPLAY") && !set("DISPLAY") && !set("WAYLAND_SOCKET") {
            return Some(
                "no graphical display: neither WAYLAND_DISPLAY nor DISPLAY is set. Run andante \
                 in a desktop session (or under a virtual display such as `xvfb-run \
                 cargo run -p andante`).",
            );
        }
    }
    None
}
