//! Faults a production client meets: resets after an order was sent, stalls, gateway errors,
//! cut-off and foreign bodies, rate limits with HTTP-date waits. Each test names the guarantee
//! it proves (README, "Reliability").

use std::time::{Duration, Instant, SystemTime};

use integration_tests::scripted::{ScriptedServer, Step};
use provider_clients::{airalo, vellosim};
use serde_json::json;

fn vellosim_client(server: &ScriptedServer, retry: vellosim::RetryPolicy, timeout: Duration) -> vellosim::Client {
    vellosim::Client::config("vls_test_key")
        .base_url(server.base_url())
        .retry(retry)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn quick_retries(max_retries: u32) -> vellosim::RetryPolicy {
    vellosim::RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        ..Default::default()
    }
}

fn regions() -> Step {
    Step::json(200, &json!([{"regionCode": "US", "regionName": "United States"}]))
}

/// Guarantee: an order whose connection is reset is not sent again, and the error says the
/// outcome is unknown and how to reconcile; the reconcile helper finds the order.
#[tokio::test]
async fn a_reset_after_an_order_was_sent_is_not_retried_and_can_be_reconciled() {
    let token = Step::json(200, &json!({"data": {"access_token": "t", "expires_in": 3600}}));
    let order_list = Step::json(
        200,
        &json!({"data": [
        {"id": 1, "code": "20230227-000001", "description": "booking-4711"},
        {"id": 2, "code": "20230227-000002", "description": "booking-47110"}
    ], "meta": {"last_page": 1}}),
    );
    let server = ScriptedServer::start(vec![token, Step::Reset, order_list]).await;
    let policy = airalo::RetryPolicy {
        max_retries: 5,
        ..Default::default()
    };
    let client = airalo::Client::config("id", "secret")
        .base_url(server.base_url())
        .retry(policy)
        .build()
        .unwrap();
    let body = airalo::types::OrderRequest::builder()
        .package_id("pkg")
        .quantity(1)
        .description(Some("booking-4711".into()));
    let err = airalo::Error::from(client.submit_order().body(body).send().await.unwrap_err());
    assert_eq!(server.requests(), 2, "the token request and one order, never a second");
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("look it up"), "{err}");
    let found = airalo::orders_with_description(&client, "booking-4711").await.unwrap();
    assert_eq!(found.iter().map(|o| o.id).collect::<Vec<_>>(), [Some(1)]);
}

/// Guarantee: a stalled server yields a timeout error within the configured bound.
#[tokio::test]
async fn a_stalled_server_times_out_within_the_bound() {
    let server = ScriptedServer::start(vec![Step::Stall(Duration::from_secs(5), Box::new(regions()))]).await;
    let client = vellosim_client(&server, vellosim::RetryPolicy::none(), Duration::from_millis(300));
    let started = Instant::now();
    let err = vellosim::Error::from(client.get_regions().send().await.unwrap_err());
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, vellosim::Error::Transport(e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

/// Guarantee: GETs are retried on 502/503/504 with bounded back-off, and succeed when the
/// provider recovers.
#[tokio::test]
async fn gateway_errors_on_reads_are_retried_until_the_provider_recovers() {
    let gateway = |status| Step::Respond {
        status,
        headers: vec![],
        body: b"<html>gateway</html>".to_vec(),
    };
    let server = ScriptedServer::start(vec![gateway(502), gateway(503), gateway(504), regions()]).await;
    let client = vellosim_client(&server, quick_retries(3), Duration::from_secs(5));
    let regions = client.get_regions().send().await.unwrap();
    assert_eq!((server.requests(), regions.len()), (4, 1));
}

/// Guarantee: the retries are bounded; the last gateway answer comes back with its body.
#[tokio::test]
async fn gateway_errors_stop_after_the_retry_budget() {
    let server = ScriptedServer::start(vec![Step::Respond {
        status: 503,
        headers: vec![],
        body: b"busy".to_vec(),
    }])
    .await;
    let client = vellosim_client(&server, quick_retries(2), Duration::from_secs(5));
    let err = vellosim::Error::from(client.get_regions().send().await.unwrap_err());
    assert_eq!(server.requests(), 3);
    assert_eq!(err.raw_body().map(|b| b.to_vec()), Some(b"busy".to_vec()));
}

/// Guarantee: bodies that are cut off, foreign (HTML from a proxy), mislabelled or empty are
/// typed errors, never panics, and the raw bytes are kept where any arrived.
#[tokio::test]
async fn cut_off_foreign_and_empty_bodies_are_typed_errors() {
    let cut = ScriptedServer::start(vec![Step::CutOff {
        status: 200,
        length: 500,
        body: br#"[{"regionCode":"US""#.to_vec(),
    }])
    .await;
    let err = vellosim::Error::from(
        vellosim_client(&cut, vellosim::RetryPolicy::none(), Duration::from_secs(5))
            .get_regions()
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, vellosim::Error::Transport(_)), "{err:?}");

    let bodies: [(&str, &[u8]); 4] = [
        ("text/html", b"<html><body>502 Bad Gateway</body></html>"),
        ("text/plain", br#"[{"regionCode": 42}]"#),
        ("application/json", b""),
        ("application/json", br#"{"regions": "#),
    ];
    for (content_type, body) in bodies {
        let step = Step::Respond {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_vec(),
        };
        let server = ScriptedServer::start(vec![step]).await;
        let client = vellosim_client(&server, vellosim::RetryPolicy::none(), Duration::from_secs(5));
        let err = vellosim::Error::from(client.get_regions().send().await.unwrap_err());
        assert_eq!(
            err.raw_body().map(|b| b.to_vec()),
            Some(body.to_vec()),
            "{content_type}: {err:?}"
        );
    }
}

/// Guarantee: `Retry-After` given as an HTTP date is honoured for reads.
#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_for() {
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let limited = Step::json(
        429,
        &json!({"success": false, "error": {"code": "RATE_LIMIT_EXCEEDED"}}),
    )
    .with_header("retry-after", &at);
    let server = ScriptedServer::start(vec![limited, regions()]).await;
    let client = vellosim_client(&server, quick_retries(1), Duration::from_secs(5));
    let started = Instant::now();
    client.get_regions().send().await.unwrap();
    assert_eq!(server.requests(), 2);
    // HTTP dates have whole seconds: the wait is between 1 and 2 s.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

/// Guarantee: a purchase is never resent, whatever the failure.
#[tokio::test]
async fn purchases_are_sent_once_on_reset_stall_and_gateway_errors() {
    let steps = [
        Step::Reset,
        Step::Stall(Duration::from_secs(5), Box::new(regions())),
        Step::Respond {
            status: 503,
            headers: vec![("retry-after".into(), "0".into())],
            body: vec![],
        },
    ];
    for step in steps {
        let server = ScriptedServer::start(vec![step]).await;
        let client = vellosim_client(&server, quick_retries(5), Duration::from_millis(300));
        let body = vellosim::types::PurchaseRequest::builder()
            .package_code("US_5GB_30D")
            .payment_method(vellosim::types::PaymentMethod::Wallet)
            .package_type(vellosim::types::PackageType::Base);
        assert!(client.purchase_esim().body(body).send().await.is_err());
        assert_eq!(server.requests(), 1);
    }
}
