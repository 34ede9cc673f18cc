//! `--all`: walks every page of a listing declared in its spec (`x-pagination`, the client
//! crate's `LISTINGS` table) with the shared cursor arithmetic
//! (`provider_clients::paginate`), showing progress on stderr, and prints the items as one
//! list. Each page is the user's own subcommand, parsed again with the page's position.

use std::future::Future;

use anyhow::Context as _;
use clap::{ArgMatches, Command, parser::ValueSource};
use indicatif::{ProgressBar, ProgressStyle};
use provider_clients::paginate::{Cursor, Listing, Offset, PageNumber, Style, Total};
use serde_json::Value;

use crate::output::Output;

/// Fetches every page of `listing` (`fetch` gets the subcommand's arguments for one page and
/// returns its response as JSON) and prints the items as one list.
pub async fn walk<F, Fut>(listing: &Listing, out: &Output, per_page: u64, fetch: F) -> anyhow::Result<()>
where
    F: FnMut(Position) -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    match listing.style {
        Style::PageNumber => {
            drive(
                listing,
                out,
                PageNumber::first(per_page),
                "page",
                PageNumber::query,
                fetch,
            )
            .await
        }
        Style::Offset => drive(listing, out, Offset::first(per_page), "offset", Offset::query, fetch).await,
    }
}

/// Where one page starts: the query parameter (`page` or `offset`), its value and `limit`.
#[derive(Clone, Copy, Debug)]
pub struct Position {
    pub parameter: &'static str,
    pub at: i64,
    pub limit: i64,
}

impl Position {
    /// The subcommand's arguments as the user gave them, with this page's position instead
    /// of theirs.
    pub fn apply(self, command: &Command, given: &ArgMatches) -> anyhow::Result<ArgMatches> {
        let mut args = vec![command.get_name().to_owned()];
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let (Some(long), Some(ValueSource::CommandLine)) = (arg.get_long(), given.value_source(id)) else {
                continue;
            };
            if [self.parameter, "limit"].contains(&long) {
                continue;
            }
            for value in given.get_raw(id).into_iter().flatten() {
                args.push(format!("--{long}"));
                args.push(value.to_str().context("a non-UTF-8 argument")?.to_owned());
            }
        }
        args.extend([format!("--{}", self.parameter), self.at.to_string()]);
        args.extend(["--limit".to_owned(), self.limit.to_string()]);
        Ok(command.clone().try_get_matches_from(args)?)
    }
}

async fn drive<C, F, Fut>(
    listing: &Listing,
    out: &Output,
    first: C,
    parameter: &'static str,
    query: fn(C) -> (i64, i64),
    mut fetch: F,
) -> anyhow::Result<()>
where
    C: Cursor,
    F: FnMut(Position) -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
    let mut items = Vec::new();
    let mut pages = 0;
    let mut cursor = Some(first);
    while let Some(position) = cursor {
        let (at, limit) = query(position);
        let page = fetch(Position { parameter, at, limit }).await?;
        let page_items = listing.items_of(&page);
        let total = listing.total_of(&page);
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

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
