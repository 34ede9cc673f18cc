//! `cargo bench -p integration-tests --bench clients`: the four performance ratios, each
//! against a baseline measured in the same run on the same machine.
//!
//! 1. per-call overhead: a generated client call vs bare reqwest + serde_json, same loopback
//!    server, same body, same decoded type (target ≤ 1.05×), both as shipped (no `metrics`
//!    recorder, no `tracing` subscriber) and observed (a recorder installed and the call spans
//!    enabled at INFO), the three sides interleaved in the same rounds;
//! 2. decoding a generated multi-MB Airalo catalogue into the generated types vs into
//!    `serde_json::Value` (target ≤ 1.0×); then the client's own decode of that answer
//!    (`Runtime::decode`) with observe mode on for every answer, and for 1 in 10, vs off
//!    (target ≤ 1.1×), and off vs a bare `serde_json::from_slice` (off costs nothing: target
//!    ≤ 1.02×);
//! 3. listing 10,000 eSIMs with 20 ms latency per page: sequential vs 8 pages in flight
//!    (target ≥ 6× faster), with peak heap growth of each;
//! 4. `cargo xtask regen --check` vs `cargo xtask lint` (the parse-and-lint floor), in seconds;
//! 5. the whole catalogue through the Airalo client over a simulated link (a loopback relay
//!    with a bandwidth and latency budget), compressed vs uncompressed: bytes on the wire and
//!    time end to end, decompressing and decoding included (target: ≥ 5× fewer bytes, faster).
//!
//! A plain harness (no criterion/divan). The machine is shared, so one median of each side is
//! not enough: ours and the baseline run interleaved in many short rounds (the order swapped
//! every round), each round gives one ratio, and a target is judged by the median of those
//! ratios with their min and max shown. CI's `clippy --all-targets` compiles this file without
//! pulling in a bench framework.
//!
//! `cargo bench -p integration-tests --bench clients -- decode` runs only the benchmarks whose
//! name contains one of the words given (`call`, `decode`, `list`, `regen`, `wire`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use integration_tests::scripted::{ScriptedServer, Step};
use provider_clients::core::Observe;
use provider_clients::vellosim;
use serde_json::{Value, json};

/// Counts live heap bytes and their peak, for the memory figures of benchmark 3.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn median<T: PartialOrd + Copy>(mut samples: Vec<T>) -> T {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    samples[samples.len() / 2]
}

/// Per-round times of ours and the baseline, measured in interleaved rounds.
#[derive(Default)]
struct Rounds {
    ours: Vec<Duration>,
    base: Vec<Duration>,
}

impl Rounds {
    /// `rounds` rounds of `ours` then `base` (swapped on odd rounds, so neither always runs
    /// first after the other has warmed or cooled the caches); each closure times one batch.
    fn measure(rounds: usize, mut ours: impl FnMut() -> Duration, mut base: impl FnMut() -> Duration) -> Rounds {
        let mut measured = Rounds::default();
        for round in 0..rounds {
            if round % 2 == 0 {
                measured.ours.push(ours());
                measured.base.push(base());
            } else {
                measured.base.push(base());
                measured.ours.push(ours());
            }
        }
        measured
    }

    fn push(&mut self, ours: Duration, base: Duration) {
        self.ours.push(ours);
        self.base.push(base);
    }

