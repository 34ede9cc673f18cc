//! Typed client for VeloConnect's VeloeSIM wholesale API (plans, orders, eSIMs, top-ups).
//!
//! Generated from `specs/veloconnect.yaml`; the CPaaS sections of VeloConnect's documentation
//! are not specced (no public source gives their paths: see `specs/coverage.toml`).

extern crate self as veloconnect_client;

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

use provider_core::TokenProvider;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy, units::DataVolume};

/// Every failure of a VeloConnect call. Error bodies are undocumented: any JSON object.
pub type Error = provider_core::Error<types::ErrorBody>;

impl Client {
    /// A client on VeloConnect's host, authenticated by `Authorization: Apikey <key>`.
    /// `servers::VELOESIM_DIRECT` is VeloeSIM's own host for the same API.
    pub fn config(api_key: impl AsRef<str>) -> ClientConfig<Client> {
        let value = format!("Apikey {}", api_key.as_ref());
        ClientConfig::new(servers::PRODUCTION).credential(provider_core::Credential::header("authorization", value))
    }
}

/// The key alone (`VELOCONNECT_API_KEY`), sent with its `Apikey` prefix.
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

impl types::Plan {
    /// The plan's data (`dataAmount` counts decimal megabytes: 1000 is 10^9 bytes).
    pub fn data_volume(&self) -> Option<DataVolume> {
        let megabytes = u64::try_from(self.data_amount?).ok()?;
        Some(DataVolume::from_bytes(megabytes.saturating_mul(1_000_000)))
    }
}

impl types::AssignedPlan {
    pub fn remaining(&self) -> Option<DataVolume> {
        self.remaining_quantity_in_bytes
            .and_then(|b| u64::try_from(b).ok())
            .map(DataVolume::from_bytes)
    }
}

impl types::Esim {
    /// The LPA activation string (`LPA:1$<smdp>$<matchingId>`) for QR codes and manual entry;
    /// VeloeSIM sends only its parts.
    pub fn lpa(&self) -> Option<String> {
        Some(format!(
            "LPA:1${}${}",
            self.smdp_address.as_deref()?,
            self.matching_id.as_deref()?
        ))
    }
}
