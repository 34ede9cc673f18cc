//! The catalogue in Airalo's shape. Destinations are the sandbox countries (local) plus
//! `world` (global, covering all of them); each has one operator, `<Country> Sandbox`, with
//! id `1000 + position`, selling every plan as a SIM package and the top-up-able plans as
//! top-ups. Package ids follow Airalo's slugs: `<destination>-<days>days-<size>` for SIM
//! packages (`germany-7days-1gb`, `world-30days-3gb`) and the same with `-topup` for
//! top-ups (`germany-7days-1gb-topup`). Prices are the catalogue's (USD), the net price
//! (what the account is charged) 80 % of retail.

use serde_json::{Value, json};

use super::wire::usd;
use crate::catalogue::{COUNTRIES, Country, PLANS, Plan};

const WORLD: Country = Country {
    code: "",
    name: "World",
    slug: "world",
    price_percent: 150,
};

/// Fixed exchange rates, so every package also carries EUR and GBP prices as Airalo's do.
const RATES: [(&str, f64); 3] = [("USD", 1.0), ("EUR", 0.92), ("GBP", 0.79)];

pub fn destinations() -> impl Iterator<Item = (usize, &'static Country)> {
    COUNTRIES.iter().chain(std::iter::once(&WORLD)).enumerate()
}

pub fn destination(index: usize) -> &'static Country {
    COUNTRIES.get(index).unwrap_or(&WORLD)
}

pub fn is_global(country: &Country) -> bool {
    country.code.is_empty()
}

/// One package: a plan sold in a destination, as a SIM or as a top-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pkg {
    pub dest: usize,
    pub plan: usize,
    pub topup: bool,
}

impl Pkg {
    pub fn country(self) -> &'static Country {
        destination(self.dest)
    }

    pub fn plan(self) -> &'static Plan {
        &PLANS[self.plan]
    }

    pub fn id(self) -> String {
        let size = self.plan().data_label().replace(' ', "").to_lowercase();
        let topup = if self.topup { "-topup" } else { "" };
        format!("{}-{}days-{size}{topup}", self.country().slug, self.plan().days)
    }

    /// Every package of the catalogue, SIM packages before top-ups per destination.
    pub fn all() -> impl Iterator<Item = Pkg> {
        destinations().flat_map(|(dest, _)| {
            let sims = (0..PLANS.len()).map(move |plan| Pkg {
                dest,
                plan,
                topup: false,
            });
            let topups = (0..PLANS.len()).filter(|&plan| PLANS[plan].topup).map(move |plan| Pkg {
                dest,
                plan,
                topup: true,
            });
            sims.chain(topups)
        })
    }

    pub fn find(id: &str) -> Option<Pkg> {
        Pkg::all().find(|p| p.id() == id)
    }

    /// Retail price in cents.
    pub fn price(self) -> i64 {
        self.plan().price_cents(self.country()) as i64
    }

    /// Net (wholesale) price in cents: what an order debits.
    pub fn net_price(self) -> i64 {
        self.plan().net_price_cents(self.country()) as i64
    }

    pub fn amount_mb(self) -> u64 {
        self.plan().data_mb
    }

    pub fn operator(self) -> String {
        operator_title(self.country())
    }

    /// `1 GB - 7 Days`
    pub fn title(self) -> String {
        format!("{} - {} Days", self.plan().data_label(), self.plan().days)
    }

    /// The package as top-up lists and package history show it.
    pub fn short_json(self) -> Value {
        json!({
            "id": self.id(),
            "type": if self.topup { "topup" } else { "sim" },
            "price": usd(self.price()),
            "net_price": usd(self.net_price()),
            "amount": self.amount_mb(),
            "day": self.plan().days,
            "is_unlimited": false,
            "title": self.title(),
            "data": self.plan().data_label(),
            "short_info": "This eSIM doesn't come with a phone number.",
            "voice": null,
            "text": null,
            "prices": prices(self.net_price(), self.price()),
        })
    }

    /// The package as the catalogue lists it.
    pub fn json(self) -> Value {
        let mut package = self.short_json();
        package["is_fair_usage_policy"] = json!(false);
        package["fair_usage_policy"] = Value::Null;
        package["qr_installation"] = json!(qr_installation(self.country()));
        package["manual_installation"] = json!(manual_installation(self.country()));
        package
    }
}

