//! Every Airalo operation against a mock server: the request as documented (method, path,
//! query, bearer token, body equal to the documented example), and the documented response
//! decoded into typed values (JSON snapshots of what the types made of it).

use airalo_client::mock::MockServerExt;
use airalo_client::types::{self, OperatorType, OrderStatusFilter, SimStatus};
use airalo_client::{BusinessCode, Client, Error};
use httpmock::MockServer;
use integration_tests::{component_response_example, request_example, response_example, spec};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test";

fn doc(op: &str, name: &str) -> Value {
    response_example(&spec("airalo"), op, name)
}

fn body<T: DeserializeOwned>(op: &str, name: &str) -> (T, Value) {
    let value = request_example(&spec("airalo"), op, name);
    (
        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{op} {name}: {e}")),
        value,
    )
}

fn error_doc(name: &str) -> Value {
    component_response_example(&spec("airalo"), "Error", name)
}

/// A mock Airalo whose token endpoint hands out [`TOKEN`], and a client for it.
async fn airalo() -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    server.request_access_token(|when, then| {
        when.into_inner().form_urlencoded_tuple("client_id", "id").form_urlencoded_tuple("grant_type", "client_credentials");
        then.ok(&serde_json::from_value(json!({
            "data": {"token_type": "Bearer", "expires_in": 31622400, "access_token": TOKEN}, "meta": {"message": "success"}
        })).unwrap());
    });
    let client = Client::config("id", "secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    (server, client)
}

fn authorized(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", "application/json")
        .header_missing("api-version")
}

#[tokio::test]
async fn request_access_token_sends_the_documented_form() {
    let server = MockServer::start_async().await;
    let (request, _) = body::<types::TokenRequest>("requestAccessToken", "");
    let mock = server.request_access_token(|when, then| {
        when.into_inner()
            .header("content-type", "application/x-www-form-urlencoded")
            .form_urlencoded_tuple("client_id", request.client_id.clone())
            .form_urlencoded_tuple("client_secret", request.client_secret.clone())
            .form_urlencoded_tuple("grant_type", "client_credentials")
            .header_missing("authorization");
        then.into_inner().status(200).json_body(doc("requestAccessToken", ""));
    });
    let public = Client::config_with_tokens(Client::token_provider("unused", "unused")).base_url(server.base_url());
    let token = public
        .build()
        .unwrap()
        .request_access_token()
        .body(request)
        .send()
        .await;
    // The operation itself needs no token: only the one the mock expects was requested.
    mock.assert();
    insta::assert_json_snapshot!(token.unwrap().into_inner());
}

#[tokio::test]
async fn get_packages_with_every_filter() {
    let (server, client) = airalo().await;
    let mock = server.get_packages(|when, then| {
        let when = when
            .filter_type(&OperatorType::Local)
            .filter_country("TR")
            .include("topup")
            .limit(50)
            .page(1);
        authorized(when.into_inner()).header("accept-language", "en");
        then.into_inner()
            .status(200)
            .json_body(doc("getPackages", "listPackages"));
    });
    let packages = client
        .get_packages()
        .filter_type(OperatorType::Local)
        .filter_country("TR")
        .include("topup")
        .limit(50)
        .page(1)
        .accept_language("en")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    insta::assert_json_snapshot!(packages.flat().iter().map(flat_row).collect::<Vec<_>>());
}

fn flat_row(p: &airalo_client::FlatPackage) -> Value {
    json!({
        "id": p.package.id, "slug": p.slug, "country": p.country_code, "operator": p.operator_title,
        "price": p.package.price, "net_price": p.package.net_price,
        "volume": p.package.data_volume().map(|v| v.to_string()), "sim": p.package.is_sim(),
    })
}

