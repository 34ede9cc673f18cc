//! The VeloConnect (VeloeSIM wholesale) simulation driven through the generated client:
//! plans, an order, usage over simulated time, a top-up, and the errors the sandbox gives.

use std::time::Duration;

use rust_decimal::Decimal;
use sandbox::{Config, EXAMPLE_START, Provider, Sandbox, catalogue, credentials};
use veloconnect_client::types::{OrderRequest, TopUpRequest};
use veloconnect_client::{Client, Error, RetryPolicy};

/// 40 MiB per simulated hour, in bytes.
const PER_HOUR: i64 = 40 * 1024 * 1024;
/// Wall-clock time also moves the simulated clock: allow a few minutes' usage.
const SLACK: i64 = 5 * 1024 * 1024;

fn connect(sandbox: &Sandbox, key: &str) -> Client {
    Client::config(key)
        .base_url(sandbox.base_url(Provider::VeloConnect))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn order(plan_id: i64) -> OrderRequest {
    OrderRequest {
        plan_id,
        customer_email: None,
        customer_full_name: None,
    }
}

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The HTTP status and `message` of a call that must fail.
fn failure<T: std::fmt::Debug>(result: Result<T, impl Into<Error>>) -> (u16, String) {
    let err: Error = result.unwrap_err().into();
    let message = err
        .api_body()
        .and_then(|body| body.get("message")?.as_str().map(str::to_owned));
    (err.status().unwrap().as_u16(), message.unwrap_or_default())
}

fn close_to(actual: Option<i64>, expected: i64) -> bool {
    actual.is_some_and(|a| (expected - SLACK..=expected).contains(&a))
}

#[tokio::test]
async fn journey_from_plans_to_top_up() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let client = connect(&sandbox, credentials::VELOCONNECT_API_KEY);

    // Germany (area 1) is sold on its own and in the Europe+ bundle (area 151).
    let plans = client
        .get_all_plans()
        .area_names(vec!["germ".to_owned()])
        .send()
        .await
        .unwrap();
    let ids: Vec<i64> = plans.rows.iter().map(|p| p.id).collect();
    assert_eq!(ids, [101, 102, 103, 104, 105, 15101, 15102, 15103, 15104, 15105]);
    let page = client
        .get_all_plans()
        .area_ids(vec![1])
        .limit(2)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(10));
    assert_eq!(page.rows.iter().map(|p| p.id).collect::<Vec<_>>(), [102, 103]);
    let asia = client
        .get_all_plans()
        .area_regions(vec!["asia".to_owned()])
        .send()
        .await
        .unwrap();
    assert!(asia.rows.iter().all(|p| p.areas[0].iso.as_deref() == Some("JP")) && asia.count == Some(5));

    let plan = client.get_one_plan().id(101).send().await.unwrap();
    assert_eq!(
        (plan.data_amount, plan.duration, plan.price),
        (Some(1000), Some(7), Some(decimal("3.6")))
    );
    assert_eq!(plan.areas[0].name.as_deref(), Some("Germany"));
    let balance = client.get_my_organization().send().await.unwrap().balance;
    assert_eq!(balance, Some(decimal("1000")));

    let esim = client.order_one().body(order(101)).send().await.unwrap().into_inner();
    assert!(esim.iccid.starts_with("898832"), "{}", esim.iccid);
    assert!(esim.ios_setup.as_deref().unwrap().ends_with(&esim.lpa().unwrap()));
    assert_eq!(esim.assigned_plans.len(), 1);
    assert_eq!(esim.assigned_plans[0].initial_quantity_in_bytes, Some(1_000_000_000));
    assert!(esim.assigned_plans[0].start_time.is_some());
    let balance = client.get_my_organization().send().await.unwrap().balance;
    assert_eq!(balance, Some(decimal("996.4")));

    sandbox.skip(Duration::from_secs(10 * 3600));
    let now = client.get_one_esim().iccid(&esim.iccid).send().await.unwrap();
    let remaining = now.assigned_plans[0].remaining_quantity_in_bytes;
    assert!(close_to(remaining, 1_000_000_000 - 10 * PER_HOUR), "{remaining:?}");

    let topups = client.get_esim_top_up_plans().iccid(&esim.iccid).send().await.unwrap();
    assert_eq!(topups.rows.iter().map(|p| p.id).collect::<Vec<_>>(), [101, 102, 103]);
    let topped = client
        .top_up_esim()
        .iccid(&esim.iccid)
        .body(TopUpRequest { plan_id: 102 })
        .send()
        .await
        .unwrap();
    assert_eq!(topped.assigned_plans.len(), 2);
    let queued = &topped.assigned_plans[1];
    assert_eq!((queued.plan_id, queued.start_time.as_ref()), (Some(102), None));
    assert_eq!(queued.remaining_quantity_in_bytes, Some(3_000_000_000));
    let balance = client.get_my_organization().send().await.unwrap().balance;
    assert_eq!(balance, Some(decimal("987.6")));

    // Thirty hours in, the first gigabyte is gone and the top-up carries the rest.
    sandbox.skip(Duration::from_secs(20 * 3600));
    let all = client.get_all_esims().send().await.unwrap();
    assert_eq!(all.count, Some(1));
    let plans = &all.rows[0].assigned_plans;
    assert_eq!(
        (plans[0].is_expired, plans[0].remaining_quantity_in_bytes),
        (Some(true), Some(0))
    );
    assert!(plans[1].start_time.is_some() && plans[1].is_expired == Some(false));
    let expected = 3_000_000_000 - (30 * PER_HOUR - 1_000_000_000);
    assert!(close_to(plans[1].remaining_quantity_in_bytes, expected), "{plans:?}");
}

