//! The operations Airalo and PressOne share, as axum handlers.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::esim::Esim;
use super::offer::{DEVICES, Pkg, destination_json, destinations, is_global};
use super::orders::{Include, purchase};
use super::wire::{
    Fields, Reply, business, date_range, invalid_field, not_found, page_params, paginate, param, query, success,
    unauthorized, usd,
};
use super::{Api, State as Account};
use crate::credentials::{CLIENT_ID, CLIENT_SECRET};
use crate::http::json;

type Sim = State<Arc<Api>>;
type Body = Result<Bytes, BytesRejection>;
type PathParam = Result<Path<String>, PathRejection>;

/// The sandbox account is on net pricing (no discount).
fn pricing() -> Value {
    json!({"model": "net_pricing", "discount_percentage": 0})
}

/// The shared operations under the flavor's prefix.
pub fn router(api: &Arc<Api>) -> Router {
    let p = |path: &str| format!("{}{path}", api.flavor.prefix);
    Router::new()
        .route(&p("/token"), post(token))
        .route(&p("/balance"), get(balance))
        .route(&p("/compatible-devices-lite"), get(devices_lite))
        .route(&p("/packages"), get(packages))
        .route(&p("/orders"), post(submit_order).get(list_orders))
        .route(&p("/orders/{order_id}"), get(get_order))
        .route(&p("/orders/topups"), post(submit_topup))
        .route(&p("/sims"), get(list_sims))
        .route(&p("/sims/{iccid}"), get(get_sim))
        .route(&p("/sims/{iccid}/instructions"), get(instructions))
        .route(&p("/sims/{iccid}/usage"), get(usage))
        .route(&p("/sims/{iccid}/topups"), get(topups))
        .route(&p("/sims/{iccid}/packages"), get(history))
        .with_state(api.clone())
}

/// The ICCID in a path ("" when the path does not decode, which finds no eSIM).
pub fn iccid_param(path: PathParam) -> String {
    path.map(|Path(iccid)| iccid).unwrap_or_default()
}

pub fn find<'a>(state: &'a Account, iccid: &str) -> Result<&'a Esim, axum::response::Response> {
    state.esims.iter().find(|e| e.iccid == iccid).ok_or_else(not_found)
}

async fn token(State(api): Sim, headers: HeaderMap, body: Body) -> Reply {
    let body = super::wire::body(&headers, &body.unwrap_or_default());
    api.limit("token", api.flavor.token_limit)?;
    let mut fields = Fields::new(&body);
    let id = fields.string("client_id", true);
    let secret = fields.string("client_secret", true);
    fields.one_of("grant_type", true, &["client_credentials"]);
    fields.check()?;
    if id.as_deref() != Some(CLIENT_ID) {
        return Err(invalid_field("client_id", "The selected client id is invalid."));
    }
    if secret.as_deref() != Some(CLIENT_SECRET) {
        return Err(unauthorized("Client authentication failed"));
    }
    let ttl = api.shared.config.token_ttl;
    let expires = chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|ttl| api.now().checked_add_signed(ttl))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let token = api.tokens.issue(expires);
    Ok(success(
        json!({"token_type": "Bearer", "expires_in": ttl.as_secs(), "access_token": token}),
    ))
}

async fn balance(State(api): Sim, headers: HeaderMap) -> Reply {
    api.authorize(&headers)?;
    let cents = api.state().balance_cents;
    Ok(success(json!({
        "balances": {"name": "balance", "availableBalance": {"amount": usd(cents), "currency": "USD"}}
    })))
}

async fn devices_lite(State(api): Sim, headers: HeaderMap) -> Reply {
    api.authorize(&headers)?;
    let devices: Vec<Value> = DEVICES
        .iter()
        .map(|(_, os, brand, name)| json!({"os": os, "brand": brand, "name": name}))
        .collect();
    Ok(json(StatusCode::OK, json!({ "data": devices })))
}

