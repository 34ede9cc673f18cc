//! What each call tells the tracing and metrics stacks a service already runs, in the terms of
//! OpenTelemetry's HTTP client conventions.
//!
//! **Spans.** One INFO span per operation call, target `provider_core`, named
//! `{METHOD} {url.template}` (`GET /sims/{sim_iccid}/usage`: the spec's path template, never the
//! filled-in path), with `http.request.method`, `server.address`, `server.port`,
//! `url.template`, `http.response.status_code`, `error.type`, `http.request.resend_count`,
//! `provider`, `operation` and, for `tracing-opentelemetry`, `otel.kind` and
//! `otel.status_code`. Retries, waits for a rate-limit slot and token fetches are events inside
//! it. A span's name is fixed where the span is declared, so each operation declares its own:
//! the generated `ROUTES` table calls [`route!`](crate::route) once per operation.
//!
//! **Metrics**, through the `metrics` facade (nothing is recorded, and next to nothing spent,
//! until a service installs a recorder): [`METRICS`] lists every one, and
//! [`describe_metrics`] hands their units and descriptions to the installed recorder. Labels
//! are bounded: the provider, the operation's method name and an outcome (a status class such
//! as `2xx`, or an `error.type`), never an ICCID, an order id, a URL or a credential.

use std::cell::Cell;
use std::time::Duration;

use reqwest::{Response, StatusCode};
use tracing::Span;

/// An operation as its spec declares it, generated into each client as `ROUTES` (sorted by
/// method name): what its spans are named after.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// The method name, which progenitor reports as `OperationInfo::operation_id`.
    pub operation: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The spec's path template (`/sims/{sim_iccid}/usage`): OpenTelemetry's `url.template`.
    pub template: &'static str,
    /// Opens the call's span, named `{method} {template}`: `(provider, server)`.
    pub span: fn(&'static str, &Server) -> Span,
}

/// Where a client sends its calls: `server.address` and `server.port`.
#[derive(Clone, Debug)]
pub struct Server {
    pub address: String,
    pub port: u16,
}

/// One metric a client records.
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    pub name: &'static str,
    pub kind: MetricKind,
    /// UCUM, as OpenTelemetry writes units: `s`, or `{retry}` for a count of retries.
    pub unit: &'static str,
    pub labels: &'static [&'static str],
    pub description: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Histogram,
}

/// `http.client.request.duration` (OpenTelemetry's name): seconds from the first attempt to
/// the final answer, retries and their delays included.
pub const REQUEST_DURATION: &str = "http.client.request.duration";
/// Attempts sent again after a retryable answer or failure (label `outcome`: the reason).
pub const RETRIES: &str = "provider.client.retries";
/// HTTP 429 answers received, retried or not.
pub const THROTTLED: &str = "provider.client.throttled";
/// Seconds a call waited for its slot under the provider's documented rate limit.
pub const RATE_LIMIT_WAIT: &str = "provider.client.rate_limit.wait.duration";
/// Calls refused, unsent, because their slot was further away than the retry policy waits.
pub const RATE_LIMIT_REFUSALS: &str = "provider.client.rate_limit.refusals";
/// Requests to the token endpoint (`outcome`: `ok` or `error`).
pub const TOKEN_FETCHES: &str = "provider.client.token.fetches";
/// Tokens the provider refused (HTTP 401) and the client replaced once.
pub const TOKEN_REFRESHES: &str = "provider.client.token.refreshes";
/// Calls that could not get a token and were not sent.
pub const TOKEN_FAILURES: &str = "provider.client.token.failures";
/// Commands the shared store did not answer (`outcome`: `timeout` or `connection`).
pub const STORE_OUTAGES: &str = "provider.store.outages";
/// Work done in this process because the shared store could not answer (`outcome`:
/// `rate_window` or `token_fetch`).
pub const STORE_FALLBACKS: &str = "provider.store.fallbacks";
/// Webhooks refused for their signature (`outcome`: `unsigned`, `malformed` or `mismatch`).
pub const WEBHOOK_SIGNATURE_FAILURES: &str = "provider.webhook.signature.failures";

const CALL: &[&str] = &["provider", "operation", "outcome"];

