//! A fetched page made comparable: what changes without meaning is removed ("Modified at"
//! footers, navigation, code-sample tabs, YAML formatting, key order), and the rest is split
//! into the contract (the page's OpenAPI excerpt), its examples and its prose.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::spec::METHODS;

/// What a body is, so that it is read the right way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Markdown,
    Html,
}

/// A normalised page, split into what is compared.
#[derive(Debug, Default, PartialEq)]
pub struct Doc {
    /// The operation of the page's OpenAPI excerpt, `$ref`s resolved, without prose and
    /// examples (see [`contract`]); `None` for a page without an excerpt.
    pub contract: Option<Value>,
    /// Every example, by JSON pointer: inside the operation (`/responses/200/…/example`), or
    /// `/page/examples/<n>` for a JSON code block of the page.
    pub examples: BTreeMap<String, Value>,
    /// Every piece of prose, by JSON pointer: the excerpt's `description`s and `summary`s, and
    /// `/page` for the page's own text.
    pub prose: BTreeMap<String, String>,
}

/// The snapshot text of a fetched body: stable under the edits that mean nothing, and read
/// back by [`parse`] into the same [`Doc`] (normalising a snapshot again changes nothing).
pub fn normalise(raw: &str, source: Source) -> String {
    let text = match source {
        Source::Markdown => raw.replace("\r\n", "\n"),
        Source::Html => html_text(raw),
    };
    let mut out: Vec<String> = Vec::new();
    let mut lines = text.lines();
    let mut skipping_quote = false;
    while let Some(line) = lines.next() {
        let line = line.trim_end();
        if let Some((ticks, info)) = fence_open(line) {
            let mut body = Vec::new();
            for inner in lines.by_ref() {
                if is_fence_close(inner, ticks) {
                    break;
                }
                body.push(inner);
            }
            out.extend(normalise_block(info, &body.join("\n")));
            continue;
        }
        // Mintlify's "Documentation Index" / "Agent Instructions" preamble, quoted or not.
        if NOISE_QUOTE.is_match(line) {
            skipping_quote = line.starts_with('>');
            continue;
        }
        if skipping_quote && line.starts_with('>') {
            continue;
        }
        skipping_quote = false;
        if NOISE_LINE.is_match(line) || NAV_LINE.is_match(line) {
            continue;
        }
        out.push(line.to_owned());
    }
    let mut text = out.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    format!("{}\n", text.trim())
}

/// Reads a snapshot (the output of [`normalise`]) into its parts.
pub fn parse(snapshot: &str) -> Doc {
    let mut doc = Doc::default();
    let mut page_text: Vec<String> = Vec::new();
    let mut lines = snapshot.lines();
    let mut examples = 0;
    while let Some(line) = lines.next() {
        let Some((ticks, info)) = fence_open(line) else {
            page_text.push(line.to_owned());
            continue;
        };
        let mut body = Vec::new();
        for inner in lines.by_ref() {
            if is_fence_close(inner, ticks) {
                break;
            }
            body.push(inner);
        }
        let body = body.join("\n");
        match (info, serde_json::from_str::<Value>(&body)) {
            ("json openapi", Ok(openapi)) if doc.contract.is_none() => {
                if let Some(excerpt) = excerpt(&openapi) {
                    doc.contract = excerpt.contract;
                    doc.examples.extend(excerpt.examples);
                    doc.prose.extend(excerpt.prose);
                }
            }
            ("json", Ok(value)) => {
                doc.examples.insert(format!("/page/examples/{examples}"), value);
                examples += 1;
            }
            _ => {
                page_text.push(line.to_owned());
                page_text.extend(body.lines().map(str::to_owned));
                page_text.push("`".repeat(ticks));
            }
        }
    }
    let mut page = page_text.join("\n").trim().to_owned();
    if doc.contract.is_none()
        && let Some((contract, prose)) = mdx_contract(&page)
    {
        doc.contract = Some(contract);
        page = prose;
    }
    if !page.is_empty() {
        doc.prose.insert("/page".into(), page);
    }
    doc
}

/// The comparable form of one operation of an OpenAPI document (a page's excerpt or our
/// spec): `$ref`s resolved, parameters keyed `<in>:<name>`, and prose, examples and vendor
/// extensions taken out (kept apart). `method` and `path` are added as keys.
pub fn contract(document: &Value, method: &str, path: &str, operation: &Value) -> Doc {
    let mut op = resolve(operation, document, &mut Vec::new());
    let mut examples = BTreeMap::new();
    let mut prose = BTreeMap::new();
    split(&mut op, "", &mut examples, &mut prose);
    if let Value::Object(map) = &mut op {
        map.insert("method".into(), Value::String(method.to_owned()));
        map.insert("path".into(), Value::String(path.to_owned()));
    }
    Doc {
        contract: Some(op),
        examples,
        prose,
    }
}

