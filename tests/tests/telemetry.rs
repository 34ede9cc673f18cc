//! What a call records: OpenTelemetry-shaped spans and the metrics of
//! `provider_core::telemetry`, read back through `metrics-util`'s debugging recorder.

use std::sync::Arc;
use std::time::Duration;

use integration_tests::logs::capture;
use integration_tests::scripted::{ScriptedServer, Step};
use integration_tests::{response_example, spec};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use provider_clients::{airalo, vellosim};
use provider_core::telemetry::{self, MetricKind};
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

/// What the recorder holds: each metric's name, labels and value.
struct Recorded(Vec<(String, Labels, DebugValue)>);

type Labels = Vec<(String, String)>;

impl Recorded {
    fn take(snapshotter: &Snapshotter) -> Recorded {
        let metrics = snapshotter.snapshot().into_vec().into_iter().map(|(key, _, _, value)| {
            let key = key.key();
            let labels = key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            (key.name().to_owned(), labels, value)
        });
        Recorded(metrics.collect())
    }

    /// The metrics named `name` that carry every label of `labels`.
    fn matching<'a>(&'a self, name: &'a str, labels: &'a [(&str, &str)]) -> impl Iterator<Item = &'a DebugValue> {
        self.0
            .iter()
            .filter(move |(n, have, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
            })
            .map(|(_, _, value)| value)
    }

    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.matching(name, labels)
            .map(|v| match v {
                DebugValue::Counter(n) => *n,
                other => panic!("{name} is not a counter: {other:?}"),
            })
            .sum()
    }

    fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
        self.matching(name, labels)
            .flat_map(|v| match v {
                DebugValue::Histogram(samples) => samples.iter().map(|s| s.into_inner()).collect::<Vec<_>>(),
                other => panic!("{name} is not a histogram: {other:?}"),
            })
            .collect()
    }
}

/// Runs `calls` with a fresh debugging recorder as this thread's recorder (the tests run on
/// tokio's current-thread runtime, so the client's code runs here).
async fn recording<F: Future>(calls: F) -> (F::Output, Recorded) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let output = {
        let _local = metrics::set_default_local_recorder(&recorder);
        calls.await
    };
    (output, Recorded::take(&snapshotter))
}

fn quick_retries() -> vellosim::RetryPolicy {
    vellosim::RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        ..vellosim::RetryPolicy::default()
    }
}

fn regions() -> Step {
    Step::json(200, &json!([{"regionCode": "US", "regionName": "United States"}]))
}

fn vellosim_client(server: &ScriptedServer) -> vellosim::Client {
    vellosim::Client::config("vls_test_key")
        .base_url(server.base_url())
        .retry(quick_retries())
        .build()
        .unwrap()
}

fn token(token: &str) -> Step {
    Step::json(
        200,
        &json!({"data": {"access_token": token, "expires_in": 86400}, "meta": {"message": "success"}}),
    )
}

fn usage() -> Step {
    Step::json(200, &response_example(&spec("airalo"), "getUsage", "usage"))
}

fn airalo_client(server: &ScriptedServer) -> airalo::ClientConfig<airalo::Client> {
    airalo::Client::config("id", "secret").base_url(server.base_url())
}

const VELLOSIM_REGIONS: [(&str, &str); 2] = [("provider", "vellosim"), ("operation", "get_regions")];
const AIRALO_USAGE: [(&str, &str); 2] = [("provider", "airalo"), ("operation", "get_usage")];

#[tokio::test]
async fn a_get_retried_after_a_503_counts_one_retry_and_one_call() {
    let unavailable = Step::json(503, &json!({"message": "down"}));
    let server = ScriptedServer::start(vec![unavailable, regions()]).await;
    let client = vellosim_client(&server);
    let (sent, recorded) = recording(client.get_regions().send()).await;
    sent.unwrap();
    let five_xx = [VELLOSIM_REGIONS[0], VELLOSIM_REGIONS[1], ("outcome", "5xx")];
    assert_eq!(recorded.counter(telemetry::RETRIES, &five_xx), 1);
    assert_eq!(recorded.counter(telemetry::RETRIES, &VELLOSIM_REGIONS), 1);
    assert_eq!(recorded.counter(telemetry::THROTTLED, &[]), 0);
    let ok = [VELLOSIM_REGIONS[0], VELLOSIM_REGIONS[1], ("outcome", "2xx")];
    let durations = recorded.histogram(telemetry::REQUEST_DURATION, &ok);
    assert_eq!(durations.len(), 1, "one call, one duration, whatever its attempts");
    assert!(durations[0] > 0.0 && durations[0] < 30.0, "seconds: {durations:?}");
}

