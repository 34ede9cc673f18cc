//! Credentials never reach logs, span fields, metric labels, `Debug` output or error messages,
//! even at TRACE level.

use httpmock::MockServer;
use integration_tests::logs::capture;
use tracing_subscriber::fmt::format::FmtSpan;
use vellosim_client::mock::MockServerExt;

const VELLOSIM_KEY: &str = "vls_live_7f3a9c1e5b2d8f4a";
const CLIENT_SECRET: &str = "airalo-secret-9d8c7b6a";
const ACCESS_TOKEN: &str = "token-5e4d3c2b1a";
const VELOCONNECT_KEY: &str = "velo-key-0a1b2c3d";
const SMS_PASSWORD: &str = "sms-pass-4e5f6a7b";
const REDIS_PASSWORD: &str = integration_tests::redis_server::PASSWORD;

#[tokio::test]
async fn credentials_stay_out_of_traces_debug_and_errors() {
    // Each span once more when it closes, with every field it recorded.
    let (logs, _guard) = capture(tracing::Level::TRACE, FmtSpan::CLOSE);
    // The test runs on tokio's current-thread runtime: every call records here.
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _metrics = metrics::set_default_local_recorder(&recorder);

    let server = MockServer::start_async().await;
    server.get_wallet_balance(|_, then| {
        then.into_inner().status(401).json_body(serde_json::json!({
            "success": false, "error": {"code": "UNAUTHORIZED", "message": "Invalid or missing API key"}, "statusCode": 401
        }));
    });
    server.get_regions(|_, then| {
        then.into_inner().status(200).body("not json");
    });
    let config = vellosim_client::Client::config(VELLOSIM_KEY).base_url(server.base_url());
    let client = config.clone().build().unwrap();
    let mut shown = vec![format!("{config:?}"), format!("{client:?}"), format!("{config:#?}")];
    for err in [
        client.get_wallet_balance().send().await.map(drop).unwrap_err(),
        client.get_regions().send().await.map(drop).unwrap_err(),
    ] {
        let err = vellosim_client::Error::from(err);
        shown.push(format!("{err}"));
        shown.push(format!("{err:?}"));
    }
    // A transport failure (nothing listens on port 9) carries the URL, never the key.
    let unreachable = vellosim_client::Client::config(VELLOSIM_KEY)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = vellosim_client::Error::from(unreachable.get_regions().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));

    shown.extend(bearer_clients().await);
    shown.extend(veloconnect().await);
    shown.extend(veloconnect_sms().await);
    shown.extend(fleet_store().await);

    let traces = logs.text();
    assert!(
        traces.contains("GET /balance{") && traces.contains("http.response.status_code=401"),
        "call spans were captured with their fields: {traces}"
    );
    let metrics = snapshotter.snapshot().into_vec();
    assert!(
        metrics
            .iter()
            .any(|(key, ..)| key.key().name() == provider_core::telemetry::TOKEN_FETCHES),
        "metrics were captured: {metrics:?}"
    );
    for (key, ..) in &metrics {
        let labels: Vec<String> = key
            .key()
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        shown.push(format!("{} {}", key.key().name(), labels.join(" ")));
    }
    assert!(
        traces.contains("the shared store does not answer") && traces.contains("redis://:***@127.0.0.1:9/0"),
        "the store's outage was logged, its password hidden: {traces}"
    );
    shown.push(traces);
    for text in shown {
        for secret in [
            VELLOSIM_KEY,
            "7f3a9c1e5b2d8f4a",
            CLIENT_SECRET,
            ACCESS_TOKEN,
            VELOCONNECT_KEY,
            SMS_PASSWORD,
            REDIS_PASSWORD,
        ] {
            assert!(!text.contains(secret), "{secret} leaked in:\n{text}");
        }
    }
}

