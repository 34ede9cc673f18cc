//! `cargo xtask docs-check`: notices when a provider's documentation changes. Every
//! `x-doc-url` of the specs is fetched in its machine-readable form (see [`fetch`]),
//! normalised ([`normalise`]), and compared three ways ([`diff`]): the accepted snapshot in
//! `specs/docs/` ↔ what was fetched ↔ our operation. `--offline` checks only that the lock
//! and snapshots agree with the specs (CI); `--accept` adopts what was fetched.
//!
//! Exit codes: 0 no drift, 1 drift, 2 could not check (a failed fetch, a pending page: never
//! "unchanged").

mod decode;
mod diff;
mod fetch;
mod lock;
mod normalise;
mod pages;
mod report;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use crate::coverage::Ledger;
use crate::spec::Spec;
use diff::{Change, Delta, Kind, Ours, OursSide};
use fetch::{Fetched, Fetcher, Outcome, Politeness, Validators};
use lock::{Hashes, Lock, State};
use normalise::Doc;
use pages::{Page, Platform};
use report::Summary;

pub const USAGE: &str = "usage: cargo xtask docs-check [--offline] [--accept [PAGE...]] [--provider NAME]... \
[--origin HOST=URL]... [--format markdown|json] [--spacing-ms N] [--timeout-s N] [--no-decode]";

/// How a run ended, as its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean = 0,
    Drift = 1,
    Unchecked = 2,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub offline: bool,
    /// `--accept` alone: every page; with pages: those (a URL, or its last path segment).
    pub accept: Option<Vec<String>>,
    pub providers: Vec<String>,
    pub json: bool,
    pub politeness: Politeness,
    /// Where report.md and report.json go; `<target dir>/docs-check` when unset.
    pub report_dir: Option<PathBuf>,
    /// Decode new doc examples with our generated types (a `cargo run` of the integration
    /// tests' decoder); `--no-decode` skips it.
    pub decode: bool,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Options, String> {
        let mut opts = Options {
            decode: true,
            ..Options::default()
        };
        let mut args = args.iter().copied().peekable();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg {
                "--offline" => opts.offline = true,
                "--no-decode" => opts.decode = false,
                "--accept" => {
                    let mut list = Vec::new();
                    while let Some(page) = args.next_if(|a| !a.starts_with("--")) {
                        list.push(page.to_owned());
                    }
                    opts.accept = Some(list);
                }
                "--provider" => opts.providers.push(value(arg)?.to_owned()),
                "--origin" => {
                    let spec = value(arg)?;
                    let (host, url) = spec
                        .split_once('=')
                        .ok_or_else(|| format!("--origin {spec}: expected HOST=URL"))?;
                    opts.politeness.origins.insert(host.to_owned(), url.to_owned());
                }
                "--format" => match value(arg)? {
                    "json" => opts.json = true,
                    "markdown" | "md" => opts.json = false,
                    other => return Err(format!("--format {other}: expected markdown or json")),
                },
                "--spacing-ms" => opts.politeness.spacing = Duration::from_millis(number(arg, value(arg)?)?),
                "--timeout-s" => opts.politeness.timeout = Duration::from_secs(number(arg, value(arg)?)?),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(opts)
    }
}

/// `cargo xtask docs-check …`, with its exit code.
pub fn main(root: &Path, args: &[&str]) -> ExitCode {
    let opts = match Options::parse(args) {
        Ok(opts) => opts,
        Err(err) => {
            eprintln!("error: {err}\n{USAGE}");
            return ExitCode::from(Verdict::Unchecked as u8);
        }
    };
    match run(root, &opts, &mut std::io::stdout().lock()) {
        Ok(verdict) => ExitCode::from(verdict as u8),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(Verdict::Unchecked as u8)
        }
    }
}

