//! The PressOne simulation, mounted at `/pressone`.
//!
//! Data eSIMs (`/customer/v2/...`) are Airalo's API under another prefix and are served by
//! [`crate::airalo_shaped`] with PressOne's documented limits (usage 100 a minute per ICCID,
//! package history once per 15 minutes per eSIM) and its own ICCID range. PressOne sends no
//! webhooks and has no async orders.
//!
//! Voice-only numbers (`/api/third-party/partner/...`): four deterministic users who claimed
//! a number, with subscriptions (active, trial, expired) dated from the sandbox's start.
//! Renewing extends a subscription by 30 days from the later of now and its end, and turns a
//! trial into a paid monthly plan. Their bodies are undocumented: answers follow Django REST
//! framework (`{count, next, previous, results}`, `{"detail": …}`), as the paths suggest.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::airalo_shaped::wire::{Reply, param, query};
use crate::airalo_shaped::{self, Api, Flavor, Limit};
use crate::clock::rfc3339;
use crate::http::json;
use crate::{Provider, Shared};

/// PressOne's data eSIM API is Airalo's, and the sandbox takes Airalo's client credentials for it.
pub mod credentials {
    /// PressOne `client_id`: Airalo's (`CLIENT_ID`).
    pub const PRESSONE_CLIENT_ID: &str = crate::airalo::credentials::CLIENT_ID;
    /// PressOne `client_secret`: Airalo's (`CLIENT_SECRET`).
    pub const PRESSONE_CLIENT_SECRET: &str = crate::airalo::credentials::CLIENT_SECRET;
}

// `PRESSONE_CLIENT_ID`, `PRESSONE_CLIENT_SECRET`: the same values as Airalo's.
pub(crate) use crate::airalo::{CREDENTIAL, announced_credential};

pub(crate) fn documented_limits() -> Vec<(&'static str, u32, Duration)> {
    FLAVOR.documented_limits()
}

pub(crate) const FLAVOR: Flavor = Flavor {
    provider: Provider::PressOne,
    iccid_issuer: 2,
    prefix: "/customer/v2",
    token_limit: None,
    packages_limit: None,
    usage_limit: Limit::per_minute(100),
    history_limit: Some(Limit {
        count: 1,
        window: Duration::from_secs(15 * 60),
    }),
};

/// List User pages hold this many users.
const PAGE_SIZE: usize = 10;

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    let api = Api::new(shared, FLAVOR);
    let voice = Arc::new(Voice {
        users: Mutex::new(users(api.now())),
        api: api.clone(),
    });
    airalo_shaped::router(&api)
        .merge(
            Router::new()
                .route("/api/third-party/partner/renew-number/", post(renew))
                .route("/api/third-party/partner/user/", get(list_users))
                .with_state(voice),
        )
        .method_not_allowed_fallback(airalo_shaped::method_not_allowed)
}

struct Voice {
    api: Arc<Api>,
    users: Mutex<Vec<User>>,
}

struct User {
    id: u64,
    first_name: &'static str,
    last_name: &'static str,
    email: &'static str,
    mobile: &'static str,
    number: &'static str,
    plan: &'static str,
    trial: bool,
    joined: DateTime<Utc>,
    ends: DateTime<Utc>,
}

/// Who claimed a number: names, e-mail, mobile, number, plan, on trial, days left.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    i64,
);

const PEOPLE: [Person; 4] = [
    (
        "Ada",
        "Obi",
        "ada.obi@example.com",
        "+2348030000001",
        "+2342010000001",
        "monthly",
        false,
        20,
    ),
    (
        "Tunde",
        "Bello",
        "tunde.bello@example.com",
        "+2348030000002",
        "+2342010000002",
        "monthly",
        true,
        5,
    ),
    (
        "Chioma",
        "Eze",
        "chioma.eze@example.com",
        "+2348030000003",
        "+2342010000003",
        "monthly",
        false,
        -3,
    ),
    (
        "Musa",
        "Aliyu",
        "musa.aliyu@example.com",
        "+2348030000004",
        "+2342010000004",
        "yearly",
        false,
        200,
    ),
];

fn users(now: DateTime<Utc>) -> Vec<User> {
    PEOPLE
        .iter()
        .zip(1..)
        .map(
            |(&(first_name, last_name, email, mobile, number, plan, trial, days_left), id)| User {
                id,
                first_name,
                last_name,
                email,
                mobile,
                number,
                plan,
                trial,
                joined: now - chrono::Duration::days(90 - 10 * id as i64),
                ends: now + chrono::Duration::days(days_left),
            },
        )
        .collect()
}

impl User {
    fn json(&self, now: DateTime<Utc>) -> Value {
        let status = if self.ends <= now {
            "expired"
        } else if self.trial {
            "trial"
        } else {
            "active"
        };
        json!({
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "mobile": self.mobile,
            "phone_number": self.number,
            "date_joined": rfc3339(self.joined),
            "subscription": {
                "plan": if self.trial { "trial" } else { self.plan },
                "status": status,
                "is_trial": self.trial,
                "end_date": rfc3339(self.ends),
            },
        })
    }
}

async fn renew(State(voice): State<Arc<Voice>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Reply {
    voice.api.authorize(&headers)?;
    let body = airalo_shaped::wire::body(&headers, &body.unwrap_or_default());
    let Some(email) = body
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Err(json(
            StatusCode::BAD_REQUEST,
            json!({"email": ["This field is required."]}),
        ));
    };
    let now = voice.api.now();
    let mut users = voice.users.lock().unwrap_or_else(|p| p.into_inner());
    let Some(user) = users.iter_mut().find(|u| u.email.eq_ignore_ascii_case(email)) else {
        return Err(json(
            StatusCode::NOT_FOUND,
            json!({"detail": "No user claimed a number with this email."}),
        ));
    };
    user.ends = user.ends.max(now) + chrono::Duration::days(30);
    user.trial = false;
    Ok(json(
        StatusCode::OK,
        json!({"status": true, "message": "Subscription renewed.", "data": user.json(now)}),
    ))
}

async fn list_users(State(voice): State<Arc<Voice>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    voice.api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let page = match param(&query, "page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => return Err(json(StatusCode::NOT_FOUND, json!({"detail": "Invalid page."}))),
    };
    let (mobile, email) = (param(&query, "mobile"), param(&query, "email"));
    let now = voice.api.now();
    let users = voice.users.lock().unwrap_or_else(|p| p.into_inner());
    let matched: Vec<&User> = users
        .iter()
        .filter(|u| mobile.is_none_or(|m| u.mobile == m))
        .filter(|u| email.is_none_or(|e| u.email.eq_ignore_ascii_case(e)))
        .collect();
    let pages = matched.len().div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(json(StatusCode::NOT_FOUND, json!({"detail": "Invalid page."})));
    }
    let url = format!(
        "{}{}/api/third-party/partner/user/",
        voice.api.shared.origin,
        Provider::PressOne.mount()
    );
    let link = |n: usize| crate::http::page_link(&url, &query, n as u64);
    let results: Vec<Value> = matched
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|u| u.json(now))
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({
            "count": matched.len(),
            "next": (page < pages).then(|| link(page + 1)),
            "previous": (page > 1).then(|| link(page - 1)),
            "results": results,
        }),
    ))
}
