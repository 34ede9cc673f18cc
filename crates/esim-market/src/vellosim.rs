//! Vellosim as an [`EsimProvider`].
//!
//! What Vellosim's documentation leaves open, and how this mapping reads it:
//! - **Units.** REST responses count bytes (`volume`, `totalVolume`, `orderUsage`,
//!   `data_usage_remain`); only webhooks count MB, and they are not read here. The packages
//!   page's other package shape has no `volume`, only a label (`5GB`, `Unlimited`), read in
//!   MiB-based units as Vellosim labels 5368709120 bytes `5GB`.
//! - **Validity.** `duration` counts `durationUnit`s: `DAY` as is, `HOUR` only in whole days;
//!   a `MONTH` is no fixed number of days, so such a package is [`MarketError::Unexpected`]
//!   rather than a guessed length. The packages page's shape gives `validity` in days.
//! - **Prices** are major units of the package's `currencyCode` (the account currency, NGN or
//!   USD), although the get-packages guide calls NGN prices kobo: the reference page's
//!   8000 NGN package sits beside `originalPriceUSD: 10` (5 USD at the documented 1600 NGN per
//!   USD), and the guide's 1 GB for 2160 would cost 1.35 USD in naira but 0.01 USD in kobo. A
//!   price without a currency is unexpected, never assumed to be USD.
//! - **Coverage.** Packages are listed per region: `LC` regions are one country
//!   (`countryCode`), `RG` and `GL` ones many. A package names its countries as ISO codes in
//!   `locationNetworkList[].locationCode`; a local region's `countryCode` stands in where that
//!   list is empty. A country query asks only for that country's local region and the
//!   regional and global ones (whose countries only their packages tell).
//! - **Statuses** (`esimStatus`, an open list): `CREATED`, `GOT_RESOURCE`, `PENDING` → not
//!   active; `ACTIVE`, `ACTIVATED`, `IN_USE` → active; `EXPIRED` → expired; `FAILED`,
//!   `CANCELLED`, `SUSPENDED` → inactive; anything else → other, the text kept.
//! - **ICCIDs.** getEsim takes a `transactionId` or the eSIM's `_id`, never an ICCID: the eSIM
//!   is found in getMyEsims (its `search` by ICCID, then an exact comparison, since the name
//!   `search` is inferred from the page's prose) and then read by its `_id`.
//! - **Purchases** are one eSIM each, paid from the wallet (`WALLET`, as the guides require of
//!   API users). The request has no description, reference or idempotency field, so the
//!   caller's reference is not sent: after an unknown outcome, reconcile with getMyEsims.
//! - **Top-ups** are listed by getPackages with `type=TOPUP`, a region and the eSIM's package
//!   code. No eSIM names its region, so the region is its package's `locationCode` from
//!   getPackageDetails. They are bought through purchaseEsim with `packageType=TOPUP` and the
//!   eSIM's `_id`.
//! - **Exchange rate**: the public getExchangeRate, `1 baseCurrency = rate currency`,
//!   documented as USD → NGN only.

use std::pin::pin;

use futures::future::{self, BoxFuture};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use provider_core::units::DataVolume;
use rust_decimal::Decimal;
use vellosim_client::types::{self, DurationUnit, EsimStatus, PackageType, PaymentMethod};

use crate::model::{
    ActivationCode, Allowance, CountryCode, Currency, Esim, ExchangeRate, Money, Offer, OfferKind, Purchase, Status,
    StatusKind, Usage,
};
use crate::provider::{EsimProvider, MarketError, OfferQuery};

const NAME: &str = vellosim_client::PROVIDER.name;

/// getMyEsims allows at most 100 a page.
const PAGE_SIZE: u64 = 100;

/// Vellosim's eSIM business through its generated client.
pub struct Vellosim {
    client: vellosim_client::Client,
}

impl Vellosim {
    pub fn new(client: vellosim_client::Client) -> Self {
        Self { client }
    }

