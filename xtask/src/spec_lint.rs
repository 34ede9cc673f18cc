//! `cargo xtask spec-lint`: the specs as other teams' tools see them. Two validators nobody
//! here wrote, pinned: openapi-spec-validator (PyPI) checks each spec against the OpenAPI
//! 3.0 schema; Redocly CLI (npm) runs its `recommended` rules with `xtask/redocly.yaml`, where
//! an example that contradicts its schema is an error. Both are installed once under cargo's
//! target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::spec::Spec;

const SPEC_VALIDATOR: &str = "openapi-spec-validator==0.9.0";
const REDOCLY: &str = "@redocly/cli@2.77.0";

pub fn spec_lint(root: &Path) -> anyhow::Result<()> {
    let work = crate::background::target_dir(root)?.join("spec-lint");
    let specs: Vec<PathBuf> = Spec::load_all(root)?.into_iter().map(|s| s.path).collect();
    let validator = python_tool(&work, SPEC_VALIDATOR, "openapi-spec-validator")?;
    let redocly = npm_tool(&work, REDOCLY, "redocly")?;
    let mut failed = Vec::new();
    for spec in &specs {
        let shown = spec.strip_prefix(root).unwrap_or(spec).display().to_string();
        let status = Command::new(&validator).arg(spec).status()?;
        if !status.success() {
            failed.push(format!("{shown} (openapi-spec-validator)"));
        }
    }
    let status = Command::new(&redocly)
        .args(["lint", "--format=stylish", "--config"])
        .arg(root.join("xtask/redocly.yaml"))
        .args(&specs)
        .status()?;
    if !status.success() {
        failed.push("Redocly CLI (errors above)".into());
    }
    if !failed.is_empty() {
        bail!("spec-lint: {}", failed.join(", "));
    }
    println!(
        "spec-lint: {} specs valid for openapi-spec-validator and Redocly (0 errors)",
        specs.len()
    );
    Ok(())
}

/// `bin` from the pinned PyPI `package`, in a venv made once.
fn python_tool(work: &Path, package: &str, bin: &str) -> anyhow::Result<PathBuf> {
    let venv = work.join("venv");
    let path = venv.join("bin").join(bin);
    if !path.exists() {
        println!("installing {package} from PyPI into {}", venv.display());
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "--disable-pip-version-check", package]))?;
    }
    Ok(path)
}

/// `bin` from the pinned npm `package`, installed once.
fn npm_tool(work: &Path, package: &str, bin: &str) -> anyhow::Result<PathBuf> {
    let prefix = work.join("node");
    let path = prefix.join("node_modules/.bin").join(bin);
    if !path.exists() {
        println!("installing {package} from npm into {}", prefix.display());
        std::fs::create_dir_all(&prefix)?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(&prefix)
            .arg(package))?;
    }
    Ok(path)
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("running {command:?}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed ({status})");
    Ok(())
}