pub fn run(root: &Path, opts: &Options, out: &mut dyn Write) -> anyhow::Result<Verdict> {
    let specs = Spec::load_all(root)?;
    let ledger = Ledger::load(root)?;
    for name in &opts.providers {
        anyhow::ensure!(
            specs.iter().any(|s| &s.name == name),
            "--provider {name}: there is no specs/{name}.yaml"
        );
    }
    let in_scope = |provider: &str| opts.providers.is_empty() || opts.providers.iter().any(|p| p == provider);
    let all_pages = pages::collect(&specs, &ledger);
    let pages: Vec<Page> = all_pages.iter().filter(|p| in_scope(&p.provider)).cloned().collect();
    let sites = sites(&pages);
    let mut lock = Lock::load(root)?;
    if opts.offline {
        return offline(root, opts, &mut lock, &pages, &sites, &in_scope, out);
    }
    let ctx = Run {
        root,
        opts,
        specs: &specs,
        ledger: &ledger,
        all_pages: &all_pages,
    };
    // `--accept PAGE…` fetches those pages (and indexes) only.
    let named = opts.accept.as_ref().is_some_and(|list| !list.is_empty());
    let fetch_pages: Vec<&Page> = pages.iter().filter(|p| !named || ctx.selected(&p.url)).collect();
    let fetch_sites: Vec<&(String, Platform)> = sites
        .iter()
        .filter(|(host, _)| !named || ctx.selected_index(host))
        .collect();
    if named && fetch_pages.is_empty() && fetch_sites.is_empty() {
        let list = opts.accept.as_deref().unwrap_or_default().join(" ");
        anyhow::bail!("--accept {list}: no x-doc-url (or site index) in scope matches");
    }
    let mut summary = Summary::default();
    for page in &fetch_pages {
        *summary.pages.entry(page.platform.name()).or_default() += 1;
    }
    summary.sites = fetch_sites.len();
    let mut fetcher = Fetcher::new(opts.politeness.clone())?;
    let mut changes = Vec::new();
    for (i, page) in interleaved(&fetch_pages).into_iter().enumerate() {
        eprintln!("docs-check: [{}/{}] {}", i + 1, fetch_pages.len(), page.url);
        let validators = lock
            .page(&page.url)
            .filter(|e| e.state == State::Accepted)
            .map(|e| e.validators())
            .unwrap_or_default();
        let fetched = fetcher.page(page, &validators);
        ctx.page(page, fetched, &mut lock, &mut summary, &mut changes)?;
    }
    for (host, platform) in fetch_sites {
        let validators = lock
            .site(host)
            .filter(|e| e.state == State::Accepted)
            .map(lock_site_validators)
            .unwrap_or_default();
        let fetched = fetcher.index(host, &validators);
        ctx.index(host, *platform, fetched, &mut lock, &mut summary, &mut changes)?;
    }
    summary.requests = fetcher.requests;
    if opts.decode && !changes.is_empty() {
        decode::decode(&specs, &pages, &mut changes)?;
    }
    if opts.accept.is_some() {
        lock.sync(&pages, &sites, in_scope);
        lock.save(root)?;
    }
    changes.sort_by(|a, b| {
        (&a.provider, &a.operation, &a.page, a.kind, &a.pointer).cmp(&(
            &b.provider,
            &b.operation,
            &b.page,
            b.kind,
            &b.pointer,
        ))
    });
    let markdown = report::markdown(&changes, &summary, &pages);
    let json = report::json(&changes);
    let dir = match &opts.report_dir {
        Some(dir) => dir.clone(),
        None => crate::background::target_dir(root)?.join("docs-check"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("report.md"), &markdown)?;
    std::fs::write(dir.join("report.json"), &json)?;
    out.write_all(if opts.json {
        json.as_bytes()
    } else {
        markdown.as_bytes()
    })?;
    eprintln!("docs-check: report in {}", dir.join("report.md").display());
    Ok(if !summary.unchecked.is_empty() {
        Verdict::Unchecked
    } else if !changes.is_empty() {
        Verdict::Drift
    } else {
        Verdict::Clean
    })
}

/// What every page's comparison needs.
struct Run<'a> {
    root: &'a Path,
    opts: &'a Options,
    specs: &'a [Spec],
    ledger: &'a Ledger,
    all_pages: &'a [Page],
}

