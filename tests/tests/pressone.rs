//! PressOne against a mock server: every data eSIM operation (Airalo's types under
//! `/customer/v2`), the voice-only operations, the balance in either form, the documented
//! top-up list answers, and a purchase → install → usage → top-up → history journey.

use futures::TryStreamExt;
use httpmock::MockServer;
use integration_tests::{component_response_example, request_example, response_example, spec};
use pressone_client::mock::MockServerExt;
use pressone_client::shapes;
use provider_clients::pressone::{self, Balance, BuildError, Client, Error};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const TOKEN: &str = "pressone-test-token";

fn doc(op: &str, name: &str) -> Value {
    response_example(&spec("pressone"), op, name)
}

fn body<T: DeserializeOwned>(op: &str, name: &str) -> (T, Value) {
    let value = request_example(&spec("pressone"), op, name);
    (serde_json::from_value(value.clone()).unwrap(), value)
}

async fn pressone() -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    server.request_access_token(|when, then| {
        when.into_inner().form_urlencoded_tuple("client_id", "id").form_urlencoded_tuple("grant_type", "client_credentials");
        then.into_inner().status(200).json_body(json!({"data": {"token_type": "Bearer", "expires_in": 31622400, "access_token": TOKEN}, "meta": {"message": "success"}}));
    });
    let client = Client::config(server.base_url(), "id", "secret").build().unwrap();
    (server, client)
}

fn authorized(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header_missing("api-version")
}

#[test]
fn a_missing_base_url_is_a_clear_error() {
    let err = Client::config("", "id", "secret").build().unwrap_err();
    assert!(matches!(err, BuildError::MissingBaseUrl(_)));
    assert!(err.to_string().contains("PressOne publishes no API host"), "{err}");
}

#[tokio::test]
async fn token_request_sends_the_documented_form_without_a_token() {
    let server = MockServer::start_async().await;
    let (request, _) = body::<shapes::TokenRequest>("requestAccessToken", "credentials");
    let mock = server.request_access_token(|when, then| {
        when.into_inner()
            .path("/customer/v2/token")
            .form_urlencoded_tuple("client_id", request.client_id.clone())
            .form_urlencoded_tuple("grant_type", "client_credentials")
            .header_missing("authorization");
        then.into_inner()
            .status(200)
            .json_body(doc("requestAccessToken", "token"));
    });
    let client = Client::config(server.base_url(), "unused", "unused").build().unwrap();
    let token = client
        .request_access_token()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    assert_eq!(token.data.access_token, "<access token>");
}

