//! What every generated client does around each HTTP exchange.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use progenitor_client::OperationInfo;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, Request, Response, StatusCode};
use secrecy::ExposeSecret;
use tracing::Instrument;

use crate::body::{BodyFailure, add_fields, surface_refusal};
use crate::budget::{Budget, BudgetExceeded};
use crate::config::{Auth, sensitive};
use crate::observe::Observer;
use crate::retry::{is_retryable_status, retry_after};
use crate::telemetry::{Call, Labels, Telemetry};
use crate::{AuthError, RetryPolicy};

/// Per-client state carried inside each generated `Client` (progenitor's "inner" value).
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

struct Shared {
    base_url: String,
    retry: RetryPolicy,
    auth: Option<Auth>,
    budget: Budget,
    body_failures: &'static [BodyFailure],
    telemetry: Telemetry,
    observer: Observer,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("retry", &self.shared.retry)
            .field("base_url", &self.shared.base_url)
            .field("auth", &self.shared.auth)
            .finish()
    }
}

impl Runtime {
    pub(crate) fn new(
        base_url: &str,
        retry: RetryPolicy,
        auth: Option<Auth>,
        budget: Budget,
        body_failures: &'static [BodyFailure],
        telemetry: Telemetry,
        observer: Observer,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                base_url: base_url.to_owned(),
                retry,
                auth,
                budget,
                body_failures,
                telemetry,
                observer,
            }),
        }
    }

    /// Decodes a success body as progenitor's `ResponseValue::from_response` does and, in
    /// observe mode (`ClientConfig::observe`), reports the keys the type skipped
    /// ([`crate::observe`]). The generated `send` of every operation with a JSON success body
    /// calls it (`cargo xtask regen` routes the decode here).
    pub async fn decode<T: serde::de::DeserializeOwned, E>(
        &self,
        response: Response,
        info: &OperationInfo,
    ) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
        self.shared.observer.decode(response, info).await
    }

    /// Opens the call's span (see [`telemetry`](crate::telemetry)), waits for the operation's
    /// slot under the provider's documented limits, at most the retry policy's `max_delay`
    /// (refusing the call, unsent, when its slot is further away), and attaches the credential
    /// unless the operation is `anonymous`. Called from each client's `ClientHooks::pre`; fails
    /// with the refusal's message, or when a bearer token cannot be obtained.
    pub async fn prepare(
        &self,
        http: &reqwest::Client,
        request: &mut Request,
        info: &OperationInfo,
        anonymous: bool,
    ) -> Result<(), String> {
        let call = self
            .shared
            .telemetry
            .start(info.operation_id, request.method().as_str());
        let prepared = async {
            let admitted = self.admit(request, call.labels).await;
            admitted.map_err(|e| {
                call.refused();
                e.to_string()
            })?;
            if !anonymous {
                let authorized = self.authorize(http, request, call.labels).await;
                authorized.map_err(|e| {
                    call.unauthorized();
                    e.to_string()
                })?;
            }
            Ok(())
        }
        .instrument(call.span.clone())
        .await;
        if prepared.is_ok() {
            call.hand_over();
        }
        prepared
    }

    /// Sends `request` for the operation `info`: drops progenitor's `api-version` header
    /// (no provider defines it), retries GET/HEAD on 408/429/502/503/504 and connection
    /// failures within the retry policy, replaces a refused bearer token once, turns a 200
    /// whose body is a refusal (`BodyFailure`) into the operation's error answer, and records
    /// the call's span and metrics. Called from each client's `ClientHooks::exec`.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        request.headers_mut().remove("api-version");
        let call = Call::take_over(info.operation_id).unwrap_or_else(|| {
            self.shared
                .telemetry
                .start(info.operation_id, request.method().as_str())
        });
        let started = Instant::now();
        let sent = self.send_authorized(http, request, &call);
        let (result, attempts) = sent.instrument(call.span.clone()).await;
        call.finish(&result, attempts - 1, started.elapsed());
        let rule = self
            .shared
            .body_failures
            .iter()
            .find(|r| r.operation == info.operation_id);
        match (result, rule) {
            (Ok(response), Some(rule)) => surface_refusal(response, rule).await,
            (result, _) => result,
        }
    }

    /// A bearer token the provider refuses (HTTP 401) is replaced once and the request sent
    /// again: a 401 means the provider did not act on it, so this cannot buy twice.
    async fn send_authorized(
        &self,
        http: &reqwest::Client,
        request: Request,
        call: &Call,
    ) -> (reqwest::Result<Response>, u32) {
        let Some(Auth::Bearer(tokens)) = &self.shared.auth else {
            return self.send(http, request, call).await;
        };
        let replay = request.try_clone();
        let (result, attempts) = self.send(http, request, call).await;
        let (Ok(response), Some(mut replay)) = (&result, replay) else {
            return (result, attempts);
        };
        if response.status() != StatusCode::UNAUTHORIZED {
            return (result, attempts);
        }
        let used = replay
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tokens.reject(used.trim_start_matches("Bearer ")).await;
        let fetched = tokens.token_for_call(http, &self.shared.base_url, call.labels).await;
        let Ok(token) = fetched else {
            return (result, attempts);
        };
        if set_bearer(&mut replay, token.expose_secret()).is_err() || self.admit(&replay, call.labels).await.is_err() {
            return (result, attempts);
        }
        call.token_refreshed();
        let (again, more) = self.send(http, replay, call).await;
        (again, attempts + more)
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        call: &Call,
    ) -> (reqwest::Result<Response>, u32) {
        let policy = &self.shared.retry;
        let idempotent = matches!(*request.method(), Method::GET | Method::HEAD);
        let mut waited = Duration::ZERO;
        let mut retries = 0;
        loop {
            // A copy is kept only while another attempt is allowed; otherwise the original goes.
            let copy = (idempotent && retries < policy.max_retries)
                .then(|| request.try_clone())
                .flatten();
            let may_retry = copy.is_some();
            let this_try = copy.unwrap_or_else(|| take(&mut request));
            let result = http.execute(this_try).await;
            call.answered(&result);
            let wait = match &result {
                Ok(response) if is_retryable_status(response.status()) => {
                    Some(retry_after(response.headers()).unwrap_or_else(|| policy.backoff(retries + 1)))
                }
                Err(err) if err.is_connect() || err.is_timeout() => Some(policy.backoff(retries + 1)),
                _ => None,
            };
            match wait {
                Some(wait)
                    if may_retry
                        && wait <= policy.max_delay
                        && waited + wait <= policy.budget
                        // Another attempt counts against the rate budget too.
                        && self.admit(&request, call.labels).await.is_ok() =>
                {
                    retries += 1;
                    waited += wait;
                    call.retry(retries, &result, wait);
                    tokio::time::sleep(wait).await;
                }
                _ => return (result, retries + 1),
            }
        }
    }
}

