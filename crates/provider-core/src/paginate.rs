//! Pagination, declared once per listing in its spec (`x-pagination`) and generated from
//! there: each listing's builder gets `.stream(page_size)` and
//! `.stream_concurrent(page_size, in_flight)` over [`items`] and [`items_concurrent`], its
//! response type implements [`Paged`], and each client crate lists its listings in a
//! `LISTINGS` table of [`Listing`]s (what `esim --all` walks).
//!
//! A provider's pagination is a [`Cursor`]: how to ask for the first page and how to move on
//! once a page has told us its size and the total. Page/limit APIs that report a page count
//! (Vellosim's `totalPages`, Airalo's `meta.last_page`) and limit/offset APIs that report an
//! item count (VeloConnect's `{count, rows}`) are the two cursors here.

use std::collections::VecDeque;
use std::future::Future;

pub use futures_util::Stream;
use serde_json::Value;

/// What a page says about the whole listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    /// The number of pages (`totalPages`, `last_page`).
    Pages(u64),
    /// The number of items (`count`, `total`).
    Items(u64),
    /// Nothing: stop at the first short or empty page.
    Unknown,
}

impl Total {
    /// From what a page reports: a page count wins over an item count, a negative one
    /// counts as zero, and neither means unknown.
    pub fn reported(pages: Option<i64>, items: Option<i64>) -> Total {
        match (pages, items) {
            (Some(pages), _) => Total::Pages(pages.max(0) as u64),
            (None, Some(items)) => Total::Items(items.max(0) as u64),
            (None, None) => Total::Unknown,
        }
    }
}

/// One fetched page: its items and what it says about the total.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Total,
}

/// A response that is one page of a listing. Generated for each `x-pagination` response.
pub trait Paged {
    type Item;

    /// The page's items and what it says about the total.
    fn into_page(self) -> Page<Self::Item>;
}

/// How a listing is paged: the query parameters its requests take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `page` (from 1) and `limit`: [`PageNumber`].
    PageNumber,
    /// `offset` (from 0) and `limit`: [`Offset`].
    Offset,
}

/// One paginated operation as its spec's `x-pagination` declares it, for code that reads
/// responses as JSON (the `esim` CLI). Each client crate generates a `LISTINGS` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    /// progenitor's method name (`get_my_esims`), as in `OperationInfo::operation_id`.
    pub operation: &'static str,
    pub style: Style,
    /// JSON pointer to the page's items (`/esims`).
    pub items: &'static str,
    /// JSON pointer to the number of pages, if the page says it (`/totalPages`).
    pub total_pages: Option<&'static str>,
    /// JSON pointer to the number of items, if the page says it (`/total`).
    pub total_items: Option<&'static str>,
}

