//! What Airalo-shaped APIs (Airalo, and PressOne, which mirrors it with Airalo's own types)
//! share beyond their generated clients: the flat package catalogue, finding an order by its
//! description, and bulk orders and usage lookups, written once over [`AiraloShaped`], which
//! each client implements in its module (`airalo.rs`, `pressone.rs`).

use std::collections::BTreeMap;
use std::future::Future;

use airalo_client::types::{Country, Order, OrderListResponse, Usage, builder::OrderRequest};
use airalo_client::{Error, FlatPackage};
use futures::{Stream, TryStreamExt};

/// The calls of an Airalo-shaped client that the helpers make: the same operations and types
/// under each provider's host (and PressOne's `Error` is Airalo's).
pub trait AiraloShaped: Sync {
    /// `getOrderList` filtered by `description` (a like-match), with the SIMs, 100 at most.
    fn orders_described(&self, description: &str) -> impl Future<Output = Result<OrderListResponse, Error>> + Send;

    /// `submitOrder`, sent once.
    fn place_order(&self, order: OrderRequest) -> impl Future<Output = Result<Order, Error>> + Send;

    /// `getUsage` of the eSIM `iccid`.
    fn esim_usage(&self, iccid: String) -> impl Future<Output = Result<Usage, Error>> + Send;
}

/// One row per package (with its country and operator) of a catalogue listing:
/// `flat_packages(client.get_packages().filter_country("TR").stream(100), true)`.
/// `sim_only` drops top-ups, like the SDKs' `getSimPackages`.
pub fn flat_packages<E>(
    countries: impl Stream<Item = Result<Country, E>>,
    sim_only: bool,
) -> impl Stream<Item = Result<FlatPackage, E>> {
    countries
        .map_ok(|country| futures::stream::iter(country.flat().into_iter().map(Ok)))
        .try_flatten()
        .try_filter(move |row| futures::future::ready(!sim_only || row.package.is_sim()))
}

/// The orders placed with exactly this `description`. After an order whose outcome is
/// unknown (`Error::is_outcome_unknown`), this says whether it was placed: give every order a
/// unique description (a booking reference) so the answer is unambiguous.
pub async fn orders_with_description(client: &impl AiraloShaped, description: &str) -> Result<Vec<Order>, Error> {
    Ok(client
        .orders_described(description)
        .await?
        .described_exactly(description))
}

/// Orders several packages at once: `quantities` maps a package id to how many eSIMs. At most
/// `concurrency` orders are in flight; each package gets its own result. Every order is sent
/// once: a failed one is reported, never retried, so nothing is bought twice.
pub async fn order_bulk(
    client: &impl AiraloShaped,
    quantities: &BTreeMap<String, u32>,
    description: Option<&str>,
    concurrency: usize,
) -> BTreeMap<String, Result<Order, Error>> {
    crate::bulk::run(quantities.keys().cloned(), concurrency, |package_id| {
        let quantity = quantities[&package_id];
        let order = airalo_client::types::OrderRequest::builder()
            .package_id(package_id)
            .quantity(i64::from(quantity))
            .description(description.map(str::to_owned));
        client.place_order(order)
    })
    .await
}

/// Usage of several eSIMs, at most `concurrency` lookups in flight, keyed by ICCID.
pub async fn usage_bulk<I, S>(
    client: &impl AiraloShaped,
    iccids: I,
    concurrency: usize,
) -> BTreeMap<String, Result<Usage, Error>>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    crate::bulk::run(iccids.into_iter().map(Into::into), concurrency, |iccid| {
        client.esim_usage(iccid)
    })
    .await
}
