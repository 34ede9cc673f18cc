//! eSIMs and their data over simulated time. An eSIM is active from purchase and uses
//! `USAGE_MB_PER_HOUR` until its allowance is gone or its validity ends. A top-up adds its
//! data to the allowance and its days to the validity (from the later of now and the current
//! expiry); use then continues, drawing on the packages in the order they were bought.
//!
//! Usage is linear in time, so it is brought up to date lazily (`advance`) whenever an eSIM
//! is read or changed, and after each clock skip.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::offer::{Pkg, destination, operator_title};
use super::wire::percent_encode;
use crate::catalogue::{SMDP_ADDRESS, USAGE_MB_PER_HOUR, activation_code, lpa};
use crate::clock::{airalo_format, iso_offset};

pub struct Esim {
    pub id: u64,
    pub iccid: String,
    pub order_id: u64,
    pub dest: usize,
    pub created_at: DateTime<Utc>,
    pub brand: Option<String>,
    pub bundles: Vec<Bundle>,
    used_mb: f64,
    /// Up to when `used_mb` is computed.
    last: DateTime<Utc>,
    /// Low-data levels already notified for the current allowance (reset by a top-up).
    pub notified: Vec<&'static str>,
}

/// A package on an eSIM: the one it was bought with, or a top-up.
pub struct Bundle {
    pub id: u64,
    pub pkg: Pkg,
    pub activated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Esim {
    pub fn new(id: u64, iccid: String, order_id: u64, bundle_id: u64, pkg: Pkg, now: DateTime<Utc>) -> Esim {
        let mut esim = Esim {
            id,
            iccid,
            order_id,
            dest: pkg.dest,
            created_at: now,
            brand: None,
            bundles: Vec::new(),
            used_mb: 0.0,
            last: now,
            notified: Vec::new(),
        };
        esim.add(bundle_id, pkg, now);
        esim
    }

    /// Adds a package (a top-up), extending allowance and validity.
    pub fn add(&mut self, bundle_id: u64, pkg: Pkg, now: DateTime<Utc>) {
        self.advance(now);
        let from = self.bundles.last().map_or(now, |b| b.expires_at.max(now));
        self.bundles.push(Bundle {
            id: bundle_id,
            pkg,
            activated_at: now,
            expires_at: from + Duration::days(i64::from(pkg.plan().days)),
            finished_at: None,
        });
        self.notified.clear();
    }

    /// Counts the data used between the last update and `now`.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        let until = now.min(self.expires_at());
        if until > self.last {
            let rate = USAGE_MB_PER_HOUR as f64;
            let hours = (until - self.last).num_milliseconds() as f64 / 3_600_000.0;
            let before = self.used_mb;
            let after = (before + hours * rate).min(self.total_mb() as f64);
            let mut threshold = 0.0;
            for bundle in &mut self.bundles {
                threshold += bundle.pkg.amount_mb() as f64;
                if bundle.finished_at.is_none() && after >= threshold {
                    let ms = ((threshold - before).max(0.0) / rate * 3_600_000.0) as i64;
                    bundle.finished_at = Some(self.last + Duration::milliseconds(ms));
                }
            }
            self.used_mb = after;
        }
        self.last = self.last.max(now);
    }

    pub fn total_mb(&self) -> u64 {
        self.bundles.iter().map(|b| b.pkg.amount_mb()).sum()
    }

    pub fn remaining_mb(&self) -> u64 {
        (self.total_mb() as f64 - self.used_mb).max(0.0).round() as u64
    }

    /// Percentage of the allowance used, 0–100.
    pub fn used_percent(&self) -> u64 {
        let total = self.total_mb().max(1);
        (total - self.remaining_mb().min(total)) * 100 / total
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.bundles.last().map_or(self.created_at, |b| b.expires_at)
    }

    /// The package the eSIM is on now (for notifications): the first with data left.
    pub fn current(&self) -> Option<Pkg> {
        let mut threshold = 0.0;
        let on = self.bundles.iter().find(|b| {
            threshold += b.pkg.amount_mb() as f64;
            self.used_mb < threshold
        });
        on.or(self.bundles.last()).map(|b| b.pkg)
    }

