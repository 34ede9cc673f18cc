//! Airalo's Partner API as an [`EsimProvider`](crate::EsimProvider); the mapping and its
//! quirks are in `airalo_shaped.rs`, shared with PressOne.

use crate::airalo_shaped::{self, airalo_shaped};
use crate::model::ExchangeRate;
use crate::provider::MarketError;

/// An [`airalo_client::Client`] as an [`EsimProvider`](crate::EsimProvider).
#[derive(Clone, Debug)]
pub struct Airalo(airalo_client::Client);

impl Airalo {
    pub fn new(client: airalo_client::Client) -> Self {
        Self(client)
    }

    pub fn client(&self) -> &airalo_client::Client {
        &self.0
    }

    /// Today's USD rates (`getExchangeRates`, which Airalo enables per account).
    async fn rates(&self) -> Result<Vec<ExchangeRate>, MarketError> {
        let provider = airalo_client::PROVIDER.name;
        let rates = airalo_shaped::answer(provider, self.0.get_exchange_rates().send())
            .await?
            .data;
        Ok(airalo_shaped::exchange_rates(provider, rates))
    }
}

airalo_shaped!(
    Airalo,
    airalo_client::PROVIDER,
    sim_iccid,
    iccid,
    exchange_rates = Airalo::rates
);