impl Run<'_> {
    fn selected(&self, url: &str) -> bool {
        self.opts.accept.as_ref().is_some_and(|list| {
            list.is_empty()
                || list
                    .iter()
                    .any(|p| p == url || url.rsplit('/').next() == Some(p.trim_matches('/')))
        })
    }

    /// Whether `--accept` names a site's index (its `llms.txt` URL or its host), or all.
    fn selected_index(&self, host: &str) -> bool {
        self.selected(&format!("https://{host}/llms.txt"))
            || self
                .opts
                .accept
                .as_ref()
                .is_some_and(|list| list.iter().any(|p| p == host))
    }

    /// An error's text with each `--origin` base written as its docs host, so that reports
    /// name the docs, not a mirror.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (host, base) in &self.opts.politeness.origins {
            text = text.replace(base.trim_end_matches('/'), &format!("https://{host}"));
        }
        text
    }

    fn page(
        &self,
        page: &Page,
        fetched: Result<Fetched, String>,
        lock: &mut Lock,
        summary: &mut Summary,
        changes: &mut Vec<Change>,
    ) -> anyhow::Result<()> {
        let url = &page.url;
        let fetched = match fetched {
            Ok(f) => f,
            Err(err) => {
                summary.unchecked.push((url.clone(), self.scrub(&err)));
                return Ok(());
            }
        };
        let snapshot_path = lock::snapshot_path(self.root, url);
        let entry = lock.page(url).filter(|e| e.state == State::Accepted);
        let baseline = entry.and_then(|_| std::fs::read_to_string(&snapshot_path).ok());
        let gone = match &fetched.outcome {
            Outcome::Gone(code) => Some(*code),
            _ => None,
        };
        let fresh = match fetched.outcome {
            Outcome::Body {
                text,
                source,
                validators,
            } => Some((normalise::normalise(&text, source), validators)),
            Outcome::NotModified => match &baseline {
                Some(b) => Some((b.clone(), entry.map(|e| e.validators()).unwrap_or_default())),
                None => {
                    summary
                        .unchecked
                        .push((url.clone(), "304 Not Modified, but no snapshot is stored".into()));
                    return Ok(());
                }
            },
            Outcome::Gone(_) => None,
        };
        if self.selected(url) {
            match (fresh, &fetched.moved_to) {
                (None, _) => summary.unchecked.push((
                    url.clone(),
                    format!(
                        "gone ({}): replace or remove its x-doc-url in the spec before accepting",
                        gone.unwrap_or_default()
                    ),
                )),
                (Some(_), Some(to)) => summary.unchecked.push((
                    url.clone(),
                    format!("moved to {to}: point x-doc-url there, then accept"),
                )),
                (Some((snapshot, validators)), None) => {
                    write(&snapshot_path, &snapshot)?;
                    if lock.page(url).is_none() {
                        lock.sync(std::slice::from_ref(page), &[], |_| false);
                    }
                    let entry = lock.page.iter_mut().find(|e| &e.url == url).expect("synced above");
                    entry.accept(hashes(&snapshot), validators);
                    summary.accepted.push(url.clone());
                }
            }
            return Ok(());
        }
        let Some(baseline) = baseline else {
            summary.unchecked.push((
                url.clone(),
                "pending: no accepted baseline yet, so it cannot be called unchanged (`--accept` it after reviewing)"
                    .into(),
            ));
            return Ok(());
        };
        let old = normalise::parse(&baseline);
        let new = fresh.as_ref().map(|(s, _)| normalise::parse(s));
        let divergences = lock.page(url).map(|e| e.divergence.clone()).unwrap_or_default();
        for side in self.sides(page) {
            let ours = side.view();
            let mut deltas = Vec::new();
            if let Some(to) = &fetched.moved_to {
                deltas.push(Delta {
                    kind: Kind::Prose,
                    pointer: String::new(),
                    change: format!("page moved to {to}"),
                    ours: Ours::Contradicts,
                    example: None,
                });
            }
            match &new {
                None => deltas.push(Delta {
                    kind: if page.operations.is_empty() {
                        Kind::Prose
                    } else {
                        Kind::ContractBreaking
                    },
                    pointer: String::new(),
                    change: format!("page gone ({})", gone.unwrap_or_default()),
                    ours: Ours::Contradicts,
                    example: None,
                }),
                Some(new) => deltas.extend(diff::compare(&old, new, &ours)),
            }
            for delta in deltas {
                if divergences.iter().any(|d| diff::under(&delta.pointer, &d.pointer)) {
                    summary.quiet += 1;
                    continue;
                }
                changes.push(change(&ours, url, delta));
            }
        }
        Ok(())
    }

    /// Our side of a page: one per operation it backs, or the spec for a page with none.
    fn sides(&self, page: &Page) -> Vec<Side> {
        let spec = self
            .specs
            .iter()
            .find(|s| s.name == page.provider)
            .expect("pages come from the specs");
        let document = serde_json::to_value(&spec.doc).unwrap_or_default();
        if page.operations.is_empty() {
            return vec![Side {
                provider: page.provider.clone(),
                operation: None,
                location: spec.display_path(),
                contract: None,
                text: std::fs::read_to_string(&spec.path).unwrap_or_default(),
            }];
        }
        page.operations
            .iter()
            .map(|op| {
                let node = &spec.doc["paths"][op.path.as_str()][op.method.as_str()];
                let json = &document["paths"][op.path.as_str()][op.method.as_str()];
                Side {
                    provider: page.provider.clone(),
                    operation: Some(op.id.clone()),
                    location: op.location.clone(),
                    contract: Some(normalise::contract(&document, &op.method, &op.path, json)),
                    text: serde_yaml::to_string(node).unwrap_or_default(),
                }
            })
            .collect()
    }

    fn index(
        &self,
        host: &str,
        platform: Platform,
        fetched: Result<Fetched, String>,
        lock: &mut Lock,
        summary: &mut Summary,
        changes: &mut Vec<Change>,
    ) -> anyhow::Result<()> {
        let url = format!("https://{host}/llms.txt");
        let path = lock::index_path(self.root, host);
        let accepted = lock.site(host).is_some_and(|s| s.state == State::Accepted);
        let baseline = accepted.then(|| std::fs::read_to_string(&path).ok()).flatten();
        let fresh = match fetched {
            Err(err) => {
                summary.unchecked.push((url, self.scrub(&err)));
                return Ok(());
            }
            Ok(Fetched {
                outcome: Outcome::Body { text, validators, .. },
                ..
            }) => (normalise_index(&text), validators),
            Ok(Fetched {
                outcome: Outcome::NotModified,
                ..
            }) if baseline.is_some() => (
                baseline.clone().unwrap_or_default(),
                lock.site(host).map(lock_site_validators).unwrap_or_default(),
            ),
            Ok(Fetched { outcome, .. }) => {
                summary.unchecked.push((url, format!("no index: {outcome:?}")));
                return Ok(());
            }
        };
        if self.selected_index(host) {
            write(&path, &fresh.0)?;
            lock.sync(&[], &[(host.to_owned(), platform)], |_| false);
            let site = lock.site.iter_mut().find(|s| s.host == host).expect("synced above");
            site.state = State::Accepted;
            site.etag = fresh.1.etag;
            site.last_modified = fresh.1.last_modified;
            site.index_sha256 = Some(normalise::sha256(&fresh.0));
            summary.accepted.push(url);
            return Ok(());
        }
        let Some(baseline) = baseline else {
            summary.unchecked.push((
                url,
                "pending: no accepted index yet (`--accept` it after reviewing)".into(),
            ));
            return Ok(());
        };
        let provider = self
            .all_pages
            .iter()
            .find(|p| pages::host(&p.url) == host)
            .map(|p| p.provider.clone())
            .unwrap_or_default();
        let old = index_entries(&baseline);
        let new = index_entries(&fresh.0);
        for (page, title) in &new {
            if old.contains_key(page) {
                continue;
            }
            let known = self.all_pages.iter().any(|p| &p.url == page) || self.in_ledger(&provider, title);
            let api = is_api_page(page);
            push_index_change(
                changes,
                &provider,
                page,
                if api { Kind::ContractAdditive } else { Kind::Prose },
                format!(
                    "page added to llms.txt: \"{title}\"{}",
                    if known {
                        ""
                    } else {
                        "; no specs/coverage.toml row names it"
                    }
                ),
                if known { Ours::AlreadyThere } else { Ours::Missing },
            );
        }
        for (page, title) in &old {
            if new.contains_key(page) {
                continue;
            }
            let backing = self.all_pages.iter().find(|p| &p.url == page);
            let kind = match backing {
                Some(p) if !p.operations.is_empty() => Kind::ContractBreaking,
                _ => Kind::Prose,
            };
            let ours = if backing.is_some() || self.in_ledger(&provider, title) {
                Ours::Contradicts
            } else {
                Ours::AlreadyThere
            };
            push_index_change(
                changes,
                &provider,
                page,
                kind,
                format!("page removed from llms.txt: \"{title}\""),
                ours,
            );
        }
        Ok(())
    }

    fn in_ledger(&self, provider: &str, title: &str) -> bool {
        self.ledger.provider.get(provider).is_some_and(|p| {
            p.operation
                .iter()
                .any(|e| e.name.trim().eq_ignore_ascii_case(title.trim()))
        })
    }
}

