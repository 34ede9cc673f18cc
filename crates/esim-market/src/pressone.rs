//! PressOne's data eSIMs as an [`EsimProvider`](crate::EsimProvider): Airalo's API and types
//! under PressOne's host (mapping in `airalo_shaped.rs`). PressOne publishes no exchange-rate
//! endpoint, so its prices are compared only in their own currency.

use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use airalo_client::types::{self, Country, TopupPackage};
use pressone_client::{Client, PROVIDER};

use crate::airalo_shaped::{AiraloShaped, Calls, answer};
use crate::provider::MarketError;

/// A [`pressone_client::Client`] as an [`EsimProvider`](crate::EsimProvider).
pub type PressOne = AiraloShaped<Client>;

impl crate::Adapter for PressOne {
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
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.get_esim().iccid(iccid).send()).await?.data) })
    }

    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<types::Usage, MarketError>> {
        Box::pin(async move { Ok(answer(Self::PROVIDER, self.get_usage().iccid(iccid).send()).await?.data) })
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
}
