//! What the sandbox was asked, for tests and `cargo xtask fleet`: requests and 429 answers
//! per method and path, so that a test can tell how many token requests a fleet made and
//! whether any call went over a documented limit.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::Shared;

/// Counts by `"METHOD /path"` (the path as called, e.g. `POST /airalo/v2/token`).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub requests: BTreeMap<String, u64>,
    pub rate_limited: BTreeMap<String, u64>,
}

impl Stats {
    /// Requests whose key ends with `suffix` (e.g. `"/token"` or `"/usage"`), with their 429s.
    pub fn count(&self, suffix: &str) -> (u64, u64) {
        let sum = |map: &BTreeMap<String, u64>| map.iter().filter(|(k, _)| k.ends_with(suffix)).map(|(_, n)| n).sum();
        (sum(&self.requests), sum(&self.rate_limited))
    }

    /// Every 429 the sandbox answered.
    pub fn total_rate_limited(&self) -> u64 {
        self.rate_limited.values().sum()
    }
}

#[derive(Default)]
pub(crate) struct Recorder {
    stats: Mutex<Stats>,
}

impl Recorder {
    pub fn snapshot(&self) -> Stats {
        self.stats.lock().unwrap().clone()
    }
}

pub(crate) async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let key = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    let mut stats = shared.stats.stats.lock().unwrap();
    *stats.requests.entry(key.clone()).or_default() += 1;
    if response.status() == axum::http::StatusCode::TOO_MANY_REQUESTS {
        *stats.rate_limited.entry(key).or_default() += 1;
    }
    response
}
