//! Airalo's runtime behaviour: one shared token, refreshed once on 401; rate limits honoured
//! for reads and never retried for purchases; listings as streams; bulk calls.

use std::collections::BTreeMap;
use std::time::Duration;

use airalo_client::mock::MockServerExt;
use airalo_client::types;
use futures::TryStreamExt;
use httpmock::MockServer;
use integration_tests::{request_example, response_example, spec};
use provider_clients::airalo::{self, Client, Error, RetryPolicy};
use serde_json::{Value, json};

fn token_body(token: &str) -> Value {
    json!({"data": {"token_type": "Bearer", "expires_in": 86400, "access_token": token}, "meta": {"message": "success"}})
}

/// Airalo's token endpoint, answering `token`.
fn mock_token<'a>(server: &'a MockServer, token: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method("POST").path("/token");
        then.status(200).json_body(token_body(token));
    })
}

fn client(server: &MockServer) -> Client {
    Client::config("id", "secret")
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn balance() -> Value {
    response_example(&spec("airalo"), "getBalance", "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_first_calls_make_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server.mock(|when, then| {
        when.method("POST").path("/token");
        then.status(200)
            .delay(Duration::from_millis(50))
            .json_body(token_body("shared"));
    });
    let balance_mock = server.mock(|when, then| {
        when.method("GET")
            .path("/balance")
            .header("authorization", "Bearer shared");
        then.status(200).json_body(balance());
    });
    let client = client(&server);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_balance().send().await.map(drop) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    token.assert_calls(1);
    balance_mock.assert_calls(100);
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_call_retried_once() {
    let server = MockServer::start_async().await;
    let mut first_token = mock_token(&server, "expired");
    let refused = server.mock(|when, then| {
        when.method("GET")
            .path("/balance")
            .header("authorization", "Bearer expired");
        then.status(401)
            .json_body(json!({"data": [], "meta": {"message": "Unauthenticated."}}));
    });
    let client = client(&server);
    // Prime the cache with the token that is about to be refused.
    assert!(client.get_balance().send().await.is_err());
    first_token.delete();
    let fresh_token = mock_token(&server, "fresh");
    let accepted = server.mock(|when, then| {
        when.method("GET")
            .path("/balance")
            .header("authorization", "Bearer fresh");
        then.status(200).json_body(balance());
    });
    client.get_balance().send().await.unwrap();
    fresh_token.assert_calls(1);
    accepted.assert_calls(1);
    // First call: refused, refreshed (to "expired" again, refused again); second: refused once, then fresh.
    assert_eq!(refused.calls(), 3);
}

#[tokio::test]
async fn a_token_endpoint_that_is_down_gives_a_clear_error_without_a_retry_storm() {
    let server = MockServer::start_async().await;
    let token = server.mock(|when, then| {
        when.method("POST").path("/token");
        then.status(503).body("<html>maintenance</html>");
    });
    let client = client(&server);
    for _ in 0..20 {
        let err = Error::from(client.get_balance().send().await.unwrap_err());
        let Error::Auth(message) = &err else { panic!("{err:?}") };
        assert!(message.contains("503"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
    token.assert_calls(1);
}

#[tokio::test]
async fn reads_wait_for_retry_after_and_report_the_rate_limit_headers() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    let limited = server.mock(|when, then| {
        when.method("GET").path("/sims/8944/usage");
        then.status(429)
            .header("retry-after", "0")
            .header("x-ratelimit-limit", "10")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1700000000")
            .json_body(json!({"message": "Too Many Attempts."}));
    });
    let policy = RetryPolicy {
        max_retries: 2,
        ..RetryPolicy::default()
    };
    let client = Client::config("id", "secret")
        .base_url(server.base_url())
        .retry(policy)
        .build()
        .unwrap();
    let err = Error::from(client.get_usage().sim_iccid("8944").send().await.unwrap_err());
    limited.assert_calls(3);
    let Error::RateLimited(limit) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (limit.retry_after, limit.limit(), limit.remaining(), limit.reset()),
        (Some(Duration::ZERO), Some(10), Some(0), Some(1_700_000_000))
    );
    assert_eq!(
        limit.body.and_then(|b| b.message),
        Some("Too Many Attempts.".to_owned())
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_policy_allows_is_returned_not_slept() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    let limited = server.mock(|when, then| {
        when.method("GET").path("/packages");
        then.status(429)
            .header("retry-after", "3600")
            .json_body(json!({"message": "Too Many Attempts."}));
    });
    let err = Error::from(client(&server).get_packages().send().await.unwrap_err());
    limited.assert_calls(1);
    let Error::RateLimited(limit) = err else {
        panic!("{err:?}")
    };
    assert_eq!(limit.retry_after, Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn orders_are_never_retried_even_on_429_or_503() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    for status in [429, 503] {
        let mut order = server.mock(|when, then| {
            when.method("POST").path("/orders");
            then.status(status)
                .header("retry-after", "0")
                .json_body(json!({"message": "busy"}));
        });
        let body: types::OrderRequest =
            serde_json::from_value(request_example(&spec("airalo"), "submitOrder", "plain")).unwrap();
        let policy = RetryPolicy {
            max_retries: 5,
            ..RetryPolicy::default()
        };
        let client = Client::config("id", "secret")
            .base_url(server.base_url())
            .retry(policy)
            .build()
            .unwrap();
        assert!(client.submit_order().body(body).send().await.is_err());
        order.assert_calls(1);
        order.delete();
    }
}

fn meta(page: u64, last_page: u64) -> Value {
    json!({"message": "success", "current_page": page, "last_page": last_page, "per_page": "2", "total": 5})
}

#[tokio::test]
async fn orders_stream_follows_last_page_and_stops_on_an_error() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    for (page, codes) in [(1, vec!["a", "b"]), (2, vec!["c", "d"]), (3, vec!["e"])] {
        server.get_order_list(|when, then| {
            when.page(page).limit(2).include("sims");
            let data: Vec<Value> = codes
                .iter()
                .map(|c| json!({"id": 1, "code": c, "quantity": "1", "price": "9.50"}))
                .collect();
            then.into_inner()
                .status(200)
                .json_body(json!({"data": data, "links": {}, "meta": meta(page as u64, 3)}));
        });
    }
    let client = client(&server);
    let orders: Vec<_> = client
        .get_order_list()
        .include("sims")
        .stream(2)
        .try_collect()
        .await
        .unwrap();
    let codes: Vec<_> = orders.iter().map(|o| o.code.as_deref().unwrap()).collect();
    assert_eq!(codes, ["a", "b", "c", "d", "e"]);

    let broken = MockServer::start_async().await;
    mock_token(&broken, "t");
    broken.get_esims_list(|when, then| {
        when.page(1);
        then.into_inner()
            .status(200)
            .json_body(json!({"data": [{"iccid": "1"}, {"iccid": "2"}], "meta": meta(1, 3)}));
    });
    broken.get_esims_list(|when, then| {
        when.page(2);
        then.into_inner()
            .status(500)
            .json_body(json!({"message": "Server Error"}));
    });
    let client = Client::config("id", "secret")
        .base_url(broken.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let results: Vec<Result<types::Sim, Error>> = futures::StreamExt::collect(client.get_esims_list().stream(2)).await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(results[2].as_ref().unwrap_err().status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn flat_packages_span_pages_and_filter() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    let package = |id: &str, kind: &str| json!({"id": id, "type": kind, "price": 5, "amount": 1024, "day": 7});
    let country = |slug: &str, packages: Vec<Value>| json!({"slug": slug, "country_code": "TR", "operators": [{"id": 7, "title": "Merhaba", "packages": packages}]});
    server.get_packages(|when, then| {
        when.page(1).filter_country("TR").include("topup");
        then.into_inner().status(200).json_body(json!({"data": [country("turkey", vec![package("a-sim", "sim"), package("a-topup", "topup")])], "meta": meta(1, 2)}));
    });
    server.get_packages(|when, then| {
        when.page(2).filter_country("TR").include("topup");
        // Later pages may come keyed by position.
        then.into_inner()
            .status(200)
            .json_body(json!({"data": {"1": country("turkey-2", vec![package("b-sim", "sim")])}, "meta": meta(2, 2)}));
    });
    let client = client(&server);
    let listing = client.get_packages().filter_country("TR").include("topup");
    let all: Vec<_> = airalo::flat_packages(listing.clone().stream(1), false)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.package.id.as_str()).collect();
    assert_eq!(ids, ["a-sim", "a-topup", "b-sim"]);
    assert_eq!(all[0].operator_title, "Merhaba");
    assert_eq!(all[0].package.data_volume().unwrap().to_string(), "1GB");
    let sims: Vec<_> = airalo::flat_packages(listing.stream(1), true)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        sims.iter().map(|p| p.package.id.as_str()).collect::<Vec<_>>(),
        ["a-sim", "b-sim"]
    );
}

#[tokio::test]
async fn bulk_orders_and_usage_are_keyed_and_independent() {
    let server = MockServer::start_async().await;
    mock_token(&server, "t");
    let order = response_example(&spec("airalo"), "submitOrder", "submitOrder");
    for id in ["pkg-a", "pkg-b"] {
        server.submit_order(|when, then| {
            when.into_inner()
                .json_body_includes(json!({"package_id": id}).to_string());
            then.into_inner().status(200).json_body(order.clone());
        });
    }
    server.submit_order(|when, then| {
        when.into_inner()
            .json_body_includes(json!({"package_id": "sold-out"}).to_string());
        then.into_inner()
            .status(422)
            .json_body(json!({"code": 33, "reason": "Not enough stock"}));
    });
    let client = client(&server);
    let quantities: BTreeMap<String, u32> = [("pkg-a", 1), ("pkg-b", 2), ("sold-out", 1)]
        .map(|(k, v)| (k.to_owned(), v))
        .into();
    let results = airalo::order_bulk(&client, &quantities, Some("bulk test"), 5).await;
    assert!(results["pkg-a"].is_ok() && results["pkg-b"].is_ok());
    let err = results["sold-out"].as_ref().unwrap_err();
    assert_eq!(
        err.api_body().and_then(|b| b.business_code()),
        Some(airalo::BusinessCode::NotEnoughStock)
    );

    let usage = response_example(&spec("airalo"), "getUsage", "usage");
    server.get_usage(|when, then| {
        when.sim_iccid("111");
        then.into_inner().status(200).json_body(usage.clone());
    });
    server.get_usage(|when, then| {
        when.sim_iccid("222");
        then.into_inner()
            .status(404)
            .json_body(json!({"data": [], "meta": {"message": "messages.resource_not_found"}}));
    });
    let usages = airalo::usage_bulk(&client, ["111", "222"], 5).await;
    assert!(usages["111"].is_ok());
    assert_eq!(
        usages["222"].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(404)
    );
}

#[test]
fn credentials_never_show_in_debug_output() {
    let config = Client::config("my-client-id", "my-client-secret-value");
    let client = config.clone().build().unwrap();
    for text in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!text.contains("my-client-secret-value"), "{text}");
    }
}

/// 429 with `Retry-After: 1`, then success: the read waits and the caller sees the answer.
#[tokio::test]
async fn a_rate_limited_read_succeeds_after_waiting() {
    use integration_tests::scripted::{ScriptedServer, Step};
    let token = Step::json(200, &token_body("t"));
    let limited = Step::json(429, &json!({"message": "Too Many Attempts."})).with_header("retry-after", "1");
    let usage = Step::json(200, &response_example(&spec("airalo"), "getUsage", "usage"));
    let server = ScriptedServer::start(vec![token, limited, usage]).await;
    let client = Client::config("id", "secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let usage = client.get_usage().sim_iccid("8944").send().await.unwrap().into_inner();
    assert!(usage.data.total.is_some());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 3);
}

/// `[]` where an object is documented (no balance accounts, cancelled future orders).
#[test]
fn empty_arrays_where_objects_are_expected_decode() {
    let balance: types::BalanceResponse =
        serde_json::from_value(json!({"data": [], "meta": {"message": "success"}})).unwrap();
    assert_eq!(balance.balances(), None);
    let full: types::BalanceResponse = serde_json::from_value(
        json!({"data": {"balances": {"name": "b", "availableBalance": {"amount": "10.50", "currency": "USD"}}}}),
    )
    .unwrap();
    let amount = full
        .balances()
        .and_then(|b| b.balances)
        .and_then(|b| b.available_balance)
        .and_then(|a| a.amount);
    assert_eq!(amount.unwrap().to_string(), "10.50");
    let cancelled: types::CancelFutureOrdersResponse =
        serde_json::from_value(json!({"data": [], "meta": {"message": "Future orders cancelled successfully"}}))
            .unwrap();
    assert_eq!(cancelled.data, Some(json!([])));
}

/// The whole journey: token → packages → order → instructions → usage → top-up list →
/// top-up → history.
#[tokio::test]
async fn journey_token_to_history() {
    let server = MockServer::start_async().await;
    let doc = |op: &str, name: &str| response_example(&spec("airalo"), op, name);
    let token = mock_token(&server, "journey");
    server.get_packages(|_, then| {
        let mut page = doc("getPackages", "listPackages");
        page["meta"]["last_page"] = 1.into();
        then.into_inner().status(200).json_body(page);
    });
    server.submit_order(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("submitOrder", "submitOrder"));
    });
    server.get_installation_instructions(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getInstallationInstructions", ""));
    });
    server.get_usage(|_, then| {
        then.into_inner().status(200).json_body(doc("getUsage", "usage"));
    });
    server.get_topup_packages(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getTopupPackages", "available"));
    });
    let topup = server.submit_topup_order(|_, then| {
        then.into_inner().status(200).json_body(doc("submitTopupOrder", ""));
    });
    server.get_esim_package_history(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getEsimPackageHistory", "history"));
    });
    let client = client(&server);
    let packages: Vec<_> = airalo::flat_packages(client.get_packages().stream(50), true)
        .try_collect()
        .await
        .unwrap();
    let order = types::OrderRequest::builder()
        .package_id(packages[0].package.id.clone())
        .quantity(1)
        .description(Some("trip-1".into()));
    let order = client
        .submit_order()
        .body(order)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let iccid = order.sims[0].iccid.clone().unwrap();
    client
        .get_installation_instructions()
        .sim_iccid(&iccid)
        .accept_language("en")
        .send()
        .await
        .unwrap();
    client.get_usage().sim_iccid(&iccid).send().await.unwrap();
    let offers = client
        .get_topup_packages()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let body = types::TopupOrderRequest::builder()
        .package_id(offers[0].id.clone())
        .iccid(iccid.clone());
    client.submit_topup_order().body(body).send().await.unwrap();
    let history = client
        .get_esim_package_history()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!history.data.is_empty());
    token.assert_calls(1);
    topup.assert_calls(1);
}
