//! The VeloConnect (VeloeSIM wholesale) simulation, mounted at `/veloconnect` (the spec's
//! paths follow unchanged).
//!
//! Catalogue, the same on every start:
//! - Areas: `catalogue::COUNTRIES` in order get ids 1..=8 (Germany = 1) with their continent
//!   as `region`; the bundle `Europe+` (id 151, no region or ISO code, as in the docs'
//!   example) covers the European ones but Turkey. Each area carries one simulated network.
//! - Plans: every `catalogue::PLANS` size in every area, id = area id × 100 + size index + 1
//!   (Germany 1 GB 7 days = 101, Europe+ 1 GB = 15101). `dataAmount` is decimal MB (1 GB →
//!   1000, 10^9 bytes), `duration` days, `price` the wholesale USD price
//!   (`Plan::net_price_cents`; Europe+ at 115 % of the base).
//! - The n-th eSIM (from 1) gets ICCID `catalogue::iccid(32, n)`; assigned plans are numbered
//!   1, 2, … across the organization.
//!
//! Usage: an eSIM's assigned plans are used one after the other, each from the moment the
//! previous one ends (or from its assignment, if later), at `catalogue::USAGE_MB_PER_HOUR`
//! MiB per hour. A plan not yet started has null `startTime`/`endTime`, as in the docs'
//! top-up example; a started one ends `duration` days later, and is expired once that time
//! passes or its bytes are used up. Top-ups: getEsimTopUpPlans lists the plans of the eSIM's
//! first area whose size offers top-ups; topUpEsim appends one as a new assigned plan.
//! Orders and top-ups debit the organization balance (USD, `Config::opening_balance`). The
//! order's optional customer e-mail and name are validated and otherwise ignored: no
//! documented response shows them.
//!
//! Errors: VeloConnect documents none and the spec takes any JSON object for 4XX/5XX. The
//! sandbox answers `{statusCode, error, message}` (a common API-framework shape; a guess):
//! 400 bad input, 401 missing or wrong key, 402 insufficient balance, 404 unknown plan, eSIM
//! or path, 405 wrong method, 429 rate limited (120 requests per simulated minute per key; the
//! limit is undocumented too, the spec's 4XX covers it).
//!
//! VeloConnect documents no webhooks, so none are sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::catalogue::{self, COUNTRIES, PLANS, Plan};
use crate::clock::rfc3339;
use credentials::VELOCONNECT_API_KEY;
use crate::velo_common::{Params, RawParams, Reject, Reply, bytes_used, json_object, opt_str, req_int, runs_out};
use crate::{Shared, http};

const ISSUER: u8 = 32;
const RATE_LIMIT: u32 = 120;
const BUNDLE_ID: i64 = 151;

struct Area {
    id: i64,
    name: &'static str,
    region: Option<&'static str>,
    iso: Option<&'static str>,
    /// For the bundle: the areas it covers (indexes into `VeloConnect::areas`).
    members: Vec<usize>,
    price_percent: u32,
}

struct WholesalePlan {
    id: i64,
    area: usize,
    plan: Plan,
}

impl WholesalePlan {
    fn bytes(&self) -> u64 {
        self.plan.data_mb * 1_000_000_000 / 1024
    }
}

struct Assigned {
    id: i64,
    plan: usize,
    at: DateTime<Utc>,
}

struct Esim {
    iccid: String,
    created: DateTime<Utc>,
    plans: Vec<Assigned>,
}

/// An assigned plan's state at some moment.
struct Usage {
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    remaining: u64,
    expired: bool,
}

struct Ledger {
    balance_cents: u64,
    esims: Vec<Esim>,
    assignments: i64,
}

struct VeloConnect {
    areas: Vec<Area>,
    plans: Vec<WholesalePlan>,
    ledger: Mutex<Ledger>,
}

#[derive(Clone)]
struct App {
    shared: Arc<Shared>,
    sim: Arc<VeloConnect>,
}

