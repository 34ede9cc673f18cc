//! docs-check against a loopback page server serving the fixture sites of
//! `xtask/tests/docs-fixtures/` (see its README): no internet.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::lock::{Divergence, Lock};
use super::normalise::{self, Source};
use super::{Options, Verdict, run};

const AIRALO: &str = "developers.partners.airalo.com";
const VELLOSIM: &str = "docs.vellosim.com";
const HISTORY: &str = "get-esim-package-history-11883032e0.md";

#[test]
fn normalising_drops_what_changes_without_meaning() {
    // Apidog's HTML as text (seed 004's shape): the footer date, the sidebar and the
    // code-sample tabs go; the words stay.
    let page = "Airalo Developer Platform\n  • OVERVIEW\n    • Introduction\nGet eSIM package history\n\nGET\n/v2/sims/{iccid}/packages\n\
                you can pull specific eSIM history info once every 15 minutes.\nShell\nJavaScript\nJava\nSwift\n\
                Modified at 2024-12-17 16:55:21\nPrevious\nGet top-up package list\nNext\nNotification\nBuilt with\n";
    let later = page.replace("2024-12-17 16:55:21", "2026-05-19 08:43:05");
    let text = normalise::normalise(page, Source::Markdown);
    assert_eq!(text, normalise::normalise(&later, Source::Markdown));
    assert!(
        !text.contains("Modified at") && !text.contains('•') && !text.contains("Swift"),
        "{text}"
    );
    assert!(text.contains("once every 15 minutes"), "{text}");
    // The same excerpt in other YAML (flow style, other key order): the same contract,
    // examples and prose.
    let v1 = fixture(&format!("v1/{AIRALO}/get-balance-11883045e0.md"));
    let v2 = fixture(&format!("v2/{AIRALO}/get-balance-11883045e0.md"));
    let (a, b) = (
        normalise::normalise(&v1, Source::Markdown),
        normalise::normalise(&v2, Source::Markdown),
    );
    assert_eq!(normalise::parse(&a), normalise::parse(&b));
    assert!(normalise::parse(&a).contract.is_some());
    // Mintlify's preamble and request samples go; normalising a snapshot changes nothing.
    let mintlify = fixture(&format!("v1/{VELLOSIM}/api-reference/esim/package-details.md"));
    let snapshot = normalise::normalise(&mintlify, Source::Markdown);
    assert!(
        !snapshot.contains("Documentation Index") && !snapshot.contains("curl"),
        "{snapshot}"
    );
    for text in [&a, &b, &snapshot] {
        assert_eq!(&normalise::normalise(text, Source::Markdown), text);
    }
    // Its hand-written components read as a contract, at an excerpt's pointers.
    let doc = normalise::parse(&snapshot);
    let contract = doc.contract.expect("the ParamField and ResponseField components");
    let price = "/responses/200/content/application~1json/schema/properties/price/type";
    assert_eq!(contract.pointer(price), Some(&serde_json::json!("number")));
    assert_eq!(
        contract.pointer("/parameters/path:packageCode/required"),
        Some(&serde_json::json!(true))
    );
    assert_eq!(contract["path"], "/api/esim/packages/{packageCode}");
    assert!(!doc.prose["/page"].contains("type=\"number\""));
    // Plain HTML becomes text, navigation dropped.
    let html = "<html><body><nav><a href='/'>Home</a> Pricing</nav><h1>API setup</h1><p>Send at most 10 SMS per second.</p></body></html>";
    let text = normalise::normalise(html, Source::Html);
    assert!(
        text.contains("API setup") && text.contains("10 SMS per second") && !text.contains("Pricing"),
        "{text}"
    );
}

#[test]
fn a_live_run_refuses_to_call_pending_pages_unchanged() {
    let world = World::new();
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Unchecked, "{report}");
    assert!(report.contains("pending: no accepted baseline yet"), "{report}");
    assert!(!report.contains("0 could not be checked"), "{report}");
}

#[test]
fn an_accepted_baseline_is_clean_and_rechecked_with_conditional_requests() {
    let world = World::accepted();
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Clean, "{report}");
    let log = world.log();
    let history: Vec<&Hit> = log.iter().filter(|h| h.path == format!("/{HISTORY}")).collect();
    assert_eq!(history.len(), 2, "once per run");
    assert_eq!(history[0].if_none_match, None);
    assert!(
        history[1].if_none_match.is_some(),
        "the second run sends the stored ETag"
    );
    assert!(
        log.iter()
            .all(|h| h.user_agent.starts_with("provider-clients-docs-check/"))
    );
    assert_eq!(
        log.iter().filter(|h| h.path == "/robots.txt").count(),
        2,
        "robots.txt once per run"
    );
    // One request at a time, and one host's requests spaced within a run. A run starts with
    // the host's robots.txt: the second run's may follow the first's last request at once.
    for pair in log.windows(2).filter(|pair| pair[1].path != "/robots.txt") {
        assert!(
            pair[1].at.duration_since(pair[0].at) >= Duration::from_millis(20),
            "spaced: {:?}",
            pair[1].path
        );
    }
}

