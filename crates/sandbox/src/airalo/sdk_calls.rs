//! The three calls Airalo's official SDKs make that its documentation does not list
//! (`x-source-note` in specs/airalo.yaml): Airmoney vouchers, exchange rates and catalogue
//! overrides, answered in the shapes the SDKs' sources and READMEs show.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::{Airalo, code};
use crate::airalo_shaped::wire::{
    Fields, Reply, body, invalid, invalid_field, page_params, paginate, param, query, success,
};
use crate::clock::airalo_format;
use crate::http::json;

/// USD mid rates the sandbox quotes (the currencies of the catalogue's `prices`), before
/// the day's simulated drift.
const RATES: [(&str, f64); 17] = [
    ("AED", 3.6725),
    ("AUD", 1.6059),
    ("BRL", 5.4210),
    ("CAD", 1.3870),
    ("EUR", 0.9619),
    ("GBP", 0.8043),
    ("IDR", 16_250.0),
    ("ILS", 3.6410),
    ("INR", 86.530),
    ("JPY", 154.32),
    ("KRW", 1_447.5),
    ("KWD", 0.3081),
    ("MXN", 20.415),
    ("MYR", 4.4730),
    ("SGD", 1.3520),
    ("VND", 25_380.0),
    ("ZAR", 18.640),
];

/// POST /voucher/airmoney, with the limits the SDKs check. A `voucher_code` makes one
/// voucher, answered as an object (the PHP README); without one, `quantity` generated codes
/// are answered as a list of lists (the Node README). The vouchers are recorded, not charged:
/// nothing public says when `is_paid` vouchers are billed.
pub async fn airmoney(
    State(airalo): State<Arc<Airalo>>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let mut fields = Fields::new(&body);
    let own_code = fields.string("voucher_code", false);
    let usage_limit = fields.integer("usage_limit", false, 1..=100_000).unwrap_or(1);
    let amount = fields.integer("amount", true, 1..=100_000);
    let quantity = fields.integer("quantity", true, 1..=100);
    let is_paid = match body.get("is_paid") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(paid)) => *paid,
        Some(_) => {
            fields.fail("is_paid", "The is paid field must be true or false.");
            false
        }
    };
    if let Some(own) = &own_code {
        if own.chars().count() > 255 {
            fields.fail(
                "voucher_code",
                "The voucher code may not be greater than 255 characters.",
            );
        }
        if quantity.is_some_and(|q| q > 1) {
            fields.fail("quantity", "The selected voucher code allows a maximum quantity of 1");
        }
    }
    fields.check()?;
    let (Some(amount), Some(quantity)) = (amount, quantity) else {
        return Err(invalid(Vec::new()));
    };
    let mut extra = airalo.extra();
    if own_code.as_ref().is_some_and(|own| extra.airmoney.contains(own)) {
        return Err(invalid_field(
            "voucher_code",
            "The voucher code has already been taken.",
        ));
    }
    let created_at = airalo_format(airalo.api.now());
    let vouchers: Vec<Value> = (0..quantity)
        .map(|_| {
            let id = extra.next();
            let code = own_code
                .clone()
                .unwrap_or_else(|| code(id, 8, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"));
            extra.airmoney.push(code.clone());
            json!({"id": id, "code": code, "usage_limit": usage_limit, "amount": amount,
                   "is_paid": is_paid, "created_at": created_at})
        })
        .collect();
    Ok(success(match own_code {
        Some(_) => vouchers.into_iter().next().unwrap_or_default(),
        None => json!([vouchers]),
    }))
}

/// GET /finance/exchange-rates?date=YYYY-MM-DD&to=AUD,GBP: USD mid rates of a day up to
/// today, drifting by a fraction of a percent from day to day (the same every run).
pub async fn exchange_rates(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    airalo.api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let today = airalo.api.now().date_naive();
    let mut errors = Vec::new();
    let date = match param(&query, "date").filter(|d| !d.is_empty()) {
        None => today,
        Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) if date <= today => date,
            Ok(_) => {
                errors.push((
                    "date".to_owned(),
                    "The date must be a date before or equal to today.".to_owned(),
                ));
                today
            }
            Err(_) => {
                errors.push((
                    "date".to_owned(),
                    "The date does not match the format Y-m-d.".to_owned(),
                ));
                today
            }
        },
    };
    let wanted: Option<Vec<String>> = param(&query, "to")
        .filter(|to| !to.is_empty())
        .map(|to| to.split(',').map(|c| c.trim().to_ascii_uppercase()).collect());
    if let Some(unknown) = wanted
        .iter()
        .flatten()
        .find(|c| !RATES.iter().any(|(known, _)| known == c))
    {
        errors.push(("to".to_owned(), format!("The currency {unknown} is not supported.")));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let drift = 1.0 + (f64::from(date.num_days_from_ce() % 7) - 3.0) / 1000.0;
    let rates: Vec<Value> = RATES
        .iter()
        .filter(|(currency, _)| wanted.as_ref().is_none_or(|w| w.iter().any(|c| c == currency)))
        .map(|(currency, mid)| json!({"from": "USD", "mid": format!("{:.8}", mid * drift), "to": currency}))
        .collect();
    Ok(success(
        json!({"date": date.format("%Y-%m-%d").to_string(), "rates": rates}),
    ))
}

/// GET /packages/overrides?page=N: a sandbox account has no catalogue overrides (and
/// nothing public shows one), so every page is empty, with Airalo's pagination.
pub async fn overrides(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    airalo.api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let paging = page_params(&query, Some(25))?;
    let (_, links, meta) = paginate(0, paging, &airalo.api.url("/packages/overrides"), &query);
    Ok(json(StatusCode::OK, json!({"data": [], "links": links, "meta": meta})))
}
