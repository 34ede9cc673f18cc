//! PressOne, with the same catalogue, order lookup and bulk calls as Airalo (its API and types
//! are Airalo's).

pub use pressone_client::*;

pub use crate::airalo_shaped::{AiraloShaped, flat_packages, order_bulk, orders_with_description, usage_bulk};

impl AiraloShaped for Client {
    async fn orders_described(&self, description: &str) -> Result<shapes::OrderListResponse, Error> {
        let listed = self.get_order_list().filter_description(description).include("sims").limit(100);
        Ok(listed.send().await?.into_inner())
    }

    async fn place_order(&self, order: shapes::builder::OrderRequest) -> Result<shapes::Order, Error> {
        Ok(self.submit_order().body(order).send().await?.into_inner().data)
    }

    async fn esim_usage(&self, iccid: String) -> Result<shapes::Usage, Error> {
        Ok(self.get_usage().iccid(iccid).send().await?.into_inner().data)
    }
}