/// Our side of one operation, owned.
struct Side {
    provider: String,
    operation: Option<String>,
    location: String,
    /// Our operation's contract form, examples and prose (see [`normalise::contract`]).
    contract: Option<Doc>,
    text: String,
}

impl Side {
    fn view(&self) -> OursSide<'_> {
        OursSide {
            provider: &self.provider,
            operation: self.operation.as_deref(),
            location: &self.location,
            contract: self.contract.as_ref().and_then(|c| c.contract.as_ref()),
            examples: self.contract.as_ref().map(|c| &c.examples),
            text: &self.text,
        }
    }
}

fn change(ours: &OursSide, page: &str, delta: Delta) -> Change {
    let mut change = Change {
        provider: ours.provider.to_owned(),
        operation: ours.operation.map(str::to_owned),
        page: page.to_owned(),
        kind: delta.kind,
        pointer: delta.pointer,
        change: delta.change,
        ours: delta.ours,
        location: ours.location.to_owned(),
        fingerprint: String::new(),
        decodes: None,
        example: delta.example,
    };
    change.fingerprint = diff::fingerprint(&change);
    change
}

fn push_index_change(changes: &mut Vec<Change>, provider: &str, page: &str, kind: Kind, text: String, ours: Ours) {
    let mut change = Change {
        provider: provider.to_owned(),
        operation: None,
        page: page.to_owned(),
        kind,
        pointer: "/llms.txt".into(),
        change: text,
        ours,
        location: "specs/coverage.toml".into(),
        fingerprint: String::new(),
        decodes: None,
        example: None,
    };
    change.fingerprint = diff::fingerprint(&change);
    changes.push(change);
}

