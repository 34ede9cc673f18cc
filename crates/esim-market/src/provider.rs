//! What every provider's adapter answers: the [`EsimProvider`] trait, the query it filters
//! offers by and the one error type it fails with.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use provider_core::units::DataVolume;

use crate::model::{CountryCode, Esim, ExchangeRate, Offer, OfferKind, Purchase, Usage};

/// One provider's eSIM business in provider-neutral terms. Object safe, so a service can hold
/// `Vec<Box<dyn EsimProvider>>` and [`search`](fn@crate::search) across them.
pub trait EsimProvider: Send + Sync {
    /// The provider's name, as its client's descriptor spells it.
    fn name(&self) -> &'static str;

    /// Every offer that matches `query`, page by page as the provider serves them.
    fn offers<'a>(&'a self, query: &'a OfferQuery) -> BoxStream<'a, Result<Offer, MarketError>>;

    /// Buys `quantity` eSIMs of offer `offer_id`. Sent once and never retried: on
    /// [`MarketError::is_outcome_unknown`], look the order up by `reference` (sent as the
    /// provider's description field where it has one; [`purchases`](Self::purchases)) before
    /// buying again.
    fn buy<'a>(
        &'a self,
        offer_id: &'a str,
        quantity: u32,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>>;

    /// One eSIM bought from this provider.
    fn esim<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Esim, MarketError>>;

    /// The data used and left on an eSIM.
    fn usage<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Usage, MarketError>>;

    /// The top-ups that can be bought for an eSIM.
    fn topups<'a>(&'a self, iccid: &'a str) -> BoxFuture<'a, Result<Vec<Offer>, MarketError>>;

    /// Buys top-up `offer_id` for an eSIM; never retried, like [`buy`](Self::buy).
    fn top_up<'a>(
        &'a self,
        iccid: &'a str,
        offer_id: &'a str,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Purchase, MarketError>>;

    /// The purchases (orders and top-ups) made with exactly this `reference`: after an
    /// outcome was unknown, whether it was bought. [`MarketError::Unsupported`] where the
    /// provider keeps no reference of the caller's (then reconcile by listing its eSIMs).
    fn purchases<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Vec<Purchase>, MarketError>> {
        let _ = reference;
        let provider = self.name();
        Box::pin(async move {
            Err(MarketError::Unsupported {
                provider,
                operation: "purchases",
            })
        })
    }

    /// The rates the provider's own exchange-rate endpoint gives, for converting prices;
    /// [`MarketError::Unsupported`] where it has none.
    fn exchange_rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        let provider = self.name();
        Box::pin(async move {
            Err(MarketError::Unsupported {
                provider,
                operation: "exchange_rates",
            })
        })
    }
}

/// An adapter a tool can build knowing only its type: [`visit_adapters`](crate::visit_adapters)
/// hands each one compiled in to an [`AdapterVisitor`], which builds the client
/// (`provider_core::Connect`) and then the adapter over it.
pub trait Adapter: EsimProvider + Sized + 'static {
    /// The generated client the adapter calls.
    type Client: provider_core::Connect;

    /// What the provider's API leaves to the caller to say (VeloConnect names no currency).
    const SETTINGS: &'static [Setting] = &[];

    /// The adapter over `client`, with one value per [`SETTINGS`](Self::SETTINGS) entry, in order.
    fn adapt(client: Self::Client, settings: &[String]) -> Result<Self, MarketError>;
}

/// A value an adapter needs that its provider's API does not give.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Its name after the provider's environment prefix (`CURRENCY`: `VELOCONNECT_CURRENCY`).
    pub name: &'static str,
    /// Why it is needed, for the message when it is missing.
    pub about: &'static str,
    /// The value that fits the local sandbox's simulation of the provider.
    pub sandbox: &'static str,
}

/// Receives every adapter type [`visit_adapters`](crate::visit_adapters) knows (a closure
/// cannot be generic over them).
pub trait AdapterVisitor {
    fn visit<A: Adapter>(&mut self);
}

/// Which offers to list. Every bound is optional; an offer passes when it meets all the set ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OfferQuery {
    /// Offers that work in this country (regional and global ones included).
    pub country: Option<CountryCode>,
    /// At least this much data (unlimited offers always qualify).
    pub min_data: Option<DataVolume>,
    pub min_days: Option<u32>,
    pub max_days: Option<u32>,
    /// Base plans or top-ups; both when unset.
    pub kind: Option<OfferKind>,
}

impl OfferQuery {
    pub fn matches(&self, offer: &Offer) -> bool {
        self.country.is_none_or(|c| offer.coverage.binary_search(&c).is_ok())
            && self.min_data.is_none_or(|v| offer.data.covers(v))
            && self.min_days.is_none_or(|d| offer.validity_days >= d)
            && self.max_days.is_none_or(|d| offer.validity_days <= d)
            && self.kind.is_none_or(|k| offer.kind == k)
    }
}

/// Why an operation failed, for any provider.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MarketError {
    /// The provider has no endpoint for this (e.g. more than one eSIM in one Vellosim purchase).
    #[error("{provider} does not support {operation}")]
    Unsupported {
        provider: &'static str,
        operation: &'static str,
    },
    /// The call failed; `source` is the provider client's own error (shown by error
    /// reporters that walk the chain, e.g. anyhow's `{:#}`).
    #[error("{provider} call failed")]
    Provider {
        provider: &'static str,
        outcome_unknown: bool,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The provider answered, but with something the model cannot hold (a price in no
    /// currency, a package with no validity, …).
    #[error("{provider} answered with {what}")]
    Unexpected { provider: &'static str, what: String },
    /// The caller asked for something that cannot be sent (a zero quantity, an offer id of
    /// the wrong shape, …).
    #[error("{provider}: {what}")]
    Invalid { provider: &'static str, what: String },
}

impl MarketError {
    /// From a generated client's error (progenitor's, or ours it converts into). Its
    /// `Display` never carries a credential.
    pub fn provider<E>(provider: &'static str, error: impl Into<provider_core::Error<E>>) -> Self
    where
        E: std::fmt::Debug + Send + Sync + 'static,
    {
        let error = error.into();
        MarketError::Provider {
            provider,
            outcome_unknown: error.is_outcome_unknown(),
            source: Box::new(error),
        }
    }

    /// A purchase or top-up may have been made: reconcile by its reference before retrying.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(
            self,
            MarketError::Provider {
                outcome_unknown: true,
                ..
            }
        )
    }

    /// For a provider whose order buys exactly one eSIM: `Invalid` for none, `Unsupported`
    /// for several (the caller places several orders, each with its own reference).
    pub fn one_esim_per_order(provider: &'static str, quantity: u32) -> Result<(), MarketError> {
        match quantity {
            0 => Err(MarketError::Invalid {
                provider,
                what: "a purchase of zero eSIMs".to_owned(),
            }),
            1 => Ok(()),
            _ => Err(MarketError::Unsupported {
                provider,
                operation: "buying more than one eSIM in one order",
            }),
        }
    }

    pub fn provider_name(&self) -> &'static str {
        match self {
            MarketError::Unsupported { provider, .. }
            | MarketError::Provider { provider, .. }
            | MarketError::Unexpected { provider, .. }
            | MarketError::Invalid { provider, .. } => provider,
        }
    }
}
