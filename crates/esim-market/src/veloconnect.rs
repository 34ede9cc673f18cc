//! VeloConnect's VeloeSIM wholesale API as an [`EsimProvider`].
//!
//! What VeloConnect's documentation leaves open, and how this mapping reads it:
//! - **Units.** A plan's `dataAmount` counts decimal megabytes (1000 is the 10^9 bytes of the
//!   assigned plan it becomes); assigned plans count bytes. `duration` is days (the only unit
//!   its values, 7 and 30, fit).
//! - **Currency.** No page names the currency of `price` (or of the balance): it is the
//!   account's, agreed in the contract, so the caller names it in [`VeloConnect::new`] and
//!   every price is read in it, never assumed.
//! - **Areas → countries.** A plan's `areas` are countries (`iso`, ISO alpha-2) and bundles
//!   (`Europe+`: no `iso`, listed beside the countries it covers). Coverage is the alpha-2 codes;
//!   a bundle adds none of its own, and a three-letter `iso` (`CYP`, given to Northern Cyprus,
//!   which has no ISO code) is left out rather than read as Cyprus. A plan naming no country is
//!   [`MarketError::Unexpected`].
//! - **No country filter.** getAllPlans filters by area ids, names and regions, never by ISO
//!   code: ids are only learnt from plans, and names would take a code → English name table
//!   (and still match partly: `Niger` finds `Nigeria`). So a query's country cannot be sent;
//!   every plan is streamed, a page at a time, and filtered here.
//! - **Status.** An eSIM has no status word. `profileStatus` is the SM-DP+ profile's state
//!   (`DISABLED`, `DELETED` → inactive; one the spec does not know → other); otherwise the
//!   assigned plans tell: one started and not expired → active; only unstarted ones → not
//!   active; all expired → depleted if the last one's bytes ran out, else expired; none → other.
//!   `original` keeps the profile status and the plans' state in words.
//! - **Activation.** There is no LPA string or QR code URL: the LPA is built from
//!   `smdpAddress` and `matchingId` (or read from `iosSetup`'s `carddata`); `iosSetup`,
//!   Apple's one-tap install link, is the install link.
//! - **Orders** (orderOne, topUpEsim) have no order id and no reference field
//!   (`customerEmail` would make the customer an app user, so the reference is not put there):
//!   an order is named by its eSIM's ICCID, a top-up by its new assigned plan's `id`. They are
//!   sent once; the generated client never retries a POST.
//! - **Usage** adds up the assigned plans: `used` is what every plan consumed, `remaining`
//!   what the unexpired ones hold, `total` all their bytes; the expiry is the latest `endTime`,
//!   unknown while an unexpired plan has not started (its end is not set yet).
//! - **Exchange rates**: there is no endpoint, so the trait's default (unsupported) stands.

use futures::future::{self, BoxFuture};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use provider_core::units::DataVolume;
use veloconnect_client::types::{self, ProfileStatus};

use crate::model::{
    ActivationCode, Allowance, CountryCode, Currency, Esim, Money, Offer, OfferKind, Purchase, Status, StatusKind,
    Usage,
};
use crate::provider::{EsimProvider, MarketError, OfferQuery};

const NAME: &str = veloconnect_client::PROVIDER.name;

/// Plans a page: the API documents no maximum.
const PAGE_SIZE: u64 = 100;

/// VeloConnect's VeloeSIM business through its generated client.
pub struct VeloConnect {
    client: veloconnect_client::Client,
    currency: Currency,
}

impl VeloConnect {
    /// `currency` is the account's (the contract's): VeloConnect's answers never name it.
    pub fn new(client: veloconnect_client::Client, currency: Currency) -> Self {
        Self { client, currency }
    }
}

impl crate::Adapter for VeloConnect {
    type Client = veloconnect_client::Client;

