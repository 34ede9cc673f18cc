//! New and changed doc examples, decoded with our generated types. The xtask does not depend
//! on the generated crates (it writes them), so the examples go to a file that the
//! integration tests' `decode_doc_examples` example decodes through
//! `provider_clients::PROVIDERS[..].decode_component`, the client's own decoding.

use std::process::Command;

use anyhow::Context;
use serde_json::json;

use super::diff::{Change, Kind};
use super::pages::Page;
use crate::spec::Spec;

/// Fills `decodes` on every example change that our operation has a response type for.
pub fn decode(specs: &[Spec], pages: &[Page], changes: &mut [Change]) -> anyhow::Result<()> {
    let mut items = Vec::new();
    let mut targets = Vec::new();
    for (i, change) in changes.iter_mut().enumerate() {
        let (Kind::Example, Some(id), Some(example)) = (change.kind, &change.operation, &change.example) else {
            continue;
        };
        let spec = specs.iter().find(|s| s.name == change.provider);
        let op = pages.iter().flat_map(|p| &p.operations).find(|o| &o.id == id);
        match spec
            .zip(op)
            .and_then(|(spec, op)| schema(spec, &op.path, &op.method, &change.pointer))
        {
            Some(schema) => {
                let body = example
                    .get("value")
                    .filter(|_| change.pointer.contains("/examples/") && !change.pointer.starts_with("/page"))
                    .unwrap_or(example);
                items.push(json!({"provider": change.provider, "schema": schema, "body": body}));
                targets.push(i);
            }
            None => change.decodes = Some("no response type here".into()),
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    // The decoder is this workspace's, whatever root the specs were read from.
    let workspace = crate::workspace_root();
    let dir = crate::background::target_dir(&workspace)?.join("docs-check");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("examples.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&items)?)?;
    eprintln!("docs-check: decoding {} examples with the generated types", items.len());
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&workspace)
        .args([
            "run",
            "--quiet",
            "--locked",
            "-p",
            "integration-tests",
            "--example",
            "decode_doc_examples",
            "--",
        ])
        .arg(&file)
        .output()
        .context("running the examples' decoder")?;
    let verdicts: Vec<String> = if output.status.success() {
        serde_json::from_slice(&output.stdout).context("reading the decoder's verdicts")?
    } else {
        let why = format!(
            "not checked: the decoder failed ({})",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
        vec![why; items.len()]
    };
    for (i, verdict) in targets.into_iter().zip(verdicts) {
        changes[i].decodes = Some(verdict);
    }
    Ok(())
}

/// The component schema our operation's response at the example's pointer decodes as: the
/// `$ref` of `/responses/<code>/content/<type>/schema`, or the success response's for an
/// example in the page's own text.
pub(super) fn schema(spec: &Spec, path: &str, method: &str, pointer: &str) -> Option<String> {
    let op = &spec.doc["paths"][path][method];
    let (code, media) = if pointer.starts_with("/page/") {
        let responses = op["responses"].as_mapping()?;
        let code = responses
            .keys()
            .filter_map(|k| k.as_str())
            .find(|c| c.starts_with('2'))?
            .to_owned();
        (code, "application/json".to_owned())
    } else {
        let mut parts = pointer.trim_start_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("responses"), Some(code), Some("content"), Some(media)) => {
                (code.to_owned(), media.replace("~1", "/"))
            }
            _ => return None,
        }
    };
    let schema = &op["responses"][code.as_str()]["content"][media.as_str()]["schema"];
    let reference = schema.get("$ref").and_then(serde_yaml::Value::as_str)?;
    reference.strip_prefix("#/components/schemas/").map(str::to_owned)
}