#[test]
fn a_mutated_fixture_exits_1_and_a_failed_fetch_exits_2() {
    let world = World::accepted();
    world.edit(
        AIRALO,
        "get-balance-11883045e0.md",
        "currency:\n                                type: string",
        "currency:\n                                type: integer",
    );
    assert_eq!(world.run(&[]).0, Verdict::Drift);

    let world = World::accepted();
    world.rules().slow.insert(format!("/{HISTORY}"));
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Unchecked, "a timeout is not \"unchanged\": {report}");
    assert!(
        report.contains(&format!("https://{AIRALO}/{HISTORY}: error")),
        "{report}"
    );

    let world = World::accepted();
    world.edit(AIRALO, "robots.txt", "Disallow: /internal/", "Disallow: /get-balance");
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Unchecked, "{report}");
    assert!(report.contains("disallowed by robots.txt"), "{report}");
    assert!(
        !world
            .log()
            .iter()
            .any(|h| h.path.starts_with("/get-balance") && h.if_none_match.is_some())
    );
}

#[test]
fn an_unreadable_robots_txt_fails_the_host_with_one_request() {
    let world = World::accepted();
    world.rules().gone.insert("/robots.txt".into(), 503);
    let before = world.log().len();
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Unchecked, "{report}");
    let paths: Vec<String> = world.log()[before..].iter().map(|h| h.path.clone()).collect();
    assert_eq!(paths, ["/robots.txt"], "no page of the host is fetched");
    assert!(report.contains("robots.txt must be readable"), "{report}");
}

#[test]
fn retry_after_is_honoured_on_429() {
    let world = World::accepted();
    world.rules().throttled.insert(format!("/{HISTORY}"));
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Clean, "{report}");
    let log = world.log();
    let hits: Vec<Instant> = log
        .iter()
        .filter(|h| h.path == format!("/{HISTORY}"))
        .map(|h| h.at)
        .skip(1)
        .collect();
    assert_eq!(hits.len(), 2, "the 429, then the retry");
    assert!(
        hits[1].duration_since(hits[0]) >= Duration::from_secs(1),
        "waited Retry-After: 1"
    );
}

#[test]
fn scenario_field_removed() {
    scenario("field_removed", |w| {
        w.edit(
            AIRALO,
            HISTORY,
            "                        finished_at:\n                          type: 'null'\n",
            "",
        );
    });
}

#[test]
fn scenario_enum_value_added() {
    scenario("enum_value_added", |w| {
        w.edit(
            AIRALO,
            HISTORY,
            "                            - FINISHED\n",
            "                            - FINISHED\n                            - EXPIRED\n",
        );
    });
}

#[test]
fn scenario_example_changed() {
    scenario("example_changed", |w| {
        w.edit(AIRALO, HISTORY, "remaining: 2378", "remaining: 1024")
    });
}

#[test]
fn scenario_prose_number_changed() {
    scenario("prose_number_changed", |w| {
        w.edit(
            AIRALO,
            "rate-limits-752590m0.md",
            "once every 15 minutes per eSIM",
            "once every 5 minutes per eSIM",
        );
    });
}

#[test]
fn scenario_mintlify_field_type_changed() {
    scenario("mintlify_field_type_changed", |w| {
        w.edit(
            VELLOSIM,
            "api-reference/esim/package-details.md",
            r#"<ResponseField name="price" type="number">"#,
            r#"<ResponseField name="price" type="string">"#,
        );
    });
}

#[test]
fn scenario_page_removed() {
    scenario("page_removed", |w| {
        w.rules().gone.insert("/get-balance-11883045e0.md".into(), 410);
    });
}

#[test]
fn scenario_page_added_to_llms_txt() {
    scenario("page_added_to_llms_txt", |w| {
        w.edit(
            AIRALO,
            "llms.txt",
            "- REST API > Endpoints > Balance",
            "- REST API > Endpoints > Top-up flow [Get eSIM statistics](https://developers.partners.airalo.com/get-esim-statistics-41200017e0.md): Usage statistics.\n- REST API > Endpoints > Balance",
        );
    });
}

