//! A provider spec on disk and what the rest of the xtask needs to know about it.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_yaml::Value;

/// `(type, format)` pairs generated as a hand-written Rust type instead of progenitor's default.
pub const CONVERTED_FORMATS: [(&str, &str, &str); 4] = [
    // Prices: exact decimals (a JSON number or a numeric string), never binary floats.
    ("number", "decimal", "::rust_decimal::Decimal"),
    // The provider's text, kept verbatim and parsed on demand: an odd format never fails a response.
    ("string", "date-time", "::provider_core::Timestamp"),
    // The same, for timestamps a provider writes in its own notation rather than RFC 3339
    // (Airalo's `2023-02-27 14:09:55`): the spec says so, and validators do not hold it to
    // `date-time`.
    ("string", "provider-date-time", "::provider_core::Timestamp"),
    // Integers some providers send as strings.
    ("integer", "int-or-string", "::provider_core::LenientInt"),
];

/// Formats whose values arrive as a JSON number or as the same number in a string. The spec
/// says so in standard terms, so that other tools accept the string examples:
/// `{anyOf: [{type: number}, {type: string, pattern: …}], format: decimal}`; generation
/// reads that as `{type: number, format: decimal}` (see [`lenient_form`]).
pub const LENIENT_FORMATS: [&str; 2] = ["decimal", "int-or-string"];

/// For a schema with a lenient format: its numeric type and whether it is nullable, or what
/// is wrong with its form. `None` for any other schema.
pub fn lenient_form(schema: &Value) -> Option<Result<(&'static str, bool), String>> {
    let format = schema.get("format")?.as_str()?;
    if !LENIENT_FORMATS.contains(&format) {
        return None;
    }
    let (ty, _, _) = CONVERTED_FORMATS.iter().find(|(_, f, _)| *f == format)?;
    let expected = format!(
        "`format: {format}` is written `anyOf: [{{type: {ty}}}, {{type: string, pattern: …}}]` beside the format, \
         so that standard validators accept the string form"
    );
    let branches = schema.get("anyOf").and_then(Value::as_sequence);
    let Some([number, string]) = branches.map(Vec::as_slice) else {
        return Some(Err(expected));
    };
    let shaped = schema.get("type").is_none()
        && number["type"].as_str() == Some(ty)
        && string["type"].as_str() == Some("string")
        && string["pattern"].as_str().is_some();
    if !shaped {
        return Some(Err(expected));
    }
    let nullable = |b: &Value| b["nullable"].as_bool() == Some(true);
    Some(Ok((ty, nullable(number) || nullable(string))))
}

/// The converted type, if `schema` has one of the converted formats.
pub fn converted_format(schema: &Value) -> Option<(&'static str, &'static str)> {
    let format = schema.get("format")?.as_str()?;

    CONVERTED_FORMATS
        .iter()
        .find(|(_, f, _)| *f == format)
        .map(|(ty, f, _)| (*ty, *f))
}

pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub struct Spec {
    /// The file stem: `specs/vellosim.yaml` is `vellosim`.
    pub name: String,
    pub path: PathBuf,
    pub root: PathBuf,
    pub doc: Value,
}

/// One operation of a spec, borrowed from its YAML.
pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub node: &'a Value,
}

impl Operation<'_> {
    pub fn id(&self) -> &str {
        self.node["operationId"].as_str().unwrap_or("<no operationId>")
    }

    /// How errors name an operation: `getRegions (GET /api/esim/regions)`.
    pub fn label(&self) -> String {
        format!("{} ({} {})", self.id(), self.method.to_uppercase(), self.path)
    }
}

/// A listing's `x-pagination`: how its pages are requested and where a page says what.
#[derive(Debug, PartialEq, Eq)]
pub struct Pagination {
    /// `page` (the `page` and `limit` query parameters) or `offset` (`offset` and `limit`).
    pub style: String,
    /// JSON pointer to the page's items in the response body (`/esims`).
    pub items: String,
    /// JSON pointer to the page count, if the page has one (`/meta/last_page`).
    pub total_pages: Option<String>,
    /// JSON pointer to the item count, if the page has one (`/count`).
    pub total_items: Option<String>,
}

