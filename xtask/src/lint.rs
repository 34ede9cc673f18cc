//! The spec rules of DESIGN.md, checked before progenitor sees a spec: several of the
//! constructs they forbid make progenitor 0.15.1 panic or generate code that cannot decode
//! what providers send.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use serde_yaml::Value;

use crate::spec::{Operation, Spec, converted_format, lenient_form, pascal_case, rust_type};

impl Spec {
    pub fn lint(&self) -> anyhow::Result<()> {
        let mut errors = Vec::new();
        self.lint_document(&mut errors);
        self.lint_operations(&mut errors);
        self.lint_schemas(&mut errors);
        if errors.is_empty() {
            return Ok(());
        }
        let file = self.display_path();
        let list: Vec<String> = errors.iter().map(|e| format!("  {file}: {e}")).collect();
        bail!("{} spec rule violation(s):\n{}", errors.len(), list.join("\n"))
    }

    fn lint_document(&self, errors: &mut Vec<String>) {
        match self.doc["openapi"].as_str() {
            Some(v) if v.starts_with("3.0.") => {}
            other => errors.push(format!(
                "`openapi` must be 3.0.x (progenitor 0.15 rejects 3.1), found {other:?}"
            )),
        }
        if self.doc["info"]["version"].as_str().is_none() {
            errors.push("`info.version` is missing".into());
        }
        if let Some(name) = self.doc["info"].get("x-rust-name") {
            let pascal = name.as_str().is_some_and(|n| {
                n.starts_with(|c: char| c.is_ascii_uppercase()) && n.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if !pascal {
                errors.push(format!(
                    "`info.x-rust-name` must be a PascalCase identifier, found {name:?}"
                ));
            }
        }
        if let Err(msg) = self.credential() {
            errors.push(msg);
        }
        let servers = self.servers();
        if servers.is_empty() {
            errors.push("`servers` is empty: name at least the production host".into());
        }
        for (env, url) in servers {
            match (env, url) {
                (Some(env), Some(_)) if is_snake_ident(env) => {}
                _ => errors.push(format!(
                    "every server needs a `url` and an `x-environment` written in snake_case (found {env:?})"
                )),
            }
        }
    }

    fn lint_operations(&self, errors: &mut Vec<String>) {
        let mut seen = BTreeSet::new();
        for op in self.operations() {
            let label = op.label();
            let mut fail = |msg: String| errors.push(format!("operation {label}: {msg}"));
            let node = op.node;
            match node["operationId"].as_str() {
                None => fail("has no operationId".into()),
                Some(id) if !seen.insert(id.to_owned()) => fail("operationId is used twice".into()),
                Some(_) => {}
            }
            if node["tags"].as_sequence().is_none_or(|t| t.is_empty()) {
                fail("has no tag".into());
            }
            if !node["x-doc-url"].as_str().is_some_and(|u| u.starts_with("https://")) {
                fail("needs `x-doc-url`, the https:// page it was written from".into());
            }
            for param in node["parameters"].as_sequence().into_iter().flatten() {
                if param["schema"].get("enum").is_some() {
                    fail(format!(
                        "parameter `{}` has an inline enum: make it a named schema so it is generated as an open enum",
                        param["name"].as_str().unwrap_or("?")
                    ));
                }
            }
            if let Some(body) = node.get("requestBody") {
                match body["content"].as_mapping() {
                    Some(content) if content.len() == 1 => {
                        let (media, value) = content.iter().next().expect("one entry");
                        let media = media.as_str().unwrap_or_default();
                        if !matches!(media, "application/json" | "application/x-www-form-urlencoded") {
                            fail(format!(
                                "request body media type `{media}`: use application/json or application/x-www-form-urlencoded"
                            ));
                        }
                        if let Err(msg) = named_schema(&value["schema"]) {
                            fail(format!("request body: {msg}"));
                        }
                        if value.get("encoding").is_some() {
                            fail("`encoding` on a request body makes progenitor panic".into());
                        }
                    }
                    _ => fail("a request body needs exactly one media type".into()),
                }
            }
            lint_responses(&node["responses"], &mut fail);
            if let Some(rule) = node.get("x-body-failure") {
                let pointer_ok = rule["pointer"]
                    .as_str()
                    .is_some_and(|p| p.is_empty() || p.starts_with('/'));
                let values_ok = rule["values"]
                    .as_sequence()
                    .is_some_and(|v| !v.is_empty() && v.iter().all(|v| v.as_str().is_some()));
                if !pointer_ok || rule["field"].as_str().is_none() || !values_ok {
                    fail(
                        "`x-body-failure` is `{pointer: <JSON pointer or ''>, field: <name>, values: [<string>, ..]}`"
                            .into(),
                    );
                }
                if node["responses"].get("4XX").is_none() {
                    fail("`x-body-failure` needs a `4XX` response: its schema is the refusal's".into());
                }
            }
            if self.body_credential_fields().is_some()
                && node
                    .get("requestBody")
                    .is_some_and(|b| b["content"].get("application/json").is_none())
            {
                fail("`x-body-credential` fields travel in JSON bodies: use application/json".into());
            }
            if let Err(msg) = crate::rate_limits::parse(&op) {
                fail(msg);
            }
            if let Err(msg) = self.lint_pagination(&op) {
                fail(msg);
            }
        }
    }

    /// `x-pagination`: a known style, the query parameters it names (integers), and pointers
    /// that lead through the success response's schema (integers for the totals). A response
    /// borrowed from another crate (`x-rust-type`) is checked in that crate's spec.
    fn lint_pagination(&self, op: &Operation<'_>) -> Result<(), String> {
        let Some(pagination) = op.pagination()? else {
            return Ok(());
        };
        for name in [pagination.position_param(), "limit"] {
            let param = op.node["parameters"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(|p| self.resolve(p))
                .find(|p| p["name"].as_str() == Some(name) && p["in"].as_str() == Some("query"));
            match param {
                Some(p) if p["schema"]["type"].as_str() == Some("integer") => {}
                _ => {
                    return Err(format!(
                        "`x-pagination` style `{}` needs an integer query parameter `{name}`",
                        pagination.style
                    ));
                }
            }
        }
        let success = op.node["responses"]
            .as_mapping()
            .into_iter()
            .flatten()
            .find(|(code, _)| code_text(code).starts_with('2'))
            .map(|(_, response)| self.resolve(response));
        let Some(schema) = success.map(|r| self.resolve(&r["content"]["application/json"]["schema"])) else {
            return Err("`x-pagination` on an operation without a JSON success body".into());
        };
        if rust_type(schema).is_some() {
            return Ok(());
        }
        let mut pointers = vec![(&pagination.items, false)];
        pointers.extend(pagination.total_pages.iter().map(|p| (p, true)));
        pointers.extend(pagination.total_items.iter().map(|p| (p, true)));
        for (pointer, integer) in pointers {
            let mut node = schema;
            for segment in pointer.trim_start_matches('/').split('/') {
                node = match node["properties"].get(segment) {
                    Some(next) => self.resolve(next),
                    None => {
                        return Err(format!(
                            "`x-pagination` pointer `{pointer}`: the response has no `{segment}`"
                        ));
                    }
                };
            }
            if integer && node["type"].as_str() != Some("integer") {
                return Err(format!("`x-pagination` pointer `{pointer}` must lead to an integer"));
            }
        }
        if pagination.items.matches('/').count() != 1 {
            return Err("`x-pagination.items` must name a top-level property of the response".into());
        }
        Ok(())
    }

    /// A local `$ref` followed to what it names (the node itself otherwise).
    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        let Some(path) = target.strip_prefix("#/") else {
            return node;
        };
        let found = path.split('/').try_fold(&self.doc, |at, key| at.get(key));
        found.map_or(node, |n| self.resolve(n))
    }

    fn lint_schemas(&self, errors: &mut Vec<String>) {
        for (name, schema) in self.schemas() {
            if let Some(ext) = schema.get("x-rust-type") {
                match rust_type(schema) {
                    Some((krate, path))
                        if path.split("::").next() == Some(&krate.replace('-', "_"))
                            && syn::parse_str::<syn::Path>(path).is_ok()
                            && self.root.join("crates").join(krate).join("Cargo.toml").exists() => {}
                    _ => errors.push(format!(
                        "schema `{name}`: `x-rust-type` needs `crate` (a workspace crate), `version` and a `path` starting with that crate, found {ext:?}"
                    )),
                }
                continue;
            }
            if pascal_case(name) != name {
                errors.push(format!(
                    "schema `{name}`: component names must be PascalCase (`{}`)",
                    pascal_case(name)
                ));
            }
            walk(schema, &format!("schema {name}"), true, errors);
        }
        for e in self.string_enums() {
            let mut variants = BTreeMap::new();
            for value in &e.values {
                if pascal_case(value) == "Unknown" {
                    errors.push(format!(
                        "schema `{}`: value `{value}` collides with the open enum's `Unknown` catch-all; leave it out and say so in the description",
                        e.name
                    ));
                }
                if let Some(other) = variants.insert(pascal_case(value), value) {
                    errors.push(format!(
                        "schema `{}`: values `{other}` and `{value}` map to one Rust variant",
                        e.name
                    ));
                }
            }
        }
    }
}

fn code_text(code: &Value) -> String {
    match code {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn lint_responses(responses: &Value, fail: &mut impl FnMut(String)) {
    let Some(responses) = responses.as_mapping() else {
        return fail("has no responses".into());
    };
    let mut success = 0;
    let mut error_schemas = BTreeSet::new();
    for (code, response) in responses {
        let code = code_text(code);
        let content = response["content"].as_mapping();
        if let Some(content) = content {
            for (media, value) in content {
                if media.as_str() != Some("application/json") {
                    fail(format!("response {code}: only application/json responses are typed"));
                }
                if let Err(msg) = named_schema(&value["schema"]) {
                    fail(format!("response {code}: {msg}"));
                }
            }
        }
        match code.as_str() {
            c if c.starts_with('2') => success += 1,
            "4XX" | "5XX" => {
                let schema = content
                    .and_then(|c| c.values().next())
                    .map(|v| format!("{:?}", v["schema"]));
                error_schemas.insert(schema);
            }
            "default" => fail("`default` responses join both the success and error sets; use 4XX/5XX".into()),
            other => fail(format!(
                "response {other}: declare errors as 4XX/5XX only (specific codes beside a range trip progenitor)"
            )),
        }
    }
    if success != 1 {
        fail(format!("needs exactly one success response, found {success}"));
    }
    if error_schemas.len() > 1 {
        fail("4XX and 5XX must share one error schema".into());
    }
}

/// Bodies must be a named schema or an array of one, so every body has a stable Rust type
/// name and every example can be decoded by name.
fn named_schema(schema: &Value) -> Result<(), String> {
    if schema.get("$ref").is_some() {
        return Ok(());
    }
    if schema["type"].as_str() == Some("array") && schema["items"].get("$ref").is_some() {
        return Ok(());
    }
    Err("body schema must be a `$ref` to a component, or an array of one".into())
}

fn walk(node: &Value, at: &str, top: bool, errors: &mut Vec<String>) {
    let Some(map) = node.as_mapping() else { return };
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        errors.push(format!(
            "{at}: `additionalProperties: false` would reject fields a provider adds later"
        ));
    }
    if !top && node.get("enum").is_some() && node["type"].as_str() == Some("string") {
        errors.push(format!(
            "{at}: inline string enum; make it a named schema so it is generated as an open enum"
        ));
    }
    if let Some(Err(expected)) = lenient_form(node) {
        errors.push(format!("{at}: {expected}"));
    }
    if let Some((ty, format)) = converted_format(node) {
        if lenient_form(node).is_none() && node["type"].as_str() != Some(ty) {
            errors.push(format!("{at}: `format: {format}` goes with `type: {ty}`"));
        }
        if map.keys().any(|k| k.as_str().is_some_and(|k| k.starts_with("x-"))) {
            errors.push(format!(
                "{at}: a `format: {format}` field may carry no `x-` keys (they stop its type conversion)"
            ));
        }
    }
    if let Some(props) = node["properties"].as_mapping() {
        for (name, prop) in props {
            walk(prop, &format!("{at}.{}", name.as_str().unwrap_or("?")), false, errors);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = node.get(key) {
            walk(child, &format!("{at}[{key}]"), false, errors);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, child) in node[key].as_sequence().into_iter().flatten().enumerate() {
            walk(child, &format!("{at}.{key}[{i}]"), false, errors);
        }
    }
}

fn is_snake_ident(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::Spec;

    const GOOD: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com", x-environment: production}]
security: [{Key: []}]
paths:
  /things:
    get:
      operationId: listThings
      tags: [things]
      x-doc-url: https://docs.example.com/things
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}
        "4XX": {$ref: "#/components/responses/Error"}
components:
  securitySchemes:
    Key: {type: apiKey, in: header, name: X-Key}
  responses:
    Error:
      description: e
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
  schemas:
    Thing:
      type: object
      properties:
        price: {anyOf: [{type: number}, {type: string, pattern: "^[0-9.]+$"}], format: decimal}
    Error: {type: object}
"##;

    fn lint(text: &str) -> Result<(), String> {
        let spec = Spec::parse(Path::new("/ws"), "/ws/specs/demo.yaml".into(), text).unwrap();
        spec.lint().map_err(|e| e.to_string())
    }

    #[test]
    fn a_spec_that_follows_the_rules_passes() {
        lint(GOOD).unwrap();
    }

    #[test]
    fn a_lenient_number_is_written_so_that_standard_validators_accept_its_string_form() {
        let bare = GOOD.replace(
            r#"{anyOf: [{type: number}, {type: string, pattern: "^[0-9.]+$"}], format: decimal}"#,
            "{type: number, format: decimal}",
        );
        let err = lint(&bare).unwrap_err();
        assert!(
            err.contains("schema Thing.price: `format: decimal` is written `anyOf"),
            "{err}"
        );
    }

    #[test]
    fn violations_name_the_file_and_the_operation() {
        let bad = GOOD
            .replace("      x-doc-url: https://docs.example.com/things\n", "")
            .replace("\"4XX\"", "\"404\"")
            .replace("{type: object}", "{type: object, additionalProperties: false}")
            .replace(
                r#"price: {anyOf: [{type: number}, {type: string, pattern: "^[0-9.]+$"}], format: decimal}"#,
                "state: {type: string, enum: [A, B]}",
            );
        let err = lint(&bad).unwrap_err();
        for expected in [
            "specs/demo.yaml: operation listThings (GET /things): needs `x-doc-url`",
            "specs/demo.yaml: operation listThings (GET /things): response 404: declare errors as 4XX/5XX only",
            "specs/demo.yaml: schema Error: `additionalProperties: false`",
            "specs/demo.yaml: schema Thing.state: inline string enum",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
    }

    #[test]
    fn two_success_responses_and_multipart_are_rejected_before_progenitor_panics() {
        let two = GOOD.replace(
            "        \"4XX\":",
            "        \"201\":\n          description: created\n        \"4XX\":",
        );
        assert!(
            lint(&two)
                .unwrap_err()
                .contains("needs exactly one success response, found 2")
        );
        let multipart = GOOD.replace(
            "      responses:",
            "      requestBody:\n        content:\n          multipart/form-data:\n            schema: {$ref: \"#/components/schemas/Thing\"}\n      responses:",
        );
        assert!(
            lint(&multipart)
                .unwrap_err()
                .contains("request body media type `multipart/form-data`")
        );
    }

    #[test]
    fn openapi_3_1_is_rejected() {
        assert!(
            lint(&GOOD.replace("3.0.3", "3.1.0"))
                .unwrap_err()
                .contains("`openapi` must be 3.0.x")
        );
    }

    #[test]
    fn pagination_must_match_its_parameters_and_response() {
        let paged = |pagination: &str| {
            GOOD.replace(
                "      responses:\n        \"200\":",
                &format!(
                    "      x-pagination: {pagination}\n      parameters:\n        - {{name: page, in: query, schema: {{type: integer}}}}\n        - {{name: limit, in: query, schema: {{type: integer}}}}\n      responses:\n        \"200\":"
                ),
            )
            .replace(
                "schema: {type: array, items: {$ref: \"#/components/schemas/Thing\"}}",
                "schema: {$ref: \"#/components/schemas/Things\"}",
            )
            .replace(
                "    Error: {type: object}",
                "    Error: {type: object}\n    Things: {type: object, properties: {items: {type: array, items: {$ref: \"#/components/schemas/Thing\"}}, pages: {type: integer}}}",
            )
        };
        lint(&paged("{style: page, items: /items, total-pages: /pages}")).unwrap();
        for (pagination, expected) in [
            ("{style: cursor, items: /items}", "`x-pagination.style` must be one of"),
            (
                "{style: offset, items: /items}",
                "needs an integer query parameter `offset`",
            ),
            (
                "{style: page, items: /rows}",
                "pointer `/rows`: the response has no `rows`",
            ),
            (
                "{style: page, items: /items, total-pages: /items}",
                "pointer `/items` must lead to an integer",
            ),
            ("{style: page, items: items}", "must be a JSON pointer"),
        ] {
            let err = lint(&paged(pagination)).unwrap_err();
            assert!(err.contains(expected), "{pagination}: missing {expected:?} in:\n{err}");
        }
    }
}