    const SETTINGS: &'static [crate::Setting] = &[crate::Setting {
        name: "CURRENCY",
        about: "VeloConnect's API does not say which currency its prices are in (e.g. USD)",
        // The sandbox prices VeloConnect's plans in USD.
        sandbox: "USD",
    }];

    fn adapt(client: Self::Client, settings: &[String]) -> Result<Self, MarketError> {
        let currency = settings[0].parse().map_err(|e: crate::model::ParseCodeError| MarketError::Invalid {
            provider: veloconnect_client::PROVIDER.name,
            what: e.to_string(),
        })?;
        Ok(Self::new(client, currency))
    }
}

impl EsimProvider for VeloConnect {
    fn name(&self) -> &'static str {
        NAME
    }

    fn offers<'a>(&'a self, query: &'a OfferQuery) -> BoxStream<'a, Result<Offer, MarketError>> {
        // Top-ups are sold per eSIM (`topups`), never listed on their own.
        if query.kind == Some(OfferKind::TopUp) {
            return stream::empty().boxed();
        }
        self.client
            .get_all_plans()
            .stream(PAGE_SIZE)
            .map_err(failed)
            .and_then(move |plan| future::ready(offer(plan, OfferKind::Base, self.currency)))
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
            let request = types::OrderRequest {
                plan_id: plan_id(offer_id)?,
                customer_email: None,
                customer_full_name: None,
            };
            let bought = self
                .client
                .order_one()
                .body(request)
                .send()
                .await
                .map_err(failed)?
                .into_inner();
            Ok(Purchase {
                provider: NAME,
                order: bought.iccid.clone(),
                // Not sent (orderOne has no field for it), kept for the caller's records.
                reference: reference.to_owned(),
                esims: vec![esim(bought)],
                price: None,
            })
        })
    }

    fn esim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Esim, MarketError>> {
        Box::pin(async move { Ok(esim(self.one(iccid).await?)) })
    }

    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Usage, MarketError>> {
        Box::pin(async move { Ok(usage(&self.one(iccid).await?)) })
    }

    fn topups<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<Offer>, MarketError>> {
        Box::pin(
            self.client
                .get_esim_top_up_plans()
                .iccid(iccid)
                .stream(PAGE_SIZE)
                .map_err(failed)
                .and_then(move |plan| future::ready(offer(plan, OfferKind::TopUp, self.currency)))
                .try_collect(),
        )
    }

    fn top_up<'a>(
        &'a self,
        iccid: &'a str,
        offer_id: &'a str,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        Box::pin(async move {
            let plan_id = plan_id(offer_id)?;
            let request = types::TopUpRequest { plan_id };
            let topped_up = self
                .client
                .top_up_esim()
                .iccid(iccid)
                .body(request)
                .send()
                .await
                .map_err(failed)?
                .into_inner();
            // The top-up is the newest assigned plan of that plan id.
            let assignment = topped_up
                .assigned_plans
                .iter()
                .rev()
                .find(|a| a.plan_id == Some(plan_id))
                .and_then(|a| a.id);
            Ok(Purchase {
                provider: NAME,
                order: assignment.map_or_else(|| topped_up.iccid.clone(), |id| id.to_string()),
                // Not sent (topUpEsim has no field for it), kept for the caller's records.
                reference: reference.to_owned(),
                esims: vec![esim(topped_up)],
                price: None,
            })
        })
    }
}

impl VeloConnect {
    async fn one(&self, iccid: &str) -> Result<types::Esim, MarketError> {
        Ok(self
            .client
            .get_one_esim()
            .iccid(iccid)
            .send()
            .await
            .map_err(failed)?
            .into_inner())
    }
}

fn failed(error: impl Into<veloconnect_client::Error>) -> MarketError {
    MarketError::provider(NAME, error.into())
}

fn invalid(what: String) -> MarketError {
    MarketError::Invalid { provider: NAME, what }
}

fn plan_id(offer_id: &str) -> Result<i64, MarketError> {
    offer_id
        .trim()
        .parse()
        .map_err(|_| invalid(format!("{offer_id:?} is not a plan id (an integer)")))
}

