//! Vellosim, with a stream over `my-esims`.

use futures::Stream;
pub use vellosim_client::*;

use crate::paginate::{self, Page, PageNumber, Total};

/// Every eSIM of the account, `per_page` at a time (Vellosim allows at most 100), fetched
/// lazily until `totalPages`. A failed page is yielded as an error and ends the stream.
pub fn my_esims(client: &Client, per_page: u64) -> impl Stream<Item = Result<types::Esim, Error>> + '_ {
    paginate::items(PageNumber::first(per_page), move |cursor| async move {
        let page = client
            .get_my_esims()
            .page(cursor.page as i64)
            .limit(cursor.limit as i64)
            .send()
            .await?
            .into_inner();
        let total = match (page.total_pages, page.total) {
            (Some(pages), _) => Total::Pages(pages.max(0) as u64),
            (None, Some(items)) => Total::Items(items.max(0) as u64),
            (None, None) => Total::Unknown,
        };
        Ok(Page {
            items: page.esims,
            total,
        })
    })
}