#[tokio::test]
async fn every_documented_packages_page_shape_decodes() {
    for name in [
        "listPackages",
        "withTopupPageThree",
        "discountPricing",
        "pageKeyedByIndex",
    ] {
        let (server, client) = airalo().await;
        server.get_packages(|_, then| {
            then.into_inner().status(200).json_body(doc("getPackages", name));
        });
        let packages = client
            .get_packages()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .into_inner();
        assert!(!packages.flat().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn get_product_information() {
    let (server, client) = airalo().await;
    let mock = server.get_product_information(|when, then| {
        authorized(when.package_slug(&"change-7days-1gb".parse().unwrap()).into_inner());
        then.into_inner()
            .status(200)
            .json_body(doc("getProductInformation", ""));
    });
    let info = client
        .get_product_information()
        .package_slug("change-7days-1gb")
        .send()
        .await
        .unwrap();
    mock.assert();
    insta::assert_json_snapshot!(info.into_inner());
}

#[tokio::test]
async fn compatible_devices_both_lists() {
    let (server, client) = airalo().await;
    let old = server.get_compatible_devices(|when, then| {
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getCompatibleDevices", ""));
    });
    let lite = server.get_compatible_devices_lite(|when, then| {
        authorized(when.into_inner());
        then.into_inner()
            .status(200)
            .json_body(doc("getCompatibleDevicesLite", ""));
    });
    #[allow(deprecated)]
    let all = client.get_compatible_devices().send().await.unwrap().into_inner();
    let lite_list = client.get_compatible_devices_lite().send().await.unwrap().into_inner();
    old.assert();
    lite.assert();
    insta::assert_json_snapshot!((all, lite_list));
}

#[tokio::test]
async fn submit_order_sends_the_documented_json_body() {
    for (request_name, response_name) in [("plain", "submitOrder"), ("withEmailShare", "voiceAndData")] {
        let (server, client) = airalo().await;
        let (request, wire) = body::<types::OrderRequest>("submitOrder", request_name);
        let mock = server.submit_order(|when, then| {
            authorized(when.into_inner())
                .header("content-type", "application/json")
                .json_body(wire.clone());
            then.into_inner()
                .status(200)
                .json_body(doc("submitOrder", response_name));
        });
        let order = client.submit_order().body(request).send().await.unwrap().into_inner();
        mock.assert();
        insta::assert_json_snapshot!(format!("submit_order_{response_name}"), order);
    }
}

#[tokio::test]
async fn order_quirks_decode_into_the_same_types() {
    // `quantity` as a string, `price`/`validity` as strings, `net_price: null`.
    let (server, client) = airalo().await;
    let mut order = doc("submitOrder", "discountPricing");
    order["data"]["quantity"] = json!("1");
    order["data"]["validity"] = json!("7");
    order["data"]["price"] = json!("22.50");
    order["data"]["net_price"] = Value::Null;
    server.submit_order(|_, then| {
        then.into_inner().status(200).json_body(order);
    });
    let (request, _) = body::<types::OrderRequest>("submitOrder", "plain");
    let order = client
        .submit_order()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(order.quantity.map(|q| q.get()), Some(1));
    assert_eq!(order.validity.map(|v| v.get()), Some(7));
    assert_eq!(order.price.unwrap().to_string(), "22.50");
    assert_eq!(order.net_price, None);
}

#[tokio::test]
async fn get_order_list_with_filters() {
    let (server, client) = airalo().await;
    let mock = server.get_order_list(|when, then| {
        let when = when
            .include("sims,user,status")
            .filter_created_at("2023-01-01 - 2023-01-31")
            .filter_code("20230227")
            .filter_order_status(&OrderStatusFilter::Completed)
            .filter_iccid("8944")
            .filter_description("trip")
            .limit(25)
            .page(2);
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getOrderList", ""));
    });
    let orders = client
        .get_order_list()
        .include("sims,user,status")
        .filter_created_at("2023-01-01 - 2023-01-31")
        .filter_code("20230227")
        .filter_order_status(OrderStatusFilter::Completed)
        .filter_iccid("8944")
        .filter_description("trip")
        .limit(25)
        .page(2)
        .send()
        .await
        .unwrap();
    mock.assert();
    insta::assert_json_snapshot!(orders.into_inner());
}

#[tokio::test]
async fn get_order() {
    let (server, client) = airalo().await;
    let mock = server.get_order(|when, then| {
        authorized(when.order_id(9666).include("sims").into_inner());
        then.into_inner().status(200).json_body(doc("getOrder", ""));
    });
    let order = client.get_order().order_id(9666).include("sims").send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(order.into_inner());
}

#[tokio::test]
async fn submit_order_async_is_accepted_with_202() {
    let (server, client) = airalo().await;
    let (request, wire) = body::<types::AsyncOrderRequest>("submitOrderAsync", "");
    let mock = server.submit_order_async(|when, then| {
        authorized(when.into_inner()).json_body(wire.clone());
        then.into_inner().status(202).json_body(doc("submitOrderAsync", ""));
    });
    let accepted = client.submit_order_async().body(request).send().await.unwrap();
    mock.assert();
    assert_eq!(accepted.status().as_u16(), 202);
    insta::assert_json_snapshot!(accepted.into_inner());
}

#[tokio::test]
async fn submit_topup_order() {
    let (server, client) = airalo().await;
    let (request, wire) = body::<types::TopupOrderRequest>("submitTopupOrder", "");
    let mock = server.submit_topup_order(|when, then| {
        authorized(when.into_inner()).json_body(wire.clone());
        then.into_inner().status(200).json_body(doc("submitTopupOrder", ""));
    });
    let order = client.submit_topup_order().body(request).send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(order.into_inner());
}

#[tokio::test]
async fn create_esim_vouchers() {
    let (server, client) = airalo().await;
    let (request, wire) = body::<types::EsimVoucherRequest>("createEsimVouchers", "");
    let mock = server.create_esim_vouchers(|when, then| {
        authorized(when.into_inner()).json_body(wire.clone());
        then.into_inner().status(200).json_body(doc("createEsimVouchers", ""));
    });
    let vouchers = client.create_esim_vouchers().body(request).send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(vouchers.into_inner());
}

#[tokio::test]
async fn future_orders_create_list_cancel() {
    let (server, client) = airalo().await;
    let (request, wire) = body::<types::FutureOrderRequest>("createFutureOrder", "withWebhookUrl");
    let create = server.create_future_order(|when, then| {
        authorized(when.into_inner()).json_body(wire.clone());
        then.into_inner().status(200).json_body(doc("createFutureOrder", ""));
    });
    let list = server.get_future_orders(|when, then| {
        let when = when
            .status(&types::FutureOrderStatus::Pending)
            .limit(25)
            .page(1)
            .from_due_date("2025-03-01 00:00")
            .to_due_date("2025-03-31 23:59");
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getFutureOrders", ""));
    });
    let (cancel_request, cancel_wire) = body::<types::CancelFutureOrdersRequest>("cancelFutureOrders", "");
    let cancel = server.cancel_future_orders(|when, then| {
        authorized(when.into_inner()).json_body(cancel_wire.clone());
        then.into_inner().status(200).json_body(doc("cancelFutureOrders", ""));
    });
    let created = client
        .create_future_order()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed = client
        .get_future_orders()
        .status(types::FutureOrderStatus::Pending)
        .limit(25)
        .page(1)
        .from_due_date("2025-03-01 00:00")
        .to_due_date("2025-03-31 23:59")
        .send()
        .await
        .unwrap()
        .into_inner();
    let cancelled = client
        .cancel_future_orders()
        .body(cancel_request)
        .send()
        .await
        .unwrap()
        .into_inner();
    create.assert();
    list.assert();
    cancel.assert();
    insta::assert_json_snapshot!((created, listed, cancelled));
}

#[tokio::test]
async fn esims_list_and_one_esim() {
    let (server, client) = airalo().await;
    let list = server.get_esims_list(|when, then| {
        let when = when
            .include("order,order.status")
            .filter_iccid("8944")
            .filter_created_at("2023-01-01 - 2023-12-31")
            .limit(10)
            .page(1);
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getEsimsList", ""));
    });
    let one = server.get_esim(|when, then| {
        authorized(when.sim_iccid("894000000000000000").include("share").into_inner());
        then.into_inner().status(200).json_body(doc("getEsim", ""));
    });
    let sims = client
        .get_esims_list()
        .include("order,order.status")
        .filter_iccid("8944")
        .filter_created_at("2023-01-01 - 2023-12-31")
        .limit(10)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    let sim = client
        .get_esim()
        .sim_iccid("894000000000000000")
        .include("share")
        .send()
        .await
        .unwrap()
        .into_inner();
    list.assert();
    one.assert();
    insta::assert_json_snapshot!((sims, sim));
}

#[tokio::test]
async fn installation_instructions_in_a_language() {
    let (server, client) = airalo().await;
    let mock = server.get_installation_instructions(|when, then| {
        authorized(when.sim_iccid("8944").into_inner()).header("accept-language", "en");
        then.into_inner()
            .status(200)
            .json_body(doc("getInstallationInstructions", ""));
    });
    let instructions = client
        .get_installation_instructions()
        .sim_iccid("8944")
        .accept_language("en")
        .send()
        .await
        .unwrap();
    mock.assert();
    insta::assert_json_snapshot!(instructions.into_inner());
}

#[tokio::test]
async fn usage_including_a_recycled_sim() {
    let (server, client) = airalo().await;
    let mock = server.get_usage(|when, then| {
        authorized(when.sim_iccid("8944").into_inner());
        then.into_inner().status(200).json_body(doc("getUsage", "usage"));
    });
    server.get_usage(|when, then| {
        when.sim_iccid("recycled");
        then.into_inner().status(200).json_body(doc("getUsage", "recycled"));
    });
    let usage = client.get_usage().sim_iccid("8944").send().await.unwrap().into_inner();
    let recycled = client
        .get_usage()
        .sim_iccid("recycled")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    assert_eq!(recycled.data.status, Some(SimStatus::Recycled));
    insta::assert_json_snapshot!((usage, recycled));
}

#[tokio::test]
async fn topup_packages_available_none_and_discounted() {
    let (server, client) = airalo().await;
    for name in ["available", "none", "discountPricing"] {
        let mut mock = server.get_topup_packages(|when, then| {
            authorized(when.iccid("8944").into_inner());
            then.into_inner().status(200).json_body(doc("getTopupPackages", name));
        });
        let topups = client
            .get_topup_packages()
            .iccid("8944")
            .send()
            .await
            .unwrap()
            .into_inner();
        mock.assert();
        assert_eq!(topups.data.is_empty(), name == "none");
        insta::assert_json_snapshot!(format!("topup_packages_{name}"), topups);
        mock.delete();
    }
}

#[tokio::test]
async fn package_history() {
    let (server, client) = airalo().await;
    let mock = server.get_esim_package_history(|when, then| {
        authorized(when.iccid("8944").into_inner());
        then.into_inner()
            .status(200)
            .json_body(doc("getEsimPackageHistory", "history"));
    });
    let history = client.get_esim_package_history().iccid("8944").send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(history.into_inner());
}

#[tokio::test]
async fn update_esim_brand_including_unbranded() {
    for name in ["branded", "unbranded"] {
        let (server, client) = airalo().await;
        let (request, wire) = body::<types::UpdateBrandRequest>("updateEsimBrand", name);
        let mock = server.update_esim_brand(|when, then| {
            authorized(when.sim_iccid("8944").into_inner()).json_body(wire.clone());
            then.into_inner().status(200).json_body(doc("updateEsimBrand", ""));
        });
        client
            .update_esim_brand()
            .sim_iccid("8944")
            .body(request)
            .send()
            .await
            .unwrap();
        mock.assert();
    }
}

#[tokio::test]
async fn request_refund_is_accepted_with_202() {
    let (server, client) = airalo().await;
    let (request, wire) = body::<types::RefundRequest>("requestRefund", "");
    let mock = server.request_refund(|when, then| {
        authorized(when.into_inner()).json_body(wire.clone());
        then.into_inner().status(202).json_body(doc("requestRefund", ""));
    });
    let refund = client.request_refund().body(request).send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(refund.into_inner());
}

#[tokio::test]
async fn balance() {
    let (server, client) = airalo().await;
    let mock = server.get_balance(|when, then| {
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getBalance", ""));
    });
    let balance = client.get_balance().send().await.unwrap();
    mock.assert();
    insta::assert_json_snapshot!(balance.into_inner());
}

#[tokio::test]
async fn notifications_opt_in_details_opt_out() {
    let (server, client) = airalo().await;
    for name in ["asyncOrders", "lowData", "creditLimit"] {
        let (request, wire) = body::<types::OptInRequest>("optInNotification", name);
        let mut mock = server.opt_in_notification(|when, then| {
            authorized(when.into_inner()).json_body(wire.clone());
            then.into_inner().status(200).json_body(doc("optInNotification", ""));
        });
        client.opt_in_notification().body(request).send().await.unwrap();
        mock.assert();
        mock.delete();
    }
    let details = server.get_notification_details(|when, then| {
        authorized(when.into_inner());
        then.into_inner()
            .status(200)
            .json_body(doc("getNotificationDetails", ""));
    });
    let notification = client.get_notification_details().send().await.unwrap().into_inner();
    details.assert();
    for name in ["lowData", "creditLimit", "asyncOrders"] {
        let (request, wire) = body::<types::OptOutRequest>("optOutNotification", name);
        let mut mock = server.opt_out_notification(|when, then| {
            authorized(when.into_inner()).json_body(wire.clone());
            then.no_content();
        });
        let answer = client.opt_out_notification().body(request).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 204);
        mock.assert();
        mock.delete();
    }
    insta::assert_json_snapshot!(notification);
}

#[tokio::test]
async fn webhook_simulator() {
    let (server, client) = airalo().await;
    for name in ["lowData", "creditLimit", "asyncOrder"] {
        let (request, wire) = body::<types::SimulatorWebhookRequest>("simulateWebhook", name);
        let mut mock = server.simulate_webhook(|when, then| {
            authorized(when.into_inner()).json_body(wire.clone());
            then.into_inner().status(200).json_body(doc("simulateWebhook", ""));
        });
        let answer = client
            .simulate_webhook()
            .body(request)
            .send()
            .await
            .unwrap()
            .into_inner();
        mock.assert();
        assert_eq!(answer.success, "Notification sent");
        mock.delete();
    }
}

#[tokio::test]
async fn every_documented_error_shape_is_typed() {
    let (server, client) = airalo().await;
    let cases: [(&str, u16); 8] = [
        ("validation", 422),
        ("validationDottedKey", 422),
        ("validationNoFieldMap", 422),
        ("insufficientCredit", 422),
        ("recycledSim", 422),
        ("ipNotAllowed", 403),
        ("asyncNotOptedIn", 422),
        ("notFound", 404),
    ];
    let mut seen = Vec::new();
    for (name, status) in cases {
        let mut mock = server.submit_order(|_, then| {
            then.into_inner().status(status).json_body(error_doc(name));
        });
        let (request, _) = body::<types::OrderRequest>("submitOrder", "plain");
        let err = Error::from(client.submit_order().body(request).send().await.unwrap_err());
        let Error::Api { status: got, body, .. } = &err else {
            panic!("{name}: {err:?}")
        };
        assert_eq!(got.as_u16(), status);
        seen.push(json!({
            "example": name, "status": status, "code": body.business_code().map(|c| format!("{c:?}")),
            "fields": body.field_errors(), "message": body.message(),
        }));
        mock.assert();
        mock.delete();
    }
    insta::assert_json_snapshot!(seen);
}

#[tokio::test]
async fn business_codes_are_typed() {
    let (server, client) = airalo().await;
    for (name, code) in [
        ("insufficientCredit", BusinessCode::InsufficientCredit),
        ("operatorMaintenance", BusinessCode::OperatorMaintenance),
        ("notEnoughStock", BusinessCode::NotEnoughStock),
        ("packageInvalidOrOutOfStock", BusinessCode::PackageInvalidOrOutOfStock),
        ("recycledSim", BusinessCode::EsimRecycled),
        ("ipNotAllowed", BusinessCode::IpNotAllowed),
    ] {
        let mut mock = server.get_topup_packages(|_, then| {
            then.into_inner().status(422).json_body(error_doc(name));
        });
        let err = Error::from(client.get_topup_packages().iccid("8944").send().await.unwrap_err());
        assert_eq!(err.api_body().and_then(|b| b.business_code()), Some(code), "{name}");
        mock.delete();
    }
}