/// A plan as an offer, priced in the account's `currency`.
fn offer(plan: types::Plan, kind: OfferKind, currency: Currency) -> Result<Offer, MarketError> {
    let bad = |what: &str| MarketError::Unexpected {
        provider: NAME,
        what: format!("plan {}: {what}", plan.id),
    };
    let mut coverage: Vec<CountryCode> = plan
        .areas
        .iter()
        .filter_map(|a| a.iso.as_deref()?.parse().ok())
        .collect();
    coverage.sort();
    coverage.dedup();
    if coverage.is_empty() {
        return Err(bad("no area with an ISO country code"));
    }
    let data = plan
        .data_volume()
        .ok_or_else(|| bad("no data amount (or a negative one)"))?;
    let days = plan.duration.ok_or_else(|| bad("no duration"))?;
    let validity_days = u32::try_from(days).map_err(|_| bad("a duration out of range"))?;
    let amount = plan.price.ok_or_else(|| bad("no price"))?;
    let mut operators: Vec<String> = plan
        .areas
        .iter()
        .flat_map(|a| &a.networks)
        .filter_map(|n| n.brand_name.clone().or_else(|| n.name.clone()))
        .collect();
    operators.sort();
    operators.dedup();
    Ok(Offer {
        provider: NAME,
        id: plan.id.to_string(),
        title: title(&plan.areas, data, validity_days),
        coverage,
        data: Allowance::Limited(data),
        validity_days,
        voice_minutes: None,
        sms: None,
        price: Money { amount, currency },
        retail_price: None,
        kind,
        operators,
    })
}

/// Plans have no name: `Europe+ 1 GB 7 days`, `Chile 500 MB 30 days`, `3 countries …`, in
/// the decimal units `dataAmount` counts.
fn title(areas: &[types::Area], data: DataVolume, days: u32) -> String {
    let bundle = areas.iter().find(|a| a.iso.is_none()).and_then(|a| a.name.as_deref());
    let place = match (bundle, areas) {
        (Some(name), _) => name.to_owned(),
        (None, [only]) => only.name.clone().unwrap_or_default(),
        (None, many) => format!("{} countries", many.len()),
    };
    let megabytes = data.bytes() / 1_000_000;
    let data = if megabytes.is_multiple_of(1000) {
        format!("{} GB", megabytes / 1000)
    } else {
        format!("{megabytes} MB")
    };
    format!("{place} {data} {days} days")
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

fn esim(esim: types::Esim) -> Esim {
    let activation = match (
        non_empty(esim.smdp_address.as_deref()),
        non_empty(esim.matching_id.as_deref()),
    ) {
        (Some(smdp), Some(id)) => Some(ActivationCode::from_parts(smdp, id)),
        _ => esim
            .ios_setup
            .as_deref()
            .and_then(|link| ActivationCode::parse(link.split_once("carddata=")?.1)),
    };
    Esim {
        provider: NAME,
        activation,
        qr_code_url: None,
        qr_code_data: None,
        status: Some(status(&esim)),
        install_guide_urls: esim.ios_setup.into_iter().collect(),
        iccid: esim.iccid,
    }
}

/// Where an assigned plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanState {
    NotStarted,
    InUse,
    UsedUp,
    Lapsed,
    /// No `isExpired`.
    Unknown,
}

fn plan_state(plan: &types::AssignedPlan) -> PlanState {
    match (plan.is_expired, plan.start_time.is_some()) {
        (Some(true), _) if plan.remaining_quantity_in_bytes == Some(0) => PlanState::UsedUp,
        (Some(true), _) => PlanState::Lapsed,
        (Some(false), true) => PlanState::InUse,
        (Some(false), false) => PlanState::NotStarted,
        (None, _) => PlanState::Unknown,
    }
}

fn status(esim: &types::Esim) -> Status {
    let states: Vec<PlanState> = esim.assigned_plans.iter().map(plan_state).collect();
    let has = |state| states.contains(&state);
    let (from_plans, words) = if has(PlanState::InUse) {
        (StatusKind::Active, "plan in use")
    } else if has(PlanState::Unknown) {
        (StatusKind::Other, "plan state unknown")
    } else if has(PlanState::NotStarted) {
        (StatusKind::NotActive, "plan not started")
    } else {
        match states.last() {
            Some(PlanState::UsedUp) => (StatusKind::Depleted, "data used up"),
            Some(_) => (StatusKind::Expired, "plans expired"),
            None => (StatusKind::Other, "no plan"),
        }
    };
    let kind = match &esim.profile_status {
        Some(ProfileStatus::Disabled | ProfileStatus::Deleted) => StatusKind::Inactive,
        Some(ProfileStatus::Unknown(_)) => StatusKind::Other,
        _ => from_plans,
    };
    let original = match &esim.profile_status {
        Some(profile) => format!("{profile}, {words}"),
        None => words.to_owned(),
    };
    Status { kind, original }
}