    /// The base packages of `region`, as offers.
    fn region_offers(&self, region: types::Region) -> impl futures::Stream<Item = Result<Offer, MarketError>> + '_ {
        let fallback: Vec<CountryCode> = local_country(&region).into_iter().collect();
        let packages = async move {
            let packages = self
                .client
                .get_packages()
                .region_code(region.region_code)
                .type_(PackageType::Base)
                .send()
                .await
                .map_err(failed)?
                .into_inner();
            Ok(stream::iter(
                packages.into_iter().map(move |p| offer(p, OfferKind::Base, &fallback)),
            ))
        };
        stream::once(packages).try_flatten()
    }

    /// The eSIM with this ICCID, as the account's listing has it.
    async fn find(&self, iccid: &str) -> Result<types::Esim, MarketError> {
        let mut listing = pin!(self.client.get_my_esims().search(iccid).stream(PAGE_SIZE));
        while let Some(esim) = listing.try_next().await.map_err(failed)? {
            if esim.iccid.as_deref() == Some(iccid) {
                return Ok(esim);
            }
        }
        Err(MarketError::Invalid {
            provider: NAME,
            what: format!("no eSIM with ICCID {iccid} in this account"),
        })
    }

    /// The full record of the eSIM with this ICCID (getEsim has what the listing may lack).
    async fn details(&self, iccid: &str) -> Result<types::Esim, MarketError> {
        let listed = self.find(iccid).await?;
        let id = listed
            .id
            .or(listed.transaction_id)
            .ok_or_else(|| unexpected(format!("eSIM {iccid} listed with neither `_id` nor `transactionId`")))?;
        Ok(self
            .client
            .get_esim()
            .esim_id(id)
            .send()
            .await
            .map_err(failed)?
            .into_inner())
    }

    async fn purchase(&self, request: types::PurchaseRequest) -> Result<types::PurchaseResponse, MarketError> {
        // Sent once: the generated client never retries a POST, and neither does this.
        Ok(self
            .client
            .purchase_esim()
            .body(request)
            .send()
            .await
            .map_err(failed)?
            .into_inner())
    }
}

impl crate::Adapter for Vellosim {
    type Client = vellosim_client::Client;

    fn adapt(client: Self::Client, _settings: &[String]) -> Result<Self, MarketError> {
        Ok(Self::new(client))
    }
}