impl Pagination {
    pub const STYLES: [&str; 2] = ["page", "offset"];

    /// The query parameter that says where a page starts (`page` or `offset`).
    pub fn position_param(&self) -> &str {
        &self.style
    }
}

impl Operation<'_> {
    /// The operation's `x-pagination`, if it has one; `Err` when it is malformed.
    pub fn pagination(&self) -> Result<Option<Pagination>, String> {
        let Some(ext) = self.node.get("x-pagination") else {
            return Ok(None);
        };
        let text = |key: &str| ext.get(key).and_then(Value::as_str).map(str::to_owned);
        let pointer = |key: &str| match text(key) {
            Some(p) if p.starts_with('/') && p.len() > 1 => Ok(Some(p)),
            None if ext.get(key).is_none() => Ok(None),
            other => Err(format!(
                "`x-pagination.{key}` must be a JSON pointer (`/items`), found {other:?}"
            )),
        };
        let style = text("style").unwrap_or_default();
        if !Pagination::STYLES.contains(&style.as_str()) {
            return Err(format!(
                "`x-pagination.style` must be one of {:?}, found {style:?}",
                Pagination::STYLES
            ));
        }
        let items = pointer("items")?.ok_or("`x-pagination.items` is missing")?;
        if let Some(mapping) = ext.as_mapping() {
            let known = ["style", "items", "total-pages", "total-items"];
            for key in mapping.keys().filter_map(Value::as_str) {
                if !known.contains(&key) {
                    return Err(format!("`x-pagination.{key}` is not one of {known:?}"));
                }
            }
        }
        Ok(Some(Pagination {
            style,
            items,
            total_pages: pointer("total-pages")?,
            total_items: pointer("total-items")?,
        }))
    }
}

/// A component schema that is a closed list of strings; it is generated as an open enum.
pub struct StringEnum {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
}

impl Spec {
    pub fn load_all(root: &Path) -> anyhow::Result<Vec<Spec>> {
        let dir = root.join("specs");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        paths.retain(|p| p.extension().is_some_and(|ext| ext == "yaml"));
        paths.sort();
        if paths.is_empty() {
            bail!("no specs/*.yaml found");
        }
        paths.into_iter().map(|p| Spec::load(root, p)).collect()
    }

    fn load(root: &Path, path: PathBuf) -> anyhow::Result<Spec> {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        Spec::parse(root, path, &text)
    }

    pub fn parse(root: &Path, path: PathBuf, text: &str) -> anyhow::Result<Spec> {
        let doc: Value = serde_yaml::from_str(text).with_context(|| format!("{}: not valid YAML", path.display()))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("spec file name is not UTF-8")?
            .to_owned();
        Ok(Spec {
            name,
            path,
            root: root.to_path_buf(),
            doc,
        })
    }

    pub fn display_path(&self) -> String {
        self.path
            .strip_prefix(&self.root)
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }

    /// Every provider `x` has its client in `crates/x-client`.
    pub fn crate_name(&self) -> String {
        format!("{}-client", self.name)
    }

    pub fn crate_ident(&self) -> String {
        self.crate_name().replace('-', "_")
    }

    /// The spec's name as a Rust identifier (`veloconnect-sms` → `veloconnect_sms`): its
    /// `esim` module.
    pub fn module_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The provider's `esim` subcommands, generated into the CLI crate.
    pub fn cli_file(&self) -> PathBuf {
        self.root
            .join("crates/esim/src/generated")
            .join(format!("{}.rs", self.module_name()))
    }

