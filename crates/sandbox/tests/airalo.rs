//! The Airalo simulation driven by the real generated client: a customer's whole journey,
//! the documented errors, rate limits, token expiry and signed webhooks.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airalo_client::webhooks::{Notification, receive};
use airalo_client::{BusinessCode, Client, Error, RetryPolicy, types};
use rust_decimal::Decimal;
use sandbox::credentials::{CLIENT_ID, CLIENT_SECRET};
use sandbox::{Config, EXAMPLE_START, Provider, Sandbox};
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);

async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.expect("sandbox starts");
    let client = Client::config(CLIENT_ID, CLIENT_SECRET)
        .base_url(sandbox.base_url(Provider::Airalo))
        .retry(RetryPolicy::none())
        // These tests check the sandbox's own rate limits: the client does not pace itself.
        .rate_budgets(false)
        .build()
        .expect("client builds");
    (sandbox, client)
}

/// A typed request body from its JSON form.
fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid request body")
}

async fn buy(client: &Client, package_id: &str, quantity: i64) -> Result<types::Order, Error> {
    let request = body::<types::OrderRequest>(json!({"package_id": package_id, "quantity": quantity}));
    Ok(client.submit_order().body(request).send().await?.into_inner().data)
}

async fn balance(client: &Client) -> String {
    let response = client.get_balance().send().await.expect("balance").into_inner();
    let balances = response.balances().and_then(|b| b.balances).expect("a balance");
    balances
        .available_balance
        .and_then(|a| a.amount)
        .expect("an amount")
        .to_string()
}

async fn usage(client: &Client, iccid: &str) -> types::Usage {
    client
        .get_usage()
        .sim_iccid(iccid)
        .send()
        .await
        .expect("usage")
        .into_inner()
        .data
}

fn summary(usage: &types::Usage) -> (Option<i64>, Option<i64>, &str) {
    (
        usage.remaining,
        usage.total,
        usage.status.as_ref().map_or("", |s| s.as_str()),
    )
}

