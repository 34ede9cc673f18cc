//! Building a client: base URL, timeouts, retry policy and credentials, in one place.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::body::BodyFailure;
use crate::budget::{Budget, OperationLimit, SharedState};
use crate::descriptor::Descriptor;
use crate::observe::{Observe, Observer};
use crate::telemetry::{Route, Telemetry};
use crate::{RetryPolicy, Runtime, TokenProvider};

/// How a generated client is assembled from the parts a [`ClientConfig`] builds, with the
/// facts of its spec that the runtime needs (implemented by `connect_client!`).
pub trait FromParts: Sized {
    /// The provider's name (its spec's file name): names its state in a shared store.
    const PROVIDER: &'static str;
    /// The provider as its spec declares it (the generated `PROVIDER`).
    const DESCRIPTOR: &'static Descriptor;
    /// The provider's documented rate limits, per operation.
    const RATE_LIMITS: &'static [OperationLimit];
    /// Operations whose HTTP 200 can carry a refusal in the body (`x-body-failure`).
    const BODY_FAILURES: &'static [BodyFailure] = &[];
    /// Every operation's method and path template, sorted by method name: what its spans
    /// are named after.
    const ROUTES: &'static [Route];

    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// How a tool that knows a provider only by its descriptor builds the client (`esim`, the
/// market adapters' registration, the tests). Implemented by hand beside the client's own
/// constructors: only they know how the provider wants its credential sent.
pub trait Connect: FromParts {
    /// A configuration on `base_url` for the credential `values`, one per
    /// [`Descriptor::credential_variables`] in that order (a caller passing another count is
    /// a bug, and panics). A client-credentials provider passes its token provider through
    /// `keep_tokens` first, so the caller can give it a store.
    fn connect(
        base_url: &str,
        values: Vec<String>,
        keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Self>;
}

/// A credential sent on every request. Its value never appears in `Debug` output.
#[derive(Clone)]
pub enum Credential {
    /// A static header, e.g. `X-API-Key: <key>` or `Authorization: Apikey <key>`.
    Header { name: HeaderName, value: SecretString },
    /// `Authorization: Bearer <token>`, the token obtained and refreshed by a [`TokenProvider`].
    Bearer(TokenProvider),
    /// Fields added to every JSON request body, e.g. `api_id` and `api_password`, for
    /// providers that authenticate in the payload (the spec's `x-body-credential`). Sent only
    /// in bodies, never in URLs.
    BodyFields(Vec<(&'static str, SecretString)>),
}

impl Credential {
    /// A header credential: `header("x-api-key", key)`. The name must be a valid header name.
    pub fn header(name: &'static str, value: impl Into<String>) -> Self {
        Credential::Header {
            name: HeaderName::from_static(name),
            value: SecretString::from(value.into()),
        }
    }

    /// A body-field credential: `body_fields([("api_id", id), ("api_password", password)])`.
    pub fn body_fields<V: Into<String>>(fields: impl IntoIterator<Item = (&'static str, V)>) -> Self {
        Credential::BodyFields(
            fields
                .into_iter()
                .map(|(name, value)| (name, SecretString::from(value.into())))
                .collect(),
        )
    }

    /// Whose calls these are, without the secret: a token provider's identity (the client
    /// id), or a digest of a header or body-field credential. Names rate windows and tokens in
    /// a shared store.
    fn identity(&self) -> String {
        match self {
            Credential::Header { value, .. } => {
                let mut hasher = DefaultHasher::new();
                value.expose_secret().hash(&mut hasher);
                format!("key-{:016x}", hasher.finish())
            }
            Credential::Bearer(provider) => provider.identity().unwrap_or("-").to_owned(),
            Credential::BodyFields(fields) => {
                let mut hasher = DefaultHasher::new();
                for (name, value) in fields {
                    (name, value.expose_secret()).hash(&mut hasher);
                }
                format!("fields-{:016x}", hasher.finish())
            }
        }
    }

    /// Checked once, when the client is built: a header value must be valid.
    pub(crate) fn resolve(&self) -> Result<Auth, BuildError> {
        match self {
            Credential::Header { name, value } => {
                let header = sensitive(value.expose_secret()).ok_or_else(|| BuildError::InvalidCredential {
                    header: name.to_string(),
                })?;
                Ok(Auth::Header(name.clone(), header))
            }
            Credential::Bearer(provider) => Ok(Auth::Bearer(provider.clone())),
            Credential::BodyFields(fields) => Ok(Auth::BodyFields(fields.clone())),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Header { name, .. } => write!(f, "Credential::Header({name}: [REDACTED])"),
            Credential::Bearer(provider) => write!(f, "Credential::Bearer({provider:?})"),
            Credential::BodyFields(fields) => {
                let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                write!(f, "Credential::BodyFields({}: [REDACTED])", names.join(", "))
            }
        }
    }
}

/// A credential ready to attach to requests.
#[derive(Clone, Debug)]
pub(crate) enum Auth {
    Header(HeaderName, HeaderValue),
    Bearer(TokenProvider),
    /// `SecretString` prints `[REDACTED]` in `Debug`.
    BodyFields(Vec<(&'static str, SecretString)>),
}

/// A header value marked sensitive: `Debug` prints `Sensitive`, HTTP/2 never indexes it.
pub(crate) fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// Why a client could not be built.
#[derive(Debug)]
pub enum BuildError {
    InvalidBaseUrl { url: String, reason: String },
    MissingBaseUrl(&'static str),
    InvalidCredential { header: String },
    Http(reqwest::Error),
    Tls(String),
}

// Written out rather than derived with thiserror: its proc macro would be the one in a
// service's cold build that only this crate asks for.
impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidBaseUrl { url, reason } => write!(f, "invalid base URL {url:?}: {reason}"),
            BuildError::MissingBaseUrl(note) => write!(f, "no base URL was given: {note}"),
            BuildError::InvalidCredential { header } => {
                write!(f, "the credential for header `{header}` is not a valid header value")
            }
            BuildError::Http(e) => write!(f, "could not build the HTTP client: {e}"),
            BuildError::Tls(reason) => write!(f, "could not configure TLS: {reason}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// Settings for one client of type `C`; `build()` returns the client.
pub struct ClientConfig<C> {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    credential: Option<Credential>,
    user_agent: String,
    base_url_note: Option<&'static str>,
    shared: Option<Arc<dyn SharedState>>,
    rate_budgets: bool,
    compressed_answers: bool,
    observe: Observe,
    client: PhantomData<fn() -> C>,
}

impl<C> Clone for ClientConfig<C> {
    fn clone(&self) -> Self {
        Self {
            base_url: self.base_url.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry.clone(),
            credential: self.credential.clone(),
            user_agent: self.user_agent.clone(),
            base_url_note: self.base_url_note,
            shared: self.shared.clone(),
            rate_budgets: self.rate_budgets,
            compressed_answers: self.compressed_answers,
            observe: self.observe,
            client: PhantomData,
        }
    }
}

impl<C> fmt::Debug for ClientConfig<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("credential", &self.credential)
            .field("user_agent", &self.user_agent)
            .field("shared_state", &self.shared.is_some())
            .field("rate_budgets", &self.rate_budgets)
            .field("compressed_answers", &self.compressed_answers)
            .field("observe", &self.observe)
            .finish()
    }
}

impl<C: FromParts> ClientConfig<C> {
    /// Defaults: 30 s per request, 10 s to connect, [`RetryPolicy::default`], no credential.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            credential: None,
            user_agent: concat!("provider-clients/", env!("CARGO_PKG_VERSION")).to_owned(),
            base_url_note: None,
            shared: None,
            rate_budgets: true,
            compressed_answers: true,
            observe: Observe::OFF,
            client: PhantomData,
        }
    }

    /// For providers with no public host: `build()` refuses an empty base URL with `why`.
    pub fn base_url_required(mut self, why: &'static str) -> Self {
        self.base_url_note = Some(why);
        self
    }

    /// Any base URL: a sandbox, a proxy, a mock server.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Upper bound for one attempt, from connecting to the last body byte.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// State shared by every replica of the service (e.g. `provider_fleet::RedisStore`): one
    /// bearer token for the whole fleet, fetched by one replica while the others wait, and
    /// rate windows that every replica paces against. A token store given to the
    /// [`TokenProvider`] itself is kept. When the shared store cannot answer, the client
    /// fetches and paces in its own process.
    pub fn shared_state(mut self, shared: Arc<dyn SharedState>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Whether calls are paced to stay under the provider's documented rate limits (on by
    /// default). Off, every call is sent at once and a 429 is the provider's: for an account
    /// with negotiated limits, or a test of a server's own limits.
    pub fn rate_budgets(mut self, on: bool) -> Self {
        self.rate_budgets = on;
        self
    }

    /// Whether answers are asked for compressed (`Accept-Encoding: gzip`, on by default) and
    /// decoded as they arrive. A catalogue is a tenth of its size on the wire; off, the
    /// provider answers plainly (for reading raw traffic in a proxy).
    pub fn compressed_answers(mut self, on: bool) -> Self {
        self.compressed_answers = on;
        self
    }

    /// Observe mode (off by default): success bodies, all or a sample, are also checked for
    /// keys the typed model does not declare, each reported once per process as a `tracing`
    /// WARN and the counter `provider.response.undeclared_fields`; never the value
    /// ([`crate::observe`]).
    pub fn observe(mut self, observe: Observe) -> Self {
        self.observe = observe;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn build(self) -> Result<C, BuildError> {
        if self.base_url.trim().is_empty() {
            return Err(BuildError::MissingBaseUrl(
                self.base_url_note.unwrap_or("pass one with `.base_url(..)`"),
            ));
        }
        let url = reqwest::Url::parse(&self.base_url).map_err(|e| BuildError::InvalidBaseUrl {
            url: self.base_url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BuildError::InvalidBaseUrl {
                url: self.base_url,
                reason: "the scheme must be http or https".into(),
            });
        }
        // Generated paths start with `/`; a trailing slash on the base would double it.
        let base = self.base_url.trim_end_matches('/');
        let identity = self.credential.as_ref().map(Credential::identity).unwrap_or_default();
        let owner = format!("{}|{base}|{identity}", C::PROVIDER);
        let credential = match (self.credential, &self.shared) {
            (Some(Credential::Bearer(tokens)), Some(shared)) if !tokens.has_store() => {
                Some(Credential::Bearer(tokens.with_store(shared.token_store(&owner))))
            }
            (credential, _) => credential,
        };
        let auth = credential.as_ref().map(Credential::resolve).transpose()?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .gzip(self.compressed_answers);
        let http = crate::tls::backend(http)?.build().map_err(BuildError::Http)?;
        let limits = if self.rate_budgets { C::RATE_LIMITS } else { &[] };
        let budget = Budget::new(limits, owner, self.shared);
        let telemetry = Telemetry::new(C::PROVIDER, C::ROUTES, base);
        let observer = Observer::new(C::PROVIDER, self.observe);
        let runtime = Runtime::new(base, self.retry, auth, budget, C::BODY_FAILURES, telemetry, observer);
        Ok(C::from_parts(base, http, runtime))
    }
}
