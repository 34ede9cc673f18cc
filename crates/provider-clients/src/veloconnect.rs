//! VeloConnect (VeloeSIM wholesale), with streams over its limit/offset listings.

use futures::Stream;
pub use veloconnect_client::*;

use crate::paginate::{self, Offset, Page, Total};

fn page<T>(count: Option<i64>, rows: Vec<T>) -> Page<T> {
    Page {
        items: rows,
        total: Total::reported(None, count),
    }
}

/// Every plan, `per_page` at a time until `count`; `configure` adds the area filters.
pub fn plans<'a, F>(
    client: &'a Client,
    per_page: u64,
    configure: F,
) -> impl Stream<Item = Result<types::Plan, Error>> + 'a
where
    F: Fn(builder::GetAllPlans<'a>) -> builder::GetAllPlans<'a> + 'a,
{
    paginate::items(Offset::first(per_page), move |cursor| {
        let (offset, limit) = cursor.query();
        let request = configure(client.get_all_plans().offset(offset).limit(limit));
        async move {
            let response = request.send().await?.into_inner();
            Ok(page(response.count, response.rows))
        }
    })
}

/// Every eSIM of the organization, `per_page` at a time until `count`.
pub fn esims(client: &Client, per_page: u64) -> impl Stream<Item = Result<types::Esim, Error>> + '_ {
    paginate::items(Offset::first(per_page), move |cursor| async move {
        let (offset, limit) = cursor.query();
        let response = client
            .get_all_esims()
            .offset(offset)
            .limit(limit)
            .send()
            .await?
            .into_inner();
        Ok(page(response.count, response.rows))
    })
}

/// Every top-up plan available for the eSIM `iccid`, `per_page` at a time until `count`.
pub fn top_up_plans<'a>(
    client: &'a Client,
    iccid: &'a str,
    per_page: u64,
) -> impl Stream<Item = Result<types::Plan, Error>> + 'a {
    paginate::items(Offset::first(per_page), move |cursor| async move {
        let (offset, limit) = cursor.query();
        let response = client
            .get_esim_top_up_plans()
            .iccid(iccid)
            .offset(offset)
            .limit(limit)
            .send()
            .await?
            .into_inner();
        Ok(page(response.count, response.rows))
    })
}
