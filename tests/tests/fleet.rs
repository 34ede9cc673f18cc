//! A fleet of replicas sharing one Valkey/Redis server (`provider_fleet::RedisStore`) against
//! the sandbox, which enforces Airalo's documented limits (3 token requests a minute, 10
//! usage reads a minute per ICCID…). Every client below has its own `TokenProvider` and its
//! own connection to the store, as separate processes would.

use std::sync::Arc;
use std::time::Duration;

use airalo_client::{Client, Error, types};
use futures::future::join_all;
use integration_tests::redis_server::RedisServer;
use provider_fleet::RedisStore;
use sandbox::{Config, EXAMPLE_START, Provider, Sandbox, credentials};
use tracing_subscriber::fmt::format::FmtSpan;

/// Simulated time starts at a fixed instant, so nothing here depends on the day.
async fn sandbox(config: Config) -> Sandbox {
    let config = Config {
        start: Some(EXAMPLE_START),
        ..config
    };
    Sandbox::start(config).await.expect("the sandbox starts")
}

fn client(sandbox: &Sandbox, store: Option<Arc<RedisStore>>) -> Client {
    let config =
        Client::config(credentials::CLIENT_ID, credentials::CLIENT_SECRET).base_url(sandbox.base_url(Provider::Airalo));
    match store {
        Some(store) => config.shared_state(store),
        None => config,
    }
    .build()
    .expect("a client")
}

/// A replica's own connection to the store. Fifty replicas, the sandbox and the server share
/// two cores here, so a command may wait its turn for longer than the default 250 ms
/// deadline: these tests check the protocol with a patient deadline, and
/// `a_slow_store_fails_no_call` checks the default one.
fn store(server: &RedisServer) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::open(&server.url())
            .unwrap()
            .with_timeout(Duration::from_secs(2)),
    )
}

/// `n` replicas, each with its own token provider and its own store connection.
fn fleet(sandbox: &Sandbox, server: &RedisServer, n: usize) -> Vec<Client> {
    (0..n).map(|_| client(sandbox, Some(store(server)))).collect()
}

/// One fleet at a time: each test's token counts assume the machine is not also running
/// another test's fifty replicas.
static ONE_FLEET_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Every client reads the balance at once: how many calls failed, with the first error.
async fn balance_from_all(clients: &[Client]) -> (usize, Option<String>) {
    let results = join_all(
        clients
            .iter()
            .map(|c| async move { c.get_balance().send().await.map_err(Error::from) }),
    )
    .await;
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err())
        .map(|e| e.to_string())
        .collect();
    (failed.len(), failed.into_iter().next())
}

fn token_requests(sandbox: &Sandbox) -> u64 {
    sandbox.stats().count("/token").0
}