async fn packages(State(api): Sim, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    api.authorize(&headers)?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    api.limit(&format!("packages:{token}"), api.flavor.packages_limit)?;
    let query = query(raw.as_deref());
    let kind = param(&query, "filter[type]");
    if kind.is_some_and(|k| k != "local" && k != "global") {
        return Err(invalid_field("filter.type", "The selected filter.type is invalid."));
    }
    let country = param(&query, "filter[country]").map(str::to_uppercase);
    let with_topups = param(&query, "include").is_some_and(|v| v.split(',').any(|p| p.trim() == "topup"));
    let paging = page_params(&query, None)?;
    let shown: Vec<usize> = destinations()
        .filter(|(_, c)| kind.is_none_or(|k| (k == "global") == is_global(c)))
        .filter(|(_, c)| country.as_deref().is_none_or(|code| c.code == code))
        .map(|(index, _)| index)
        .collect();
    let (range, links, meta) = paginate(shown.len(), paging, &api.url("/packages"), &query);
    let data: Vec<Value> = shown[range]
        .iter()
        .map(|&dest| {
            let packages: Vec<Pkg> = Pkg::all()
                .filter(|p| p.dest == dest && (with_topups || !p.topup))
                .collect();
            destination_json(dest, &packages)
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({"pricing": pricing(), "data": data, "links": links, "meta": meta}),
    ))
}

async fn submit_order(State(api): Sim, headers: HeaderMap, body: Body) -> Reply {
    api.authorize(&headers)?;
    let body = super::wire::body(&headers, &body.unwrap_or_default());
    let purchase = purchase(&mut Fields::new(&body), 50)?;
    let mut state = api.state();
    let index = api
        .place(&mut state, &purchase, api.now())
        .map_err(|(code, reason)| business(code, reason))?;
    let include = Include {
        sims: true,
        ..Include::default()
    };
    Ok(success(api.order_json(&state, &state.orders[index], include)))
}

async fn submit_topup(State(api): Sim, headers: HeaderMap, body: Body) -> Reply {
    api.authorize(&headers)?;
    let body = super::wire::body(&headers, &body.unwrap_or_default());
    let mut state = api.state();
    let index = api.top_up(&mut state, &body, api.now())?;
    Ok(success(api.order_json(
        &state,
        &state.orders[index],
        Include::default(),
    )))
}

async fn list_orders(State(api): Sim, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let include = Include::parse(param(&query, "include"));
    let created = date_range(param(&query, "filter[created_at]"), "filter.created_at")?;
    let status = param(&query, "filter[order_status]");
    if status.is_some_and(|s| !["completed", "failed", "partially_refunded", "refunded"].contains(&s)) {
        return Err(invalid_field(
            "filter.order_status",
            "The selected filter.order status is invalid.",
        ));
    }
    let like = |key: &str| param(&query, key).map(str::to_lowercase);
    let (code, iccid, description) = (like("filter[code]"), like("filter[iccid]"), like("filter[description]"));
    let paging = page_params(&query, Some(50))?;
    let state = api.state();
    let contains = |text: &str, part: &Option<String>| part.as_ref().is_none_or(|p| text.to_lowercase().contains(p));
    // Every simulated order completes.
    let matched: Vec<_> = state
        .orders
        .iter()
        .rev()
        .filter(|_| status.is_none_or(|s| s == "completed"))
        .filter(|o| contains(&o.code, &code))
        .filter(|o| contains(o.description.as_deref().unwrap_or_default(), &description))
        .filter(|o| iccid.is_none() || o.iccids.iter().any(|i| contains(i, &iccid)))
        .filter(|o| created.is_none_or(|(from, to)| (from..=to).contains(&o.created_at.date_naive())))
        .collect();
    let (range, links, meta) = paginate(matched.len(), paging, &api.url("/orders"), &query);
    let data: Vec<Value> = matched[range]
        .iter()
        .map(|o| api.order_json(&state, o, include))
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "links": links, "meta": meta}),
    ))
}

async fn get_order(State(api): Sim, headers: HeaderMap, path: PathParam, RawQuery(raw): RawQuery) -> Reply {
    api.authorize(&headers)?;
    let id: Option<u64> = path.ok().and_then(|Path(id)| id.trim().parse().ok());
    let include = Include::parse(param(&query(raw.as_deref()), "include"));
    let state = api.state();
    let order = id
        .and_then(|id| state.orders.iter().find(|o| o.id == id))
        .ok_or_else(not_found)?;
    Ok(success(api.order_json(&state, order, include)))
}

