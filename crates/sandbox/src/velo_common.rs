//! What the Vellosim and VeloConnect simulations share: request input read by hand, and
//! the simulated data usage.
//!
//! axum's own extractor rejections answer `text/plain`, which no spec declares; reading
//! the query as pairs and the body as bytes lets every malformed input get the provider's
//! JSON error.

use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::catalogue::USAGE_MB_PER_HOUR;

/// A refused request's answer, boxed to keep the `Result`s that carry it small.
pub struct Reject(Box<Response>);

impl From<Response> for Reject {
    fn from(response: Response) -> Reject {
        Reject(Box::new(response))
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a handler answers: success, or the provider's error.
pub type Reply = Result<Response, Reject>;

/// A query string as `(name, value)` pairs; repeated names (`?areaIds=1&areaIds=2`) stay.
pub struct Params(Vec<(String, String)>);

/// What the extractor hands a handler: the pairs, or why the query could not be read.
pub type RawParams = Result<Query<Vec<(String, String)>>, QueryRejection>;

impl Params {
    pub fn read(raw: RawParams) -> Result<Params, String> {
        raw.map(|Query(pairs)| Params(pairs))
            .map_err(|err| format!("malformed query string: {err}"))
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    pub fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// `name` as an integer, if present.
    pub fn int(&self, name: &str) -> Result<Option<i64>, String> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| format!("`{name}` must be an integer, got {v:?}"))
            })
            .transpose()
    }
}

/// A request body that must be a JSON object.
pub fn json_object(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, String> {
    let body = body.map_err(|err| format!("unreadable body: {err}"))?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(err) => Err(format!("the body is not valid JSON: {err}")),
    }
}

/// An optional string field of a JSON body; any other type is an error.
pub fn opt_str<'a>(body: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{name}` must be a string")),
    }
}

/// A required integer field of a JSON body.
pub fn req_int(body: &Map<String, Value>, name: &str) -> Result<i64, String> {
    body.get(name)
        .ok_or_else(|| format!("`{name}` is required"))?
        .as_i64()
        .ok_or_else(|| format!("`{name}` must be an integer"))
}

/// Bytes an active eSIM uses between `from` and `to`, at `catalogue::USAGE_MB_PER_HOUR`
/// (MB as the catalogue counts them: MiB).
pub fn bytes_used(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    let millis = u64::try_from((to - from).num_milliseconds()).unwrap_or(0);
    let per_hour = USAGE_MB_PER_HOUR * 1024 * 1024;
    u64::try_from(u128::from(millis) * u128::from(per_hour) / 3_600_000).unwrap_or(u64::MAX)
}

/// When an eSIM that started at `from` with `bytes` left runs out of data.
pub fn runs_out(from: DateTime<Utc>, bytes: u64) -> DateTime<Utc> {
    let per_hour = u128::from(USAGE_MB_PER_HOUR * 1024 * 1024);
    let millis = (u128::from(bytes) * 3_600_000).div_ceil(per_hour);
    i64::try_from(millis)
        .ok()
        .and_then(chrono::TimeDelta::try_milliseconds)
        .and_then(|d| from.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
