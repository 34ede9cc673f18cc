//! Every documented `example` in every spec decodes with the generated types: the examples
//! are the providers' own words, so a type that rejects one is wrong.

use integration_tests::examples::{decoder, examples};
use integration_tests::specs;

#[test]
fn every_spec_example_decodes() {
    let mut report = Vec::new();
    for (provider, doc) in specs() {
        let decode = decoder(&provider);
        let examples = examples(&doc);
        assert!(!examples.is_empty(), "specs/{provider}.yaml has no examples");
        let mut failures = Vec::new();
        for ex in &examples {
            for (schema, value) in ex.split() {
                match decode(&schema, &serde_json::to_vec(&value).unwrap()) {
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