pub fn operator_title(country: &Country) -> String {
    format!("{} Sandbox", country.name)
}

fn in_currencies(cents: i64) -> Value {
    RATES
        .iter()
        .map(|(currency, rate)| {
            let amount = (cents as f64 * rate).round() / 100.0;
            (currency.to_string(), json!(amount))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn prices(net_cents: i64, retail_cents: i64) -> Value {
    json!({"net_price": in_currencies(net_cents), "recommended_retail_price": in_currencies(retail_cents)})
}

fn image(slug: &str) -> Value {
    json!({"width": 132, "height": 99, "url": format!("https://sandbox.invalid/images/{slug}.png")})
}

/// The HTML Airalo puts in orders and packages for QR installation.
pub fn qr_installation(country: &Country) -> String {
    format!(
        "<p><b>eSIM name:</b> {}</p><p><b>Coverage:</b> {}</p><ol><li>Settings > Cellular/Mobile > Add \
         Cellular/Mobile Plan.</li><li>Scan QR code.</li><li>Confirm eSIM plan details.</li></ol>",
        operator_title(country),
        coverage(country)
    )
}

pub fn manual_installation(country: &Country) -> String {
    format!(
        "<p><b>eSIM name:</b> {}</p><p><b>Coverage:</b> {}</p><ol><li>Settings > Cellular/Mobile > Add \
         Cellular/Mobile Plan.</li><li>Manually enter the SM-DP+ Address and activation code.</li></ol>",
        operator_title(country),
        coverage(country)
    )
}

fn coverage(country: &Country) -> String {
    if is_global(country) {
        COUNTRIES.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
    } else {
        country.name.to_owned()
    }
}

/// One destination with its operator and the given packages, as GET /packages lists it.
pub fn destination_json(index: usize, packages: &[Pkg]) -> Value {
    let country = destination(index);
    let covered: Vec<&Country> = if is_global(country) {
        COUNTRIES.iter().collect()
    } else {
        vec![country]
    };
    let cheapest = Pkg::all()
        .filter(|p| p.dest == index && !p.topup)
        .min_by_key(|p| p.price());
    let apn = json!({"apn_type": "automatic", "apn_value": null});
    json!({
        "slug": country.slug,
        "country_code": country.code,
        "title": country.name,
        "image": image(country.slug),
        "min_price": cheapest.map(|p| prices(p.net_price(), p.price())),
        "operators": [{
            "id": 1000 + index,
            "title": operator_title(country),
            "type": if is_global(country) { "global" } else { "local" },
            "plan_type": "data",
            "is_roaming": true,
            "rechargeability": true,
            "is_prepaid": true,
            "is_kyc_verify": false,
            "style": "light",
            "gradient_start": "#0f4c81",
            "gradient_end": "#1b6ca8",
            "esim_type": "Prepaid",
            "warning": null,
            "apn_type": "automatic",
            "apn_value": null,
            "info": ["Data-only eSIM", "Rechargeable online with top-up packages"],
            "image": image(&format!("{}-operator", country.slug)),
            "activation_policy": "first-usage",
            "other_info": null,
            "coverages": covered.iter().map(|c| json!({
                "name": c.code,
                "code": c.code,
                "networks": [{"name": format!("{} Sandbox Net", c.name), "types": ["4G", "5G"]}],
            })).collect::<Vec<_>>(),
            "install_window_days": 30,
            "topup_grace_window_days": 30,
            "apn": {"ios": apn, "android": apn},
            "countries": covered.iter().map(|c| json!({
                "country_code": c.code,
                "title": c.name,
                "image": image(c.slug),
            })).collect::<Vec<_>>(),
            "packages": packages.iter().map(|p| p.json()).collect::<Vec<_>>(),
        }],
    })
}

/// A few eSIM-capable devices (Airalo's list has thousands; tests only need some).
pub const DEVICES: [(&str, &str, &str, &str); 5] = [
    ("iPhone15,2", "ios", "Apple", "iPhone 14 Pro"),
    ("iPhone16,1", "ios", "Apple", "iPhone 15 Pro"),
    ("iPad13,5", "ios", "Apple", "iPad Pro 11 inch 3rd Gen"),
    ("shiba", "android", "Google", "Pixel 8"),
    ("dm1q", "android", "Samsung", "Galaxy S23"),
];
