//! Every documented `example` in every spec decodes with the generated types, and every key
//! in it is one the types keep: the examples are the providers' own words, so a type that
//! rejects one, or drops part of one, is wrong.

use integration_tests::examples::{decoder, examples};
use integration_tests::specs;

#[test]
fn every_spec_example_decodes() {
    let mut report = Vec::new();
    for (provider, doc) in specs() {
        let decode = decoder(&provider);
        let examples = examples(&doc);
        assert!(!examples.is_empty(), "specs/{provider}.yaml has no examples");
        // The runtime adds these to request bodies; the generated types leave them out.
        let credential_fields: Vec<String> = doc["x-body-credential"]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| Some(format!("/{}", f.as_str()?)))
            .collect();
        let mut failures = Vec::new();
        for ex in &examples {
            for (schema, value) in ex.split() {
                let mut dropped = Vec::new();
                let decoded = decode(&schema, &serde_json::to_vec(&value).unwrap(), &mut |u| {
                    if !credential_fields.contains(&u.pointer) {
                        dropped.push(u.pointer)
                    }
                });
                if !dropped.is_empty() {
                    failures.push(format!("{} as {schema}: undeclared {}", ex.at, dropped.join(", ")));
                }
                match decoded {
                    Some(Ok(())) => {}
                    Some(Err(err)) => failures.push(format!("{} as {schema}: {err}", ex.at)),
                    None => failures.push(format!("{}: no generated type for schema {schema}", ex.at)),
                }
            }
        }
        assert!(failures.is_empty(), "specs/{provider}.yaml:\n{}", failures.join("\n"));
        report.push(format!("{provider}: {} examples", examples.len()));
    }
    insta::assert_snapshot!(report.join("\n"));
}