#[tokio::test]
async fn every_data_esim_read_operation() {
    let (server, client) = pressone().await;
    let mocks = vec![
        server.get_compatible_devices_lite(|when, then| {
            authorized(when.into_inner());
            then.into_inner()
                .status(200)
                .json_body(doc("getCompatibleDevicesLite", "devices"));
        }),
        server.get_packages(|when, then| {
            let when = when
                .filter_type(&shapes::OperatorType::Local)
                .filter_country("NG")
                .include("topup")
                .limit(10)
                .page(1);
            authorized(when.into_inner()).header("accept-language", "en");
            then.into_inner()
                .status(200)
                .json_body(doc("getPackages", "listPackages"));
        }),
        server.get_order_list(|when, then| {
            let when = when
                .include("sims")
                .filter_order_status(&shapes::OrderStatusFilter::Completed)
                .filter_description("ride-42")
                .limit(5)
                .page(1);
            authorized(when.into_inner());
            then.into_inner().status(200).json_body(doc("getOrderList", "orders"));
        }),
        server.get_order(|when, then| {
            authorized(when.order_id(9666).include("sims").into_inner());
            then.into_inner().status(200).json_body(doc("getOrder", "order"));
        }),
        server.get_esims_list(|when, then| {
            authorized(when.include("order").filter_iccid("8944").limit(5).page(1).into_inner());
            then.into_inner().status(200).json_body(doc("getEsimsList", "sims"));
        }),
        server.get_esim(|when, then| {
            authorized(when.iccid("8944").include("order").into_inner());
            then.into_inner().status(200).json_body(doc("getEsim", "sim"));
        }),
        server.get_installation_instructions(|when, then| {
            authorized(when.iccid("8944").into_inner()).header("accept-language", "en");
            then.into_inner()
                .status(200)
                .json_body(doc("getInstallationInstructions", "instructions"));
        }),
        server.get_usage(|when, then| {
            authorized(when.iccid("8944").into_inner());
            then.into_inner().status(200).json_body(doc("getUsage", "usage"));
        }),
        server.get_esim_package_history(|when, then| {
            authorized(when.iccid("8944").into_inner());
            then.into_inner()
                .status(200)
                .json_body(doc("getEsimPackageHistory", "history"));
        }),
    ];
    let devices = client.get_compatible_devices_lite().send().await.unwrap().into_inner();
    let packages = client
        .get_packages()
        .filter_type(shapes::OperatorType::Local)
        .filter_country("NG")
        .include("topup")
        .limit(10)
        .page(1)
        .accept_language("en")
        .send()
        .await
        .unwrap()
        .into_inner();
    let orders = client
        .get_order_list()
        .include("sims")
        .filter_order_status(shapes::OrderStatusFilter::Completed)
        .filter_description("ride-42")
        .limit(5)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    let order = client
        .get_order()
        .order_id(9666)
        .include("sims")
        .send()
        .await
        .unwrap()
        .into_inner();
    let sims = client
        .get_esims_list()
        .include("order")
        .filter_iccid("8944")
        .limit(5)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    let sim = client
        .get_esim()
        .iccid("8944")
        .include("order")
        .send()
        .await
        .unwrap()
        .into_inner();
    let instructions = client
        .get_installation_instructions()
        .iccid("8944")
        .accept_language("en")
        .send()
        .await
        .unwrap()
        .into_inner();
    let usage = client.get_usage().iccid("8944").send().await.unwrap().into_inner();
    let history = client
        .get_esim_package_history()
        .iccid("8944")
        .send()
        .await
        .unwrap()
        .into_inner();
    for mock in mocks {
        mock.assert();
    }
    // The same Rust types as Airalo's: the flat catalogue comes with them.
    assert!(!packages.flat().is_empty());
    insta::assert_json_snapshot!(json!({
        "devices": devices, "orders": orders, "order": order, "sims": sims, "sim": sim,
        "instructions": instructions, "usage": usage, "history": history,
    }));
}

#[tokio::test]
async fn orders_and_top_ups_send_the_documented_bodies_once() {
    let (server, client) = pressone().await;
    let (order_request, order_wire) = body::<shapes::OrderRequest>("submitOrder", "plain");
    let order = server.submit_order(|when, then| {
        authorized(when.into_inner())
            .header("content-type", "application/json")
            .json_body(order_wire.clone());
        then.into_inner()
            .status(200)
            .json_body(doc("submitOrder", "submitOrder"));
    });
    let (topup_request, topup_wire) = body::<shapes::TopupOrderRequest>("submitTopupOrder", "topup");
    let topup = server.submit_topup_order(|when, then| {
        authorized(when.into_inner()).json_body(topup_wire.clone());
        then.into_inner()
            .status(503)
            .json_body(json!({"message": "Service Unavailable"}));
    });
    let ordered = client
        .submit_order()
        .body(order_request)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!ordered.data.sims.is_empty());
    assert!(client.submit_topup_order().body(topup_request).send().await.is_err());
    order.assert();
    topup.assert_calls(1);
}