fn token_key(sandbox: &Sandbox) -> String {
    format!(
        "provider-clients:token:airalo|{}|{}",
        sandbox.base_url(Provider::Airalo),
        credentials::CLIENT_ID
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_replicas_starting_together_make_one_token_request() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let clients = fleet(&sandbox, &server, 50);
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 1);
    assert_eq!(sandbox.stats().total_rate_limited(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_killed_mid_run_or_never_there_fails_no_call() {
    let Some(mut server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let clients = fleet(&sandbox, &server, 50);
    assert_eq!(balance_from_all(&clients).await, (0, None));
    server.kill();
    for _ in 0..3 {
        assert_eq!(balance_from_all(&clients).await, (0, None));
    }
    // A replica that starts while the store is down works on its own.
    let late = client(&sandbox, Some(Arc::new(RedisStore::open(&server.url()).unwrap())));
    assert_eq!(balance_from_all(&[late]).await, (0, None));
    assert_eq!(token_requests(&sandbox), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_fails_no_call() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    // The default deadline (250 ms), against a server that hangs for 2 s.
    let clients: Vec<Client> = (0..10)
        .map(|_| client(&sandbox, Some(Arc::new(RedisStore::open(&server.url()).unwrap()))))
        .collect();
    assert_eq!(balance_from_all(&clients).await, (0, None));
    let url = server.url();
    let sleeper = std::thread::spawn(move || {
        let mut connection = redis::Client::open(url).unwrap().get_connection().unwrap();
        redis::cmd("DEBUG").arg("SLEEP").arg(2).exec(&mut connection).unwrap();
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The store hangs for 2 s (each command gives up after 250 ms): the catalogue's rate
    // window, kept in the store, is kept in process meanwhile.
    let reads = clients
        .iter()
        .map(|c| async move { c.get_packages().send().await.map_err(Error::from) });
    for read in join_all(reads).await {
        read.unwrap();
    }
    // And a replica that starts now, without a token, gets one on its own.
    let late = client(&sandbox, Some(Arc::new(RedisStore::open(&server.url()).unwrap())));
    assert_eq!(balance_from_all(&[late]).await, (0, None));
    sleeper.join().unwrap();
    assert_eq!(token_requests(&sandbox), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_or_revoked_token_is_replaced_once_for_the_fleet() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let clients = fleet(&sandbox, &server, 50);
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 1);

    // A day passes at the provider: every replica's token is refused (401) at once.
    sandbox.skip(Duration::from_secs(25 * 3600));
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 2);

    // The provider revokes the token.
    sandbox.revoke_tokens();
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 3);
    assert_eq!(sandbox.stats().total_rate_limited(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_request_is_made_once_per_cooldown_by_the_fleet() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let clients: Vec<Client> = (0..50)
        .map(|_| {
            Client::config(credentials::CLIENT_ID, "a-wrong-secret")
                .base_url(sandbox.base_url(Provider::Airalo))
                .shared_state(store(&server))
                .build()
                .unwrap()
        })
        .collect();
    for _ in 0..2 {
        let (failed, first) = balance_from_all(&clients).await;
        assert_eq!(failed, 50);
        assert!(first.unwrap().contains("Client authentication failed"));
    }
    assert_eq!(
        token_requests(&sandbox),
        1,
        "one request for the whole fleet within the cooldown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_near_its_expiry_is_refreshed_once_for_the_fleet() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    // Tokens live 302 s; the clients refresh 300 s before expiry, so each is good for 2 s.
    let config = Config {
        token_ttl: Duration::from_secs(302),
        ..Config::default()
    };
    let sandbox = sandbox(config).await;
    let clients = fleet(&sandbox, &server, 50);
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 1);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(balance_from_all(&clients).await, (0, None));
    assert_eq!(token_requests(&sandbox), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_replicas_polling_one_iccid_stay_under_its_documented_limit() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let clients = fleet(&sandbox, &server, 50);
    let order = types::OrderRequest::builder()
        .package_id("germany-7days-1gb")
        .quantity(1);
    let order = clients[0]
        .submit_order()
        .body(order)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let iccid = order.into_inner().data.sims[0].iccid.clone().expect("an ICCID");

    let mut sent = 0;
    for _ in 0..3 {
        let polls = clients.iter().map(|c| {
            let iccid = iccid.clone();
            async move { c.get_usage().sim_iccid(iccid).send().await.map_err(Error::from) }
        });
        for result in join_all(polls).await {
            match result {
                Ok(_) => sent += 1,
                // Refused before sending: the window's next slot is more than `max_delay` away.
                Err(Error::RateLimited(limit)) if limit.local => {
                    assert!(limit.retry_after.is_some_and(|wait| wait > Duration::from_secs(10)));
                }
                Err(other) => panic!("unexpected error: {other}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (usage_requests, usage_429s) = sandbox.stats().count("/usage");
    assert_eq!(
        (usage_requests, usage_429s),
        (10, 0),
        "Airalo allows 10 a minute per ICCID"
    );
    assert_eq!(sent, 10);
    assert_eq!(sandbox.stats().total_rate_limited(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_under_the_token_key_is_ignored_fetched_once_and_overwritten() {
    let Some(server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let sandbox = sandbox(Config::default()).await;
    let key = token_key(&sandbox);
    let mut redis = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    let readable = |redis: &mut redis::Connection| -> bool {
        let value: String = redis::cmd("GET").arg(&key).query(redis).unwrap();
        value
            .split_once(' ')
            .is_some_and(|(expiry, token)| expiry.parse::<u64>().is_ok() && !token.is_empty())
    };

    redis::cmd("SET")
        .arg(&key)
        .arg("\u{0}not a token")
        .exec(&mut redis)
        .unwrap();
    assert_eq!(balance_from_all(&fleet(&sandbox, &server, 10)).await, (0, None));
    assert_eq!(token_requests(&sandbox), 1);
    assert!(readable(&mut redis));

    // A value of the wrong type.
    redis::cmd("DEL").arg(&key).exec(&mut redis).unwrap();
    redis::cmd("LPUSH").arg(&key).arg("x").exec(&mut redis).unwrap();
    assert_eq!(balance_from_all(&fleet(&sandbox, &server, 10)).await, (0, None));
    assert_eq!(token_requests(&sandbox), 2);
    assert!(readable(&mut redis));
}

// One thread: the log subscriber below is the test thread's.
#[tokio::test(flavor = "current_thread")]
async fn an_outage_is_logged_once_and_the_store_used_again_when_it_returns() {
    let Some(mut server) = RedisServer::start() else { return };
    let _one = ONE_FLEET_AT_A_TIME.lock().await;
    let (logs, _guard) = integration_tests::logs::capture(tracing::Level::INFO, FmtSpan::NONE);
    let sandbox = sandbox(Config::default()).await;
    // A short pause after a failure (3 s by default), so that the test waits less.
    let pause = Duration::from_millis(400);
    let store = Arc::new(RedisStore::open(&server.url()).unwrap().with_outage_pause(pause));
    let client = client(&sandbox, Some(store.clone()));
    // The catalogue is paced (80 a minute): each read reserves a slot in the store.
    let read = || async { client.get_packages().send().await.map_err(Error::from).map(drop) };
    read().await.unwrap();
    assert!(store.is_available());

    server.kill();
    for _ in 0..3 {
        read().await.unwrap();
    }
    assert!(!store.is_available());
    // Past the pause after a failure, the store is tried again, and fails again: still one WARN.
    tokio::time::sleep(pause + Duration::from_millis(200)).await;
    read().await.unwrap();

    let _restarted = RedisServer::start_on(server.port()).expect("the server restarts");
    tokio::time::sleep(pause + Duration::from_millis(200)).await;
    read().await.unwrap();
    assert!(store.is_available(), "the store is used again once it answers");

    let text = logs.text();
    assert_eq!(text.matches("the shared store does not answer").count(), 1, "{text}");
    assert_eq!(text.matches("the shared store answers again").count(), 1, "{text}");
    assert!(!text.contains(integration_tests::redis_server::PASSWORD), "{text}");
}
