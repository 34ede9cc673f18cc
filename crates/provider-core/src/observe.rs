//! Observe mode: noticing keys a provider sends that our typed models do not declare.
//!
//! A typed decode skips an undeclared key silently. With [`Observe`] on, the decode of a
//! success body goes through `serde_ignored` instead, on the same parse, and each skipped key
//! is reported once per process per (provider, operation, pointer): a `tracing` WARN event
//! and the counter `provider.response.undeclared_fields`. Array indexes are collapsed to `*`
//! in the pointer (`/data/*/simable/net_price`), so one new field of a list's items is one
//! finding. The value is never reported (it may be personal data), only its JSON type.
//!
//! `cargo xtask payload-check` reads recorded traffic with the same decode ([`check`], behind
//! each generated `decode_component`), so a field found in production and one found in a HAR
//! file are named alike.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use progenitor_client::{Error, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Which success bodies a client checks for undeclared keys (`ClientConfig::observe`).
/// Off by default: a service opts in, for every answer or for a sample of 1 in N.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observe {
    /// 0: off; 1: every answer; N: one answer in N (per client).
    one_in: u32,
}

impl Observe {
    pub const OFF: Observe = Observe { one_in: 0 };
    pub const EVERY_ANSWER: Observe = Observe { one_in: 1 };

    /// One success body in `n` per client is checked (`n = 1`: every one).
    pub const fn one_in(n: NonZeroU32) -> Self {
        Observe { one_in: n.get() }
    }

    pub const fn is_on(self) -> bool {
        self.one_in != 0
    }
}

/// One key a typed decode skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undeclared {
    /// JSON pointer with array indexes collapsed to `*`: `/data/*/simable/net_price`.
    pub pointer: String,
    /// JSON pointer to this occurrence: `/data/3/simable/net_price`.
    pub at: String,
}

/// Decodes `body` as `T` exactly as `serde_json::from_slice` does, calling `found` with each
/// key the type skipped (the outermost one: the inside of a skipped value is not visited).
pub fn decode_noting_undeclared<T: DeserializeOwned>(
    body: &[u8],
    mut found: impl FnMut(Undeclared),
) -> Result<T, serde_json::Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let value = serde_ignored::deserialize(&mut json, |path| {
        found(Undeclared {
            pointer: pointer(&path, true),
            at: pointer(&path, false),
        })
    })?;
    json.end()?;
    Ok(value)
}

/// Why a body did not decode as a type: where (a JSON pointer) and serde's message.
#[derive(Debug)]
pub struct Undecodable {
    /// JSON pointer with array indexes collapsed to `*`.
    pub pointer: String,
    /// JSON pointer to the value that failed.
    pub at: String,
    pub error: serde_json::Error,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {:?}: {}", self.at, self.error)
    }
}

impl std::error::Error for Undecodable {}

/// Decodes `body` as `T` the way the clients do and drops the value: `undeclared` hears of
/// each skipped key, and a failure says where it happened. The generated `decode_component`
/// of each client calls it; `cargo xtask payload-check` and the spec-example test read it.
pub fn check<T: DeserializeOwned>(body: &[u8], undeclared: &mut dyn FnMut(Undeclared)) -> Result<(), Undecodable> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut noted = |path: serde_ignored::Path<'_>| {
        undeclared(Undeclared {
            pointer: pointer(&path, true),
            at: pointer(&path, false),
        })
    };
    let decoded: Result<T, _> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut json, &mut noted));
    match decoded {
        Ok(_) => json.end().map_err(|error| Undecodable {
            pointer: String::new(),
            at: String::new(),
            error,
        }),
        Err(e) => {
            let (pointer, at) = failure_pointers(e.path());
            Err(Undecodable {
                pointer,
                at,
                error: e.into_inner(),
            })
        }
    }
}

