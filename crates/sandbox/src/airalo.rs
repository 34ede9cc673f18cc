//! The Airalo simulation, mounted at `/airalo/v2` (the spec's server path).
//!
//! The operations PressOne shares (tokens, catalogue, orders, top-ups, eSIMs, usage,
//! balance) are in [`crate::airalo_shaped`]; this module adds Airalo's own: async and future
//! orders, eSIM vouchers, refunds, brand updates, product information, the full device list,
//! notification opt-in/out (with Airalo's HEAD check of the URL), the webhook simulator, the
//! webhooks themselves, and the calls only the official SDKs make (Airmoney vouchers,
//! exchange rates, catalogue overrides).
//!
//! Webhooks are written as PHP writes JSON (`/` as `\/`, see [`php_json`]), signed with
//! `airalo-signature` (hex HMAC-SHA512 of the exact body, keyed with the client secret) and
//! sent to the URL of the matching opt-in (an async order's own
//! `webhook_url` first; for async orders also `Config::webhook_urls`):
//! - async orders: the order result right away, `{data: <order>, meta, request_id}`, or
//!   `{request_id, code, reason}` when it fails;
//! - future orders: the same once the clock passes their due date, or, when placing fails,
//!   retried hourly (`retry`) and after three attempts `failed`, sent as `{request_id, code,
//!   reason}`; Airalo's test package ids start future orders `pending`, `retry` or `failed`;
//! - low data (`webhook_low_data` opt-in): after a clock skip, for each eSIM that crossed
//!   75 % or 90 % of its data, or came within 3 days or 1 day of expiry (once per level
//!   until a top-up).
//!
//! Airalo's sandbox package ids that force errors (`test-insufficient-balance-7days-1gb`…)
//! answer with their business error. Limits per airalo.md §1.9: token 3 a minute, packages
//! 80 a minute per token, usage and package history 10 a minute per ICCID, refund and
//! simulator 5 a minute (per IP: everything local is one IP), product information 60 a
//! minute per package.

mod extras;
mod notifications;
mod orders;
mod sdk_calls;

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use axum::Router;
use axum::routing::{get, post, put};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha512;

use crate::airalo_shaped::{self, Api, Flavor, Limit};
use crate::{Provider, Shared};
use credentials::{CLIENT_ID, CLIENT_SECRET};

/// The client credentials the sandbox accepts from Airalo's and PressOne's clients.
pub mod credentials {
    /// Airalo and PressOne `client_id`.
    pub const CLIENT_ID: &str = "sandbox-client-id";
    /// Airalo and PressOne `client_secret`; Airalo webhooks are signed with it.
    pub const CLIENT_SECRET: &str = "sandbox-client-secret";
}

/// `AIRALO_CLIENT_ID`, `AIRALO_CLIENT_SECRET`.
pub(crate) const CREDENTIAL: &[&str] = &[CLIENT_ID, CLIENT_SECRET];

pub(crate) fn announced_credential() -> String {
    format!("client_id={CLIENT_ID} client_secret={CLIENT_SECRET}")
}

pub(crate) fn documented_limits() -> Vec<(&'static str, u32, std::time::Duration)> {
    FLAVOR.documented_limits()
}

pub(crate) const FLAVOR: Flavor = Flavor {
    provider: Provider::Airalo,
    iccid_issuer: 1,
    prefix: "",
    token_limit: Limit::per_minute(3),
    packages_limit: Limit::per_minute(80),
    usage_limit: Limit::per_minute(10),
    history_limit: Limit::per_minute(10),
};

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    let api = Api::new(shared.clone(), FLAVOR);
    let airalo = Arc::new(Airalo {
        api: api.clone(),
        extra: Mutex::default(),
    });
    // A weak reference: the hook lives in `Shared`, which the simulation itself holds.
    let hook: Weak<Airalo> = Arc::downgrade(&airalo);
    shared.on_skip(move |_| {
        if let Some(airalo) = hook.upgrade() {
            airalo.after_skip();
        }
    });
    let own = Router::new()
        .route("/packages/{slug}/product-information", get(extras::product_information))
        .route("/compatible-devices", get(extras::devices))
        .route("/orders-async", post(orders::submit_async))
        .route("/voucher/esim", post(orders::vouchers))
        .route("/voucher/airmoney", post(sdk_calls::airmoney))
        .route("/finance/exchange-rates", get(sdk_calls::exchange_rates))
        .route("/packages/overrides", get(sdk_calls::overrides))
        .route("/future-orders", post(orders::create_future).get(orders::list_future))
        .route("/cancel-future-orders", post(orders::cancel_future))
        .route("/sims/{iccid}/brand", put(extras::brand))
        .route("/refund", post(extras::refund))
        .route(
            "/notifications/opt-in",
            post(notifications::opt_in).get(notifications::subscription),
        )
        .route("/notifications/opt-out", post(notifications::opt_out))
        .route("/simulator/webhook", post(notifications::simulate))
        .with_state(airalo);
    airalo_shaped::router(&api)
        .merge(own)
        .method_not_allowed_fallback(airalo_shaped::method_not_allowed)
}

