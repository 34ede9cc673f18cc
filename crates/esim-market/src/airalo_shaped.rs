//! Airalo's mapping, shared with PressOne (which serves Airalo's API under its own host, with
//! Airalo's types). The quirks resolved here:
//!
//! - The catalogue is countries → operators → packages. A country entry is keyed by a slug
//!   (`germany`, `europe`, `world`); only local ones carry `country_code`. Coverage is taken
//!   from the operator's `countries` (ISO codes, every country a regional package works in),
//!   plus the entry's own code. Codes that are not two letters are skipped, not guessed.
//! - `amount` is MB (MiB, as everywhere in Airalo's docs) and 0 for unlimited packages, which
//!   say `is_unlimited` and may give a `fair_usage_policy` text.
//! - Prices are USD. `net_price` is what the partner pays and `price` the recommended retail
//!   price; under discount pricing Airalo omits `net_price`, and the offer's price is then the
//!   retail price (what the discount is taken from: an upper bound of the charge).
//! - Top-up packages carry no coverage (they extend the eSIM's own); their offers list none.
//! - A SIM's `qrcode` is the LPA string; `lpa` alone is only the SM-DP+ address, with
//!   `matching_id` beside it.
//! - Orders are found again by `description`, which is where the caller's reference goes
//!   (`OrderListResponse::described_exactly`: the listing's filter is a like-match).
//!
//! Both adapters are [`AiraloShaped`] over their client, which implements [`Calls`].

use airalo_client::types::{self, Country, Operator, Package, PackageType, SimStatus, TopupPackage};
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use provider_core::units::DataVolume;
use rust_decimal::Decimal;

use crate::model::{
    ActivationCode, Allowance, CountryCode, Currency, Esim, ExchangeRate, Money, Offer, OfferKind, Purchase, Status,
    StatusKind, Usage,
};
use crate::provider::{EsimProvider, MarketError, OfferQuery};

/// The offers of one catalogue entry that match `query`.
pub fn country_offers(
    provider: &'static str,
    country: &Country,
    query: &OfferQuery,
) -> Vec<Result<Offer, MarketError>> {
    country
        .operators
        .iter()
        .flat_map(|operator| operator.packages.iter().map(move |package| (operator, package)))
        .map(|(operator, package)| package_offer(provider, country, operator, package))
        .filter(|offer| offer.as_ref().map_or(true, |o| query.matches(o)))
        .collect()
}

pub fn package_offer(
    provider: &'static str,
    country: &Country,
    operator: &Operator,
    package: &Package,
) -> Result<Offer, MarketError> {
    let mut coverage: Vec<CountryCode> = operator
        .countries
        .iter()
        .filter_map(|c| c.country_code.as_deref()?.parse().ok())
        .chain(country.country_code.as_deref().and_then(|c| c.parse().ok()))
        .collect();
    coverage.sort();
    coverage.dedup();
    let (price, retail_price) = prices(provider, &package.id, package.net_price, package.price)?;
    Ok(Offer {
        provider,
        id: package.id.clone(),
        title: package.title.clone().unwrap_or_else(|| package.id.clone()),
        coverage,
        data: allowance(package.amount, package.is_unlimited, package.fair_usage_policy.clone()),
        validity_days: days(provider, &package.id, package.day)?,
        voice_minutes: package.voice.and_then(|v| u32::try_from(v).ok()),
        sms: package.text.and_then(|t| u32::try_from(t).ok()),
        price,
        retail_price,
        kind: match &package.type_ {
            Some(PackageType::Topup) => OfferKind::TopUp,
            _ => OfferKind::Base,
        },
        operators: operator.title.iter().cloned().collect(),
    })
}

pub fn topup_offer(provider: &'static str, package: &TopupPackage) -> Result<Offer, MarketError> {
    let (price, retail_price) = prices(provider, &package.id, package.net_price, package.price)?;
    Ok(Offer {
        provider,
        id: package.id.clone(),
        title: package.title.clone().unwrap_or_else(|| package.id.clone()),
        coverage: Vec::new(),
        data: allowance(package.amount, package.is_unlimited, None),
        validity_days: days(provider, &package.id, package.day)?,
        voice_minutes: package.voice.and_then(|v| u32::try_from(v).ok()),
        sms: package.text.and_then(|t| u32::try_from(t).ok()),
        price,
        retail_price,
        kind: OfferKind::TopUp,
        operators: Vec::new(),
    })
}

fn allowance(megabytes: Option<i64>, unlimited: Option<bool>, fair_usage: Option<String>) -> Allowance {
    if unlimited == Some(true) {
        return Allowance::Unlimited { fair_usage };
    }
    let megabytes = megabytes.and_then(|mb| u64::try_from(mb).ok()).unwrap_or(0);
    Allowance::Limited(DataVolume::from_megabytes(megabytes))
}

