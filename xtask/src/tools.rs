//! Tools from other ecosystems, pinned and installed once under cargo's target directory:
//! schemathesis (`conformance`), Airalo's SDKs (`sdk-conformance`), the spec validators
//! (`spec-lint`). Each install records its pins and is made again when they change, so a
//! stale install never answers for new pins.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

/// A Python venv at `dir` with `packages` (`name==version`) installed; its directory.
pub fn venv(dir: &Path, packages: &[&str]) -> anyhow::Result<PathBuf> {
    install(dir, packages, |dir| {
        run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
        run(Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages))
    })?;
    Ok(dir.to_owned())
}

/// npm `packages` (`name@version`) installed under `dir`; its `node_modules` (programs in
/// `node_modules/.bin`).
pub fn npm(dir: &Path, packages: &[&str]) -> anyhow::Result<PathBuf> {
    install(dir, packages, |dir| {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(dir)
            .args(packages))
    })?;
    Ok(dir.join("node_modules"))
}

/// Runs `make` in an emptied `dir` unless `dir` already holds exactly `packages`.
fn install(dir: &Path, packages: &[&str], make: impl FnOnce(&Path) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let pins = dir.join("pins.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&pins).is_ok_and(|installed| installed == wanted) {
        return Ok(());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing the stale {}", dir.display()))?;
    }
    println!("==> installing {} into {}", packages.join(" "), dir.display());
    std::fs::create_dir_all(dir)?;
    make(dir)?;
    std::fs::write(&pins, wanted)?;
    Ok(())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("starting {command:?}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed ({status})");
    Ok(())
}
