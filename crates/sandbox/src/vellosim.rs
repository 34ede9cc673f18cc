//! The Vellosim simulation, mounted at `/vellosim` (the spec's paths follow unchanged).
//!
//! Catalogue, the same on every start:
//! - Regions: one `LC` region per `catalogue::COUNTRIES` entry (`regionCode` = its ISO code)
//!   and one `RG` region, `EU`, covering the European ones at 115 % of the base price.
//!   getRegions `type=1` lists the local ones, `type=2` the regional one.
//! - Packages: every `catalogue::PLANS` size in every region, coded `{region}_{GB}GB_{days}D`
//!   (`DE_1GB_7D`, `EU_5GB_30D`); sizes with top-ups also sell as `TOPUP_{that code}`.
//!   Prices are retail USD (NGN on request, at the exchange rate); volumes are bytes (MiB-based).
//! - The n-th eSIM (from 1) gets ICCID `catalogue::iccid(31, n)`, `_id` `5e11051a` + n in 16 hex
//!   digits and transactionId `esim_{unix ms}_{n}`; getEsim takes either id.
//!
//! An eSIM is ACTIVE from purchase, uses `catalogue::USAGE_MB_PER_HOUR` and is EXPIRED once
//! its validity ends or its data is used up. A top-up (purchaseEsim with `packageType=TOPUP`)
//! adds its volume and extends validity by its days (counted from now if already expired).
//! Purchases debit the USD wallet (`Config::opening_balance`); only `WALLET` payments are
//! taken, as the docs require of API users.
//!
//! Errors are the documented `{success: false, error: {code, message}, statusCode}` with the
//! error-handling guide's codes: unknown region → INVALID_REGION_CODE 400, unknown package in
//! a purchase → INVALID_PACKAGE_CODE 400, unknown package details → PACKAGE_NOT_FOUND 404,
//! unknown eSIM → ORDER_NOT_FOUND 404, any other bad input → INVALID_PARAMETERS 400. Unknown
//! paths and methods get the authentication guide's form (`error` a bare string).
//!
//! Rate limit: Vellosim documents RATE_LIMIT_EXCEEDED without numbers; the sandbox allows
//! 120 requests per simulated minute per API key (calls without a key share one budget).
//!
//! Webhooks (to the Vellosim webhook URL): `esim.created` after each purchase; after clock
//! skips, `esim.data_updated` when usage crosses 25/50/75/90/100 % (one event for the highest
//! threshold newly crossed) and `esim.expired`. Their volumes are MB (MiB), as documented.
//! Vellosim documents no signature, so none is sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::catalogue::{self, COUNTRIES, Country, PLANS, Plan};
use crate::clock::rfc3339;
use credentials::VELLOSIM_API_KEY;
use crate::velo_common::{Params, RawParams, Reject, Reply, bytes_used, json_object, opt_str};
use crate::{Provider, Shared, http};

const ISSUER: u8 = 31;
const RATE_LIMIT: u32 = 120;
/// NGN per USD, as getExchangeRate reports and package prices in NGN use.
const NGN_PER_USD: u64 = 1600;
const THRESHOLDS: [u8; 5] = [25, 50, 75, 90, 100];
const MIB: f64 = 1024.0 * 1024.0;

struct Region {
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    countries: Vec<&'static Country>,
    price_percent: u32,
}

struct Package {
    code: String,
    region: usize,
    plan: Plan,
    topup: bool,
}

/// One eSIM. Usage is settled into `used_at` at `settled` (purchase, then each top-up) and
/// grows from there at the catalogue rate until `expires` or `total` is reached.
struct Esim {
    n: u64,
    id: String,
    transaction_id: String,
    iccid: String,
    package: usize,
    created: DateTime<Utc>,
    total: u64,
    total_days: u32,
    used_at: u64,
    settled: DateTime<Utc>,
    expires: DateTime<Utc>,
    paid_cents: u64,
    /// The highest usage threshold (percent) already announced by webhook.
    announced: u8,
    announced_mb: f64,
    expiry_announced: bool,
}

impl Esim {
    fn used(&self, now: DateTime<Utc>) -> u64 {
        let until = now.min(self.expires);
        if until <= self.settled {
            return self.used_at;
        }
        self.used_at
            .saturating_add(bytes_used(self.settled, until))
            .min(self.total)
    }

    fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires || self.used(now) >= self.total
    }

    fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.expired(now) { "EXPIRED" } else { "ACTIVE" }
    }

    /// The highest threshold the usage has reached, 0 below the first.
    fn level(&self, now: DateTime<Utc>) -> u8 {
        let percent = u128::from(self.used(now)) * 100 / u128::from(self.total.max(1));
        THRESHOLDS
            .into_iter()
            .rev()
            .find(|t| u128::from(*t) <= percent)
            .unwrap_or(0)
    }
}

struct Ledger {
    balance_cents: u64,
    balance_updated: DateTime<Utc>,
    esims: Vec<Esim>,
    events: u64,
}

pub(crate) struct Vellosim {
    regions: Vec<Region>,
    packages: Vec<Package>,
    ledger: Mutex<Ledger>,
}

#[derive(Clone)]
struct App {
    shared: Arc<Shared>,
    sim: Arc<Vellosim>,
}

pub mod credentials {
    /// Vellosim `X-API-Key` (a test-mode key, as the provider issues them).
    pub const VELLOSIM_API_KEY: &str = "vls_test_sandbox";
}

/// `VELLOSIM_API_KEY`.
pub(crate) const CREDENTIAL: &[&str] = &[VELLOSIM_API_KEY];

pub(crate) fn announced_credential() -> String {
    format!("X-API-Key: {VELLOSIM_API_KEY}")
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let sim = Arc::new(Vellosim::new(&shared));
    let hook = sim.clone();
    shared.on_skip(move |shared| hook.after_skip(shared));
    Router::new()
        .route("/api/esim/regions", get(get_regions))
        .route("/api/esim/packages", get(get_packages))
        .route("/api/esim/packages/{packageCode}", get(get_package_details))
        .route("/api/esim/buy", post(purchase))
        .route("/api/esim/my-esims", get(get_my_esims))
        .route("/api/esim/{esimId}", get(get_esim))
        .route("/api/settings/exchange-rate", get(get_exchange_rate))
        .route("/api/wallet/balance", get(get_wallet_balance))
        .fallback(|| async { bare_error(StatusCode::NOT_FOUND, "Not Found", "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            bare_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
                "method not allowed here",
            )
        })
        .with_state(App { shared, sim })
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Reject {
    http::json(status, error_body(status, code, message)).into()
}

fn error_body(status: StatusCode, code: &str, message: impl Into<String>) -> Value {
    json!({"success": false, "error": {"code": code, "message": message.into()}, "statusCode": status.as_u16()})
}

fn invalid(message: impl Into<String>) -> Reject {
    error(StatusCode::BAD_REQUEST, "INVALID_PARAMETERS", message)
}

/// The authentication guide's form, for failures no error code describes.
fn bare_error(status: StatusCode, error: &str, message: &str) -> Response {
    http::json(
        status,
        json!({"success": false, "error": error, "message": message, "statusCode": status.as_u16()}),
    )
}

fn usd(cents: u64) -> f64 {
    cents as f64 / 100.0
}

fn mb(bytes: u64) -> f64 {
    (bytes as f64 / MIB * 100.0).round() / 100.0
}

/// What getEsim's `data` shows: `1GB`.
fn data_label(plan: &Plan) -> String {
    plan.data_label().replace(' ', "")
}

/// RFC 3986 unreserved characters stay, everything else is %-encoded (for QR code URLs).
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Vellosim {
    fn new(shared: &Shared) -> Vellosim {
        let mut regions: Vec<Region> = COUNTRIES
            .iter()
            .map(|c| Region {
                code: c.code,
                name: c.name,
                kind: "LC",
                countries: vec![c],
                price_percent: c.price_percent,
            })
            .collect();
        regions.push(Region {
            code: "EU",
            name: "Europe",
            kind: "RG",
            countries: COUNTRIES.iter().filter(|c| is_european(c)).collect(),
            price_percent: 115,
        });
        let mut packages = Vec::new();
        for (region, r) in regions.iter().enumerate() {
            for plan in PLANS {
                let code = format!("{}_{}_{}D", r.code, data_label(&plan), plan.days);
                if plan.topup {
                    let topup = format!("TOPUP_{code}");
                    packages.push(Package {
                        code: topup,
                        region,
                        plan,
                        topup: true,
                    });
                }
                packages.push(Package {
                    code,
                    region,
                    plan,
                    topup: false,
                });
            }
        }
        let balance_cents = (shared.config.opening_balance * 100.0).round().max(0.0) as u64;
        Vellosim {
            regions,
            packages,
            ledger: Mutex::new(Ledger {
                balance_cents,
                balance_updated: shared.clock.now(),
                esims: Vec::new(),
                events: 0,
            }),
        }
    }

    fn region(&self, code: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.code.eq_ignore_ascii_case(code))
    }

    fn package(&self, code: &str) -> Option<usize> {
        self.packages.iter().position(|p| p.code == code)
    }

    fn price_cents(&self, p: &Package) -> u64 {
        p.plan.base_cents * u64::from(self.regions[p.region].price_percent) / 100
    }

    /// `Germany 1GB 7Days`, `Germany Top-Up 1GB 7Days` (the guide's style).
    fn package_name(&self, p: &Package) -> String {
        let kind = if p.topup { " Top-Up" } else { "" };
        format!(
            "{}{kind} {} {}Days",
            self.regions[p.region].name,
            data_label(&p.plan),
            p.plan.days
        )
    }

    fn package_json(&self, p: &Package, ngn: bool) -> Value {
        let region = &self.regions[p.region];
        let cents = self.price_cents(p);
        let (price, currency) = if ngn {
            ((cents * NGN_PER_USD / 100) as f64, "NGN")
        } else {
            (usd(cents), "USD")
        };
        let networks: Vec<Value> = region
            .countries
            .iter()
            .map(|c| {
                json!({
                    "locationName": c.name,
                    "locationLogo": format!("https://flagcdn.com/w320/{}.png", c.code.to_lowercase()),
                    "locationCode": c.code,
                    "operatorList": [{"operatorName": "Sandbox Mobile", "networkType": "4G/5G"}],
                })
            })
            .collect();
        json!({
            "packageCode": p.code,
            "name": self.package_name(p),
            "price": price,
            "currencyCode": currency,
            "volume": p.plan.data_mb * 1024 * 1024,
            "duration": p.plan.days,
            "durationUnit": "DAY",
            "speed": "4G/5G",
            "description": format!("{} of data in {} for {} days", p.plan.data_label(), region.name, p.plan.days),
            "unusedValidTime": 180,
            "location": region.name,
            "locationCode": region.code,
            "locationNetworkList": networks,
            "topUpAvailable": !p.topup && p.plan.topup,
        })
    }

    fn esim_json(&self, shared: &Shared, e: &Esim, now: DateTime<Utc>) -> Value {
        let p = &self.packages[e.package];
        let region = &self.regions[p.region];
        let used = e.used(now);
        let lpa = catalogue::lpa(&e.iccid);
        // Started days count: an eSIM with 1 s of validity left has 1 day left.
        let days_left = ((e.expires - now).num_seconds().max(0) + 86_399) / 86_400;
        let mut esim = json!({
            "_id": e.id,
            "packageCode": p.code,
            "packageName": self.package_name(p),
            "orderNo": format!("ORD{:010}", e.n),
            "esimTranNo": format!("SBX{:010}", e.n),
            "transactionId": e.transaction_id,
            "iccid": e.iccid,
            "imsi": format!("00101{:010}", e.n),
            "msisdn": null,
            "ac": lpa,
            "activationCode": lpa,
            "qrCodeUrl": format!("{}/_sandbox/qr/{}", shared.origin, url_encode(&lpa)),
            "smdpAddress": catalogue::SMDP_ADDRESS,
            "matchingId": catalogue::activation_code(&e.iccid),
            "eid": format!("89049032{:024}", e.n),
            "smdpStatus": "INSTALLED",
            "activeType": "AUTOMATIC",
            "activateTime": rfc3339(e.created),
            "expiredTime": rfc3339(e.expires),
        });
        // Two halves: one `json!` this size exceeds the macro recursion limit.
        let usage = json!({
            "createdAt": rfc3339(e.created),
            "updatedAt": rfc3339(e.settled),
            "esimStatus": e.status(now),
            "data": data_label(&p.plan),
            "totalVolume": e.total,
            "orderUsage": used,
            "data_usage_remain": e.total - used,
            "validity": p.plan.days,
            "totalDuration": e.total_days,
            "validity_usage_remain": days_left,
            "durationUnit": "DAY",
            "pin": null,
            "puk": null,
            "apn": "internet",
            "smsStatus": 0,
            "dataType": 1,
            "price": usd(e.paid_cents),
            "currency": "USD",
            "packageDetails": {
                "coverage": region.countries.iter().map(|c| c.name).collect::<Vec<_>>(),
                "networkProviders": ["Sandbox Mobile"],
                "dataType": "Data Only",
                "speed": "4G/5G",
            },
            "isActive": !e.expired(now),
        });
        if let (Some(esim), Value::Object(usage)) = (esim.as_object_mut(), usage) {
            esim.extend(usage);
        }
        esim
    }

    /// A webhook body; volumes in MB as the webhooks guide documents.
    fn event(&self, shared: &Shared, state: &mut Ledger, i: usize, event: &str, changes: Option<Value>) -> String {
        state.events += 1;
        let e = &state.esims[i];
        let now = shared.clock.now();
        let used = e.used(now);
        let mut body = json!({
            "event": event,
            "id": format!("e0e0e0e0{:016x}", state.events),
            "timestamp": rfc3339(now),
            "data": {
                "id": e.id,
                "transactionId": e.transaction_id,
                "orderNo": format!("ORD{:010}", e.n),
                "packageCode": self.packages[e.package].code,
                "iccid": e.iccid,
                "imsi": format!("00101{:010}", e.n),
                "msisdn": null,
                "ac": catalogue::lpa(&e.iccid),
                "eid": format!("89049032{:024}", e.n),
                "qrCodeUrl": format!("{}/_sandbox/qr/{}", shared.origin, url_encode(&catalogue::lpa(&e.iccid))),
                "esimStatus": e.status(now),
                "smdpStatus": "INSTALLED",
                "activateTime": rfc3339(e.created),
                "expiredTime": rfc3339(e.expires),
                "totalVolume": mb(e.total),
                "totalDuration": e.total_days,
                "dataUsage": mb(used),
                "data_usage_remain": mb(e.total - used),
            },
        });
        if let Some(changes) = changes {
            body["changes"] = changes;
        }
        body.to_string()
    }

    fn deliver(shared: &Shared, bodies: Vec<String>) {
        for body in bodies {
            let url = shared.webhook_url(Provider::Vellosim);
            shared.webhooks.deliver(Provider::Vellosim, url, Vec::new(), body);
        }
    }

    /// Announces the usage thresholds crossed and the expiries reached while time was skipped.
    fn after_skip(&self, shared: &Shared) {
        let now = shared.clock.now();
        let mut bodies = Vec::new();
        let mut state = self.ledger.lock().unwrap();
        for i in 0..state.esims.len() {
            let e = &state.esims[i];
            let (level, used_mb, old_mb) = (e.level(now), mb(e.used(now)), e.announced_mb);
            if level > e.announced {
                let changes = json!({"dataUsage": {"old": old_mb, "new": used_mb}});
                bodies.push(self.event(shared, &mut state, i, "esim.data_updated", Some(changes)));
                let e = &mut state.esims[i];
                (e.announced, e.announced_mb) = (level, used_mb);
            }
            if state.esims[i].expired(now) && !state.esims[i].expiry_announced {
                bodies.push(self.event(shared, &mut state, i, "esim.expired", None));
                state.esims[i].expiry_announced = true;
            }
        }
        drop(state);
        Vellosim::deliver(shared, bodies);
    }
}

