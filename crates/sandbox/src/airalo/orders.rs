//! Async orders, future orders and eSIM vouchers: orders whose result arrives by webhook,
//! or that buy codes instead of eSIMs.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::{Airalo, code, request_id};
use crate::airalo_shaped::offer::Pkg;
use crate::airalo_shaped::orders::{INSUFFICIENT, Include, Purchase, purchase};
use crate::airalo_shaped::wire::{
    Fields, Reply, body, business, invalid, invalid_field, page_params, paginate, param, query, success,
};
use crate::clock::{airalo_format, airalo_minutes};
use crate::http::json;

type Body = Result<Bytes, BytesRejection>;

/// A future order waiting for its due date (processed ones are dropped, as Airalo's list
/// no longer shows them).
pub struct FutureOrder {
    request_id: String,
    purchase: Purchase,
    due: DateTime<Utc>,
    webhook_url: String,
}

impl FutureOrder {
    fn cancellable_until(&self) -> DateTime<Utc> {
        self.due - Duration::hours(24)
    }

    fn json(&self) -> Value {
        json!({
            "request_id": self.request_id,
            "quantity": self.purchase.quantity,
            "description": self.purchase.description,
            "status": "pending",
            "package_id": self.purchase.pkg.id(),
            "due_date": airalo_minutes(self.due),
            "latest_cancellation_date": airalo_minutes(self.cancellable_until()),
        })
    }
}

fn not_opted_in() -> Response {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"reason": "User is not opted in and no webhook URL provided."}),
    )
}

impl Airalo {
    /// Places `purchase` and sends the result to `url`, tagged with `request_id`.
    fn fulfil(&self, request_id: &str, purchase: &Purchase, url: String) {
        let payload = {
            let mut state = self.api.state();
            match self.api.place(&mut state, purchase, self.api.now()) {
                Ok(index) => {
                    let include = Include {
                        sims: true,
                        ..Include::default()
                    };
                    let order = self.api.order_json(&state, &state.orders[index], include);
                    json!({"data": order, "meta": {"message": "success"}, "request_id": request_id})
                }
                Err((code, reason)) => json!({"request_id": request_id, "code": code, "reason": reason}),
            }
        };
        self.send(url, &payload);
    }

    /// Future orders whose due date has passed are placed, as Airalo does on the due date.
    pub(super) fn process_due_orders(&self) {
        let now = self.api.now();
        let due: Vec<FutureOrder> = {
            let mut extra = self.extra();
            let (due, waiting) = std::mem::take(&mut extra.future)
                .into_iter()
                .partition(|f| f.due <= now);
            extra.future = waiting;
            due
        };
        for order in due {
            self.fulfil(&order.request_id, &order.purchase, order.webhook_url);
        }
    }
}

pub async fn submit_async(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, body: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body_of(&headers, body);
    let mut fields = Fields::new(&body);
    let own_url = fields.string("webhook_url", false);
    let purchase = purchase(&mut fields, 50)?;
    let url = airalo.order_webhook(own_url).ok_or_else(not_opted_in)?;
    let request_id = request_id(airalo.extra().next());
    let accepted_at = airalo_format(airalo.api.now());
    airalo.fulfil(&request_id, &purchase, url);
    Ok(json(
        StatusCode::ACCEPTED,
        json!({"data": {"request_id": request_id, "accepted_at": accepted_at}, "meta": {"message": "success"}}),
    ))
}

fn body_of(headers: &HeaderMap, bytes: Body) -> serde_json::Map<String, Value> {
    body(headers, &bytes.unwrap_or_default())
}

/// `YYYY-MM-DD HH:MM` as documented; seconds and RFC 3339 are accepted too.
fn parse_due(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
                .map(|naive| naive.and_utc())
        })
}

pub async fn create_future(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, body: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body_of(&headers, body);
    let mut fields = Fields::new(&body);
    let own_url = fields.string("webhook_url", false);
    let now = airalo.api.now();
    let due = fields.string("due_date", true).and_then(|text| {
        let due = parse_due(&text);
        let earliest = (now + Duration::days(2)).date_naive();
        match due {
            None => fields.fail("due_date", "The due date does not match the format Y-m-d H:i."),
            Some(due) if due.date_naive() < earliest => fields.fail(
                "due_date",
                "Minimum due date must be at least the day after tomorrow in UTC timezone.",
            ),
            Some(due) if due > now + Duration::days(365) => {
                fields.fail("due_date", "Maximum due date must be within one year from now.")
            }
            Some(_) => return due,
        }
        None
    });
    let purchase = purchase(&mut fields, 50)?;
    let (Some(due), Some(webhook_url)) = (due, airalo.order_webhook(own_url)) else {
        return Err(not_opted_in());
    };
    let order = {
        let mut extra = airalo.extra();
        let order = FutureOrder {
            request_id: request_id(extra.next()),
            purchase,
            due,
            webhook_url,
        };
        let json = order.json();
        extra.future.push(order);
        json
    };
    Ok(success(order))
}