/// A value's canonical JSON: keys sorted, no whitespace, whatever order it was built in.
pub fn canonical(value: &Value) -> String {
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

/// The same, indented, for snapshots a person reads.
pub fn canonical_pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

static NOISE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(Modified at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d|Previous|Next|Built with|Skip to main content|Shell|JavaScript|Java|Swift|cURL|Python|Go|PHP|Ruby|Request Request Example|Response Response Example)\s*$",
    )
    .expect("a valid pattern")
});

/// Apidog's sidebar as its HTML renders in text: a tree of `•` bullets.
static NAV_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*•\s").expect("a valid pattern"));

static NOISE_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^>?\s*(## )?(Documentation Index|Fetch the complete documentation index|Use this file to discover all available pages|Agent Instructions)")
        .expect("a valid pattern")
});

/// Languages of the generated request samples (Apidog's Shell/JavaScript/Java/Swift tabs,
/// Mintlify's request examples): the same for every page, not the provider's words.
const SAMPLE_LANGUAGES: [&str; 16] = [
    "bash",
    "sh",
    "shell",
    "curl",
    "javascript",
    "js",
    "java",
    "swift",
    "python",
    "go",
    "php",
    "ruby",
    "typescript",
    "ts",
    "csharp",
    "kotlin",
];

/// Extensions and keys that carry no contract: Apidog's layout hints and run links, our own
/// curation (`x-doc-url`, `x-rate-limit`, …), folders and names.
fn is_noise_key(key: &str) -> bool {
    (key.starts_with("x-") && key != "x-apidog-status") || matches!(key, "tags" | "operationId")
}

fn is_prose_key(key: &str) -> bool {
    matches!(key, "description" | "summary" | "title")
}

fn html_text(raw: &str) -> String {
    static CHROME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<(nav|aside|header|footer|script|style|noscript)\b.*?</(nav|aside|header|footer|script|style|noscript)>")
            .expect("a valid pattern")
    });
    let main = CHROME.replace_all(raw, "");
    html2text::config::plain()
        .link_footnotes(false)
        .string_from_read(main.as_bytes(), 100)
        .unwrap_or_else(|_| main.into_owned())
}

fn fence_open(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let ticks = trimmed.bytes().take_while(|&b| b == b'`').count();
    (ticks >= 3).then(|| (ticks, trimmed[ticks..].trim()))
}

fn is_fence_close(line: &str, ticks: usize) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= ticks && trimmed.bytes().all(|b| b == b'`')
}

fn normalise_block(info: &str, body: &str) -> Vec<String> {
    let lang = info.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    let parsed: Option<Value> = serde_yaml::from_str::<serde_yaml::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_value(v).ok());
    match parsed {
        Some(Value::Object(mut map)) if map.contains_key("openapi") => {
            map.remove("x-run-in-apidog");
            vec![
                "```json openapi".into(),
                canonical_pretty(&Value::Object(map)),
                "```".into(),
            ]
        }
        Some(value) if matches!(lang.as_str(), "json" | "") && serde_json::from_str::<Value>(body).is_ok() => {
            vec!["```json".into(), canonical_pretty(&value), "```".into()]
        }
        _ if SAMPLE_LANGUAGES.contains(&lang.as_str()) => Vec::new(),
        _ => {
            let mut out = vec![format!("```{lang}")];
            out.extend(body.lines().map(|l| l.trim_end().to_owned()));
            out.push("```".into());
            out
        }
    }
}

/// The one operation of an OpenAPI excerpt, split into contract, examples and prose.
fn excerpt(openapi: &Value) -> Option<Doc> {
    let (path, item) = openapi.get("paths")?.as_object()?.iter().next()?;
    let (method, op) = METHODS.iter().find_map(|m| item.get(*m).map(|op| (*m, op)))?;
    Some(contract(openapi, method, path, op))
}

