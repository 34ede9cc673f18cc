//! `cargo bench -p integration-tests --bench clients`: the four performance ratios, each
//! against a baseline measured in the same run on the same machine.
//!
//! 1. per-call overhead: a generated client call vs bare reqwest + serde_json, same loopback
//!    server, same body, same decoded type (target ≤ 1.05×);
//! 2. decoding a generated multi-MB Airalo catalogue into the generated types vs into
//!    `serde_json::Value` (target ≤ 1.0×);
//! 3. listing 10,000 eSIMs with 20 ms latency per page: sequential vs 8 pages in flight
//!    (target ≥ 6× faster), with peak heap growth of each;
//! 4. `cargo xtask regen --check` vs `cargo xtask lint` (the parse-and-lint floor), in seconds.
//!
//! A plain harness (no criterion/divan): medians of alternating rounds are enough for ratios,
//! and CI's `clippy --all-targets` compiles this file without pulling in a bench framework.

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use integration_tests::scripted::{ScriptedServer, Step};
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

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{:<54} {:>12} {:>12} {:>8}  target",
        "benchmark", "ours", "baseline", "ratio"
    );
    runtime.block_on(per_call_overhead());
    decode_catalogue();
    runtime.block_on(listing());
    regen();
}

async fn per_call_overhead() {
    const CALLS: usize = 2_000;
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
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let started = Instant::now();
        for _ in 0..CALLS {
            generated_call().await;
        }
        ours.push(started.elapsed() / CALLS as u32);
        let started = Instant::now();
        for _ in 0..CALLS {
            bare_call().await;
        }
        base.push(started.elapsed() / CALLS as u32);
    }
    report(
        "1. per call: generated client vs bare reqwest",
        median(ours),
        median(base),
        "≤ 1.05×",
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
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        let started = Instant::now();
        std::hint::black_box(decode_typed());
        ours.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(decode_value());
        base.push(started.elapsed());
    }
    let name = format!(
        "2. decode {:.1} MB catalogue (4,000 pkgs): types vs Value",
        body.len() as f64 / 1e6
    );
    report(&name, median(ours), median(base), "≤ 1.0×");
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
    let (sequential, sequential_peak) = measure(false).await;
    let (concurrent, concurrent_peak) = measure(true).await;
    report(
        "3. list 10,000 eSIMs, 20 ms/page: 8 in flight vs sequential",
        concurrent,
        sequential,
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
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        ours.push(time(&["regen", "--check"]));
        base.push(time(&["lint"]));
    }
    report(
        "4. cargo xtask regen --check (4 specs) vs lint only",
        median(ours),
        median(base),
        "seconds",
    );
}

fn report(name: &str, ours: Duration, baseline: Duration, target: &str) {
    let ratio = ours.as_secs_f64() / baseline.as_secs_f64();
    let shown = if target.contains("faster") {
        format!("{:.2}×", 1.0 / ratio)
    } else {
        format!("{ratio:.3}×")
    };
    println!(
        "{name:<54} {:>12} {:>12} {shown:>8}  {target}",
        pretty(ours),
        pretty(baseline)
    );
}

fn pretty(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}
