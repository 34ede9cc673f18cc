//! Every provider client behind one dependency: enable the cargo feature of each provider a
//! service calls (`vellosim`, …). Each listing's builder streams its items
//! (`client.get_my_esims().stream(100)`, generated from the spec's `x-pagination`) over
//! [`paginate`], which also serves any other page/limit or limit/offset API. What spans
//! calls lives here too: [`bulk`] calls and Airalo's flat catalogue.

pub mod bulk;

pub use provider_core as core;
pub use provider_core::paginate;
pub use provider_core::{
    BuildError, ClientConfig, Connect, Credential, CredentialKind, Descriptor, Error, LenientInt, RetryPolicy,
    SharedState, Timestamp, TokenProvider, TokenStore, units::DataVolume,
};

// `PROVIDERS` and every provider's module or re-export, from specs/.
include!("generated_providers.rs");

/// One token and one rate budget for every replica of a service, on Valkey/Redis
/// (`provider-fleet`): `ClientConfig::shared_state(Arc::new(fleet::RedisStore::open(url)?))`.
#[cfg(feature = "fleet")]
pub use provider_fleet as fleet;

/// One eSIM interface over the enabled data-eSIM providers (`esim-market`), as `market`:
/// offers, purchases, usage and top-ups in provider-neutral types, and a ranked search.
#[cfg(feature = "market")]
pub use esim_market as market;

/// The README's examples compile (`cargo test` runs them as doctests).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
