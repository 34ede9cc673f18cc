//! VeloConnect's VeloeSIM operations against a mock server: `Authorization: Apikey <key>`,
//! repeated-key array filters, limit/offset streams, and the plans → order → eSIM → top-up
//! journey.

use futures::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use integration_tests::{request_example, response_example, spec};
use provider_clients::veloconnect::{Client, Error, RetryPolicy, types};
use serde_json::{Value, json};
use veloconnect_client::mock::MockServerExt;

const KEY: &str = "vc_key_123";

fn doc(op: &str) -> Value {
    response_example(&spec("veloconnect"), op, "")
}

fn client(server: &MockServer) -> Client {
    Client::config(KEY)
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn authorized(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Apikey {KEY}"))
        .header_missing("api-version")
}

#[tokio::test]
async fn plans_with_repeated_key_filters() {
    let server = MockServer::start_async().await;
    let mock = server.get_all_plans(|when, then| {
        let when = authorized(when.limit(6).offset(0).into_inner());
        when.query_param("areaIds", "5")
            .query_param("areaIds", "151")
            .query_param("areaNames", "Chile");
        then.into_inner().status(200).json_body(doc("getAllPlans"));
    });
    let plans = client(&server)
        .get_all_plans()
        .limit(6)
        .offset(0)
        .area_ids(vec![5, 151])
        .area_names(vec!["Chile".to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    assert_eq!(plans.rows[0].data_volume().unwrap().bytes(), 1_000_000_000);
    insta::assert_json_snapshot!(plans);
}

#[tokio::test]
async fn one_plan_and_the_organization() {
    let server = MockServer::start_async().await;
    let plan = server.get_one_plan(|when, then| {
        authorized(when.id(1).into_inner());
        then.into_inner().status(200).json_body(doc("getOnePlan"));
    });
    let org = server.get_my_organization(|when, then| {
        authorized(when.into_inner());
        then.into_inner().status(200).json_body(doc("getMyOrganization"));
    });
    let client = client(&server);
    let one = client.get_one_plan().id(1).send().await.unwrap().into_inner();
    let organization = client.get_my_organization().send().await.unwrap().into_inner();
    plan.assert();
    org.assert();
    insta::assert_json_snapshot!((one, organization));
}

#[tokio::test]
async fn esims_one_esim_and_top_up_plans() {
    let server = MockServer::start_async().await;
    let all = server.get_all_esims(|when, then| {
        authorized(when.limit(6).offset(0).into_inner());
        then.into_inner().status(200).json_body(doc("getAllEsims"));
    });
    let one = server.get_one_esim(|when, then| {
        authorized(when.iccid("8937204016163448888").into_inner());
        then.into_inner().status(200).json_body(doc("getOneEsim"));
    });
    let topups = server.get_esim_top_up_plans(|when, then| {
        authorized(when.iccid("8937204016163448888").limit(10).offset(0).into_inner());
        then.into_inner().status(200).json_body(doc("getEsimTopUpPlans"));
    });
    let client = client(&server);
    let esims = client
        .get_all_esims()
        .limit(6)
        .offset(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    let esim = client
        .get_one_esim()
        .iccid("8937204016163448888")
        .send()
        .await
        .unwrap()
        .into_inner();
    let plans = client
        .get_esim_top_up_plans()
        .iccid("8937204016163448888")
        .limit(10)
        .offset(0)
        .send()
        .await
        .unwrap();
    all.assert();
    one.assert();
    topups.assert();
    assert_eq!(esim.lpa().as_deref(), Some("LPA:1$address.test$K2-22XXXX-LCIUXQ"));
    insta::assert_json_snapshot!((esims, esim, plans.into_inner()));
}

#[tokio::test]
async fn journey_plans_order_esim_top_up() {
    let server = MockServer::start_async().await;
    server.get_all_plans(|_, then| {
        then.into_inner().status(200).json_body(doc("getAllPlans"));
    });
    let order_body = request_example(&spec("veloconnect"), "orderOne", "");
    let order = server.order_one(|when, then| {
        authorized(when.into_inner())
            .header("content-type", "application/json")
            .json_body(order_body.clone());
        then.into_inner().status(200).json_body(doc("orderOne"));
    });
    server.get_one_esim(|when, then| {
        when.iccid("89372040161688888888");
        then.into_inner().status(200).json_body(doc("getOneEsim"));
    });
    server.get_esim_top_up_plans(|_, then| {
        then.into_inner().status(200).json_body(doc("getEsimTopUpPlans"));
    });
    let top_up_body = request_example(&spec("veloconnect"), "topUpEsim", "");
    let top_up = server.top_up_esim(|when, then| {
        authorized(when.iccid("89372040161688888888").into_inner()).json_body(top_up_body.clone());
        then.into_inner().status(200).json_body(doc("topUpEsim"));
    });

    let client = client(&server);
    let plans: Vec<types::Plan> = client.get_all_plans().stream(50).take(1).try_collect().await.unwrap();
    assert!(!plans.is_empty());
    let ordered = client
        .order_one()
        .body(types::OrderRequest::builder().plan_id(2604))
        .send()
        .await
        .unwrap()
        .into_inner();
    let esim = client
        .get_one_esim()
        .iccid(&ordered.iccid)
        .send()
        .await
        .unwrap()
        .into_inner();
    let offers: Vec<types::Plan> = client
        .get_esim_top_up_plans()
        .iccid(&esim.iccid)
        .stream(10)
        .take(1)
        .try_collect()
        .await
        .unwrap();
    let after = client
        .top_up_esim()
        .iccid(&ordered.iccid)
        .body(types::TopUpRequest::builder().plan_id(offers[0].id.min(5)))
        .send()
        .await
        .unwrap()
        .into_inner();
    order.assert();
    top_up.assert();
    assert_eq!(after.assigned_plans.len(), 2);
    assert_eq!(after.assigned_plans[0].remaining().unwrap().bytes(), 402_593_548);
}

fn rows(ids: std::ops::Range<i64>, count: i64) -> Value {
    let rows: Vec<Value> = ids
        .map(|id| json!({"id": id, "dataAmount": 1000, "price": 5}))
        .collect();
    json!({"count": count, "rows": rows})
}

#[tokio::test]
async fn plans_stream_walks_offsets_until_count_and_yields_errors() {
    let server = MockServer::start_async().await;
    for (offset, ids) in [(0, 0..3), (3, 3..6), (6, 6..7)] {
        server.get_all_plans(|when, then| {
            when.offset(offset).limit(3);
            then.into_inner().status(200).json_body(rows(ids, 7));
        });
    }
    let plans: Vec<types::Plan> = client(&server).get_all_plans().stream(3).try_collect().await.unwrap();
    assert_eq!(
        plans.iter().map(|p| p.id).collect::<Vec<_>>(),
        (0..7).collect::<Vec<_>>()
    );

    let broken = MockServer::start_async().await;
    broken.get_all_esims(|when, then| {
        when.offset(0);
        then.into_inner()
            .status(200)
            .json_body(json!({"count": 7, "rows": [{"iccid": "1"}, {"iccid": "2"}, {"iccid": "3"}]}));
    });
    broken.get_all_esims(|when, then| {
        when.offset(3);
        then.into_inner().status(502).body("<html>bad gateway</html>");
    });
    let results: Vec<Result<types::Esim, Error>> = client(&broken).get_all_esims().stream(3).collect().await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    assert_eq!(
        results[3].as_ref().unwrap_err().raw_body().map(|b| b.to_vec()),
        Some(b"<html>bad gateway</html>".to_vec())
    );
}

#[tokio::test]
async fn orders_and_top_ups_are_never_retried() {
    let server = MockServer::start_async().await;
    let order = server.order_one(|_, then| {
        then.into_inner()
            .status(503)
            .header("retry-after", "0")
            .json_body(json!({"error": "busy"}));
    });
    let client = Client::config(KEY)
        .base_url(server.base_url())
        .retry(RetryPolicy {
            max_retries: 4,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let err = Error::from(
        client
            .order_one()
            .body(types::OrderRequest::builder().plan_id(1))
            .send()
            .await
            .unwrap_err(),
    );
    order.assert_calls(1);
    assert_eq!(
        err.api_body().and_then(|b| b.get("error")).and_then(Value::as_str),
        Some("busy")
    );
}
