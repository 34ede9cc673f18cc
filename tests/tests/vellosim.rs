//! Every Vellosim operation against a mock server: the request exactly as the docs show it
//! (method, path, query, `X-API-Key`, body), and the documented response decoded (snapshots).

use std::str::FromStr;

use httpmock::MockServer;
use integration_tests::{component_response_example, request_example, response_example, spec};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use vellosim_client::mock::MockServerExt;
use vellosim_client::types::{ErrorCode, EsimStatus, PackageType, PaymentMethod, PurchaseRequest, PurchaseStatus};
use vellosim_client::{Client, Error, RetryPolicy};

const KEY: &str = "vls_test_0123456789abcdef";

fn client(server: &MockServer) -> Client {
    Client::config(KEY).base_url(server.base_url()).build().unwrap()
}

fn example(operation: &str, name: &str) -> Value {
    response_example(&spec("vellosim"), operation, name)
}

fn error_example(name: &str) -> Value {
    component_response_example(&spec("vellosim"), "Error", name)
}

#[tokio::test]
async fn get_regions() {
    let server = MockServer::start_async().await;
    let mock = server.get_regions(|when, then| {
        when.type_(1)
            .into_inner()
            .header("x-api-key", KEY)
            .header_missing("api-version");
        then.into_inner().status(200).json_body(example("getRegions", ""));
    });
    let regions = client(&server)
        .get_regions()
        .type_(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    insta::assert_debug_snapshot!(regions);
}

#[tokio::test]
async fn get_packages_for_a_region() {
    let server = MockServer::start_async().await;
    let mock = server.get_packages(|when, then| {
        when.region_code("US")
            .type_(&PackageType::Base)
            .region_type(None)
            .package_code(None)
            .into_inner()
            .header("x-api-key", KEY);
        then.into_inner().status(200).json_body(example("getPackages", "guide"));
    });
    let packages = client(&server)
        .get_packages()
        .region_code("US")
        .type_(PackageType::Base)
        .send()
        .await
        .unwrap();
    mock.assert();
    assert_eq!(packages[0].data_volume().unwrap().to_string(), "1GB");
    insta::assert_debug_snapshot!(packages.into_inner());
}

#[tokio::test]
async fn get_top_up_packages() {
    let server = MockServer::start_async().await;
    let mock = server.get_packages(|when, then| {
        when.region_code("US")
            .type_(&PackageType::Topup)
            .package_code("CKH384")
            .into_inner()
            .header("x-api-key", KEY);
        then.into_inner()
            .status(200)
            .json_body(example("getPackages", "topUpPage"));
    });
    let packages = client(&server)
        .get_packages()
        .region_code("US")
        .type_(PackageType::Topup)
        .package_code("CKH384")
        .send()
        .await
        .unwrap();
    mock.assert();
    // Exact decimals: the two prices add up to 10.35, not 10.350000000000001 as f64 would.
    let total: Decimal = packages.iter().filter_map(|p| p.price).sum();
    assert_eq!(total, Decimal::from_str("10.35").unwrap());
    insta::assert_debug_snapshot!(packages.into_inner());
}

#[tokio::test]
async fn get_packages_reference_page_shape_decodes_too() {
    let server = MockServer::start_async().await;
    server.get_packages(|when, then| {
        when.region_code("US");
        then.into_inner()
            .status(200)
            .json_body(example("getPackages", "referencePage"));
    });
    let packages = client(&server)
        .get_packages()
        .region_code("US")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(packages.len(), 3);
    assert_eq!(packages[2].data.as_deref(), Some("Unlimited"));
    assert_eq!(packages[0].original_price_usd.unwrap().to_string(), "10");
}

#[tokio::test]
async fn get_package_details() {
    let server = MockServer::start_async().await;
    let mock = server.get_package_details(|when, then| {
        when.package_code("US_5GB_30D")
            .currency("NGN")
            .type_(None)
            .into_inner()
            .header("x-api-key", KEY);
        then.into_inner()
            .status(200)
            .json_body(example("getPackageDetails", ""));
    });
    let package = client(&server)
        .get_package_details()
        .package_code("US_5GB_30D")
        .currency("NGN")
        .send()
        .await
        .unwrap();
    mock.assert();
    insta::assert_debug_snapshot!(package.into_inner());
}

#[tokio::test]
async fn package_details_is_public() {
    let server = MockServer::start_async().await;
    let mock = server.get_package_details(|when, then| {
        when.package_code("TOPUP_US_5GB_30D")
            .into_inner()
            .header_missing("x-api-key");
        then.into_inner()
            .status(200)
            .json_body(example("getPackageDetails", ""));
    });
    let public = Client::public().base_url(server.base_url()).build().unwrap();
    public
        .get_package_details()
        .package_code("TOPUP_US_5GB_30D")
        .send()
        .await
        .unwrap();
    mock.assert();
}

#[tokio::test]
async fn purchase_esim_sends_the_documented_body() {
    let server = MockServer::start_async().await;
    let body = request_example(&spec("vellosim"), "purchaseEsim", "purchase");
    let mock = server.purchase_esim(|when, then| {
        when.into_inner()
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .json_body(body.clone());
        then.into_inner()
            .status(200)
            .json_body(example("purchaseEsim", "purchase"));
    });
    let request = PurchaseRequest {
        package_code: "PWZ5FXSJ3".into(),
        payment_method: PaymentMethod::Wallet,
        package_type: PackageType::Base,
        esim_id: None,
    };
    let purchase = client(&server).purchase_esim().body(request).send().await.unwrap();
    mock.assert();
    assert_eq!(purchase.status, Some(PurchaseStatus::Success));
    insta::assert_debug_snapshot!(purchase.into_inner());
}

#[tokio::test]
async fn top_up_uses_the_same_endpoint_and_accepts_201() {
    let server = MockServer::start_async().await;
    let body = request_example(&spec("vellosim"), "purchaseEsim", "topUp");
    let mock = server.purchase_esim(|when, then| {
        when.into_inner().header("x-api-key", KEY).json_body(body.clone());
        then.into_inner()
            .status(201)
            .json_body(example("purchaseEsim", "topUp"));
    });
    let request = PurchaseRequest::builder()
        .package_code("TOPUP_P3ICIKSE8")
        .payment_method(PaymentMethod::Wallet)
        .package_type(PackageType::Topup)
        .esim_id(Some("69125f9f56d7f09edabbaf23".to_owned()));
    let top_up = client(&server).purchase_esim().body(request).send().await.unwrap();
    mock.assert();
    assert_eq!(top_up.status().as_u16(), 201);
    insta::assert_debug_snapshot!(top_up.into_inner());
}

#[tokio::test]
async fn get_my_esims_with_filters() {
    let server = MockServer::start_async().await;
    let mock = server.get_my_esims(|when, then| {
        when.page(2)
            .limit(10)
            .status(&EsimStatus::Active)
            .search("8944500123456789012")
            .into_inner()
            .header("x-api-key", KEY);
        then.into_inner().status(200).json_body(example("getMyEsims", ""));
    });
    let page = client(&server)
        .get_my_esims()
        .page(2)
        .limit(10)
        .status(EsimStatus::Active)
        .search("8944500123456789012")
        .send()
        .await
        .unwrap();
    mock.assert();
    insta::assert_debug_snapshot!(page.into_inner());
}

#[tokio::test]
async fn get_esim() {
    let server = MockServer::start_async().await;
    let mock = server.get_esim(|when, then| {
        when.esim_id("esim_1699564800_12345")
            .into_inner()
            .header("x-api-key", KEY);
        then.into_inner().status(200).json_body(example("getEsim", ""));
    });
    let esim = client(&server)
        .get_esim()
        .esim_id("esim_1699564800_12345")
        .send()
        .await
        .unwrap();
    mock.assert();
    assert_eq!(esim.data_remaining().unwrap().to_string(), "4GB");
    assert_eq!(
        esim.activate_time
            .as_ref()
            .and_then(|t| t.to_utc())
            .unwrap()
            .to_rfc3339(),
        "2024-10-15T10:30:00+00:00"
    );
    insta::assert_debug_snapshot!(esim.into_inner());
}

#[tokio::test]
async fn get_exchange_rate_needs_no_key() {
    let server = MockServer::start_async().await;
    let mock = server.get_exchange_rate(|when, then| {
        when.into_inner().header_missing("x-api-key");
        then.into_inner().status(200).json_body(example("getExchangeRate", ""));
    });
    let public = Client::public().base_url(server.base_url()).build().unwrap();
    let rate = public.get_exchange_rate().send().await.unwrap();
    mock.assert();
    insta::assert_debug_snapshot!(rate.into_inner());
}

#[tokio::test]
async fn get_wallet_balance() {
    let server = MockServer::start_async().await;
    let mock = server.get_wallet_balance(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.into_inner().status(200).json_body(example("getWalletBalance", ""));
    });
    let balance = client(&server).get_wallet_balance().send().await.unwrap();
    mock.assert();
    assert_eq!(balance.data.balance, Decimal::from_str("1250.50").unwrap());
    insta::assert_debug_snapshot!(balance.into_inner());
}