fn is_european(c: &Country) -> bool {
    matches!(c.code, "DE" | "FR" | "ES" | "IT" | "GB")
}

impl App {
    /// Checks the key (optional on public operations) and the rate limit.
    fn guard(&self, headers: &HeaderMap, public: bool) -> Result<(), Reject> {
        let key = headers.get("x-api-key").map(|v| v.to_str().unwrap_or_default());
        match key {
            Some(VELLOSIM_API_KEY) => {}
            None if public => {}
            _ => {
                return Err(error(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHORIZED",
                    "Invalid or missing API key",
                ));
            }
        }
        if !self.shared.config.rate_limits {
            return Ok(());
        }
        let bucket = format!("vellosim:{}", key.unwrap_or("public"));
        let now = self.shared.clock.now();
        self.shared
            .limits
            .hit(&bucket, RATE_LIMIT, Duration::from_secs(60), now)
            .map_err(|exceeded| {
                let status = StatusCode::TOO_MANY_REQUESTS;
                let message = format!("Too many requests: {RATE_LIMIT} per minute; retry later");
                http::too_many_requests(exceeded, error_body(status, "RATE_LIMIT_EXCEEDED", message)).into()
            })
    }

    fn purchase(&self, body: Result<Bytes, BytesRejection>) -> Reply {
        let body = json_object(body).map_err(invalid)?;
        let code = opt_str(&body, "packageCode")
            .map_err(invalid)?
            .ok_or_else(|| invalid("`packageCode` is required"))?;
        match opt_str(&body, "paymentMethod").map_err(invalid)? {
            Some("WALLET") => {}
            Some("CARD" | "BANK_TRANSFER" | "MOBILE_MONEY" | "APPLE_PAY") => {
                return Err(invalid(
                    "API purchases are paid from the wallet: use paymentMethod WALLET",
                ));
            }
            Some(other) => return Err(invalid(format!("unknown paymentMethod {other:?}"))),
            None => return Err(invalid("`paymentMethod` is required")),
        }
        let topup = match opt_str(&body, "packageType").map_err(invalid)? {
            Some("BASE") => false,
            Some("TOPUP") => true,
            Some(other) => return Err(invalid(format!("packageType must be BASE or TOPUP, got {other:?}"))),
            None => return Err(invalid("`packageType` is required")),
        };
        let esim_id = opt_str(&body, "esimId").map_err(invalid)?;
        let unknown = || {
            error(
                StatusCode::BAD_REQUEST,
                "INVALID_PACKAGE_CODE",
                format!("unknown package {code:?}"),
            )
        };
        let package = self.sim.package(code).ok_or_else(unknown)?;
        let p = &self.sim.packages[package];
        if p.topup != topup {
            let message = format!("{code} is not a {} package", if topup { "TOPUP" } else { "BASE" });
            return Err(error(StatusCode::BAD_REQUEST, "INVALID_PACKAGE_CODE", message));
        }
        let now = self.shared.clock.now();
        let price = self.sim.price_cents(p);
        let mut state = self.sim.ledger.lock().unwrap();
        let target = match (topup, esim_id) {
            (false, _) => None,
            (true, None) => return Err(invalid("`esimId` is required for a top-up")),
            (true, Some(id)) => {
                let found = state.esims.iter().position(|e| e.id == id || e.transaction_id == id);
                let i = found.ok_or_else(|| not_found_esim(id))?;
                if self.sim.packages[state.esims[i].package].region != p.region {
                    let message = format!("{code} does not top up an eSIM of this region");
                    return Err(error(StatusCode::BAD_REQUEST, "INVALID_PACKAGE_CODE", message));
                }
                Some(i)
            }
        };
        if state.balance_cents < price {
            let message = format!(
                "wallet balance {:.2} USD is below the price {:.2} USD",
                usd(state.balance_cents),
                usd(price)
            );
            return Err(error(StatusCode::BAD_REQUEST, "INSUFFICIENT_BALANCE", message));
        }
        state.balance_cents -= price;
        state.balance_updated = now;
        let volume = p.plan.data_mb * 1024 * 1024;
        let validity = chrono::Duration::days(i64::from(p.plan.days));
        let Some(i) = target else {
            let n = state.esims.len() as u64 + 1;
            let e = Esim {
                n,
                id: format!("5e11051a{n:016x}"),
                transaction_id: format!("esim_{}_{n}", now.timestamp_millis()),
                iccid: catalogue::iccid(ISSUER, n),
                package,
                created: now,
                total: volume,
                total_days: p.plan.days,
                used_at: 0,
                settled: now,
                expires: now + validity,
                paid_cents: price,
                announced: 0,
                announced_mb: 0.0,
                expiry_announced: false,
            };
            let reply = json!({
                "transactionId": e.transaction_id,
                "status": "SUCCESS",
                "package": {
                    "packageCode": p.code,
                    "packageName": self.sim.package_name(p),
                    "price": usd(price),
                    "currency": "USD",
                },
                "esimDetails": {
                    "esimId": e.id,
                    "iccid": e.iccid,
                    "qrCodeUrl": format!("{}/_sandbox/qr/{}", self.shared.origin, url_encode(&catalogue::lpa(&e.iccid))),
                    "activationCode": catalogue::lpa(&e.iccid),
                    "smdpAddress": catalogue::SMDP_ADDRESS,
                    "matchingId": catalogue::activation_code(&e.iccid),
                },
            });
            state.esims.push(e);
            let last = state.esims.len() - 1;
            let created = self.sim.event(&self.shared, &mut state, last, "esim.created", None);
            drop(state);
            Vellosim::deliver(&self.shared, vec![created]);
            return Ok(http::json(StatusCode::OK, reply));
        };
        let e = &mut state.esims[i];
        e.used_at = e.used(now);
        e.settled = now;
        e.total += volume;
        e.total_days += p.plan.days;
        e.expires = e.expires.max(now) + validity;
        e.paid_cents += price;
        (e.announced, e.announced_mb) = (e.level(now), mb(e.used_at));
        e.expiry_announced = e.expired(now);
        let reply = json!({
            "transactionId": format!("esim_{}_{}", now.timestamp_millis(), e.n),
            "status": "SUCCESS",
            "message": "Top-up applied successfully",
            "package": {
                "packageCode": p.code,
                "name": self.sim.package_name(p),
                "price": usd(price),
                "currencyCode": "USD",
                "volume": volume,
                "duration": p.plan.days,
            },
            "esimDetails": {"iccid": e.iccid, "totalVolume": e.total, "dataRemaining": e.total - e.used_at},
        });
        Ok(http::json(StatusCode::OK, reply))
    }
}