#[tokio::test]
async fn buy_install_use_and_top_up() {
    let (sandbox, client) = start().await;

    let catalogue = client
        .get_packages()
        .filter_country("DE")
        .send()
        .await
        .unwrap()
        .into_inner();
    let packages = catalogue.flat();
    let ids: Vec<&str> = packages.iter().map(|p| p.package.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "germany-7days-1gb",
            "germany-30days-3gb",
            "germany-30days-5gb",
            "germany-30days-10gb",
            "germany-30days-20gb"
        ]
    );
    assert!(packages.iter().all(|p| p.country_code.as_deref() == Some("DE")));
    assert_eq!(catalogue.meta.and_then(|m| m.total), Some(1));
    let with_topups = client
        .get_packages()
        .filter_country("DE")
        .include("topup")
        .send()
        .await
        .unwrap();
    assert_eq!(with_topups.into_inner().flat().len(), 8);

    assert_eq!(balance(&client).await, "1000");
    let order = buy(&client, "germany-7days-1gb", 1).await.unwrap();
    assert_eq!(order.package_id.as_deref(), Some("germany-7days-1gb"));
    assert_eq!(order.price.map(|p| p.to_string()).as_deref(), Some("4.5"));
    assert_eq!(order.net_price.map(|p| p.to_string()).as_deref(), Some("3.6"));
    assert_eq!(order.sims.len(), 1);
    let iccid = order.sims[0].iccid.clone().unwrap();
    assert!(iccid.starts_with("8988") && iccid.len() == 19, "{iccid}");
    assert_eq!(balance(&client).await, "996.4");

    // The eSIM, its QR code (served by the sandbox) and its installation instructions.
    let sim = client
        .get_esim()
        .sim_iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let lpa = sim.qrcode.clone().unwrap();
    assert!(lpa.starts_with("LPA:1$"), "{lpa}");
    let qr_url = sim.qrcode_url.clone().unwrap();
    assert!(
        qr_url.starts_with(&format!("{}/_sandbox/qr/", sandbox.origin())),
        "{qr_url}"
    );
    assert_eq!(reqwest::get(&qr_url).await.unwrap().text().await.unwrap(), lpa);
    let instructions = client
        .get_installation_instructions()
        .sim_iccid(&iccid)
        .accept_language("en")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .instructions
        .unwrap();
    assert_eq!(instructions.language.as_deref(), Some("EN"));
    for device in [&instructions.ios[0], &instructions.android[0]] {
        let qr = device.installation_via_qr_code.as_ref().unwrap();
        assert_eq!(qr.qr_code_data.as_deref(), Some(lpa.as_str()));
        assert!(device.installation_manual.as_ref().unwrap().steps.is_some());
    }

    // Data is used as simulated time passes: 40 MB an hour.
    assert_eq!(
        summary(&usage(&client, &iccid).await),
        (Some(1024), Some(1024), "ACTIVE")
    );
    sandbox.skip(10 * HOUR);
    assert_eq!(
        summary(&usage(&client, &iccid).await),
        (Some(624), Some(1024), "ACTIVE")
    );
    let before = usage(&client, &iccid).await.expired_at.unwrap().to_utc().unwrap();

    // A top-up adds its data and days; the history shows both packages.
    let topups = client
        .get_topup_packages()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let topup_ids: Vec<&str> = topups.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        topup_ids,
        [
            "germany-7days-1gb-topup",
            "germany-30days-3gb-topup",
            "germany-30days-5gb-topup"
        ]
    );
    let request = body::<types::TopupOrderRequest>(json!({"package_id": "germany-30days-3gb-topup", "iccid": iccid}));
    let topup = client
        .submit_topup_order()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(topup.type_.as_ref().map(|t| t.as_str()), Some("topup"));
    assert_eq!(
        summary(&usage(&client, &iccid).await),
        (Some(3696), Some(4096), "ACTIVE")
    );
    let after = usage(&client, &iccid).await.expired_at.unwrap().to_utc().unwrap();
    assert_eq!(after - before, chrono::Duration::days(30));
    let history = client
        .get_esim_package_history()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let packages: Vec<(String, Option<i64>)> = history
        .iter()
        .map(|h| (h.package.as_ref().unwrap().id.clone(), h.remaining))
        .collect();
    assert_eq!(
        packages,
        [
            ("germany-7days-1gb".to_owned(), Some(624)),
            ("germany-30days-3gb-topup".to_owned(), Some(3072))
        ]
    );
    assert_eq!(balance(&client).await, "987.6");
    let orders = client
        .get_order_list()
        .filter_iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(orders.data.len(), 2);

    // Once the allowance is gone the eSIM is finished.
    sandbox.skip(100 * HOUR);
    assert_eq!(
        summary(&usage(&client, &iccid).await),
        (Some(0), Some(4096), "FINISHED")
    );
}