pub mod credentials {
    /// VeloConnect key, sent as `Authorization: Apikey <key>`.
    pub const VELOCONNECT_API_KEY: &str = "sandbox-apikey";
}

/// `VELOCONNECT_API_KEY` (the client adds the `Apikey` prefix).
pub(crate) const CREDENTIAL: &[&str] = &[VELOCONNECT_API_KEY];

pub(crate) fn announced_credential() -> String {
    format!("Authorization: Apikey {VELOCONNECT_API_KEY}")
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let sim = Arc::new(VeloConnect::new(&shared));
    Router::new()
        .route("/api/wholesale/plans", get(get_all_plans))
        .route("/api/wholesale/plans/{id}", get(get_one_plan))
        .route("/api/wholesale/organizations", get(get_my_organization))
        .route("/api/wholesale/orders", axum::routing::post(order_one))
        .route("/api/wholesale/esims", get(get_all_esims))
        .route("/api/wholesale/esims/{iccid}", get(get_one_esim))
        .route(
            "/api/wholesale/esims/{iccid}/top-up",
            get(get_top_up_plans).post(top_up),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async { error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here") })
        .with_state(App { shared, sim })
}

fn error(status: StatusCode, message: impl Into<String>) -> Reject {
    http::json(status, error_body(status, message)).into()
}

fn error_body(status: StatusCode, message: impl Into<String>) -> Value {
    let reason = status.canonical_reason().unwrap_or("Error");
    json!({"statusCode": status.as_u16(), "error": reason, "message": message.into()})
}

fn bad(message: impl Into<String>) -> Reject {
    error(StatusCode::BAD_REQUEST, message)
}

fn usd(cents: u64) -> f64 {
    cents as f64 / 100.0
}

fn continent(code: &str) -> &'static str {
    match code {
        "US" => "North America",
        "JP" => "Asia",
        _ => "Europe",
    }
}

impl VeloConnect {
    fn new(shared: &Shared) -> VeloConnect {
        let mut areas: Vec<Area> = (1..)
            .zip(COUNTRIES.iter())
            .map(|(id, c)| Area {
                id,
                name: c.name,
                region: Some(continent(c.code)),
                iso: Some(c.code),
                members: Vec::new(),
                price_percent: c.price_percent,
            })
            .collect();
        let members = (0..areas.len()).filter(|&i| areas[i].region == Some("Europe") && areas[i].iso != Some("TR"));
        areas.push(Area {
            id: BUNDLE_ID,
            name: "Europe+",
            region: None,
            iso: None,
            members: members.collect(),
            price_percent: 115,
        });
        let plans = areas
            .iter()
            .enumerate()
            .flat_map(|(area, a)| {
                (1..).zip(PLANS).map(move |(k, plan)| WholesalePlan {
                    id: a.id * 100 + k,
                    area,
                    plan,
                })
            })
            .collect();
        VeloConnect {
            areas,
            plans,
            ledger: Mutex::new(Ledger {
                balance_cents: (shared.config.opening_balance * 100.0).round().max(0.0) as u64,
                esims: Vec::new(),
                assignments: 0,
            }),
        }
    }

    /// Wholesale price: 80 % of retail, retail scaled by the area's price percentage.
    fn price_cents(&self, p: &WholesalePlan) -> u64 {
        p.plan.base_cents * u64::from(self.areas[p.area].price_percent) / 100 * 80 / 100
    }

    /// A plan's areas: its own, and for the bundle the countries it covers.
    fn plan_areas(&self, p: &WholesalePlan) -> impl Iterator<Item = &Area> {
        let area = &self.areas[p.area];
        std::iter::once(area).chain(area.members.iter().map(|&i| &self.areas[i]))
    }

    fn area_json(area: &Area, networks: bool) -> Value {
        let mut json = json!({"id": area.id, "name": area.name, "region": area.region, "iso": area.iso});
        if let (true, Some(iso)) = (networks, area.iso) {
            json["networks"] = json!([{
                "name": format!("Sandbox Mobile {}", area.name),
                "brandName": "Sandbox Mobile",
                "mcc": "001",
                "mnc": "01",
                "tagid": format!("{iso}SBX"),
                "speed": ["4G", "5G"],
            }]);
        }
        json
    }

    fn plan_json(&self, p: &WholesalePlan) -> Value {
        json!({
            "id": p.id,
            "dataAmount": p.plan.data_mb * 1000 / 1024,
            "duration": p.plan.days,
            "price": usd(self.price_cents(p)),
            "areas": self.plan_areas(p).map(|a| VeloConnect::area_json(a, true)).collect::<Vec<_>>(),
        })
    }

    fn plan_by_id(&self, id: i64) -> Option<usize> {
        self.plans.iter().position(|p| p.id == id)
    }

    /// Each assigned plan's state at `now`: used in turn, each starting when the one before
    /// it ended (or when it was assigned, if later).
    fn usage(&self, e: &Esim, now: DateTime<Utc>) -> Vec<Usage> {
        let mut cursor = Some(e.created);
        e.plans
            .iter()
            .map(|a| {
                let p = &self.plans[a.plan];
                let start = cursor.map(|c| c.max(a.at)).filter(|start| *start <= now);
                let Some(start) = start else {
                    cursor = None;
                    return Usage {
                        start: None,
                        end: None,
                        remaining: p.bytes(),
                        expired: false,
                    };
                };
                let end = start + chrono::Duration::days(i64::from(p.plan.days));
                let stop = end.min(runs_out(start, p.bytes()));
                let expired = now >= stop;
                cursor = expired.then_some(stop);
                Usage {
                    start: Some(start),
                    end: Some(end),
                    remaining: p.bytes() - bytes_used(start, now.min(stop)).min(p.bytes()),
                    expired,
                }
            })
            .collect()
    }

    fn esim_json(&self, e: &Esim, now: DateTime<Utc>) -> Value {
        let lpa = catalogue::lpa(&e.iccid);
        let assigned: Vec<Value> = e
            .plans
            .iter()
            .zip(self.usage(e, now))
            .map(|(a, u)| {
                let p = &self.plans[a.plan];
                json!({
                    "id": a.id,
                    "planId": p.id,
                    "initialQuantityInBytes": p.bytes(),
                    "remainingQuantityInBytes": u.remaining,
                    "startTime": u.start.map(rfc3339),
                    "endTime": u.end.map(rfc3339),
                    "isExpired": u.expired,
                    "areas": self.plan_areas(p).map(|a| VeloConnect::area_json(a, false)).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "iosSetup": format!("https://esimsetup.apple.com/esim_qrcode_provisioning?carddata={lpa}"),
            "iccid": e.iccid,
            "matchingId": catalogue::activation_code(&e.iccid),
            "smdpAddress": catalogue::SMDP_ADDRESS,
            "profileStatus": "INSTALLED",
            "installedAt": rfc3339(e.created),
            "assignedPlans": assigned,
        })
    }

    /// The plans that can top up `e`: its first area's sizes that offer top-ups.
    fn top_up_plans(&self, e: &Esim) -> Vec<usize> {
        let area = e.plans.first().map(|a| self.plans[a.plan].area);
        (0..self.plans.len())
            .filter(|&i| Some(self.plans[i].area) == area && self.plans[i].plan.topup)
            .collect()
    }
}

/// `limit`/`offset` paging over `items`, answered as `{count, rows}`.
fn page(params: &Params, items: Vec<Value>) -> Reply {
    let limit = params.int("limit").map_err(bad)?;
    let offset = params.int("offset").map_err(bad)?.unwrap_or(0);
    if limit.is_some_and(|l| l < 1) || offset < 0 {
        return Err(bad("limit must be at least 1 and offset at least 0"));
    }
    let count = items.len();
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let rows: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    Ok(http::json(StatusCode::OK, json!({"count": count, "rows": rows})))
}

impl App {
    /// Checks `Authorization: Apikey <key>` and the rate limit.
    fn guard(&self, headers: &HeaderMap) -> Result<(), Reject> {
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("apikey"))
            .map(|(_, key)| key.trim());
        if presented != Some(VELOCONNECT_API_KEY) {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "missing or invalid API key (Authorization: Apikey <key>)",
            ));
        }
        if !self.shared.config.rate_limits {
            return Ok(());
        }
        let now = self.shared.clock.now();
        let key = format!("veloconnect:{VELOCONNECT_API_KEY}");
        self.shared
            .limits
            .hit(&key, RATE_LIMIT, Duration::from_secs(60), now)
            .map_err(|exceeded| {
                let message = format!("rate limit of {RATE_LIMIT} requests per minute exceeded");
                http::too_many_requests(exceeded, error_body(StatusCode::TOO_MANY_REQUESTS, message)).into()
            })
    }

    /// The eSIM `iccid` names: 400 if it is no ICCID, 404 if it is not the organization's.
    fn find(&self, ledger: &Ledger, iccid: Result<Path<String>, PathRejection>) -> Result<usize, Reject> {
        let Path(iccid) = iccid.map_err(|err| bad(err.to_string()))?;
        if !catalogue::is_valid_iccid(&iccid) {
            return Err(bad(format!("{iccid:?} is not an ICCID")));
        }
        ledger
            .esims
            .iter()
            .position(|e| e.iccid == iccid)
            .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no eSIM {iccid} in your organization")))
    }

    /// Debits `plan`'s price and records a new assignment, or says why not.
    fn charge(&self, ledger: &mut Ledger, plan: usize) -> Result<Assigned, Reject> {
        let price = self.sim.price_cents(&self.sim.plans[plan]);
        if ledger.balance_cents < price {
            let message = format!(
                "insufficient balance: {:.2} available, the plan costs {:.2}",
                usd(ledger.balance_cents),
                usd(price)
            );
            return Err(error(StatusCode::PAYMENT_REQUIRED, message));
        }
        ledger.balance_cents -= price;
        ledger.assignments += 1;
        Ok(Assigned {
            id: ledger.assignments,
            plan,
            at: self.shared.clock.now(),
        })
    }
}