#[tokio::test]
async fn errors() {
    let sandbox = Sandbox::start(Config {
        opening_balance: 5.0,
        start: Some(EXAMPLE_START),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = connect(&sandbox, credentials::VELOCONNECT_API_KEY);

    let (status, _) = failure(connect(&sandbox, "wrong").get_my_organization().send().await);
    assert_eq!(status, 401);
    let (status, message) = failure(client.order_one().body(order(102)).send().await);
    assert_eq!((status, message.starts_with("insufficient balance")), (402, true));
    let email = OrderRequest {
        customer_email: Some("not-an-address".to_owned()),
        ..order(101)
    };
    assert_eq!(failure(client.order_one().body(email).send().await).0, 400);
    assert_eq!(failure(client.order_one().body(order(999)).send().await).0, 404);
    assert_eq!(failure(client.get_one_plan().id(7).send().await).0, 404);

    let esim = client.order_one().body(order(101)).send().await.unwrap();
    let balance = client.get_my_organization().send().await.unwrap().balance;
    assert_eq!(balance, Some(decimal("1.4")));
    let not_a_topup = client
        .top_up_esim()
        .iccid(&esim.iccid)
        .body(TopUpRequest { plan_id: 104 });
    assert_eq!(failure(not_a_topup.send().await).0, 400);
    let unknown = catalogue::iccid(32, 99);
    assert_eq!(failure(client.get_one_esim().iccid(&unknown).send().await).0, 404);
    assert_eq!(failure(client.get_one_esim().iccid("123").send().await).0, 400);

    // Malformed input the typed client cannot send still gets a JSON error object.
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/api/wholesale/orders",
            sandbox.base_url(Provider::VeloConnect)
        ))
        .header("authorization", format!("Apikey {}", credentials::VELOCONNECT_API_KEY))
        .body(r#"{"planId": "101"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["message"], "`planId` must be an integer");
}

#[tokio::test]
async fn rate_limit_answers_429_until_the_window_passes() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let client = connect(&sandbox, credentials::VELOCONNECT_API_KEY);
    for _ in 0..120 {
        client.get_my_organization().send().await.unwrap();
    }
    let err = Error::from(client.get_my_organization().send().await.unwrap_err());
    let Error::RateLimited(limit) = &err else {
        panic!("expected 429, got {err:?}")
    };
    let retry_after = limit.retry_after.unwrap();
    assert!(
        retry_after > Duration::ZERO && retry_after <= Duration::from_secs(60),
        "{retry_after:?}"
    );
    sandbox.skip(Duration::from_secs(60));
    client.get_my_organization().send().await.unwrap();
}
