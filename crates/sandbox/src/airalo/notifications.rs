//! Notification opt-in and opt-out, and the webhook simulator.
//!
//! As Airalo does, opting a webhook URL in first sends it a HEAD request, which must answer
//! 200: the endpoint has to serve HEAD as well as POST. Otherwise the opt-in is refused
//! (422 on `webhook_url`; Airalo's wording is not public). A test that wants only the
//! recorded deliveries can pass a URL to `Config::webhook_urls` instead, which is not checked.
//! Like the deliveries, the check speaks HTTPS only where the binary embedding the sandbox
//! has TLS for reqwest (`esim` has; the bare `sandbox` binary reaches `http://` URLs only).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Airalo, request_id};
use crate::airalo_shaped::offer::Pkg;
use crate::airalo_shaped::orders::{Include, Order};
use crate::airalo_shaped::wire::{Fields, Reply, body, invalid_field, not_found, success, usd};
use crate::catalogue;
use crate::http::json;

type Body = Result<Bytes, BytesRejection>;

const TYPES: [&str; 5] = [
    "async_orders",
    "webhook_low_data",
    "email_low_data",
    "webhook_credit_limit",
    "email_credit_limit",
];

pub async fn opt_in(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, bytes: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let mut fields = Fields::new(&body);
    let kind = fields.one_of("type", true, &TYPES).unwrap_or_default();
    let by_email = kind.starts_with("email_");
    let contact = if by_email {
        let email = fields.string("email", true);
        if email.as_deref().is_some_and(|e| !e.contains('@')) {
            fields.fail("email", "The email must be a valid email address.");
        }
        email
    } else {
        let url = fields.string("webhook_url", !kind.is_empty());
        if url
            .as_deref()
            .is_some_and(|u| !u.starts_with("http://") && !u.starts_with("https://"))
        {
            fields.fail("webhook_url", "The webhook url format is invalid.");
        }
        url
    };
    let language = fields.string("language", false);
    let levels = match body.get("levels") {
        Some(Value::Array(levels)) if kind.ends_with("credit_limit") => {
            let valid: Vec<i64> = levels
                .iter()
                .filter_map(Value::as_i64)
                .filter(|l| [50, 70, 80, 90].contains(l))
                .collect();
            if valid.len() != levels.len() {
                fields.fail("levels", "Each level must be one of 50, 70, 80, 90.");
            }
            Some(valid)
        }
        _ => None,
    };
    fields.check()?;
    if let Some(url) = contact.as_deref().filter(|_| !by_email) {
        head_check(url).await?;
    }
    let mut notification = json!({"type": kind, "contact_point": contact});
    if let Some(language) = language.filter(|_| by_email) {
        notification["language"] = json!(language);
    }
    if let Some(levels) = levels {
        notification["levels"] = json!(levels);
    }
    let mut extra = airalo.extra();
    extra.subscriptions.retain(|s| s["type"] != kind);
    extra.subscriptions.push(notification.clone());
    Ok(success(json!({ "notification": notification })))
}

/// The HEAD request Airalo sends a webhook URL on opt-in: anything but 200 refuses it.
async fn head_check(url: &str) -> Result<(), axum::response::Response> {
    let answer = reqwest::Client::new()
        .head(url)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await;
    let problem = match answer {
        Ok(response) if response.status() == StatusCode::OK => return Ok(()),
        Ok(response) => format!("answered {}", response.status().as_u16()),
        Err(err) if err.is_timeout() => "did not answer within 10 seconds".to_owned(),
        Err(_) => "could not be reached".to_owned(),
    };
    Err(invalid_field(
        "webhook_url",
        format!("The webhook url must answer a HEAD request with 200; it {problem}."),
    ))
}

/// GET /notifications/opt-in: no parameter picks a type, so the latest opt-in is shown.
pub async fn subscription(State(airalo): State<Arc<Airalo>>, headers: HeaderMap) -> Reply {
    airalo.api.authorize(&headers)?;
    let latest = airalo.extra().subscriptions.last().cloned().ok_or_else(not_found)?;
    Ok(success(json!({ "notification": latest })))
}

pub async fn opt_out(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, bytes: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let mut fields = Fields::new(&body);
    let kind = fields.one_of("type", true, &TYPES);
    fields.check()?;
    airalo
        .extra()
        .subscriptions
        .retain(|s| s["type"] != kind.as_deref().unwrap_or_default());
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// POST /simulator/webhook: sends a sample notification; places no order, moves no money.
pub async fn simulate(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, bytes: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    airalo
        .api
        .limit("simulator", crate::airalo_shaped::Limit::per_minute(5))?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let mut fields = Fields::new(&body);
    let event = fields.one_of(
        "event",
        true,
        &[
            "low_data_notification",
            "credit_limit_notification",
            "async_order_notification",
        ],
    );
    let low_data = event.as_deref() == Some("low_data_notification");
    let credit = event.as_deref() == Some("credit_limit_notification");
    let kind = fields.one_of("type", low_data, &["data_75", "data_90", "expire_1", "expire_3"]);
    let level = fields.integer("level", credit, 50..=90);
    if level.is_some_and(|l| ![50, 70, 80, 90].contains(&l)) {
        fields.fail("level", "The selected level is invalid.");
    }
    let iccid = fields.string("iccid", false);
    let own_url = fields.string("webhook_url", false);
    fields.check()?;
    let opt_in = match event.as_deref() {
        Some("low_data_notification") => "webhook_low_data",
        Some("credit_limit_notification") => "webhook_credit_limit",
        _ => "async_orders",
    };
    let configured = || airalo.api.shared.webhook_url(crate::Provider::Airalo);
    let Some(url) = own_url.or_else(|| airalo.extra().contact(opt_in)).or_else(configured) else {
        return Err(json(StatusCode::BAD_REQUEST, json!({"error": "User is not opted in"})));
    };
    let payload = if low_data {
        let (level, remaining) = match kind.as_deref() {
            Some("data_75") => ("75%", 25),
            Some("data_90") => ("90%", 10),
            Some("expire_1") => ("1days", 50),
            _ => ("3days", 50),
        };
        let iccid = iccid.unwrap_or_else(|| catalogue::iccid(airalo.api.flavor.iccid_issuer, 999_999));
        let package = sample_package();
        json!({"level": level, "package_name": package.id(), "remaining_percentage": remaining, "iccid": iccid})
    } else if credit {
        let remaining = usd(airalo.api.state().balance_cents);
        let level = level.unwrap_or(80);
        json!({"message": format!("Surpassed {level}% of the credit limit balance"), "remaining": remaining})
    } else {
        sample_order(&airalo)
    };
    airalo.send(url, &payload);
    Ok(json(StatusCode::OK, json!({"success": "Notification sent"})))
}

fn sample_package() -> Pkg {
    Pkg {
        dest: 0,
        plan: 0,
        topup: false,
    }
}

/// An async-order notification for an order that was never placed.
fn sample_order(airalo: &Airalo) -> Value {
    let request_id = request_id(airalo.extra().next());
    let state = airalo.api.state();
    let order = Order {
        id: 0,
        code: "SAMPLE-000000".to_owned(),
        pkg: sample_package(),
        quantity: 1,
        description: Some("Webhook simulator sample".to_owned()),
        created_at: airalo.api.now(),
        brand: None,
        iccids: Vec::new(),
    };
    let data = airalo.api.order_json(&state, &order, Include::default());
    json!({"data": data, "meta": {"message": "success"}, "request_id": request_id})
}
