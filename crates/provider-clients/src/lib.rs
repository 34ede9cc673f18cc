//! Every provider client behind one dependency: enable the cargo feature of each provider a
//! service calls (`vellosim`, …). Each listing's builder streams its items
//! (`client.get_my_esims().stream(100)`, generated from the spec's `x-pagination`) over
//! [`paginate`], which also serves any other page/limit or limit/offset API. What spans
//! calls lives here too: [`bulk`] calls and Airalo's flat catalogue.

pub mod bulk;

pub use provider_core as core;
pub use provider_core::paginate;
pub use provider_core::{
    BuildError, ClientConfig, Credential, CredentialKind, Descriptor, Error, LenientInt, RetryPolicy, SharedState,
    Timestamp, TokenProvider, TokenStore, units::DataVolume,
};

/// The descriptor of every enabled provider (generated from its spec): name, environment
/// variables, credential kind, sandbox mount, listings, rate limits and example decoder.
pub const PROVIDERS: &[&provider_core::Descriptor] = &[
    #[cfg(feature = "airalo")]
    &airalo_client::PROVIDER,
    #[cfg(feature = "pressone")]
    &pressone_client::PROVIDER,
    #[cfg(feature = "veloconnect")]
    &veloconnect_client::PROVIDER,
    #[cfg(feature = "veloconnect-sms")]
    &veloconnect_sms_client::PROVIDER,
    #[cfg(feature = "vellosim")]
    &vellosim_client::PROVIDER,
];

/// One token and one rate budget for every replica of a service, on Valkey/Redis
/// (`provider-fleet`): `ClientConfig::shared_state(Arc::new(fleet::RedisStore::open(url)?))`.
#[cfg(feature = "fleet")]
pub use provider_fleet as fleet;

/// One eSIM interface over the enabled data-eSIM providers (`esim-market`), as `market`:
/// offers, purchases, usage and top-ups in provider-neutral types, and a ranked search.
#[cfg(feature = "market")]
pub use esim_market as market;

#[cfg(any(feature = "airalo", feature = "pressone"))]
mod airalo_shaped;

/// The Airalo client (`airalo-client`), plus the flat catalogue and bulk calls.
#[cfg(feature = "airalo")]
pub mod airalo;

/// The PressOne client (`pressone-client`), plus the Airalo-shaped catalogue and bulk calls.
#[cfg(feature = "pressone")]
pub mod pressone;

/// The VeloConnect client (`veloconnect-client`).
#[cfg(feature = "veloconnect")]
pub use veloconnect_client as veloconnect;

/// The VeloConnect SMS platform client (`veloconnect-sms-client`).
#[cfg(feature = "veloconnect-sms")]
pub use veloconnect_sms_client as veloconnect_sms;

/// The Vellosim client (`vellosim-client`).
#[cfg(feature = "vellosim")]
pub use vellosim_client as vellosim;

/// The README's examples compile (`cargo test` runs them as doctests).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