fn not_found_esim(id: &str) -> Reject {
    error(
        StatusCode::NOT_FOUND,
        "ORDER_NOT_FOUND",
        format!("no eSIM or order {id:?}"),
    )
}

async fn get_regions(State(app): State<App>, headers: HeaderMap, query: RawParams) -> Reply {
    app.guard(&headers, false)?;
    let params = Params::read(query).map_err(invalid)?;
    let kind = match params.int("type").map_err(invalid)? {
        None => None,
        Some(1) => Some("LC"),
        Some(2) => Some("RG"),
        Some(other) => {
            return Err(invalid(format!(
                "type must be 1 (countries) or 2 (regions), got {other}"
            )));
        }
    };
    let regions: Vec<Value> = app
        .sim
        .regions
        .iter()
        .enumerate()
        .filter(|(_, r)| kind.is_none_or(|k| r.kind == k))
        .map(|(i, r)| {
            json!({
                "regionCode": r.code,
                "regionName": r.name,
                "regionType": r.kind,
                "countryCode": if r.kind == "LC" { Some(r.code) } else { None },
                "flagUrl": format!("https://flagcdn.com/w320/{}.png", r.code.to_lowercase()),
                "packageCount": app.sim.packages.iter().filter(|p| p.region == i && !p.topup).count(),
            })
        })
        .collect();
    Ok(http::json(StatusCode::OK, Value::Array(regions)))
}

