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
use crate::airalo_shaped::orders::{INSUFFICIENT, Include, Purchase, Refusal, purchase};
use crate::airalo_shaped::wire::{
    Fields, Reply, body, business, invalid, invalid_field, page_params, paginate, param, query, success,
};
use crate::clock::{airalo_format, airalo_minutes};
use crate::http::json;

type Body = Result<Bytes, BytesRejection>;

/// A future order not processed yet, or failed (processed ones are dropped, as Airalo's list
/// no longer shows them).
pub struct FutureOrder {
    request_id: String,
    /// As the partner gave it (a test id stays a test id in the list).
    package_id: String,
    purchase: Purchase,
    due: DateTime<Utc>,
    webhook_url: String,
    status: FutureStatus,
    /// Attempts made so far; the next one is due at `due + attempts` hours.
    attempts: u32,
    /// The `retry` and `failed` test ids: every attempt fails.
    doomed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FutureStatus {
    Pending,
    Retry,
    Failed,
}

impl FutureStatus {
    fn name(self) -> &'static str {
        match self {
            FutureStatus::Pending => "pending",
            FutureStatus::Retry => "retry",
            FutureStatus::Failed => "failed",
        }
    }
}

/// Attempts at placing a due future order, an hour apart, before it is `failed` (the
/// simulation's choice: Airalo documents the `retry` status, not its schedule).
const ATTEMPTS: u32 = 3;

/// Airalo's sandbox package ids for future orders (the create page): each makes a future
/// order of a 7-day 1 GB package that starts in the status its name says. `pending` is then
/// processed on its due date; `retry` keeps failing until it is `failed`; `failed` stays so.
const FUTURE_TEST_IDS: [(&str, FutureStatus); 3] = [
    ("test-create-pending-future-order-7days-1gb", FutureStatus::Pending),
    ("test-create-retry-future-order-7days-1gb", FutureStatus::Retry),
    ("test-create-failed-future-order-7days-1gb", FutureStatus::Failed),
];

/// What the test ids order.
const TEST_PACKAGE: Pkg = Pkg {
    dest: 0,
    plan: 0,
    topup: false,
};

/// Why a doomed test order fails.
const DOOMED: Refusal = (53, "Simulated failure of a sandbox test future order.");

impl FutureOrder {
    fn cancellable_until(&self) -> DateTime<Utc> {
        self.due - Duration::hours(24)
    }

    fn next_attempt(&self) -> DateTime<Utc> {
        self.due + Duration::hours(i64::from(self.attempts))
    }

    fn json(&self) -> Value {
        json!({
            "request_id": self.request_id,
            "quantity": self.purchase.quantity,
            "description": self.purchase.description,
            "status": self.status.name(),
            "package_id": self.package_id,
            "due_date": airalo_minutes(self.due),
            "latest_cancellation_date": airalo_minutes(self.cancellable_until()),
        })
    }
}

/// The webhook of an async or future order: the order placed, or why it was not.
fn outcome(request_id: &str, placed: Result<Value, Refusal>) -> Value {
    match placed {
        Ok(order) => json!({"data": order, "meta": {"message": "success"}, "request_id": request_id}),
        Err((code, reason)) => json!({"request_id": request_id, "code": code, "reason": reason}),
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
        self.send(url, &outcome(request_id, self.place(purchase)));
    }

    /// The order placed, as its webhook shows it, or why it could not be.
    fn place(&self, purchase: &Purchase) -> Result<Value, Refusal> {
        let mut state = self.api.state();
        let index = self.api.place(&mut state, purchase, self.api.now())?;
        let include = Include {
            sims: true,
            ..Include::default()
        };
        Ok(self.api.order_json(&state, &state.orders[index], include))
    }

    /// Future orders due by now are attempted, as Airalo does from the due date: placed (and
    /// dropped from the list, their order sent by webhook), or, when that fails, retried
    /// hourly (`retry`) until `ATTEMPTS` have failed (`failed`, the failure sent by webhook).
    pub(super) fn process_due_orders(&self) {
        let now = self.api.now();
        let mut extra = self.extra();
        let mut webhooks = Vec::new();
        let mut index = 0;
        while index < extra.future.len() {
            let order = &mut extra.future[index];
            let mut placed = false;
            while order.status != FutureStatus::Failed && order.next_attempt() <= now {
                order.attempts += 1;
                let attempt = if order.doomed {
                    Err(DOOMED)
                } else {
                    self.place(&order.purchase)
                };
                match attempt {
                    Err(_) if order.attempts < ATTEMPTS => order.status = FutureStatus::Retry,
                    attempt => {
                        placed = attempt.is_ok();
                        if !placed {
                            order.status = FutureStatus::Failed;
                        }
                        webhooks.push((order.webhook_url.clone(), outcome(&order.request_id, attempt)));
                        break;
                    }
                }
            }
            if placed {
                extra.future.remove(index);
            } else {
                index += 1;
            }
        }
        drop(extra);
        for (url, payload) in webhooks {
            self.send(url, &payload);
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
    // A test id orders the 7-day 1 GB package of the catalogue's first destination.
    let package_id = body.get("package_id").and_then(Value::as_str).map(str::to_owned);
    let test = FUTURE_TEST_IDS
        .iter()
        .find(|(id, _)| Some(*id) == package_id.as_deref())
        .map(|(_, status)| *status);
    let purchase = match test {
        None => purchase(&mut fields, 50)?,
        Some(_) => {
            let mut stand_in = body.clone();
            stand_in.insert("package_id".to_owned(), json!(TEST_PACKAGE.id()));
            let mut stand_in_fields = Fields::new(&stand_in);
            let purchase = purchase(&mut stand_in_fields, 50);
            fields.errors.append(&mut stand_in_fields.errors);
            fields.check()?;
            purchase?
        }
    };
    let (Some(due), Some(webhook_url)) = (due, airalo.order_webhook(own_url)) else {
        return Err(not_opted_in());
    };
    let status = test.unwrap_or(FutureStatus::Pending);
    let order = {
        let mut extra = airalo.extra();
        let order = FutureOrder {
            request_id: request_id(extra.next()),
            package_id: package_id.unwrap_or_default(),
            purchase,
            due,
            webhook_url,
            status,
            attempts: u32::from(status == FutureStatus::Retry),
            doomed: status != FutureStatus::Pending,
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
    airalo.process_due_orders();
    let extra = airalo.extra();
    let matched: Vec<&FutureOrder> = extra
        .future
        .iter()
        .filter(|f| f.status.name() == status)
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
            Some(f) if f.status == FutureStatus::Failed => {
                format!("Request ID: {id} is already processed and can not be cancelled.")
            }
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
