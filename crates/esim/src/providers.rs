//! Building each provider's client: from environment variables, or against a sandbox.

use anyhow::Context as _;
use sandbox::{Provider, credentials};

/// Where calls go.
pub enum Target {
    /// The provider itself, with credentials from the environment.
    Live,
    /// A sandbox at this origin (`http://127.0.0.1:PORT`), with its fixed credentials.
    Sandbox(String),
}

impl Target {
    fn sandbox_url(&self, provider: Provider) -> Option<String> {
        match self {
            Target::Live => None,
            Target::Sandbox(origin) => Some(format!("{}{}", origin.trim_end_matches('/'), provider.mount())),
        }
    }
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name)
        .with_context(|| format!("{name} is not set (set it, or add --sandbox to use the local sandbox)"))
}

/// The base URL override `<PROVIDER>_BASE_URL`, if set.
fn base_url_override(provider: Provider) -> Option<String> {
    std::env::var(format!("{}_BASE_URL", provider.name().to_uppercase())).ok()
}

/// Applies the sandbox or `<PROVIDER>_BASE_URL` base URL, then builds.
fn finish<C: provider_core::FromParts>(
    target: &Target,
    provider: Provider,
    config: provider_core::ClientConfig<C>,
) -> anyhow::Result<C> {
    let config = match target.sandbox_url(provider).or_else(|| base_url_override(provider)) {
        Some(url) => config.base_url(url),
        None => config,
    };
    config
        .build()
        .with_context(|| format!("configuring the {} client", provider.name()))
}

/// `AIRALO_CLIENT_ID`, `AIRALO_CLIENT_SECRET` (and optionally `AIRALO_BASE_URL`).
pub fn airalo(target: &Target) -> anyhow::Result<airalo_client::Client> {
    let config = match target {
        Target::Sandbox(_) => airalo_client::Client::config(credentials::CLIENT_ID, credentials::CLIENT_SECRET),
        Target::Live => airalo_client::Client::config(env("AIRALO_CLIENT_ID")?, env("AIRALO_CLIENT_SECRET")?),
    };
    finish(target, Provider::Airalo, config)
}

/// `PRESSONE_BASE_URL` (PressOne publishes no host), `PRESSONE_CLIENT_ID`, `PRESSONE_CLIENT_SECRET`.
pub fn pressone(target: &Target) -> anyhow::Result<pressone_client::Client> {
    let config = match target {
        Target::Sandbox(_) => pressone_client::Client::config("", credentials::CLIENT_ID, credentials::CLIENT_SECRET),
        Target::Live => pressone_client::Client::config(
            env("PRESSONE_BASE_URL")?,
            env("PRESSONE_CLIENT_ID")?,
            env("PRESSONE_CLIENT_SECRET")?,
        ),
    };
    finish(target, Provider::PressOne, config)
}

/// `VELLOSIM_API_KEY` (and optionally `VELLOSIM_BASE_URL`).
pub fn vellosim(target: &Target) -> anyhow::Result<vellosim_client::Client> {
    let key = match target {
        Target::Sandbox(_) => credentials::VELLOSIM_API_KEY.to_owned(),
        Target::Live => env("VELLOSIM_API_KEY")?,
    };
    finish(target, Provider::Vellosim, vellosim_client::Client::config(key))
}

/// `VELOCONNECT_API_KEY` (and optionally `VELOCONNECT_BASE_URL`).
pub fn veloconnect(target: &Target) -> anyhow::Result<veloconnect_client::Client> {
    let key = match target {
        Target::Sandbox(_) => credentials::VELOCONNECT_API_KEY.to_owned(),
        Target::Live => env("VELOCONNECT_API_KEY")?,
    };
    finish(target, Provider::VeloConnect, veloconnect_client::Client::config(key))
}