/// `--offline`: the lock and snapshots agree with the specs. With `--accept`, makes the lock
/// agree instead (new pages pending, orphans dropped), fetching nothing.
fn offline(
    root: &Path,
    opts: &Options,
    lock: &mut Lock,
    pages: &[Page],
    sites: &[(String, Platform)],
    in_scope: &dyn Fn(&str) -> bool,
    out: &mut dyn Write,
) -> anyhow::Result<Verdict> {
    let mut by_platform: BTreeMap<&str, usize> = BTreeMap::new();
    for page in pages {
        *by_platform.entry(page.platform.name()).or_default() += 1;
    }
    let counts: Vec<String> = by_platform.iter().map(|(p, n)| format!("{n} {p}")).collect();
    let orphan_sites: Vec<String> = lock
        .site
        .iter()
        .filter(|e| opts.providers.is_empty() && !sites.iter().any(|(host, _)| host == &e.host))
        .map(|e| e.host.clone())
        .collect();
    if opts.accept.is_some() {
        lock.site.retain(|e| !orphan_sites.contains(&e.host));
        let mut changed: Vec<String> = orphan_sites
            .iter()
            .map(|h| format!("removed site {h} (no spec names a page on it)"))
            .collect();
        changed.extend(lock.sync(pages, sites, in_scope));
        lock.save(root)?;
        for line in &changed {
            writeln!(out, "specs/docs.lock: {line}")?;
        }
        writeln!(out, "specs/docs.lock: {} changes, nothing fetched", changed.len())?;
        return Ok(Verdict::Clean);
    }
    let mut problems = Vec::new();
    let mut copy = Lock::load(root)?;
    for line in copy.sync(pages, sites, in_scope) {
        problems.push(format!(
            "specs/docs.lock would change: {line} (run `cargo xtask docs-check --offline --accept`)"
        ));
    }
    for host in &orphan_sites {
        problems.push(format!(
            "specs/docs.lock: site {host} has no page in the specs (run `cargo xtask docs-check --offline --accept`)"
        ));
    }
    let mut expected: BTreeSet<PathBuf> = BTreeSet::new();
    for entry in lock
        .page
        .iter()
        .filter(|e| e.state == State::Accepted && in_scope(&e.provider))
    {
        let path = lock::snapshot_path(root, &entry.url);
        expected.insert(path.clone());
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let h = hashes(&text);
                let stored = [
                    &entry.content_sha256,
                    &entry.contract_sha256,
                    &entry.examples_sha256,
                    &entry.prose_sha256,
                ];
                let actual = [h.content, h.contract, h.examples, h.prose];
                if stored
                    .iter()
                    .zip(&actual)
                    .any(|(s, a)| s.as_deref() != Some(a.as_str()))
                {
                    problems.push(format!(
                        "{}: its hashes in specs/docs.lock do not match it",
                        display(root, &path)
                    ));
                }
                if normalise::normalise(&text, normalise::Source::Markdown) != text {
                    problems.push(format!(
                        "{}: not in normal form (snapshots are written by --accept)",
                        display(root, &path)
                    ));
                }
            }
            Err(_) => problems.push(format!(
                "{}: accepted in specs/docs.lock but missing",
                display(root, &path)
            )),
        }
    }
    for site in lock.site.iter().filter(|s| s.state == State::Accepted) {
        let path = lock::index_path(root, &site.host);
        match std::fs::read_to_string(&path) {
            Ok(text) if site.index_sha256.as_deref() == Some(normalise::sha256(&text).as_str()) => {}
            Ok(_) => problems.push(format!(
                "{}: its hash in specs/docs.lock does not match it",
                display(root, &path)
            )),
            Err(_) => problems.push(format!(
                "{}: accepted in specs/docs.lock but missing",
                display(root, &path)
            )),
        }
        expected.insert(path);
    }
    if opts.providers.is_empty() {
        for file in files(&root.join(lock::SNAPSHOTS)) {
            if !expected.contains(&file) {
                problems.push(format!(
                    "{}: an orphan snapshot (no accepted page or site in specs/docs.lock)",
                    display(root, &file)
                ));
            }
        }
    }
    let pending_pages = lock
        .page
        .iter()
        .filter(|e| e.state == State::Pending && in_scope(&e.provider))
        .count();
    let pending_sites = lock.site.iter().filter(|s| s.state == State::Pending).count();
    writeln!(
        out,
        "docs-check --offline: {} pages ({}), {} site indexes.",
        pages.len(),
        counts.join(", "),
        sites.len()
    )?;
    if pending_pages + pending_sites > 0 {
        writeln!(
            out,
            "Pending (no live baseline yet): {pending_pages} pages and {pending_sites} site indexes. The first \
             `cargo xtask docs-check --accept` on a machine that reaches the sites makes it; until then a live run \
             reports them as not checked (exit 2)."
        )?;
    }
    if problems.is_empty() {
        writeln!(out, "specs/docs.lock and specs/docs/ agree with the specs.")?;
        return Ok(Verdict::Clean);
    }
    for problem in &problems {
        writeln!(out, "problem: {problem}")?;
    }
    Ok(Verdict::Drift)
}

