//! One eSIM interface over every data-eSIM provider we integrate: find offers for a trip,
//! buy one, read its usage, top it up, without writing an adapter per provider.
//!
//! - [`model`]: the provider-neutral [`Offer`], [`Purchase`], [`Esim`] and [`Usage`];
//! - [`EsimProvider`]: the operations, implemented once per provider on top of its generated
//!   client (one module each, a cargo feature each, with the documentation quirks its mapping
//!   resolves written at the top);
//! - [`search`](search::search): offers of several providers at once, ranked by price or price
//!   per GB in one currency, converted only through the providers' own exchange rates.
//!
//! ```no_run
//! # async fn example(airalo: airalo_client::Client, vellosim: vellosim_client::Client) {
//! use esim_market::{EsimProvider, OfferQuery, SearchOptions, search};
//!
//! let airalo = esim_market::Airalo::new(airalo);
//! let vellosim = esim_market::Vellosim::new(vellosim);
//! let query = OfferQuery { country: "DE".parse().ok(), ..OfferQuery::default() };
//! let found = search(&[&airalo, &vellosim], &query, &SearchOptions::default()).await;
//! if let Some(best) = found.ranked.first() {
//!     println!("{} {}: {}", best.offer.provider, best.offer.id, best.price);
//! }
//! # }
//! ```

pub mod model;
mod provider;
pub mod search;

// Every adapter, `src/<provider>.rs`, and `visit_adapters` over them, from specs/.
include!("generated_adapters.rs");

pub use model::{
    ActivationCode, Allowance, CountryCode, Currency, Esim, ExchangeRate, Money, Offer, OfferKind, Purchase, Status,
    StatusKind, Usage,
};
pub use provider::{Adapter, AdapterVisitor, EsimProvider, MarketError, OfferQuery, Setting};
pub use search::{Rank, Ranked, Search, SearchOptions, search};