impl Listing {
    /// The entry for `operation` in a generated `LISTINGS` table.
    pub fn find(listings: &'static [Listing], operation: &str) -> Option<&'static Listing> {
        listings.iter().find(|l| l.operation == operation)
    }

    /// The items of a page decoded as JSON: an array, or an object keyed by position (Airalo
    /// sends later catalogue pages so); none when the pointer finds neither.
    pub fn items_of(&self, page: &Value) -> Vec<Value> {
        match page.pointer(self.items) {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Object(by_position)) => {
                let mut entries: Vec<(&String, &Value)> = by_position.iter().collect();
                entries.sort_by_key(|(key, _)| key.parse::<u64>().unwrap_or(u64::MAX));
                entries.into_iter().map(|(_, item)| item.clone()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// What a page decoded as JSON says about the total, by the rule of [`Total::reported`].
    pub fn total_of(&self, page: &Value) -> Total {
        let count = |pointer: Option<&str>| pointer.and_then(|p| page.pointer(p)).and_then(Value::as_i64);
        Total::reported(count(self.total_pages), count(self.total_items))
    }
}

/// Where the next request starts.
pub trait Cursor: Copy {
    /// The cursor after a page of `len` items whose answer said `total`; `None` at the end.
    fn next(self, len: usize, total: Total) -> Option<Self>;

    /// Every cursor after this first page, when `total` makes them known up front.
    fn rest(self, len: usize, total: Total) -> Option<Vec<Self>>;
}

/// `page` (from 1) and `limit` items per page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageNumber {
    pub page: u64,
    pub limit: u64,
}

impl PageNumber {
    pub fn first(limit: u64) -> Self {
        Self { page: 1, limit }
    }

    /// `(page, limit)` as the generated builders take them.
    pub fn query(self) -> (i64, i64) {
        (saturating_i64(self.page), saturating_i64(self.limit))
    }
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Cursor for PageNumber {
    fn next(self, len: usize, total: Total) -> Option<Self> {
        let more = match total {
            Total::Pages(pages) => self.page < pages,
            Total::Items(items) => self.page.saturating_mul(self.limit) < items,
            Total::Unknown => len as u64 >= self.limit,
        };
        // An empty page ends the listing whatever the total claims: no endless loops.
        (more && len > 0).then_some(Self {
            page: self.page + 1,
            ..self
        })
    }

    fn rest(self, len: usize, total: Total) -> Option<Vec<Self>> {
        let last = match total {
            Total::Pages(pages) => pages,
            Total::Items(items) if self.limit > 0 => items.div_ceil(self.limit),
            _ => return None,
        };
        let last = if len == 0 { self.page } else { last };
        Some(((self.page + 1)..=last).map(|page| Self { page, ..self }).collect())
    }
}

/// `offset` (from 0) and `limit` items per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offset {
    pub offset: u64,
    pub limit: u64,
}

impl Offset {
    pub fn first(limit: u64) -> Self {
        Self { offset: 0, limit }
    }

    /// `(offset, limit)` as the generated builders take them.
    pub fn query(self) -> (i64, i64) {
        (saturating_i64(self.offset), saturating_i64(self.limit))
    }
}

impl Cursor for Offset {
    fn next(self, len: usize, total: Total) -> Option<Self> {
        let offset = self.offset + len as u64;
        let more = match total {
            Total::Items(items) => offset < items,
            Total::Pages(pages) => self.limit > 0 && offset / self.limit < pages,
            Total::Unknown => len as u64 >= self.limit,
        };
        (more && len > 0).then_some(Self { offset, ..self })
    }

    fn rest(self, len: usize, total: Total) -> Option<Vec<Self>> {
        let (Total::Items(items), true) = (total, self.limit > 0) else {
            return None;
        };
        if len == 0 {
            return Some(Vec::new());
        }
        let starts = (self.offset + self.limit..items).step_by(self.limit as usize);
        Some(starts.map(|offset| Self { offset, ..self }).collect())
    }
}

/// Every item of a listing, fetching a page only when the previous one is used up, so at
/// most one page is held. A failed fetch is yielded as an `Err` item and ends the stream.
pub fn items<C, T, E, F, Fut>(first: C, fetch: F) -> impl Stream<Item = Result<T, E>>
where
    C: Cursor,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    struct State<C, T, F> {
        next: Option<C>,
        buffered: VecDeque<T>,
        fetch: F,
    }
    let state = State {
        next: Some(first),
        buffered: VecDeque::new(),
        fetch,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffered.pop_front() {
                return Some((Ok(item), state));
            }
            let cursor = state.next.take()?;
            match (state.fetch)(cursor).await {
                Ok(page) => {
                    state.next = cursor.next(page.items.len(), page.total);
                    state.buffered = page.items.into();
                }
                Err(err) => return Some((Err(err), state)),
            }
        }
    })
}

