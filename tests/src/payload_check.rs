//! `cargo xtask payload-check FILE.har …`: recorded traffic checked against the specs.
//!
//! Each HAR entry is matched to an operation of a spec by method and path template (any
//! host: the server's path is matched as a suffix, so a recording made against the sandbox,
//! a staging host or a proxy matches too; a host that is one of the spec's servers wins a
//! tie), then its request and response bodies are decoded with the generated types through
//! each client's `decode_component`, the same decode the clients run. It lives here, not in the
//! xtask, because it needs the generated clients and the xtask must build without them (it
//! is what regenerates them); the xtask builds and starts the `payload-check` binary.
//!
//! Nothing from a header is read, and no value from a body is printed except a number,
//! boolean or null that failed to decode: recordings hold credentials and personal data.

use std::collections::BTreeMap;

use provider_clients::core::DecodeComponent;
use provider_clients::core::observe::{Undeclared, Undecodable, json_type};
use serde::Serialize;
use serde_json::{Value, json};

/// What kind of surprise a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A key the spec does not declare (the typed decode skips it).
    Undeclared,
    /// A value the generated types refuse.
    Undecodable,
    /// A status code the operation's responses do not list.
    UnlistedStatus,
    /// An entry that matches no operation of any spec.
    Unmatched,
}

/// One finding, with how many times it was seen. For `unlisted-status` the pointer is the
/// status code, for `unmatched` the method and path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub provider: String,
    pub operation: String,
    pub kind: Kind,
    pub pointer: String,
    pub count: usize,
    /// JSON types seen (undeclared), serde's message with strings taken out and a scalar value
    /// (undecodable), or the body's side (`request`/`response`).
    pub detail: String,
}

/// What a set of recordings showed.
#[derive(Debug, Default)]
pub struct Report {
    pub entries: usize,
    pub matched: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    /// `payload-check: E entries, M matched, F findings`.
    pub fn summary(&self) -> String {
        format!(
            "payload-check: {} entries, {} matched, {} findings",
            self.entries,
            self.matched,
            self.findings.len()
        )
    }

    /// One JSON object per finding, one a line.
    pub fn json_lines(&self) -> String {
        self.findings
            .iter()
            .map(|f| serde_json::to_string(f).expect("a finding serializes") + "\n")
            .collect()
    }

    /// A readable table of the findings, by provider and operation.
    pub fn table(&self) -> String {
        let header = ["PROVIDER", "OPERATION", "KIND", "POINTER", "COUNT", "DETAIL"].map(str::to_owned);
        let rows: Vec<[String; 6]> = self
            .findings
            .iter()
            .map(|f| {
                let kind = serde_json::to_value(f.kind).expect("a kind serializes");
                [
                    f.provider.clone(),
                    f.operation.clone(),
                    kind.as_str().unwrap_or_default().to_owned(),
                    f.pointer.clone(),
                    f.count.to_string(),
                    f.detail.clone(),
                ]
            })
            .collect();
        let mut widths = header.clone().map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&rows) {
            let cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
}

/// The operations of every spec, ready to match recorded entries against.
pub struct Checker {
    operations: Vec<Operation>,
}

impl Checker {
    /// From `(provider name, spec document)` pairs (`crate::specs()`), each provider's decoder
    /// taken from the facade's descriptors; `only` keeps the named providers.
    pub fn new(specs: &[(String, Value)], only: &[String]) -> Checker {
        let mut operations = Vec::new();
        for (provider, doc) in specs {
            if !only.is_empty() && !only.contains(provider) {
                continue;
            }
            let decode = crate::examples::decoder(provider);
            operations.extend(Operation::all(provider, doc, decode));
        }
        Checker { operations }
    }

    /// Checks every HAR document given as `(path, text)`.
    pub fn check(&self, files: &[(String, String)]) -> Result<Report, Unreadable> {
        let mut tally = Tally::default();
        let mut report = Report::default();
        for (path, text) in files {
            let unreadable = |reason: String| Unreadable {
                path: path.clone(),
                reason,
            };
            let har: Value = serde_json::from_str(text).map_err(|e| unreadable(format!("not JSON: {e}")))?;
            let entries = har["log"]["entries"]
                .as_array()
                .ok_or_else(|| unreadable("not a HAR file: no log.entries array".into()))?;
            for entry in entries {
                report.entries += 1;
                if self.entry(entry, &mut tally) {
                    report.matched += 1;
                }
            }
        }
        report.findings = tally.findings();
        Ok(report)
    }

