//! Offers from several providers at once, in one ranking. Prices are compared in one currency,
//! converted only through a rate some provider's own exchange-rate endpoint gave; an offer
//! whose currency no rate reaches is listed apart, never guessed.

use std::cmp::Ordering;

use futures::{StreamExt, TryStreamExt};

use crate::model::{Currency, ExchangeRate, Money, Offer, per_gb};
use crate::provider::{EsimProvider, MarketError, OfferQuery};

/// How to compare offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rank {
    /// Cheapest per GB first; unlimited offers (no per-GB price) after, by price.
    #[default]
    PricePerGb,
    /// Cheapest first.
    Price,
}

#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// The currency prices are compared in.
    pub currency: Currency,
    pub rank: Rank,
    /// At most this many providers are asked at once.
    pub concurrency: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            currency: Currency::USD,
            rank: Rank::default(),
            concurrency: 4,
        }
    }
}

/// An offer with its price in the search's currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub offer: Offer,
    /// The offer's price in the search's currency.
    pub price: Money,
    pub price_per_gb: Option<Money>,
    /// The rate the price was converted with; `None` when the offer is priced in the
    /// search's currency already.
    pub converted_by: Option<ExchangeRate>,
}

/// What a cross-provider search found.
#[derive(Debug, Default)]
pub struct Search {
    /// Comparable offers, best first.
    pub ranked: Vec<Ranked>,
    /// Offers in a currency no provider's rate converts: shown apart, in the provider's price.
    pub unconverted: Vec<Offer>,
    /// Each provider that failed (once, however many of its calls failed), beside the
    /// others' results.
    pub failures: Vec<MarketError>,
    /// Every rate the providers gave (whether or not one was needed).
    pub rates: Vec<ExchangeRate>,
}

/// Asks every provider for offers matching `query` (at most `options.concurrency` at once)
/// and ranks them together. One provider failing is reported in [`Search::failures`] and
/// hides nothing else; a provider without an exchange-rate endpoint is not a failure.
pub async fn search(providers: &[&dyn EsimProvider], query: &OfferQuery, options: &SearchOptions) -> Search {
    let answers: Vec<_> = futures::stream::iter(providers.iter().copied())
        .map(|provider| async move {
            let offers = provider.offers(query).try_collect::<Vec<_>>();
            let (offers, rates) = futures::join!(offers, provider.exchange_rates());
            (offers, rates)
        })
        .buffered(options.concurrency.max(1))
        .collect()
        .await;

    let mut search = Search::default();
    let mut offers = Vec::new();
    for (found, rates) in answers {
        // One failure per provider: a failed rate request matters only beside offers it
        // could have converted (a provider that is down fails both; the listing says it).
        match (found, rates) {
            (Err(error), rates) => {
                search.failures.push(error);
                search.rates.extend(rates.unwrap_or_default());
            }
            (Ok(found), Ok(rates)) => {
                offers.extend(found);
                search.rates.extend(rates);
            }
            (Ok(found), Err(MarketError::Unsupported { .. })) => offers.extend(found),
            (Ok(found), Err(error)) => {
                offers.extend(found);
                search.failures.push(error);
            }
        }
    }
    for offer in offers {
        match convert(offer.price, options.currency, offer.provider, &search.rates) {
            Some((price, converted_by)) => search.ranked.push(Ranked {
                price_per_gb: per_gb(price, &offer.data),
                price,
                converted_by,
                offer,
            }),
            None => search.unconverted.push(offer),
        }
    }
    let rank = options.rank;
    search.ranked.sort_by(|a, b| compare(rank, a, b));
    search
}

/// `price` in `to`: as is, or through a rate between the two currencies (either direction),
/// the offer's own provider's rate first.
pub fn convert(
    price: Money,
    to: Currency,
    provider: &str,
    rates: &[ExchangeRate],
) -> Option<(Money, Option<ExchangeRate>)> {
    if price.currency == to {
        return Some((price, None));
    }
    let mut usable: Vec<&ExchangeRate> = rates
        .iter()
        .filter(|r| !r.rate.is_zero() && r.rate.is_sign_positive())
        .filter(|r| (r.from == price.currency && r.to == to) || (r.from == to && r.to == price.currency))
        .collect();
    usable.sort_by_key(|r| r.source != provider);
    let rate = *usable.first()?;
    let amount = if rate.from == price.currency {
        price.amount.checked_mul(rate.rate)?
    } else {
        price.amount.checked_div(rate.rate)?
    };
    Some((Money { amount, currency: to }, Some(rate.clone())))
}

fn compare(rank: Rank, a: &Ranked, b: &Ranked) -> Ordering {
    let by_price = a.price.amount.cmp(&b.price.amount);
    let primary = match rank {
        Rank::Price => by_price,
        Rank::PricePerGb => match (&a.price_per_gb, &b.price_per_gb) {
            (Some(x), Some(y)) => x.amount.cmp(&y.amount).then(by_price),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_price,
        },
    };
    // Ties in a stable, provider-independent order: a snapshot of a ranking never flickers.
    primary
        .then_with(|| a.offer.provider.cmp(b.offer.provider))
        .then_with(|| a.offer.id.cmp(&b.offer.id))
}
