//! Bearer tokens obtained from a provider's token endpoint: fetched lazily, cached until
//! shortly before expiry, refreshed once when the provider rejects one, and shared, so any
//! number of concurrent first calls make exactly one token request: in this process through
//! one lock, and across processes (a fleet of replicas) through a [`TokenStore`] that offers
//! a fetch lock.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use crate::telemetry::Labels;

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

/// Where tokens are kept beyond this process, so that every process using one credential
/// shares one token (providers rate-limit their token endpoints, e.g. to 3 requests a
/// minute). A store's errors are its own to log and hide: a store that cannot answer returns
/// `None` or [`FetchLock::Unavailable`], and the client goes on with in-process behaviour.
///
/// Only `load` and `save` are required. A store shared by several processes should also
/// offer the fetch lock (`lock`), so that exactly one of them asks the token endpoint while
/// the others wait for its result, and `forget`/`save_failure`/`failure`, so that a refused
/// token is replaced once and a failing endpoint is asked once per cooldown by all of them.
pub trait TokenStore: Send + Sync {
    /// The stored token, if there is a readable one.
    fn load(&self) -> BoxFuture<'_, Option<CachedToken>>;

    /// Stores a newly fetched token for every process.
    fn save(&self, token: CachedToken) -> BoxFuture<'_, ()>;

    /// Tries to become the one process that fetches a token, for at most `hold` (the lock
    /// expires by itself if its holder dies).
    fn lock(&self, hold: Duration) -> BoxFuture<'_, FetchLock> {
        let _ = hold;
        Box::pin(async { FetchLock::Unavailable })
    }

    /// The provider refused `token`: remove it from the store if it is still the stored one
    /// (a newer token saved meanwhile stays).
    fn forget<'a>(&'a self, token: &'a SecretString) -> BoxFuture<'a, ()> {
        let _ = token;
        Box::pin(async {})
    }

    /// The token endpoint failed: every process answers with `message` for `cooldown`
    /// instead of asking again. The message never holds a credential.
    fn save_failure<'a>(&'a self, message: &'a str, cooldown: Duration) -> BoxFuture<'a, ()> {
        let _ = (message, cooldown);
        Box::pin(async {})
    }

    /// A failure saved by [`save_failure`](Self::save_failure) whose cooldown is not over.
    fn failure(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async { None })
    }
}

/// The answer of [`TokenStore::lock`].
pub enum FetchLock {
    /// This process fetches; release the guard when the result is saved.
    Acquired(Box<dyn FetchGuard>),
    /// Another process is fetching: wait for its token to appear in the store.
    Held,
    /// The store offers no lock or cannot answer now: fetch in this process.
    Unavailable,
}

/// Held while this process fetches a token for every process sharing the store.
pub trait FetchGuard: Send {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// Fetches a new token from the provider: given the HTTP client and the base URL.
pub type FetchToken = dyn Fn(reqwest::Client, String) -> BoxFuture<'static, Result<CachedToken, String>> + Send + Sync;

/// Why no token could be had. The message never contains a credential.
#[derive(Clone, Debug)]
pub struct AuthError(pub String);

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not obtain an access token: {}", self.0)
    }
}

impl std::error::Error for AuthError {}

/// A shared, lazily refreshed bearer token. Clones share one cache.
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Settings {
    store: Option<Arc<dyn TokenStore>>,
    identity: Option<String>,
    refresh_margin: Duration,
    failure_cooldown: Duration,
    lock_hold: Duration,
    poll: Duration,
}

struct Inner {
    state: tokio::sync::Mutex<State>,
    fetch: Arc<FetchToken>,
    settings: Settings,
}

