//! Installing the Debian packages a task needs: with apt-get when running as root, otherwise by
//! printing the exact command to run.

use std::process::Command;

use crate::TaskResult;

/// Whether a Debian package is installed, according to dpkg.
fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Makes sure every package in `packages` is installed.
pub(crate) fn ensure(packages: &[&str]) -> TaskResult {
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        return Err(format!(
            "this is not a Debian/Ubuntu system (no dpkg-query); install these packages' \
             equivalents yourself: {}",
            packages.join(" ")
        )
        .into());
    }
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages: {list}\nrun: sudo apt-get update && sudo apt-get install -y \
             --no-install-recommends {list}"
        )
        .into());
    }
    println!("xtask: installing {list}");
    let status = Command::new("apt-get").arg("update").arg("-qq").status()?;
    if !status.success() {
        return Err(format!("apt-get update failed ({status})").into());
    }
    let status = Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !status.success() {
        return Err(format!("apt-get install {list} failed ({status})").into());
    }
    Ok(())
}