#[test]
fn scenario_slug_renamed() {
    scenario("slug_renamed", |w| {
        let site = w.site(AIRALO);
        std::fs::rename(
            site.join("get-top-up-package-list-11883031e0.md"),
            site.join("get-topup-packages-11883031e0.md"),
        )
        .unwrap();
        w.rules().redirects.insert(
            "/get-top-up-package-list-11883031e0.md".into(),
            "/get-topup-packages-11883031e0.md".into(),
        );
    });
}

#[test]
fn scenario_accepted_divergence_kept_quiet() {
    let world = World::accepted();
    let remaining = "/responses/200/content/application~1json/schema/properties/data/items/properties/remaining";
    let mut lock = Lock::load(&world.root).unwrap();
    let entry = lock.page.iter_mut().find(|p| p.url.ends_with("11883032e0")).unwrap();
    entry.divergence.push(Divergence {
        pointer: remaining.into(),
        reason: "the doc says integer; real answers carry decimals".into(),
    });
    lock.save(&world.root).unwrap();
    world.edit(
        AIRALO,
        HISTORY,
        "                        remaining:\n                          type: integer",
        "                        remaining:\n                          type: number",
    );
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Clean, "{report}");
    assert!(report.contains("1 quiet"), "{report}");
    // A new difference elsewhere still alarms; the curated one stays out of the report.
    world.edit(
        AIRALO,
        HISTORY,
        "                            - FINISHED\n",
        "                            - FINISHED\n                            - EXPIRED\n",
    );
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Drift, "{report}");
    assert!(!report.contains("/remaining"), "{report}");
    insta::assert_snapshot!("accepted_divergence_kept_quiet", report);
    // --accept keeps the curated divergence.
    world.run(&["--accept"]);
    let lock = Lock::load(&world.root).unwrap();
    assert_eq!(
        lock.page
            .iter()
            .find(|p| p.url.ends_with("11883032e0"))
            .unwrap()
            .divergence
            .len(),
        1
    );
}

#[test]
fn accepting_one_page_fetches_and_adopts_only_it() {
    let world = World::accepted();
    world.edit(AIRALO, HISTORY, "remaining: 2378", "remaining: 1024");
    world.edit(AIRALO, "get-balance-11883045e0.md", "amount: 1000", "amount: 2000");
    let before = world.log().len();
    let (verdict, report) = world.run(&["--accept", "get-esim-package-history-11883032e0"]);
    assert_eq!(verdict, Verdict::Clean, "{report}");
    let log = world.log();
    let paths: Vec<&str> = log[before..].iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["/robots.txt", &format!("/{HISTORY}")]);
    drop(log);
    let (verdict, json) = world.run(&["--format", "json"]);
    assert_eq!(verdict, Verdict::Drift);
    let changes: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(changes.iter().all(|c| c["operation"] == "getBalance"), "{json}");
    let mut opts = Options::parse(&["--accept", "no-such-page"]).unwrap();
    opts.decode = false;
    let err = run(&world.root, &opts, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("no x-doc-url"), "{err}");
}

#[test]
fn a_provider_restricts_the_run_and_its_accept() {
    let world = World::accepted();
    world.edit(AIRALO, HISTORY, "remaining: 2378", "remaining: 1024");
    world.edit(
        VELLOSIM,
        "api-reference/esim/package-details.md",
        "\"price\": 5.75",
        "\"price\": 6.25",
    );
    let before = world.log().len();
    let (verdict, json) = world.run(&["--provider", "vellosim", "--format", "json"]);
    assert_eq!(verdict, Verdict::Drift);
    let changes: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        !changes.is_empty() && changes.iter().all(|c| c["provider"] == "vellosim"),
        "{json}"
    );
    assert_eq!(world.log().len(), before, "no request to Airalo's site");
    assert_eq!(world.run(&["--provider", "vellosim", "--accept"]).0, Verdict::Clean);
    let (_, json) = world.run(&["--format", "json"]);
    let changes: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        !changes.is_empty() && changes.iter().all(|c| c["provider"] == "airalo"),
        "{json}"
    );
    assert_eq!(
        world.run(&["--offline"]).0,
        Verdict::Clean,
        "a provider's accept keeps the others' entries"
    );
}

#[test]
fn examples_are_decoded_as_our_response_schema() {
    let root = fixtures();
    let specs = crate::spec::Spec::load_all(&root).unwrap();
    let airalo = specs.iter().find(|s| s.name == "airalo").unwrap();
    let schema = |pointer| super::decode::schema(airalo, "/sims/{iccid}/packages", "get", pointer);
    assert_eq!(
        schema("/responses/200/content/application~1json/example").as_deref(),
        Some("PackageHistoryResponse")
    );
    assert_eq!(schema("/page/examples/0").as_deref(), Some("PackageHistoryResponse"));
    assert_eq!(schema("/parameters/path:iccid/example"), None);
}