    /// The provider in Rust type names (`sandbox::Provider::PressOne`, `esim_market::PressOne`):
    /// `info.x-rust-name`, or the spec's name in PascalCase when that reads right.
    pub fn rust_name(&self) -> String {
        self.doc["info"]["x-rust-name"]
            .as_str()
            .map_or_else(|| pascal_case(&self.name), str::to_owned)
    }

    /// The URL of the `production` server, unless it is a template (PressOne names none).
    pub fn production_url(&self) -> Option<&str> {
        self.servers()
            .into_iter()
            .find(|(env, _)| *env == Some("production"))
            .and_then(|(_, url)| url)
            .filter(|url| !url.contains('{'))
    }

    /// Whether any operation documents a rate limit (`x-rate-limit`).
    pub fn has_rate_limits(&self) -> bool {
        self.operations().iter().any(|op| op.node.get("x-rate-limit").is_some())
    }

    pub fn crate_dir(&self) -> PathBuf {
        self.root.join("crates").join(self.crate_name())
    }

    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut ops = Vec::new();
        if let Some(paths) = self.doc["paths"].as_mapping() {
            for (path, item) in paths {
                let Some(path) = path.as_str() else { continue };
                for method in METHODS {
                    if let Some(node) = item.get(method) {
                        ops.push(Operation { path, method, node });
                    }
                }
            }
        }
        ops
    }

    /// operationIds whose `security` names no scheme at all (`[]` or `[{}]`).
    pub fn anonymous_operations(&self) -> Vec<String> {
        self.operations()
            .into_iter()
            .filter(|op| {
                op.node
                    .get("security")
                    .and_then(Value::as_sequence)
                    .is_some_and(|alternatives| {
                        alternatives
                            .iter()
                            .all(|a| a.as_mapping().is_some_and(|m| m.is_empty()))
                    })
            })
            .map(|op| snake_case(op.id()))
            .collect()
    }

    pub fn schemas(&self) -> Vec<(&str, &Value)> {
        self.doc["components"]["schemas"]
            .as_mapping()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?, v))).collect())
            .unwrap_or_default()
    }

    pub fn string_enums(&self) -> Vec<StringEnum> {
        self.schemas()
            .into_iter()
            .filter(|(_, s)| s["type"].as_str() == Some("string") && s.get("enum").is_some())
            .filter(|(_, s)| rust_type(s).is_none())
            .map(|(name, s)| StringEnum {
                name: name.to_owned(),
                description: s["description"].as_str().map(str::to_owned),
                values: s["enum"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            })
            .collect()
    }

    /// `servers` entries as `(x-environment, url)`.
    pub fn servers(&self) -> Vec<(Option<&str>, Option<&str>)> {
        self.doc["servers"]
            .as_sequence()
            .into_iter()
            .flatten()
            .map(|s| (s["x-environment"].as_str(), s["url"].as_str()))
            .collect()
    }
}

/// `x-body-failure` on an operation: its 200 is a refusal when the object at `pointer` (a
/// JSON pointer, `""` for the body) has `field` set to one of `values`.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyFailure {
    pub operation: String,
    pub pointer: String,
    pub field: String,
    pub values: Vec<String>,
}

/// How the spec's clients authenticate (its first security requirement's scheme).
#[derive(Debug, PartialEq, Eq)]
pub enum Credential {
    /// `type: apiKey, in: header`.
    ApiKey { header: String },
    /// `type: http, scheme: bearer` with `x-token-operation` (the operation that issues the
    /// token from a client id and secret) and `x-token-pointer` (where its answer has it).
    ClientCredentials { token_path: String, token_pointer: String },
    /// `x-body-credential: {fields: [..]}` at the top: fields of every JSON request body
    /// (OpenAPI 3.0 has no security scheme for that), with `security: []`.
    BodyFields { fields: Vec<String> },
}

