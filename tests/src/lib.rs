//! Helpers for the workspace's cross-crate tests: reading the specs' documented examples,
//! a scripted HTTP server for faults, a real Valkey/Redis server, captured log output, and
//! `payload-check` (recorded traffic against the specs, for `cargo xtask payload-check`).

pub mod examples;
pub mod fuzz;
pub mod logs;
pub mod payload_check;
pub mod redis_server;
pub mod scripted;

use std::path::PathBuf;

use serde_json::Value;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// Every `specs/*.yaml`, as `(provider name, document)`, sorted by name.
pub fn specs() -> Vec<(String, Value)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("specs"))
        .expect("specs/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, doc)
        })
        .collect()
}

pub fn spec(name: &str) -> Value {
    specs()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no specs/{name}.yaml"))
        .1
}

/// The operation with `operation_id`.
pub fn operation<'a>(spec: &'a Value, operation_id: &str) -> &'a Value {
    spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id}"))
}

/// The documented example of an operation's success response: `example`, or the named one
/// of `examples` (`name` is ignored when there is a single `example`).
pub fn response_example(spec: &Value, operation_id: &str, name: &str) -> Value {
    let op = operation(spec, operation_id);
    let responses = op["responses"].as_object().unwrap();
    let (_, success) = responses.iter().find(|(code, _)| code.starts_with('2')).unwrap();
    media_example(&success["content"]["application/json"], name)
}

/// A named example of an operation's request body.
pub fn request_example(spec: &Value, operation_id: &str, name: &str) -> Value {
    let content = operation(spec, operation_id)["requestBody"]["content"]
        .as_object()
        .expect("a request body");
    media_example(content.values().next().expect("one media type"), name)
}

/// A named example of a shared response under `components.responses`.
pub fn component_response_example(spec: &Value, response: &str, name: &str) -> Value {
    media_example(
        &spec["components"]["responses"][response]["content"]["application/json"],
        name,
    )
}

fn media_example(media: &Value, name: &str) -> Value {
    if let Some(example) = media.get("example") {
        return example.clone();
    }
    let value = media["examples"][name]["value"].clone();
    assert!(!value.is_null(), "no example named {name}");
    value
}