#[test]
fn two_versions_of_the_sites_name_exactly_the_changed_operations() {
    let world = World::accepted();
    copy_dir(&fixtures().join("v2"), &world.root.join("served"));
    let (verdict, json) = world.run(&["--format", "json"]);
    assert_eq!(verdict, Verdict::Drift, "{json}");
    let changes: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let named: BTreeSet<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap_or("null").to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("getEsimPackageHistory", "contract-breaking"),
        ("getEsimPackageHistory", "contract-additive"),
        ("getEsimPackageHistory", "example"),
        ("getEsimPackageHistory", "prose-semantic"),
        ("getPackageDetails", "example"),
        ("null", "prose-semantic"),
        ("null", "contract-additive"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(named, expected, "{json}");
    for change in &changes {
        for field in [
            "provider",
            "operation",
            "page",
            "kind",
            "pointer",
            "change",
            "ours",
            "location",
            "fingerprint",
        ] {
            assert!(change.get(field).is_some(), "{field} in {change}");
        }
    }
    let removed = changes.iter().find(|c| c["kind"] == "contract-breaking").unwrap();
    assert!(
        removed["pointer"]
            .as_str()
            .unwrap()
            .ends_with("/properties/finished_at"),
        "{removed}"
    );
    assert_eq!(removed["ours"], "contradicts", "our spec still has finished_at");
    assert!(removed["location"].as_str().unwrap().starts_with("specs/airalo.yaml:"));
    let added_page = changes.iter().find(|c| c["pointer"] == "/llms.txt").unwrap();
    assert_eq!(
        added_page["ours"], "missing",
        "no coverage row names Get eSIM statistics: {added_page}"
    );
    // Fingerprints are stable: the same run again gives the same ones.
    let (_, again) = world.run(&["--format", "json"]);
    assert_eq!(json, again);
}

#[test]
fn offline_checks_the_lock_against_the_specs() {
    let world = World::accepted();
    assert_eq!(world.run(&["--offline"]).0, Verdict::Clean);
    // A new x-doc-url without a lock entry.
    let spec = world.root.join("specs/airalo.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let more = text.replace("      x-doc-url: https://developers.partners.airalo.com/get-balance-11883045e0\n",
        "      x-doc-url: https://developers.partners.airalo.com/get-balance-11883045e0\n      x-doc-urls: [https://developers.partners.airalo.com/new-page-1m0]\n");
    std::fs::write(&spec, &more).unwrap();
    let (verdict, out) = world.run(&["--offline"]);
    assert_eq!(verdict, Verdict::Drift, "{out}");
    assert!(out.contains("new-page-1m0 (pending)"), "{out}");
    std::fs::write(&spec, &text).unwrap();
    // A snapshot edited by hand, and an orphan.
    let snapshot = world.root.join(format!("specs/docs/{AIRALO}/{HISTORY}"));
    std::fs::write(
        &snapshot,
        std::fs::read_to_string(&snapshot).unwrap().replace("2378", "1"),
    )
    .unwrap();
    std::fs::write(world.root.join(format!("specs/docs/{AIRALO}/stray.md")), "x\n").unwrap();
    let (verdict, out) = world.run(&["--offline"]);
    assert_eq!(verdict, Verdict::Drift, "{out}");
    assert!(
        out.contains("hashes in specs/docs.lock do not match") && out.contains("stray.md: an orphan"),
        "{out}"
    );
    // A site no spec names a page on.
    let mut lock = Lock::load(&world.root).unwrap();
    lock.sync(
        &[],
        &[("docs.example.com".into(), super::pages::Platform::Apidog)],
        |_| false,
    );
    lock.save(&world.root).unwrap();
    let (_, out) = world.run(&["--offline"]);
    assert!(out.contains("site docs.example.com has no page"), "{out}");
}

#[test]
fn the_committed_lock_agrees_with_the_specs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let opts = Options::parse(&["--offline"]).unwrap();
    let mut out = Vec::new();
    let verdict = run(root, &opts, &mut out).unwrap();
    assert_eq!(verdict, Verdict::Clean, "{}", String::from_utf8_lossy(&out));
}

