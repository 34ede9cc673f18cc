//! `--all`: walks every page of a paginated listing with the facade's cursor arithmetic
//! (`provider_clients::paginate`), showing progress on stderr, and prints the items as one
//! list.

use std::future::Future;

use indicatif::{ProgressBar, ProgressStyle};
use provider_clients::paginate::{Cursor, Offset, PageNumber, Total};
use serde_json::Value;

use crate::output::Output;

/// Where a listing's items and total are in its response, and how it pages.
pub struct Listing {
    /// JSON pointer to the page's items.
    items: &'static str,
    total: fn(&Value) -> Total,
    offset: bool,
}

/// The paginated operations (progenitor's operation ids), by provider.
pub fn find(provider: &str, operation_id: &str) -> Option<Listing> {
    let airalo_shaped = Listing {
        items: "/data",
        total: airalo_total,
        offset: false,
    };
    match (provider, operation_id) {
        ("airalo" | "pressone", "get_packages" | "get_order_list" | "get_esims_list") => Some(airalo_shaped),
        ("airalo", "get_future_orders") => Some(airalo_shaped),
        ("vellosim", "get_my_esims") => Some(Listing {
            items: "/esims",
            total: vellosim_total,
            offset: false,
        }),
        ("veloconnect", "get_all_plans" | "get_all_esims" | "get_esim_top_up_plans") => Some(Listing {
            items: "/rows",
            total: veloconnect_total,
            offset: true,
        }),
        _ => None,
    }
}

fn count(value: &Value, pointer: &str) -> Option<i64> {
    value.pointer(pointer).and_then(Value::as_i64)
}

// The same fields the facade's streams read, judged by the same rule (`Total::reported`).
fn airalo_total(page: &Value) -> Total {
    Total::reported(count(page, "/meta/last_page"), None)
}

fn vellosim_total(page: &Value) -> Total {
    Total::reported(count(page, "/totalPages"), count(page, "/total"))
}

fn veloconnect_total(page: &Value) -> Total {
    Total::reported(None, count(page, "/count"))
}

impl Listing {
    /// Calls `fetch` (the generated subcommand) once per page until the listing ends.
    pub async fn walk<F, Fut>(&self, out: &Output, per_page: u64, fetch: F) -> anyhow::Result<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        if self.offset {
            self.drive(out, Offset::first(per_page), Offset::query, fetch).await
        } else {
            self.drive(out, PageNumber::first(per_page), PageNumber::query, fetch)
                .await
        }
    }

    async fn drive<C, F, Fut>(
        &self,
        out: &Output,
        first: C,
        query: fn(C) -> (i64, i64),
        mut fetch: F,
    ) -> anyhow::Result<()>
    where
        C: Cursor,
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let progress = ProgressBar::new_spinner();
        progress.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
        let mut items = Vec::new();
        let mut pages = 0;
        let mut cursor = Some(first);
        while let Some(position) = cursor {
            out.set_cursor(query(position));
            fetch().await?;
            let page = out.take_page().unwrap_or(Value::Null);
            let page_items = match page.pointer(self.items) {
                Some(Value::Array(found)) => found.clone(),
                _ => Vec::new(),
            };
            let total = (self.total)(&page);
            pages += 1;
            cursor = position.next(page_items.len(), total);
            items.extend(page_items);
            progress.set_message(match total {
                Total::Pages(n) => format!("page {pages} of {n}, {} items", items.len()),
                Total::Items(n) => format!("{} of {n} items, {pages} pages", items.len()),
                Total::Unknown => format!("{} items, {pages} pages", items.len()),
            });
            progress.tick();
        }
        progress.finish_and_clear();
        eprintln!("{} in {}", plural(items.len(), "item"), plural(pages, "page"));
        out.print(&Value::Array(items));
        Ok(())
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
