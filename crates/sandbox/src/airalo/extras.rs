//! Refund requests, eSIM branding, product information and the full device list.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Airalo;
use crate::airalo_shaped::Limit;
use crate::airalo_shaped::offer::{DEVICES, Pkg, operator_title};
use crate::airalo_shaped::wire::{Fields, Reply, body, invalid_field, not_found, success};
use crate::clock::airalo_format;
use crate::http::json;

type Body = Result<Bytes, BytesRejection>;
type PathParam = Result<Path<String>, PathRejection>;

const REFUND_REASONS: [&str; 23] = [
    "INSTALLATION_FAILURE",
    "NO_COVERAGE",
    "APN_FAILURE",
    "TRIP_CANCELLATION",
    "INTERMITTENT_CONNECTION",
    "BLOCKED_NETWORK",
    "CHANGE_OF_PLAN",
    "DELETED_ESIM",
    "EARLY_EXPIRY",
    "HOTSPOT_NOT_WORKING",
    "IMSI_CHANGE",
    "INCOMPATIBLE_DEVICE",
    "LOCKED_DEVICE",
    "NO_VOICE_TEXT_SERVICES",
    "OVERCHARGED",
    "SLOW_SPEED",
    "TOP_UP_PACKAGE_FAILURE",
    "UNKNOWN_CHARGES",
    "WRONG_PURCHASE",
    "UNABLE_TO_ACCESS_APPS",
    "SERVICE_DEGRADATION",
    "QR_ISSUE_PARTNERS",
    "OTHERS",
];

/// POST /refund: accepted for (simulated) manual review; nothing is credited.
pub async fn refund(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, bytes: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    airalo.api.limit("refund", Limit::per_minute(5))?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let mut fields = Fields::new(&body);
    let iccids = fields.strings("iccids", true);
    match iccids.as_ref().map(Vec::len) {
        Some(0) => fields.fail("iccids", "The iccids field is required."),
        Some(n) if n > 5 => fields.fail("iccids", "The iccids may not have more than 5 items."),
        _ => {}
    }
    let reason = fields.one_of("reason", true, &REFUND_REASONS);
    let notes = fields.string("notes", reason.as_deref() == Some("OTHERS"));
    if notes.is_some_and(|n| n.chars().count() > 255) {
        fields.fail("notes", "The notes may not be greater than 255 characters.");
    }
    if fields.string("email", false).is_some_and(|e| !e.contains('@')) {
        fields.fail("email", "The email must be a valid email address.");
    }
    fields.check()?;
    let iccids = iccids.unwrap_or_default();
    let foreign: Vec<&String> = {
        let state = airalo.api.state();
        iccids
            .iter()
            .filter(|i| !state.esims.iter().any(|e| &e.iccid == *i))
            .collect()
    };
    if !foreign.is_empty() {
        let list: Vec<&str> = foreign.iter().map(|i| i.as_str()).collect();
        let message = format!(
            "The following ICCIDs do not belong to your company: {}",
            list.join(", ")
        );
        return Err(json(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"data": [], "meta": {"message": message}}),
        ));
    }
    let refund_id = format!("RFD-{:07}", airalo.extra().next());
    Ok(json(
        StatusCode::ACCEPTED,
        json!({
            "data": {"refund_id": refund_id, "created_at": airalo_format(airalo.api.now())},
            "meta": {"message": "success"},
        }),
    ))
}

/// PUT /sims/{iccid}/brand: `brand_settings_name` must be present; null means unbranded.
pub async fn brand(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, path: PathParam, bytes: Body) -> Reply {
    airalo.api.authorize(&headers)?;
    let body = body(&headers, &bytes.unwrap_or_default());
    let brand = match body.get("brand_settings_name") {
        None => {
            return Err(invalid_field(
                "brand_settings_name",
                "The brand settings name field must be present.",
            ));
        }
        Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => {
            return Err(invalid_field(
                "brand_settings_name",
                "The brand settings name must be a string.",
            ));
        }
    };
    let iccid = crate::airalo_shaped::iccid_param(path);
    let mut state = airalo.api.state();
    let esim = state
        .esims
        .iter_mut()
        .find(|e| e.iccid == iccid)
        .ok_or_else(not_found)?;
    esim.brand = brand.clone();
    Ok(success(json!({ "brand_settings_name": brand })))
}

/// GET /packages/{slug}/product-information. Airalo answers a bad token here with 403.
pub async fn product_information(State(airalo): State<Arc<Airalo>>, headers: HeaderMap, path: PathParam) -> Reply {
    airalo.api.authorize(&headers).map_err(|_| {
        json(
            StatusCode::FORBIDDEN,
            json!({"message": "Forbidden: a valid access token is required."}),
        )
    })?;
    let slug = path.map(|Path(slug)| slug).unwrap_or_default();
    airalo
        .api
        .limit(&format!("product-information:{slug}"), Limit::per_minute(60))?;
    let pkg = Pkg::find(&slug).ok_or_else(not_found)?;
    let (plan, country) = (pkg.plan(), pkg.country());
    let retail_eur = (pkg.price() as f64 * 0.92).round() / 100.0;
    Ok(json(
        StatusCode::OK,
        json!({"data": {
            "package_id": slug,
            "product_name": pkg.title(),
            "product_description": format!("{} of data for {} days in {}", plan.data_label(), plan.days, country.name),
            "date_marketed": null,
            "service_internet": true,
            "service_telephony": false,
            "service_sms": false,
            "network_providers": [format!("{} Sandbox Net", country.name)],
            "network_technologies": ["4G", "5G"],
            "data_allowance_mb": plan.data_mb.to_string(),
            "data_allowance_display": plan.data_label(),
            "validity_days": plan.days,
            "voice_minutes": 0,
            "sms_included": 0,
            "retail_price_eur": retail_eur,
            "max_download_speed_mbit": "150",
            "max_upload_speed_mbit": "50",
            "throttled_download_speed_mbit": null,
            "throttled_upload_speed_mbit": null,
            "throttle_threshold_mb": null,
            "is_unlimited": false,
            "is_fair_usage_policy": false,
            "fair_usage_policy": null,
            "out_of_bundle_rate_eur_per_mb": "Out of bundle rate is not applicable",
            "activation_policy": "first-usage",
            "is_roaming": true,
            "auto_renewal": "The package does not renew automatically",
            "terms_url": "https://sandbox.invalid/terms",
            "partner_brand_name": operator_title(country),
            "partner_logo_url": "https://sandbox.invalid/images/logo.png",
            "legal_entity_name": "Sandbox eSIM Ltd.",
            "legal_address": "1 Sandbox Street, Nowhere",
            "pib_version": 1,
            "pib_version_date": "2025-01-01T00:00:00+00:00",
            "version_hash": hex::encode(Sha256::digest(slug.as_bytes())),
            "pib_version_pdf_link": format!("https://sandbox.invalid/package_versions/{slug}/1.pdf"),
        }}),
    ))
}

/// GET /compatible-devices (deprecated): the lite list with model codes.
pub async fn devices(State(airalo): State<Arc<Airalo>>, headers: HeaderMap) -> Reply {
    airalo.api.authorize(&headers)?;
    let devices: Vec<Value> = DEVICES
        .iter()
        .map(|(model, os, brand, name)| json!({"model": model, "os": os, "brand": brand, "name": name}))
        .collect();
    Ok(json(StatusCode::OK, json!({ "data": devices })))
}
