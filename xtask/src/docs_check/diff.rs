//! The three-way comparison of one page: the accepted doc ↔ the fetched doc ↔ our operation.
//! Each difference between the two docs becomes a [`Change`] with a kind (what it means for
//! our generated client) and a state against our spec.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use super::normalise::{self, Doc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Breaks our generated client: a response property it requires is gone, a type
    /// changed, a new required request field, a page (an operation) removed, a deprecation.
    ContractBreaking,
    /// Changes the contract without breaking the client: a new optional field, parameter,
    /// response or enum value (our enums are open).
    ContractAdditive,
    Example,
    /// Prose whose numbers, units, durations, status codes, header names or enum-like words
    /// changed: rate limits and units live in prose on these sites.
    ProseSemantic,
    Prose,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ContractBreaking => "contract-breaking",
            Kind::ContractAdditive => "contract-additive",
            Kind::Example => "example",
            Kind::ProseSemantic => "prose-semantic",
            Kind::Prose => "prose",
        }
    }
}

/// Where our spec stands on a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ours {
    /// Our spec already says what the new doc says.
    AlreadyThere,
    /// Our spec says nothing there.
    Missing,
    /// Our spec says something else.
    Contradicts,
}

impl Ours {
    pub fn name(self) -> &'static str {
        match self {
            Ours::AlreadyThere => "already there",
            Ours::Missing => "missing",
            Ours::Contradicts => "contradicts",
        }
    }
}

/// One reported change, as `--format json` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub provider: String,
    /// The operationId, or null for a page that backs none.
    pub operation: Option<String>,
    pub page: String,
    pub kind: Kind,
    /// JSON pointer into the page's operation (`/responses/200/…`), `/page` for a page's own
    /// text, empty for the page as a whole.
    pub pointer: String,
    pub change: String,
    pub ours: Ours,
    /// `specs/<provider>.yaml:<line>` of our operation (of the spec, for a page without one).
    pub location: String,
    /// Stable across runs: `sha256(kind:provider:operation:page:pointer:change)[..12]`.
    pub fingerprint: String,
    /// For a new or changed response example: whether our generated types decode it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decodes: Option<String>,
    /// The new example itself, for the decoder.
    #[serde(skip)]
    pub example: Option<Value>,
}

/// Our side of the comparison for one operation (or for a page that backs none).
pub struct OursSide<'a> {
    pub provider: &'a str,
    pub operation: Option<&'a str>,
    pub location: &'a str,
    /// Our operation's contract form (see [`normalise::contract`]).
    pub contract: Option<&'a Value>,
    pub examples: Option<&'a BTreeMap<String, Value>>,
    /// The text our words about it are searched in: the operation's YAML (with its
    /// `x-rate-limit` notes), or the whole spec for a page without an operation.
    pub text: &'a str,
}

/// A change before it is tied to an operation.
pub struct Delta {
    pub kind: Kind,
    pub pointer: String,
    pub change: String,
    pub ours: Ours,
    /// The new value of a changed example.
    pub example: Option<Value>,
}

/// Every difference between the accepted and the fetched doc, judged against ours.
pub fn compare(old: &Doc, new: &Doc, ours: &OursSide) -> Vec<Delta> {
    let mut out = Vec::new();
    match (&old.contract, &new.contract) {
        (Some(a), Some(b)) => contract_deltas(a, b, "", ours.contract, &mut out),
        (None, Some(b)) => out.push(Delta {
            kind: Kind::ContractAdditive,
            pointer: String::new(),
            change: format!(
                "the page now has an OpenAPI excerpt ({} {})",
                b["method"].as_str().unwrap_or("?"),
                b["path"].as_str().unwrap_or("?")
            ),
            ours: if ours.contract.is_some() {
                Ours::AlreadyThere
            } else {
                Ours::Missing
            },
            example: None,
        }),
        (Some(_), None) => out.push(Delta {
            kind: Kind::ContractBreaking,
            pointer: String::new(),
            change: "the page no longer has an OpenAPI excerpt".into(),
            ours: if ours.contract.is_some() {
                Ours::Contradicts
            } else {
                Ours::AlreadyThere
            },
            example: None,
        }),
        (None, None) => {}
    }
    for pointer in keys(&old.examples, &new.examples) {
        let (before, after) = (old.examples.get(&pointer), new.examples.get(&pointer));
        if before == after {
            continue;
        }
        let ours_example = ours.examples.and_then(|e| e.get(&pointer));
        let state = match (after, ours_example) {
            (None, None) => Ours::AlreadyThere,
            (None, Some(_)) | (Some(_), Some(_)) if ours_example == after => Ours::AlreadyThere,
            (Some(_), None) => Ours::Missing,
            _ => Ours::Contradicts,
        };
        let change = match (before, after) {
            (None, Some(v)) => format!("new example: {}", short(v)),
            (Some(_), None) => "example removed".into(),
            (Some(a), Some(b)) => example_change(a, b),
            (None, None) => unreachable!("one side has it"),
        };
        out.push(Delta {
            kind: Kind::Example,
            pointer,
            change,
            ours: state,
            example: after.cloned(),
        });
    }
    for pointer in keys(&old.prose, &new.prose) {
        let (before, after) = (old.prose.get(&pointer), new.prose.get(&pointer));
        if before == after {
            continue;
        }
        let (a, b) = (before.map_or("", String::as_str), after.map_or("", String::as_str));
        out.push(prose_delta(pointer, a, b, ours.text));
    }
    out
}

