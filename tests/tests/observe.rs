//! Observe mode against a mock server: a key the spec does not declare, sent inside an array
//! item, is reported once per process as one WARN naming the provider, the operation and the
//! pointer (array indexes collapsed) with the value's JSON type, never the value; with the
//! mode off nothing is reported and the answer decodes the same.

use airalo_client::Client;
use airalo_client::mock::MockServerExt;
use httpmock::MockServer;
use integration_tests::logs::{Captured, capture};
use integration_tests::{response_example, spec};
use provider_clients::core::Observe;
use serde_json::{Value, json};
use tracing_subscriber::fmt::format::FmtSpan;

/// A subscriber for this test's thread writing WARN and above to the returned capture.
fn capture_warnings() -> (Captured, tracing::subscriber::DefaultGuard) {
    capture(tracing::Level::WARN, FmtSpan::NONE)
}

fn warnings(captured: &Captured) -> Vec<String> {
    captured
        .text()
        .lines()
        .filter(|l| l.contains("WARN"))
        .map(str::to_owned)
        .collect()
}

/// A mock Airalo whose eSIM list answers the documented page with `extra` set on the second
/// item's order, and a client for it.
async fn airalo_with_extra(extra: &str, observe: Observe) -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    server.request_access_token(|_, then| {
        then.ok(&serde_json::from_value(json!({
            "data": {"token_type": "Bearer", "expires_in": 86400, "access_token": "t"}, "meta": {"message": "success"}
        }))
        .unwrap());
    });
    let mut page = response_example(&spec("airalo"), "getEsimsList", "");
    page["data"][1]["simable"][extra] = json!("partner-secret-4812");
    server.get_esims_list(|_, then| {
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(page);
    });
    let client = Client::config("id", "secret")
        .base_url(server.base_url())
        .observe(observe)
        .build()
        .unwrap();
    (server, client)
}

async fn first_page(client: &Client) -> airalo_client::types::SimsResponse {
    let page = client.get_esims_list().send().await;
    page.expect("the page decodes").into_inner()
}

#[tokio::test]
async fn an_undeclared_nested_key_is_one_warning_with_its_pointer_and_no_value() {
    let (captured, _guard) = capture_warnings();

    let (_server, client) = airalo_with_extra("observed_extra", Observe::EVERY_ANSWER).await;
    for _ in 0..3 {
        let page = first_page(&client).await;
        assert_eq!(page.data.len(), 2, "the extra key changes nothing in the decoded value");
    }
    let warnings = warnings(&captured);
    assert_eq!(warnings.len(), 1, "once per process: {warnings:#?}");
    let warning = &warnings[0];
    for part in [
        "provider=\"airalo\"",
        "operation=\"get_esims_list\"",
        "pointer=/data/*/simable/observed_extra",
        "json_type=\"string\"",
    ] {
        assert!(warning.contains(part), "{part} missing from {warning}");
    }
    assert!(!warning.contains("partner-secret-4812"), "the value leaked: {warning}");
}

#[tokio::test]
async fn with_observe_off_nothing_is_reported() {
    let (captured, _guard) = capture_warnings();

    let (_server, client) = airalo_with_extra("unobserved_extra", Observe::OFF).await;
    let page = first_page(&client).await;
    let observed = serde_json::to_value(&page).unwrap();
    assert_eq!(observed["data"][1]["simable"].get("unobserved_extra"), None::<&Value>);
    assert_eq!(warnings(&captured), Vec::<String>::new());
}