impl EsimProvider for Vellosim {
    fn name(&self) -> &'static str {
        NAME
    }

    fn offers<'a>(&'a self, query: &'a OfferQuery) -> BoxStream<'a, Result<Offer, MarketError>> {
        // Top-ups are sold per eSIM (`topups`), never listed on their own.
        if query.kind == Some(OfferKind::TopUp) {
            return stream::empty().boxed();
        }
        let regions = async move {
            let regions = self.client.get_regions().send().await.map_err(failed)?.into_inner();
            let wanted = regions.into_iter().filter(move |r| may_cover(r, query.country));
            Ok(stream::iter(wanted.map(Ok::<_, MarketError>)))
        };
        stream::once(regions)
            .try_flatten()
            .map_ok(move |region| self.region_offers(region))
            .try_flatten()
            .try_filter(move |offer| future::ready(query.matches(offer)))
            .boxed()
    }

    fn buy<'a>(
        &'a self,
        offer_id: &'a str,
        quantity: u32,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        Box::pin(async move {
            MarketError::one_esim_per_order(NAME, quantity)?;
            // `reference` is not sent: purchaseEsim has no description or idempotency field.
            let request = types::PurchaseRequest {
                esim_id: None,
                package_code: offer_id.to_owned(),
                package_type: PackageType::Base,
                payment_method: PaymentMethod::Wallet,
            };
            Ok(purchase(self.purchase(request).await?, reference))
        })
    }

    fn esim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Esim, MarketError>> {
        Box::pin(async move { esim(self.details(iccid).await?) })
    }

    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Usage, MarketError>> {
        Box::pin(async move { usage(&self.details(iccid).await?) })
    }

    fn topups<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<Offer>, MarketError>> {
        Box::pin(async move {
            let listed = self.find(iccid).await?;
            let code = listed
                .package_code
                .ok_or_else(|| unexpected(format!("eSIM {iccid} without a `packageCode`")))?;
            let base = self
                .client
                .get_package_details()
                .package_code(code.as_str())
                .send()
                .await
                .map_err(failed)?
                .into_inner();
            let region = base.location_code.clone().ok_or_else(|| {
                unexpected(format!(
                    "package {code} without a `locationCode`, the region of its top-ups"
                ))
            })?;
            let fallback = listed_countries(&base);
            let packages = self
                .client
                .get_packages()
                .region_code(region)
                .type_(PackageType::Topup)
                .package_code(code)
                .send()
                .await
                .map_err(failed)?
                .into_inner();
            packages
                .into_iter()
                .map(|p| offer(p, OfferKind::TopUp, &fallback))
                .collect()
        })
    }

    fn top_up<'a>(
        &'a self,
        iccid: &'a str,
        offer_id: &'a str,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        Box::pin(async move {
            let listed = self.find(iccid).await?;
            let esim_id = listed
                .id
                .clone()
                .ok_or_else(|| unexpected(format!("eSIM {iccid} without the `_id` a top-up names")))?;
            // No reference field here either (see `buy`).
            let request = types::PurchaseRequest {
                esim_id: Some(esim_id),
                package_code: offer_id.to_owned(),
                package_type: PackageType::Topup,
                payment_method: PaymentMethod::Wallet,
            };
            let response = self.purchase(request).await?;
            let mut topped_up = esim(listed)?;
            // Read before the top-up, so it may no longer hold (an expired eSIM is active again).
            topped_up.status = None;
            let mut bought = purchase(response, reference);
            bought.esims = vec![topped_up];
            Ok(bought)
        })
    }

    fn exchange_rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        Box::pin(async move {
            let response = self.client.get_exchange_rate().send().await.map_err(failed)?;
            Ok(vec![exchange_rate(response.into_inner())?])
        })
    }
}

fn failed(error: impl Into<vellosim_client::Error>) -> MarketError {
    MarketError::provider(NAME, error.into())
}

fn unexpected(what: impl Into<String>) -> MarketError {
    MarketError::Unexpected {
        provider: NAME,
        what: what.into(),
    }
}

/// purchaseEsim buys exactly one eSIM.
/// The country of a local (`LC`) region.
fn local_country(region: &types::Region) -> Option<CountryCode> {
    match region.region_type {
        Some(types::RegionType::Lc) => region.country_code.as_deref()?.parse().ok(),
        _ => None,
    }
}

/// Whether `region` may sell packages for `country`: a local region of another country cannot.
fn may_cover(region: &types::Region, country: Option<CountryCode>) -> bool {
    match (country, local_country(region)) {
        (Some(wanted), Some(local)) => wanted == local,
        _ => true,
    }
}

/// The countries a package lists in `locationNetworkList`, sorted, without duplicates.
fn listed_countries(package: &types::Package) -> Vec<CountryCode> {
    let mut countries: Vec<CountryCode> = package
        .location_network_list
        .iter()
        .filter_map(|n| n.location_code.as_deref()?.parse().ok())
        .collect();
    countries.sort();
    countries.dedup();
    countries
}

/// A package as an offer; `fallback` is the coverage to assume when the package lists no
/// country (the local region it was listed under).
fn offer(package: types::Package, kind: OfferKind, fallback: &[CountryCode]) -> Result<Offer, MarketError> {
    let code = package.package_code.as_str();
    let bad = |what: String| unexpected(format!("package {code}: {what}"));
    let mut coverage = listed_countries(&package);
    if coverage.is_empty() {
        coverage = fallback.to_vec();
    }
    if coverage.is_empty() {
        return Err(bad("no country it covers".to_owned()));
    }
    let price = match (
        package.price,
        package.currency_code.as_deref().or(package.currency.as_deref()),
    ) {
        (Some(amount), Some(currency)) => money(amount, currency).map_err(bad)?,
        (None, _) => return Err(bad("no price".to_owned())),
        (Some(_), None) => return Err(bad("a price in no currency".to_owned())),
    };
    let mut operators: Vec<String> = package
        .location_network_list
        .iter()
        .flat_map(|n| &n.operator_list)
        .filter_map(|o| o.operator_name.clone())
        .chain(package.network_providers.iter().cloned())
        .collect();
    operators.sort();
    operators.dedup();
    Ok(Offer {
        provider: NAME,
        title: package
            .name
            .clone()
            .or_else(|| package.package_name.clone())
            .unwrap_or_else(|| code.to_owned()),
        coverage,
        data: allowance(&package).map_err(bad)?,
        validity_days: validity_days(&package).map_err(bad)?,
        voice_minutes: None,
        sms: None,
        price,
        retail_price: None,
        kind,
        operators,
        id: package.package_code,
    })
}