/// The docs sites with an `llms.txt`, and their platform.
fn sites(pages: &[Page]) -> Vec<(String, Platform)> {
    let set: BTreeMap<String, Platform> = pages
        .iter()
        .filter(|p| p.platform.has_twins())
        .map(|p| (pages::host(&p.url).to_owned(), p.platform))
        .collect();
    set.into_iter().collect()
}

/// The pages in round-robin order of their hosts, so that one host's spacing is spent on
/// the others' requests.
fn interleaved<'a>(pages: &[&'a Page]) -> Vec<&'a Page> {
    let mut by_host: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for &page in pages {
        by_host.entry(pages::host(&page.url)).or_default().push(page);
    }
    let mut out = Vec::with_capacity(pages.len());
    for round in 0.. {
        let before = out.len();
        out.extend(by_host.values().filter_map(|list| list.get(round).copied()));
        if out.len() == before {
            break;
        }
    }
    out
}

/// The lock's form of an `llms.txt`: one `<page URL>\t<title>` line per page, sorted, the
/// `.md` suffix dropped (so that it names the pages, as our `x-doc-url`s do).
fn normalise_index(text: &str) -> String {
    let link = regex::Regex::new(r"\[([^\]]*)\]\((https?://[^)\s]+)\)").expect("a valid pattern");
    let lines: BTreeSet<String> = link
        .captures_iter(text)
        .map(|c| {
            let url = c[2].strip_suffix(".md").unwrap_or(&c[2]);
            format!("{url}\t{}", c[1].trim())
        })
        .collect();
    lines.into_iter().map(|l| l + "\n").collect()
}

fn index_entries(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(u, t)| (u.to_owned(), t.to_owned()))
        .collect()
}

/// An endpoint page (Apidog's `…e0`, Mintlify's `api-reference/`) rather than a guide.
fn is_api_page(url: &str) -> bool {
    url.ends_with("e0") || url.contains("/api-reference/")
}

fn hashes(snapshot: &str) -> Hashes {
    let Doc {
        contract,
        examples,
        prose,
    } = normalise::parse(snapshot);
    let json = |v: Value| normalise::sha256(&normalise::canonical(&v));
    Hashes {
        content: normalise::sha256(snapshot),
        contract: json(contract.unwrap_or(Value::Null)),
        examples: json(serde_json::to_value(examples).unwrap_or_default()),
        prose: json(serde_json::to_value(prose).unwrap_or_default()),
    }
}

fn lock_site_validators(site: &lock::SiteEntry) -> Validators {
    Validators {
        etag: site.etag.clone(),
        last_modified: site.last_modified.clone(),
    }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

fn number(flag: &str, value: &str) -> Result<u64, String> {
    value.parse().map_err(|_| format!("{flag} {value}: not a whole number"))
}
