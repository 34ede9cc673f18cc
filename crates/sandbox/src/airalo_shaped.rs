//! What the Airalo and PressOne simulations share: PressOne's data eSIM API is Airalo's
//! Partner API under another prefix, so one implementation serves both, told apart by a
//! [`Flavor`] (ICCID range, documented rate limits).
//!
//! Simulated: client-credentials tokens (valid `Config::token_ttl` of simulated time, and
//! across restarts: see [`crate::tokens`]), the catalogue ([`offer`]), orders and top-ups
//! debiting the account's net prices from `Config::opening_balance`, eSIMs using data over
//! simulated time ([`esim`]), and the documented errors and rate limits. The account lives
//! in memory for the life of the sandbox.

// Errors here are finished responses, built at most once per request: boxing them to make
// `Result` smaller would buy nothing.
#![allow(clippy::result_large_err)]

pub mod esim;
pub mod offer;
pub mod orders;
mod routes;
pub mod wire;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::tokens::{Refused, Tokens};
use crate::{Provider, Shared};

pub use routes::{iccid_param, router};

/// A documented rate limit: `count` requests per `window`.
#[derive(Clone, Copy)]
pub struct Limit {
    pub count: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_minute(count: u32) -> Option<Limit> {
        Some(Limit {
            count,
            window: Duration::from_secs(60),
        })
    }
}

/// How one provider differs.
pub struct Flavor {
    pub provider: Provider,
    /// Keeps this provider's ICCIDs apart from the others' (see `catalogue::iccid`).
    pub iccid_issuer: u8,
    /// Where the data eSIM operations live under the mount (`/customer/v2` for PressOne).
    pub prefix: &'static str,
    pub token_limit: Option<Limit>,
    /// Per token.
    pub packages_limit: Option<Limit>,
    /// Per ICCID.
    pub usage_limit: Option<Limit>,
    /// Per ICCID.
    pub history_limit: Option<Limit>,
}

impl Flavor {
    /// The limits this simulation enforces, by the operation's method name (as the client's
    /// generated `RATE_LIMITS` names it).
    /// The limits as (operation method name, requests, per), for `Provider::documented_limits`.
    pub fn documented_limits(&self) -> Vec<(&'static str, u32, Duration)> {
        self.limits()
            .into_iter()
            .map(|(operation, limit)| (operation, limit.count, limit.window))
            .collect()
    }

    pub fn limits(&self) -> Vec<(&'static str, Limit)> {
        [
            ("request_access_token", self.token_limit),
            ("get_packages", self.packages_limit),
            ("get_usage", self.usage_limit),
            ("get_esim_package_history", self.history_limit),
        ]
        .into_iter()
        .filter_map(|(operation, limit)| Some((operation, limit?)))
        .collect()
    }
}

/// One provider's simulation: its tokens and its account.
pub struct Api {
    pub shared: Arc<Shared>,
    pub flavor: Flavor,
    tokens: Tokens,
    state: Mutex<State>,
}

pub struct State {
    pub balance_cents: i64,
    pub orders: Vec<orders::Order>,
    pub esims: Vec<esim::Esim>,
    /// Package-history ids issued so far.
    pub bundles: u64,
}

impl Api {
    pub fn new(shared: Arc<Shared>, flavor: Flavor) -> Arc<Api> {
        let balance_cents = (shared.config.opening_balance * 100.0).round() as i64;
        let api = Arc::new(Api {
            shared: shared.clone(),
            tokens: Tokens::new(flavor.provider.name()),
            flavor,
            state: Mutex::new(State {
                balance_cents,
                orders: Vec::new(),
                esims: Vec::new(),
                bundles: 0,
            }),
        });
        let revoked = Arc::downgrade(&api);
        shared.on_revoke(move || {
            if let Some(api) = revoked.upgrade() {
                api.tokens.revoke_all();
            }
        });
        api
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// The account, with every eSIM's usage brought up to now.
    pub fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = self.now();
        for esim in &mut state.esims {
            esim.advance(now);
        }
        state
    }

    /// The bearer token check every operation but the token exchange makes.
    pub fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        self.tokens.check(authorization, self.now()).map_err(|refused| {
            wire::unauthorized(match refused {
                Refused::Missing => "Unauthenticated.",
                Refused::Unknown | Refused::Expired => {
                    "The access token is invalid or has expired: request a new one from the token endpoint."
                }
            })
        })
    }

    /// Counts a request against `limit` for `key`: 429 `{message}` with `Retry-After` when over.
    pub fn limit(&self, key: &str, limit: Option<Limit>) -> Result<(), Response> {
        let Some(limit) = limit.filter(|_| self.shared.config.rate_limits) else {
            return Ok(());
        };
        let key = format!("{}:{key}", self.flavor.provider.name());
        self.shared
            .limits
            .hit(&key, limit.count, limit.window, self.now())
            .map_err(|exceeded| crate::http::too_many_requests(exceeded, json!({"message": "Too Many Attempts."})))
    }

    /// The absolute URL of `path` under this provider (for pagination links).
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}{}{path}",
            self.shared.origin,
            self.flavor.provider.mount(),
            self.flavor.prefix
        )
    }
}

/// Routes that exist but not for this method: a JSON 405, as everything else is JSON.
pub async fn method_not_allowed(method: Method) -> Response {
    crate::http::json(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({"message": format!("The {method} method is not supported for this route.")}),
    )
}
