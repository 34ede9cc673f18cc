//! Typed client for [PressOne's eSIM platform](https://developers.pressone.esim.ent.pressone.co):
//! the data eSIM API (Airalo-shaped, under `/customer/v2`) and the voice-only numbers API
//! (`/api/third-party/partner/`).
//!
//! Generated from `specs/pressone.yaml`. PressOne's data eSIM API mirrors Airalo's, so its
//! request and response types *are* `airalo_client`'s (re-exported as [`shapes`]), and so
//! are their helpers: error bodies, the flat catalogue, lenient numbers.

extern crate self as pressone_client;

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

mod balance;

pub use airalo_client::types as shapes;
pub use airalo_client::{BusinessCode, FlatPackage};
pub use balance::Balance;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy, TokenProvider, TokenStore, units::DataVolume};

/// Every failure of a data eSIM call: the same error body as Airalo's.
pub type Error = provider_core::Error<airalo_client::types::ErrorBody>;

/// Every failure of a voice-only call, whose error body is undocumented (any JSON object).
pub type VoiceCallError = provider_core::Error<types::VoiceError>;

const NO_PUBLIC_HOST: &str = "PressOne publishes no API host (its pages show only a placeholder); \
     pass the base URL PressOne gave your account, e.g. `Client::config(\"https://…\", id, secret)`";

impl Client {
    /// A client for the host PressOne gave you (there is no public default), exchanging
    /// `client_id` and `client_secret` for a bearer token at `POST /customer/v2/token` when
    /// first needed, refreshed daily and once when refused.
    pub fn config(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> ClientConfig<Client> {
        Self::config_with_tokens(base_url, Self::token_provider(client_id, client_secret))
    }

    /// The token exchange on its own, to share tokens between processes with
    /// [`TokenProvider::with_store`].
    pub fn token_provider(client_id: impl Into<String>, client_secret: impl Into<String>) -> TokenProvider {
        airalo_client::client_credentials(&PROVIDER, client_id, client_secret.into(), airalo_client::TOKEN_MAX_AGE)
    }

    pub fn config_with_tokens(base_url: impl Into<String>, tokens: TokenProvider) -> ClientConfig<Client> {
        ClientConfig::new(base_url)
            .base_url_required(NO_PUBLIC_HOST)
            .credential(provider_core::Credential::Bearer(tokens))
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
        Client::config_with_tokens(base_url, keep_tokens(Client::token_provider(id, secret)))
    }
}

provider_core::connect_client!(Client);