/// The JSON type of the value at `pointer` in `value`: `null`, `boolean`, `number`, `string`,
/// `array` or `object` (`"absent"` when nothing is there).
pub fn json_type(value: &Value, pointer: &str) -> &'static str {
    match value.pointer(pointer) {
        None => "absent",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// Findings kept per process; past this, new ones are no longer remembered or reported (a
/// provider changing everything at once is noticed long before).
const MAX_FINDINGS: usize = 4096;

/// A finding: (provider, operation, pointer).
type Finding = (&'static str, &'static str, String);

/// Findings already reported in this process.
static REPORTED: Mutex<Option<HashSet<Finding>>> = Mutex::new(None);

/// The observe state of one client.
#[derive(Debug)]
pub(crate) struct Observer {
    provider: &'static str,
    mode: Observe,
    answers: AtomicU32,
}

impl Observer {
    pub(crate) fn new(provider: &'static str, mode: Observe) -> Self {
        Self {
            provider,
            mode,
            answers: AtomicU32::new(0),
        }
    }

    /// Progenitor's `ResponseValue::from_response`, untouched when this answer is not observed.
    pub(crate) async fn decode<T: DeserializeOwned, E>(
        &self,
        response: reqwest::Response,
        info: &OperationInfo,
    ) -> Result<ResponseValue<T>, Error<E>> {
        if !self.sampled() {
            return ResponseValue::from_response(response).await;
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
        let mut new = Vec::new();
        let decoded = decode_noting_undeclared(&body, |found| {
            if self.first_report(info.operation_id, &found.pointer) {
                new.push(found);
            }
        });
        let inner = match decoded {
            Ok(inner) => inner,
            Err(err) => return Err(Error::InvalidResponsePayload(body, err)),
        };
        if !new.is_empty() {
            self.report(info.operation_id, &body, &new);
        }
        Ok(ResponseValue::new(inner, status, headers))
    }

    fn sampled(&self) -> bool {
        match self.mode.one_in {
            0 => false,
            1 => true,
            n => self.answers.fetch_add(1, Ordering::Relaxed).is_multiple_of(n),
        }
    }

    /// True the first time this process sees `pointer` for the operation.
    fn first_report(&self, operation: &'static str, pointer: &str) -> bool {
        let mut reported = REPORTED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let reported = reported.get_or_insert_with(HashSet::new);
        if reported.len() >= MAX_FINDINGS {
            return false;
        }
        reported.insert((self.provider, operation, pointer.to_owned()))
    }

    /// Warns about new findings; the body is parsed again only for their JSON types, which
    /// happens once per finding per process.
    fn report(&self, operation: &'static str, body: &[u8], new: &[Undeclared]) {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        for found in new {
            tracing::warn!(
                provider = self.provider,
                operation,
                pointer = %found.pointer,
                json_type = json_type(&value, &found.at),
                "the provider sent a field our spec does not declare (observe mode)"
            );
            metrics::counter!(
                "provider.response.undeclared_fields",
                "provider" => self.provider,
                "operation" => operation,
            )
            .increment(1);
        }
    }
}

/// A `serde_ignored` path as a JSON pointer; `collapse` writes array indexes as `*`.
fn pointer(path: &serde_ignored::Path<'_>, collapse: bool) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => {
            let parent = pointer(parent, collapse);
            if collapse {
                format!("{parent}/*")
            } else {
                format!("{parent}/{index}")
            }
        }
        Path::Map { parent, key } => {
            let key = key.replace('~', "~0").replace('/', "~1");
            format!("{}/{key}", pointer(parent, collapse))
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            pointer(parent, collapse)
        }
    }
}