    /// The ratio of each round, ours over baseline.
    fn ratios(&self) -> Vec<f64> {
        self.ours
            .iter()
            .zip(&self.base)
            .map(|(o, b)| o.as_secs_f64() / b.as_secs_f64())
            .collect()
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // cargo passes `--bench`; other arguments select benchmarks by a word of their name.
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let selected = |name: &str| words.is_empty() || words.iter().any(|w| name.contains(w.as_str()));
    println!(
        "{:<54} {:>10} {:>10} {:>8}  {:<22} {:>6}  target",
        "benchmark (medians)", "ours", "baseline", "ratio", "round ratios min/med/max", "rounds"
    );
    if selected("call") {
        runtime.block_on(per_call_overhead());
    }
    if selected("decode") {
        decode_catalogue();
    }
    if selected("list") {
        runtime.block_on(listing());
    }
    if selected("regen") {
        regen();
    }
    if selected("wire") {
        runtime.block_on(wire());
    }
}

async fn per_call_overhead() {
    const ROUNDS: usize = 40;
    const CALLS: usize = 250;
    let body = integration_tests::response_example(&integration_tests::spec("vellosim"), "getRegions", "");
    let server = ScriptedServer::start(vec![Step::json(200, &body)]).await;
    let client = vellosim::Client::config("vls_test_bench")
        .base_url(server.base_url())
        .build()
        .unwrap();
    // The same transport settings as the generated client's defaults, so the ratio is the
    // cost of the generated layers (builder, hooks, retry bookkeeping, tracing), not of a timer.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent("bench")
        .build()
        .unwrap();
    let url = format!("{}/api/esim/regions", server.base_url());
    let generated_call = || async {
        let regions = client.get_regions().send().await.unwrap();
        assert_eq!(regions.len(), 5);
    };
    let bare_call = || async {
        let response = bare
            .get(&url)
            .header("x-api-key", "vls_test_bench")
            .send()
            .await
            .unwrap();
        let bytes = response.bytes().await.unwrap();
        let regions: Vec<vellosim::types::Region> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(regions.len(), 5);
    };
    for _ in 0..200 {
        generated_call().await;
        bare_call().await;
    }
    // Observed: what a service with a metrics recorder and spans at INFO pays. Both are
    // installed for this thread only, around that side's batches: the calls run here, in
    // `block_on`, so the other sides record nothing.
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let spans = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .finish(),
    );
    // Async closures cannot go through `Rounds::measure`; the same interleaving, by hand, the
    // order of the three sides rotating every round.
    let mut shipped = Rounds::default();
    let mut observed = Rounds::default();
    let mut observing = Rounds::default();
    for round in 0..ROUNDS {
        let mut per_call = [Duration::ZERO; 3];
        for i in 0..3 {
            let side = (round + i) % 3;
            let _spans = (side == 1).then(|| tracing::dispatcher::set_default(&spans));
            let _metrics = (side == 1).then(|| metrics::set_default_local_recorder(&recorder));
            let started = Instant::now();
            for _ in 0..CALLS {
                if side == 2 {
                    bare_call().await;
                } else {
                    generated_call().await;
                }
            }
            per_call[side] = started.elapsed() / CALLS as u32;
        }
        shipped.push(per_call[0], per_call[2]);
        observed.push(per_call[1], per_call[2]);
        observing.push(per_call[1], per_call[0]);
    }
    let recorded = snapshotter.snapshot().into_vec();
    assert!(
        recorded
            .iter()
            .any(|(key, ..)| key.key().name() == "http.client.request.duration"),
        "the observed side recorded its calls"
    );
    report("1. per call: generated client vs bare reqwest", &shipped, "≤ 1.05×");
    report(
        "1b. per call, recorder + INFO spans, vs bare reqwest",
        &observed,
        "≤ 1.05×",
    );
    report(
        "1c. per call, recorder + INFO spans, vs shipped",
        &observing,
        "(observing)",
    );
}

