//! A local, stateful simulation of every provider in `specs/`: Airalo, PressOne, Vellosim,
//! VeloConnect and the VeloConnect SMS platform, each under its own path prefix of one HTTP server.
//!
//! It exists so that services (and the `esim` CLI) can run their integration tests and
//! demos with no provider credentials. What it simulates is written down per provider in
//! its module; everything it answers must conform to our specs (`cargo xtask conformance`
//! checks that with schemathesis).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = sandbox::Sandbox::start(sandbox::Config::default()).await?;
//! let airalo = sandbox.base_url(sandbox::Provider::Airalo); // http://127.0.0.1:PORT/airalo/v2
//! # let _ = airalo; Ok(()) }
//! ```

mod admin;
mod airalo_shaped;
pub mod catalogue;
pub mod cli;
mod clock;
mod http;
mod rate_limit;
mod stats;
mod tls;
mod tokens;
mod velo_common;
mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use clock::{Clock, EXAMPLE_START};
pub use stats::Stats;
pub use veloconnect_sms::OutboxSms;
pub use webhooks::Delivery;

// `Provider` (one per spec, with its mount, credential and rate limits), `credentials`, and
// every provider's module and routes, from specs/.
include!("generated_providers.rs");

/// How a sandbox behaves. `Config::default()` is what the `sandbox` binary and the CLI use.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (see [`Sandbox::base_url`]).
    pub listen: SocketAddr,
    /// Where webhooks are delivered, per provider (Airalo's URL can also be set through
    /// its opt-in operation, as in production). `None`: recorded, not sent.
    pub webhook_urls: Vec<(Provider, String)>,
    /// Whether the documented rate limits are enforced (429 + `Retry-After`).
    pub rate_limits: bool,
    /// Lifetime of the bearer tokens Airalo and PressOne issue, in simulated time.
    pub token_ttl: Duration,
    /// The opening account balance, in the account currency (USD), for every provider.
    pub opening_balance: f64,
    /// Serve HTTPS instead of HTTP, with a self-signed certificate made at start and written
    /// (PEM) to this file for clients to trust (also [`Sandbox::certificate_pem`]).
    pub tls_certificate: Option<PathBuf>,
    /// Where simulated time starts; `None`: the wall clock's time when the sandbox starts.
    /// Everything that depends on the day (exchange rates, expiry and due dates) follows
    /// simulated time, so a fixed start ([`EXAMPLE_START`]) gives the same answers on any day.
    pub start: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            webhook_urls: Vec::new(),
            rate_limits: true,
            // Airalo documents a one-year token; a day keeps expiry reachable in a demo
            // without being hit by accident.
            token_ttl: Duration::from_secs(24 * 3600),
            opening_balance: 1000.0,
            tls_certificate: None,
            start: None,
        }
    }
}

type SkipHook = Arc<dyn Fn(&Shared) + Send + Sync>;
type RevokeHook = Arc<dyn Fn() + Send + Sync>;

/// What every provider simulation shares: configuration, the simulated clock, rate
/// limits and webhook delivery.
pub(crate) struct Shared {
    pub config: Config,
    pub clock: Clock,
    pub limits: rate_limit::RateLimiter,
    pub webhooks: webhooks::Webhooks,
    /// `http://host:port`, known once the listener is bound (for QR code URLs and such).
    pub origin: String,
    /// Run after every clock skip: providers emit the webhooks that time passing causes
    /// (low data, expiry).
    on_skip: std::sync::Mutex<Vec<SkipHook>>,
    /// Run by `POST /_sandbox/tokens/revoke`: each token-issuing provider forgets its tokens.
    on_revoke: std::sync::Mutex<Vec<RevokeHook>>,
    pub stats: stats::Recorder,
    /// The SMS platform's whitelist switch and outbox.
    pub sms: veloconnect_sms::Controls,
}

impl Shared {
    /// Moves simulated time forward by `by`, then lets every provider react.
    pub fn skip(&self, by: Duration) {
        self.clock.skip(by);
        let hooks = self.on_skip.lock().unwrap().clone();
        for hook in hooks {
            hook(self);
        }
    }