#[tokio::test]
async fn documented_error_bodies_are_typed() {
    let server = MockServer::start_async().await;
    server.get_wallet_balance(|_, then| {
        then.into_inner().status(401).json_body(error_example("unauthorized"));
    });
    let err = Error::from(client(&server).get_wallet_balance().send().await.unwrap_err());
    let Error::Api { status, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 401);
    assert_eq!(body.code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(body.message(), Some("Invalid or missing API key"));
}

#[tokio::test]
async fn the_bare_string_401_of_the_auth_guide_is_typed_too() {
    let server = MockServer::start_async().await;
    server.get_regions(|_, then| {
        then.into_inner()
            .status(401)
            .json_body(error_example("authenticationGuide401"));
    });
    let err = Error::from(client(&server).get_regions().send().await.unwrap_err());
    let body = err.api_body().expect("typed body");
    assert_eq!(body.code(), None);
    assert_eq!(body.message(), Some("Invalid or missing API key"));
}

#[tokio::test]
async fn every_documented_error_code_and_an_unknown_one_decode() {
    let server = MockServer::start_async().await;
    let mut codes: Vec<&str> = ErrorCode::KNOWN.to_vec();
    codes.push("BRAND_NEW_CODE");
    for code in codes {
        let mut mock = server.purchase_esim(|_, then| {
            then.into_inner()
                .status(400)
                .json_body(json!({"success": false, "error": {"code": code, "message": "m"}, "statusCode": 400}));
        });
        let request = PurchaseRequest::builder()
            .package_code("X")
            .payment_method(PaymentMethod::Wallet)
            .package_type(PackageType::Base);
        let err = Error::from(client(&server).purchase_esim().body(request).send().await.unwrap_err());
        let decoded = err
            .api_body()
            .and_then(|b| b.code())
            .unwrap_or_else(|| panic!("{code}: {err:?}"));
        assert_eq!(decoded.as_str(), code);
        assert_eq!(decoded.is_known(), code != "BRAND_NEW_CODE");
        mock.delete();
    }
}

#[tokio::test]
async fn unknown_statuses_decode() {
    let server = MockServer::start_async().await;
    let mut esim = example("getEsim", "");
    esim["esimStatus"] = json!("QUARANTINED");
    esim["smdpStatus"] = json!("SOMETHING_NEW");
    esim["durationUnit"] = json!("WEEK");
    server.get_esim(|when, then| {
        when.esim_id("x");
        then.into_inner().status(200).json_body(esim);
    });
    let esim = client(&server).get_esim().esim_id("x").send().await.unwrap();
    assert_eq!(esim.esim_status, Some(EsimStatus::Unknown("QUARANTINED".into())));
    assert_eq!(esim.duration_unit.as_ref().map(|u| u.as_str()), Some("WEEK"));
}

/// The generated open enums: known values round-trip by name, others verbatim.
#[test]
fn open_enums_round_trip_known_and_unknown_values() {
    let decoded: Vec<EsimStatus> = serde_json::from_str(r#"["ACTIVE","SUSPENDED_BY_CARRIER"]"#).unwrap();
    assert_eq!(
        decoded,
        [EsimStatus::Active, EsimStatus::Unknown("SUSPENDED_BY_CARRIER".into())]
    );
    assert!(decoded[0].is_known() && !decoded[1].is_known());
    assert_eq!(
        serde_json::to_string(&decoded).unwrap(),
        r#"["ACTIVE","SUSPENDED_BY_CARRIER"]"#
    );
    assert_eq!("EXPIRED".parse::<EsimStatus>().unwrap(), EsimStatus::Expired);
    assert_eq!(EsimStatus::Expired.to_string(), "EXPIRED");
    assert_eq!(EsimStatus::KNOWN.len(), 10);
    assert!(
        serde_json::from_str::<EsimStatus>("42").is_err(),
        "a non-string is an error, not a panic"
    );
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_typed_errors_with_the_bytes_kept() {
    let server = MockServer::start_async().await;
    let full = serde_json::to_string(&example("getEsim", "")).unwrap();
    let bodies = [
        full[..full.len() / 2].to_owned(),
        String::new(),
        "<html><body>502 Bad Gateway</body></html>".to_owned(),
        r#"{"totalVolume": "lots"}"#.to_owned(),
        "[]".to_owned(),
    ];
    for body in bodies {
        let mut mock = server.get_esim(|when, then| {
            when.esim_id("x");
            then.into_inner()
                .status(200)
                .header("content-type", "text/html")
                .body(body.clone());
        });
        let err = Error::from(client(&server).get_esim().esim_id("x").send().await.unwrap_err());
        assert!(matches!(err, Error::Undecodable { .. }), "{body:?}: {err:?}");
        assert_eq!(err.raw_body().unwrap(), body.as_bytes());
        mock.delete();
    }
}

#[tokio::test]
async fn an_html_error_page_from_a_proxy_is_undecodable_not_a_panic() {
    let server = MockServer::start_async().await;
    server.get_regions(|_, then| {
        then.into_inner()
            .status(502)
            .header("content-type", "text/html")
            .body("<html>Bad Gateway</html>");
    });
    let client = Client::config(KEY)
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = Error::from(client.get_regions().send().await.unwrap_err());
    assert_eq!(err.raw_body().unwrap().as_ref(), b"<html>Bad Gateway</html>");
}

#[tokio::test]
async fn get_requests_are_retried_on_429_within_the_policy() {
    let server = MockServer::start_async().await;
    let mock = server.get_regions(|_, then| {
        then.into_inner().status(429).header("retry-after", "0").json_body(json!({"success": false, "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "slow down"}, "statusCode": 429}));
    });
    let policy = RetryPolicy {
        max_retries: 2,
        ..RetryPolicy::default()
    };
    let client = Client::config(KEY)
        .base_url(server.base_url())
        .retry(policy)
        .build()
        .unwrap();
    let err = Error::from(client.get_regions().send().await.unwrap_err());
    mock.assert_calls(3);
    let Error::RateLimited(limit) = err else {
        panic!("{err:?}")
    };
    assert_eq!(limit.retry_after, Some(std::time::Duration::ZERO));
    assert_eq!(limit.body.unwrap().code(), Some(&ErrorCode::RateLimitExceeded));
}

#[tokio::test]
async fn purchases_are_never_retried() {
    let server = MockServer::start_async().await;
    let mock = server.purchase_esim(|_, then| {
        then.into_inner()
            .status(503)
            .header("retry-after", "0")
            .json_body(error_example("internalError"));
    });
    let policy = RetryPolicy {
        max_retries: 5,
        ..RetryPolicy::default()
    };
    let client = Client::config(KEY)
        .base_url(server.base_url())
        .retry(policy)
        .build()
        .unwrap();
    let request = PurchaseRequest::builder()
        .package_code("X")
        .payment_method(PaymentMethod::Wallet)
        .package_type(PackageType::Base);
    let err = Error::from(client.purchase_esim().body(request).send().await.unwrap_err());
    mock.assert_calls(1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[test]
fn the_api_key_never_shows_in_debug_output() {
    let config = Client::config(KEY).base_url("http://127.0.0.1:1");
    let client = config.clone().build().unwrap();
    for text in [
        format!("{config:?}"),
        format!("{client:?}"),
        format!("{:?}", Client::config(KEY)),
    ] {
        assert!(!text.contains(KEY) && !text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains("REDACTED") || text.contains("Sensitive"), "{text}");
    }
}

#[test]
fn bad_base_urls_are_build_errors() {
    for url in ["", "not a url", "ftp://example.com"] {
        assert!(Client::config(KEY).base_url(url).build().is_err(), "{url}");
    }
}
