//! Decodes documentation examples with the generated types, for `cargo xtask docs-check`
//! (which cannot depend on the crates it generates): reads `[{provider, schema, body}]` from
//! the file named on the command line and prints one verdict per example, as a JSON array.

use integration_tests::examples::decoder;
use serde::Deserialize;

#[derive(Deserialize)]
struct Item {
    provider: String,
    schema: String,
    body: serde_json::Value,
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: decode_doc_examples <examples.json>");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let items: Vec<Item> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let verdicts: Vec<String> = items
        .iter()
        .map(|item| {
            let body = serde_json::to_vec(&item.body).expect("a JSON value encodes");
            // Keys the types would drop: accepted, but not kept.
            let mut dropped = Vec::new();
            match decoder(&item.provider)(&item.schema, &body, &mut |key| dropped.push(key.pointer)) {
                Some(Ok(())) if dropped.is_empty() => format!("yes, as {}", item.schema),
                Some(Ok(())) => format!("yes, as {}, dropping {}", item.schema, dropped.join(", ")),
                Some(Err(err)) => format!("no, as {}: {err}", item.schema),
                None => format!("no generated type {}", item.schema),
            }
        })
        .collect();
    println!("{}", serde_json::to_string(&verdicts).expect("strings encode"));
}
