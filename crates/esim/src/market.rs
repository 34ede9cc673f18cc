//! `esim offers`, `buy`, `usage`, `topups` and `top-up`: the data-eSIM providers through one interface
//! (`esim-market`), with offers of all of them in one ranked table.

use anyhow::{Context as _, bail};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use comfy_table::{Table, presets};
use provider_clients::DataVolume;
use provider_clients::market::{
    self, Adapter, AdapterVisitor, Esim, EsimProvider, ExchangeRate, Offer, OfferKind, OfferQuery, Purchase, Rank,
    Search, SearchOptions, Setting, Usage, search,
};
use provider_core::{Descriptor, FromParts};
use serde_json::{Value, json};

use crate::output::Format;
use crate::providers::{self, Target};

pub const OFFERS: &str = "offers";
pub const BUY: &str = "buy";
pub const USAGE: &str = "usage";
pub const TOPUPS: &str = "topups";
pub const TOP_UP: &str = "top-up";
/// Every command over the interface (the top level routes these here).
pub const COMMANDS: [&str; 5] = [OFFERS, BUY, USAGE, TOPUPS, TOP_UP];

/// How one adapter is built for a target.
type Build = fn(&Target) -> anyhow::Result<Box<dyn EsimProvider>>;

/// One adapter esim-market compiled in: its provider, the settings its API leaves to the
/// caller, and how it is built.
struct Registered {
    provider: &'static Descriptor,
    settings: &'static [Setting],
    build: Build,
}

/// Every adapter, in the order of `specs/` (esim-market's generated `visit_adapters`).
fn registered() -> Vec<Registered> {
    struct Collect(Vec<Registered>);
    impl AdapterVisitor for Collect {
        fn visit<A: Adapter>(&mut self) {
            self.0.push(Registered {
                provider: <A::Client as FromParts>::DESCRIPTOR,
                settings: A::SETTINGS,
                build: build::<A>,
            });
        }
    }
    let mut all = Collect(Vec::new());
    market::visit_adapters(&mut all);
    all.0
}

fn build<A: Adapter>(target: &Target) -> anyhow::Result<Box<dyn EsimProvider>> {
    let provider = <A::Client as FromParts>::DESCRIPTOR;
    let settings = A::SETTINGS
        .iter()
        .map(|setting| setting_value(target, provider, setting))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Box::new(A::adapt(providers::client::<A::Client>(target)?, &settings)?))
}

/// A setting from `<PREFIX>_<NAME>`, or on the sandbox the value that fits its simulation.
fn setting_value(target: &Target, provider: &Descriptor, setting: &Setting) -> anyhow::Result<String> {
    let variable = format!("{}_{}", provider.env_prefix, setting.name);
    match (target, std::env::var(&variable)) {
        (_, Ok(value)) => Ok(value),
        (Target::Sandbox { .. }, Err(_)) => Ok(setting.sandbox.to_owned()),
        (Target::Live, Err(_)) => bail!("{variable} is not set: {}", setting.about),
    }
}

/// The providers' names, in the order the help lists them.
pub fn names() -> Vec<&'static str> {
    registered().iter().map(|r| r.provider.name).collect()
}

fn adapter(name: &str, target: &Target) -> anyhow::Result<Box<dyn EsimProvider>> {
    match registered().into_iter().find(|r| r.provider.name == name) {
        Some(registered) => (registered.build)(target),
        None => bail!("{name} is not a data-eSIM provider (one of: {})", names().join(", ")),
    }
}

