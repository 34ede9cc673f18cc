//! What Airalo-shaped APIs (Airalo, and PressOne, which mirrors it with Airalo's own types)
//! share beyond their generated clients: the flat package catalogue, finding an order by its
//! description, and bulk orders and usage lookups, written once and instantiated per client
//! by [`airalo_shaped!`].

use airalo_client::FlatPackage;
use airalo_client::types::Country;
use futures::{Stream, TryStreamExt};

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

/// Finding an order by description and the bulk calls, for a generated client whose
/// operations and types are Airalo's. Expands inside a module that has `Client` and `Error` of
/// that client in scope; `$iccid` names the builder method of the usage call's
/// ICCID path parameter (`sim_iccid` at Airalo, `iccid` at PressOne).
macro_rules! airalo_shaped {
    ($iccid:ident) => {
        /// The orders placed with exactly this `description`. After an order whose outcome is
        /// unknown (`Error::is_outcome_unknown`), this says whether it was placed: give every
        /// order a unique description (a booking reference) so the answer is unambiguous.
        pub async fn orders_with_description(
            client: &Client,
            description: &str,
        ) -> Result<Vec<::airalo_client::types::Order>, Error> {
            Ok(client
                .get_order_list()
                .filter_description(description)
                .include("sims")
                .limit(100)
                .send()
                .await?
                .into_inner()
                .described_exactly(description))
        }

        /// Orders several packages at once: `quantities` maps a package id to how many eSIMs.
        /// At most `concurrency` orders are in flight; each package gets its own result. Every
        /// order is sent once: a failed one is reported, never retried, so nothing is bought twice.
        pub async fn order_bulk(
            client: &Client,
            quantities: &::std::collections::BTreeMap<String, u32>,
            description: Option<&str>,
            concurrency: usize,
        ) -> ::std::collections::BTreeMap<String, Result<::airalo_client::types::Order, Error>> {
            $crate::bulk::run(quantities.keys().cloned(), concurrency, |package_id| {
                let quantity = quantities[&package_id];
                let body = ::airalo_client::types::OrderRequest::builder()
                    .package_id(package_id)
                    .quantity(i64::from(quantity))
                    .description(description.map(str::to_owned));
                async move { Ok(client.submit_order().body(body).send().await?.into_inner().data) }
            })
            .await
        }

        /// Usage of several eSIMs, at most `concurrency` lookups in flight, keyed by ICCID.
        pub async fn usage_bulk<I, S>(
            client: &Client,
            iccids: I,
            concurrency: usize,
        ) -> ::std::collections::BTreeMap<String, Result<::airalo_client::types::Usage, Error>>
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            $crate::bulk::run(
                iccids.into_iter().map(Into::into),
                concurrency,
                |iccid| async move { Ok(client.get_usage().$iccid(iccid).send().await?.into_inner().data) },
            )
            .await
        }
    };
}

pub(crate) use airalo_shaped;