async fn get_packages(State(app): State<App>, headers: HeaderMap, query: RawParams) -> Reply {
    app.guard(&headers, false)?;
    let params = Params::read(query).map_err(invalid)?;
    let code = params
        .get("regionCode")
        .ok_or_else(|| invalid("`regionCode` is required"))?;
    let region = app.sim.region(code).ok_or_else(|| {
        error(
            StatusCode::BAD_REQUEST,
            "INVALID_REGION_CODE",
            format!("unknown region {code:?}"),
        )
    })?;
    let topup = match params.get("type") {
        None | Some("BASE") => false,
        Some("TOPUP") => true,
        Some(other) => return Err(invalid(format!("type must be BASE or TOPUP, got {other:?}"))),
    };
    if let Some(kind) = params.get("regionType") {
        if !matches!(kind, "LC" | "RG" | "GL") {
            return Err(invalid(format!("regionType must be LC, RG or GL, got {kind:?}")));
        }
        if app.sim.regions[region].kind != kind {
            return Ok(http::json(StatusCode::OK, json!([])));
        }
    }
    if topup {
        // Top-ups are listed for an eSIM's original package, which must be of this region.
        let base = params
            .get("packageCode")
            .ok_or_else(|| invalid("`packageCode` is required with type=TOPUP"))?;
        let known = app
            .sim
            .package(base)
            .is_some_and(|i| app.sim.packages[i].region == region);
        if !known {
            let message = format!("{base:?} is no package of region {code}");
            return Err(error(StatusCode::BAD_REQUEST, "INVALID_PACKAGE_CODE", message));
        }
    }
    let packages: Vec<Value> = app
        .sim
        .packages
        .iter()
        .filter(|p| p.region == region && p.topup == topup)
        .map(|p| app.sim.package_json(p, false))
        .collect();
    Ok(http::json(StatusCode::OK, Value::Array(packages)))
}