#[tokio::test]
async fn a_429_with_retry_after_is_counted_and_retried() {
    let limited = Step::json(429, &json!({"message": "slow down"})).with_header("retry-after", "0");
    let server = ScriptedServer::start(vec![limited, regions()]).await;
    let client = vellosim_client(&server);
    let (sent, recorded) = recording(client.get_regions().send()).await;
    sent.unwrap();
    let four_xx = [VELLOSIM_REGIONS[0], VELLOSIM_REGIONS[1], ("outcome", "4xx")];
    assert_eq!(recorded.counter(telemetry::THROTTLED, &four_xx), 1);
    assert_eq!(recorded.counter(telemetry::RETRIES, &four_xx), 1);
    assert_eq!(
        recorded.histogram(telemetry::REQUEST_DURATION, &VELLOSIM_REGIONS).len(),
        1
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_a_failing_exchange_counted() {
    let refused = Step::json(401, &json!({"data": [], "meta": {"message": "Unauthenticated."}}));
    let server = ScriptedServer::start(vec![token("t1"), refused, token("t2"), usage()]).await;
    let client = airalo_client(&server).build().unwrap();
    let (sent, recorded) = recording(client.get_usage().sim_iccid("8944").send()).await;
    sent.unwrap();
    assert_eq!(server.requests(), 4);
    let fetched = [AIRALO_USAGE[0], AIRALO_USAGE[1], ("outcome", "ok")];
    assert_eq!(recorded.counter(telemetry::TOKEN_FETCHES, &fetched), 2);
    assert_eq!(recorded.counter(telemetry::TOKEN_REFRESHES, &AIRALO_USAGE), 1);
    assert_eq!(recorded.counter(telemetry::TOKEN_FAILURES, &[]), 0);
    let ok = [AIRALO_USAGE[0], AIRALO_USAGE[1], ("outcome", "2xx")];
    assert_eq!(recorded.histogram(telemetry::REQUEST_DURATION, &ok).len(), 1);

    let exchange_refused = Step::json(
        401,
        &json!({"data": [], "meta": {"message": "Client authentication failed"}}),
    );
    let server = ScriptedServer::start(vec![exchange_refused]).await;
    let client = airalo_client(&server).build().unwrap();
    let (sent, recorded) = recording(client.get_balance().send()).await;
    assert!(sent.is_err());
    let failed = [
        ("provider", "airalo"),
        ("operation", "get_balance"),
        ("outcome", "error"),
    ];
    assert_eq!(recorded.counter(telemetry::TOKEN_FETCHES, &failed), 1);
    assert_eq!(recorded.counter(telemetry::TOKEN_FAILURES, &failed[..2]), 1);
    assert!(
        recorded.histogram(telemetry::REQUEST_DURATION, &[]).is_empty(),
        "nothing was sent"
    );
}

/// Airalo allows `get_usage` 5 calls a second per company: the sixth waits for its slot, or,
/// when the retry policy waits less than that, is refused unsent.
#[tokio::test]
async fn a_call_paced_by_the_rate_budget_records_its_wait_and_a_refusal_is_counted() {
    let server = ScriptedServer::start(vec![token("t"), usage()]).await;
    let client = airalo_client(&server).build().unwrap();
    let six = async {
        for i in 0..6 {
            client.get_usage().sim_iccid(format!("8944{i}")).send().await.unwrap();
        }
    };
    let ((), recorded) = recording(six).await;
    let waits = recorded.histogram(telemetry::RATE_LIMIT_WAIT, &AIRALO_USAGE);
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] > 0.5 && waits[0] < 1.5, "seconds: {waits:?}");
    assert_eq!(recorded.counter(telemetry::RATE_LIMIT_REFUSALS, &[]), 0);

    let impatient = airalo::RetryPolicy {
        max_delay: Duration::from_millis(10),
        ..airalo::RetryPolicy::default()
    };
    let server = ScriptedServer::start(vec![token("t"), usage()]).await;
    let client = airalo_client(&server).retry(impatient).build().unwrap();
    let six = async {
        let mut refused = 0;
        for i in 0..6 {
            refused += usize::from(client.get_usage().sim_iccid(format!("8944{i}")).send().await.is_err());
        }
        refused
    };
    let (refused, recorded) = recording(six).await;
    assert_eq!(refused, 1);
    assert_eq!(recorded.counter(telemetry::RATE_LIMIT_REFUSALS, &AIRALO_USAGE), 1);
    assert_eq!(recorded.histogram(telemetry::REQUEST_DURATION, &AIRALO_USAGE).len(), 5);
}

