//! Bearer tokens obtained from a provider's token endpoint (Airalo, PressOne): fetched
//! lazily, cached until shortly before expiry, refreshed once when the provider rejects one,
//! and shared, so any number of concurrent first calls make exactly one token request.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

/// A token and the moment it stops being valid.
#[derive(Clone)]
pub struct CachedToken {
    pub token: SecretString,
    pub expires_at: SystemTime,
}

impl CachedToken {
    /// A token valid for `lifetime` from now.
    pub fn new(token: impl Into<String>, lifetime: Duration) -> Self {
        Self {
            token: SecretString::from(token.into()),
            expires_at: SystemTime::now() + lifetime,
        }
    }

    fn fresh(&self, margin: Duration) -> bool {
        SystemTime::now() + margin < self.expires_at
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where tokens are kept beyond this process, so several processes share one token (the
/// providers rate-limit their token endpoints: Airalo allows 3 requests a minute).
/// Implement it over Redis, a database, a file…; errors are the store's to log and hide:
/// a store that cannot answer just returns `None` and the token is fetched.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> BoxFuture<'_, Option<CachedToken>>;
    fn save(&self, token: CachedToken) -> BoxFuture<'_, ()>;
}

/// Fetches a new token from the provider: given the HTTP client and the base URL.
pub type FetchToken = dyn Fn(reqwest::Client, String) -> BoxFuture<'static, Result<CachedToken, String>> + Send + Sync;

/// Why no token could be had. The message never contains a credential.
#[derive(Clone, Debug, thiserror::Error)]
#[error("could not obtain an access token: {0}")]
pub struct AuthError(pub String);

/// A shared, lazily refreshed bearer token. Clones share one cache.
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    state: tokio::sync::Mutex<State>,
    fetch: Box<FetchToken>,
    store: Option<Arc<dyn TokenStore>>,
    refresh_margin: Duration,
    failure_cooldown: Duration,
}

#[derive(Default)]
struct State {
    current: Option<CachedToken>,
    /// The last token the provider refused: never handed out again, even from the store.
    rejected: Option<SecretString>,
    last_failure: Option<(Instant, String)>,
    fetches: u64,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("store", &self.inner.store.is_some())
            .field("refresh_margin", &self.inner.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// `fetch` asks the provider for a token. Defaults: refresh 5 minutes before expiry; after
    /// a failed fetch, answer with that failure for 20 s instead of asking again.
    pub fn new(
        fetch: impl Fn(reqwest::Client, String) -> BoxFuture<'static, Result<CachedToken, String>> + Send + Sync + 'static,
    ) -> Self {
        Self::build(Box::new(fetch), None, Duration::from_secs(300), Duration::from_secs(20))
    }

    fn build(
        fetch: Box<FetchToken>,
        store: Option<Arc<dyn TokenStore>>,
        refresh_margin: Duration,
        failure_cooldown: Duration,
    ) -> Self {
        let state = tokio::sync::Mutex::new(State::default());
        Self {
            inner: Arc::new(Inner {
                state,
                fetch,
                store,
                refresh_margin,
                failure_cooldown,
            }),
        }
    }

    fn rebuild(self, f: impl FnOnce(&mut Option<Arc<dyn TokenStore>>, &mut Duration, &mut Duration)) -> Self {
        let inner = Arc::into_inner(self.inner).expect("configure a TokenProvider before sharing it");
        let (mut store, mut margin, mut cooldown) = (inner.store, inner.refresh_margin, inner.failure_cooldown);
        f(&mut store, &mut margin, &mut cooldown);
        Self::build(inner.fetch, store, margin, cooldown)
    }

    /// Share tokens through `store` (see [`TokenStore`]).
    pub fn with_store(self, store: Arc<dyn TokenStore>) -> Self {
        self.rebuild(|s, _, _| *s = Some(store))
    }

    /// Refresh this long before a token expires.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        self.rebuild(|_, m, _| *m = margin)
    }

    /// After a failed fetch, how long to answer with that failure instead of asking again.
    pub fn with_failure_cooldown(self, cooldown: Duration) -> Self {
        self.rebuild(|_, _, c| *c = cooldown)
    }

    /// How many times a token was requested from the provider.
    pub async fn fetch_count(&self) -> u64 {
        self.inner.state.lock().await.fetches
    }

