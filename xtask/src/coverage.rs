//! `cargo xtask coverage`: the ledger `specs/coverage.toml` lists every operation each
//! provider's documentation names, and either the spec operation that covers it or why there
//! is none. The command prints a table per provider and fails when the ledger and the specs
//! disagree (a specced operation the ledger omits, or a ledger entry naming no operation).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::spec::Spec;

#[derive(Deserialize)]
pub struct Ledger {
    #[serde(default)]
    pub provider: BTreeMap<String, Provider>,
}

#[derive(Deserialize)]
pub struct Provider {
    /// The documentation site's root.
    pub docs: String,
    /// What serves that site (`apidog`, `mintlify`): how `docs-check` fetches its pages.
    pub platform: Option<String>,
    #[serde(default)]
    pub operation: Vec<Entry>,
}

/// One operation as the documentation names it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The documentation's name for it.
    pub name: String,
    /// The spec's operationId that covers it.
    pub operation_id: Option<String>,
    /// Why it is not in the spec.
    missing: Option<String>,
    /// The evidence, when it is not the provider's documentation (an official SDK, a
    /// sister brand): listed under the table so a reader knows which operations rest on it.
    source: Option<String>,
}

impl Ledger {
    pub fn load(root: &Path) -> anyhow::Result<Ledger> {
        let path = root.join("specs/coverage.toml");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{}: not a valid ledger", path.display()))
    }
}

pub fn coverage(root: &Path) -> anyhow::Result<()> {
    let ledger = Ledger::load(root)?;
    let specs = Spec::load_all(root)?;
    let mut problems = Vec::new();
    let mut names: BTreeSet<&str> = ledger.provider.keys().map(String::as_str).collect();
    for spec in &specs {
        names.insert(&spec.name);
    }
    println!(
        "{:<14} {:>10} {:>8} {:>8}",
        "provider", "documented", "specced", "missing"
    );
    let mut gaps = Vec::new();
    let mut sourced = Vec::new();
    for name in names {
        let spec = specs.iter().find(|s| s.name == name);
        let Some(provider) = ledger.provider.get(name) else {
            problems.push(format!(
                "specs/{name}.yaml has no [provider.{name}] in specs/coverage.toml"
            ));
            continue;
        };
        let specced: BTreeSet<String> = spec
            .map(|s| s.operations().iter().map(|op| op.id().to_owned()).collect())
            .unwrap_or_default();
        let mut covered = BTreeSet::new();
        let mut missing = 0;
        for entry in &provider.operation {
            match (&entry.operation_id, &entry.missing) {
                (Some(id), None) if specced.contains(id) => {
                    covered.insert(id.clone());
                    if let Some(source) = &entry.source {
                        sourced.push(format!("  {name}: {id} — {source}"));
                    }
                }
                (Some(id), None) => problems.push(format!(
                    "{name}: ledger entry {:?} names operation {id}, which no spec has",
                    entry.name
                )),
                (None, Some(reason)) if !reason.trim().is_empty() => {
                    missing += 1;
                    gaps.push(format!("  {name}: {} — {reason}", entry.name));
                }
                _ => problems.push(format!(
                    "{name}: ledger entry {:?} needs exactly one of `operation_id` and a non-empty `missing` reason",
                    entry.name
                )),
            }
        }
        for id in specced.difference(&covered) {
            problems.push(format!("{name}: spec operation {id} is not in specs/coverage.toml"));
        }
        println!(
            "{name:<14} {:>10} {:>8} {missing:>8}   {}",
            provider.operation.len(),
            provider.operation.len() - missing,
            provider.docs
        );
    }
    if !sourced.is_empty() {
        println!("\nSpecced from evidence other than the documentation:");
        for line in sourced {
            println!("{line}");
        }
    }
    if !gaps.is_empty() {
        println!("\nNot in the specs:");
        for gap in gaps {
            println!("{gap}");
        }
    }
    if !problems.is_empty() {
        bail!(
            "specs/coverage.toml disagrees with specs/:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}
