//! `cargo xtask fleet [N]`: N replicas of a service, each its own OS process with its own
//! Airalo client, start together against a fresh sandbox (which enforces Airalo's limits,
//! 3 token requests a minute among them): once sharing a Valkey/Redis server, once each on
//! its own (as on N hosts). Prints token requests, 429s, failed calls and call latency for
//! each run, then the cost of the store per call once the token is cached.
//!
//! `fleet replica <base-url> <redis-url|-> <calls>` is one replica (run by the driver).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use airalo_client::{Client, Error};
use integration_tests::redis_server::RedisServer;
use provider_fleet::RedisStore;
use sandbox::{Config, Provider, Sandbox, credentials};

const CALLS_PER_REPLICA: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let code = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["replica", base_url, redis, calls] => runtime.block_on(replica(base_url, redis, calls.parse().unwrap_or(1))),
        [] => runtime.block_on(drive(50)),
        [n] if n.parse::<usize>().is_ok() => runtime.block_on(drive(n.parse().unwrap())),
        _ => {
            eprintln!("usage: fleet [N] | fleet replica <base-url> <redis-url|-> <calls>");
            2
        }
    };
    std::process::exit(code);
}

/// One replica: `calls` balance reads in a row; prints `<failed> <latency µs>…` and the
/// first error on stderr.
async fn replica(base_url: &str, redis: &str, calls: usize) -> i32 {
    let mut config = Client::config(credentials::CLIENT_ID, credentials::CLIENT_SECRET).base_url(base_url);
    if redis != "-" {
        // Fifty processes start at once on this machine's cores: a command may wait its turn
        // longer than the default 250 ms deadline, which would send a replica off on its own.
        let store = RedisStore::open(redis)
            .expect("a redis URL")
            .with_timeout(Duration::from_secs(2));
        config = config.shared_state(Arc::new(store));
    }
    let client = config.build().expect("a client");
    let mut failed = 0;
    let mut latencies = Vec::new();
    for _ in 0..calls {
        let started = Instant::now();
        match client.get_balance().send().await.map_err(Error::from) {
            Ok(_) => latencies.push(started.elapsed().as_micros()),
            Err(err) => {
                failed += 1;
                eprintln!("{err}");
            }
        }
    }
    let latencies: Vec<String> = latencies.iter().map(u128::to_string).collect();
    println!("{failed} {}", latencies.join(" "));
    0
}

struct Run {
    token_requests: u64,
    rate_limited: u64,
    failed: usize,
    calls: usize,
    latencies_us: Vec<u128>,
    first_error: Option<String>,
}

async fn drive(n: usize) -> i32 {
    let Some(server) = RedisServer::start() else {
        eprintln!("fleet: needs valkey-server or redis-server");
        return 1;
    };
    println!("fleet: {n} replica processes × {CALLS_PER_REPLICA} balance reads, against a fresh sandbox each run");
    let shared = fleet_run(n, Some(&server.url())).await;
    report("shared store", &shared);
    let alone = fleet_run(n, None).await;
    report("no shared store", &alone);
    overhead(&server).await;
    println!(
        "fleet: {n} processes, {} token requests, {} failed calls (shared store)",
        shared.token_requests, shared.failed
    );
    i32::from(shared.token_requests != 1 || shared.failed != 0)
}

async fn fleet_run(n: usize, redis: Option<&str>) -> Run {
    let sandbox = Sandbox::start(Config::default()).await.expect("the sandbox starts");
    let exe = std::env::current_exe().expect("this program's path");
    let base_url = sandbox.base_url(Provider::Airalo);
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "replica",
                    &base_url,
                    redis.unwrap_or("-"),
                    &CALLS_PER_REPLICA.to_string(),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("a replica starts")
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("a replica ends"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("replicas joined");
    let mut run = Run {
        token_requests: 0,
        rate_limited: 0,
        failed: 0,
        calls: n * CALLS_PER_REPLICA,
        latencies_us: Vec::new(),
        first_error: None,
    };
    for output in outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut fields = stdout.split_whitespace();
        match fields.next().and_then(|f| f.parse::<usize>().ok()) {
            Some(failed) => run.failed += failed,
            None => run.failed += CALLS_PER_REPLICA,
        }
        run.latencies_us.extend(fields.filter_map(|f| f.parse::<u128>().ok()));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if run.first_error.is_none() && !stderr.trim().is_empty() {
            run.first_error = stderr.lines().next().map(str::to_owned);
        }
    }
    let stats = sandbox.stats();
    run.token_requests = stats.count("/token").0;
    run.rate_limited = stats.total_rate_limited();
    run
}

fn report(label: &str, run: &Run) {
    let mut latencies = run.latencies_us.clone();
    latencies.sort_unstable();
    let at = |q: f64| -> f64 {
        match latencies.len() {
            0 => f64::NAN,
            len => latencies[((len - 1) as f64 * q).round() as usize] as f64 / 1000.0,
        }
    };
    println!(
        "  {label:<16} token requests {:>3}   429s {:>3}   failed calls {:>3}/{}   latency p50 {:.1} ms  p99 {:.1} ms",
        run.token_requests,
        run.rate_limited,
        run.failed,
        run.calls,
        at(0.5),
        at(0.99)
    );
    if let Some(error) = &run.first_error {
        println!("  {:<16} first error: {error}", "");
    }
}

/// Per call, once the token is cached: a client with the shared store against one without,
/// in interleaved rounds of sequential calls; the ratio of each round, min / median / max.
async fn overhead(server: &RedisServer) {
    const ROUNDS: usize = 21;
    const CALLS: usize = 40;
    let sandbox = Sandbox::start(Config::default()).await.expect("the sandbox starts");
    let build = |store: Option<Arc<RedisStore>>| {
        let config = Client::config(credentials::CLIENT_ID, credentials::CLIENT_SECRET)
            .base_url(sandbox.base_url(Provider::Airalo));
        match store {
            Some(store) => config.shared_state(store),
            None => config,
        }
        .build()
        .expect("a client")
    };
    let with_store = build(Some(Arc::new(RedisStore::open(&server.url()).unwrap())));
    let without = build(None);
    let time = |client: &Client| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            for _ in 0..CALLS {
                client.get_balance().send().await.expect("a balance");
            }
            started.elapsed()
        }
    };
    time(&with_store).await;
    time(&without).await;
    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        // Alternate which goes first, so that neither always runs on a warmer machine.
        let (a, b) = if round % 2 == 0 {
            let a = time(&with_store).await;
            (a, time(&without).await)
        } else {
            let b = time(&without).await;
            (time(&with_store).await, b)
        };
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  per call with a cached token, shared store ÷ none: median {:.3}× (min {:.3}, max {:.3}; {ROUNDS} rounds of {CALLS} calls)",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
    // What a paced operation adds: one reservation in the store's window, against one call.
    let store = RedisStore::open(&server.url()).unwrap();
    let reservations = 200;
    let started = Instant::now();
    for i in 0..reservations {
        let key = format!("overhead-{i}");
        let slot = provider_core::SharedState::reserve(&store, &key, 10, Duration::from_secs(60), Duration::ZERO).await;
        assert!(slot.is_some(), "the store answered");
    }
    let per_reservation = started.elapsed() / reservations;
    let per_call = time(&without).await / CALLS as u32;
    println!(
        "  a paced call's reservation in the store: {:.0} µs, {:.2}× a balance call's {:.0} µs",
        per_reservation.as_secs_f64() * 1e6,
        per_reservation.as_secs_f64() / per_call.as_secs_f64(),
        per_call.as_secs_f64() * 1e6
    );
}
