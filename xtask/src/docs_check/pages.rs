//! The pages the specs name: every `x-doc-url` and `x-doc-urls` entry, with the operations it
//! backs, and what serves it.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::coverage::Ledger;
use crate::spec::{METHODS, Spec};

/// One documentation page and what in our specs rests on it.
#[derive(Clone, Debug)]
pub struct Page {
    pub url: String,
    pub provider: String,
    pub platform: Platform,
    /// The operations naming this page, in spec order; empty for a page only the spec as a
    /// whole (or a webhook, a schema) names.
    pub operations: Vec<OpRef>,
}

/// An operation of ours, and where it is written.
#[derive(Clone, Debug)]
pub struct OpRef {
    pub id: String,
    pub method: String,
    pub path: String,
    /// `specs/airalo.yaml:412`: the line of its `operationId`.
    pub location: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Platform {
    /// Serves `<page>.md` (an OpenAPI excerpt for an endpoint page) and `/llms.txt`.
    Apidog,
    /// The same surfaces as Apidog; the excerpt, when a page has one, is under `## OpenAPI`.
    Mintlify,
    /// A file in a GitHub repository, fetched raw.
    Github,
    /// An HTML page, turned into text.
    Plain,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Apidog => "apidog",
            Platform::Mintlify => "mintlify",
            Platform::Github => "github",
            Platform::Plain => "plain",
        }
    }

    /// Whether the site publishes Markdown twins and an `llms.txt` index.
    pub fn has_twins(self) -> bool {
        matches!(self, Platform::Apidog | Platform::Mintlify)
    }
}

/// Every distinct page the specs name, sorted by URL. A page named by two providers' specs
/// (none today) belongs to the first.
pub fn collect(specs: &[Spec], ledger: &Ledger) -> Vec<Page> {
    let mut pages: BTreeMap<String, Page> = BTreeMap::new();
    for spec in specs {
        let text = std::fs::read_to_string(&spec.path).unwrap_or_default();
        let mut found = Vec::new();
        walk(&spec.doc, None, &mut found);
        for (url, op) in found {
            let page = pages.entry(url.clone()).or_insert_with(|| Page {
                platform: platform(&url, &spec.name, ledger),
                url,
                provider: spec.name.clone(),
                operations: Vec::new(),
            });
            let Some((path, method, node)) = op else { continue };
            let Some(id) = node["operationId"].as_str() else {
                continue;
            };
            if page.provider == spec.name && !page.operations.iter().any(|o| o.id == id) {
                page.operations.push(OpRef {
                    id: id.to_owned(),
                    method: method.to_owned(),
                    path: path.to_owned(),
                    location: format!("{}:{}", spec.display_path(), line_of(&text, id)),
                });
            }
        }
    }
    pages.into_values().collect()
}

/// The host of an `https://` URL.
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// The path (with query) of a URL, `/` when it has none.
pub fn path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

type Found<'a> = Vec<(String, Option<(&'a str, &'a str, &'a Value)>)>;

fn walk<'a>(node: &'a Value, op: Option<(&'a str, &'a str, &'a Value)>, found: &mut Found<'a>) {
    let Value::Mapping(map) = node else {
        if let Value::Sequence(items) = node {
            for item in items {
                walk(item, op, found);
            }
        }
        return;
    };
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        match (key, value) {
            ("x-doc-url", Value::String(url)) => found.push((url.clone(), op)),
            ("x-doc-urls", Value::Sequence(urls)) => {
                found.extend(urls.iter().filter_map(Value::as_str).map(|u| (u.to_owned(), op)));
            }
            ("paths", Value::Mapping(paths)) if op.is_none() => {
                for (path, item) in paths {
                    let path = path.as_str().unwrap_or_default();
                    for (method, node) in item.as_mapping().into_iter().flatten() {
                        let method = method.as_str().unwrap_or_default();
                        let inner = METHODS.contains(&method).then_some((path, method, node));
                        walk(node, inner.or(op), found);
                    }
                }
            }
            _ => walk(value, op, found),
        }
    }
}

fn platform(url: &str, provider: &str, ledger: &Ledger) -> Platform {
    let host = host(url);
    if host == "github.com" {
        return Platform::Github;
    }
    let declared = ledger
        .provider
        .get(provider)
        .filter(|p| self::host(&p.docs) == host)
        .and_then(|p| p.platform.as_deref());
    match declared {
        Some("mintlify") => Platform::Mintlify,
        Some("apidog") => Platform::Apidog,
        // Apidog's page ids (`…-11883036e0`, `…/36049219e0`) name the platform on any host.
        _ if is_apidog_slug(path(url)) => Platform::Apidog,
        _ => Platform::Plain,
    }
}

fn is_apidog_slug(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    let id = last.rsplit('-').next().unwrap_or_default();
    id.len() > 2 && (id.ends_with("e0") || id.ends_with("m0")) && id[..id.len() - 2].bytes().all(|b| b.is_ascii_digit())
}

fn line_of(text: &str, operation_id: &str) -> usize {
    let needle = format!("operationId: {operation_id}");
    text.lines().position(|l| l.trim() == needle).map_or(0, |i| i + 1)
}