fn money(amount: Decimal, currency: &str) -> Result<Money, String> {
    let currency: Currency = currency.parse().map_err(|e| format!("{e}"))?;
    Ok(Money { amount, currency })
}

fn allowance(package: &types::Package) -> Result<Allowance, String> {
    if let Some(bytes) = package.volume {
        return u64::try_from(bytes)
            .map(|b| Allowance::Limited(DataVolume::from_bytes(b)))
            .map_err(|_| format!("a volume of {bytes} bytes"));
    }
    let label = package.data.as_deref().ok_or("no data volume")?;
    data_label(label).ok_or_else(|| format!("a data volume of {label:?}"))
}

/// `5GB`, `500MB`, `Unlimited`: the packages page's labels, in MiB-based units.
fn data_label(label: &str) -> Option<Allowance> {
    let label = label.trim();
    if label.eq_ignore_ascii_case("unlimited") {
        return Some(Allowance::Unlimited { fair_usage: None });
    }
    let upper = label.to_ascii_uppercase();
    let (number, mib_per_unit) = match upper.strip_suffix("GB") {
        Some(number) => (number, Decimal::from(1024)),
        None => (upper.strip_suffix("MB")?, Decimal::ONE),
    };
    let mib = number.trim().parse::<Decimal>().ok()?.checked_mul(mib_per_unit)?;
    let bytes = mib.checked_mul(Decimal::from(1u64 << 20))?.round();
    u64::try_from(bytes)
        .ok()
        .map(|b| Allowance::Limited(DataVolume::from_bytes(b)))
}

fn validity_days(package: &types::Package) -> Result<u32, String> {
    let days = match (package.duration, &package.duration_unit) {
        (Some(n), Some(DurationUnit::Day)) => n,
        (Some(n), Some(DurationUnit::Hour)) if n % 24 == 0 => n / 24,
        (Some(n), Some(unit)) => return Err(format!("a validity of {n} {unit}, not whole days")),
        (Some(n), None) => return Err(format!("a validity of {n} in no unit")),
        (None, _) => package.validity.ok_or("no validity")?,
    };
    u32::try_from(days).map_err(|_| format!("a validity of {days} days"))
}