fn scenario(name: &str, edit: impl FnOnce(&World)) {
    let world = World::accepted();
    edit(&world);
    let (verdict, report) = world.run(&[]);
    assert_eq!(verdict, Verdict::Drift, "{report}");
    insta::assert_snapshot!(name, report);
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docs-fixtures")
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(fixtures().join(path)).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the fixture specs (the run's root) and of the v1 sites, each site served by
/// its own loopback server.
struct World {
    root: PathBuf,
    airalo: Server,
    vellosim: Server,
}

impl World {
    fn new() -> World {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "docs-check-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("specs")).unwrap();
        std::fs::create_dir_all(root.join("served")).unwrap();
        copy_dir(&fixtures().join("specs"), &root.join("specs"));
        copy_dir(&fixtures().join("v1"), &root.join("served"));
        World {
            airalo: Server::start(root.join("served").join(AIRALO)),
            vellosim: Server::start(root.join("served").join(VELLOSIM)),
            root,
        }
    }

    fn accepted() -> World {
        let world = World::new();
        let (verdict, report) = world.run(&["--accept"]);
        assert_eq!(verdict, Verdict::Clean, "{report}");
        world
    }

    /// The Airalo site's misbehaviours.
    fn rules(&self) -> std::sync::MutexGuard<'_, Rules> {
        self.airalo.site.rules.lock().unwrap()
    }

    /// The Airalo site's requests so far.
    fn log(&self) -> std::sync::MutexGuard<'_, Vec<Hit>> {
        self.airalo.site.log.lock().unwrap()
    }

    fn site(&self, host: &str) -> PathBuf {
        self.root.join("served").join(host)
    }

    fn edit(&self, host: &str, file: &str, from: &str, to: &str) {
        let path = self.site(host).join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }

    fn run(&self, args: &[&str]) -> (Verdict, String) {
        let origins = [
            format!("{AIRALO}={}", self.airalo.base),
            format!("{VELLOSIM}={}", self.vellosim.base),
        ];
        let mut all: Vec<&str> = args.to_vec();
        all.extend([
            "--origin",
            &origins[0],
            "--origin",
            &origins[1],
            "--no-decode",
            "--spacing-ms",
            "20",
            "--timeout-s",
            "1",
        ]);
        let mut opts = Options::parse(&all).unwrap();
        opts.report_dir = Some(self.root.join("report"));
        opts.politeness.max_retry_after = Duration::from_secs(5);
        let mut out = Vec::new();
        let verdict = run(&self.root, &opts, &mut out).unwrap();
        (verdict, String::from_utf8(out).unwrap())
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Misbehaviours a test turns on for a path.
#[derive(Default)]
struct Rules {
    /// 301 to another path (a renamed slug).
    redirects: HashMap<String, String>,
    /// 404 or 410.
    gone: HashMap<String, u16>,
    /// 429 with `Retry-After: 1`, once.
    throttled: HashSet<String>,
    /// Answers after 3 s (the runs time out after 1 s).
    slow: HashSet<String>,
}

struct Hit {
    at: Instant,
    path: String,
    if_none_match: Option<String>,
    user_agent: String,
}

struct Site {
    dir: PathBuf,
    rules: Mutex<Rules>,
    log: Mutex<Vec<Hit>>,
}

struct Server {
    base: String,
    site: Arc<Site>,
}

impl Server {
    fn start(dir: PathBuf) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let site = Arc::new(Site {
            dir,
            rules: Mutex::default(),
            log: Mutex::default(),
        });
        let state = site.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(serve).with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        Server { base, site }
    }
}

async fn serve(State(site): State<Arc<Site>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let if_none_match = header(header::IF_NONE_MATCH);
    site.log.lock().unwrap().push(Hit {
        at: Instant::now(),
        path: path.clone(),
        if_none_match: if_none_match.clone(),
        user_agent: header(header::USER_AGENT).unwrap_or_default(),
    });
    let (redirect, gone, throttled, slow) = {
        let mut rules = site.rules.lock().unwrap();
        (
            rules.redirects.get(&path).cloned(),
            rules.gone.get(&path).copied(),
            rules.throttled.remove(&path),
            rules.slow.contains(&path),
        )
    };
    if let Some(to) = redirect {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response();
    }
    if let Some(code) = gone {
        return StatusCode::from_u16(code).unwrap().into_response();
    }
    if throttled {
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response();
    }
    if slow {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let Ok(body) = std::fs::read_to_string(site.dir.join(path.trim_start_matches('/'))) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", &normalise::sha256(&body)[..16]);
    if if_none_match.as_deref() == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let kind = if path.ends_with(".md") {
        "text/markdown; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    (
        StatusCode::OK,
        [
            (header::ETAG, etag),
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::LAST_MODIFIED, "Wed, 03 Dec 2025 10:00:00 GMT".to_owned()),
        ],
        body,
    )
        .into_response()
}