/// Every metric the clients record, with its unit and labels (the README's table).
pub const METRICS: &[Metric] = &[
    metric(
        REQUEST_DURATION,
        MetricKind::Histogram,
        "s",
        CALL,
        "Provider calls, first attempt to final answer",
    ),
    metric(RETRIES, MetricKind::Counter, "{retry}", CALL, "Attempts sent again"),
    metric(
        THROTTLED,
        MetricKind::Counter,
        "{response}",
        CALL,
        "HTTP 429 answers received",
    ),
    metric(
        RATE_LIMIT_WAIT,
        MetricKind::Histogram,
        "s",
        CALL,
        "Waits for a slot under a documented rate limit",
    ),
    metric(
        RATE_LIMIT_REFUSALS,
        MetricKind::Counter,
        "{call}",
        CALL,
        "Calls refused unsent by the rate budget",
    ),
    metric(
        TOKEN_FETCHES,
        MetricKind::Counter,
        "{request}",
        CALL,
        "Requests to the token endpoint",
    ),
    metric(
        TOKEN_REFRESHES,
        MetricKind::Counter,
        "{token}",
        CALL,
        "Refused tokens replaced",
    ),
    metric(
        TOKEN_FAILURES,
        MetricKind::Counter,
        "{call}",
        CALL,
        "Calls not sent for want of a token",
    ),
    metric(
        STORE_OUTAGES,
        MetricKind::Counter,
        "{command}",
        &["outcome"],
        "Shared-store commands not answered",
    ),
    metric(
        STORE_FALLBACKS,
        MetricKind::Counter,
        "{call}",
        CALL,
        "Work done in process while the store is down",
    ),
    metric(
        WEBHOOK_SIGNATURE_FAILURES,
        MetricKind::Counter,
        "{webhook}",
        &["provider", "outcome"],
        "Webhooks refused for their signature",
    ),
];

/// Hands the units and descriptions of [`METRICS`] to the installed recorder; call it once,
/// after installing one.
pub fn describe_metrics() {
    for m in METRICS {
        let unit = if m.unit == "s" {
            metrics::Unit::Seconds
        } else {
            metrics::Unit::Count
        };
        match m.kind {
            MetricKind::Histogram => metrics::describe_histogram!(m.name, unit, m.description),
            MetricKind::Counter => metrics::describe_counter!(m.name, unit, m.description),
        }
    }
}

/// Counts a refused shared-store command (for `SharedState` implementations such as
/// `provider_fleet::RedisStore`). One store serves every provider, so it has no provider label.
pub fn store_outage(reason: &'static str) {
    metrics::counter!(STORE_OUTAGES, "outcome" => reason).increment(1);
}

/// Counts a webhook refused for its signature (`reason`: `unsigned`, `malformed`, `mismatch`).
pub fn webhook_signature_failure(provider: &'static str, reason: &'static str) {
    metrics::counter!(WEBHOOK_SIGNATURE_FAILURES, "provider" => provider, "outcome" => reason).increment(1);
}

/// A [`Route`] whose span is named `"{method} {template}"`; used by the generated `ROUTES`.
#[doc(hidden)]
#[macro_export]
macro_rules! route {
    ($operation:literal, $method:literal, $template:literal) => {
        $crate::telemetry::Route {
            operation: $operation,
            method: $method,
            template: $template,
            span: |provider, server| {
                $crate::__call_span!(
                    concat!($method, " ", $template),
                    provider,
                    $operation,
                    $method,
                    $template,
                    server
                )
            },
        }
    };
}

/// The fields of every call's span, declared once. Numbers are recorded as `i64`, which
/// `tracing-opentelemetry` exports as integers (it has no unsigned attributes).
#[doc(hidden)]
#[macro_export]
macro_rules! __call_span {
    ($name:expr, $provider:expr, $operation:expr, $method:expr, $template:expr, $server:expr) => {
        $crate::__private::tracing::info_span!(
            target: "provider_core",
            $name,
            provider = $provider,
            operation = $operation,
            "http.request.method" = $method,
            "server.address" = $server.address.as_str(),
            "server.port" = i64::from($server.port),
            "url.template" = $template,
            "http.response.status_code" = $crate::__private::tracing::field::Empty,
            "http.request.resend_count" = $crate::__private::tracing::field::Empty,
            "error.type" = $crate::__private::tracing::field::Empty,
            "otel.kind" = "client",
            "otel.status_code" = $crate::__private::tracing::field::Empty,
        )
    };
}

/// The metric labels every call carries besides its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Labels {
    pub provider: &'static str,
    pub operation: &'static str,
}

impl Labels {
    pub fn token_fetch(self, outcome: &'static str, took: Duration) {
        tracing::info!(target: "provider_core", outcome, took_ms = took.as_millis() as u64, "token fetch");
        self.count(TOKEN_FETCHES, outcome);
    }

    pub fn rate_limit_wait(self, wait: Duration) {
        tracing::info!(
            target: "provider_core",
            wait_ms = wait.as_millis() as u64,
            "waiting for a slot under the provider's rate limit"
        );
        metrics::histogram!(RATE_LIMIT_WAIT, "provider" => self.provider, "operation" => self.operation, "outcome" => "waited")
            .record(wait.as_secs_f64());
    }

    pub fn store_fallback(self, what: &'static str) {
        self.count(STORE_FALLBACKS, what);
    }

    fn count(self, name: &'static str, outcome: &'static str) {
        metrics::counter!(name, "provider" => self.provider, "operation" => self.operation, "outcome" => outcome)
            .increment(1);
    }
}

/// What a client knows for its calls' spans and labels.
pub(crate) struct Telemetry {
    provider: &'static str,
    routes: &'static [Route],
    server: Server,
}

