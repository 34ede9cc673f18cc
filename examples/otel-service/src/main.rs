//! A service's wiring, in full: every provider call exported as an OpenTelemetry span through
//! `tracing-opentelemetry`, and its metrics rendered for Prometheus. The clients need no glue
//! of their own: their spans already carry OpenTelemetry's names and attributes.
//!
//! `cargo run -p otel-service-example` calls an in-process sandbox, prints the spans the
//! stdout exporter receives, then the Prometheus text a `/metrics` endpoint would serve.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use provider_clients::airalo;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Spans: `tracing` → `tracing-opentelemetry` → the OpenTelemetry SDK → an exporter
    // (a service would hand `opentelemetry-otlp`'s to the builder instead).
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let tracer = tracer_provider.tracer("otel-service-example");
    tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::INFO)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .init();

    // Metrics: the `metrics` facade's Prometheus recorder; its handle renders the text format.
    // Durations as Prometheus histograms, with buckets in seconds (a summary otherwise).
    let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Suffix("duration".into()),
            &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
        )?
        .install_recorder()?;
    provider_core::telemetry::describe_metrics();

    let sandbox = sandbox::Sandbox::start(sandbox::Config::default()).await?;
    let client = airalo::Client::config(sandbox::credentials::CLIENT_ID, sandbox::credentials::CLIENT_SECRET)
        .base_url(sandbox.base_url(sandbox::Provider::Airalo))
        .build()?;
    let balance = client.get_balance().send().await?;
    println!("balance: {:?}", balance.into_inner().balances());
    client.get_packages().limit(1).send().await?;

    tracer_provider.shutdown()?;
    println!("{}", prometheus.render());
    Ok(())
}