/// Like [`items`], but once the first page has told the total, the remaining pages are
/// fetched `concurrency` at a time. Items still come in page order, and at most
/// `concurrency` pages are held (in flight or waiting their turn). Without a known total it
/// falls back to fetching page after page. A failed page is yielded as an error and ends
/// the stream.
pub fn items_concurrent<'a, C, T, E, F, Fut>(
    first: C,
    concurrency: usize,
    fetch: F,
) -> impl Stream<Item = Result<T, E>> + 'a
where
    C: Cursor + 'a,
    T: 'a,
    E: 'a,
    F: Fn(C) -> Fut + Clone + 'a,
    Fut: Future<Output = Result<Page<T>, E>> + 'a,
{
    use futures_util::{StreamExt, TryStreamExt, stream};

    let first_page = fetch(first);
    stream::once(first_page)
        .map_ok(move |page| {
            let len = page.items.len();
            let head = stream::iter(page.items.into_iter().map(Ok));
            let tail = match first.rest(len, page.total) {
                Some(cursors) => stream::iter(cursors)
                    .map(fetch.clone())
                    .buffered(concurrency.max(1))
                    .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
                    .try_flatten()
                    .boxed_local(),
                None => match first.next(len, page.total) {
                    Some(next) => items(next, fetch.clone()).boxed_local(),
                    None => stream::empty().boxed_local(),
                },
            };
            head.chain(tail)
        })
        .try_flatten()
        .scan(false, |failed, item| {
            let stop = std::mem::replace(failed, item.is_err());
            futures_util::future::ready((!stop).then_some(item))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_stop_at_the_total() {
        let c = PageNumber::first(10);
        assert_eq!(c.next(10, Total::Pages(3)), Some(PageNumber { page: 2, limit: 10 }));
        assert_eq!(PageNumber { page: 3, limit: 10 }.next(10, Total::Pages(3)), None);
        assert_eq!(c.next(10, Total::Items(10)), None);
        assert_eq!(c.next(10, Total::Items(11)).map(|c| c.page), Some(2));
        assert_eq!(c.next(10, Total::Unknown).map(|c| c.page), Some(2));
        assert_eq!(c.next(9, Total::Unknown), None);
        assert_eq!(c.next(0, Total::Pages(99)), None, "an empty page ends the listing");
    }

    #[test]
    fn the_rest_is_known_from_the_total() {
        let pages = |c: Option<Vec<PageNumber>>| c.map(|v| v.iter().map(|c| c.page).collect::<Vec<_>>());
        assert_eq!(pages(PageNumber::first(10).rest(10, Total::Pages(3))), Some(vec![2, 3]));
        assert_eq!(
            pages(PageNumber::first(10).rest(10, Total::Items(25))),
            Some(vec![2, 3])
        );
        assert_eq!(pages(PageNumber::first(10).rest(10, Total::Unknown)), None);
        assert_eq!(pages(PageNumber::first(10).rest(0, Total::Pages(3))), Some(vec![]));
        let offsets = Offset::first(50).rest(50, Total::Items(120)).unwrap();
        assert_eq!(offsets.iter().map(|c| c.offset).collect::<Vec<_>>(), [50, 100]);
    }

    #[tokio::test]
    async fn concurrent_pages_arrive_in_order_with_bounded_fetches_in_flight() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;

        use futures_util::TryStreamExt;

        let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let fetch = {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            move |cursor: PageNumber| {
                let (in_flight, peak) = (in_flight.clone(), peak.clone());
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // Later pages answer faster: order must still hold.
                    tokio::time::sleep(Duration::from_millis(30 - cursor.page)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    let first = (cursor.page - 1) * cursor.limit;
                    Ok::<_, String>(Page {
                        items: (first..first + cursor.limit).collect(),
                        total: Total::Pages(20),
                    })
                }
            }
        };
        let all: Vec<u64> = items_concurrent(PageNumber::first(5), 4, fetch)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_failed_page_ends_the_concurrent_stream() {
        use futures_util::StreamExt;

        let fetch = |cursor: PageNumber| async move {
            if cursor.page == 3 {
                return Err(format!("page {} failed", cursor.page));
            }
            Ok(Page {
                items: vec![cursor.page],
                total: Total::Pages(5),
            })
        };
        let results: Vec<Result<u64, String>> = items_concurrent(PageNumber::first(1), 2, fetch).collect().await;
        assert_eq!(results, vec![Ok(1), Ok(2), Err("page 3 failed".to_owned())]);
    }

    #[test]
    fn offsets_stop_at_the_count() {
        let c = Offset::first(50);
        assert_eq!(c.next(50, Total::Items(120)), Some(Offset { offset: 50, limit: 50 }));
        assert_eq!(Offset { offset: 100, limit: 50 }.next(20, Total::Items(120)), None);
        assert_eq!(c.next(0, Total::Items(120)), None);
        assert_eq!(c.next(50, Total::Unknown).map(|c| c.offset), Some(50));
    }

    #[test]
    fn a_listing_reads_items_and_totals_from_json_pages() {
        let airalo = Listing {
            operation: "get_packages",
            style: Style::PageNumber,
            items: "/data",
            total_pages: Some("/meta/last_page"),
            total_items: None,
        };
        let page = serde_json::json!({"data": {"10": "c", "2": "b", "1": "a"}, "meta": {"last_page": 3}});
        assert_eq!(airalo.items_of(&page), ["a", "b", "c"]);
        assert_eq!(airalo.total_of(&page), Total::Pages(3));
        let veloconnect = Listing {
            operation: "get_all_plans",
            style: Style::Offset,
            items: "/rows",
            total_pages: None,
            total_items: Some("/count"),
        };
        let page = serde_json::json!({"rows": [1, 2], "count": 7});
        assert_eq!(veloconnect.items_of(&page).len(), 2);
        assert_eq!(veloconnect.total_of(&page), Total::Items(7));
        assert_eq!(veloconnect.total_of(&serde_json::json!({"rows": []})), Total::Unknown);
        assert!(Listing::find(&[], "get_all_plans").is_none());
    }
}