fn bytes(value: Option<i64>) -> Option<u64> {
    u64::try_from(value?).ok()
}

/// The sum, or `None` when any term is unknown (or it overflows).
fn add_up(mut terms: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    terms.try_fold(0u64, |sum, term| sum.checked_add(term?))
}

fn usage(esim: &types::Esim) -> Usage {
    let plans = &esim.assigned_plans;
    let known = !plans.is_empty();
    let total = add_up(plans.iter().map(|p| bytes(p.initial_quantity_in_bytes))).filter(|_| known);
    let used = add_up(
        plans
            .iter()
            .map(|p| bytes(p.initial_quantity_in_bytes)?.checked_sub(bytes(p.remaining_quantity_in_bytes)?)),
    )
    .filter(|_| known);
    let remaining = add_up(plans.iter().map(|p| match plan_state(p) {
        PlanState::UsedUp | PlanState::Lapsed => Some(0),
        PlanState::InUse | PlanState::NotStarted => bytes(p.remaining_quantity_in_bytes),
        PlanState::Unknown => None,
    }))
    .filter(|_| known);
    // The latest end; unknown while a plan still to run has none yet.
    let expires_at = plans
        .iter()
        .map(|p| match (plan_state(p), &p.end_time) {
            (_, Some(end)) => end.to_utc().map(Some),
            (PlanState::UsedUp | PlanState::Lapsed, None) => Some(None),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .and_then(|ends| ends.into_iter().flatten().max());
    Usage {
        provider: NAME,
        iccid: esim.iccid.clone(),
        used: used.map(DataVolume::from_bytes),
        remaining: remaining.map(DataVolume::from_bytes),
        total: total.map(|t| Allowance::Limited(DataVolume::from_bytes(t))),
        expires_at,
        status: status(esim),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    fn countries(codes: &[&str]) -> Vec<CountryCode> {
        codes.iter().map(|c| c.parse().unwrap()).collect()
    }

    /// Any currency: VeloConnect names none, the account's is given.
    fn eur() -> Currency {
        "EUR".parse().unwrap()
    }

    /// getAllPlans' example rows.
    fn chile() -> Value {
        json!({"id": 33, "dataAmount": 1000, "duration": 7, "price": 5.5,
               "areas": [{"id": 5, "name": "Chile", "region": "South America", "iso": "CL"}]})
    }

    fn europe_plus() -> Value {
        json!({"id": 148, "dataAmount": 1000, "duration": 7, "price": 4, "areas": [
            {"id": 151, "name": "Europe+", "region": null, "iso": null},
            {"id": 19, "name": "Austria", "region": "Europe", "iso": "AT"},
            {"id": 35, "name": "Northern Cyprus", "region": "Europe", "iso": "CYP"}
        ]})
    }

    #[test]
    fn a_plan_counts_decimal_megabytes_and_days_in_the_accounts_currency() {
        let plan = offer(decode(chile()), OfferKind::Base, eur()).unwrap();
        assert_eq!(plan.id, "33");
        assert_eq!(plan.title, "Chile 1 GB 7 days");
        assert_eq!(plan.data, Allowance::Limited(DataVolume::from_bytes(1_000_000_000)));
        assert_eq!(plan.validity_days, 7);
        assert_eq!(plan.price.to_string(), "5.50 EUR");
        assert_eq!(plan.coverage, countries(&["CL"]));
        assert_eq!(plan.kind, OfferKind::Base);
    }

    #[test]
    fn areas_become_alpha_2_countries_and_a_bundle_adds_none() {
        let bundle = offer(decode(europe_plus()), OfferKind::Base, eur()).unwrap();
        // Northern Cyprus' `CYP` is not Cyprus (`CY`): left out.
        assert_eq!(bundle.coverage, countries(&["AT"]));
        assert_eq!(bundle.title, "Europe+ 1 GB 7 days");

        let mut lone = europe_plus();
        lone["areas"] = json!([{"id": 151, "name": "Europe+", "region": null, "iso": null}]);
        let err = offer(decode(lone), OfferKind::Base, eur()).unwrap_err();
        assert!(matches!(err, MarketError::Unexpected { .. }), "{err}");

        let two = json!({"id": 7, "dataAmount": 500, "duration": 30, "price": 9, "areas": [
            {"id": 1, "name": "Germany", "iso": "de"}, {"id": 2, "name": "France", "iso": "FR"}
        ]});
        let two = offer(decode(two), OfferKind::Base, eur()).unwrap();
        assert_eq!(two.coverage, countries(&["DE", "FR"]));
        assert_eq!(two.title, "2 countries 500 MB 30 days");
    }

    #[test]
    fn a_plan_without_price_data_or_duration_is_unexpected() {
        for field in ["price", "dataAmount", "duration"] {
            let mut plan = chile();
            plan.as_object_mut().unwrap().remove(field);
            let err = offer(decode(plan), OfferKind::Base, eur()).unwrap_err();
            assert!(matches!(err, MarketError::Unexpected { .. }), "{field}: {err}");
        }
    }

    #[test]
    fn top_up_plans_name_their_networks() {
        let row = json!({"id": 3035, "dataAmount": 1000, "duration": 7, "price": 3.66, "areas": [{
            "id": 5, "name": "Colombia", "region": "South America", "iso": "CO",
            "networks": [{"name": "Colombia Mobil S.A.", "brandName": "Tigo", "mcc": "732", "mnc": "103",
                          "tagid": "COLCO", "speed": ["2G", "3G", "4G"]}]
        }]});
        let topup = offer(decode(row), OfferKind::TopUp, eur()).unwrap();
        assert_eq!(topup.kind, OfferKind::TopUp);
        assert_eq!(topup.operators, ["Tigo"]);
        assert_eq!(topup.coverage, countries(&["CO"]));
    }

    /// orderOne's example: a plan not started yet.
    fn ordered() -> Value {
        json!({
            "iosSetup": "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$address.test$X2-2XXXX7-LCIUXQ",
            "iccid": "89372040161688888888", "matchingId": "X2-2XXXX7-LCIUXQ", "smdpAddress": "address.test",
            "profileStatus": "RELEASED", "installedAt": null,
            "assignedPlans": [{"initialQuantityInBytes": 1000000000, "remainingQuantityInBytes": 1000000000,
                               "startTime": null, "endTime": null, "isExpired": false,
                               "areas": [{"id": 49, "name": "Greece", "region": "Europe", "iso": "GR"}]}]
        })
    }

    /// topUpEsim's example: the first plan in use, the top-up waiting.
    fn topped_up() -> Value {
        let plan = |id: i64, remaining: i64, start: Value, end: Value| {
            json!({"id": id, "planId": 5, "initialQuantityInBytes": 1000000000,
                   "remainingQuantityInBytes": remaining, "startTime": start, "endTime": end, "isExpired": false,
                   "areas": [{"id": 49, "name": "Greece", "region": "Europe", "iso": "GR"}]})
        };
        json!({
            "iosSetup": "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$address.test$K2-22XXXX-LCIUXQ",
            "iccid": "8937204016163448888", "matchingId": "K2-22XXXX-LCIUXQ", "smdpAddress": "address.test",
            "profileStatus": "RELEASED", "installedAt": null,
            "assignedPlans": [
                plan(89, 402593548, json!("2024-05-18T19:24:18.000Z"), json!("2024-05-25T20:00:00.000Z")),
                plan(95, 1000000000, Value::Null, Value::Null)
            ]
        })
    }

    #[test]
    fn an_esim_builds_its_lpa_from_the_parts() {
        let found = esim(decode(ordered()));
        assert_eq!(found.iccid, "89372040161688888888");
        assert_eq!(found.activation.unwrap().lpa, "LPA:1$address.test$X2-2XXXX7-LCIUXQ");
        assert_eq!(found.qr_code_url, None);
        assert_eq!(found.install_guide_urls.len(), 1);
        let status = found.status.unwrap();
        assert_eq!(
            (status.kind, status.original.as_str()),
            (StatusKind::NotActive, "RELEASED, plan not started")
        );

        // Without the parts, Apple's install link still carries the LPA string.
        let mut link_only = ordered();
        link_only["smdpAddress"] = Value::Null;
        let code = esim(decode(link_only)).activation.unwrap();
        assert_eq!(
            (code.smdp_address.as_str(), code.matching_id.as_str()),
            ("address.test", "X2-2XXXX7-LCIUXQ")
        );
    }

    #[test]
    fn usage_adds_up_the_assigned_plans() {
        let read = usage(&decode(topped_up()));
        assert_eq!(
            read.total,
            Some(Allowance::Limited(DataVolume::from_bytes(2_000_000_000)))
        );
        assert_eq!(read.used, Some(DataVolume::from_bytes(1_000_000_000 - 402_593_548)));
        assert_eq!(read.remaining, Some(DataVolume::from_bytes(1_402_593_548)));
        // The top-up has not started, so its end is not known yet.
        assert_eq!(read.expires_at, None);
        assert_eq!(read.status.kind, StatusKind::Active);
        assert_eq!(read.status.original, "RELEASED, plan in use");

        let mut one = topped_up();
        one["assignedPlans"].as_array_mut().unwrap().pop();
        let read = usage(&decode(one));
        assert_eq!(read.expires_at.unwrap().to_rfc3339(), "2024-05-25T20:00:00+00:00");

        let mut unknown = topped_up();
        unknown["assignedPlans"][0]["remainingQuantityInBytes"] = Value::Null;
        let read = usage(&decode(unknown));
        assert_eq!((read.used, read.remaining), (None, None));
        assert_eq!(
            read.total,
            Some(Allowance::Limited(DataVolume::from_bytes(2_000_000_000)))
        );
    }

    #[test]
    fn statuses_come_from_the_profile_and_the_plans() {
        let with = |profile: Value, plans: Value| {
            let mut e = ordered();
            e["profileStatus"] = profile;
            e["assignedPlans"] = plans;
            status(&decode(e))
        };
        let expired = |remaining: i64| {
            json!([{"initialQuantityInBytes": 1000, "remainingQuantityInBytes": remaining,
                    "startTime": "2024-05-18T19:24:18.000Z", "endTime": "2024-05-25T20:00:00.000Z", "isExpired": true}])
        };
        let depleted = with(json!("INSTALLED"), expired(0));
        assert_eq!(
            (depleted.kind, depleted.original.as_str()),
            (StatusKind::Depleted, "INSTALLED, data used up")
        );
        assert_eq!(with(json!("INSTALLED"), expired(10)).kind, StatusKind::Expired);
        assert_eq!(with(json!("DELETED"), expired(10)).kind, StatusKind::Inactive);
        assert_eq!(with(Value::Null, json!([])).original, "no plan");
        let unknown = with(json!("SUSPENDED"), ordered()["assignedPlans"].clone());
        assert_eq!(
            (unknown.kind, unknown.original.as_str()),
            (StatusKind::Other, "SUSPENDED, plan not started")
        );
        let unflagged = with(json!("RELEASED"), json!([{"initialQuantityInBytes": 1000}]));
        assert_eq!(unflagged.kind, StatusKind::Other);
        let read = usage(&decode(json!({"iccid": "8937204016163448888", "assignedPlans": []})));
        assert_eq!((read.used, read.remaining, read.total), (None, None, None));
    }

    #[test]
    fn offer_ids_are_plan_ids() {
        assert_eq!(plan_id(" 2604").unwrap(), 2604);
        assert!(matches!(plan_id("US_5GB_30D"), Err(MarketError::Invalid { .. })));
    }
}
