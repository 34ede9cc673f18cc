//! Python tools pinned in a venv under `target/`, made once and reused: schemathesis for
//! `conformance`, Airalo's official SDK for `sdk-conformance`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

/// The venv at `dir` with `packages` (pinned `name==version`) installed; its directory.
/// Made again when the pins change, so a stale venv never answers for new pins.
pub fn venv(dir: &Path, packages: &[&str]) -> anyhow::Result<PathBuf> {
    let pins = dir.join("pins.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&pins).is_ok_and(|installed| installed == wanted) {
        return Ok(dir.to_owned());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing the stale {}", dir.display()))?;
    }
    println!("==> a Python venv with {} in {}", packages.join(" "), dir.display());
    run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
    run(Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages))?;
    std::fs::write(&pins, wanted)?;
    Ok(dir.to_owned())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("starting {command:?}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed ({status})");
    Ok(())
}