#[tokio::test]
async fn documented_errors() {
    let (sandbox, client) = start().await;

    // More than the balance: 50 × 50.40 USD.
    let err = buy(&client, "world-30days-20gb", 50).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(
        err.api_body().and_then(|b| b.business_code()),
        Some(BusinessCode::InsufficientCredit)
    );
    assert_eq!(balance(&client).await, "1000");
    let forced = buy(&client, "test-out-of-stock-7days-1gb", 1).await.unwrap_err();
    assert_eq!(
        forced.api_body().and_then(|b| b.business_code()),
        Some(BusinessCode::PackageInvalidOrOutOfStock)
    );

    let err = buy(&client, "no-such-package", 51).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    let fields = err.api_body().unwrap().field_errors();
    assert_eq!(fields["quantity"], "The quantity may not be greater than 50.");
    assert_eq!(fields["package_id"], "The selected package is invalid.");

    let iccid = buy(&client, "germany-7days-1gb", 1).await.unwrap().sims[0]
        .iccid
        .clone()
        .unwrap();
    let request = body::<types::TopupOrderRequest>(json!({"package_id": "france-7days-1gb-topup", "iccid": iccid}));
    let err = Error::from(client.submit_topup_order().body(request).send().await.unwrap_err());
    assert_eq!(
        err.api_body().unwrap().field_errors()["package_id"],
        "invalid topup package"
    );

    let err = Error::from(
        client
            .get_usage()
            .sim_iccid("8988010000009999994")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.api_body().unwrap().message(), Some("messages.resource_not_found"));

    // Without a token, and with malformed input, the answers are still Airalo's JSON.
    let base = sandbox.base_url(Provider::Airalo);
    let http = reqwest::Client::new();
    let response = http.get(format!("{base}/balance")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["meta"]["message"], "Unauthenticated.");
    let token = token(&base).await;
    let response = http
        .post(format!("{base}/orders"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["data"]["package_id"], "The package id field is required.");
}

async fn token(base: &str) -> String {
    let form = [
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("grant_type", "client_credentials"),
    ];
    let response = reqwest::Client::new()
        .post(format!("{base}/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let json: Value = response.json().await.unwrap();
    json["data"]["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn usage_is_rate_limited_per_iccid_until_the_window_passes() {
    let (sandbox, client) = start().await;
    let iccid = buy(&client, "france-7days-1gb", 1).await.unwrap().sims[0]
        .iccid
        .clone()
        .unwrap();
    for _ in 0..10 {
        usage(&client, &iccid).await;
    }
    let err = Error::from(client.get_usage().sim_iccid(&iccid).send().await.unwrap_err());
    let Error::RateLimited(limit) = &err else {
        panic!("expected a 429, got {err:?}");
    };
    let wait = limit.retry_after.expect("Retry-After");
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60), "{wait:?}");
    assert_eq!(limit.limit(), Some(10));
    assert_eq!(
        limit.body.as_ref().and_then(|b| b.message()),
        Some("Too Many Attempts.")
    );
    sandbox.skip(Duration::from_secs(61));
    assert_eq!(summary(&usage(&client, &iccid).await).2, "ACTIVE");
}

#[tokio::test]
async fn an_expired_token_is_refused_and_the_client_fetches_a_new_one() {
    let (sandbox, client) = start().await;
    let base = sandbox.base_url(Provider::Airalo);
    let old = token(&base).await;
    assert_eq!(balance(&client).await, "1000");
    sandbox.skip(25 * HOUR);
    let refused = reqwest::Client::new()
        .get(format!("{base}/balance"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    // The client's cached token expired too: it is refused once, replaced, and the call succeeds.
    assert_eq!(balance(&client).await, "1000");

    let wrong = [
        ("client_id", CLIENT_ID),
        ("client_secret", "wrong"),
        ("grant_type", "client_credentials"),
    ];
    let response = reqwest::Client::new()
        .post(format!("{base}/token"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["meta"]["message"], "Client authentication failed");
}

/// A webhook receiver that records what it is sent.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let record = record.clone();
            async move { record.lock().unwrap().push(body) }
        })
        // Airalo checks the URL with HEAD on opt-in.
        .head(|| async {}),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// The notification of a recorded delivery, after checking its `airalo-signature`.
fn verified(delivery: &sandbox::Delivery) -> Notification {
    let signature = delivery
        .headers
        .iter()
        .find(|(name, _)| name == "airalo-signature")
        .map(|(_, value)| value.as_str());
    receive(delivery.body.as_bytes(), signature, CLIENT_SECRET).expect("a correctly signed notification")
}

#[tokio::test]
async fn webhooks_are_signed_and_follow_the_opt_ins() {
    let (sandbox, client) = start().await;
    let (url, received) = receiver().await;
    let wait = Duration::from_secs(5);

    let opt_in = body::<types::OptInRequest>(json!({"type": "async_orders", "webhook_url": url}));
    client.opt_in_notification().body(opt_in).send().await.unwrap();
    let details = client.get_notification_details().send().await.unwrap().into_inner();
    let notification = details.data.notification.unwrap();
    assert_eq!(notification.contact_point.as_deref(), Some(url.as_str()));

    let request = body::<types::AsyncOrderRequest>(json!({"package_id": "spain-7days-1gb", "quantity": 2}));
    let accepted = client.submit_order_async().body(request).send().await.unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    let request_id = accepted.into_inner().data.request_id.unwrap();
    assert_eq!(request_id.len(), 25);
    let deliveries = sandbox.wait_for_webhooks(1, wait).await;
    assert_eq!(deliveries[0].outcome, Ok(200));
    assert_eq!(received.lock().unwrap().as_slice(), [deliveries[0].body.clone()]);
    let Notification::AsyncOrder(order) = verified(&deliveries[0]) else {
        panic!("expected an async order");
    };
    assert_eq!(order.request_id.as_deref(), Some(request_id.as_str()));
    let order = order.data.unwrap();
    assert_eq!(order.sims.len(), 2);
    // Written as Airalo's PHP writes JSON, and signed over those bytes.
    assert!(
        deliveries[0].body.contains(r#""qrcode_url":"http:\/\/"#),
        "{}",
        deliveries[0].body
    );
    let tampered = deliveries[0].body.replace("spain", "italy");
    let signature = deliveries[0].headers[0].1.as_str();
    assert!(receive(tampered.as_bytes(), Some(signature), CLIENT_SECRET).is_err());

    // Low data: 75 % and 90 % of 1 GB used, then 3 days before expiry.
    let opt_in = body::<types::OptInRequest>(json!({"type": "webhook_low_data", "webhook_url": url}));
    client.opt_in_notification().body(opt_in).send().await.unwrap();
    for (skip, total) in [(20 * HOUR, 3), (4 * HOUR, 5), (96 * HOUR, 7)] {
        sandbox.skip(skip);
        assert_eq!(sandbox.wait_for_webhooks(total, wait).await.len(), total);
    }
    let deliveries = sandbox.wait_for_webhooks(7, wait).await;
    // Both eSIMs of the order: 75 % (after 20 h), 90 % (24 h), 3 days left (5 days).
    let mut levels: Vec<String> = deliveries[1..]
        .iter()
        .map(|d| match verified(d) {
            Notification::LowData(n) => {
                assert!(order.sims.iter().any(|s| s.iccid == n.iccid), "{n:?}");
                assert_eq!(n.package_name.as_deref(), Some("spain-7days-1gb"));
                n.level.unwrap().as_str().to_owned()
            }
            other => panic!("expected low data, got {other:?}"),
        })
        .collect();
    levels.sort();
    assert_eq!(levels, ["3days", "3days", "75%", "75%", "90%", "90%"]);

    // The simulator needs an opt-in for the event, or a URL of its own.
    let simulate = body::<types::SimulatorWebhookRequest>(json!({"event": "credit_limit_notification", "level": 80}));
    let refused = Error::from(client.simulate_webhook().body(simulate).send().await.unwrap_err());
    assert_eq!(
        refused.api_body().and_then(|b| b.message()),
        Some("User is not opted in")
    );
    let simulate = body::<types::SimulatorWebhookRequest>(
        json!({"event": "credit_limit_notification", "level": 80, "webhook_url": url}),
    );
    let answer = client
        .simulate_webhook()
        .body(simulate)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.success, "Notification sent");
    let deliveries = sandbox.wait_for_webhooks(8, wait).await;
    let Notification::CreditLimit(credit) = verified(&deliveries[7]) else {
        panic!("expected a credit limit notification");
    };
    assert!(credit.message.unwrap().contains("80%"));

    // After opting out, crossing "1 day left" sends nothing.
    let opt_out = body::<types::OptOutRequest>(json!({"type": "webhook_low_data"}));
    assert_eq!(
        client
            .opt_out_notification()
            .body(opt_out)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    sandbox.skip(30 * HOUR);
    assert_eq!(sandbox.wait_for_webhooks(9, Duration::from_millis(300)).await.len(), 8);
}

#[tokio::test]
async fn opting_in_checks_the_webhook_url_with_head() {
    let (_sandbox, client) = start().await;
    // A POST-only endpoint answers HEAD with 405: refused, as Airalo refuses it.
    let app = axum::Router::new().route("/hook", axum::routing::post(|| async {}));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let post_only = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let opt_in = body::<types::OptInRequest>(json!({"type": "webhook_low_data", "webhook_url": post_only}));
    let refused = Error::from(client.opt_in_notification().body(opt_in).send().await.unwrap_err());
    let message = refused
        .api_body()
        .and_then(|b| b.field_errors().get("webhook_url").cloned());
    assert_eq!(
        message.as_deref(),
        Some("The webhook url must answer a HEAD request with 200; it answered 405.")
    );
    assert!(
        client.get_notification_details().send().await.is_err(),
        "nothing was subscribed"
    );

    let (url, _) = receiver().await;
    let opt_in = body::<types::OptInRequest>(json!({"type": "webhook_low_data", "webhook_url": url}));
    client.opt_in_notification().body(opt_in).send().await.unwrap();
}

#[tokio::test]
async fn a_token_outlives_the_sandbox_that_issued_it() {
    let first = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let token = token(&first.base_url(Provider::Airalo)).await;
    drop(first);
    let second = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let answer = reqwest::Client::new()
        .get(format!("{}/balance", second.base_url(Provider::Airalo)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // It is Airalo's: PressOne refuses it.
    let answer = reqwest::Client::new()
        .get(format!("{}/customer/v2/balance", second.base_url(Provider::PressOne)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
}

#[tokio::test]
async fn the_calls_only_the_official_sdks_make() {
    let (_sandbox, client) = start().await;

    // Airmoney: one voucher with the partner's own code, or generated codes as a list of lists.
    let request = body::<types::AirmoneyVoucherRequest>(
        json!({"voucher_code": "SUMMER24", "usage_limit": 40, "amount": 22, "quantity": 1, "is_paid": false}),
    );
    let answer = client
        .create_airmoney_vouchers()
        .body(request.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(answer.data.is_object(), "{:?}", answer.data);
    let vouchers = answer.vouchers();
    assert_eq!(vouchers.len(), 1);
    assert_eq!(vouchers[0].code.as_deref(), Some("SUMMER24"));
    assert_eq!(vouchers[0].usage_limit.map(i64::from), Some(40));
    let taken = Error::from(
        client
            .create_airmoney_vouchers()
            .body(request)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(taken.api_body().unwrap().field_errors().contains_key("voucher_code"));
    let request = body::<types::AirmoneyVoucherRequest>(json!({"amount": 5, "quantity": 3}));
    let answer = client
        .create_airmoney_vouchers()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(answer.data[0].is_array(), "{:?}", answer.data);
    let codes: BTreeSet<String> = answer.vouchers().into_iter().filter_map(|v| v.code).collect();
    assert_eq!(codes.len(), 3);
    let request = body::<types::AirmoneyVoucherRequest>(json!({"amount": 5, "quantity": 101}));
    let too_many = Error::from(
        client
            .create_airmoney_vouchers()
            .body(request)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(too_many.api_body().unwrap().field_errors().contains_key("quantity"));

    // Exchange rates: from USD, for the currencies asked, a decimal `mid`.
    let rates = client
        .get_exchange_rates()
        .to("AUD,GBP,EUR")
        .date("2025-01-30")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(rates.date.as_deref(), Some("2025-01-30"));
    let pairs: Vec<(String, String)> = rates
        .rates
        .iter()
        .map(|r| (r.from.clone().unwrap(), r.to.clone().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [("USD", "AUD"), ("USD", "EUR"), ("USD", "GBP")].map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(rates.rates.iter().all(|r| {
        r.mid
            .as_deref()
            .and_then(|m| Decimal::from_str(m).ok())
            .is_some_and(|m| m > Decimal::ZERO)
    }));
    let bad = Error::from(client.get_exchange_rates().date("30.01.2025").send().await.unwrap_err());
    assert!(bad.api_body().unwrap().field_errors().contains_key("date"));

    // Catalogue overrides: none in a sandbox account, paginated as Airalo paginates.
    let overrides = client
        .get_package_overrides()
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(overrides.data.is_empty());
    assert_eq!(overrides.meta.and_then(|m| m.last_page), Some(1));
}

async fn future_orders(client: &Client, status: types::FutureOrderStatus) -> Vec<types::FutureOrder> {
    client
        .get_future_orders()
        .status(status)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
}

#[tokio::test]
async fn future_orders_move_through_their_statuses_in_simulated_time() {
    let (sandbox, client) = start().await;
    let (url, _) = receiver().await;
    let due = (sandbox.clock().now() + chrono::Duration::days(3))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let mut ids = Vec::new();
    for package_id in [
        "test-create-pending-future-order-7days-1gb",
        "test-create-retry-future-order-7days-1gb",
        "test-create-failed-future-order-7days-1gb",
        "germany-7days-1gb",
    ] {
        let request = body::<types::FutureOrderRequest>(
            json!({"package_id": package_id, "quantity": 1, "due_date": due, "webhook_url": url}),
        );
        let created = client
            .create_future_order()
            .body(request)
            .send()
            .await
            .unwrap()
            .into_inner();
        ids.push(created.data.request_id.unwrap());
    }
    let request_ids =
        |orders: Vec<types::FutureOrder>| -> Vec<String> { orders.into_iter().filter_map(|o| o.request_id).collect() };
    use types::FutureOrderStatus::{Failed, Pending, Retry};
    assert_eq!(
        request_ids(future_orders(&client, Pending).await),
        [ids[0].clone(), ids[3].clone()]
    );
    assert_eq!(request_ids(future_orders(&client, Retry).await), [ids[1].clone()]);
    assert_eq!(request_ids(future_orders(&client, Failed).await), [ids[2].clone()]);
    let balance_before = balance(&client).await;

    // The due date passes: the pending ones are placed and sent; the retry one fails again.
    sandbox.skip(Duration::from_secs(3 * 24 * 3600));
    let deliveries = sandbox.wait_for_webhooks(2, Duration::from_secs(5)).await;
    assert!(future_orders(&client, Pending).await.is_empty());
    assert_eq!(request_ids(future_orders(&client, Retry).await), [ids[1].clone()]);
    let placed: BTreeSet<String> = deliveries
        .iter()
        .map(|d| match verified(d) {
            Notification::AsyncOrder(order) => {
                assert_eq!(order.data.unwrap().sims.len(), 1);
                order.request_id.unwrap()
            }
            other => panic!("expected an order, got {other:?}"),
        })
        .collect();
    assert_eq!(placed, BTreeSet::from([ids[0].clone(), ids[3].clone()]));
    assert_ne!(balance(&client).await, balance_before);

    // Retried hourly until it has failed three times in all; the failure is sent too.
    sandbox.skip(3 * HOUR);
    assert_eq!(
        request_ids(future_orders(&client, Failed).await),
        [ids[1].clone(), ids[2].clone()]
    );
    let deliveries = sandbox.wait_for_webhooks(3, Duration::from_secs(5)).await;
    let failure: Value = serde_json::from_str(&deliveries[2].body).unwrap();
    assert_eq!(failure["request_id"], ids[1].as_str());
    assert!(failure["reason"].is_string(), "{failure}");
    let cancel = body::<types::CancelFutureOrdersRequest>(json!({"request_ids": [ids[2]]}));
    let refused = Error::from(client.cancel_future_orders().body(cancel).send().await.unwrap_err());
    assert!(refused.api_body().unwrap().field_errors().contains_key("request_ids.0"));
}

/// Every item of a paged listing: `fetch(page)` answers a page's items and the last page.
async fn all_pages<T, F, Fut>(fetch: F) -> Vec<T>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = (Vec<T>, Option<i64>)>,
{
    let mut items = Vec::new();
    for page in 1.. {
        let (mut more, last) = fetch(page).await;
        items.append(&mut more);
        if last.is_none_or(|last| page >= last) {
            break;
        }
    }
    items
}

/// 200 orders from 20 clients at once: each answered once, and the account adds up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_keep_the_account_consistent() {
    const CLIENTS: usize = 20;
    const ORDERS_EACH: usize = 10;
    let config = Config {
        // Twenty token exchanges at once would exceed Airalo's 3 a minute: this test is
        // about the account's state, not the limits.
        rate_limits: false,
        opening_balance: 100_000.0,
        start: Some(EXAMPLE_START),
        ..Config::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let packages = [
        "germany-7days-1gb",
        "spain-30days-3gb",
        "italy-30days-5gb",
        "france-30days-10gb",
    ];
    let start_balance = {
        let client = Client::config(CLIENT_ID, CLIENT_SECRET)
            .base_url(sandbox.base_url(Provider::Airalo))
            .build()
            .unwrap();
        Decimal::from_str(&balance(&client).await).unwrap()
    };
    let tasks = (0..CLIENTS).map(|c| {
        let base_url = sandbox.base_url(Provider::Airalo);
        tokio::spawn(async move {
            let client = Client::config(CLIENT_ID, CLIENT_SECRET)
                .base_url(base_url)
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            let mut orders = Vec::new();
            for n in 0..ORDERS_EACH {
                let package = packages[(c + n) % packages.len()];
                let quantity = 1 + (c * ORDERS_EACH + n) as i64 % 3;
                orders.push((quantity, buy(&client, package, quantity).await.expect("an order")));
            }
            orders
        })
    });
    let mut orders = Vec::new();
    for task in tasks {
        orders.extend(task.await.unwrap());
    }
    assert_eq!(orders.len(), CLIENTS * ORDERS_EACH);

    let order_ids: BTreeSet<i64> = orders.iter().map(|(_, o)| o.id.unwrap()).collect();
    assert_eq!(order_ids.len(), orders.len(), "every order answered once");
    let iccids: Vec<String> = orders
        .iter()
        .flat_map(|(_, o)| o.sims.iter().map(|s| s.iccid.clone().unwrap()))
        .collect();
    let unique: BTreeSet<&String> = iccids.iter().collect();
    assert_eq!(unique.len(), iccids.len(), "ICCIDs are unique");
    let spent: Decimal = orders
        .iter()
        .map(|(quantity, o)| o.net_price.unwrap() * Decimal::from(*quantity))
        .sum();
    for (quantity, order) in &orders {
        assert_eq!(order.sims.len() as i64, *quantity);
    }

    let client = Client::config(CLIENT_ID, CLIENT_SECRET)
        .base_url(sandbox.base_url(Provider::Airalo))
        .build()
        .unwrap();
    assert_eq!(
        Decimal::from_str(&balance(&client).await).unwrap(),
        start_balance - spent
    );
    let client = &client;
    let listed_orders: BTreeSet<i64> = all_pages(|page| async move {
        let answer = client
            .get_order_list()
            .limit(50)
            .page(page)
            .send()
            .await
            .unwrap()
            .into_inner();
        (
            answer.data.into_iter().filter_map(|o| o.id).collect(),
            answer.meta.and_then(|m| m.last_page),
        )
    })
    .await
    .into_iter()
    .collect();
    let listed_iccids: BTreeSet<String> = all_pages(|page| async move {
        let answer = client
            .get_esims_list()
            .limit(50)
            .page(page)
            .send()
            .await
            .unwrap()
            .into_inner();
        (
            answer.data.into_iter().filter_map(|s| s.iccid).collect(),
            answer.meta.and_then(|m| m.last_page),
        )
    })
    .await
    .into_iter()
    .collect();
    assert_eq!(listed_orders, order_ids, "the order list is the orders answered");
    assert_eq!(
        listed_iccids,
        unique.into_iter().cloned().collect(),
        "the eSIM list is the eSIMs bought"
    );
}

#[tokio::test]
async fn with_tls_it_serves_https_with_the_certificate_it_wrote() {
    let file = std::env::temp_dir().join(format!("sandbox-tls-test-{}.pem", std::process::id()));
    let config = Config {
        tls_certificate: Some(file.clone()),
        start: Some(EXAMPLE_START),
        ..Config::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let base = sandbox.base_url(Provider::Airalo);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(sandbox.certificate_pem().map(str::as_bytes), Some(pem.as_slice()));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let answer = trusting.get(format!("{base}/balance")).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401, "Airalo's answer, over TLS");
    let token: Value = trusting
        .post(format!("{base}/token"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["data"]["access_token"].as_str().unwrap();
    let answer = trusting
        .get(format!("{base}/balance"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // Without the certificate, the handshake fails.
    assert!(reqwest::get(format!("{base}/balance")).await.is_err());
}
