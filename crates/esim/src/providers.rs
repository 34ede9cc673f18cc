//! Building each provider's client: from environment variables, or against a sandbox.

use std::sync::Arc;

use anyhow::Context as _;
use provider_core::{Descriptor, TokenProvider};
use sandbox::credentials;

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

/// The sandbox's base URL for `provider`, or the `<PROVIDER>_BASE_URL` override, if any.
fn base_url(target: &Target, provider: &Descriptor) -> Option<String> {
    target
        .sandbox_url(provider)
        .or_else(|| std::env::var(provider.base_url_variable()).ok())
}

/// Applies the sandbox or `<PROVIDER>_BASE_URL` base URL, then builds.
fn finish<C: provider_core::FromParts>(
    target: &Target,
    provider: &Descriptor,
    config: provider_core::ClientConfig<C>,
) -> anyhow::Result<C> {
    let config = match base_url(target, provider) {
        Some(url) => config.base_url(url),
        None => config,
    };
    build(provider, config)
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

fn build<C: provider_core::FromParts>(
    provider: &Descriptor,
    config: provider_core::ClientConfig<C>,
) -> anyhow::Result<C> {
    let config = match shared_store()? {
        Some(store) => config.shared_state(store),
        None => config,
    };
    config
        .build()
        .with_context(|| format!("configuring the {} client", provider.name))
}

/// The bearer tokens of a client-credentials provider (`make` is its token exchange), kept
/// between runs unless the sandbox they are for ends with this run.
fn tokens(
    target: &Target,
    provider: &Descriptor,
    base_url: &str,
    make: fn(String, String) -> TokenProvider,
) -> anyhow::Result<TokenProvider> {
    let (id, secret) = match (target, &provider.credential_variables()[..]) {
        (Target::Sandbox { .. }, _) => (credentials::CLIENT_ID.to_owned(), credentials::CLIENT_SECRET.to_owned()),
        (Target::Live, [id, secret]) => (env(id)?, env(secret)?),
        (Target::Live, _) => anyhow::bail!("{} does not take a client id and secret", provider.name),
    };
    let cache = match target {
        _ if std::env::var_os(REDIS_URL).is_some() => None,
        Target::Sandbox { embedded: true, .. } => None,
        Target::Sandbox { embedded: false, .. } => Some(token_cache::dir(true)),
        Target::Live => Some(token_cache::dir(false)),
    };
    let tokens = make(id.clone(), secret);
    Ok(match cache {
        Some(dir) => tokens.with_store(FileTokenStore::new(dir, provider.name, base_url, &id)),
        None => tokens,
    })
}

/// `AIRALO_CLIENT_ID`, `AIRALO_CLIENT_SECRET` (and optionally `AIRALO_BASE_URL`).
pub fn airalo(target: &Target) -> anyhow::Result<airalo_client::Client> {
    let provider = &airalo_client::PROVIDER;
    let base_url = base_url(target, provider).unwrap_or_else(|| airalo_client::servers::PRODUCTION.to_owned());
    let tokens = tokens(target, provider, &base_url, |id, secret| {
        airalo_client::Client::token_provider(id, secret)
    })?;
    build(
        provider,
        airalo_client::Client::config_with_tokens(tokens).base_url(base_url),
    )
}

/// `PRESSONE_BASE_URL` (PressOne publishes no host), `PRESSONE_CLIENT_ID`, `PRESSONE_CLIENT_SECRET`.
pub fn pressone(target: &Target) -> anyhow::Result<pressone_client::Client> {
    let provider = &pressone_client::PROVIDER;
    let base_url = match base_url(target, provider) {
        Some(url) => url,
        None => env(&provider.base_url_variable())?,
    };
    let tokens = tokens(target, provider, &base_url, |id, secret| {
        pressone_client::Client::token_provider(id, secret)
    })?;
    build(provider, pressone_client::Client::config_with_tokens(base_url, tokens))
}

/// `VELLOSIM_API_KEY` (and optionally `VELLOSIM_BASE_URL`).
pub fn vellosim(target: &Target) -> anyhow::Result<vellosim_client::Client> {
    let key = match target {
        Target::Sandbox { .. } => credentials::VELLOSIM_API_KEY.to_owned(),
        Target::Live => env(&vellosim_client::PROVIDER.credential_variables()[0])?,
    };
    finish(target, &vellosim_client::PROVIDER, vellosim_client::Client::config(key))
}

/// `VELOCONNECT_API_KEY` (and optionally `VELOCONNECT_BASE_URL`).
pub fn veloconnect(target: &Target) -> anyhow::Result<veloconnect_client::Client> {
    let key = match target {
        Target::Sandbox { .. } => credentials::VELOCONNECT_API_KEY.to_owned(),
        Target::Live => env(&veloconnect_client::PROVIDER.credential_variables()[0])?,
    };
    finish(
        target,
        &veloconnect_client::PROVIDER,
        veloconnect_client::Client::config(key),
    )
}

/// `VELOCONNECT_SMS_API_ID`, `VELOCONNECT_SMS_API_PASSWORD` (and optionally
/// `VELOCONNECT_SMS_BASE_URL`).
pub fn veloconnect_sms(target: &Target) -> anyhow::Result<veloconnect_sms_client::Client> {
    let provider = &veloconnect_sms_client::PROVIDER;
    let (id, password) = match (target, &provider.credential_variables()[..]) {
        (Target::Sandbox { .. }, _) => (
            credentials::VELOCONNECT_SMS_API_ID.to_owned(),
            credentials::VELOCONNECT_SMS_API_PASSWORD.to_owned(),
        ),
        (Target::Live, [id, password]) => (env(id)?, env(password)?),
        (Target::Live, _) => anyhow::bail!("{} does not take an API id and password", provider.name),
    };
    finish(target, provider, veloconnect_sms_client::Client::config(id, password))
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
