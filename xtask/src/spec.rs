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

    /// The provider's `esim` subcommands, generated into the CLI crate.
    pub fn cli_file(&self) -> PathBuf {
        self.root
            .join("crates/esim/src/generated")
            .join(format!("{}.rs", self.name))
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
    let mut out = String::new();
    let mut prev_lower = false;
    for c in id.chars() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{pascal_case, snake_case};

    #[test]
    fn snake_case_matches_progenitor_method_names() {
        assert_eq!(snake_case("requestAccessToken"), "request_access_token");
        assert_eq!(snake_case("getEsimsList"), "get_esims_list");
        assert_eq!(snake_case("orderOne"), "order_one");
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