impl Runtime {
    async fn admit(&self, request: &Request, labels: Labels) -> Result<(), BudgetExceeded> {
        let max_wait = self.shared.retry.max_delay;
        self.shared.budget.admit(labels, request.url().path(), max_wait).await
    }

    async fn authorize(&self, http: &reqwest::Client, request: &mut Request, labels: Labels) -> Result<(), AuthError> {
        match &self.shared.auth {
            None => {}
            Some(Auth::Header(name, value)) => {
                request.headers_mut().insert(name.clone(), value.clone());
            }
            Some(Auth::Bearer(tokens)) => {
                let token = tokens.token_for_call(http, &self.shared.base_url, labels).await?;
                set_bearer(request, token.expose_secret())?;
            }
            Some(Auth::BodyFields(fields)) => add_fields(request, fields),
        }
        Ok(())
    }
}

fn set_bearer(request: &mut Request, token: &str) -> Result<(), AuthError> {
    let value = sensitive(&format!("Bearer {token}"))
        .ok_or_else(|| AuthError("the provider issued a token that is not a valid header value".into()))?;
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// The last attempt sends the original request itself (its body may be a stream).
fn take(request: &mut Request) -> Request {
    let placeholder = Request::new(request.method().clone(), request.url().clone());
    std::mem::replace(request, placeholder)
}