#[tokio::test]
async fn top_up_list_answers_as_documented() {
    let (server, client) = pressone().await;
    let cases = [
        (200, doc("getTopupPackages", "available")),
        (200, doc("getTopupPackages", "none")),
        (
            404,
            component_response_example(&spec("pressone"), "Error", "invalidIccid"),
        ),
        (
            422,
            component_response_example(&spec("pressone"), "Error", "recycledSim"),
        ),
    ];
    let mut outcomes = Vec::new();
    for (status, answer) in cases {
        let mut mock = server.get_topup_packages(|when, then| {
            authorized(when.iccid("8944").into_inner());
            then.into_inner().status(status).json_body(answer);
        });
        outcomes.push(match client.get_topup_packages().iccid("8944").send().await.map_err(Error::from) {
            Ok(list) => json!({"packages": list.data.iter().map(|p| p.id.clone()).collect::<Vec<_>>()}),
            Err(Error::Api { status, body, .. }) => {
                json!({"status": status.as_u16(), "code": body.business_code().map(|c| format!("{c:?}")), "message": body.message()})
            }
            Err(other) => panic!("{other:?}"),
        });
        mock.assert();
        mock.delete();
    }
    assert_eq!(outcomes[1], json!({"packages": []}));
    assert_eq!(outcomes[2]["status"], 404);
    assert_eq!(outcomes[3]["code"], "EsimRecycled");
    insta::assert_json_snapshot!(outcomes);
}

#[tokio::test]
async fn balance_as_json_or_as_plain_text() {
    let (server, client) = pressone().await;
    let mut json_mock = server.get_balance(|when, then| {
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getBalance", "balance"));
    });
    let structured = client.balance().await.unwrap();
    assert!(matches!(structured, Balance::Structured(_)), "{structured:?}");
    assert!(structured.amount().is_some());
    json_mock.delete();
    server.get_balance(|_, then| {
        then.into_inner()
            .status(200)
            .header("content-type", "text/plain")
            .body("Available balance: 1250.50 USD");
    });
    let text = client.balance().await.unwrap();
    assert_eq!(text, Balance::Text("Available balance: 1250.50 USD".into()));
    assert_eq!(text.amount().unwrap().to_string(), "1250.50");
}

#[tokio::test]
async fn voice_only_operations() {
    let (server, client) = pressone().await;
    let renew = server.renew_number(|when, then| {
        when.into_inner()
            .path("/api/third-party/partner/renew-number/")
            .json_body(json!({"email": "rider@example.com"}));
        then.into_inner().status(200).json_body(json!({"status": "renewed"}));
    });
    let users = server.list_users(|when, then| {
        when.email("rider@example.com")
            .page(2)
            .into_inner()
            .path("/api/third-party/partner/user/");
        then.into_inner().status(200).json_body(
            json!({"count": 1, "results": [{"email": "rider@example.com", "subscription": {"status": "active"}}]}),
        );
    });
    let renewed = client
        .renew_number()
        .body(pressone_client::types::RenewNumberRequest::builder().email("rider@example.com"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed = client
        .list_users()
        .email("rider@example.com")
        .page(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    renew.assert();
    users.assert();
    assert_eq!(renewed.get("status"), Some(&json!("renewed")));
    assert_eq!(listed["count"], 1);
}

#[tokio::test]
async fn journey_purchase_install_usage_top_up_history() {
    let (server, client) = pressone().await;
    server.get_packages(|_, then| {
        let mut only = doc("getPackages", "listPackages");
        only["meta"]["last_page"] = 1.into();
        then.into_inner().status(200).json_body(only);
    });
    server.submit_order(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("submitOrder", "submitOrder"));
    });
    server.get_installation_instructions(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getInstallationInstructions", "instructions"));
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
        then.into_inner()
            .status(200)
            .json_body(doc("submitTopupOrder", "topup"));
    });
    server.get_esim_package_history(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getEsimPackageHistory", "history"));
    });

    let packages: Vec<_> = pressone::flat_packages(client.get_packages().stream(50), true)
        .try_collect()
        .await
        .unwrap();
    let order = shapes::OrderRequest::builder()
        .package_id(packages[0].package.id.clone())
        .quantity(1)
        .description(Some("ride-42".into()));
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
        .iccid(&iccid)
        .send()
        .await
        .unwrap();
    let usage = client.get_usage().iccid(&iccid).send().await.unwrap().into_inner().data;
    assert!(usage.total.is_some());
    let offers = client
        .get_topup_packages()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let body = shapes::TopupOrderRequest::builder()
        .package_id(offers[0].id.clone())
        .iccid(iccid.clone());
    let topped = client
        .submit_topup_order()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let history = client
        .get_esim_package_history()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner();
    topup.assert();
    assert!(topped.code.is_some());
    assert!(!history.data.is_empty());
}