    pub fn on_skip(&self, hook: impl Fn(&Shared) + Send + Sync + 'static) {
        self.on_skip.lock().unwrap().push(Arc::new(hook));
    }

    pub fn on_revoke(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.on_revoke.lock().unwrap().push(Arc::new(hook));
    }

    /// Every bearer token issued so far is refused from now on, as a provider revoking them.
    pub fn revoke_tokens(&self) {
        let hooks = self.on_revoke.lock().unwrap().clone();
        for hook in hooks {
            hook();
        }
    }

    pub fn webhook_url(&self, provider: Provider) -> Option<String> {
        self.config
            .webhook_urls
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(_, url)| url.clone())
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    certificate_pem: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Sandbox {
    /// Binds `config.listen` and serves on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let tls = config.tls_certificate.as_ref().map(|_| tls::Tls::new()).transpose()?;
        let certificate_pem = tls.as_ref().map(|tls| tls.certificate_pem.clone());
        if let (Some(path), Some(pem)) = (&config.tls_certificate, &certificate_pem) {
            std::fs::write(path, pem)?;
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let clock = Clock::new(config.start);
        let shared = Arc::new(Shared {
            config,
            clock,
            limits: rate_limit::RateLimiter::default(),
            webhooks: webhooks::Webhooks::new(),
            origin: format!("{scheme}://{addr}"),
            on_skip: Default::default(),
            on_revoke: Default::default(),
            stats: Default::default(),
            sms: Default::default(),
        });
        let app = router(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            if let Some(tls) = tls {
                return tls.serve(listener, app, rx).await;
            }
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(err) = serve.await {
                tracing::error!(%err, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            addr,
            shared,
            certificate_pem,
            shutdown: Some(tx),
        })
    }

    /// [`start`](Self::start)s with the default configuration and simulated time beginning at
    /// `start`: what a test whose answers must not depend on the day wants.
    pub async fn starting_at(start: chrono::DateTime<chrono::Utc>) -> std::io::Result<Sandbox> {
        Sandbox::start(Config {
            start: Some(start),
            ..Config::default()
        })
        .await
    }

    /// The socket the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS): the admin endpoints live under
    /// `/_sandbox` of it.
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    /// The base URL to give `provider`'s client.
    pub fn base_url(&self, provider: Provider) -> String {
        format!("{}{}", self.shared.origin, provider.mount())
    }

    /// The self-signed certificate served with `Config::tls_certificate`, PEM.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The simulated clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Moves simulated time forward: usage grows, packages and tokens expire, and the
    /// webhooks that causes are sent. Also `POST /_sandbox/clock/skip {"seconds": N}`.
    pub fn skip(&self, by: Duration) {
        self.shared.skip(by);
    }

    /// Requests and 429 answers so far, by method and path.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Refuses every bearer token issued so far (HTTP 401), as a provider revoking them.
    pub fn revoke_tokens(&self) {
        self.shared.revoke_tokens();
    }

    /// Every webhook the sandbox has emitted so far, in order.
    pub fn webhooks(&self) -> Vec<Delivery> {
        self.shared.webhooks.deliveries()
    }

    /// The SMS platform refuses every credentialed call with "IP not Whitelisted" while this
    /// is `false` (as for a caller outside the account's whitelist); `true` on start.
    pub fn set_sms_ip_whitelisted(&self, whitelisted: bool) {
        self.shared.sms.set_ip_whitelisted(whitelisted);
    }

    /// Every SMS the SMS platform simulation sent (texts and verification codes), in order.
    pub fn sms_outbox(&self) -> Vec<OutboxSms> {
        self.shared.sms.outbox()
    }

    /// Waits until at least `n` webhooks have been emitted and their delivery attempted.
    pub async fn wait_for_webhooks(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        self.shared.webhooks.wait_for(n, timeout).await
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn router(shared: Arc<Shared>) -> axum::Router {
    provider_routes(axum::Router::new(), &shared)
        .nest("/_sandbox", admin::router(shared.clone()))
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn_with_state(shared, stats::record))
        // Gzip when the request asks for it (the clients do, as the providers' CDNs answer);
        // plain otherwise.
        .layer(tower_http::compression::CompressionLayer::new())
}