struct Airalo {
    api: Arc<Api>,
    extra: Mutex<Extra>,
}

/// Airalo-only state. Locked before the account (`Api::state`) when both are needed.
#[derive(Default)]
struct Extra {
    /// The `notification` objects of the opt-ins, latest last.
    subscriptions: Vec<Value>,
    future: Vec<orders::FutureOrder>,
    /// Airmoney voucher codes issued (a partner's own code must be new).
    airmoney: Vec<String>,
    /// Ids issued so far (request ids, refund ids, voucher codes).
    serial: u64,
}

impl Extra {
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// The contact point of the opt-in of `kind`.
    fn contact(&self, kind: &str) -> Option<String> {
        self.subscriptions
            .iter()
            .find(|s| s["type"] == kind)
            .and_then(|s| s["contact_point"].as_str())
            .map(str::to_owned)
    }
}

impl Airalo {
    fn extra(&self) -> MutexGuard<'_, Extra> {
        self.extra.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Where an async or future order's result goes: its own URL, the opt-in's, or the
    /// sandbox's configured one.
    fn order_webhook(&self, own: Option<String>) -> Option<String> {
        own.or_else(|| self.extra().contact("async_orders"))
            .or_else(|| self.api.shared.webhook_url(Provider::Airalo))
    }

    /// Sends `payload` written and signed as Airalo writes and signs its webhooks.
    fn send(&self, url: String, payload: &Value) {
        let body = php_json(payload);
        let headers = vec![("airalo-signature".to_owned(), sign(body.as_bytes()))];
        self.api
            .shared
            .webhooks
            .deliver(Provider::Airalo, Some(url), headers, body);
    }

    /// After a clock skip: process the future orders now due, then send low-data warnings.
    fn after_skip(&self) {
        self.process_due_orders();
        let Some(url) = self.extra().contact("webhook_low_data") else {
            return;
        };
        let now = self.api.now();
        let mut warnings = Vec::new();
        for esim in self.api.state().esims.iter_mut() {
            let left = esim.expires_at() - now;
            let expiring = |days: i64| left > chrono::Duration::zero() && left <= chrono::Duration::days(days);
            let used = esim.used_percent();
            let levels = [
                ("75%", used >= 75),
                ("90%", used >= 90),
                ("3days", expiring(3)),
                ("1days", expiring(1)),
            ];
            for (level, reached) in levels {
                if reached && !esim.notified.contains(&level) {
                    esim.notified.push(level);
                    warnings.push(serde_json::json!({
                        "level": level,
                        "package_name": esim.current().map(|p| p.id()),
                        "remaining_percentage": 100 - used,
                        "iccid": esim.iccid,
                    }));
                }
            }
        }
        for warning in warnings {
            self.send(url.clone(), &warning);
        }
    }
}

/// `payload` as PHP's `json_encode` writes it (Airalo's backend is PHP): compact, with `/`
/// escaped as `\/` and everything beyond ASCII as `\uXXXX` (UTF-16). The official SDKs'
/// signature helpers re-encode the JSON that way before hashing, so this is the form their
/// checks accept.
fn php_json(payload: &Value) -> String {
    let mut out = String::new();
    for c in payload.to_string().chars() {
        match c {
            // Outside strings serde_json writes neither, so only string contents change.
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// `hex(HMAC-SHA512(client_secret, body))`: the `airalo-signature` header.
fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(CLIENT_SECRET.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A 25-character id like Airalo's nanoids, derived from a serial number (deterministic).
fn request_id(serial: u64) -> String {
    code(
        serial,
        25,
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    )
}

/// `len` characters of `alphabet` scrambled from `serial` (xorshift), the same every run.
fn code(serial: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = serial.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn webhook_bodies_are_written_as_php_json_encode_writes_them() {
        let payload = serde_json::json!({"url": "https://x.invalid/a", "name": "Café 🚀", "n": 1});
        assert_eq!(
            super::php_json(&payload),
            r#"{"n":1,"name":"Caf\u00e9 \ud83d\ude80","url":"https:\/\/x.invalid\/a"}"#
        );
    }
}