impl Telemetry {
    pub fn new(provider: &'static str, routes: &'static [Route], base_url: &str) -> Self {
        let url = reqwest::Url::parse(base_url).ok();
        let server = Server {
            address: url.as_ref().and_then(|u| u.host_str()).unwrap_or_default().to_owned(),
            port: url.and_then(|u| u.port_or_known_default()).unwrap_or_default(),
        };
        Self {
            provider,
            routes,
            server,
        }
    }

    pub fn labels(&self, operation: &'static str) -> Labels {
        Labels {
            provider: self.provider,
            operation,
        }
    }

    /// Opens the span of a call to `operation` (sent with `method`).
    pub fn start(&self, operation: &'static str, method: &str) -> Call {
        let route = self.routes.binary_search_by(|r| r.operation.cmp(operation));
        let span = match route {
            Ok(i) => (self.routes[i].span)(self.provider, &self.server),
            // Every generated operation has its route; OpenTelemetry names a span without a
            // template after its method alone, and a method without a static name `HTTP`.
            Err(_) => crate::__call_span!("HTTP", self.provider, operation, method, "", self.server),
        };
        Call {
            span,
            labels: self.labels(operation),
        }
    }
}

/// One operation call: its span and labels, from the `pre` hook to the end of `exec`.
pub(crate) struct Call {
    pub span: Span,
    pub labels: Labels,
}

thread_local! {
    /// The call `pre` opened, for `exec` to go on with. Progenitor's generated code calls
    /// `exec` right after `pre` returns, in the same poll of the same future, so nothing else
    /// runs on this thread in between; `exec` checks the operation all the same.
    static HANDED_OVER: Cell<Option<Call>> = const { Cell::new(None) };
}

impl Call {
    /// Leaves the call for [`take_over`](Self::take_over), at the end of a successful `pre`.
    pub fn hand_over(self) {
        let stale = HANDED_OVER.with(|slot| slot.replace(Some(self)));
        drop(stale);
    }

    /// The call `pre` handed over for `operation`, if that is the one.
    pub fn take_over(operation: &str) -> Option<Call> {
        HANDED_OVER
            .with(Cell::take)
            .filter(|call| call.labels.operation == operation)
    }

    /// A retryable answer (`status`) or failure is sent again after `delay`.
    pub fn retry(&self, retry: u32, result: &reqwest::Result<Response>, delay: Duration) {
        let reason = outcome(result);
        tracing::info!(
            target: "provider_core",
            retry,
            reason,
            delay_ms = delay.as_millis() as u64,
            "retrying an idempotent request"
        );
        self.labels.count(RETRIES, reason);
    }

    /// Every answer of every attempt: counts the 429s.
    pub fn answered(&self, result: &reqwest::Result<Response>) {
        if let Ok(response) = result
            && response.status() == StatusCode::TOO_MANY_REQUESTS
        {
            self.labels.count(THROTTLED, "4xx");
        }
    }

    /// The final answer, after `resends` further attempts and `took` from the first.
    pub fn finish(&self, result: &reqwest::Result<Response>, resends: u32, took: Duration) {
        let span = &self.span;
        span.record("http.request.resend_count", i64::from(resends));
        match result {
            Ok(response) => {
                let status = response.status();
                span.record("http.response.status_code", i64::from(status.as_u16()));
                if status.is_client_error() || status.is_server_error() {
                    span.record("error.type", status.as_str());
                    span.record("otel.status_code", "ERROR");
                }
            }
            Err(_) => self.fail(outcome(result)),
        }
        let outcome = outcome(result);
        metrics::histogram!(
            REQUEST_DURATION,
            "provider" => self.labels.provider,
            "operation" => self.labels.operation,
            "outcome" => outcome
        )
        .record(took.as_secs_f64());
    }

    /// The call was not sent: the rate budget refused it.
    pub fn refused(&self) {
        self.fail("rate_budget");
        self.labels.count(RATE_LIMIT_REFUSALS, "rate_budget");
    }

    /// The call was not sent: no token could be had.
    pub fn unauthorized(&self) {
        self.fail("token");
        self.labels.count(TOKEN_FAILURES, "token");
    }

    /// A refused token was replaced and the call sent again.
    pub fn token_refreshed(&self) {
        tracing::info!(target: "provider_core", "access token refused; retrying once with a new one");
        self.labels.count(TOKEN_REFRESHES, "4xx");
    }

    fn fail(&self, error_type: &'static str) {
        self.span.record("error.type", error_type);
        self.span.record("otel.status_code", "ERROR");
    }
}

/// A status class (`2xx`) or, for a failure without an answer, its `error.type`.
fn outcome(result: &reqwest::Result<Response>) -> &'static str {
    match result {
        Ok(response) => match response.status().as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        },
        Err(e) if e.is_timeout() => "timeout",
        Err(e) if e.is_connect() => "connect",
        Err(e) if e.is_body() || e.is_decode() => "body",
        Err(_) => "request",
    }
}

const fn metric(
    name: &'static str,
    kind: MetricKind,
    unit: &'static str,
    labels: &'static [&'static str],
    description: &'static str,
) -> Metric {
    Metric {
        name,
        kind,
        unit,
        labels,
        description,
    }
}