fn days(provider: &'static str, id: &str, day: Option<i64>) -> Result<u32, MarketError> {
    day.and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| MarketError::Unexpected {
            provider,
            what: format!("package {id} without a validity in days ({day:?})"),
        })
}

/// (what the partner pays, the recommended retail price), both USD.
fn prices(
    provider: &'static str,
    id: &str,
    net: Option<Decimal>,
    retail: Option<Decimal>,
) -> Result<(Money, Option<Money>), MarketError> {
    let usd = |amount| Money {
        amount,
        currency: Currency::USD,
    };
    match (net, retail) {
        (Some(net), retail) => Ok((usd(net), retail.map(usd))),
        (None, Some(retail)) => Ok((usd(retail), Some(usd(retail)))),
        (None, None) => Err(MarketError::Unexpected {
            provider,
            what: format!("package {id} without a price"),
        }),
    }
}

pub fn purchase(provider: &'static str, order: types::Order, reference: &str) -> Purchase {
    let guides: Vec<String> = order.installation_guides.values().cloned().collect();
    // What the partner was charged: the net price, the retail one under discount pricing.
    let price = order.net_price.or(order.price).map(|amount| Money {
        amount,
        currency: order
            .currency
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(Currency::USD),
    });
    Purchase {
        provider,
        order: order
            .code
            .clone()
            .or_else(|| order.id.map(|id| id.to_string()))
            .unwrap_or_default(),
        reference: reference.to_owned(),
        esims: order
            .sims
            .into_iter()
            .map(|sim| {
                let mut esim = esim(provider, sim);
                esim.install_guide_urls.extend(guides.iter().cloned());
                esim
            })
            .collect(),
        price,
    }
}

pub fn esim(provider: &'static str, sim: types::Sim) -> Esim {
    let activation = sim.qrcode.as_deref().and_then(ActivationCode::parse).or_else(|| {
        Some(ActivationCode::from_parts(
            sim.lpa.as_deref()?,
            sim.matching_id.as_deref()?,
        ))
    });
    Esim {
        provider,
        iccid: sim.iccid.unwrap_or_default(),
        activation,
        qr_code_url: sim.qrcode_url,
        qr_code_data: sim.qrcode,
        install_guide_urls: sim.direct_apple_installation_url.into_iter().collect(),
        status: None,
    }
}

pub fn usage(provider: &'static str, iccid: &str, usage: types::Usage) -> Usage {
    let megabytes = |mb: Option<i64>| mb.and_then(|v| u64::try_from(v).ok()).map(DataVolume::from_megabytes);
    let unlimited = usage.is_unlimited == Some(true);
    let total = megabytes(usage.total);
    let remaining = megabytes(usage.remaining);
    Usage {
        provider,
        iccid: iccid.to_owned(),
        used: match (unlimited, total, remaining) {
            (false, Some(total), Some(remaining)) => {
                Some(DataVolume::from_bytes(total.bytes().saturating_sub(remaining.bytes())))
            }
            _ => None,
        },
        remaining: remaining.filter(|_| !unlimited),
        total: if unlimited {
            Some(Allowance::Unlimited { fair_usage: None })
        } else {
            total.map(Allowance::Limited)
        },
        expires_at: usage.expired_at.as_ref().and_then(|t| t.to_utc()),
        status: status(usage.status.as_ref()),
    }
}

pub fn status(status: Option<&SimStatus>) -> Status {
    let Some(status) = status else {
        return Status {
            kind: StatusKind::Other,
            original: String::new(),
        };
    };
    let kind = match status {
        SimStatus::NotActive => StatusKind::NotActive,
        SimStatus::Active => StatusKind::Active,
        SimStatus::Finished => StatusKind::Depleted,
        SimStatus::Expired => StatusKind::Expired,
        SimStatus::Recycled => StatusKind::Inactive,
        SimStatus::Unknown(_) => StatusKind::Other,
    };
    Status {
        kind,
        original: status.as_str().to_owned(),
    }
}

