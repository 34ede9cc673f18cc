//! The Vellosim simulation driven through the generated client: catalogue, purchase, usage
//! over simulated time, top-up, webhooks, and every documented error the sandbox produces.

use std::time::Duration;

use rust_decimal::Decimal;
use sandbox::{Config, EXAMPLE_START, Provider, Sandbox, credentials};
use tokio::sync::mpsc;
use vellosim_client::types::{ErrorCode, EsimStatus, PackageType, PaymentMethod, PurchaseRequest, RegionType};
use vellosim_client::webhooks::{self, WebhookEvent, WebhookEventType};
use vellosim_client::{Client, Error, RetryPolicy};

const MIB: i64 = 1024 * 1024;
/// Wall-clock time also moves the simulated clock: allow a few minutes' usage (40 MiB/h).
const SLACK: i64 = 5 * MIB;

fn connect(sandbox: &Sandbox, key: &str) -> Client {
    Client::config(key)
        .base_url(sandbox.base_url(Provider::Vellosim))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn buy(code: &str) -> PurchaseRequest {
    PurchaseRequest {
        package_code: code.to_owned(),
        payment_method: PaymentMethod::Wallet,
        package_type: PackageType::Base,
        esim_id: None,
    }
}

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The HTTP status and documented error code of a call that must fail.
fn failure<T: std::fmt::Debug>(result: Result<T, impl Into<Error>>) -> (u16, ErrorCode) {
    let err: Error = result.unwrap_err().into();
    let code = err.api_body().and_then(|body| body.code()).cloned();
    (err.status().unwrap().as_u16(), code.unwrap())
}

/// A webhook receiver: the bodies it gets, in arrival order.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Vec<u8>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body.to_vec());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

/// The next `n` events, sorted by type (deliveries run concurrently).
async fn events(rx: &mut mpsc::UnboundedReceiver<Vec<u8>>, n: usize) -> Vec<WebhookEvent> {
    let mut got = Vec::new();
    for _ in 0..n {
        let body = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        got.push(webhooks::parse(&body).unwrap());
    }
    got.sort_by(|a, b| a.event.as_str().cmp(b.event.as_str()));
    got
}

#[tokio::test]
async fn journey_from_catalogue_to_expiry() {
    let (hook, mut received) = receiver().await;
    let sandbox = Sandbox::start(Config {
        webhook_urls: vec![(Provider::Vellosim, hook)],
        start: Some(EXAMPLE_START),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = connect(&sandbox, credentials::VELLOSIM_API_KEY);

    let countries = client.get_regions().type_(1).send().await.unwrap().into_inner();
    assert_eq!(countries.len(), 8);
    assert!(countries.iter().all(|r| r.region_type == Some(RegionType::Lc)));
    let germany = countries.iter().find(|r| r.region_code == "DE").unwrap();
    assert_eq!(
        (germany.country_code.as_deref(), germany.package_count),
        (Some("DE"), Some(5))
    );
    let regional = client.get_regions().type_(2).send().await.unwrap().into_inner();
    assert_eq!(
        regional.iter().map(|r| r.region_code.as_str()).collect::<Vec<_>>(),
        ["EU"]
    );

    let packages = client
        .get_packages()
        .region_code("DE")
        .send()
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<&str> = packages.iter().map(|p| p.package_code.as_str()).collect();
    assert_eq!(
        codes,
        ["DE_1GB_7D", "DE_3GB_30D", "DE_5GB_30D", "DE_10GB_30D", "DE_20GB_30D"]
    );
    assert_eq!(packages[0].volume, Some(1024 * MIB));
    assert_eq!(packages[0].price, Some(decimal("4.5")));
    let in_naira = client
        .get_package_details()
        .package_code("DE_1GB_7D")
        .currency("NGN")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (in_naira.price, in_naira.currency_code.as_deref()),
        (Some(decimal("7200")), Some("NGN"))
    );

    let bought = client
        .purchase_esim()
        .body(buy("DE_1GB_7D"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let details = bought.esim_details.unwrap();
    let iccid = details.iccid.unwrap();
    assert!(iccid.starts_with("898831"), "{iccid}");
    assert_eq!(bought.package.unwrap().price, Some(decimal("4.5")));
    // The QR URL serves the LPA string the activation code is part of.
    let qr = reqwest::get(details.qr_code_url.unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(qr, details.activation_code.unwrap());
    assert!(qr.ends_with(&details.matching_id.unwrap()));
    let balance = client.get_wallet_balance().send().await.unwrap().into_inner().data;
    assert_eq!(balance.balance, decimal("995.5"));

    let created = events(&mut received, 1).await;
    assert_eq!(created[0].event, WebhookEventType::EsimCreated);
    assert_eq!(created[0].data.iccid.as_deref(), Some(iccid.as_str()));
    assert_eq!(
        created[0].data.total_volume(),
        Some(vellosim_client::DataVolume::from_megabytes(1024))
    );

    let esim = client.get_esim().esim_id(&bought.transaction_id).send().await.unwrap();
    assert_eq!(esim.esim_status, Some(EsimStatus::Active));
    assert_eq!(esim.total_volume, Some(1024 * MIB));
    assert!(esim.data_usage_remain.unwrap() > 1024 * MIB - SLACK);

    // Ten hours at 40 MiB/h: 400 MiB used, the 25 % threshold crossed.
    sandbox.skip(Duration::from_secs(10 * 3600));
    let esim_id = esim.id.clone().unwrap();
    let esim = client.get_esim().esim_id(&esim_id).send().await.unwrap();
    let used = esim.order_usage.unwrap();
    assert!((400 * MIB..400 * MIB + SLACK).contains(&used), "{used}");
    assert_eq!(esim.data_usage_remain, Some(1024 * MIB - used));
    let updated = events(&mut received, 1).await;
    assert_eq!(updated[0].event, WebhookEventType::EsimDataUpdated);
    let new = &updated[0].changes["dataUsage"].new;
    assert!(
        (400.0..405.0).contains(&new.as_ref().and_then(|v| v.as_f64()).unwrap()),
        "{new:?}"
    );

    let page = client.get_my_esims().search(&iccid[10..]).send().await.unwrap();
    assert_eq!((page.total, page.esims.len()), (Some(1), 1));
    assert_eq!(page.esims[0].iccid.as_deref(), Some(iccid.as_str()));
    let none = client.get_my_esims().status(EsimStatus::Expired).send().await.unwrap();
    assert_eq!(none.total, Some(0));

    let topups = client
        .get_packages()
        .region_code("DE")
        .type_(PackageType::Topup)
        .package_code("DE_1GB_7D")
        .send()
        .await
        .unwrap();
    let topup_codes: Vec<&str> = topups.iter().map(|p| p.package_code.as_str()).collect();
    assert_eq!(topup_codes, ["TOPUP_DE_1GB_7D", "TOPUP_DE_3GB_30D", "TOPUP_DE_5GB_30D"]);
    let topped = client
        .purchase_esim()
        .body(PurchaseRequest {
            package_type: PackageType::Topup,
            esim_id: Some(esim_id.clone()),
            ..buy("TOPUP_DE_1GB_7D")
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(topped.message.as_deref(), Some("Top-up applied successfully"));
    assert_eq!(topped.esim_details.unwrap().total_volume, Some(2048 * MIB));
    let esim = client.get_esim().esim_id(&esim_id).send().await.unwrap();
    assert_eq!((esim.total_volume, esim.total_duration), (Some(2048 * MIB), Some(14)));
    assert_eq!(
        client.get_wallet_balance().send().await.unwrap().data.balance,
        decimal("991")
    );

    // Eight days on, the 2 GiB are used up: the 100 % update and the expiry are announced.
    sandbox.skip(Duration::from_secs(8 * 24 * 3600));
    let esim = client.get_esim().esim_id(&esim_id).send().await.unwrap();
    assert_eq!(
        (esim.esim_status.clone(), esim.data_usage_remain),
        (Some(EsimStatus::Expired), Some(0))
    );
    let last = events(&mut received, 2).await;
    assert_eq!(last[0].event, WebhookEventType::EsimDataUpdated);
    assert_eq!(last[0].data.data_usage_remain, Some(0.0));
    assert_eq!(last[1].event, WebhookEventType::EsimExpired);
    let expired = client.get_my_esims().status(EsimStatus::Expired).send().await.unwrap();
    assert_eq!(expired.total, Some(1));

    // Delivered with no signature header: Vellosim documents none.
    let deliveries = sandbox.webhooks();
    assert_eq!(deliveries.len(), 4);
    assert!(deliveries.iter().all(|d| d.outcome == Ok(200) && d.headers.is_empty()));
}

#[tokio::test]
async fn documented_errors() {
    let sandbox = Sandbox::start(Config {
        opening_balance: 5.0,
        start: Some(EXAMPLE_START),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = connect(&sandbox, credentials::VELLOSIM_API_KEY);

    assert_eq!(
        failure(connect(&sandbox, "vls_test_wrong").get_wallet_balance().send().await),
        (401, ErrorCode::Unauthorized)
    );
    // The exchange rate and package details are public.
    let public = Client::public()
        .base_url(sandbox.base_url(Provider::Vellosim))
        .build()
        .unwrap();
    assert_eq!(
        public.get_exchange_rate().send().await.unwrap().data.rate,
        decimal("1600")
    );
    assert!(
        public
            .get_package_details()
            .package_code("FR_1GB_7D")
            .send()
            .await
            .is_ok()
    );

    assert_eq!(
        failure(client.get_packages().region_code("XX").send().await),
        (400, ErrorCode::InvalidRegionCode)
    );
    assert_eq!(
        failure(client.get_package_details().package_code("NOPE").send().await),
        (404, ErrorCode::PackageNotFound)
    );
    assert_eq!(
        failure(client.get_esim().esim_id("5e11051a00000000000000ff").send().await),
        (404, ErrorCode::OrderNotFound)
    );

    // 11.00 USD against a 5.00 wallet; then a 4.50 one fits once.
    assert_eq!(
        failure(client.purchase_esim().body(buy("DE_3GB_30D")).send().await),
        (400, ErrorCode::InsufficientBalance)
    );
    client.purchase_esim().body(buy("DE_1GB_7D")).send().await.unwrap();
    assert_eq!(
        failure(client.purchase_esim().body(buy("DE_1GB_7D")).send().await),
        (400, ErrorCode::InsufficientBalance)
    );
    assert_eq!(
        client.get_wallet_balance().send().await.unwrap().data.balance,
        decimal("0.5")
    );

    assert_eq!(
        failure(
            client
                .purchase_esim()
                .body(PurchaseRequest {
                    payment_method: PaymentMethod::Card,
                    ..buy("DE_1GB_7D")
                })
                .send()
                .await,
        ),
        (400, ErrorCode::InvalidParameters)
    );
    assert_eq!(
        failure(
            client
                .purchase_esim()
                .body(PurchaseRequest {
                    package_type: PackageType::Topup,
                    ..buy("TOPUP_DE_1GB_7D")
                })
                .send()
                .await,
        ),
        (400, ErrorCode::InvalidParameters)
    );
    assert_eq!(
        failure(client.purchase_esim().body(buy("XX_1GB_7D")).send().await),
        (400, ErrorCode::InvalidPackageCode)
    );

    // Malformed input the typed client cannot send still gets the documented JSON error.
    let raw = reqwest::Client::new()
        .post(format!("{}/api/esim/buy", sandbox.base_url(Provider::Vellosim)))
        .header("x-api-key", credentials::VELLOSIM_API_KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_PARAMETERS");
    assert_eq!(body["statusCode"], 400);
}

#[tokio::test]
async fn rate_limit_answers_429_until_the_window_passes() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let client = connect(&sandbox, credentials::VELLOSIM_API_KEY);
    for _ in 0..120 {
        client.get_wallet_balance().send().await.unwrap();
    }
    let err = Error::from(client.get_wallet_balance().send().await.unwrap_err());
    let Error::RateLimited(limit) = &err else {
        panic!("expected 429, got {err:?}")
    };
    let retry_after = limit.retry_after.unwrap();
    assert!(
        retry_after > Duration::ZERO && retry_after <= Duration::from_secs(60),
        "{retry_after:?}"
    );
    assert_eq!(
        limit.body.as_ref().and_then(|b| b.code()),
        Some(&ErrorCode::RateLimitExceeded)
    );
    sandbox.skip(Duration::from_secs(60));
    client.get_wallet_balance().send().await.unwrap();
}

/// An embedding test may skip time from a thread outside the sandbox's runtime: the webhooks
/// that causes are still sent (from the sandbox's own runtime).
#[test]
fn skipping_time_outside_the_runtime_still_sends_webhooks() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(Sandbox::starting_at(EXAMPLE_START)).unwrap();
    let client = connect(&sandbox, credentials::VELLOSIM_API_KEY);
    runtime
        .block_on(client.purchase_esim().body(buy("DE_1GB_7D")).send())
        .unwrap();
    let created = runtime
        .block_on(sandbox.wait_for_webhooks(1, Duration::from_secs(5)))
        .len();

    // 1 GB at 40 MB an hour: 25 % is used after under seven hours.
    sandbox.skip(Duration::from_secs(7 * 3600));
    let all = runtime.block_on(sandbox.wait_for_webhooks(created + 1, Duration::from_secs(5)));
    let updates: Vec<_> = all.iter().filter(|d| d.body.contains("esim.data_updated")).collect();
    assert_eq!(updates.len(), 1, "{all:#?}");
}
