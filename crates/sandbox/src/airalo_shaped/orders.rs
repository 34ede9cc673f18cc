//! Orders: validating a purchase, debiting the account, issuing eSIMs, and the order as
//! Airalo shows it.

use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::esim::Esim;
use super::offer::{Pkg, manual_installation, qr_installation};
use super::wire::{Fields, usd};
use super::{Api, State};
use crate::catalogue;
use crate::clock::airalo_format;

pub struct Order {
    pub id: u64,
    pub code: String,
    pub pkg: Pkg,
    pub quantity: u32,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub brand: Option<String>,
    /// The eSIMs bought (SIM orders) or the one topped up (top-ups).
    pub iccids: Vec<String>,
}

/// A validated order request.
#[derive(Clone)]
pub struct Purchase {
    pub pkg: Pkg,
    pub quantity: u32,
    pub description: Option<String>,
    pub brand: Option<String>,
}

/// A business failure: Airalo's `{code, reason}`.
pub type Refusal = (i64, &'static str);

pub const INSUFFICIENT: Refusal = (11, "Insufficient balance: top up your account to place this order.");

/// Airalo's sandbox package ids that force a business error instead of an order.
const FORCED: [(&str, Refusal); 5] = [
    ("test-insufficient-balance-7days-1gb", INSUFFICIENT),
    (
        "test-maintenance-mode-7days-1gb",
        (13, "The operator is under maintenance."),
    ),
    (
        "test-disabled-top-up-7days-1gb",
        (23, "Top-up is disabled by the operator."),
    ),
    ("test-not-enough-7days-1gb", (33, "Not enough eSIMs in stock.")),
    (
        "test-out-of-stock-7days-1gb",
        (34, "The package is invalid or out of stock."),
    ),
];

/// Which optional parts an order list shows (`include=sims,user,status`).
#[derive(Clone, Copy, Default)]
pub struct Include {
    pub sims: bool,
    pub user: bool,
    pub status: bool,
}

impl Include {
    pub fn parse(include: Option<&str>) -> Include {
        let parts: Vec<&str> = include.unwrap_or_default().split(',').map(str::trim).collect();
        let has = |name: &str| parts.contains(&name);
        Include {
            sims: has("sims"),
            user: has("user") || has("order.user"),
            status: has("status") || has("order.status") || has("order"),
        }
    }
}

/// Validates the fields of submit order (also async and future orders). A forced test
/// package answers with its business error.
pub fn purchase(fields: &mut Fields, max_quantity: i64) -> Result<Purchase, Response> {
    let quantity = fields.integer("quantity", true, 1..=max_quantity);
    let package_id = fields.string("package_id", true);
    if let Some((_, (code, reason))) = FORCED.iter().find(|(id, _)| Some(*id) == package_id.as_deref()) {
        return Err(super::wire::business(*code, reason));
    }
    let pkg = package_id.and_then(|id| match Pkg::find(&id) {
        Some(pkg) if !pkg.topup => Some(pkg),
        _ => {
            fields.fail("package_id", "The selected package is invalid.");
            None
        }
    });
    fields.one_of("type", false, &["sim"]);
    let description = fields.string("description", false);
    let brand = fields.string("brand_settings_name", false);
    if let Some(email) = fields.string("to_email", false) {
        if !email.contains('@') {
            fields.fail("to_email", "The to email must be a valid email address.");
        }
        match fields.strings("sharing_option", false) {
            None => fields.fail(
                "sharing_option",
                "The sharing option field is required when to email is present.",
            ),
            Some(options) if options.iter().any(|o| o != "link" && o != "pdf") => {
                fields.fail("sharing_option", "The selected sharing option is invalid.")
            }
            Some(_) => {}
        }
    }
    fields.strings("copy_address", false);
    fields.check()?;
    match (pkg, quantity) {
        (Some(pkg), Some(quantity)) => Ok(Purchase {
            pkg,
            quantity: quantity as u32,
            description,
            brand,
        }),
        _ => Err(super::wire::invalid(Vec::new())),
    }
}

impl Api {
    /// Debits the account and issues the eSIMs; the new order's index.
    pub fn place(&self, state: &mut State, purchase: &Purchase, now: DateTime<Utc>) -> Result<usize, Refusal> {
        let total = purchase.pkg.net_price() * i64::from(purchase.quantity);
        if state.balance_cents < total {
            return Err(INSUFFICIENT);
        }
        state.balance_cents -= total;
        let order_id = state.orders.len() as u64 + 1;
        let mut iccids = Vec::new();
        for _ in 0..purchase.quantity {
            let n = state.esims.len() as u64 + 1;
            let iccid = catalogue::iccid(self.flavor.iccid_issuer, n);
            state.bundles += 1;
            let mut esim = Esim::new(n, iccid.clone(), order_id, state.bundles, purchase.pkg, now);
            esim.brand = purchase.brand.clone();
            state.esims.push(esim);
            iccids.push(iccid);
        }
        state.orders.push(Order {
            id: order_id,
            code: format!("{}-{order_id:06}", now.format("%Y%m%d")),
            pkg: purchase.pkg,
            quantity: purchase.quantity,
            description: purchase.description.clone(),
            created_at: now,
            brand: purchase.brand.clone(),
            iccids,
        });
        Ok(state.orders.len() - 1)
    }

    /// POST /orders/topups after validation of its body.
    pub fn top_up(&self, state: &mut State, body: &Map<String, Value>, now: DateTime<Utc>) -> Result<usize, Response> {
        let mut fields = Fields::new(body);
        let package_id = fields.string("package_id", true);
        let iccid = fields.string("iccid", true);
        let description = fields.string("description", false);
        fields.check()?;
        let (Some(package_id), Some(iccid)) = (package_id, iccid) else {
            return Err(super::wire::invalid(Vec::new()));
        };
        let Some(index) = state.esims.iter().position(|e| e.iccid == iccid) else {
            return Err(super::wire::invalid_field("iccid", "The selected iccid is invalid."));
        };
        let pkg = match Pkg::find(&package_id) {
            Some(pkg) if pkg.topup && pkg.dest == state.esims[index].dest => pkg,
            _ => return Err(super::wire::invalid_field("package_id", "invalid topup package")),
        };
        if state.balance_cents < pkg.net_price() {
            return Err(super::wire::business(INSUFFICIENT.0, INSUFFICIENT.1));
        }
        state.balance_cents -= pkg.net_price();
        state.bundles += 1;
        let bundle = state.bundles;
        state.esims[index].add(bundle, pkg, now);
        let id = state.orders.len() as u64 + 1;
        state.orders.push(Order {
            id,
            code: format!("{}-{id:06}", now.format("%Y%m%d")),
            pkg,
            quantity: 1,
            description: Some(description.unwrap_or_else(|| format!("Topup ({iccid})"))),
            created_at: now,
            brand: None,
            iccids: vec![iccid],
        });
        Ok(state.orders.len() - 1)
    }

    /// The order as Airalo returns it; `sims` lists the eSIMs of a SIM order.
    pub fn order_json(&self, state: &State, order: &Order, include: Include) -> Value {
        let country = order.pkg.country();
        let mut json = json!({
            "id": order.id,
            "code": order.code,
            "currency": "USD",
            "package_id": order.pkg.id(),
            "quantity": order.quantity,
            "type": if order.pkg.topup { "topup" } else { "sim" },
            "description": order.description,
            "esim_type": "Prepaid",
            "validity": order.pkg.plan().days,
            "package": format!("{}-{}", order.pkg.operator(), order.pkg.title()),
            "data": order.pkg.plan().data_label(),
            "price": usd(order.pkg.price()),
            "net_price": usd(order.pkg.net_price()),
            "pricing_model": "net_pricing",
            "text": null,
            "voice": null,
            "brand_settings_name": order.brand,
            "created_at": airalo_format(order.created_at),
            "manual_installation": manual_installation(country),
            "qrcode_installation": qr_installation(country),
            "installation_guides": {"en": "https://sandbox.invalid/installation-guide"},
        });
        if include.sims && !order.pkg.topup {
            let origin = &self.shared.origin;
            let sims: Vec<Value> = state
                .esims
                .iter()
                .filter(|e| order.iccids.contains(&e.iccid))
                .map(|e| e.json(origin))
                .collect();
            json["sims"] = Value::Array(sims);
        }
        if include.status {
            json["status"] = json!({"name": "Completed", "slug": "completed"});
        }
        if include.user {
            json["user"] = json!({
                "id": 1,
                "created_at": "2025-01-01T00:00:00Z",
                "name": "Sandbox Partner",
                "email": "partner@sandbox.invalid",
                "mobile": null,
                "address": null,
                "state": null,
                "city": null,
                "postal_code": null,
                "country_id": null,
                "company": "Sandbox Partner",
            });
        }
        json
    }
}
