//! Lazily paged listings as a `Stream` of items.
//!
//! A provider's pagination is described by a [`Cursor`]: how to ask for the first page and
//! how to move on once a page has told us its size and the total. Page/limit APIs that
//! report a page count (Vellosim's `totalPages`, Airalo's `meta.last_page`) and limit/offset
//! APIs that report an item count (VeloConnect's `{count, rows}`) are the two cursors here;
//! [`items`] is the one stream they share.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

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

/// One fetched page: its items and what it says about the total.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Total,
}

/// Where the next request starts.
pub trait Cursor: Copy {
    /// The cursor after a page of `len` items whose answer said `total`; `None` at the end.
    fn next(self, len: usize, total: Total) -> Option<Self>;
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
    futures::stream::unfold(state, |mut state| async move {
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
    fn offsets_stop_at_the_count() {
        let c = Offset::first(50);
        assert_eq!(c.next(50, Total::Items(120)), Some(Offset { offset: 50, limit: 50 }));
        assert_eq!(Offset { offset: 100, limit: 50 }.next(20, Total::Items(120)), None);
        assert_eq!(c.next(0, Total::Items(120)), None);
        assert_eq!(c.next(50, Total::Unknown).map(|c| c.offset), Some(50));
    }
}