/// Nothing listens on port 9: the store is down, and the client fetches its token and paces
/// its calls in process.
#[tokio::test]
async fn a_store_outage_is_counted_with_its_fallbacks() {
    let store = provider_fleet::RedisStore::open("redis://127.0.0.1:9/0")
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    let server = ScriptedServer::start(vec![token("t"), usage()]).await;
    let client = airalo_client(&server).shared_state(Arc::new(store)).build().unwrap();
    let (sent, recorded) = recording(client.get_usage().sim_iccid("8944").send()).await;
    sent.unwrap();
    assert!(recorded.counter(telemetry::STORE_OUTAGES, &[("outcome", "connection")]) >= 1);
    let window = [AIRALO_USAGE[0], AIRALO_USAGE[1], ("outcome", "rate_window")];
    assert_eq!(
        recorded.counter(telemetry::STORE_FALLBACKS, &window),
        2,
        "both get_usage limits"
    );
    let token = [AIRALO_USAGE[0], AIRALO_USAGE[1], ("outcome", "token_fetch")];
    assert_eq!(recorded.counter(telemetry::STORE_FALLBACKS, &token), 1);
}

#[test]
fn a_webhook_with_a_bad_signature_is_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let body = br#"{"level":"75%","iccid":"8944"}"#;
        let signature = airalo_client::signature::sign(body, "secret");
        assert!(airalo_client::webhooks::receive(body, None, "secret").is_err());
        assert!(airalo_client::webhooks::receive(body, Some("zz"), "secret").is_err());
        assert!(airalo_client::webhooks::receive(body, Some(&signature), "other").is_err());
    });
    let recorded = Recorded::take(&snapshotter);
    for reason in ["unsigned", "malformed", "mismatch"] {
        let labels = [("provider", "airalo"), ("outcome", reason)];
        assert_eq!(
            recorded.counter(telemetry::WEBHOOK_SIGNATURE_FAILURES, &labels),
            1,
            "{reason}"
        );
    }
}

/// A span per call, at INFO, named after the spec's template with OpenTelemetry's fields; the
/// retry and the token fetch are events inside it; the ICCID of the path is nowhere.
#[tokio::test]
async fn spans_carry_the_opentelemetry_fields_and_the_template_not_the_path() {
    let (logs, _guard) = capture(tracing::Level::INFO, FmtSpan::CLOSE);
    let iccid = "89440000000000000017";
    let limited = Step::json(429, &json!({"message": "slow down"})).with_header("retry-after", "0");
    let server = ScriptedServer::start(vec![token("t"), limited, usage()]).await;
    let client = airalo_client(&server).build().unwrap();
    client.get_usage().sim_iccid(iccid).send().await.unwrap();

    let traces = logs.text();
    let port = server.base_url().rsplit(':').next().unwrap().to_owned();
    let closed = traces
        .lines()
        .find(|l| l.contains("GET /sims/{sim_iccid}/usage{") && l.contains(": close "))
        .unwrap_or_else(|| panic!("no closed span named after the template:\n{traces}"));
    for field in [
        "provider=\"airalo\"".to_owned(),
        "operation=\"get_usage\"".to_owned(),
        "http.request.method=\"GET\"".to_owned(),
        "server.address=\"127.0.0.1\"".to_owned(),
        format!("server.port={port}"),
        "url.template=\"/sims/{sim_iccid}/usage\"".to_owned(),
        "http.response.status_code=200".to_owned(),
        "http.request.resend_count=1".to_owned(),
        "otel.kind=\"client\"".to_owned(),
    ] {
        assert!(closed.contains(&field), "{field} missing from {closed}");
    }
    let inside = |event: &str| {
        traces
            .lines()
            .any(|l| l.contains("GET /sims/{sim_iccid}/usage{") && l.contains(event))
    };
    assert!(inside("token fetch"), "{traces}");
    assert!(
        inside("retrying an idempotent request") && traces.contains("reason=\"4xx\""),
        "{traces}"
    );
    assert!(!traces.contains(iccid), "the filled-in path leaked:\n{traces}");
}

/// README's metrics table lists exactly the metrics the runtime records, with their kinds,
/// units and labels.
#[test]
fn the_readme_lists_every_metric() {
    let readme = std::fs::read_to_string(integration_tests::workspace_root().join("README.md")).unwrap();
    let rows: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains(" | "))
        .filter(|l| {
            telemetry::METRICS
                .iter()
                .any(|m| l.starts_with(&format!("| `{}`", m.name)))
        })
        .collect();
    assert_eq!(rows.len(), telemetry::METRICS.len(), "one row per metric:\n{rows:#?}");
    for m in telemetry::METRICS {
        let kind = match m.kind {
            MetricKind::Counter => "counter",
            MetricKind::Histogram => "histogram",
        };
        let labels: Vec<String> = m.labels.iter().map(|l| format!("`{l}`")).collect();
        let row = format!("| `{}` | {kind} | `{}` | {} |", m.name, m.unit, labels.join(", "));
        assert!(readme.contains(&row), "README lacks the row starting {row}");
    }
}
