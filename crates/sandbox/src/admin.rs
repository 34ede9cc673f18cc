//! `/_sandbox`: controls that no provider has, for tests and demos driven over HTTP
//! (the CLI, other languages): skip simulated time, read delivered webhooks and request
//! counts, revoke the bearer tokens issued so far, switch the SMS platform's IP whitelist and read its
//! outbox, fetch the QR payload an eSIM's
//! `qrcode_url` points at.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::Shared;
use crate::clock::rfc3339;

pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .route("/clock", get(clock))
        .route("/clock/skip", post(skip))
        .route("/webhooks", get(webhooks))
        .route("/stats", get(stats))
        .route("/tokens/revoke", post(revoke))
        .route("/qr/{payload}", get(qr))
        .route("/veloconnect-sms/ip-whitelist", post(sms_whitelist))
        .route("/veloconnect-sms/outbox", get(sms_outbox))
        .with_state(shared)
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({
        "now": rfc3339(shared.clock.now()),
        "skipped_seconds": shared.clock.skipped().as_secs(),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct Skip {
    seconds: u64,
}

async fn skip(State(shared): State<Arc<Shared>>, Json(skip): Json<Skip>) -> Response {
    shared.skip(Duration::from_secs(skip.seconds));
    clock(State(shared)).await
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.stats.snapshot()).into_response()
}

async fn revoke(State(shared): State<Arc<Shared>>) -> Response {
    shared.revoke_tokens();
    StatusCode::NO_CONTENT.into_response()
}

async fn webhooks(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.webhooks.deliveries()).into_response()
}

#[derive(Deserialize)]
struct Whitelist {
    whitelisted: bool,
}

/// `{"whitelisted": false}`: the SMS platform refuses calls with "IP not Whitelisted".
async fn sms_whitelist(State(shared): State<Arc<Shared>>, Json(body): Json<Whitelist>) -> Response {
    shared.sms.set_ip_whitelisted(body.whitelisted);
    StatusCode::NO_CONTENT.into_response()
}

async fn sms_outbox(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.sms.outbox()).into_response()
}

/// The text a QR code image would encode (the LPA activation string). A real image would
/// need an image encoder for no gain in a test.
async fn qr(Path(payload): Path<String>) -> Response {
    (StatusCode::OK, [("content-type", "text/plain; charset=utf-8")], payload).into_response()
}