/// What to set against the real providers whose APIs leave a setting to the caller.
fn settings_help() -> String {
    registered()
        .iter()
        .flat_map(|r| {
            r.settings.iter().map(|s| {
                format!(
                    "Against the real {}, set {}_{}: {}.",
                    r.provider.name, r.provider.env_prefix, s.name, s.about
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn commands() -> Vec<Command> {
    let providers = names().join(",");
    vec![
        Command::new(OFFERS)
            .about("Offers of every data-eSIM provider in one table, cheapest per GB first")
            .after_help(settings_help())
            .arg(
                Arg::new("country")
                    .long("country")
                    .help("ISO 3166-1 alpha-2 code, e.g. DE"),
            )
            .arg(
                Arg::new("min-data")
                    .long("min-data")
                    .value_parser(|s: &str| s.parse::<DataVolume>())
                    .help("At least this much data, e.g. 5GB, 512MB"),
            )
            .arg(
                Arg::new("days")
                    .long("days")
                    .value_parser(parse_days)
                    .help("Validity in days: 7, 7..30, 7.. or ..30"),
            )
            .arg(
                Arg::new("top-ups")
                    .long("top-ups")
                    .action(ArgAction::SetTrue)
                    .help("Top-up packages instead of new eSIMs"),
            )
            .arg(
                Arg::new("providers")
                    .long("providers")
                    .value_delimiter(',')
                    .value_parser(names())
                    .default_value(providers)
                    .help("Which providers to ask"),
            )
            .arg(
                Arg::new("currency")
                    .long("currency")
                    .default_value("USD")
                    .help("Compare prices in this currency (converted only through a provider's own rate)"),
            )
            .arg(
                Arg::new("by-price")
                    .long("by-price")
                    .action(ArgAction::SetTrue)
                    .help("Rank by price instead of price per GB"),
            ),
        Command::new(BUY)
            .about("Buy an offer listed by `esim offers` (sent once, never retried)")
            .arg(
                Arg::new("offer")
                    .required(true)
                    .help("<provider>:<offer id>, as `esim offers` prints it"),
            )
            .arg(Arg::new("reference").long("reference").required(true).help(
                "Your reference, sent as the order's description: how an order with an unknown outcome is found again",
            ))
            .arg(
                Arg::new("quantity")
                    .long("quantity")
                    .value_parser(value_parser!(u32).range(1..))
                    .default_value("1"),
            ),
        Command::new(USAGE)
            .about("Data used and left on an eSIM, in the same terms for every provider")
            .arg(Arg::new("esim").required(true).help("<provider>:<ICCID>")),
        Command::new(TOPUPS)
            .about("The top-ups an eSIM can buy")
            .arg(Arg::new("esim").required(true).help("<provider>:<ICCID>")),
        Command::new(TOP_UP)
            .about("Buy a top-up listed by `esim topups` for an eSIM (sent once, never retried)")
            .arg(Arg::new("esim").required(true).help("<provider>:<ICCID>"))
            .arg(
                Arg::new("offer")
                    .required(true)
                    .help("The top-up's id, as `esim topups` prints it"),
            )
            .arg(
                Arg::new("reference")
                    .long("reference")
                    .required(true)
                    .help("Your reference, sent as the order's description where the provider keeps one"),
            ),
    ]
}

pub async fn run(name: &str, matches: &ArgMatches, target: &Target, format: Format) -> anyhow::Result<()> {
    match name {
        OFFERS => {
            let query = query(matches)?;
            let options = SearchOptions {
                currency: matches.get_one::<String>("currency").expect("defaulted").parse()?,
                rank: if matches.get_flag("by-price") {
                    Rank::Price
                } else {
                    Rank::PricePerGb
                },
                ..SearchOptions::default()
            };
            let adapters = matches
                .get_many::<String>("providers")
                .expect("defaulted")
                .map(|name| adapter(name, target))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let adapters: Vec<&dyn EsimProvider> = adapters.iter().map(AsRef::as_ref).collect();
            let found = search(&adapters, &query, &options).await;
            match format {
                Format::Json => print_json(&search_json(&found)),
                Format::Table => print!("{}", render(&found)),
            }
            if found.ranked.is_empty() && found.unconverted.is_empty() && !found.failures.is_empty() {
                bail!("every provider asked failed");
            }
            Ok(())
        }
        BUY => {
            let (provider, offer) = split(matches.get_one::<String>("offer").expect("required"))?;
            let reference = matches.get_one::<String>("reference").expect("required");
            let quantity = *matches.get_one::<u32>("quantity").expect("defaulted");
            let purchase = adapter(provider, target)?.buy(offer, quantity, reference).await?;
            print_json(&purchase_json(&purchase));
            Ok(())
        }
        USAGE => {
            let (provider, iccid) = split(matches.get_one::<String>("esim").expect("required"))?;
            let usage = adapter(provider, target)?.usage(iccid).await?;
            print_json(&usage_json(&usage));
            Ok(())
        }
        TOPUPS => {
            let (provider, iccid) = split(matches.get_one::<String>("esim").expect("required"))?;
            let topups = adapter(provider, target)?.topups(iccid).await?;
            print_json(&Value::Array(topups.iter().map(offer_json).collect()));
            Ok(())
        }
        TOP_UP => {
            let (provider, iccid) = split(matches.get_one::<String>("esim").expect("required"))?;
            let offer = matches.get_one::<String>("offer").expect("required");
            let reference = matches.get_one::<String>("reference").expect("required");
            let purchase = adapter(provider, target)?.top_up(iccid, offer, reference).await?;
            print_json(&purchase_json(&purchase));
            Ok(())
        }
        other => unreachable!("clap only accepts the registered subcommands, not {other}"),
    }
}

/// The ranked offers as one table; converted prices name their rate below it, offers in a
/// currency nothing converts and providers that failed are listed after.
pub fn render(found: &Search) -> String {
    let mut out = String::new();
    let mut table = new_table(["provider", "offer", "data", "days", "price", "per GB", "countries"]);
    for ranked in &found.ranked {
        let mark = if ranked.converted_by.is_some() { " *" } else { "" };
        table.add_row([
            ranked.offer.provider.to_owned(),
            ranked.offer.id.clone(),
            ranked.offer.data.to_string(),
            ranked.offer.validity_days.to_string(),
            format!("{}{mark}", ranked.price),
            ranked.price_per_gb.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
            ranked.offer.coverage.len().to_string(),
        ]);
    }
    out.push_str(&format!("{table}\n{} offers\n", found.ranked.len()));
    let mut rates: Vec<&ExchangeRate> = Vec::new();
    for rate in found.ranked.iter().filter_map(|r| r.converted_by.as_ref()) {
        if !rates.contains(&rate) {
            rates.push(rate);
        }
    }
    for rate in rates {
        out.push_str(&format!(
            "* converted at 1 {} = {} {} ({}'s exchange rate)\n",
            rate.from,
            rate.rate.normalize(),
            rate.to,
            rate.source
        ));
    }
    if !found.unconverted.is_empty() {
        let mut apart = new_table(["provider", "offer", "data", "days", "price (no rate to compare)"]);
        for offer in &found.unconverted {
            apart.add_row([
                offer.provider.to_owned(),
                offer.id.clone(),
                offer.data.to_string(),
                offer.validity_days.to_string(),
                offer.price.to_string(),
            ]);
        }
        out.push_str(&format!("{apart}\n"));
    }
    for failure in &found.failures {
        out.push_str(&format!("{}\n", chain(failure)));
    }
    out
}

/// An error and its causes on one line, as anyhow's `{:#}` prints them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

fn new_table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN).set_header(header);
    table
}

fn query(matches: &ArgMatches) -> anyhow::Result<OfferQuery> {
    let (min_days, max_days) = matches
        .get_one::<(Option<u32>, Option<u32>)>("days")
        .copied()
        .unwrap_or_default();
    Ok(OfferQuery {
        country: matches.get_one::<String>("country").map(|c| c.parse()).transpose()?,
        min_data: matches.get_one::<DataVolume>("min-data").copied(),
        min_days,
        max_days,
        kind: Some(if matches.get_flag("top-ups") {
            OfferKind::TopUp
        } else {
            OfferKind::Base
        }),
    })
}

/// `7`, `7..30`, `7..`, `..30`.
fn parse_days(text: &str) -> Result<(Option<u32>, Option<u32>), String> {
    let number = |s: &str| -> Result<Option<u32>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("{s:?} is not a number of days"))
    };
    match text.split_once("..") {
        Some((low, high)) => Ok((number(low)?, number(high.trim_start_matches('='))?)),
        None => {
            let days = number(text)?;
            Ok((days, days))
        }
    }
}

fn split(text: &str) -> anyhow::Result<(&str, &str)> {
    text.split_once(':')
        .filter(|(provider, id)| !provider.is_empty() && !id.is_empty())
        .with_context(|| format!("{text:?} is not <provider>:<id> (e.g. airalo:change-7days-1gb)"))
}

fn print_json(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).expect("a Value serializes"));
}