/// A deterministic Airalo-shaped catalogue: `countries` × 4 operators × 5 packages.
fn catalogue(countries: usize) -> Vec<u8> {
    let currencies = [
        "USD", "EUR", "GBP", "AUD", "BRL", "CAD", "AED", "INR", "IDR", "ILS", "JPY", "KWD", "MYR", "MXN", "SGD", "ZAR",
        "KRW", "VND",
    ];
    let prices = |base: f64| -> Value {
        currencies
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.to_string(),
                    json!(((base * (1.0 + i as f64 / 10.0)) * 100.0).round() / 100.0),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let data: Vec<Value> = (0..countries)
        .map(|c| {
            let operators: Vec<Value> = (0..4)
                .map(|o| {
                    let packages: Vec<Value> = (0..5)
                        .map(|p| {
                            let gb = [1, 3, 5, 10, 20][p];
                            json!({
                                "id": format!("op{c}-{o}-{gb}gb"), "type": if p == 4 { "topup" } else { "sim" },
                                "price": 4.5 + gb as f64, "net_price": 3.6 + gb as f64, "amount": gb * 1024, "day": 30,
                                "is_unlimited": false, "title": format!("{gb} GB - 30 Days"), "data": format!("{gb} GB"),
                                "short_info": null, "voice": null, "text": null,
                                "prices": {"net_price": prices(3.6 + gb as f64), "recommended_retail_price": prices(4.5 + gb as f64)}
                            })
                        })
                        .collect();
                    json!({
                        "id": c * 10 + o, "title": format!("Operator {c}-{o}"), "type": "local", "plan_type": "data",
                        "is_roaming": o % 2 == 0, "esim_type": "Prepaid", "apn_type": "automatic", "apn_value": null,
                        "info": ["LTE Data-only eSIM.", "Rechargeable online with no expiry."], "activation_policy": "first-usage",
                        "coverages": [{"name": format!("C{c}"), "code": format!("C{c}"), "networks": [{"name": "Net", "types": ["4G", "5G"]}]}],
                        "countries": [{"country_code": format!("C{c}"), "title": format!("Country {c}")}],
                        "packages": packages
                    })
                })
                .collect();
            json!({"slug": format!("country-{c}"), "country_code": format!("C{c}"), "title": format!("Country {c}"),
                   "image": {"width": 132, "height": 99, "url": "https://cdn.example/flag.png"}, "operators": operators})
        })
        .collect();
    serde_json::to_vec(&json!({"data": data, "meta": {"message": "success", "current_page": 1, "last_page": 1, "per_page": "1000", "total": countries}})).unwrap()
}

fn decode_catalogue() {
    let body = catalogue(200);
    let decode_typed = || {
        serde_json::from_slice::<airalo_client::types::PackagesResponse>(&body)
            .unwrap()
            .data
            .countries()
            .len()
    };
    let decode_value = || {
        serde_json::from_slice::<Value>(&body).unwrap()["data"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((decode_typed(), decode_value()), (200, 200));
    // CPU time of this thread: decoding is single-threaded, and the time another agent's
    // build holds the core is not the decoder's.
    let time = |decode: &dyn Fn() -> usize| {
        let started = thread_cpu_time();
        std::hint::black_box(decode());
        thread_cpu_time() - started
    };
    let rounds = Rounds::measure(61, || time(&decode_typed), || time(&decode_value));
    let name = format!(
        "2. decode {:.1} MB catalogue (4,000 pkgs): types vs Value",
        body.len() as f64 / 1e6
    );
    report(&name, &rounds, "≤ 1.0×");

    // The same answer through the client's decode, as a generated `send` runs it.
    let answer = bytes::Bytes::from(body.clone());
    let client = |observe| {
        airalo_client::Client::config("id", "secret")
            .base_url("http://127.0.0.1:9")
            .observe(observe)
            .build()
            .unwrap()
    };
    let sample = std::num::NonZeroU32::new(10).unwrap();
    let (observed, plain) = (client(Observe::EVERY_ANSWER), client(Observe::OFF));
    let sampled = client(Observe::one_in(sample));
    let through = |client: &airalo_client::Client| {
        use progenitor_client::ClientInfo;
        let response = reqwest::Response::from(http::Response::new(answer.clone()));
        let info = progenitor_client::OperationInfo {
            operation_id: "get_packages",
        };
        let decoded = futures::executor::block_on(
            client
                .inner()
                .decode::<airalo_client::types::PackagesResponse, ()>(response, &info),
        );
        decoded.unwrap().into_inner().data.countries().len()
    };
    assert_eq!((through(&observed), through(&plain)), (200, 200));
    let on = || through(&observed);
    let off = || through(&plain);
    let mut skipped = 0;
    let _: airalo_client::types::PackagesResponse =
        provider_clients::core::observe::decode_noting_undeclared(&body, |_| skipped += 1).unwrap();
    let rounds = Rounds::measure(61, || time(&on), || time(&off));
    report(
        &format!("2b. observe every answer vs off ({skipped} keys skipped)"),
        &rounds,
        "≤ 1.1×",
    );
    // Ten answers a round, so each round holds one sampled answer.
    let ten = |client: &airalo_client::Client| (0..10).map(|_| through(client)).sum::<usize>();
    let rounds = Rounds::measure(31, || time(&|| ten(&sampled)), || time(&|| ten(&plain)));
    report("2d. observe 1 answer in 10 vs off (×10 a round)", &rounds, "≤ 1.1×");
    let rounds = Rounds::measure(61, || time(&off), || time(&decode_typed));
    report("2c. client decode, observe off vs from_slice", &rounds, "≤ 1.02×");
}

/// `CLOCK_THREAD_CPUTIME_ID`: time this thread spent on a core (user and system).
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; the clock id is a constant Linux and the
    // BSDs define.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

async fn listing() {
    const PER_PAGE: usize = 100;
    const PAGES: usize = 100;
    let esims: Vec<Value> = (0..PER_PAGE)
        .map(|i| json!({"_id": format!("esim-{i}"), "iccid": format!("8944{i:015}"), "esimStatus": "ACTIVE", "totalVolume": 5368709120u64, "data_usage_remain": 4294967296u64}))
        .collect();
    let page = json!({"esims": esims, "total": PER_PAGE * PAGES, "page": 1, "limit": PER_PAGE, "totalPages": PAGES});
    let server = ScriptedServer::start(vec![Step::Stall(
        Duration::from_millis(20),
        Box::new(Step::json(200, &page)),
    )])
    .await;
    let client = vellosim::Client::config("vls_test_bench")
        .base_url(server.base_url())
        .build()
        .unwrap();

    let measure = |concurrent: bool| {
        let client = &client;
        async move {
            let baseline = LIVE.load(Ordering::Relaxed);
            PEAK.store(baseline, Ordering::Relaxed);
            let started = Instant::now();
            let count = if concurrent {
                client
                    .get_my_esims()
                    .stream_concurrent(PER_PAGE as u64, 8)
                    .fold(0, |n, r| async move {
                        r.unwrap();
                        n + 1
                    })
                    .await
            } else {
                client
                    .get_my_esims()
                    .stream(PER_PAGE as u64)
                    .fold(0, |n, r| async move {
                        r.unwrap();
                        n + 1
                    })
                    .await
            };
            assert_eq!(count, PER_PAGE * PAGES);
            (started.elapsed(), PEAK.load(Ordering::Relaxed).saturating_sub(baseline))
        }
    };
    // Latency-bound (20 ms a page), so a few rounds suffice.
    let mut rounds = Rounds::default();
    let (mut concurrent_peak, mut sequential_peak) = (0, 0);
    for round in 0..5 {
        let mut pair = [(Duration::ZERO, 0); 2];
        for concurrent in [round % 2 == 0, round % 2 == 1] {
            pair[usize::from(concurrent)] = measure(concurrent).await;
        }
        let [(sequential, seq_peak), (concurrent, con_peak)] = pair;
        rounds.push(concurrent, sequential);
        concurrent_peak = concurrent_peak.max(con_peak);
        sequential_peak = sequential_peak.max(seq_peak);
    }
    report(
        "3. list 10,000 eSIMs, 20 ms/page: 8 in flight vs sequential",
        &rounds,
        "≥ 6× faster",
    );
    println!(
        "{:<54} {:>10.0} K {:>10.0} K            peak heap growth",
        "   memory: 8 in flight vs sequential",
        concurrent_peak as f64 / 1024.0,
        sequential_peak as f64 / 1024.0
    );
}

fn regen() {
    let time = |args: &[&str]| {
        let started = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(["xtask"])
            .args(args)
            .current_dir(integration_tests::workspace_root())
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        started.elapsed()
    };
    time(&["lint"]); // builds xtask once, outside the measurement
    let rounds = Rounds::measure(5, || time(&["regen", "--check"]), || time(&["lint"]));
    report(
        "4. cargo xtask regen --check (4 specs) vs lint only",
        &rounds,
        "seconds",
    );
}

/// The simulated link of benchmark 5: 50 Mbit/s, 40 ms each way.
const LINK_BYTES_PER_SEC: f64 = 50e6 / 8.0;
const LINK_LATENCY: Duration = Duration::from_millis(40);

async fn wire() {
    use axum::routing::{get, post};

    let body = bytes::Bytes::from(catalogue(200));
    let token = json!({"data": {"access_token": "bench-token", "expires_in": 86400, "token_type": "Bearer"}});
    let catalogue = body.clone();
    let app = axum::Router::new()
        .route("/v2/token", post(move || async move { axum::Json(token) }))
        .route(
            "/v2/packages",
            get(move || async move { ([("content-type", "application/json")], catalogue) }),
        )
        // The same layer as the sandbox's: gzip when asked, plain otherwise.
        .layer(tower_http::compression::CompressionLayer::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let relay = Relay::start(upstream).await;

    let client = |compressed: bool| {
        airalo_client::Client::config("bench-id", "bench-secret")
            .base_url(format!("http://{}/v2", relay.addr))
            .compressed_answers(compressed)
            .build()
            .unwrap()
    };
    let (compressed, plain) = (client(true), client(false));
    let relay = &relay;
    let fetch = |client: &airalo_client::Client| {
        let client = client.clone();
        async move {
            let before = relay.downstream_bytes();
            let started = Instant::now();
            let packages = client.get_packages().limit(1000).send().await.unwrap();
            assert_eq!(packages.data.countries().len(), 200);
            (started.elapsed(), relay.downstream_bytes() - before)
        }
    };
    // The first call of each also fetches its token; later ones are the catalogue alone.
    fetch(&compressed).await;
    fetch(&plain).await;
    let mut rounds = Rounds::default();
    let (mut bytes_compressed, mut bytes_plain) = (0, 0);
    for round in 0..8 {
        let mut pair = [(Duration::ZERO, 0); 2];
        for side in [round % 2, 1 - round % 2] {
            pair[side] = fetch(if side == 0 { &compressed } else { &plain }).await;
        }
        rounds.push(pair[0].0, pair[1].0);
        (bytes_compressed, bytes_plain) = (pair[0].1, pair[1].1);
    }
    let name = format!(
        "5. {:.1} MB catalogue, 50 Mbit/s + 40 ms: gzip vs plain",
        body.len() as f64 / 1e6
    );
    report(&name, &rounds, "faster");
    println!(
        "{:<54} {:>8.0} K {:>8.0} K {:>7.1}×  fewer bytes on the wire (headers included)  ≥ 5×",
        "   bytes received: gzip vs plain",
        bytes_compressed as f64 / 1024.0,
        bytes_plain as f64 / 1024.0,
        bytes_plain as f64 / bytes_compressed as f64
    );
}

/// A TCP relay on loopback that delivers what the server sends no faster than the link's
/// bandwidth and no sooner than its latency after it was sent, counting the bytes. What the
/// client sends (small requests) passes with the latency alone.
struct Relay {
    addr: std::net::SocketAddr,
    downstream: std::sync::Arc<AtomicUsize>,
}

impl Relay {
    async fn start(upstream: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let downstream = std::sync::Arc::new(AtomicUsize::new(0));
        let counted = downstream.clone();
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let server = tokio::net::TcpStream::connect(upstream).await.unwrap();
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(Relay::pipe(client_read, server_write, None));
                tokio::spawn(Relay::pipe(server_read, client_write, Some(counted.clone())));
            }
        });
        Relay { addr, downstream }
    }

    fn downstream_bytes(&self) -> usize {
        self.downstream.load(Ordering::Relaxed)
    }

    /// Reads as fast as the sender writes; a second task delivers each chunk at
    /// `max(read + latency, previous delivered + its size / bandwidth)`.
    async fn pipe(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        throttled: Option<std::sync::Arc<AtomicUsize>>,
    ) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
        let deliver = tokio::spawn(async move {
            let mut free_at = Instant::now();
            while let Some((read_at, chunk)) = rx.recv().await {
                let mut at = read_at + LINK_LATENCY;
                if let Some(counted) = &throttled {
                    counted.fetch_add(chunk.len(), Ordering::Relaxed);
                    at = at.max(free_at + Duration::from_secs_f64(chunk.len() as f64 / LINK_BYTES_PER_SEC));
                    free_at = at;
                }
                tokio::time::sleep_until(at.into()).await;
                if to.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        });
        let mut buffer = vec![0; 16 * 1024];
        while let Ok(n @ 1..) = from.read(&mut buffer).await {
            if tx.send((Instant::now(), buffer[..n].to_vec())).is_err() {
                break;
            }
        }
        drop(tx);
        let _ = deliver.await;
    }
}

/// One line: median times, the median per-round ratio (what a target is judged by) and the
/// spread of the per-round ratios. "faster" targets show baseline over ours.
fn report(name: &str, rounds: &Rounds, target: &str) {
    let faster = target.contains("faster");
    let mut ratios: Vec<f64> = rounds
        .ratios()
        .into_iter()
        .map(|r| if faster { 1.0 / r } else { r })
        .collect();
    ratios.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let (min, med, max) = (ratios[0], median(ratios.clone()), ratios[ratios.len() - 1]);
    let spread = format!("{min:.3} / {med:.3} / {max:.3}");
    println!(
        "{name:<54} {:>10} {:>10} {:>7.3}×  {spread:<24} {:>6}  {target}",
        pretty(median(rounds.ours.clone())),
        pretty(median(rounds.base.clone())),
        med,
        ratios.len()
    );
}

fn pretty(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}