    /// A valid token: the cached one, the store's, or a new one. Concurrent callers wait for
    /// one fetch instead of starting their own.
    pub async fn token(&self, http: &reqwest::Client, base_url: &str) -> Result<SecretString, AuthError> {
        let inner = &*self.inner;
        let mut state = inner.state.lock().await;
        if let Some(current) = state.current.as_ref().filter(|t| t.fresh(inner.refresh_margin)) {
            return Ok(current.token.clone());
        }
        if let Some(store) = &inner.store
            && let Some(stored) = store.load().await
            && stored.fresh(inner.refresh_margin)
            && !is_rejected(&state, &stored.token)
        {
            let token = stored.token.clone();
            state.current = Some(stored);
            return Ok(token);
        }
        if let Some((at, message)) = &state.last_failure
            && at.elapsed() < inner.failure_cooldown
        {
            return Err(AuthError(format!(
                "{message} (not retried for {:?})",
                inner.failure_cooldown
            )));
        }
        state.fetches += 1;
        match (inner.fetch)(http.clone(), base_url.to_owned()).await {
            Ok(fetched) => {
                state.last_failure = None;
                if let Some(store) = &inner.store {
                    store.save(fetched.clone()).await;
                }
                let token = fetched.token.clone();
                state.current = Some(fetched);
                Ok(token)
            }
            Err(message) => {
                state.last_failure = Some((Instant::now(), message.clone()));
                Err(AuthError(message))
            }
        }
    }

