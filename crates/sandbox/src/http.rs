//! Response helpers every provider module uses.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::rate_limit::Exceeded;

/// A JSON response with `status`.
pub fn json(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// 429 with `Retry-After` and the `X-RateLimit-*` headers Airalo documents (harmless
/// extras for the others).
pub fn too_many_requests(exceeded: Exceeded, body: Value) -> Response {
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).expect("ascii header"));
    };
    set("retry-after", exceeded.retry_after.to_string());
    set("x-ratelimit-limit", exceeded.limit.to_string());
    set("x-ratelimit-remaining", "0".to_owned());
    set("x-ratelimit-reset", exceeded.reset.to_string());
    (StatusCode::TOO_MANY_REQUESTS, headers, Json(body)).into_response()
}

/// Paths no provider serves.
pub async fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        serde_json::json!({"message": "not found in the sandbox"}),
    )
}

/// `url?query` with `page` set to `page`: the pagination links Airalo and PressOne send.
pub fn page_link(url: &str, query: &[(String, String)], page: u64) -> String {
    let mut pairs: Vec<(&str, String)> = query
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    pairs.push(("page", page.to_string()));
    format!("{url}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}
