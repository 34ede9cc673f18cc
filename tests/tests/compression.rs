//! Compressed answers, both ways: the clients ask for gzip and decode it (and can be told not
//! to ask), and the sandbox compresses exactly when asked.

use std::io::{Read, Write};

use httpmock::prelude::*;
use provider_clients::vellosim;
use sandbox::{EXAMPLE_START, Provider, Sandbox, credentials};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn regions() -> serde_json::Value {
    integration_tests::response_example(&integration_tests::spec("vellosim"), "getRegions", "")
}

/// The example as the client decodes it, for comparing with what a call decoded.
fn typed(regions: &serde_json::Value) -> serde_json::Value {
    let regions: Vec<vellosim::types::Region> = serde_json::from_value(regions.clone()).unwrap();
    serde_json::to_value(regions).unwrap()
}

#[tokio::test]
async fn a_client_asks_for_gzip_and_decodes_it() {
    let server = MockServer::start_async().await;
    let plain = serde_json::to_vec(&regions()).unwrap();
    let compressed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/esim/regions")
                .header("accept-encoding", "gzip");
            then.status(200)
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(gzip(&plain));
        })
        .await;
    let client = vellosim::Client::config("vls_test_key")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let decoded = client.get_regions().send().await.unwrap().into_inner();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), typed(&regions()));
    compressed.assert_async().await;
}

#[tokio::test]
async fn a_client_told_not_to_asks_for_a_plain_answer() {
    let server = MockServer::start_async().await;
    let plain = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/esim/regions")
                .header_missing("accept-encoding");
            then.status(200).json_body(regions());
        })
        .await;
    let client = vellosim::Client::config("vls_test_key")
        .base_url(server.base_url())
        .compressed_answers(false)
        .build()
        .unwrap();
    let decoded = client.get_regions().send().await.unwrap().into_inner();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), typed(&regions()));
    plain.assert_async().await;
}

#[tokio::test]
async fn the_sandbox_compresses_only_when_asked() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let url = format!(
        "{}/api/esim/packages?regionCode=DE",
        sandbox.base_url(Provider::Vellosim)
    );
    // A client that decodes nothing itself, to see the bytes as sent.
    let raw = reqwest::Client::builder().gzip(false).build().unwrap();
    let get = |encoding: Option<&str>| {
        let mut request = raw.get(&url).header("x-api-key", credentials::VELLOSIM_API_KEY);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };

    let plain = get(None).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain = plain.bytes().await.unwrap();
    let packages: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert!(!packages.as_array().unwrap().is_empty());

    let compressed = get(Some("gzip")).await.unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let compressed = compressed.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain);
    assert!(
        compressed.len() * 5 < plain.len(),
        "{} vs {} bytes",
        compressed.len(),
        plain.len()
    );
}