impl Spec {
    pub fn credential(&self) -> Result<Credential, String> {
        if let Some(fields) = self.body_credential_fields() {
            return Ok(Credential::BodyFields { fields });
        }
        let scheme_name = self.doc["security"]
            .as_sequence()
            .and_then(|s| s.first())
            .and_then(Value::as_mapping)
            .and_then(|m| m.keys().next())
            .and_then(Value::as_str)
            .ok_or("top-level `security` names no scheme")?;
        let scheme = &self.doc["components"]["securitySchemes"][scheme_name];
        match (
            scheme["type"].as_str(),
            scheme["in"].as_str(),
            scheme["scheme"].as_str(),
        ) {
            (Some("apiKey"), Some("header"), _) => Ok(Credential::ApiKey {
                header: scheme["name"]
                    .as_str()
                    .ok_or("an apiKey scheme without `name`")?
                    .to_owned(),
            }),
            (Some("http"), _, Some("bearer")) => {
                let operation = scheme["x-token-operation"]
                    .as_str()
                    .ok_or(format!("bearer scheme `{scheme_name}` needs `x-token-operation`"))?;
                let token_pointer = scheme["x-token-pointer"]
                    .as_str()
                    .filter(|p| p.starts_with('/'))
                    .ok_or(format!(
                        "bearer scheme `{scheme_name}` needs `x-token-pointer` (a JSON pointer)"
                    ))?;
                let op = self
                    .operations()
                    .into_iter()
                    .find(|op| op.id() == operation)
                    .ok_or(format!("`x-token-operation: {operation}` names no operation"))?;
                Ok(Credential::ClientCredentials {
                    token_path: op.path.to_owned(),
                    token_pointer: token_pointer.to_owned(),
                })
            }
            _ => Err(format!(
                "security scheme `{scheme_name}`: only header API keys and bearer tokens are supported"
            )),
        }
    }

    /// Every operation's `x-body-failure` (`{pointer, field, values}`), by method name.
    pub fn body_failures(&self) -> Vec<BodyFailure> {
        self.operations()
            .iter()
            .filter_map(|op| {
                let rule = op.node.get("x-body-failure")?;
                Some(BodyFailure {
                    operation: snake_case(op.id()),
                    pointer: rule["pointer"].as_str()?.to_owned(),
                    field: rule["field"].as_str()?.to_owned(),
                    values: rule["values"]
                        .as_sequence()?
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                })
            })
            .collect()
    }

    /// The request-body fields `x-body-credential` names, if the spec has one.
    pub fn body_credential_fields(&self) -> Option<Vec<String>> {
        let fields = self.doc.get("x-body-credential")?.get("fields")?.as_sequence()?;
        Some(fields.iter().filter_map(Value::as_str).map(str::to_owned).collect())
    }

    /// The component schema name of `op`'s JSON success body, when it is a `$ref`.
    pub fn success_schema<'s>(&'s self, op: &Operation<'s>) -> Option<&'s str> {
        let responses = op.node["responses"].as_mapping()?;
        let (_, response) = responses.iter().find(|(code, _)| match code {
            Value::String(c) => c.starts_with('2'),
            Value::Number(n) => n.to_string().starts_with('2'),
            _ => false,
        })?;
        let response = match response["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/responses/"))
        {
            Some(name) => &self.doc["components"]["responses"][name],
            None => response,
        };
        response["content"]["application/json"]["schema"]["$ref"]
            .as_str()?
            .strip_prefix("#/components/schemas/")
    }

    /// Where the sandbox serves this provider: `/<name>` plus the production server's path
    /// (`https://partners-api.airalo.com/v2` → `/airalo/v2`).
    pub fn sandbox_mount(&self) -> String {
        let url = self.servers().first().and_then(|(_, url)| *url).unwrap_or_default();
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        format!("/{}{}", self.name, path.trim_end_matches('/'))
    }
}