    /// The provider refused `token` (HTTP 401): forget it so the next [`token`](Self::token)
    /// fetches a new one. Callers that saw the same refusal concurrently cause one refresh.
    pub async fn reject(&self, token: &str) {
        let mut state = self.inner.state.lock().await;
        if state.current.as_ref().is_some_and(|t| t.token.expose_secret() == token) {
            state.current = None;
        }
        state.rejected = Some(SecretString::from(token.to_owned()));
    }
}

fn is_rejected(state: &State, token: &SecretString) -> bool {
    state
        .rejected
        .as_ref()
        .is_some_and(|r| r.expose_secret() == token.expose_secret())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn counting(name: &'static str, lifetime: Duration) -> (TokenProvider, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let seen = calls.clone();
        let provider = TokenProvider::new(move |_, _| {
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(CachedToken::new(format!("{name}-{n}"), lifetime))
            })
        });
        (provider, calls)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_calls_share_one_fetch() {
        let (provider, calls) = counting("token", Duration::from_secs(3600));
        let http = reqwest::Client::new();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (p, h) = (provider.clone(), http.clone());
                tokio::spawn(async move { p.token(&h, "http://x").await.unwrap().expose_secret().to_owned() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "token-1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_token_near_expiry_is_refreshed_and_a_rejected_one_replaced_once() {
        let (provider, calls) = counting("token", Duration::from_secs(60));
        let http = reqwest::Client::new();
        // 60 s lifetime is inside the 5-minute margin: every call refreshes.
        provider.token(&http, "").await.unwrap();
        provider.token(&http, "").await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let (provider, calls) = counting("token", Duration::from_secs(3600));
        let first = provider.token(&http, "").await.unwrap().expose_secret().to_owned();
        provider.reject(&first).await;
        provider.reject(&first).await;
        let second = provider.token(&http, "").await.unwrap().expose_secret().to_owned();
        assert_eq!((first.as_str(), second.as_str()), ("token-1", "token-2"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failing_token_endpoint_is_not_hammered() {
        let calls = Arc::new(AtomicU32::new(0));
        let seen = calls.clone();
        let provider = TokenProvider::new(move |_, _| {
            seen.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err("HTTP 503 from the token endpoint".to_owned()) })
        });
        let http = reqwest::Client::new();
        for _ in 0..10 {
            let err = provider.token(&http, "").await.unwrap_err();
            assert!(err.to_string().contains("HTTP 503"), "{err}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    struct SharedStore(std::sync::Mutex<Option<CachedToken>>);

    impl TokenStore for SharedStore {
        fn load(&self) -> BoxFuture<'_, Option<CachedToken>> {
            Box::pin(async { self.0.lock().unwrap().clone() })
        }
        fn save(&self, token: CachedToken) -> BoxFuture<'_, ()> {
            Box::pin(async move { *self.0.lock().unwrap() = Some(token) })
        }
    }

    #[tokio::test]
    async fn two_providers_share_a_token_through_a_store() {
        let store = Arc::new(SharedStore(std::sync::Mutex::new(None)));
        let (a, a_calls) = counting("a", Duration::from_secs(3600));
        let (b, b_calls) = counting("b", Duration::from_secs(3600));
        let (a, b) = (a.with_store(store.clone()), b.with_store(store));
        let http = reqwest::Client::new();
        let from_a = a.token(&http, "").await.unwrap().expose_secret().to_owned();
        let from_b = b.token(&http, "").await.unwrap().expose_secret().to_owned();
        assert_eq!(from_a, from_b);
        assert_eq!((a_calls.load(Ordering::SeqCst), b_calls.load(Ordering::SeqCst)), (1, 0));
        // A token the provider refused is not taken from the store again.
        b.reject(&from_b).await;
        assert_eq!(b.token(&http, "").await.unwrap().expose_secret(), "b-1");
        assert_eq!(b_calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn debug_output_hides_tokens() {
        let token = CachedToken::new("super-secret-token", Duration::from_secs(1));
        assert!(!format!("{token:?}").contains("super-secret"));
    }
}

/// The client-credentials exchange Airalo-shaped APIs use: a form POST of `client_id`,
/// `client_secret` and `grant_type=client_credentials` to `{base_url}{path}`, answered with
/// `{"data": {"access_token", "expires_in", "token_type"}}`. Tokens are kept at most `max_age`
/// even when `expires_in` promises more (Airalo: a year promised, refresh daily advised).
pub fn client_credentials(
    path: &'static str,
    client_id: impl Into<String>,
    client_secret: impl Into<SecretString>,
    max_age: Duration,
) -> TokenProvider {
    let client_id: String = client_id.into();
    let client_secret: SecretString = client_secret.into();
    TokenProvider::new(move |http, base_url| {
        let form = [
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose_secret().to_owned()),
            ("grant_type", "client_credentials".to_owned()),
        ];
        Box::pin(async move {
            let url = format!("{base_url}{path}");
            let response = http
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await
                .map_err(|e| format!("token request to {url} failed: {}", e.without_url()))?;
            let status = response.status();
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("token response from {url} was cut off: {e}"))?;
            parse_token(status, &body, max_age).map_err(|reason| format!("token endpoint {url}: {reason}"))
        })
    })
}

fn parse_token(status: reqwest::StatusCode, body: &[u8], max_age: Duration) -> Result<CachedToken, String> {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if !status.is_success() {
        // The provider's message only: the body of a failed exchange carries no secret.
        let message = json["meta"]["message"]
            .as_str()
            .or(json["message"].as_str())
            .unwrap_or("no message");
        return Err(format!("HTTP {status}: {message}"));
    }
    let data = &json["data"];
    let token = data["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or("no access_token in the answer")?;
    let expires_in = data["expires_in"]
        .as_u64()
        .or_else(|| data["expires_in"].as_str().and_then(|s| s.parse().ok()))
        .map(Duration::from_secs)
        .unwrap_or(max_age);
    Ok(CachedToken::new(token, expires_in.min(max_age)))
}

#[cfg(test)]
mod exchange_tests {
    use super::*;
    use httpmock::MockServer;

    #[tokio::test]
    async fn posts_the_form_and_caps_the_lifetime() {
        let server = MockServer::start_async().await;
        let mock = server.mock(|when, then| {
            when.method("POST")
                .path("/v2/token")
                .form_urlencoded_tuple("client_id", "id")
                .form_urlencoded_tuple("client_secret", "s3cret")
                .form_urlencoded_tuple("grant_type", "client_credentials");
            then.status(200).json_body(serde_json::json!({
                "data": {"token_type": "Bearer", "expires_in": 31622400, "access_token": "tok"},
                "meta": {"message": "success"}
            }));
        });
        let provider = client_credentials("/token", "id", "s3cret".to_owned(), Duration::from_secs(86_400));
        let http = reqwest::Client::new();
        let token = provider.token(&http, &server.url("/v2")).await.unwrap();
        assert_eq!(token.expose_secret(), "tok");
        mock.assert();
        let state = provider.inner.state.lock().await;
        let lifetime = state
            .current
            .as_ref()
            .unwrap()
            .expires_at
            .duration_since(SystemTime::now())
            .unwrap();
        assert!(lifetime <= Duration::from_secs(86_400) && lifetime > Duration::from_secs(86_000));
    }

    #[tokio::test]
    async fn a_refusal_says_why_without_the_secret() {
        let server = MockServer::start_async().await;
        server.mock(|when, then| {
            when.method("POST").path("/token");
            then.status(401)
                .json_body(serde_json::json!({"data": [], "meta": {"message": "Client authentication failed"}}));
        });
        let provider = client_credentials("/token", "id", "s3cret-value".to_owned(), Duration::from_secs(60));
        let err = provider
            .token(&reqwest::Client::new(), &server.base_url())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("401") && err.contains("Client authentication failed"),
            "{err}"
        );
        assert!(!err.contains("s3cret"), "{err}");
    }
}