    /// Airalo's usage status (advance first).
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if now >= self.expires_at() {
            "EXPIRED"
        } else if self.remaining_mb() == 0 {
            "FINISHED"
        } else {
            "ACTIVE"
        }
    }

    pub fn usage_json(&self, now: DateTime<Utc>) -> Value {
        json!({
            "remaining": self.remaining_mb(),
            "total": self.total_mb(),
            "expired_at": airalo_format(self.expires_at()),
            "is_unlimited": false,
            "status": self.status(now),
            "remaining_voice": 0,
            "remaining_text": 0,
            "total_voice": 0,
            "total_text": 0,
        })
    }

    /// GET /sims/{iccid}/packages: each package with what is left of it, data being drawn
    /// from the packages in the order they were bought.
    pub fn history_json(&self, now: DateTime<Utc>) -> Value {
        let mut left = self.used_mb;
        let items: Vec<Value> = self
            .bundles
            .iter()
            .map(|bundle| {
                let amount = bundle.pkg.amount_mb() as f64;
                let remaining = (amount - left).clamp(0.0, amount).round() as u64;
                left = (left - amount).max(0.0);
                let status = if remaining == 0 {
                    "FINISHED"
                } else if now >= bundle.expires_at {
                    "EXPIRED"
                } else {
                    "ACTIVE"
                };
                json!({
                    "id": bundle.id,
                    "status": status,
                    "remaining": remaining,
                    "activated_at": iso_offset(bundle.activated_at),
                    "expired_at": iso_offset(bundle.expires_at),
                    "finished_at": bundle.finished_at.map(iso_offset),
                    "package": bundle.pkg.short_json(),
                })
            })
            .collect();
        Value::Array(items)
    }

    /// The eSIM as orders list it; `origin` is the sandbox's, which serves the QR payload.
    pub fn json(&self, origin: &str) -> Value {
        let lpa = lpa(&self.iccid);
        let apn = json!({"apn_type": "automatic", "apn_value": null});
        json!({
            "id": self.id,
            "created_at": airalo_format(self.created_at),
            "iccid": self.iccid,
            "lpa": SMDP_ADDRESS,
            "imsis": null,
            "matching_id": activation_code(&self.iccid),
            "qrcode": lpa,
            "qrcode_url": format!("{origin}/_sandbox/qr/{}", percent_encode(&lpa)),
            "direct_apple_installation_url": apple_url(&lpa),
            "voucher_code": null,
            "airalo_code": null,
            "apn_type": "automatic",
            "apn_value": null,
            "is_roaming": true,
            "confirmation_code": null,
            "apn": {"ios": apn, "android": apn},
            "msisdn": null,
            "brand_settings_name": self.brand,
            "recycled": false,
            "recycled_at": null,
        })
    }

    /// GET /sims/{iccid}/instructions: QR, manual and network steps for iOS and Android.
    pub fn instructions_json(&self, origin: &str, language: &str) -> Value {
        let lpa = lpa(&self.iccid);
        let name = operator_title(destination(self.dest));
        let steps = |items: &[&str]| -> Value {
            items
                .iter()
                .enumerate()
                .map(|(i, text)| ((i + 1).to_string(), json!(text.replace("{name}", &name))))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let network = json!({
            "steps": steps(&["Select {name} as your cellular data line.", "Turn on Data Roaming."]),
            "apn_type": "automatic",
            "apn_value": null,
            "is_roaming": true,
        });
        let manual = json!({
            "steps": steps(&[
                "Go to Settings > Mobile data > Add eSIM.",
                "Choose to enter the details manually.",
                "Enter the SM-DP+ address and activation code.",
                "Label the eSIM {name}.",
            ]),
            "smdp_address_and_activation_code": format!("{SMDP_ADDRESS} {}", activation_code(&self.iccid)),
        });
        let qr = |extra: &[(&str, Value)]| {
            let mut qr = json!({
                "steps": steps(&["Go to Settings > Mobile data > Add eSIM.", "Scan the QR code.", "Label the eSIM {name}."]),
                "qr_code_data": lpa,
                "qr_code_url": format!("{origin}/_sandbox/qr/{}", percent_encode(&lpa)),
            });
            for (key, value) in extra {
                qr[*key] = value.clone();
            }
            qr
        };
        let ios = json!({
            "model": null,
            "version": "17.4,17.0,16.0",
            "installation_via_qr_code": qr(&[("direct_apple_installation_url", json!(apple_url(&lpa)))]),
            "installation_manual": manual,
            "network_setup": network,
        });
        let android = json!({
            "model": null,
            "version": null,
            "installation_via_qr_code": qr(&[]),
            "installation_manual": manual,
            "network_setup": network,
        });
        json!({"instructions": {"language": language, "ios": [ios], "android": [android]}})
    }
}

/// The universal link that installs the eSIM directly on iOS 17.4 and later.
fn apple_url(lpa: &str) -> String {
    format!(
        "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata={}",
        percent_encode(lpa)
    )
}
