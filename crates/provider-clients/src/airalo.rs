//! Airalo: its client, the flat package catalogue, finding an order by its description, and
//! bulk orders and usage lookups. Each listing streams from its builder:
//! `client.get_esims_list().stream(100)`.

pub use airalo_client::*;

pub use crate::airalo_shaped::{AiraloShaped, flat_packages, order_bulk, orders_with_description, usage_bulk};

impl AiraloShaped for Client {
    async fn orders_described(&self, description: &str) -> Result<types::OrderListResponse, Error> {
        let listed = self.get_order_list().filter_description(description).include("sims").limit(100);
        Ok(listed.send().await?.into_inner())
    }

    async fn place_order(&self, order: types::builder::OrderRequest) -> Result<types::Order, Error> {
        Ok(self.submit_order().body(order).send().await?.into_inner().data)
    }

    async fn esim_usage(&self, iccid: String) -> Result<types::Usage, Error> {
        Ok(self.get_usage().sim_iccid(iccid).send().await?.into_inner().data)
    }
}