/// A `serde_path_to_error` path as (collapsed, exact) JSON pointers.
fn failure_pointers(path: &serde_path_to_error::Path) -> (String, String) {
    use serde_path_to_error::Segment;
    let (mut collapsed, mut exact) = (String::new(), String::new());
    for segment in path.iter() {
        let (c, e) = match segment {
            Segment::Seq { index } => ("*".to_owned(), index.to_string()),
            Segment::Map { key } => {
                let key = key.replace('~', "~0").replace('/', "~1");
                (key.clone(), key)
            }
            Segment::Enum { .. } | Segment::Unknown => continue,
        };
        collapsed.push('/');
        collapsed.push_str(&c);
        exact.push('/');
        exact.push_str(&e);
    }
    (collapsed, exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Read only by the decode under test.
    #[allow(dead_code)]
    #[derive(serde::Deserialize, Debug)]
    struct Page {
        data: Vec<Item>,
    }

    #[allow(dead_code)]
    #[derive(serde::Deserialize, Debug)]
    struct Item {
        id: u64,
        order: Option<Order>,
    }

    #[allow(dead_code)]
    #[derive(serde::Deserialize, Debug)]
    struct Order {
        price: String,
    }

    #[test]
    fn skipped_keys_are_named_by_collapsed_pointer_and_occurrence() {
        let body = br#"{"data":[{"id":1},{"id":2,"order":{"price":"1","net/price":3.2}}],"meta":{"x":1}}"#;
        let mut found = Vec::new();
        let _: Page = decode_noting_undeclared(body, |u| found.push(u)).unwrap();
        assert_eq!(
            found,
            [
                Undeclared {
                    pointer: "/data/*/order/net~1price".into(),
                    at: "/data/1/order/net~1price".into(),
                },
                Undeclared {
                    pointer: "/meta".into(),
                    at: "/meta".into(),
                },
            ]
        );
        let value: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(json_type(&value, &found[0].at), "number");
        assert_eq!(json_type(&value, &found[1].at), "object");
    }

    #[test]
    fn the_decode_fails_as_serde_json_does() {
        let err = decode_noting_undeclared::<Page>(br#"{"data":[{"id":"x"}]}"#, |_| {}).unwrap_err();
        let plain = serde_json::from_slice::<Page>(br#"{"data":[{"id":"x"}]}"#)
            .err()
            .unwrap();
        assert_eq!(err.to_string(), plain.to_string());
        assert!(decode_noting_undeclared::<Page>(br#"{"data":[]} trailing"#, |_| {}).is_err());
    }

    #[test]
    fn a_check_names_where_a_body_fails_and_what_it_skipped() {
        let mut found = Vec::new();
        let body = br#"{"data":[{"id":1,"extra":true},{"id":2,"order":{"price":5}}]}"#;
        let err = check::<Page>(body, &mut |u| found.push(u)).unwrap_err();
        assert_eq!(
            (err.pointer.as_str(), err.at.as_str()),
            ("/data/*/order/price", "/data/1/order/price")
        );
        assert!(err.error.to_string().contains("invalid type: integer `5`"), "{err}");
        assert_eq!(found[0].pointer, "/data/*/extra");
        assert!(check::<Page>(br#"{"data":[]}"#, &mut |_| panic!("nothing skipped")).is_ok());
        let trailing = check::<Page>(br#"{"data":[]} x"#, &mut |_| {}).unwrap_err();
        assert_eq!(trailing.pointer, "");
    }

    #[test]
    fn sampling_checks_one_answer_in_n() {
        let observer = Observer::new("demo", Observe::one_in(NonZeroU32::new(3).unwrap()));
        let sampled: Vec<bool> = (0..6).map(|_| observer.sampled()).collect();
        assert_eq!(sampled, [true, false, false, true, false, false]);
        assert!(!Observer::new("demo", Observe::OFF).sampled());
        assert!(Observer::new("demo", Observe::EVERY_ANSWER).sampled());
    }

    #[test]
    fn each_finding_is_reported_once_per_process() {
        let observer = Observer::new("once-demo", Observe::EVERY_ANSWER);
        assert!(observer.first_report("op", "/a"));
        assert!(!observer.first_report("op", "/a"));
        assert!(observer.first_report("other_op", "/a"));
        assert!(Observer::new("once-demo-2", Observe::EVERY_ANSWER).first_report("op", "/a"));
    }
}