pub async fn list_future(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    airalo.api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let mut errors = Vec::new();
    let status = param(&query, "status").unwrap_or("pending");
    if !["pending", "failed", "retry"].contains(&status) {
        errors.push(("status".to_owned(), "The selected status is invalid.".to_owned()));
    }
    let mut bound = |key: &str| {
        let value = param(&query, key)?;
        let parsed = parse_due(value);
        if parsed.is_none() {
            errors.push((
                key.to_owned(),
                format!("The {} is not a valid date.", key.replace('_', " ")),
            ));
        }
        parsed
    };
    let (from, to) = (bound("from_due_date"), bound("to_due_date"));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let paging = page_params(&query, Some(25))?;
    let extra = airalo.extra();
    // Simulated future orders never fail or retry: only pending ones exist.
    let matched: Vec<&FutureOrder> = extra
        .future
        .iter()
        .filter(|_| status == "pending")
        .filter(|f| from.is_none_or(|from| f.due >= from) && to.is_none_or(|to| f.due <= to))
        .collect();
    let (range, links, meta) = paginate(matched.len(), paging, &airalo.api.url("/future-orders"), &query);
    let data: Vec<Value> = matched[range].iter().map(|f| f.json()).collect();
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "links": links, "meta": meta}),
    ))
}

pub async fn cancel_future(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, body: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body_of(&headers, body);
    let mut fields = Fields::new(&body);
    let ids = fields.strings("request_ids", true).unwrap_or_default();
    fields.check()?;
    if ids.is_empty() {
        return Err(invalid_field("request_ids", "The request ids field is required."));
    }
    if ids.len() > 10 {
        return Err(invalid_field(
            "request_ids",
            "The request ids may not have more than 10 items.",
        ));
    }
    let now = airalo.api.now();
    let mut extra = airalo.extra();
    let mut errors = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let problem = match extra.future.iter().find(|f| &f.request_id == id) {
            _ if id.chars().count() != 25 => "Each request ID must be exactly 25 characters long.".to_owned(),
            _ if ids[..i].contains(id) => "Request IDs must be unique.".to_owned(),
            None => format!("Request ID: {id} does not exist."),
            Some(f) if now > f.cancellable_until() => {
                format!("Request ID: {id} can no longer be cancelled (less than 24 hours before its due date).")
            }
            Some(_) => continue,
        };
        errors.push((format!("request_ids.{i}"), problem));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    extra.future.retain(|f| !ids.contains(&f.request_id));
    Ok(json(
        StatusCode::OK,
        json!({"data": [], "meta": {"message": "Future orders cancelled successfully"}}),
    ))
}

pub async fn vouchers(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, body: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body_of(&headers, body);
    let mut fields = Fields::new(&body);
    let items = match body.get("vouchers") {
        Some(Value::Array(items)) if !items.is_empty() => items.as_slice(),
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(invalid_field("vouchers", "The vouchers field is required."));
        }
        Some(_) => return Err(invalid_field("vouchers", "The vouchers must be an array.")),
    };
    let mut wanted = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            fields.fail(&format!("vouchers.{i}"), format!("The vouchers.{i} must be an object."));
            continue;
        };
        let mut each = Fields::nested(item, &format!("vouchers.{i}."));
        let pkg = each.string("package_id", true).and_then(|id| match Pkg::find(&id) {
            Some(pkg) if !pkg.topup => Some(pkg),
            _ => {
                each.fail(
                    "package_id",
                    format!("The selected vouchers.{i}.package_id is invalid."),
                );
                None
            }
        });
        let quantity = each.integer("quantity", true, 1..=100);
        let reference = each.string("booking_reference", false);
        fields.errors.append(&mut each.errors);
        if let (Some(pkg), Some(quantity)) = (pkg, quantity) {
            wanted.push((pkg, quantity, reference));
        }
    }
    fields.check()?;
    let total: i64 = wanted.iter().map(|(pkg, quantity, _)| pkg.net_price() * quantity).sum();
    let mut extra = airalo.extra();
    let mut state = airalo.api.state();
    if state.balance_cents < total {
        return Err(business(INSUFFICIENT.0, INSUFFICIENT.1));
    }
    state.balance_cents -= total;
    let data: Vec<Value> = wanted
        .into_iter()
        .map(|(pkg, quantity, reference)| {
            let codes: Vec<String> = (0..quantity)
                .map(|_| code(extra.next(), 8, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
                .collect();
            json!({"package_id": pkg.id(), "codes": codes, "booking_reference": reference})
        })
        .collect();
    Ok(success(Value::Array(data)))
}