async fn get_package_details(
    State(app): State<App>,
    headers: HeaderMap,
    code: Result<Path<String>, PathRejection>,
    query: RawParams,
) -> Reply {
    app.guard(&headers, true)?;
    let Path(code) = code.map_err(|err| invalid(err.to_string()))?;
    let params = Params::read(query).map_err(invalid)?;
    let ngn = match params.get("currency") {
        None => false,
        Some(c) if c.eq_ignore_ascii_case("USD") => false,
        Some(c) if c.eq_ignore_ascii_case("NGN") => true,
        Some(other) => return Err(invalid(format!("the sandbox prices in USD or NGN, not {other:?}"))),
    };
    let topup = match params.get("type") {
        None | Some("BASE") => false,
        Some("TOPUP") => true,
        Some(other) => return Err(invalid(format!("type must be BASE or TOPUP, got {other:?}"))),
    };
    let found = app
        .sim
        .package(&code)
        .or_else(|| topup.then(|| app.sim.package(&format!("TOPUP_{code}"))).flatten());
    let package = found.ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "PACKAGE_NOT_FOUND",
            format!("no package {code:?}"),
        )
    })?;
    Ok(http::json(
        StatusCode::OK,
        app.sim.package_json(&app.sim.packages[package], ngn),
    ))
}

