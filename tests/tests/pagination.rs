//! The generated page streams (`x-pagination`) against a mock Vellosim: lazy, complete, and honest about errors.

use futures::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use provider_clients::vellosim::{self, Client, Error, RetryPolicy};
use serde_json::{Value, json};
use vellosim_client::mock::MockServerExt;

fn page(page: u64, ids: &[&str], total_pages: u64) -> Value {
    let esims: Vec<Value> = ids
        .iter()
        .map(|id| json!({"_id": id, "esimStatus": "ACTIVE"}))
        .collect();
    json!({"esims": esims, "total": 7, "page": page, "limit": 3, "totalPages": total_pages})
}

fn client(server: &MockServer) -> Client {
    Client::config("vls_test_key")
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ids(esims: &[vellosim::types::Esim]) -> Vec<&str> {
    esims.iter().map(|e| e.id.as_deref().unwrap()).collect()
}

#[tokio::test]
async fn walks_all_three_pages_in_order() {
    let server = MockServer::start_async().await;
    let mocks: Vec<_> = [(1, vec!["a", "b", "c"]), (2, vec!["d", "e", "f"]), (3, vec!["g"])]
        .into_iter()
        .map(|(n, ids)| {
            server.get_my_esims(|when, then| {
                when.page(n).limit(3);
                then.into_inner().status(200).json_body(page(n as u64, &ids, 3));
            })
        })
        .collect();
    let client = client(&server);
    let esims: Vec<_> = client.get_my_esims().stream(3).try_collect().await.unwrap();
    assert_eq!(ids(&esims), ["a", "b", "c", "d", "e", "f", "g"]);
    for mock in mocks {
        mock.assert_calls(1);
    }
}

#[tokio::test]
async fn fetches_a_page_only_when_it_is_needed() {
    let server = MockServer::start_async().await;
    let first = server.get_my_esims(|when, then| {
        when.page(1);
        then.into_inner().status(200).json_body(page(1, &["a", "b", "c"], 3));
    });
    let second = server.get_my_esims(|when, then| {
        when.page(2);
        then.into_inner().status(200).json_body(page(2, &["d", "e", "f"], 3));
    });
    let client = client(&server);
    let taken: Vec<_> = client.get_my_esims().stream(3).take(3).try_collect().await.unwrap();
    assert_eq!(ids(&taken), ["a", "b", "c"]);
    first.assert_calls(1);
    second.assert_calls(0);
}

#[tokio::test]
async fn an_error_mid_stream_is_yielded_after_the_good_items_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    server.get_my_esims(|when, then| {
        when.page(1);
        then.into_inner().status(200).json_body(page(1, &["a", "b", "c"], 3));
    });
    server.get_my_esims(|when, then| {
        when.page(2);
        then.into_inner().status(500).json_body(
            json!({"success": false, "error": {"code": "INTERNAL_ERROR", "message": "boom"}, "statusCode": 500}),
        );
    });
    let third = server.get_my_esims(|when, then| {
        when.page(3);
        then.into_inner().status(200).json_body(page(3, &["g"], 3));
    });
    let client = client(&server);
    let results: Vec<Result<_, Error>> = client.get_my_esims().stream(3).collect().await;
    assert_eq!(results.len(), 4);
    let good: Vec<_> = results[..3]
        .iter()
        .map(|r| r.as_ref().unwrap().id.as_deref().unwrap())
        .collect();
    assert_eq!(good, ["a", "b", "c"]);
    let err = results[3].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    third.assert_calls(0);
}

#[tokio::test]
async fn an_empty_account_is_an_empty_stream() {
    let server = MockServer::start_async().await;
    server.get_my_esims(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(json!({"esims": [], "total": 0, "page": 1, "limit": 3, "totalPages": 0}));
    });
    let client = client(&server);
    let esims: Vec<_> = client.get_my_esims().stream(3).try_collect().await.unwrap();
    assert!(esims.is_empty());
}

#[tokio::test]
async fn filters_apply_to_every_page_and_concurrent_pages_keep_their_order() {
    let server = MockServer::start_async().await;
    let mocks: Vec<_> = [(1, vec!["a", "b", "c"]), (2, vec!["d", "e", "f"]), (3, vec!["g"])]
        .into_iter()
        .map(|(n, ids)| {
            server.get_my_esims(|when, then| {
                when.page(n).limit(3).search("8944");
                then.into_inner().status(200).json_body(page(n as u64, &ids, 3));
            })
        })
        .collect();
    let client = client(&server);
    let esims: Vec<_> = client
        .get_my_esims()
        .search("8944")
        .stream_concurrent(3, 2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&esims), ["a", "b", "c", "d", "e", "f", "g"]);
    for mock in mocks {
        mock.assert_calls(1);
    }
}
