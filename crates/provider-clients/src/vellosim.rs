//! Vellosim, with a stream over `my-esims`.

use futures::Stream;
pub use vellosim_client::*;

use crate::paginate::{self, Page, PageNumber, Total};

/// Like [`my_esims`], but after the first page the rest are fetched `concurrency` at a time
/// (items still in page order; at most `concurrency` pages held).
pub fn my_esims_concurrent(
    client: &Client,
    per_page: u64,
    concurrency: usize,
) -> impl Stream<Item = Result<types::Esim, Error>> + '_ {
    paginate::items_concurrent(PageNumber::first(per_page), concurrency, move |cursor| {
        my_esims_page(client, cursor)
    })
}

async fn my_esims_page(client: &Client, cursor: PageNumber) -> Result<Page<types::Esim>, Error> {
    let (page, limit) = cursor.query();
    let page = client.get_my_esims().page(page).limit(limit).send().await?.into_inner();
    Ok(Page {
        total: Total::reported(page.total_pages, page.total),
        items: page.esims,
    })
}

/// Every eSIM of the account, `per_page` at a time (Vellosim allows at most 100), fetched
/// lazily until `totalPages`. A failed page is yielded as an error and ends the stream.
pub fn my_esims(client: &Client, per_page: u64) -> impl Stream<Item = Result<types::Esim, Error>> + '_ {
    paginate::items(PageNumber::first(per_page), move |cursor| my_esims_page(client, cursor))
}