/// The full eSIM: the order variant plus `simable`, the order that created it.
fn sim_json(api: &Api, state: &Account, esim: &Esim, include: &str) -> Value {
    let mut json = esim.json(&api.shared.origin);
    json["order"] = Value::Null;
    let parts: Vec<&str> = include.split(',').map(str::trim).collect();
    if let Some(order) = state.orders.iter().find(|o| o.id == esim.order_id) {
        let include = Include {
            sims: false,
            user: parts.contains(&"order.user"),
            status: true,
        };
        let mut simable = api.order_json(state, order, include);
        if parts.contains(&"share") {
            simable["sharing"] = json!({
                "link": format!("https://sandbox.invalid/share/{}", esim.iccid),
                "access_code": &esim.iccid[esim.iccid.len().saturating_sub(4)..],
            });
        }
        json["simable"] = simable;
    }
    json
}

async fn list_sims(State(api): Sim, headers: HeaderMap, RawQuery(raw): RawQuery) -> Reply {
    api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let include = param(&query, "include").unwrap_or_default();
    let created = date_range(param(&query, "filter[created_at]"), "filter.created_at")?;
    let iccid = param(&query, "filter[iccid]");
    let paging = page_params(&query, Some(50))?;
    let state = api.state();
    let matched: Vec<&Esim> = state
        .esims
        .iter()
        .rev()
        .filter(|e| iccid.is_none_or(|i| e.iccid.contains(i)))
        .filter(|e| created.is_none_or(|(from, to)| (from..=to).contains(&e.created_at.date_naive())))
        .collect();
    let (range, links, meta) = paginate(matched.len(), paging, &api.url("/sims"), &query);
    let data: Vec<Value> = matched[range]
        .iter()
        .map(|e| sim_json(&api, &state, e, include))
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "links": links, "meta": meta}),
    ))
}

async fn get_sim(State(api): Sim, headers: HeaderMap, path: PathParam, RawQuery(raw): RawQuery) -> Reply {
    api.authorize(&headers)?;
    let query = query(raw.as_deref());
    let state = api.state();
    let esim = find(&state, &iccid_param(path))?;
    Ok(success(sim_json(
        &api,
        &state,
        esim,
        param(&query, "include").unwrap_or_default(),
    )))
}

async fn instructions(State(api): Sim, headers: HeaderMap, path: PathParam) -> Reply {
    api.authorize(&headers)?;
    // Only English is simulated; the language asked for is echoed as Airalo does ("EN").
    let language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.chars()
                .take_while(char::is_ascii_alphabetic)
                .take(2)
                .collect::<String>()
        })
        .filter(|v| v.len() == 2)
        .unwrap_or_else(|| "en".to_owned())
        .to_uppercase();
    let state = api.state();
    let esim = find(&state, &iccid_param(path))?;
    Ok(success(esim.instructions_json(&api.shared.origin, &language)))
}

async fn usage(State(api): Sim, headers: HeaderMap, path: PathParam) -> Reply {
    api.authorize(&headers)?;
    let iccid = iccid_param(path);
    api.limit(&format!("usage:{iccid}"), api.flavor.usage_limit)?;
    let state = api.state();
    Ok(success(find(&state, &iccid)?.usage_json(api.now())))
}

async fn topups(State(api): Sim, headers: HeaderMap, path: PathParam) -> Reply {
    api.authorize(&headers)?;
    let state = api.state();
    let esim = find(&state, &iccid_param(path))?;
    let data: Vec<Value> = Pkg::all()
        .filter(|p| p.topup && p.dest == esim.dest)
        .map(Pkg::short_json)
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({"pricing": pricing(), "data": data, "meta": {"message": "success"}}),
    ))
}

async fn history(State(api): Sim, headers: HeaderMap, path: PathParam) -> Reply {
    api.authorize(&headers)?;
    let iccid = iccid_param(path);
    api.limit(&format!("history:{iccid}"), api.flavor.history_limit)?;
    let state = api.state();
    let history = find(&state, &iccid)?.history_json(api.now());
    Ok(json(
        StatusCode::OK,
        json!({"pricing": pricing(), "data": history, "meta": {"message": "success"}}),
    ))
}