    /// Checks one entry; false when it matches no operation.
    fn entry(&self, entry: &Value, tally: &mut Tally) -> bool {
        let method = entry["request"]["method"].as_str().unwrap_or_default().to_uppercase();
        let url = entry["request"]["url"].as_str().unwrap_or_default();
        let (host, path) = split_url(url);
        let Some(op) = self.best_match(&method, host, path) else {
            tally.add(("-", "-"), Kind::Unmatched, format!("{method} {path}"), String::new());
            return false;
        };
        let at = (op.provider.as_str(), op.name.as_str());
        if let Some(schema) = &op.request
            && let Some(body) = request_body(&entry["request"]["postData"])
        {
            self.body(op, schema, &body, "request", tally);
        }
        let status = entry["response"]["status"].as_u64().unwrap_or(0);
        if status == 0 {
            // No answer was recorded (aborted or blocked request).
            return true;
        }
        match op.response_for(status) {
            None => tally.add(at, Kind::UnlistedStatus, status.to_string(), String::new()),
            Some(None) => {}
            Some(Some(schema)) => {
                if let Some(body) = response_body(&entry["response"]["content"]) {
                    self.body(op, schema, &body, "response", tally);
                }
            }
        }
        true
    }

    fn body(&self, op: &Operation, schema: &Body, body: &[u8], side: &str, tally: &mut Tally) {
        let at = (op.provider.as_str(), op.name.as_str());
        let parsed: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(err) => {
                let detail = format!("{side}: not JSON: {err}");
                tally.add(at, Kind::Undecodable, String::new(), detail);
                return;
            }
        };
        let items: Vec<(String, &Value)> = match (schema, &parsed) {
            (Body::Many(_), Value::Array(items)) => {
                items.iter().enumerate().map(|(i, v)| (format!("/{i}"), v)).collect()
            }
            _ => vec![(String::new(), &parsed)],
        };
        for (prefix, value) in items {
            let bytes = serde_json::to_vec(value).expect("a JSON value serializes");
            let mut skipped: Vec<Undeclared> = Vec::new();
            let result = (op.decode)(schema.name(), &bytes, &mut |u| skipped.push(u));
            let collapsed = if prefix.is_empty() { "" } else { "/*" };
            for u in skipped {
                if side == "request" && op.credential_fields.iter().any(|f| u.pointer == format!("/{f}")) {
                    // Body credentials are sent by the runtime, not declared on our types.
                    continue;
                }
                let json_type = json_type(value, &u.at);
                tally.add(
                    at,
                    Kind::Undeclared,
                    format!("{collapsed}{}", u.pointer),
                    format!("{side}: {json_type}"),
                );
            }
            match result {
                None => tally.add(
                    at,
                    Kind::Undecodable,
                    String::new(),
                    format!("{side}: no generated type {}", schema.name()),
                ),
                Some(Ok(())) => {}
                Some(Err(failure)) => {
                    let detail = undecodable_detail(side, value, &failure);
                    tally.add(at, Kind::Undecodable, format!("{collapsed}{}", failure.pointer), detail);
                }
            }
        }
    }

    fn best_match(&self, method: &str, host: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.operations
            .iter()
            .filter(|op| op.method == method)
            .filter_map(|op| op.score(host, &segments).map(|score| (score, op)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, op)| op)
    }
}

/// `message` with each double-quoted part replaced by `"…"`: serde quotes the strings it
/// could not decode (`invalid type: string "x", expected u64`), and those may be personal.
pub fn without_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in message.chars() {
        if !quoted {
            out.push(c);
            quoted = c == '"';
        } else if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = false;
            out.push_str("…\"");
        }
    }
    out
}

/// A request or response body schema: one `$ref`, or an array of them.
#[derive(Clone)]
enum Body {
    One(String),
    Many(String),
}