/// The `x-rust-type` of a schema: `(crate, path)` of an existing Rust type that stands for it
/// (PressOne's Airalo-shaped schemas are Airalo's types).
pub fn rust_type(schema: &Value) -> Option<(&str, &str)> {
    let ext = schema.get("x-rust-type")?;
    Some((ext["crate"].as_str()?, ext["path"].as_str()?))
}

impl Spec {
    /// The crates whose types this spec borrows through `x-rust-type`.
    pub fn borrowed_crates(&self) -> std::collections::BTreeSet<String> {
        self.schemas()
            .into_iter()
            .filter_map(|(_, s)| rust_type(s))
            .map(|(krate, _)| krate.to_owned())
            .collect()
    }
}

/// `ACTIVE` → `Active`, `esim.created` → `EsimCreated`, `durationUnit` → `DurationUnit`.
pub fn pascal_case(value: &str) -> String {
    let mut out = String::new();
    let mut upper_next = true;
    let mut prev_lower = false;
    for c in value.chars() {
        if !c.is_ascii_alphanumeric() {
            upper_next = true;
            prev_lower = false;
            continue;
        }
        if upper_next || (prev_lower && c.is_ascii_uppercase()) {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        upper_next = false;
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// progenitor's method name (and `OperationInfo::operation_id`) for an operationId:
/// `getEsimsList` → `get_esims_list`.
pub fn snake_case(id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(id)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Credential, Spec, pascal_case, snake_case};

    #[test]
    fn the_sandbox_mount_and_the_credential_come_from_the_spec() {
        let text = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v2/", x-environment: production}]
security: [{Bearer: []}]
paths:
  /auth/token:
    post: {operationId: issueToken, security: [], responses: {"200": {description: ok}}}
components:
  securitySchemes:
    Bearer: {type: http, scheme: bearer, x-token-operation: issueToken, x-token-pointer: /token}
"#;
        let spec = Spec::parse(Path::new("/ws"), "/ws/specs/demo.yaml".into(), text).unwrap();
        assert_eq!(spec.sandbox_mount(), "/demo/v2");
        assert_eq!(
            spec.credential(),
            Ok(Credential::ClientCredentials {
                token_path: "/auth/token".into(),
                token_pointer: "/token".into()
            })
        );
        let keyed = text.replace("Bearer: []", "Key: []").replace(
            "Bearer: {type: http",
            "Key: {type: apiKey, in: header, name: X-Key}\n    Old: {type: http",
        );
        let spec = Spec::parse(Path::new("/ws"), "/ws/specs/demo.yaml".into(), &keyed).unwrap();
        assert_eq!(spec.credential(), Ok(Credential::ApiKey { header: "X-Key".into() }));
        let unnamed = text.replace("x-token-operation: issueToken, ", "");
        let spec = Spec::parse(Path::new("/ws"), "/ws/specs/demo.yaml".into(), &unnamed).unwrap();
        assert!(spec.credential().unwrap_err().contains("needs `x-token-operation`"));
    }

    #[test]
    fn snake_case_matches_progenitor_method_names() {
        assert_eq!(snake_case("requestAccessToken"), "request_access_token");
        assert_eq!(snake_case("getEsimsList"), "get_esims_list");
        assert_eq!(snake_case("orderOne"), "order_one");
        assert_eq!(snake_case("SendSMSMulti"), "send_sms_multi");
        assert_eq!(snake_case("GetSenderIDList"), "get_sender_id_list");
    }

    #[test]
    fn pascal_case_handles_provider_spellings() {
        assert_eq!(pascal_case("ACTIVE"), "Active");
        assert_eq!(pascal_case("GOT_RESOURCE"), "GotResource");
        assert_eq!(pascal_case("esim.data_updated"), "EsimDataUpdated");
        assert_eq!(pascal_case("BANK_TRANSFER"), "BankTransfer");
        assert_eq!(pascal_case("sim-only"), "SimOnly");
        assert_eq!(pascal_case("camelCase"), "CamelCase");
        assert_eq!(pascal_case("4G"), "V4G");
    }
}
