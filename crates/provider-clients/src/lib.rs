//! Every provider client behind one dependency: enable the cargo feature of each provider a
//! service calls (`vellosim`, …). Shared pieces live here too: [`paginate`] turns any
//! page-at-a-time operation into a `Stream` of items.

pub mod bulk;
pub mod paginate;

pub use provider_core as core;
pub use provider_core::{
    BuildError, ClientConfig, Credential, Error, LenientInt, RetryPolicy, SharedState, Timestamp, TokenProvider,
    TokenStore, units::DataVolume,
};

/// One token and one rate budget for every replica of a service, on Valkey/Redis
/// (`provider-fleet`): `ClientConfig::shared_state(Arc::new(fleet::RedisStore::open(url)?))`.
#[cfg(feature = "fleet")]
pub use provider_fleet as fleet;

#[cfg(any(feature = "airalo", feature = "pressone"))]
mod airalo_shaped;

/// The Airalo client (`airalo-client`), plus its list streams and bulk calls.
#[cfg(feature = "airalo")]
pub mod airalo;

/// The PressOne client (`pressone-client`), plus the Airalo-shaped streams and bulk calls.
#[cfg(feature = "pressone")]
pub mod pressone;

/// The VeloConnect client (`veloconnect-client`), plus its limit/offset streams.
#[cfg(feature = "veloconnect")]
pub mod veloconnect;

/// The Vellosim client (`vellosim-client`), plus its list streams.
#[cfg(feature = "vellosim")]
pub mod vellosim;

/// The README's examples compile (`cargo test` runs them as doctests).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
