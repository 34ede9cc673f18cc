//! Typed client for the [Vellosim](https://docs.vellosim.com) eSIM API.
//!
//! The operations, types and httpmock helpers are generated from `specs/vellosim.yaml` by
//! `cargo xtask regen`; this file and its siblings hold the hand-written rest.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = vellosim_client::Client::config("vls_test_…").build()?;
//! let regions = client.get_regions().send().await.map_err(vellosim_client::Error::from)?;
//! println!("{} regions", regions.len());
//! # Ok(()) }
//! ```

extern crate self as vellosim_client;

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

mod errors;
pub mod webhooks;

pub use errors::Error;
use provider_core::TokenProvider;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy, units::DataVolume};

impl Client {
    /// A production client authenticated by `X-API-Key`. `vls_test_` keys act on the
    /// sandbox, `vls_live_` keys on production; the host is the same. Change anything else
    /// (base URL, timeouts, retries) on the returned config, then `build()`.
    pub fn config(api_key: impl Into<String>) -> ClientConfig<Client> {
        ClientConfig::new(servers::PRODUCTION).credential(provider_core::Credential::header("x-api-key", api_key))
    }

    /// A client without a key: enough for the public operations (exchange rate, package
    /// details at the public price).
    pub fn public() -> ClientConfig<Client> {
        ClientConfig::new(servers::PRODUCTION)
    }
}

/// The key alone: `VELLOSIM_API_KEY`.
impl provider_core::Connect for Client {
    fn connect(
        base_url: &str,
        values: Vec<String>,
        _keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Client> {
        let [key]: [String; 1] = values.try_into().expect("one credential value: the API key");
        Client::config(key).base_url(base_url)
    }
}

provider_core::connect_client!(Client);

impl types::Package {
    /// The package's data allowance (`volume`, in bytes).
    pub fn data_volume(&self) -> Option<DataVolume> {
        self.volume
            .and_then(|v| u64::try_from(v).ok())
            .map(DataVolume::from_bytes)
    }
}

impl types::Esim {
    /// Data left on the eSIM (`data_usage_remain`, in bytes).
    pub fn data_remaining(&self) -> Option<DataVolume> {
        self.data_usage_remain
            .and_then(|v| u64::try_from(v).ok())
            .map(DataVolume::from_bytes)
    }

    /// The eSIM's total allowance (`totalVolume`, in bytes).
    pub fn total_volume(&self) -> Option<DataVolume> {
        self.total_volume
            .and_then(|v| u64::try_from(v).ok())
            .map(DataVolume::from_bytes)
    }
}
