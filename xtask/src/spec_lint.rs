//! `cargo xtask spec-lint`: the specs as other teams' tools see them. Two validators nobody
//! here wrote, pinned: openapi-spec-validator (PyPI) checks each spec against the OpenAPI
//! 3.0 schema; Redocly CLI (npm) runs its `recommended` rules with `xtask/redocly.yaml`, where
//! an example that contradicts its schema is an error. Both are installed once under cargo's
//! target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

use crate::spec::Spec;
use crate::tools;

const SPEC_VALIDATOR: &str = "openapi-spec-validator==0.9.0";
const REDOCLY: &str = "@redocly/cli@2.77.0";

pub fn spec_lint(root: &Path) -> anyhow::Result<()> {
    let work = crate::background::target_dir(root)?.join("spec-lint");
    let specs: Vec<PathBuf> = Spec::load_all(root)?.into_iter().map(|s| s.path).collect();
    let validator = tools::venv(&work.join("venv"), &[SPEC_VALIDATOR])?.join("bin/openapi-spec-validator");
    let redocly = tools::npm(&work.join("node"), &[REDOCLY])?.join(".bin/redocly");
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