fn status(status: &EsimStatus) -> Status {
    let kind = match status {
        EsimStatus::Created | EsimStatus::GotResource | EsimStatus::Pending => StatusKind::NotActive,
        EsimStatus::Active | EsimStatus::Activated | EsimStatus::InUse => StatusKind::Active,
        EsimStatus::Expired => StatusKind::Expired,
        EsimStatus::Failed | EsimStatus::Cancelled | EsimStatus::Suspended => StatusKind::Inactive,
        EsimStatus::Unknown(_) => StatusKind::Other,
    };
    Status {
        kind,
        original: status.as_str().to_owned(),
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// The separate parts first: the purchase page's `activationCode` is a placeholder
/// (`LPA:1$smdp.address$matchingId`) beside real parts, and getEsim's `ac` may hold only the
/// matching id.
fn activation(
    smdp_address: Option<String>,
    matching_id: Option<String>,
    lpa: impl IntoIterator<Item = Option<String>>,
) -> Option<ActivationCode> {
    match (non_empty(smdp_address), non_empty(matching_id)) {
        (Some(smdp), Some(id)) => Some(ActivationCode::from_parts(&smdp, &id)),
        _ => lpa.into_iter().flatten().find_map(|text| ActivationCode::parse(&text)),
    }
}

fn esim(esim: types::Esim) -> Result<Esim, MarketError> {
    let iccid = non_empty(esim.iccid).ok_or_else(|| unexpected("an eSIM without an ICCID"))?;
    Ok(Esim {
        provider: NAME,
        activation: activation(esim.smdp_address, esim.matching_id, [esim.activation_code, esim.ac]),
        qr_code_url: non_empty(esim.qr_code_url),
        qr_code_data: None,
        install_guide_urls: Vec::new(),
        status: esim.esim_status.as_ref().map(status),
        iccid,
    })
}

fn volume(bytes: Option<i64>, field: &str) -> Result<Option<DataVolume>, MarketError> {
    bytes
        .map(|b| {
            u64::try_from(b)
                .map(DataVolume::from_bytes)
                .map_err(|_| unexpected(format!("`{field}` of {b} bytes")))
        })
        .transpose()
}

fn usage(esim: &types::Esim) -> Result<Usage, MarketError> {
    let iccid = non_empty(esim.iccid.clone()).ok_or_else(|| unexpected("an eSIM without an ICCID"))?;
    let status = esim
        .esim_status
        .as_ref()
        .map(status)
        .ok_or_else(|| unexpected(format!("eSIM {iccid} without an `esimStatus`")))?;
    Ok(Usage {
        provider: NAME,
        used: volume(esim.order_usage, "orderUsage")?,
        remaining: volume(esim.data_usage_remain, "data_usage_remain")?,
        total: volume(esim.total_volume, "totalVolume")?.map(Allowance::Limited),
        expires_at: esim.expired_time.as_ref().and_then(|t| t.to_utc()),
        status,
        iccid,
    })
}

/// What purchaseEsim answered. Only a `SUCCESS` with wallet payment carries the eSIM at once;
/// otherwise `esims` is empty and the eSIM is read later by its ICCID or transaction id.
fn purchase(response: types::PurchaseResponse, reference: &str) -> Purchase {
    let esims = response
        .esim_details
        .and_then(|d| {
            Some(Esim {
                provider: NAME,
                iccid: non_empty(d.iccid)?,
                activation: activation(d.smdp_address, d.matching_id, [d.activation_code]),
                qr_code_url: non_empty(d.qr_code_url),
                qr_code_data: None,
                install_guide_urls: Vec::new(),
                status: None,
            })
        })
        .into_iter()
        .collect();
    let price = response.package.and_then(|p| {
        let currency = p.currency.or(p.currency_code)?;
        money(p.price?, &currency).ok()
    });
    Purchase {
        provider: NAME,
        order: response.transaction_id,
        // Not sent (purchaseEsim has no field for it), kept for the caller's records.
        reference: reference.to_owned(),
        esims,
        price,
    }
}

fn exchange_rate(response: types::ExchangeRateResponse) -> Result<ExchangeRate, MarketError> {
    let data = response.data;
    // The endpoint is documented as USD → NGN only: absent names are that pair.
    let from = data.base_currency.as_deref().unwrap_or("USD");
    let to = data.currency.as_deref().unwrap_or("NGN");
    let code = |text: &str| {
        text.parse::<Currency>()
            .map_err(|e| unexpected(format!("an exchange rate with {e}")))
    };
    Ok(ExchangeRate {
        from: code(from)?,
        to: code(to)?,
        rate: data.rate,
        source: NAME,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    fn country(code: &str) -> CountryCode {
        code.parse().unwrap()
    }

    const GIB: u64 = 1 << 30;

    /// The package details page's example, in the guide's shape.
    fn details_page() -> Value {
        json!({
            "packageCode": "US_5GB_30D", "name": "USA 5GB - 30 Days", "price": 5.75, "currencyCode": "USD",
            "volume": 5368709120u64, "duration": 30, "durationUnit": "DAY", "speed": "4G/5G",
            "unusedValidTime": 30, "location": "United States", "locationCode": "US",
            "locationNetworkList": [{
                "locationName": "United States", "locationCode": "US",
                "operatorList": [
                    {"operatorName": "T-Mobile", "networkType": "4G/5G"},
                    {"operatorName": "AT&T", "networkType": "4G/LTE"}
                ]
            }]
        })
    }

    #[test]
    fn a_package_counts_bytes_and_prices_in_major_units_of_its_currency() {
        let base = offer(decode(details_page()), OfferKind::Base, &[]).unwrap();
        assert_eq!(base.id, "US_5GB_30D");
        assert_eq!(base.title, "USA 5GB - 30 Days");
        assert_eq!(base.data, Allowance::Limited(DataVolume::from_bytes(5 * GIB)));
        assert_eq!(base.validity_days, 30);
        assert_eq!(base.price.to_string(), "5.75 USD");
        assert_eq!(base.coverage, [country("US")]);
        assert_eq!(base.operators, ["AT&T", "T-Mobile"]);
        assert_eq!(base.kind, OfferKind::Base);

        // The guide's NGN price is naira, not kobo.
        let guide = json!({
            "packageCode": "CKH533", "name": "United States 1GB 7Days", "price": 2160, "currencyCode": "NGN",
            "duration": 7, "volume": 1073741824u64, "durationUnit": "DAY", "locationCode": "US",
            "locationNetworkList": [{"locationName": "United States", "locationCode": "US", "operatorList": []}]
        });
        let topup = offer(decode(guide), OfferKind::TopUp, &[]).unwrap();
        assert_eq!(topup.price.to_string(), "2160.00 NGN");
        assert_eq!(topup.price_per_gb().unwrap().to_string(), "2160.00 NGN");
        assert_eq!(topup.kind, OfferKind::TopUp);
    }

    #[test]
    fn the_packages_pages_shape_reads_its_labels_and_takes_the_regions_country() {
        let shape = |data: &str| {
            json!({
                "packageCode": "US_5GB_30D", "packageName": "USA 5GB - 30 Days", "data": data, "validity": 30,
                "price": 8000, "currency": "NGN", "originalPriceUSD": 10, "coverage": ["United States"],
                "networkProviders": ["Verizon", "AT&T"]
            })
        };
        let us = [country("US")];
        let five = offer(decode(shape("5GB")), OfferKind::Base, &us).unwrap();
        assert_eq!(five.data, Allowance::Limited(DataVolume::from_bytes(5 * GIB)));
        assert_eq!(five.validity_days, 30);
        assert_eq!(five.price.to_string(), "8000.00 NGN");
        assert_eq!(five.coverage, us);
        assert_eq!(five.title, "USA 5GB - 30 Days");
        assert_eq!(five.operators, ["AT&T", "Verizon"]);
        let unlimited = offer(decode(shape("Unlimited")), OfferKind::Base, &us).unwrap();
        assert_eq!(unlimited.data, Allowance::Unlimited { fair_usage: None });
        let half = offer(decode(shape("0.5GB")), OfferKind::Base, &us).unwrap();
        assert_eq!(half.data, Allowance::Limited(DataVolume::from_megabytes(512)));

        // Country names are no codes: without the region's country there is no coverage.
        let err = offer(decode(shape("5GB")), OfferKind::Base, &[]).unwrap_err();
        assert!(matches!(err, MarketError::Unexpected { .. }), "{err}");
        let err = offer(decode(shape("lots")), OfferKind::Base, &us).unwrap_err();
        assert!(err.to_string().contains("\"lots\""), "{err}");
    }

    #[test]
    fn validity_is_whole_days_and_a_price_needs_its_currency() {
        let with = |changes: Value| {
            let mut package = details_page();
            for (key, value) in changes.as_object().unwrap() {
                package[key] = value.clone();
            }
            offer(decode(package), OfferKind::Base, &[])
        };
        assert_eq!(
            with(json!({"duration": 48, "durationUnit": "HOUR"}))
                .unwrap()
                .validity_days,
            2
        );
        for unit in [
            json!({"duration": 12, "durationUnit": "HOUR"}),
            json!({"duration": 1, "durationUnit": "MONTH"}),
        ] {
            let err = with(unit).unwrap_err();
            assert!(err.to_string().contains("not whole days"), "{err}");
        }
        assert!(with(json!({"durationUnit": null})).is_err());
        assert!(with(json!({"durationUnit": "WEEK"})).is_err());
        let err = with(json!({"currencyCode": null})).unwrap_err();
        assert!(err.to_string().contains("no currency"), "{err}");
        assert!(with(json!({"price": null})).is_err());
        assert!(with(json!({"volume": -1})).is_err());
    }

    #[test]
    fn only_a_local_region_of_another_country_is_skipped() {
        let regions: Vec<types::Region> = decode(json!([
            {"regionCode": "US", "regionName": "United States", "regionType": "LC", "countryCode": "US"},
            {"regionCode": "EU", "regionName": "Europe", "regionType": "RG", "countryCode": null},
            {"regionCode": "GLOBAL", "regionName": "Global Coverage", "regionType": "GL", "countryCode": null}
        ]));
        assert_eq!(local_country(&regions[0]), Some(country("US")));
        assert_eq!(local_country(&regions[1]), None);
        let kept = |wanted: Option<&str>| {
            let wanted = wanted.map(country);
            regions
                .iter()
                .filter(|r| may_cover(r, wanted))
                .map(|r| r.region_code.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(kept(Some("DE")), ["EU", "GLOBAL"]);
        assert_eq!(kept(Some("US")), ["US", "EU", "GLOBAL"]);
        assert_eq!(kept(None), ["US", "EU", "GLOBAL"]);
    }

    #[test]
    fn statuses_map_and_keep_their_text() {
        let cases = [
            ("CREATED", StatusKind::NotActive),
            ("GOT_RESOURCE", StatusKind::NotActive),
            ("PENDING", StatusKind::NotActive),
            ("ACTIVE", StatusKind::Active),
            ("IN_USE", StatusKind::Active),
            ("EXPIRED", StatusKind::Expired),
            ("SUSPENDED", StatusKind::Inactive),
            ("CANCELLED", StatusKind::Inactive),
            ("REFUNDED", StatusKind::Other),
        ];
        for (text, kind) in cases {
            let mapped = status(&decode(json!(text)));
            assert_eq!(
                mapped,
                Status {
                    kind,
                    original: text.to_owned()
                }
            );
        }
    }

    /// getEsim's example.
    fn get_esim() -> Value {
        json!({
            "_id": "esim_64f8a1b2c3d4e5f6a7b8c9d0", "packageCode": "US_5GB_30D",
            "transactionId": "esim_1699564800_12345", "iccid": "8944500123456789012",
            "ac": "ABC-123-DEF-456", "qrCodeUrl": "https://vellosim.com/qr/abc123",
            "activationCode": "LPA:1$smdp.gsma.com$ABC-123-DEF-456",
            "smdpAddress": "smdp.gsma.com", "matchingId": "ABC-123-DEF-456",
            "expiredTime": "2024-11-14T10:30:00Z", "esimStatus": "ACTIVE", "data": "5GB",
            "totalVolume": 5368709120u64, "orderUsage": 1073741824u64, "data_usage_remain": 4294967296u64,
            "validity": 30, "durationUnit": "DAY", "price": 8000, "currency": "NGN"
        })
    }

    #[test]
    fn an_esim_and_its_usage_in_bytes() {
        let found = esim(decode(get_esim())).unwrap();
        assert_eq!(found.iccid, "8944500123456789012");
        let code = found.activation.unwrap();
        assert_eq!(
            (code.smdp_address.as_str(), code.matching_id.as_str()),
            ("smdp.gsma.com", "ABC-123-DEF-456")
        );
        assert_eq!(found.qr_code_url.as_deref(), Some("https://vellosim.com/qr/abc123"));
        assert_eq!(found.status.unwrap().kind, StatusKind::Active);

        let read = usage(&decode(get_esim())).unwrap();
        assert_eq!(read.used, Some(DataVolume::from_bytes(GIB)));
        assert_eq!(read.remaining, Some(DataVolume::from_bytes(4 * GIB)));
        assert_eq!(read.total, Some(Allowance::Limited(DataVolume::from_bytes(5 * GIB))));
        assert_eq!(read.expires_at.unwrap().to_rfc3339(), "2024-11-14T10:30:00+00:00");
        assert_eq!(read.status.original, "ACTIVE");
    }

    #[test]
    fn what_an_esim_does_not_say_stays_unknown() {
        let mut partial = get_esim();
        let fields = partial.as_object_mut().unwrap();
        for field in ["orderUsage", "smdpAddress", "activationCode"] {
            fields.remove(field);
        }
        // `ac` holding only the matching id is no activation code.
        assert_eq!(esim(decode(partial.clone())).unwrap().activation, None);
        assert_eq!(usage(&decode(partial.clone())).unwrap().used, None);
        partial["esimStatus"] = json!("FROZEN");
        let status = usage(&decode(partial.clone())).unwrap().status;
        assert_eq!((status.kind, status.original.as_str()), (StatusKind::Other, "FROZEN"));
        partial["esimStatus"] = Value::Null;
        assert!(matches!(usage(&decode(partial)), Err(MarketError::Unexpected { .. })));
    }

    #[test]
    fn a_purchase_keeps_the_transaction_the_esim_and_the_price() {
        let response = json!({
            "transactionId": "esim_1699564800_12345", "status": "SUCCESS",
            "package": {"packageCode": "US_5GB_30D", "packageName": "USA 5GB - 30 Days", "price": 8000, "currency": "NGN"},
            "esimDetails": {
                "esimId": "esim_64f8a1b2c3d4e5f6a7b8c9d0", "iccid": "8944500123456789012",
                "qrCodeUrl": "https://vellosim.com/qr/abc123", "activationCode": "LPA:1$smdp.address$matchingId",
                "smdpAddress": "smdp.gsma.com", "matchingId": "ABC-123-DEF-456"
            }
        });
        let bought = purchase(decode(response), "trip-42");
        assert_eq!(bought.order, "esim_1699564800_12345");
        assert_eq!(bought.reference, "trip-42");
        assert_eq!(bought.price.unwrap().to_string(), "8000.00 NGN");
        let [esim] = bought.esims.as_slice() else {
            panic!("{bought:?}")
        };
        // The parts, not the placeholder LPA string beside them.
        assert_eq!(
            esim.activation.as_ref().unwrap().lpa,
            "LPA:1$smdp.gsma.com$ABC-123-DEF-456"
        );

        let pending = purchase(decode(json!({"transactionId": "esim_1", "status": "PENDING"})), "r");
        assert!(pending.esims.is_empty());
        assert_eq!(pending.price, None);
    }

    #[test]
    fn purchases_are_one_esim_each() {
        assert!(MarketError::one_esim_per_order(NAME, 1).is_ok());
        assert!(matches!(
            MarketError::one_esim_per_order(NAME, 0),
            Err(MarketError::Invalid { .. })
        ));
        assert!(matches!(
            MarketError::one_esim_per_order(NAME, 2),
            Err(MarketError::Unsupported { .. })
        ));
    }

    #[test]
    fn the_exchange_rate_is_usd_to_ngn() {
        let documented = json!({"success": true, "data": {"rate": 1600, "baseCurrency": "USD", "currency": "NGN"}});
        let rate = exchange_rate(decode(documented)).unwrap();
        assert_eq!((rate.from.as_str(), rate.to.as_str()), ("USD", "NGN"));
        assert_eq!(rate.rate, Decimal::from(1600));
        assert_eq!(rate.source, "vellosim");
        let bare = exchange_rate(decode(json!({"data": {"rate": "1587.5"}}))).unwrap();
        assert_eq!((bare.from.as_str(), bare.to.as_str()), ("USD", "NGN"));
        assert!(exchange_rate(decode(json!({"data": {"rate": 1, "currency": "naira"}}))).is_err());
    }
}
