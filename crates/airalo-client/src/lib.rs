//! Typed client for [Airalo's Partner API v2](https://developers.partners.airalo.com).
//!
//! The operations, types and httpmock helpers are generated from `specs/airalo.yaml` by
//! `cargo xtask regen`; this file and its siblings hold the hand-written rest: the token
//! exchange, error helpers, the package catalogue flattening and webhooks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = airalo_client::Client::config("client-id", "client-secret").build()?;
//! // The token is fetched on first use, cached and shared by every clone of the client.
//! let packages = client.get_packages().filter_country("TR").send().await.map_err(airalo_client::Error::from)?;
//! for package in packages.flat() {
//!     println!("{} {} {:?}", package.package.id, package.operator_title, package.package.price);
//! }
//! # Ok(()) }
//! ```

extern crate self as airalo_client;

// Generated from the spec; rustfmt leaves them as `cargo xtask regen` wrote them.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
mod generated;
pub use generated::*;

/// Matchers and responders for every operation, generated from the spec.
#[cfg(feature = "httpmock")]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
#[path = "generated_httpmock.rs"]
pub mod mock;

mod catalogue;
mod errors;
#[cfg(feature = "webhooks")]
pub mod signature;
#[cfg(feature = "webhooks")]
pub mod webhooks;

use std::time::Duration;

pub use catalogue::FlatPackage;
pub use errors::{BusinessCode, Error};
pub use provider_core::client_credentials;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy, TokenProvider, TokenStore, units::DataVolume};

/// Airalo promises year-long tokens but advises refreshing daily.
pub const TOKEN_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

impl Client {
    /// A production client that exchanges `client_id` and `client_secret` for a bearer token
    /// (`POST /token`, limited by Airalo to 3 a minute) when first needed, and refreshes it
    /// before it expires or once when Airalo refuses it. Sandbox is an account mode on the
    /// same host, so the same constructor serves both.
    pub fn config(client_id: impl Into<String>, client_secret: impl Into<String>) -> ClientConfig<Client> {
        Self::config_with_tokens(Self::token_provider(client_id, client_secret))
    }

    /// The token exchange on its own, to share tokens between processes with
    /// [`TokenProvider::with_store`] before handing it to [`Client::config_with_tokens`].
    pub fn token_provider(client_id: impl Into<String>, client_secret: impl Into<String>) -> TokenProvider {
        client_credentials(&PROVIDER, client_id, client_secret.into(), TOKEN_MAX_AGE)
    }

    pub fn config_with_tokens(tokens: TokenProvider) -> ClientConfig<Client> {
        ClientConfig::new(servers::PRODUCTION).credential(provider_core::Credential::Bearer(tokens))
    }
}

/// The client id and secret, in that order; the token provider goes through `keep_tokens`.
impl provider_core::Connect for Client {
    fn connect(
        base_url: &str,
        values: Vec<String>,
        keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Client> {
        let [id, secret]: [String; 2] = values.try_into().expect("two credential values: client id and secret");
        Client::config_with_tokens(keep_tokens(Client::token_provider(id, secret))).base_url(base_url)
    }
}

provider_core::connect_client!(Client);
