//! `specs/docs.lock` and the snapshots in `specs/docs/`: the accepted side of every diff,
//! committed beside the specs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::fetch::Validators;
use super::pages::{self, Page, Platform};

pub const LOCK: &str = "specs/docs.lock";
pub const SNAPSHOTS: &str = "specs/docs";

const HEADER: &str = "\
# Written by `cargo xtask docs-check --accept`; read by every docs-check run. One [[page]] per
# distinct `x-doc-url` of specs/*.yaml, one [[site]] per docs site with an llms.txt. `pending`:
# no live baseline yet (the first `--accept` on a machine that reaches the sites makes it).
# `[[page.divergence]]` (a JSON pointer and a reason) is curated by hand and kept by --accept:
# a doc change under that pointer is a known difference from our spec and stays quiet.
";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    #[serde(default)]
    pub site: Vec<SiteEntry>,
    #[serde(default)]
    pub page: Vec<PageEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pending,
    Accepted,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEntry {
    pub host: String,
    pub platform: String,
    pub state: State,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Of the normalised index (its sorted page list).
    pub index_sha256: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageEntry {
    pub url: String,
    pub provider: String,
    pub platform: String,
    /// The operationIds this page backs.
    pub operations: Vec<String>,
    pub state: State,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Of the whole normalised snapshot.
    pub content_sha256: Option<String>,
    pub contract_sha256: Option<String>,
    pub examples_sha256: Option<String>,
    pub prose_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub divergence: Vec<Divergence>,
}

/// A known difference between the doc and our spec, curated by hand.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Divergence {
    /// A JSON pointer into the page's operation (as in the report); changes at it or under it
    /// stay quiet.
    pub pointer: String,
    pub reason: String,
}

/// The hashes of a snapshot, as the lock keeps them.
pub struct Hashes {
    pub content: String,
    pub contract: String,
    pub examples: String,
    pub prose: String,
}

impl Lock {
    pub fn load(root: &Path) -> anyhow::Result<Lock> {
        let path = root.join(LOCK);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("{}: not a valid docs lock", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Lock {
                version: 1,
                ..Lock::default()
            }),
            Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&mut self, root: &Path) -> anyhow::Result<()> {
        self.version = 1;
        self.page.sort_by(|a, b| a.url.cmp(&b.url));
        self.site.sort_by(|a, b| a.host.cmp(&b.host));
        let body = toml::to_string(self).context("serialising the docs lock")?;
        let path = root.join(LOCK);
        std::fs::write(&path, format!("{HEADER}\n{body}")).with_context(|| format!("writing {}", path.display()))
    }

    pub fn page(&self, url: &str) -> Option<&PageEntry> {
        self.page.iter().find(|p| p.url == url)
    }

    pub fn site(&self, host: &str) -> Option<&SiteEntry> {
        self.site.iter().find(|s| s.host == host)
    }

    /// Makes the lock's page and site list match the specs' pages (of `providers`, or all):
    /// new pages and sites are added as `pending`, orphans removed, operation lists updated.
    /// Returns what it changed.
    pub fn sync(
        &mut self,
        pages: &[Page],
        sites: &[(String, Platform)],
        in_scope: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut changed = Vec::new();
        self.page.retain(|entry| {
            let keep = !in_scope(&entry.provider) || pages.iter().any(|p| p.url == entry.url);
            if !keep {
                changed.push(format!("removed {} (no spec names it)", entry.url));
            }
            keep
        });
        for page in pages {
            let operations: Vec<String> = page.operations.iter().map(|o| o.id.clone()).collect();
            match self.page.iter_mut().find(|e| e.url == page.url) {
                Some(entry) => {
                    if entry.operations != operations
                        || entry.provider != page.provider
                        || entry.platform != page.platform.name()
                    {
                        changed.push(format!("updated {}", page.url));
                        entry.operations = operations;
                        entry.provider.clone_from(&page.provider);
                        entry.platform = page.platform.name().to_owned();
                    }
                }
                None => {
                    changed.push(format!("added {} (pending)", page.url));
                    self.page.push(PageEntry::pending(page, operations));
                }
            }
        }
        for (host, platform) in sites {
            if self.site(host).is_none() {
                changed.push(format!("added site {host} (pending)"));
                self.site.push(SiteEntry {
                    host: host.clone(),
                    platform: platform.name().to_owned(),
                    state: State::Pending,
                    etag: None,
                    last_modified: None,
                    index_sha256: None,
                });
            }
        }
        changed
    }
}

impl PageEntry {
    fn pending(page: &Page, operations: Vec<String>) -> PageEntry {
        PageEntry {
            url: page.url.clone(),
            provider: page.provider.clone(),
            platform: page.platform.name().to_owned(),
            operations,
            state: State::Pending,
            etag: None,
            last_modified: None,
            content_sha256: None,
            contract_sha256: None,
            examples_sha256: None,
            prose_sha256: None,
            divergence: Vec::new(),
        }
    }

    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }

    pub fn accept(&mut self, hashes: Hashes, validators: Validators) {
        self.state = State::Accepted;
        self.etag = validators.etag;
        self.last_modified = validators.last_modified;
        self.content_sha256 = Some(hashes.content);
        self.contract_sha256 = Some(hashes.contract);
        self.examples_sha256 = Some(hashes.examples);
        self.prose_sha256 = Some(hashes.prose);
    }
}

/// Where a page's snapshot lives: `specs/docs/<host>/<path>.md`.
pub fn snapshot_path(root: &Path, url: &str) -> PathBuf {
    let path: String = pages::path(url)
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._/-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = if path.is_empty() { "index".to_owned() } else { path };
    root.join(SNAPSHOTS).join(pages::host(url)).join(format!("{path}.md"))
}

/// Where a site's normalised `llms.txt` lives.
pub fn index_path(root: &Path, host: &str) -> PathBuf {
    root.join(SNAPSHOTS).join(host).join("llms.txt")
}
