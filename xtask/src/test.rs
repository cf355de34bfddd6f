//! `cargo xtask test`: everything CI checks, in the order a newcomer would want to see it fail.

use std::process::Command;
use std::time::Instant;

use openxmpp_testkit::{ensure_venv, install};

use crate::{TaskResult, fuzz, packages};

/// What the desktop client's end-to-end test needs besides the servers: a virtual display, a
/// font, a way to type into the window and one to take its screenshot.
const GUI_TEST_PACKAGES: &[&str] = &["xvfb", "fonts-dejavu-core", "xdotool", "imagemagick"];

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn step(name: &str, command: &mut Command) -> TaskResult {
    println!("xtask: == {name}");
    let started = Instant::now();
    let status = command.status()?;
    println!("xtask: {name}: {status} in {:.1?}", started.elapsed());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed").into())
    }
}

pub(crate) fn run(extra: &[String]) -> TaskResult {
    let started = Instant::now();
    packages::ensure(install::DEBIAN_PACKAGES)?;
    packages::ensure(GUI_TEST_PACKAGES)?;
    let python = ensure_venv()?;
    println!("xtask: interop peer ready ({})", python.display());
    step("format", cargo().args(["fmt", "--all", "--", "--check"]))?;
    step(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step("tests", cargo().args(["test", "--workspace"]).args(extra))?;
    // Stable CI cannot run cargo-fuzz (nightly): the targets' bodies run over their seeds.
    step("fuzz targets over their seeds", &mut fuzz::smoke_command())?;
    println!("xtask: all checks passed in {:.1?}", started.elapsed());
    Ok(())
}