fn offer_json(offer: &Offer) -> Value {
    json!({
        "provider": offer.provider,
        "id": offer.id,
        "title": offer.title,
        "coverage": offer.coverage.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "data": offer.data.to_string(),
        "validity_days": offer.validity_days,
        "voice_minutes": offer.voice_minutes,
        "sms": offer.sms,
        "price": offer.price.amount.to_string(),
        "currency": offer.price.currency.as_str(),
        "retail_price": offer.retail_price.map(|p| p.amount.to_string()),
        "top_up": offer.kind == OfferKind::TopUp,
        "operators": offer.operators,
    })
}

fn search_json(found: &Search) -> Value {
    json!({
        "ranked": found.ranked.iter().map(|r| {
            let mut offer = offer_json(&r.offer);
            offer["compared_price"] = json!(r.price.to_string());
            offer["price_per_gb"] = json!(r.price_per_gb.map(|p| p.to_string()));
            offer["converted_by"] = json!(r.converted_by.as_ref().map(|rate| format!("1 {} = {} {} ({})", rate.from, rate.rate, rate.to, rate.source)));
            offer
        }).collect::<Vec<_>>(),
        "unconverted": found.unconverted.iter().map(offer_json).collect::<Vec<_>>(),
        "failures": found.failures.iter().map(|f| json!({"provider": f.provider_name(), "error": chain(f)})).collect::<Vec<_>>(),
    })
}