impl Body {
    fn of(media: &Value) -> Option<Body> {
        let schema = &media["schema"];
        let name = |s: &Value| {
            s["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned)
        };
        name(schema)
            .map(Body::One)
            .or_else(|| name(&schema["items"]).map(Body::Many))
    }

    fn name(&self) -> &str {
        match self {
            Body::One(name) | Body::Many(name) => name,
        }
    }
}

/// One operation of a spec.
struct Operation {
    provider: String,
    /// The client's method name, as observe mode names operations (`get_esim`).
    name: String,
    method: String,
    /// Server path and path template segments: `["v2", "sims", "{sim_iccid}"]`.
    segments: Vec<String>,
    hosts: Vec<String>,
    request: Option<Body>,
    /// Status keys (`200`, `4XX`, `default`) with the JSON body schema of each, if any.
    responses: Vec<(String, Option<Body>)>,
    credential_fields: Vec<String>,
    decode: DecodeComponent,
}

impl Operation {
    fn all(provider: &str, doc: &Value, decode: DecodeComponent) -> Vec<Operation> {
        let servers: Vec<(String, String)> = doc["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["url"].as_str())
            .map(|url| {
                let (host, path) = split_url(url);
                (host.to_owned(), path.to_owned())
            })
            .collect();
        let credential_fields: Vec<String> = doc["x-body-credential"]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect();
        let resolve = |node: &Value| -> Value {
            match node["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/")) {
                Some(rest) => {
                    let (kind, name) = rest.split_once('/').unwrap_or_default();
                    doc["components"][kind][name].clone()
                }
                None => node.clone(),
            }
        };
        let mut out = Vec::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, node) in item.as_object().into_iter().flatten() {
                let Some(id) = node["operationId"].as_str() else {
                    continue;
                };
                let request = resolve(&node["requestBody"]);
                let request = request["content"]
                    .as_object()
                    .and_then(|content| content.values().next())
                    .and_then(Body::of);
                let responses: Vec<(String, Option<Body>)> = node["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, response)| {
                        let response = resolve(response);
                        (code.to_uppercase(), Body::of(&response["content"]["application/json"]))
                    })
                    .collect();
                let mut bases: Vec<&str> = servers.iter().map(|(_, path)| path.as_str()).collect();
                bases.sort_unstable();
                bases.dedup();
                for base in bases.iter().copied().chain(bases.is_empty().then_some("")) {
                    let segments = format!("{base}{template}")
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    out.push(Operation {
                        provider: provider.to_owned(),
                        name: heck::ToSnakeCase::to_snake_case(id),
                        method: method.to_uppercase(),
                        segments,
                        hosts: servers.iter().map(|(host, _)| host.clone()).collect(),
                        request: request.clone(),
                        responses: responses.clone(),
                        credential_fields: credential_fields.clone(),
                        decode,
                    });
                }
            }
        }
        out
    }

    /// How well the recorded path's tail matches this operation: a server host, then the
    /// sandbox's mount (`/<provider>` just before the server path), then more literal
    /// segments, win. `None` when it does not match.
    fn score(&self, host: &str, recorded: &[&str]) -> Option<(bool, bool, usize, usize)> {
        if recorded.len() < self.segments.len() {
            return None;
        }
        let tail = &recorded[recorded.len() - self.segments.len()..];
        let mut literal = 0;
        for (template, segment) in self.segments.iter().zip(tail) {
            match template.split_once('{') {
                None if template == segment => literal += 1,
                None => return None,
                Some((before, rest)) => {
                    let after = rest.split_once('}').map_or("", |(_, after)| after);
                    let fits = segment.len() > before.len() + after.len()
                        && segment.starts_with(before)
                        && segment.ends_with(after);
                    if !fits {
                        return None;
                    }
                }
            }
        }
        let on_server = self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
        let mounted =
            recorded.len() > self.segments.len() && recorded[recorded.len() - self.segments.len() - 1] == self.provider;
        Some((on_server, mounted, literal, self.segments.len()))
    }

    /// The body schema for `status`: `None` when no response key covers it, `Some(None)`
    /// when it is listed without a JSON body.
    fn response_for(&self, status: u64) -> Option<Option<&Body>> {
        let keys = [status.to_string(), format!("{}XX", status / 100), "DEFAULT".to_owned()];
        keys.iter()
            .find_map(|key| self.responses.iter().find(|(k, _)| k == key))
            .map(|(_, body)| body.as_ref())
    }
}