/// What a sent request answered, or the provider's error as a [`MarketError`].
pub async fn answer<T, E>(
    provider: &'static str,
    sent: impl std::future::Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<T, MarketError>
where
    E: std::fmt::Debug + Send + Sync + 'static,
{
    Ok(sent.await.map_err(|e| MarketError::provider(provider, e))?.into_inner())
}

/// The calls an Airalo-shaped adapter makes, in Airalo's types: Airalo's and PressOne's
/// clients implement them (`airalo.rs`, `pressone.rs`), whose builders differ only in how
/// they name the ICCID parameter. Every error is already the provider's [`MarketError`].
pub trait Calls: Send + Sync {
    /// The provider's name, as its descriptor spells it.
    const PROVIDER: &'static str;

    /// `getPackages`, every page, of `country` (all when `None`), with top-ups when `topups`.
    fn packages(&self, country: Option<String>, topups: bool) -> BoxStream<'_, Result<Country, MarketError>>;

    /// `submitOrder`, sent once.
    fn order(&self, order: types::builder::OrderRequest) -> BoxFuture<'_, Result<types::Order, MarketError>>;

    /// `getEsim`.
    fn sim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<types::Sim, MarketError>>;

    /// `getUsage`.
    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<types::Usage, MarketError>>;

    /// `getTopupPackages` of an eSIM.
    fn topup_packages<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<TopupPackage>, MarketError>>;

    /// `submitTopupOrder`, sent once.
    fn topup(&self, order: types::builder::TopupOrderRequest) -> BoxFuture<'_, Result<types::Order, MarketError>>;

    /// `getOrderList` filtered by `description` (a like-match), with the SIMs, 100 at most.
    fn orders<'a>(&'a self, description: &'a str) -> BoxFuture<'a, Result<types::OrderListResponse, MarketError>>;

    /// Today's rates, where the provider has an exchange-rate endpoint (PressOne has none).
    fn rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        Box::pin(async {
            Err(MarketError::Unsupported {
                provider: Self::PROVIDER,
                operation: "exchange_rates",
            })
        })
    }
}

/// An Airalo-shaped client as an [`EsimProvider`]: [`Airalo`](crate::Airalo) and
/// [`PressOne`](crate::PressOne).
#[derive(Clone, Debug)]
pub struct AiraloShaped<C>(C);

impl<C> AiraloShaped<C> {
    pub fn new(client: C) -> Self {
        Self(client)
    }

    pub fn client(&self) -> &C {
        &self.0
    }
}

impl<C: Calls> EsimProvider for AiraloShaped<C> {
    fn name(&self) -> &'static str {
        C::PROVIDER
    }

    fn offers<'a>(&'a self, query: &'a OfferQuery) -> BoxStream<'a, Result<Offer, MarketError>> {
        let country = query.country.map(|c| c.to_string());
        self.0
            .packages(country, query.kind != Some(OfferKind::Base))
            .map_ok(move |country| stream::iter(country_offers(C::PROVIDER, &country, query)))
            .try_flatten()
            .boxed()
    }

    fn buy<'a>(
        &'a self,
        offer_id: &'a str,
        quantity: u32,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        Box::pin(async move {
            let order = types::OrderRequest::builder()
                .package_id(offer_id)
                .quantity(i64::from(quantity))
                .description(Some(reference.to_owned()));
            Ok(purchase(C::PROVIDER, self.0.order(order).await?, reference))
        })
    }

    fn esim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Esim, MarketError>> {
        Box::pin(async move { Ok(esim(C::PROVIDER, self.0.sim(iccid).await?)) })
    }

    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Usage, MarketError>> {
        Box::pin(async move { Ok(usage(C::PROVIDER, iccid, self.0.usage(iccid).await?)) })
    }

    fn topups<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<Offer>, MarketError>> {
        Box::pin(async move {
            let packages = self.0.topup_packages(iccid).await?;
            packages.iter().map(|p| topup_offer(C::PROVIDER, p)).collect()
        })
    }

    fn top_up<'a>(
        &'a self,
        iccid: &'a str,
        offer_id: &'a str,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        Box::pin(async move {
            let order = types::TopupOrderRequest::builder()
                .iccid(iccid)
                .package_id(offer_id)
                .description(Some(reference.to_owned()));
            let mut purchase = purchase(C::PROVIDER, self.0.topup(order).await?, reference);
            // A top-up's order may list no SIM: the eSIM topped up is the one asked for.
            if purchase.esims.is_empty() {
                purchase.esims.push(Esim {
                    provider: C::PROVIDER,
                    iccid: iccid.to_owned(),
                    activation: None,
                    qr_code_url: None,
                    qr_code_data: None,
                    install_guide_urls: Vec::new(),
                    status: None,
                });
            }
            Ok(purchase)
        })
    }

    fn purchases<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Vec<Purchase>, MarketError>> {
        Box::pin(async move {
            let orders = self.0.orders(reference).await?.described_exactly(reference);
            Ok(orders
                .into_iter()
                .map(|o| purchase(C::PROVIDER, o, reference))
                .collect())
        })
    }

    fn exchange_rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        self.0.rates()
    }
}