fn plan_id(body: Result<Bytes, BytesRejection>) -> Result<(i64, serde_json::Map<String, Value>), Reject> {
    let body = json_object(body).map_err(bad)?;
    Ok((req_int(&body, "planId").map_err(bad)?, body))
}

async fn get_all_plans(State(app): State<App>, headers: HeaderMap, query: RawParams) -> Reply {
    app.guard(&headers)?;
    let params = Params::read(query).map_err(bad)?;
    let ids = params
        .all("areaIds")
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| bad(format!("areaIds must be integers, got {v:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = params.all("areaNames").map(str::to_lowercase).collect();
    let regions: Vec<String> = params.all("areaRegions").map(str::to_lowercase).collect();
    // Filters of one kind match any of their values; kinds combine.
    let contains = |value: Option<&str>, needles: &[String]| {
        let value = value.unwrap_or_default().to_lowercase();
        needles.iter().any(|n| value.contains(n.as_str()))
    };
    let rows = app
        .sim
        .plans
        .iter()
        .filter(|p| {
            let areas: Vec<&Area> = app.sim.plan_areas(p).collect();
            (ids.is_empty() || areas.iter().any(|a| ids.contains(&a.id)))
                && (names.is_empty() || areas.iter().any(|a| contains(Some(a.name), &names)))
                && (regions.is_empty() || areas.iter().any(|a| contains(a.region, &regions)))
        })
        .map(|p| app.sim.plan_json(p))
        .collect();
    page(&params, rows)
}

async fn get_one_plan(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Reply {
    app.guard(&headers)?;
    let Path(id) = id.map_err(|err| bad(err.to_string()))?;
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| bad(format!("the plan id must be an integer, got {id:?}")))?;
    let plan = app
        .sim
        .plan_by_id(id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no plan {id}")))?;
    Ok(http::json(StatusCode::OK, app.sim.plan_json(&app.sim.plans[plan])))
}

async fn get_my_organization(State(app): State<App>, headers: HeaderMap) -> Reply {
    app.guard(&headers)?;
    let balance = usd(app.sim.ledger.lock().unwrap().balance_cents);
    Ok(http::json(
        StatusCode::OK,
        json!({"balance": balance, "name": "Sandbox Wholesale"}),
    ))
}

async fn order_one(State(app): State<App>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Reply {
    app.guard(&headers)?;
    let (id, body) = plan_id(body)?;
    let email = opt_str(&body, "customerEmail").map_err(bad)?;
    if email.is_some_and(|e| !matches!(e.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.')))
    {
        return Err(bad("customerEmail must be an e-mail address"));
    }
    opt_str(&body, "customerFullName").map_err(bad)?;
    let plan = app
        .sim
        .plan_by_id(id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no plan {id}")))?;
    let mut ledger = app.sim.ledger.lock().unwrap();
    let assigned = app.charge(&mut ledger, plan)?;
    let n = ledger.esims.len() as u64 + 1;
    let esim = Esim {
        iccid: catalogue::iccid(ISSUER, n),
        created: assigned.at,
        plans: vec![assigned],
    };
    let body = app.sim.esim_json(&esim, app.shared.clock.now());
    ledger.esims.push(esim);
    Ok(http::json(StatusCode::OK, body))
}

async fn get_all_esims(State(app): State<App>, headers: HeaderMap, query: RawParams) -> Reply {
    app.guard(&headers)?;
    let params = Params::read(query).map_err(bad)?;
    let now = app.shared.clock.now();
    let ledger = app.sim.ledger.lock().unwrap();
    let rows = ledger.esims.iter().map(|e| app.sim.esim_json(e, now)).collect();
    page(&params, rows)
}

async fn get_one_esim(State(app): State<App>, headers: HeaderMap, iccid: Result<Path<String>, PathRejection>) -> Reply {
    app.guard(&headers)?;
    let ledger = app.sim.ledger.lock().unwrap();
    let i = app.find(&ledger, iccid)?;
    Ok(http::json(
        StatusCode::OK,
        app.sim.esim_json(&ledger.esims[i], app.shared.clock.now()),
    ))
}

async fn get_top_up_plans(
    State(app): State<App>,
    headers: HeaderMap,
    iccid: Result<Path<String>, PathRejection>,
    query: RawParams,
) -> Reply {
    app.guard(&headers)?;
    let params = Params::read(query).map_err(bad)?;
    let ledger = app.sim.ledger.lock().unwrap();
    let i = app.find(&ledger, iccid)?;
    let rows = app
        .sim
        .top_up_plans(&ledger.esims[i])
        .into_iter()
        .map(|p| app.sim.plan_json(&app.sim.plans[p]))
        .collect();
    page(&params, rows)
}

async fn top_up(
    State(app): State<App>,
    headers: HeaderMap,
    iccid: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Reply {
    app.guard(&headers)?;
    let mut ledger = app.sim.ledger.lock().unwrap();
    let i = app.find(&ledger, iccid)?;
    let (id, _) = plan_id(body)?;
    let plan = app
        .sim
        .plan_by_id(id)
        .filter(|p| app.sim.top_up_plans(&ledger.esims[i]).contains(p))
        .ok_or_else(|| bad(format!("plan {id} is not a top-up for this eSIM (see GET …/top-up)")))?;
    let assigned = app.charge(&mut ledger, plan)?;
    ledger.esims[i].plans.push(assigned);
    Ok(http::json(
        StatusCode::OK,
        app.sim.esim_json(&ledger.esims[i], app.shared.clock.now()),
    ))
}