async fn purchase(State(app): State<App>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Reply {
    app.guard(&headers, false)?;
    app.purchase(body)
}

async fn get_my_esims(State(app): State<App>, headers: HeaderMap, query: RawParams) -> Reply {
    app.guard(&headers, false)?;
    let params = Params::read(query).map_err(invalid)?;
    let page = params.int("page").map_err(invalid)?.unwrap_or(1);
    let limit = params.int("limit").map_err(invalid)?.unwrap_or(10);
    if page < 1 || limit < 1 {
        return Err(invalid("page and limit start at 1"));
    }
    let limit = limit.min(100);
    let search = params.get("search").map(str::to_lowercase);
    let status = params.get("status");
    let now = app.shared.clock.now();
    let ledger = app.sim.ledger.lock().unwrap();
    // Newest first, as an order history reads.
    let matching: Vec<Value> = ledger
        .esims
        .iter()
        .rev()
        .filter(|e| status.is_none_or(|s| e.status(now) == s))
        .map(|e| app.sim.esim_json(&app.shared, e, now))
        .filter(|e| {
            search.as_deref().is_none_or(|needle| {
                ["packageName", "iccid", "transactionId"]
                    .iter()
                    .any(|field| e[field].as_str().is_some_and(|v| v.to_lowercase().contains(needle)))
            })
        })
        .collect();
    let total = matching.len() as i64;
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let esims: Vec<Value> = matching.into_iter().skip(skip).take(limit as usize).collect();
    let body = json!({
        "esims": esims,
        "total": total,
        "page": page,
        "limit": limit,
        "totalPages": (total + limit - 1) / limit,
    });
    Ok(http::json(StatusCode::OK, body))
}

async fn get_esim(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Reply {
    app.guard(&headers, false)?;
    let Path(id) = id.map_err(|err| invalid(err.to_string()))?;
    let now = app.shared.clock.now();
    let ledger = app.sim.ledger.lock().unwrap();
    let e = ledger
        .esims
        .iter()
        .find(|e| e.id == id || e.transaction_id == id)
        .ok_or_else(|| not_found_esim(&id))?;
    Ok(http::json(StatusCode::OK, app.sim.esim_json(&app.shared, e, now)))
}

async fn get_exchange_rate(State(app): State<App>, headers: HeaderMap) -> Reply {
    app.guard(&headers, true)?;
    let data = json!({"rate": NGN_PER_USD, "baseCurrency": "USD", "currency": "NGN"});
    let body = json!({"success": true, "message": "Exchange rate retrieved successfully", "data": data});
    Ok(http::json(StatusCode::OK, body))
}

async fn get_wallet_balance(State(app): State<App>, headers: HeaderMap) -> Reply {
    app.guard(&headers, false)?;
    let ledger = app.sim.ledger.lock().unwrap();
    let data = json!({
        "balance": usd(ledger.balance_cents),
        "currency": "USD",
        "lastUpdated": rfc3339(ledger.balance_updated),
    });
    Ok(http::json(StatusCode::OK, json!({"success": true, "data": data})))
}
