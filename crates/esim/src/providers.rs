//! Building each provider's client: from environment variables, or against a sandbox.

use std::sync::Arc;

use anyhow::Context as _;
use provider_core::{Connect, Descriptor, TokenProvider};

use crate::token_cache::{self, FileTokenStore};

/// Where calls go.
pub enum Target {
    /// The provider itself, with credentials from the environment.
    Live,
    /// A sandbox at this origin (`http://127.0.0.1:PORT`), with its fixed credentials;
    /// `embedded` when it was started for this run only.
    Sandbox { origin: String, embedded: bool },
}

impl Target {
    fn sandbox_url(&self, provider: &Descriptor) -> Option<String> {
        match self {
            Target::Live => None,
            Target::Sandbox { origin, .. } => {
                Some(format!("{}{}", origin.trim_end_matches('/'), provider.sandbox_mount))
            }
        }
    }
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name)
        .with_context(|| format!("{name} is not set (set it, or add --sandbox to use the local sandbox)"))
}

/// The client of `C`'s provider: on the sandbox with the credential it accepts, or on the
/// provider (its production host, or `<PROVIDER>_BASE_URL`) with the credential from the
/// environment variables its descriptor names (`AIRALO_CLIENT_ID`, `VELLOSIM_API_KEY`, …).
pub fn client<C: Connect>(target: &Target) -> anyhow::Result<C> {
    let provider = C::DESCRIPTOR;
    let variable = provider.base_url_variable();
    let base_url = match (
        target.sandbox_url(provider),
        std::env::var(&variable),
        provider.production,
    ) {
        (Some(url), _, _) | (None, Ok(url), _) => url,
        (None, Err(_), Some(production)) => production.to_owned(),
        (None, Err(_), None) => env(&variable)?,
    };
    let values: Vec<String> = match target {
        Target::Sandbox { .. } => sandbox::Provider::named(provider.name)
            .with_context(|| format!("the sandbox does not simulate {}", provider.name))?
            .credential_values()
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        Target::Live => provider
            .credential_variables()
            .iter()
            .map(|name| env(name))
            .collect::<anyhow::Result<_>>()?,
    };
    // Bearer tokens are kept between runs, unless the sandbox they are for ends with this run.
    let cache = match target {
        _ if std::env::var_os(REDIS_URL).is_some() => None,
        Target::Sandbox { embedded: true, .. } => None,
        Target::Sandbox { embedded: false, .. } => Some(token_cache::dir(true)),
        Target::Live => Some(token_cache::dir(false)),
    };
    let client_id = values.first().cloned().unwrap_or_default();
    let keep_tokens = |tokens: TokenProvider| match &cache {
        Some(dir) => tokens.with_store(FileTokenStore::new(dir.clone(), provider.name, &base_url, &client_id)),
        None => tokens,
    };
    let config = C::connect(&base_url, values, &keep_tokens);
    let config = match shared_store()? {
        Some(store) => config.shared_state(store),
        None => config,
    };
    config
        .build()
        .with_context(|| format!("configuring the {} client", provider.name))
}

/// `ESIM_REDIS_URL`: share tokens and rate windows with every other run and service using
/// the same credentials, through that Valkey/Redis server (instead of the token file).
const REDIS_URL: &str = "ESIM_REDIS_URL";

fn shared_store() -> anyhow::Result<Option<Arc<provider_fleet::RedisStore>>> {
    let Ok(url) = std::env::var(REDIS_URL) else {
        return Ok(None);
    };
    let store = provider_fleet::RedisStore::open(&url).with_context(|| format!("{REDIS_URL} is not a redis:// URL"))?;
    Ok(Some(Arc::new(store)))
}

#[cfg(test)]
mod tests {
    /// The sandbox declares its mounts itself (it does not depend on the clients); they must
    /// be where each client's descriptor says.
    #[test]
    fn the_sandbox_mounts_every_provider_where_its_descriptor_says() {
        for provider in sandbox::Provider::ALL {
            let descriptor = provider_clients::PROVIDERS
                .iter()
                .find(|d| d.name == provider.name())
                .expect("a client for every simulated provider");
            assert_eq!(provider.mount(), descriptor.sandbox_mount, "{}", descriptor.name);
            assert_eq!(
                provider.credential_values().len(),
                descriptor.credential_variables().len(),
                "{}: one sandbox value per credential variable",
                descriptor.name
            );
        }
        assert_eq!(provider_clients::PROVIDERS.len(), sandbox::Provider::ALL.len());
    }

    /// The sandbox states its rate limits itself; each must be one its provider's spec
    /// documents (`x-rate-limit`, in the client's descriptor), with the same numbers.
    #[test]
    fn the_sandbox_enforces_the_rate_limits_each_spec_documents() {
        let mut checked = 0;
        for provider in sandbox::Provider::ALL {
            let descriptor = provider_clients::PROVIDERS
                .iter()
                .find(|d| d.name == provider.name())
                .expect("a client for every simulated provider");
            for (operation, requests, per) in provider.documented_limits() {
                let documented = descriptor
                    .rate_limits
                    .iter()
                    .find(|l| l.operation == operation)
                    .unwrap_or_else(|| panic!("{}: {operation} has no x-rate-limit", descriptor.name));
                assert_eq!(
                    (documented.requests, documented.per),
                    (requests, per),
                    "{} {operation}",
                    descriptor.name
                );
                checked += 1;
            }
        }
        // Airalo's token, catalogue, usage and history limits; PressOne's usage and history.
        assert_eq!(checked, 6);
    }
}