#[derive(Default)]
struct State {
    current: Option<CachedToken>,
    /// The last token the provider refused: never handed out again, even from the store.
    rejected: Option<SecretString>,
    last_failure: Option<(Instant, String)>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.inner.settings;
        f.debug_struct("TokenProvider")
            .field("identity", &settings.identity)
            .field("store", &settings.store.is_some())
            .field("refresh_margin", &settings.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// `fetch` asks the provider for a token. Defaults: refresh 5 minutes before expiry; after
    /// a failed fetch, answer with that failure for 20 s instead of asking again; wait at most
    /// 30 s for another process's fetch.
    pub fn new(
        fetch: impl Fn(reqwest::Client, String) -> BoxFuture<'static, Result<CachedToken, String>> + Send + Sync + 'static,
    ) -> Self {
        let settings = Settings {
            store: None,
            identity: None,
            refresh_margin: Duration::from_secs(300),
            failure_cooldown: Duration::from_secs(20),
            lock_hold: Duration::from_secs(30),
            poll: Duration::from_millis(25),
        };
        Self::build(Arc::new(fetch), settings)
    }

    fn build(fetch: Arc<FetchToken>, settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: tokio::sync::Mutex::new(State::default()),
                fetch,
                settings,
            }),
        }
    }

    /// Settings apply to a new cache: configure a provider before its first token.
    fn with(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings.clone();
        change(&mut settings);
        Self::build(self.inner.fetch.clone(), settings)
    }

    /// Share tokens through `store` (see [`TokenStore`]).
    pub fn with_store(self, store: Arc<dyn TokenStore>) -> Self {
        self.with(|s| s.store = Some(store))
    }

    /// Who the tokens are for (e.g. the client id, never a secret): names the token and the
    /// rate budgets in a shared store.
    pub fn with_identity(self, identity: impl Into<String>) -> Self {
        let identity = identity.into();
        self.with(|s| s.identity = Some(identity))
    }

    /// Refresh this long before a token expires.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        self.with(|s| s.refresh_margin = margin)
    }

    /// After a failed fetch, how long to answer with that failure instead of asking again.
    pub fn with_failure_cooldown(self, cooldown: Duration) -> Self {
        self.with(|s| s.failure_cooldown = cooldown)
    }

    /// How long one process may hold the shared fetch lock, and so how long the others wait
    /// for its token before they take over.
    pub fn with_lock_hold(self, hold: Duration) -> Self {
        self.with(|s| s.lock_hold = hold)
    }

    /// The identity given with [`with_identity`](Self::with_identity).
    pub fn identity(&self) -> Option<&str> {
        self.inner.settings.identity.as_deref()
    }

    /// Whether a store was configured.
    pub fn has_store(&self) -> bool {
        self.inner.settings.store.is_some()
    }

    /// A valid token: the cached one, the store's, or a new one. Concurrent callers in this
    /// process wait for one fetch; with a store that offers a lock, so do other processes.
    pub async fn token(&self, http: &reqwest::Client, base_url: &str) -> Result<SecretString, AuthError> {
        self.obtain(http, base_url, None).await
    }

    /// [`token`](Self::token) for a call, whose labels its token fetches are counted under.
    pub(crate) async fn token_for_call(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        call: Labels,
    ) -> Result<SecretString, AuthError> {
        self.obtain(http, base_url, Some(call)).await
    }

    async fn obtain(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        call: Option<Labels>,
    ) -> Result<SecretString, AuthError> {
        let inner = &*self.inner;
        let settings = &inner.settings;
        let mut state = inner.state.lock().await;
        if let Some(current) = state.current.as_ref().filter(|t| t.fresh(settings.refresh_margin)) {
            return Ok(current.token.clone());
        }
        if let Some((at, message)) = &state.last_failure
            && at.elapsed() < settings.failure_cooldown
        {
            return Err(cooling_down(message, settings.failure_cooldown));
        }
        let Some(store) = &settings.store else {
            return self.fetch(&mut state, http, base_url, None, call).await;
        };
        // Bounded: if the lock's holder dies, its lock expires within `lock_hold` and a
        // waiter takes over; past that, this process fetches on its own.
        let deadline = Instant::now() + settings.lock_hold + Duration::from_secs(5);
        loop {
            if let Some(token) = self.usable_from_store(&mut state, store).await {
                return Ok(token);
            }
            if let Some(message) = store.failure().await {
                state.last_failure = Some((Instant::now(), message.clone()));
                return Err(cooling_down(&message, settings.failure_cooldown));
            }
            match store.lock(settings.lock_hold).await {
                FetchLock::Acquired(guard) => {
                    // The previous holder may have saved a token, or a failure, between our
                    // look at the store and our lock.
                    let result = match self.usable_from_store(&mut state, store).await {
                        Some(token) => Ok(token),
                        None => match store.failure().await {
                            Some(message) => {
                                state.last_failure = Some((Instant::now(), message.clone()));
                                Err(cooling_down(&message, settings.failure_cooldown))
                            }
                            None => self.fetch(&mut state, http, base_url, Some(store), call).await,
                        },
                    };
                    guard.release().await;
                    return result;
                }
                FetchLock::Held if Instant::now() < deadline => tokio::time::sleep(settings.poll).await,
                FetchLock::Held | FetchLock::Unavailable => {
                    if let Some(call) = call {
                        call.store_fallback("token_fetch");
                    }
                    return self.fetch(&mut state, http, base_url, Some(store), call).await;
                }
            }
        }
    }

    /// The provider refused `token` (HTTP 401): forget it here and in the store, so the next
    /// [`token`](Self::token) gets a new one. Callers that saw the same refusal concurrently,
    /// in this process or any other sharing the store, cause one refresh.
    pub async fn reject(&self, token: &str) {
        let mut state = self.inner.state.lock().await;
        if state.current.as_ref().is_some_and(|t| t.token.expose_secret() == token) {
            state.current = None;
        }
        let rejected = SecretString::from(token.to_owned());
        if let Some(store) = &self.inner.settings.store {
            store.forget(&rejected).await;
        }
        state.rejected = Some(rejected);
    }

    async fn usable_from_store(&self, state: &mut State, store: &Arc<dyn TokenStore>) -> Option<SecretString> {
        let stored = store.load().await?;
        if !stored.fresh(self.inner.settings.refresh_margin) || is_rejected(state, &stored.token) {
            return None;
        }
        let token = stored.token.clone();
        state.current = Some(stored);
        Some(token)
    }

    async fn fetch(
        &self,
        state: &mut State,
        http: &reqwest::Client,
        base_url: &str,
        store: Option<&Arc<dyn TokenStore>>,
        call: Option<Labels>,
    ) -> Result<SecretString, AuthError> {
        let settings = &self.inner.settings;
        let started = Instant::now();
        let fetched = (self.inner.fetch)(http.clone(), base_url.to_owned()).await;
        if let Some(call) = call {
            call.token_fetch(if fetched.is_ok() { "ok" } else { "error" }, started.elapsed());
        }
        match fetched {
            Ok(fetched) => {
                state.last_failure = None;
                if let Some(store) = store {
                    store.save(fetched.clone()).await;
                }
                let token = fetched.token.clone();
                state.current = Some(fetched);
                Ok(token)
            }
            Err(message) => {
                if let Some(store) = store {
                    store.save_failure(&message, settings.failure_cooldown).await;
                }
                state.last_failure = Some((Instant::now(), message.clone()));
                Err(AuthError(message))
            }
        }
    }
}

