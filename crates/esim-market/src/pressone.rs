//! PressOne's data eSIMs as an [`EsimProvider`](crate::EsimProvider): Airalo's API and types
//! under PressOne's host (mapping in `airalo_shaped.rs`). PressOne publishes no exchange-rate
//! endpoint, so its prices are compared only in their own currency.

use crate::airalo_shaped::airalo_shaped;

/// A [`pressone_client::Client`] as an [`EsimProvider`](crate::EsimProvider).
#[derive(Clone, Debug)]
pub struct PressOne(pressone_client::Client);

impl PressOne {
    pub fn new(client: pressone_client::Client) -> Self {
        Self(client)
    }

    pub fn client(&self) -> &pressone_client::Client {
        &self.0
    }
}

airalo_shaped!(PressOne, pressone_client::PROVIDER, iccid, iccid);
