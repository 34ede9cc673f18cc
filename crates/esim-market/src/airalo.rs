//! Airalo's Partner API as an [`EsimProvider`](crate::EsimProvider); the mapping and its
//! quirks are in `airalo_shaped.rs`, shared with PressOne.

use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use airalo_client::types::{self, Country, TopupPackage};
use airalo_client::{Client, PROVIDER};

use crate::airalo_shaped::{AiraloShaped, Calls, answer};
use crate::model::ExchangeRate;
use crate::provider::MarketError;

/// An [`airalo_client::Client`] as an [`EsimProvider`](crate::EsimProvider).
pub type Airalo = AiraloShaped<Client>;

impl crate::Adapter for Airalo {
    type Client = Client;

    fn adapt(client: Client, _settings: &[String]) -> Result<Self, MarketError> {
        Ok(Self::new(client))
    }
}

impl Calls for Client {
    const PROVIDER: &'static str = PROVIDER.name;

    fn packages(&self, country: Option<String>, topups: bool) -> BoxStream<'_, Result<Country, MarketError>> {
        let mut listing = self.get_packages();
        if let Some(country) = country {
            listing = listing.filter_country(country);
        }
        if topups {
            listing = listing.include("topup");
        }
        listing.stream(100).map_err(|e| MarketError::provider(Self::PROVIDER, e)).boxed()
    }

    fn order(&self, order: types::builder::OrderRequest) -> BoxFuture<'_, Result<types::Order, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.submit_order().body(order).send()).await?.data) })
    }

    fn sim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<types::Sim, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.get_esim().sim_iccid(iccid).send()).await?.data) })
    }

    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<types::Usage, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.get_usage().sim_iccid(iccid).send()).await?.data) })
    }

    fn topup_packages<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<TopupPackage>, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.get_topup_packages().iccid(iccid).send()).await?.data) })
    }

    fn topup(&self, order: types::builder::TopupOrderRequest) -> BoxFuture<'_, Result<types::Order, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.submit_topup_order().body(order).send()).await?.data) })
    }

    fn orders<'a>(&'a self, description: &'a str) -> BoxFuture<'a, Result<types::OrderListResponse, MarketError>> {
        let listed = self.get_order_list().filter_description(description).include("sims").limit(100);
        Box::pin(answer(Self::PROVIDER, listed.send()))
    }

    /// Today's USD rates (`getExchangeRates`, which Airalo enables per account).
    fn rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        Box::pin(async move {
            let rates = answer(Self::PROVIDER, self.get_exchange_rates().send()).await?.data;
            Ok(exchange_rates(Self::PROVIDER, rates))
        })
    }
}

/// Airalo's rates are from USD; a rate without both codes or with a non-decimal `mid` is
/// skipped (it converts nothing), not an error of the whole answer.
fn exchange_rates(provider: &'static str, rates: types::ExchangeRates) -> Vec<ExchangeRate> {
    rates
        .rates
        .into_iter()
        .filter_map(|r| {
            Some(ExchangeRate {
                from: r.from.as_deref().unwrap_or("USD").parse().ok()?,
                to: r.to.as_deref()?.parse().ok()?,
                rate: r.mid.as_deref()?.trim().parse().ok()?,
                source: provider,
            })
        })
        .collect()
}
