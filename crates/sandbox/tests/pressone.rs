//! The PressOne simulation driven by the real generated client: the Airalo-shaped data
//! eSIM journey under `/customer/v2`, PressOne's own limits, and the voice-only numbers.

use std::time::Duration;

use pressone_client::shapes as types;
use pressone_client::{BusinessCode, Client, Error, RetryPolicy};
use sandbox::credentials::{CLIENT_ID, CLIENT_SECRET};
use sandbox::{EXAMPLE_START, Provider, Sandbox};
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);

async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.expect("sandbox starts");
    let client = Client::config(sandbox.base_url(Provider::PressOne), CLIENT_ID, CLIENT_SECRET)
        .retry(RetryPolicy::none())
        // These tests check the sandbox's own rate limits: the client does not pace itself.
        .rate_budgets(false)
        .build()
        .expect("client builds");
    (sandbox, client)
}

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid request body")
}

async fn buy(client: &Client, package_id: &str, quantity: i64) -> Result<types::Order, Error> {
    let request = body::<types::OrderRequest>(json!({"package_id": package_id, "quantity": quantity}));
    Ok(client.submit_order().body(request).send().await?.into_inner().data)
}

async fn balance(client: &Client) -> String {
    client
        .balance()
        .await
        .expect("balance")
        .amount()
        .expect("an amount")
        .to_string()
}

async fn usage(client: &Client, iccid: &str) -> (Option<i64>, Option<i64>, String) {
    let usage = client
        .get_usage()
        .iccid(iccid)
        .send()
        .await
        .expect("usage")
        .into_inner()
        .data;
    let status = usage.status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    (usage.remaining, usage.total, status)
}

#[tokio::test]
async fn data_esim_journey() {
    let (sandbox, client) = start().await;

    let catalogue = client
        .get_packages()
        .filter_country("TR")
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<String> = catalogue.flat().into_iter().map(|p| p.package.id).collect();
    assert_eq!(ids[0], "turkey-7days-1gb");
    assert_eq!(ids.len(), 5);

    let order = buy(&client, "turkey-7days-1gb", 1).await.unwrap();
    let iccid = order.sims[0].iccid.clone().unwrap();
    // PressOne's ICCIDs are apart from Airalo's (issuer 02).
    assert!(iccid.starts_with("898802"), "{iccid}");
    assert_eq!(balance(&client).await, "996.76");

    let sim = client.get_esim().iccid(&iccid).send().await.unwrap().into_inner().data;
    assert_eq!(sim.iccid.as_deref(), Some(iccid.as_str()));
    let instructions = client
        .get_installation_instructions()
        .iccid(&iccid)
        .send()
        .await
        .unwrap();
    let instructions = instructions.into_inner().data.instructions.unwrap();
    assert_eq!(instructions.ios.len(), 1);

    assert_eq!(usage(&client, &iccid).await, (Some(1024), Some(1024), "ACTIVE".into()));
    sandbox.skip(5 * HOUR);
    assert_eq!(usage(&client, &iccid).await, (Some(824), Some(1024), "ACTIVE".into()));

    let topups = client
        .get_topup_packages()
        .iccid(&iccid)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(topups.len(), 3);
    assert!(
        topups
            .iter()
            .all(|p| p.id.starts_with("turkey-") && p.id.ends_with("-topup"))
    );
    let request = body::<types::TopupOrderRequest>(json!({"package_id": "turkey-7days-1gb-topup", "iccid": iccid}));
    client.submit_topup_order().body(request).send().await.unwrap();
    assert_eq!(usage(&client, &iccid).await, (Some(1848), Some(2048), "ACTIVE".into()));
    assert_eq!(balance(&client).await, "993.52");

    // Package history: once per 15 minutes per eSIM.
    let history = client.get_esim_package_history().iccid(&iccid).send().await.unwrap();
    assert_eq!(history.into_inner().data.len(), 2);
    let err = Error::from(
        client
            .get_esim_package_history()
            .iccid(&iccid)
            .send()
            .await
            .unwrap_err(),
    );
    let Error::RateLimited(limit) = &err else {
        panic!("expected a 429, got {err:?}");
    };
    let wait = limit.retry_after.expect("Retry-After");
    assert!(
        wait > Duration::from_secs(800) && wait <= Duration::from_secs(900),
        "{wait:?}"
    );
    sandbox.skip(Duration::from_secs(15 * 60));
    assert!(client.get_esim_package_history().iccid(&iccid).send().await.is_ok());

    // The token lapses after a day of simulated time; the client replaces it.
    sandbox.skip(25 * HOUR);
    assert_eq!(balance(&client).await, "993.52");
}

#[tokio::test]
async fn data_esim_errors() {
    let (_sandbox, client) = start().await;
    let err = buy(&client, "united-states-30days-20gb", 40).await.unwrap_err();
    assert_eq!(
        err.api_body().and_then(|b| b.business_code()),
        Some(BusinessCode::InsufficientCredit)
    );
    let err = buy(&client, "united-states-30days-20gb", 0).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(
        err.api_body().unwrap().field_errors()["quantity"],
        "The quantity must be at least 1."
    );
    let err = Error::from(client.get_esim().iccid("8988020000000000000").send().await.unwrap_err());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn voice_users_and_renewal() {
    let (_sandbox, client) = start().await;
    let users = client.list_users().send().await.unwrap().into_inner();
    assert_eq!(users["count"], 4);
    let emails: Vec<&str> = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails[0], "ada.obi@example.com");

    let trial = client
        .list_users()
        .email("tunde.bello@example.com")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(trial["results"][0]["subscription"]["status"], "trial");
    let before = trial["results"][0]["subscription"]["end_date"]
        .as_str()
        .unwrap()
        .to_owned();

    let request = body::<pressone_client::types::RenewNumberRequest>(json!({"email": "tunde.bello@example.com"}));
    let renewed = client.renew_number().body(request).send().await.unwrap().into_inner();
    let subscription = &renewed["data"]["subscription"];
    assert_eq!(subscription["status"], "active");
    let after = subscription["end_date"].as_str().unwrap();
    let days =
        chrono::DateTime::parse_from_rfc3339(after).unwrap() - chrono::DateTime::parse_from_rfc3339(&before).unwrap();
    assert_eq!(days, chrono::Duration::days(30));

    let request = body::<pressone_client::types::RenewNumberRequest>(json!({"email": "nobody@example.com"}));
    let err = client.renew_number().body(request).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
