//! What every generated client does around each HTTP exchange.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use progenitor_client::OperationInfo;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Request, Response};
use tracing::Instrument;

use crate::RetryPolicy;
use crate::retry::{is_retryable_status, retry_after};

/// Per-client state carried inside each generated `Client` (progenitor's "inner" value).
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

struct Shared {
    retry: RetryPolicy,
    credential: Option<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("retry", &self.shared.retry)
            .field(
                "credential",
                &self
                    .shared
                    .credential
                    .as_ref()
                    .map(|(name, _)| format!("{name}: [REDACTED]")),
            )
            .finish()
    }
}

impl Runtime {
    pub(crate) fn new(retry: RetryPolicy, credential: Option<(HeaderName, HeaderValue)>) -> Self {
        Self {
            shared: Arc::new(Shared { retry, credential }),
        }
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    /// Sends `request` for the operation `info`: drops progenitor's `api-version` header
    /// (no provider defines it), adds the credential, retries GET/HEAD on 408/429/502/503/504
    /// and connection failures within the retry policy, and records a `tracing` span.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        request.headers_mut().remove("api-version");
        if let Some((name, value)) = &self.shared.credential {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        let span = tracing::debug_span!(
            "provider_call",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let (result, attempts) = self.send(http, request).instrument(span.clone()).await;
        span.record("attempts", attempts);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => span.record("status", response.status().as_u16()),
            Err(_) => span.record("status", "transport error"),
        };
        span.in_scope(|| tracing::debug!("provider call finished"));
        result
    }

    async fn send(&self, http: &reqwest::Client, mut request: Request) -> (reqwest::Result<Response>, u32) {
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
            let wait = match &result {
                Ok(response) if is_retryable_status(response.status()) => {
                    Some(retry_after(response.headers()).unwrap_or_else(|| policy.backoff(retries + 1)))
                }
                Err(err) if err.is_connect() || err.is_timeout() => Some(policy.backoff(retries + 1)),
                _ => None,
            };
            match wait {
                Some(wait) if may_retry && wait <= policy.max_delay && waited + wait <= policy.budget => {
                    retries += 1;
                    waited += wait;
                    tracing::debug!(
                        retry = retries,
                        wait_ms = wait.as_millis() as u64,
                        "retrying idempotent request"
                    );
                    tokio::time::sleep(wait).await;
                }
                _ => return (result, retries + 1),
            }
        }
    }
}

/// The last attempt sends the original request itself (its body may be a stream).
fn take(request: &mut Request) -> Request {
    let placeholder = Request::new(request.method().clone(), request.url().clone());
    std::mem::replace(request, placeholder)
}