/// The stable id of a change.
pub fn fingerprint(change: &Change) -> String {
    let key = format!(
        "{}:{}:{}:{}:{}:{}",
        change.kind.name(),
        change.provider,
        change.operation.as_deref().unwrap_or(""),
        change.page,
        change.pointer,
        change.change
    );
    normalise::sha256(&key)[..12].to_owned()
}

/// Whether `pointer` is `prefix` or lies under it (everything lies under the empty pointer,
/// the whole page).
pub fn under(pointer: &str, prefix: &str) -> bool {
    pointer == prefix || pointer.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')) || prefix.is_empty()
}

fn keys<T>(a: &BTreeMap<String, T>, b: &BTreeMap<String, T>) -> BTreeSet<String> {
    a.keys().chain(b.keys()).cloned().collect()
}

fn contract_deltas(old: &Value, new: &Value, at: &str, ours: Option<&Value>, out: &mut Vec<Delta>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for name in names {
                let pointer = format!("{at}/{}", normalise::escape(name));
                match (a.get(name), b.get(name)) {
                    (Some(x), Some(y)) => contract_deltas(x, y, &pointer, ours, out),
                    (x, y) => out.push(key_delta(&pointer, x, y, ours)),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.iter().chain(b).all(is_scalar) => {
            for removed in a.iter().filter(|v| !b.contains(v)) {
                out.push(element_delta(at, removed, false, ours));
            }
            for added in b.iter().filter(|v| !a.contains(v)) {
                out.push(element_delta(at, added, true, ours));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                contract_deltas(x, y, &format!("{at}/{i}"), ours, out);
            }
        }
        (x, y) if x != y => out.push(key_delta(at, Some(x), Some(y), ours)),
        _ => {}
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn last_token(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or_default()
}

fn in_request(pointer: &str) -> bool {
    pointer.starts_with("/requestBody") || pointer.starts_with("/parameters")
}

/// A value added to or removed from an array of scalars (`enum`, `required`).
fn element_delta(at: &str, value: &Value, added: bool, ours: Option<&Value>) -> Delta {
    let request = in_request(at);
    let ours_has = ours
        .and_then(|o| o.pointer(at))
        .and_then(Value::as_array)
        .map(|items| items.contains(value));
    let kind = match (last_token(at), added) {
        ("enum", true) => Kind::ContractAdditive,
        ("enum", false) if request => Kind::ContractBreaking,
        ("required", true) if request => Kind::ContractBreaking,
        ("required", false) if !request && ours_has == Some(true) => Kind::ContractBreaking,
        ("type", _) => Kind::ContractBreaking,
        _ => Kind::ContractAdditive,
    };
    let state = match (added, ours_has == Some(true)) {
        (true, true) | (false, false) => Ours::AlreadyThere,
        (true, false) => Ours::Missing,
        (false, true) => Ours::Contradicts,
    };
    let sign = if added { '+' } else { '−' };
    Delta {
        kind,
        pointer: at.to_owned(),
        change: format!("{} {sign} {}", last_token(at), short(value)),
        ours: state,
        example: None,
    }
}

/// A key added, removed or changed in value.
fn key_delta(pointer: &str, old: Option<&Value>, new: Option<&Value>, ours: Option<&Value>) -> Delta {
    let request = in_request(pointer);
    let token = last_token(pointer);
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    let kind = match (old, new) {
        (None, Some(v)) if request && v["required"] == Value::Bool(true) => Kind::ContractBreaking,
        (None, Some(_)) => Kind::ContractAdditive,
        (Some(_), None) if request => Kind::ContractBreaking,
        (Some(_), None) => {
            // A response property our types require breaks decoding when it goes.
            let grand = parent.rsplit_once('/').map_or("", |(p, _)| p);
            let required = ours
                .and_then(|o| o.pointer(&format!("{grand}/required")))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(&unescape(token))));
            let success_response = parent == "/responses" && token.starts_with('2');
            if required || success_response {
                Kind::ContractBreaking
            } else {
                Kind::ContractAdditive
            }
        }
        (Some(_), Some(v)) => match token {
            "type" | "format" | "$ref" | "in" | "method" | "path" => Kind::ContractBreaking,
            "nullable" if !request && v == &Value::Bool(true) => Kind::ContractBreaking,
            "required" | "deprecated" if v == &Value::Bool(true) => Kind::ContractBreaking,
            "x-apidog-status" if matches!(v.as_str(), Some("deprecated" | "obsolete")) => Kind::ContractBreaking,
            _ => Kind::ContractAdditive,
        },
        (None, None) => Kind::ContractAdditive,
    };
    let ours_value = ours.and_then(|o| o.pointer(pointer));
    let state = match (new, ours_value) {
        (None, None) => Ours::AlreadyThere,
        (None, Some(_)) => Ours::Contradicts,
        (Some(_), None) => Ours::Missing,
        (Some(n), Some(o)) if n == o => Ours::AlreadyThere,
        (Some(_), Some(_)) => Ours::Contradicts,
    };
    let change = match (old, new) {
        (None, Some(v)) => format!("added: {}", short(v)),
        (Some(v), None) => format!("removed (was {})", short(v)),
        (Some(a), Some(b)) => format!("{} → {}", short(a), short(b)),
        (None, None) => String::new(),
    };
    Delta {
        kind,
        pointer: pointer.to_owned(),
        change,
        ours: state,
        example: None,
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn example_change(a: &Value, b: &Value) -> String {
    let mut deltas = Vec::new();
    contract_deltas(a, b, "", None, &mut deltas);
    let parts: Vec<String> = deltas
        .iter()
        .take(4)
        .map(|d| format!("{} {}", if d.pointer.is_empty() { "/" } else { &d.pointer }, d.change))
        .collect();
    let more = deltas.len().saturating_sub(4);
    let mut text = format!("example changed: {}", parts.join("; "));
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

static SEMANTIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b\d+(?:[.,]\d+)?\s*(?:%|ms\b|s\b|secs?\b|seconds?\b|minutes?\b|mins?\b|hours?\b|days?\b|weeks?\b|months?\b|years?\b|[KMGT]i?B\b|bytes?\b|requests?\b|calls?\b|characters?\b|chars?\b)?
        | \b[A-Z][a-zA-Z0-9]*(?:-[A-Z][a-zA-Z0-9]*)+\b
        | \b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b
        | \b[A-Z]{3,}\b",
    )
    .expect("a valid pattern")
});

fn semantic_tokens(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = SEMANTIC
        .find_iter(text)
        .map(|m| m.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    tokens.sort();
    tokens
}

fn prose_delta(pointer: String, old: &str, new: &str, ours: &str) -> Delta {
    let (a, b) = (semantic_tokens(old), semantic_tokens(new));
    let gone: Vec<&String> = a.iter().filter(|t| !b.contains(t)).collect();
    let came: Vec<&String> = b.iter().filter(|t| !a.contains(t)).collect();
    if a != b {
        let ours_tokens = semantic_tokens(ours);
        let state = if came.iter().all(|t| ours_tokens.contains(t)) {
            Ours::AlreadyThere
        } else if gone.iter().any(|t| ours_tokens.contains(t)) {
            Ours::Contradicts
        } else {
            Ours::Missing
        };
        let quote = |ts: &[&String]| ts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ");
        let change = match (gone.is_empty(), came.is_empty()) {
            (false, false) => format!("{} → {}", quote(&gone), quote(&came)),
            (true, false) => format!("+ {}", quote(&came)),
            (false, true) => format!("− {}", quote(&gone)),
            (true, true) => "the same terms, a different count".into(),
        };
        return Delta {
            kind: Kind::ProseSemantic,
            pointer,
            change,
            ours: state,
            example: None,
        };
    }
    let diff = similar::TextDiff::from_words(old, new);
    let mut removed = String::new();
    let mut added = String::new();
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => removed.push_str(change.value()),
            similar::ChangeTag::Insert => added.push_str(change.value()),
            similar::ChangeTag::Equal => {}
        }
    }
    let ours_words: BTreeSet<&str> = ours.split(|c: char| !c.is_alphanumeric()).collect();
    let mut words = added.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 4);
    let state = if words.all(|w| ours_words.contains(w)) {
        Ours::AlreadyThere
    } else {
        Ours::Missing
    };
    let clip = |s: &str| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s
        }
    };
    let change = match (removed.trim().is_empty(), added.trim().is_empty()) {
        (true, _) => format!("+ \"{}\"", clip(&added)),
        (_, true) => format!("− \"{}\"", clip(&removed)),
        _ => format!("\"{}\" → \"{}\"", clip(&removed), clip(&added)),
    };
    Delta {
        kind: Kind::Prose,
        pointer,
        change,
        ours: state,
        example: None,
    }
}

fn short(value: &Value) -> String {
    let text = normalise::canonical(value);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}