/// A hand-written Mintlify page's contract: its `GET /path` line and its `<ParamField>` and
/// `<ResponseField>` components, in the shape (and so at the pointers) of an excerpt's
/// operation. Also the page's text with the components' attributes left out, since the
/// contract holds them.
fn mdx_contract(text: &str) -> Option<(Value, String)> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<(ParamField|ResponseField)\s+([^>]*?)/?>").expect("a valid pattern"));
    static ATTR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"([A-Za-z]+)(?:="([^"]*)"|=\{([^}]*)\})?"#).expect("a valid pattern"));
    static ROUTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)\s*$").expect("a valid pattern"));
    let mut params = Map::new();
    let mut body = (Map::new(), Vec::new());
    let mut response = (Map::new(), Vec::new());
    for tag in TAG.captures_iter(text) {
        let attrs: BTreeMap<String, String> = ATTR
            .captures_iter(&tag[2])
            .map(|a| {
                let value = a.get(2).or(a.get(3)).map_or("true", |m| m.as_str());
                (a[1].to_owned(), value.to_owned())
            })
            .collect();
        let required = attrs.get("required").is_some_and(|v| v == "true");
        let schema = serde_json::json!({"type": attrs.get("type").map_or("", String::as_str)});
        let located = ["path", "query", "header", "body"]
            .into_iter()
            .find_map(|at| attrs.get(at).map(|n| (at, n.clone())));
        let (into, name) = match (&tag[1], located) {
            ("ParamField", Some(("body", name))) => (&mut body, name),
            ("ParamField", Some((at, name))) => {
                let mut param = serde_json::json!({"in": at, "name": name, "schema": schema});
                if required {
                    param["required"] = Value::Bool(true);
                }
                params.insert(format!("{at}:{name}"), param);
                continue;
            }
            ("ResponseField", _) => match attrs.get("name") {
                Some(name) => (&mut response, name.clone()),
                None => continue,
            },
            _ => continue,
        };
        if required {
            into.1.push(Value::String(name.clone()));
        }
        into.0.insert(name, schema);
    }
    if params.is_empty() && body.0.is_empty() && response.0.is_empty() {
        return None;
    }
    let object = |(properties, required): (Map<String, Value>, Vec<Value>)| {
        let mut schema = serde_json::json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        serde_json::json!({"content": {"application/json": {"schema": schema}}})
    };
    let mut op = Map::new();
    if let Some(route) = ROUTE.captures(text) {
        op.insert("method".into(), Value::String(route[1].to_ascii_lowercase()));
        op.insert("path".into(), Value::String(route[2].to_owned()));
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Object(params));
    }
    if !body.0.is_empty() {
        op.insert("requestBody".into(), object(body));
    }
    if !response.0.is_empty() {
        op.insert("responses".into(), serde_json::json!({"200": object(response)}));
    }
    let prose = TAG
        .replace_all(text, |c: &regex::Captures| format!("<{}>", &c[1]))
        .into_owned();
    Some((Value::Object(op), prose))
}

fn resolve(value: &Value, document: &Value, stack: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(pointer) = target.strip_prefix('#')
                && !stack.contains(target)
                && let Some(found) = document.pointer(pointer)
            {
                stack.push(target.clone());
                let resolved = resolve(found, document, stack);
                stack.pop();
                return resolved;
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, document, stack)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, document, stack)).collect()),
        other => other.clone(),
    }
}

fn split(value: &mut Value, at: &str, examples: &mut BTreeMap<String, Value>, prose: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let pointer = format!("{at}/{}", escape(&key));
                if key == "example" || key == "examples" {
                    if let Some(v) = map.remove(&key) {
                        examples.insert(pointer, v);
                    }
                } else if is_prose_key(&key) && map[&key].is_string() {
                    if let Some(Value::String(text)) = map.remove(&key) {
                        prose.insert(pointer, text.trim().to_owned());
                    }
                } else if is_noise_key(&key) {
                    map.remove(&key);
                } else if key == "parameters"
                    && let Some(Value::Array(params)) = map.get(&key)
                {
                    let keyed: Map<String, Value> = params
                        .iter()
                        .map(|p| {
                            let name = format!(
                                "{}:{}",
                                p["in"].as_str().unwrap_or("?"),
                                p["name"].as_str().unwrap_or("?")
                            );
                            (name, p.clone())
                        })
                        .collect();
                    map.insert(key.clone(), Value::Object(keyed));
                    split(map.get_mut(&key).expect("just inserted"), &pointer, examples, prose);
                } else {
                    split(map.get_mut(&key).expect("a key of this map"), &pointer, examples, prose);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                split(item, &format!("{at}/{i}"), examples, prose);
            }
        }
        _ => {}
    }
}

/// A JSON pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
            let mut out = Map::new();
            for (k, v) in ordered {
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