/// Airalo and PressOne: client secret and access token, through configs, clients, a refused
/// token (401 twice) and a refused token exchange.
async fn bearer_clients() -> Vec<String> {
    let server = MockServer::start_async().await;
    for path in ["/token", "/customer/v2/token"] {
        server.mock(|when, then| {
            when.method("POST").path(path);
            then.status(200)
                .json_body(serde_json::json!({"data": {"access_token": ACCESS_TOKEN, "expires_in": 3600}}));
        });
    }
    server.mock(|when, then| {
        when.method("GET");
        then.status(401)
            .json_body(serde_json::json!({"data": [], "meta": {"message": "Unauthenticated."}}));
    });
    let airalo_config = airalo_client::Client::config("id", CLIENT_SECRET).base_url(server.base_url());
    let airalo = airalo_config.clone().build().unwrap();
    let pressone_config = pressone_client::Client::config(server.base_url(), "id", CLIENT_SECRET);
    let pressone = pressone_config.clone().build().unwrap();
    let mut shown = vec![
        format!("{airalo_config:?}"),
        format!("{airalo:?}"),
        format!("{pressone_config:?}"),
        format!("{pressone:?}"),
    ];
    let err = airalo_client::Error::from(airalo.get_balance().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));
    let err = pressone_client::Error::from(pressone.get_balance().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));

    // A token endpoint that refuses: the error names the status, never the secret.
    let refusing = MockServer::start_async().await;
    refusing.mock(|when, then| {
        when.method("POST");
        then.status(401)
            .json_body(serde_json::json!({"data": [], "meta": {"message": "Client authentication failed"}}));
    });
    let client = airalo_client::Client::config("id", CLIENT_SECRET)
        .base_url(refusing.base_url())
        .build()
        .unwrap();
    let err = airalo_client::Error::from(client.get_balance().send().await.unwrap_err());
    assert!(matches!(err, airalo_client::Error::Auth(_)), "{err:?}");
    shown.push(format!("{err} {err:?}"));
    shown
}

async fn veloconnect() -> Vec<String> {
    let server = MockServer::start_async().await;
    server.mock(|_, then| {
        then.status(403).json_body(serde_json::json!({"message": "forbidden"}));
    });
    let config = veloconnect_client::Client::config(VELOCONNECT_KEY).base_url(server.base_url());
    let client = config.clone().build().unwrap();
    let err = veloconnect_client::Error::from(client.get_my_organization().send().await.unwrap_err());
    vec![format!("{config:?}"), format!("{client:?}"), format!("{err} {err:?}")]
}

/// The SMS platform's password travels in the JSON body: it reaches the server there and
/// nowhere else (not the URL, not a header), and stays out of configs, clients, a refusal
/// in a 200 body, an HTTP error and a transport failure.
async fn veloconnect_sms() -> Vec<String> {
    let server = MockServer::start_async().await;
    let balance = server.mock(|when, then| {
        when.method("POST")
            .path("/api/CheckBalance")
            .json_body(serde_json::json!({"api_id": "API1", "api_password": SMS_PASSWORD}));
        then.status(200)
            .json_body(serde_json::json!({"status": "F", "remarks": "IP not Whitelisted"}));
    });
    server.mock(|when, then| {
        when.method("POST").path("/api/GetSenderIDList");
        then.status(500)
            .json_body(serde_json::json!({"status": "F", "remarks": "down"}));
    });
    let config = veloconnect_sms_client::Client::config("API1", SMS_PASSWORD).base_url(server.base_url());
    let client = config.clone().build().unwrap();
    let mut shown = vec![format!("{config:?}"), format!("{client:?}"), format!("{config:#?}")];
    let refused = veloconnect_sms_client::Error::from(client.check_balance().send().await.unwrap_err());
    balance.assert();
    assert_eq!(refused.api_body().map(|f| f.reason()), Some("IP not Whitelisted"));
    shown.push(format!("{refused} {refused:?}"));
    let err = veloconnect_sms_client::Error::from(client.get_sender_id_list().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));
    let unreachable = config.base_url("http://127.0.0.1:9").build().unwrap();
    let err = veloconnect_sms_client::Error::from(unreachable.check_balance().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));
    shown
}

/// A shared Valkey/Redis store, down and up: its password and the token it holds stay out of
/// its `Debug`, the client's, and the WARN an outage logs.
async fn fleet_store() -> Vec<String> {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method("POST").path("/token");
        then.status(200)
            .json_body(serde_json::json!({"data": {"access_token": ACCESS_TOKEN, "expires_in": 3600}}));
    });
    server.mock(|when, then| {
        when.method("GET").path("/balance");
        then.status(200)
            .json_body(serde_json::json!({"data": {"balances": {}}, "meta": {"message": "success"}}));
    });
    let live = integration_tests::redis_server::RedisServer::start();
    let mut urls = vec![format!("redis://:{REDIS_PASSWORD}@127.0.0.1:9/0")];
    urls.extend(live.as_ref().map(|s| s.url()));
    let mut shown = Vec::new();
    for url in urls {
        let store = std::sync::Arc::new(provider_fleet::RedisStore::open(&url).unwrap());
        let client = airalo_client::Client::config("id", CLIENT_SECRET)
            .base_url(server.base_url())
            .shared_state(store.clone())
            .build()
            .unwrap();
        let _ = client.get_balance().send().await;
        shown.push(format!("{store:?} {client:?}"));
    }
    shown
}
