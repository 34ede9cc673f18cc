//! Airalo, with streams over its paginated listings (packages, orders, eSIMs, future
//! orders), the flat package catalogue, and bulk orders and usage lookups.

pub use airalo_client::*;

pub use crate::airalo_shaped::PackageQuery;

crate::airalo_shaped::airalo_shaped!(sim_iccid);

/// Every future order still to be processed, `per_page` at a time; `configure` sets
/// `status` and the due-date window.
pub fn future_orders<'a, F>(
    client: &'a Client,
    per_page: u64,
    configure: F,
) -> impl ::futures::Stream<Item = Result<types::FutureOrder, Error>> + 'a
where
    F: Fn(builder::GetFutureOrders<'a>) -> builder::GetFutureOrders<'a> + 'a,
{
    crate::paginate::items(crate::paginate::PageNumber::first(per_page), move |cursor| {
        let (page, limit) = cursor.query();
        let request = configure(client.get_future_orders().page(page).limit(limit));
        async move {
            let response = request.send().await?.into_inner();
            Ok(crate::paginate::Page {
                total: crate::airalo_shaped::total(response.meta.as_ref()),
                items: response.data,
            })
        }
    })
}
