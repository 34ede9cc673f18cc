//! The report: Markdown for people (stdout and `target/docs-check/report.md`), JSON for
//! schedulers (`--format json`, one object per change).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::diff::Change;
use super::pages::Page;

/// What a run found, beyond its changes.
#[derive(Default)]
pub struct Summary {
    /// Pages checked, by platform name.
    pub pages: BTreeMap<&'static str, usize>,
    pub sites: usize,
    pub requests: usize,
    /// Pages (or indexes) that could not be checked, with why.
    pub unchecked: Vec<(String, String)>,
    /// Changes under a curated divergence.
    pub quiet: usize,
    /// What `--accept` wrote.
    pub accepted: Vec<String>,
}

pub fn markdown(changes: &[Change], summary: &Summary, pages: &[Page]) -> String {
    let mut out = String::from("# docs-check\n\n");
    let platforms: Vec<String> = summary.pages.iter().map(|(p, n)| format!("{n} {p}")).collect();
    let _ = writeln!(
        out,
        "{} pages ({}), {} site indexes, {} requests.",
        summary.pages.values().sum::<usize>(),
        platforms.join(", "),
        summary.sites,
        summary.requests
    );
    let operations: std::collections::BTreeSet<_> = changes.iter().map(|c| (&c.provider, &c.operation)).collect();
    let _ = writeln!(
        out,
        "{} changes on {} operations or pages; {} could not be checked; {} quiet (accepted divergences).",
        changes.len(),
        operations.len(),
        summary.unchecked.len(),
        summary.quiet
    );
    let mut groups: BTreeMap<(&str, Option<&str>, &str), Vec<&Change>> = BTreeMap::new();
    for change in changes {
        groups
            .entry((&change.provider, change.operation.as_deref(), &change.location))
            .or_default()
            .push(change);
    }
    for ((provider, operation, location), group) in groups {
        let title = match operation {
            Some(id) => {
                let op = pages
                    .iter()
                    .flat_map(|p| &p.operations)
                    .find(|o| o.id == id && o.location == location);
                let route = op
                    .map(|o| format!("  {} {}", o.method.to_uppercase(), o.path))
                    .unwrap_or_default();
                format!("{provider} · {id}{route}  ({location})")
            }
            None => format!("{provider} · (no operation)  ({location})"),
        };
        let _ = writeln!(out, "\n## {title}\n");
        let mut page = "";
        for change in group {
            if change.page != page {
                page = &change.page;
                let _ = writeln!(
                    out,
                    "page: {page}\n\n| kind | pointer | change | ours | decodes | fingerprint |\n|---|---|---|---|---|---|"
                );
            }
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                change.kind.name(),
                change.pointer,
                change.change.replace('|', "\\|"),
                change.ours.name(),
                change.decodes.as_deref().unwrap_or(""),
                change.fingerprint
            );
        }
    }
    if !summary.unchecked.is_empty() {
        out.push_str("\n## Could not check (never counted as unchanged)\n\n");
        for (page, why) in &summary.unchecked {
            let _ = writeln!(out, "- {page}: {why}");
        }
    }
    if !summary.accepted.is_empty() {
        out.push_str("\n## Accepted into specs/docs.lock\n\n");
        for page in &summary.accepted {
            let _ = writeln!(out, "- {page}");
        }
    }
    if !changes.is_empty() {
        out.push_str(
            "\nnext: edit specs/<provider>.yaml, `cargo xtask regen`, `cargo insta review`, then \
             `cargo xtask docs-check --accept <page>`\n",
        );
    }
    out
}

pub fn json(changes: &[Change]) -> String {
    serde_json::to_string_pretty(changes).unwrap_or_else(|_| "[]".into())
}
