//! A mutation fuzzer for every client's response decoding: seeds are the specs' documented
//! examples; inputs are those seeds mutated byte-wise and JSON-wise and spliced together; each
//! input is decoded as a spec schema the way the clients decode responses, and fed to the
//! webhook parsers. A panic anywhere is a finding.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use crate::examples::{Decoder, Example, examples};

/// One provider's decoding surface.
pub struct Target {
    pub provider: String,
    decode: Decoder,
    /// Every component schema, with the seeds documented for it (possibly none).
    schemas: Vec<String>,
    seeds: Vec<Example>,
    /// Other entry points that read untrusted bytes (webhook bodies).
    extra: Vec<fn(&[u8])>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub inputs: u64,
    pub decoded: u64,
    pub rejected: u64,
    /// Inputs that made a decoder panic, with the schema (first few kept).
    pub panics: Vec<(String, Vec<u8>)>,
    pub panic_count: u64,
}

/// Every provider whose spec has a decoder, as a fuzz target.
pub fn targets() -> Vec<Target> {
    crate::specs()
        .into_iter()
        .map(|(provider, doc)| {
            let decode = crate::examples::decoder(&provider);
            let schemas = doc["components"]["schemas"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let extra: Vec<fn(&[u8])> = match provider.as_str() {
                "vellosim" => vec![|b| drop(vellosim_client::webhooks::parse(b))],
                "airalo" => vec![|b| drop(airalo_client::webhooks::parse(b)), |b| {
                    drop(airalo_client::signature::verify(
                        b,
                        &String::from_utf8_lossy(b),
                        "secret",
                    ))
                }],
                _ => vec![],
            };
            Target {
                seeds: examples(&doc),
                provider,
                decode,
                schemas,
                extra,
            }
        })
        .collect()
}

impl Target {
    /// A target with a custom decoder (the harness's self-test uses a panicking one).
    pub fn with_decoder(mut self, decode: Decoder) -> Self {
        self.decode = decode;
        self.extra.clear();
        self
    }

    /// Runs `inputs` inputs from the RNG seed `seed`; deterministic for a given pair.
    pub fn run(&self, inputs: u64, seed: u64) -> Report {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut report = Report::default();
        let seeds: Vec<(String, Vec<u8>)> = self
            .seeds
            .iter()
            .flat_map(|ex| ex.split())
            .map(|(schema, value)| (schema, serde_json::to_vec(&value).expect("examples serialize")))
            .collect();
        for _ in 0..inputs {
            let (schema, input) = if seeds.is_empty() || rng.u8(..) < 16 {
                (
                    self.schemas[rng.usize(..self.schemas.len())].clone(),
                    random_bytes(&mut rng),
                )
            } else {
                let (schema, base) = &seeds[rng.usize(..seeds.len())];
                let other = &seeds[rng.usize(..seeds.len())].1;
                // Mostly the seed's own schema; sometimes another, to cross shapes.
                let schema = if rng.u8(..) < 32 {
                    self.schemas[rng.usize(..self.schemas.len())].clone()
                } else {
                    schema.clone()
                };
                (schema, mutate(&mut rng, base, other))
            };
            report.inputs += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let result = (self.decode)(&schema, &input, &mut |_| {});
                for parse in &self.extra {
                    parse(&input);
                }
                result
            }));
            match outcome {
                Ok(Some(Ok(()))) => report.decoded += 1,
                Ok(_) => report.rejected += 1,
                Err(_) => {
                    report.panic_count += 1;
                    if report.panics.len() < 5 {
                        report.panics.push((schema, input));
                    }
                }
            }
        }
        report
    }
}

fn random_bytes(rng: &mut fastrand::Rng) -> Vec<u8> {
    let len = rng.usize(..64);
    (0..len).map(|_| rng.u8(..)).collect()
}

/// One of several mutations of `base` (with `other` for splicing).
fn mutate(rng: &mut fastrand::Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    match rng.u8(..8) {
        0 => json_mutation(rng, base).unwrap_or_else(|| base.to_vec()),
        1 | 2 => json_mutation(rng, base)
            .and_then(|once| json_mutation(rng, &once))
            .unwrap_or_else(|| base.to_vec()),
        3 => {
            let mut out = base.to_vec();
            for _ in 0..rng.usize(1..8) {
                if out.is_empty() {
                    break;
                }
                let at = rng.usize(..out.len());
                out[at] ^= 1 << rng.u8(..8);
            }
            out
        }
        4 => base[..rng.usize(..=base.len())].to_vec(),
        5 => {
            let mut out = base.to_vec();
            let at = rng.usize(..=out.len());
            let insert: &[u8] = [
                &b"null"[..],
                b"[",
                b"{",
                b"\"",
                b"-1e999",
                b"\\u0000",
                b"999999999999999999999",
                b",",
                b"}",
            ][rng.usize(..9)];
            out.splice(at..at, insert.iter().copied());
            out
        }
        6 => {
            let cut = rng.usize(..=base.len());
            let from = rng.usize(..=other.len());
            [&base[..cut], &other[from..]].concat()
        }
        _ => {
            let mut out = base.to_vec();
            if !out.is_empty() {
                let start = rng.usize(..out.len());
                let end = rng.usize(start..=out.len());
                out.drain(start..end);
            }
            out
        }
    }
}

/// Replaces one node of the JSON document with a value of another kind, removes or adds a key.
fn json_mutation(rng: &mut fastrand::Rng, base: &[u8]) -> Option<Vec<u8>> {
    let mut doc: Value = serde_json::from_slice(base).ok()?;
    let mut paths = Vec::new();
    collect_paths(&doc, &mut Vec::new(), &mut paths);
    let path = &paths[rng.usize(..paths.len())];
    let node = path.iter().try_fold(&mut doc, |node, step| match step {
        Step::Key(k) => node.get_mut(k.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })?;
    match rng.u8(..4) {
        0 if node.is_object() => {
            let keys: Vec<String> = node.as_object()?.keys().cloned().collect();
            if let Some(key) = keys.get(rng.usize(..keys.len().max(1))) {
                node.as_object_mut()?.remove(key);
            }
        }
        1 if node.is_object() => {
            node.as_object_mut()?
                .insert(format!("k{}", rng.u32(..)), odd_value(rng));
        }
        _ => *node = odd_value(rng),
    }
    serde_json::to_vec(&doc).ok()
}

enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(node: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(
        at.iter()
            .map(|s| match s {
                Step::Key(k) => Step::Key(k.clone()),
                Step::Index(i) => Step::Index(*i),
            })
            .collect(),
    );
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(Step::Key(key.clone()));
                collect_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                collect_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Values providers might plausibly send where something else was documented.
fn odd_value(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(..14) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => serde_json::json!(i64::MIN),
        3 => serde_json::json!(u64::MAX),
        4 => serde_json::json!(-0.5),
        5 => serde_json::json!(1.0e300),
        6 => Value::String(String::new()),
        7 => Value::String("22.50".into()),
        8 => Value::String("NaN".into()),
        9 => Value::String("ü\u{0}\u{1F600}".repeat(rng.usize(1..50))),
        10 => serde_json::json!([]),
        11 => serde_json::json!({}),
        12 => serde_json::json!([[[[[[[[[[[[1]]]]]]]]]]]]),
        _ => Value::String("9".repeat(rng.usize(1..80))),
    }
}