fn esim_json(esim: &Esim) -> Value {
    json!({
        "iccid": esim.iccid,
        "lpa": esim.activation.as_ref().map(|a| &a.lpa),
        "smdp_address": esim.activation.as_ref().map(|a| &a.smdp_address),
        "matching_id": esim.activation.as_ref().map(|a| &a.matching_id),
        "qr_code_url": esim.qr_code_url,
        "install_guides": esim.install_guide_urls,
    })
}

fn purchase_json(purchase: &Purchase) -> Value {
    json!({
        "provider": purchase.provider,
        "order": purchase.order,
        "reference": purchase.reference,
        "price": purchase.price.map(|p| p.to_string()),
        "esims": purchase.esims.iter().map(esim_json).collect::<Vec<_>>(),
    })
}

fn usage_json(usage: &Usage) -> Value {
    json!({
        "provider": usage.provider,
        "iccid": usage.iccid,
        "used": usage.used.map(|v| v.to_string()),
        "used_bytes": usage.used.map(|v| v.bytes()),
        "remaining": usage.remaining.map(|v| v.to_string()),
        "total": usage.total.as_ref().map(|t| t.to_string()),
        "expires_at": usage.expires_at.map(|t| t.to_rfc3339()),
        "status": format!("{:?}", usage.status.kind),
        "provider_status": usage.status.original,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cross-provider table for the sandbox's fixed catalogue: a change to any adapter's
    /// mapping, to the ranking or to the conversions shows up here as a reviewed diff.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_cross_provider_table_of_the_sandbox_catalogue() {
        let sandbox = sandbox::Sandbox::starting_at(sandbox::EXAMPLE_START).await.unwrap();
        let target = Target::Sandbox {
            origin: sandbox.origin().to_owned(),
            embedded: true,
        };
        let adapters: Vec<Box<dyn EsimProvider>> = names().into_iter().map(|n| adapter(n, &target).unwrap()).collect();
        let adapters: Vec<&dyn EsimProvider> = adapters.iter().map(AsRef::as_ref).collect();
        let query = OfferQuery {
            country: "DE".parse().ok(),
            min_data: "5GB".parse().ok(),
            kind: Some(OfferKind::Base),
            ..OfferQuery::default()
        };
        let found = search(&adapters, &query, &SearchOptions::default()).await;
        assert!(found.failures.is_empty(), "{:?}", found.failures);
        insta::assert_snapshot!(render(&found));

        // In euros: every price goes through the one USD → EUR rate a provider gave (Airalo's).
        let in_euros = SearchOptions {
            currency: "EUR".parse().unwrap(),
            ..SearchOptions::default()
        };
        let found = search(&adapters, &query, &in_euros).await;
        assert!(found.failures.is_empty(), "{:?}", found.failures);
        insta::assert_snapshot!("in_euros", render(&found));
    }

    #[test]
    fn day_ranges_read_as_written() {
        assert_eq!(parse_days("7..30"), Ok((Some(7), Some(30))));
        assert_eq!(parse_days("7.."), Ok((Some(7), None)));
        assert_eq!(parse_days("..=30"), Ok((None, Some(30))));
        assert_eq!(parse_days("14"), Ok((Some(14), Some(14))));
        assert!(parse_days("a..b").is_err());
    }
}