fn cooling_down(message: &str, cooldown: Duration) -> AuthError {
    AuthError(format!("{message} (not retried for {cooldown:?})"))
}

fn is_rejected(state: &State, token: &SecretString) -> bool {
    state
        .rejected
        .as_ref()
        .is_some_and(|r| r.expose_secret() == token.expose_secret())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
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
        let http = crate::tls::test_client();
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
        let http = crate::tls::test_client();
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
        let http = crate::tls::test_client();
        for _ in 0..10 {
            let err = provider.token(&http, "").await.unwrap_err();
            assert!(err.to_string().contains("HTTP 503"), "{err}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// A store shared in memory, with the whole fleet protocol: what a Redis store does
    /// across processes, these tests check across providers.
    #[derive(Default)]
    struct SharedStore {
        token: Mutex<Option<CachedToken>>,
        locked: Mutex<bool>,
        failure: Mutex<Option<(Instant, Duration, String)>>,
    }

    struct Guard(Arc<SharedStore>);

    impl FetchGuard for Guard {
        fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
            Box::pin(async move { *self.0.locked.lock().unwrap() = false })
        }
    }

    struct Handle(Arc<SharedStore>);

    impl TokenStore for Handle {
        fn load(&self) -> BoxFuture<'_, Option<CachedToken>> {
            Box::pin(async { self.0.token.lock().unwrap().clone() })
        }
        fn save(&self, token: CachedToken) -> BoxFuture<'_, ()> {
            Box::pin(async move { *self.0.token.lock().unwrap() = Some(token) })
        }
        fn lock(&self, _: Duration) -> BoxFuture<'_, FetchLock> {
            Box::pin(async {
                let mut locked = self.0.locked.lock().unwrap();
                if *locked {
                    return FetchLock::Held;
                }
                *locked = true;
                FetchLock::Acquired(Box::new(Guard(self.0.clone())))
            })
        }
        fn forget<'a>(&'a self, token: &'a SecretString) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let mut stored = self.0.token.lock().unwrap();
                if stored
                    .as_ref()
                    .is_some_and(|t| t.token.expose_secret() == token.expose_secret())
                {
                    *stored = None;
                }
            })
        }
        fn save_failure<'a>(&'a self, message: &'a str, cooldown: Duration) -> BoxFuture<'a, ()> {
            Box::pin(
                async move { *self.0.failure.lock().unwrap() = Some((Instant::now(), cooldown, message.to_owned())) },
            )
        }
        fn failure(&self) -> BoxFuture<'_, Option<String>> {
            Box::pin(async {
                let failure = self.0.failure.lock().unwrap();
                failure
                    .as_ref()
                    .filter(|(at, cooldown, _)| at.elapsed() < *cooldown)
                    .map(|f| f.2.clone())
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn providers_sharing_a_store_make_one_fetch_and_replace_a_refused_token_once() {
        let store = Arc::new(SharedStore::default());
        let calls = Arc::new(AtomicU32::new(0));
        let providers: Vec<TokenProvider> = (0..20)
            .map(|_| {
                let seen = calls.clone();
                TokenProvider::new(move |_, _| {
                    let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
                    Box::pin(async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(CachedToken::new(format!("t-{n}"), Duration::from_secs(3600)))
                    })
                })
                .with_store(Arc::new(Handle(store.clone())))
            })
            .collect();
        let http = crate::tls::test_client();
        let all = |providers: &[TokenProvider]| {
            let tasks: Vec<_> = providers
                .iter()
                .map(|p| {
                    let (p, h) = (p.clone(), http.clone());
                    tokio::spawn(async move { p.token(&h, "").await.unwrap().expose_secret().to_owned() })
                })
                .collect();
            futures_util::future::join_all(tasks)
        };
        for token in all(&providers).await {
            assert_eq!(token.unwrap(), "t-1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        for p in &providers {
            p.reject("t-1").await;
        }
        for token in all(&providers).await {
            assert_eq!(token.unwrap(), "t-2");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failure_is_shared_for_the_cooldown() {
        let store = Arc::new(SharedStore::default());
        let calls = Arc::new(AtomicU32::new(0));
        let make = || {
            let seen = calls.clone();
            TokenProvider::new(move |_, _| {
                seen.fetch_add(1, Ordering::SeqCst);
                Box::pin(async { Err("HTTP 503 from the token endpoint".to_owned()) })
            })
            .with_store(Arc::new(Handle(store.clone())))
        };
        let (a, b) = (make(), make());
        let http = crate::tls::test_client();
        assert!(a.token(&http, "").await.unwrap_err().to_string().contains("503"));
        let err = b.token(&http, "").await.unwrap_err().to_string();
        assert!(err.contains("503") && err.contains("not retried"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_store_without_a_lock_still_shares_saved_tokens() {
        struct Plain(Mutex<Option<CachedToken>>);
        impl TokenStore for Plain {
            fn load(&self) -> BoxFuture<'_, Option<CachedToken>> {
                Box::pin(async { self.0.lock().unwrap().clone() })
            }
            fn save(&self, token: CachedToken) -> BoxFuture<'_, ()> {
                Box::pin(async move { *self.0.lock().unwrap() = Some(token) })
            }
        }
        let store = Arc::new(Plain(Mutex::new(None)));
        let (a, a_calls) = counting("a", Duration::from_secs(3600));
        let (b, b_calls) = counting("b", Duration::from_secs(3600));
        let (a, b) = (a.with_store(store.clone()), b.with_store(store));
        let http = crate::tls::test_client();
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
