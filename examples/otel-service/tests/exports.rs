//! The example, run: OpenTelemetry receives each call as a client span named after the path
//! template with integer attributes, and Prometheus gets the duration histogram, with no glue
//! code between the clients and either.

use std::process::Command;

#[test]
fn spans_reach_opentelemetry_and_metrics_reach_prometheus() {
    let output = Command::new(env!("CARGO_BIN_EXE_otel-service-example"))
        .env_remove("RUST_LOG")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let span = stdout
        .split("Span #")
        .find(|s| s.contains("Name         : GET /balance"))
        .unwrap_or_else(|| panic!("no `GET /balance` span exported:\n{stdout}"));
    for attribute in [
        "Kind         : Client",
        "url.template: String(Owned(\"/balance\"))",
        "http.response.status_code: I64(200)",
        "http.request.resend_count: I64(0)",
        "provider: String(Owned(\"airalo\"))",
        "Name      : token fetch",
    ] {
        assert!(span.contains(attribute), "{attribute} missing from the span:\n{span}");
    }
    let count = "http_client_request_duration_count{provider=\"airalo\",operation=\"get_balance\",outcome=\"2xx\"} 1";
    assert!(stdout.contains(count), "{stdout}");
    assert!(
        stdout.contains("# HELP provider_client_token_fetches Requests to the token endpoint"),
        "{stdout}"
    );
}