/// What a finding is about: (provider, operation, kind, pointer).
type Key = (String, String, Kind, String);

/// Findings with their counts and the details seen.
#[derive(Default)]
struct Tally {
    seen: BTreeMap<Key, (usize, Vec<String>)>,
}

impl Tally {
    fn add(&mut self, (provider, operation): (&str, &str), kind: Kind, pointer: String, detail: String) {
        let key = (provider.to_owned(), operation.to_owned(), kind, pointer);
        let (count, details) = self.seen.entry(key).or_default();
        *count += 1;
        if !detail.is_empty() && !details.contains(&detail) {
            details.push(detail);
        }
    }

    fn findings(self) -> Vec<Finding> {
        self.seen
            .into_iter()
            .map(|((provider, operation, kind, pointer), (count, details))| Finding {
                provider,
                operation,
                kind,
                pointer,
                count,
                detail: details.join("; "),
            })
            .collect()
    }
}

fn undecodable_detail(side: &str, value: &Value, failure: &Undecodable) -> String {
    // serde's position is in the re-encoded item, not the recording: the pointer says where.
    let message = failure.error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => without_strings(&message[..at]),
        None => without_strings(&message),
    };
    match value.pointer(&failure.at) {
        Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => format!("{side}: {message} (value {v})"),
        _ => format!("{side}: {message}"),
    }
}

/// `(host, path)` of a URL, without its query and fragment.
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    }
}

/// A request body as JSON: HAR `postData` text, or a form's `params`/text as an object of
/// strings.
fn request_body(post: &Value) -> Option<Vec<u8>> {
    let mime = post["mimeType"].as_str().unwrap_or_default();
    if mime.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = match post["params"].as_array() {
            Some(params) if !params.is_empty() => params
                .iter()
                .map(|p| {
                    let field = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                    (field("name"), field("value"))
                })
                .collect(),
            _ => serde_urlencoded::from_str(post["text"].as_str()?).ok()?,
        };
        let object: serde_json::Map<String, Value> = pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        return Some(serde_json::to_vec(&object).expect("an object serializes"));
    }
    let text = post["text"].as_str()?;
    (!text.trim().is_empty()).then(|| text.as_bytes().to_vec())
}

/// A response body: HAR `content.text`, base64-decoded when `encoding` says so.
fn response_body(content: &Value) -> Option<Vec<u8>> {
    let text = content["text"].as_str()?;
    if text.trim().is_empty() {
        return None;
    }
    if content["encoding"].as_str() == Some("base64") {
        return base64(text);
    }
    Some(text.as_bytes().to_vec())
}

/// Standard base64 (HAR's `encoding: base64`), padding optional.
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// A HAR entry, for tests and recorders: `method url`, the request body (JSON or none), the
/// response status and body.
pub fn har_entry(method: &str, url: &str, request: Option<&Value>, status: u16, response: Option<&Value>) -> Value {
    let mut entry = json!({
        "startedDateTime": "2026-01-01T00:00:00.000Z",
        "time": 0,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": -1},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "application/json"}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0}
    });
    if let Some(body) = request {
        entry["request"]["postData"] = json!({"mimeType": "application/json", "text": body.to_string()});
    }
    if let Some(body) = response {
        entry["response"]["content"]["text"] = Value::String(body.to_string());
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_leave_the_message() {
        assert_eq!(
            without_strings(r#"invalid type: string "jane@x.com \"q\"", expected u64 at line 1"#),
            r#"invalid type: string "…", expected u64 at line 1"#
        );
    }

    #[test]
    fn base64_bodies_decode() {
        assert_eq!(base64("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert!(base64("*").is_none());
    }

    #[test]
    fn urls_split_into_host_and_path() {
        assert_eq!(
            split_url("https://h.example:8080/v2/sims?include=order#x"),
            ("h.example:8080", "/v2/sims")
        );
        assert_eq!(split_url("http://127.0.0.1:3000"), ("127.0.0.1:3000", ""));
    }
}
