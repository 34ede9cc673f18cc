//! Each provider's journey through the `esim` binary against an in-process sandbox: the
//! commands a user types, their exit status and what they print.

use std::process::Command;

use sandbox::{EXAMPLE_START, Sandbox};
use serde_json::Value;

/// A sandbox on a random port, served by its own runtime while the test runs `esim`.
struct Session {
    sandbox: Sandbox,
    /// Where this session's `esim` runs keep their tokens.
    token_cache: std::path::PathBuf,
    _runtime: tokio::runtime::Runtime,
}

/// What one `esim` run did.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert!(self.ok, "esim failed:\n{}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

const CREDENTIAL_VARIABLES: [&str; 13] = [
    "AIRALO_CLIENT_ID",
    "AIRALO_CLIENT_SECRET",
    "AIRALO_BASE_URL",
    "PRESSONE_BASE_URL",
    "PRESSONE_CLIENT_ID",
    "PRESSONE_CLIENT_SECRET",
    "VELLOSIM_API_KEY",
    "VELLOSIM_BASE_URL",
    "VELOCONNECT_API_KEY",
    "VELOCONNECT_BASE_URL",
    "VELOCONNECT_SMS_API_ID",
    "VELOCONNECT_SMS_API_PASSWORD",
    "VELOCONNECT_SMS_BASE_URL",
];

impl Drop for Session {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.token_cache);
    }
}

impl Session {
    fn start() -> Session {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sandbox = runtime
            .block_on(Sandbox::starting_at(EXAMPLE_START))
            .expect("sandbox starts");
        let token_cache = std::env::temp_dir().join(format!("esim-journey-{}", sandbox.addr().port()));
        Session {
            sandbox,
            token_cache,
            _runtime: runtime,
        }
    }

    /// `esim <args>` with `ESIM_SANDBOX_URL` pointing at this session's sandbox.
    fn esim(&self, args: &[&str]) -> Run {
        self.esim_with(args, &[("ESIM_SANDBOX_URL", self.sandbox.origin())])
    }

    fn esim_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_esim"));
        command
            .args(args)
            .env_remove("ESIM_SANDBOX_URL")
            .env_remove("RUST_LOG")
            .env("ESIM_TOKEN_CACHE", &self.token_cache);
        for name in CREDENTIAL_VARIABLES {
            command.env_remove(name);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("esim runs");
        Run {
            ok: output.status.success(),
            stdout: String::from_utf8(output.stdout).expect("utf-8"),
            stderr: String::from_utf8(output.stderr).expect("utf-8"),
        }
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--sandbox"];
        all.extend_from_slice(args);
        self.esim(&all).json()
    }

    fn fails(&self, args: &[&str]) -> String {
        let mut all = vec!["--sandbox"];
        all.extend_from_slice(args);
        let run = self.esim(&all);
        assert!(
            !run.ok,
            "expected `esim {}` to fail, it printed:\n{}",
            all.join(" "),
            run.stdout
        );
        assert!(
            run.stdout.is_empty(),
            "a failure prints nothing on stdout:\n{}",
            run.stdout
        );
        run.stderr
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value:#}"))
}

fn number(value: &Value, pointer: &str) -> f64 {
    match value.pointer(pointer) {
        Some(Value::Number(n)) => n.as_f64().expect("finite"),
        // Exact decimals are printed as strings.
        Some(Value::String(s)) => s
            .parse()
            .unwrap_or_else(|_| panic!("{s:?} at {pointer} is not a number")),
        other => panic!("no number at {pointer}: {other:?} in {value:#}"),
    }
}

const MIB: f64 = 1024.0 * 1024.0;

#[test]
fn airalo_buy_install_use_and_top_up() {
    let s = Session::start();
    let packages = s.json(&["airalo", "get-packages", "--filter-country", "DE"]);
    let germany = &packages["data"][0];
    assert_eq!(germany["country_code"], "DE", "{germany:#}");
    let package = &germany["operators"][0]["packages"][0];
    let package_id = text(package, "/id");
    let balance = |s: &Session| {
        number(
            &s.json(&["airalo", "get-balance"]),
            "/data/balances/availableBalance/amount",
        )
    };
    let before = balance(&s);

    let order = s.json(&[
        "airalo",
        "submit-order",
        "--package-id",
        package_id,
        "--quantity",
        "1",
        "--description",
        "j1",
    ]);
    assert_eq!(order["data"]["package_id"], package_id.to_owned());
    // Airalo's own notation (`format: provider-date-time`), not RFC 3339.
    let created = text(&order, "/data/created_at");
    assert!(
        chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{created}"
    );
    let sim = &order["data"]["sims"][0];
    let iccid = text(sim, "/iccid");
    assert!(
        iccid.len() == 19 && iccid.bytes().all(|b| b.is_ascii_digit()),
        "{iccid}"
    );
    let lpa = text(sim, "/qrcode");
    assert!(lpa.starts_with("LPA:1$"), "{lpa}");

    let instructions = s.json(&["airalo", "get-installation-instructions", "--sim-iccid", iccid]);
    let ios = &instructions["data"]["instructions"]["ios"][0];
    assert_eq!(
        ios["installation_via_qr_code"]["qr_code_data"],
        lpa.to_owned(),
        "{instructions:#}"
    );

    let usage = s.json(&["airalo", "get-usage", "--sim-iccid", iccid]);
    let total = number(&usage, "/data/total");
    assert_eq!(number(&usage, "/data/remaining"), total);
    assert_eq!(usage["data"]["status"], "ACTIVE");
    s.esim(&["sandbox", "skip", "10"]).json();
    let remaining = number(
        &s.json(&["airalo", "get-usage", "--sim-iccid", iccid]),
        "/data/remaining",
    );
    // Ten simulated hours (whole MB; the test's own seconds may round one more away).
    let expected = total - 10.0 * USAGE_MB_PER_HOUR;
    assert!(
        remaining <= expected && remaining >= expected - 1.0,
        "{remaining} vs {expected}"
    );

    let top_ups = s.json(&["airalo", "get-topup-packages", "--iccid", iccid]);
    let top_up = &top_ups["data"][0];
    let top_up_id = text(top_up, "/id");
    s.json(&[
        "airalo",
        "submit-topup-order",
        "--iccid",
        iccid,
        "--package-id",
        top_up_id,
        "--description",
        "j2",
    ]);
    let history = s.json(&["airalo", "get-esim-package-history", "--iccid", iccid]);
    let ids: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["package"]["id"].as_str())
        .collect();
    assert!(ids.contains(&package_id) && ids.contains(&top_up_id), "{history:#}");
    let grown = number(&s.json(&["airalo", "get-usage", "--sim-iccid", iccid]), "/data/total");
    assert_eq!(grown, total + number(top_up, "/amount"));
    let spent = number(package, "/net_price") + number(top_up, "/net_price");
    let after = balance(&s);
    assert!((before - after - spent).abs() < 1e-6, "{before} - {spent} != {after}");

    // Every `esim` run above is a new process, and the sandbox, like Airalo, allows three
    // token requests a minute: they shared one cached token (beside it, its lock file).
    let cached: Vec<_> = std::fs::read_dir(&s.token_cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");

    let orders = s.esim(&["--sandbox", "airalo", "get-order-list", "--all", "--limit", "1"]);
    let listed = orders.json();
    // The order and the top-up, a page each.
    let codes: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["description"].as_str())
        .collect();
    assert_eq!(codes.len(), 2, "{listed:#}");
    assert!(codes.contains(&"j1") && codes.contains(&"j2"), "{codes:?}");
    assert!(orders.stderr.contains("2 items in 2 pages"), "{}", orders.stderr);
}

#[test]
fn airalo_documented_errors_are_reachable() {
    let s = Session::start();
    let stderr = s.fails(&[
        "airalo",
        "submit-order",
        "--package-id",
        "germany-7days-1gb",
        "--quantity",
        "51",
    ]);
    assert!(stderr.contains("HTTP 422") && stderr.contains("quantity"), "{stderr}");

    // 50 of the dearest package cost more than the opening balance.
    let stderr = s.fails(&[
        "airalo",
        "submit-order",
        "--package-id",
        "world-30days-20gb",
        "--quantity",
        "50",
    ]);
    assert!(
        stderr.contains("HTTP 422") && stderr.contains("\"code\": 11"),
        "{stderr}"
    );

    let never_issued = sandbox::catalogue::iccid(1, 9999);
    let stderr = s.fails(&["airalo", "get-usage", "--sim-iccid", &never_issued]);
    assert!(stderr.contains("HTTP 404"), "{stderr}");
}

#[test]
fn airalo_calls_only_its_official_sdks_make() {
    let s = Session::start();
    let rates = s.json(&[
        "airalo",
        "get-exchange-rates",
        "--date",
        "2025-01-30",
        "--to",
        "EUR,GBP",
    ]);
    assert_eq!(rates["data"]["date"], "2025-01-30");
    let to: Vec<&str> = rates["data"]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| text(r, "/to"))
        .collect();
    assert_eq!(to, ["EUR", "GBP"]);
    let vouchers = s.json(&[
        "airalo",
        "create-airmoney-vouchers",
        "--amount",
        "10",
        "--quantity",
        "1",
        "--voucher-code",
        "CLI-VOUCHER",
    ]);
    assert_eq!(vouchers["data"]["code"], "CLI-VOUCHER");
    let overrides = s.json(&["airalo", "get-package-overrides", "--page", "1"]);
    assert_eq!(overrides["data"], serde_json::json!([]));
    let stderr = s.fails(&["airalo", "get-exchange-rates", "--to", "XXX"]);
    assert!(stderr.contains("HTTP 422") && stderr.contains("XXX"), "{stderr}");
}

#[test]
fn pressone_order_from_a_json_body_and_voice_numbers() {
    let s = Session::start();
    let body = s.token_cache.with_extension("order.json");
    std::fs::write(&body, r#"{"package_id": "france-7days-1gb", "quantity": 1}"#).unwrap();
    let order = s.json(&["pressone", "submit-order", "--json-body", body.to_str().unwrap()]);
    std::fs::remove_file(&body).unwrap();
    assert_eq!(order["data"]["package_id"], "france-7days-1gb");
    let iccid = text(&order, "/data/sims/0/iccid");
    let sims = s.json(&["pressone", "get-esims-list"]);
    assert_eq!(sims["data"][0]["iccid"], iccid.to_owned(), "{sims:#}");

    let users = s.json(&["pressone", "list-users"]);
    let first = &users["results"][0];
    let email = text(first, "/email");
    let table = s.esim(&[
        "--sandbox",
        "-o",
        "table",
        "--columns",
        "email",
        "pressone",
        "list-users",
    ]);
    assert!(table.stdout.contains(email), "{}", table.stdout);
    let renewed = s.json(&["pressone", "renew-number", "--email", email]);
    assert!(renewed.is_object(), "{renewed:#}");
}
/// `catalogue::USAGE_MB_PER_HOUR`: what an active eSIM uses per simulated hour.
const USAGE_MB_PER_HOUR: f64 = 40.0;

#[test]
fn vellosim_buy_a_package_and_watch_its_usage() {
    let s = Session::start();
    let regions = s.json(&["vellosim", "get-regions"]);
    assert!(
        regions.as_array().unwrap().iter().any(|r| r["regionCode"] == "JP"),
        "{regions:#}"
    );

    let packages = s.json(&["vellosim", "get-packages", "--region-code", "JP"]);
    let package = packages
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["packageCode"] == "JP_1GB_7D")
        .expect("JP 1 GB");
    let price = number(package, "/price");
    let before = number(&s.json(&["vellosim", "get-wallet-balance"]), "/data/balance");

    let purchase = s.json(&[
        "vellosim",
        "purchase-esim",
        "--package-code",
        "JP_1GB_7D",
        "--package-type",
        "BASE",
        "--payment-method",
        "WALLET",
    ]);
    assert_eq!(purchase["status"], "SUCCESS");
    let esim_id = text(&purchase, "/esimDetails/esimId");
    assert!(text(&purchase, "/esimDetails/activationCode").starts_with("LPA:1$"));
    let after = number(&s.json(&["vellosim", "get-wallet-balance"]), "/data/balance");
    assert!((before - after - price).abs() < 1e-9, "{before} - {price} != {after}");

    let fresh = s.json(&["vellosim", "get-esim", "--esim-id", esim_id]);
    assert_eq!(fresh["esimStatus"], "ACTIVE");
    let total = number(&fresh, "/totalVolume");
    assert_eq!(total, 1024.0 * MIB);

    s.esim(&["sandbox", "skip", "10"]).json();
    let later = s.json(&["vellosim", "get-esim", "--esim-id", esim_id]);
    let used = total - number(&later, "/data_usage_remain");
    // Ten simulated hours, plus the few real seconds the test takes.
    let ten_hours = 10.0 * USAGE_MB_PER_HOUR * MIB;
    assert!((ten_hours..ten_hours + MIB).contains(&used), "{used}");

    let stderr = s.fails(&[
        "vellosim",
        "purchase-esim",
        "--package-code",
        "NOPE",
        "--package-type",
        "BASE",
        "--payment-method",
        "WALLET",
    ]);
    assert!(
        stderr.contains("HTTP 400") && stderr.contains("INVALID_PACKAGE_CODE"),
        "{stderr}"
    );
}

#[test]
fn vellosim_pages_through_every_esim_with_progress() {
    let s = Session::start();
    for code in ["DE_1GB_7D", "FR_1GB_7D", "ES_1GB_7D"] {
        s.json(&[
            "vellosim",
            "purchase-esim",
            "--package-code",
            code,
            "--package-type",
            "BASE",
            "--payment-method",
            "WALLET",
        ]);
    }
    let run = s.esim(&["--sandbox", "vellosim", "get-my-esims", "--all", "--limit", "2"]);
    let esims = run.json();
    let codes: Vec<&str> = esims
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["packageCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    assert!(
        ["DE_1GB_7D", "FR_1GB_7D", "ES_1GB_7D"]
            .iter()
            .all(|c| codes.contains(c)),
        "{codes:?}"
    );
    assert!(run.stderr.contains("3 items in 2 pages"), "{}", run.stderr);

    let table = s.esim(&[
        "--sandbox",
        "-o",
        "table",
        "--columns",
        "iccid,packageCode",
        "vellosim",
        "get-my-esims",
    ]);
    assert!(table.ok, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines[0], "| iccid               | packageCode |");
    assert_eq!(lines.len(), 6, "{}", table.stdout);
}

#[test]
fn veloconnect_order_then_top_up() {
    let s = Session::start();
    let plans = s.json(&["veloconnect", "get-all-plans", "--area-ids", "1"]);
    let plan = &plans["rows"][0];
    assert_eq!(plan["areas"][0]["iso"], "DE", "{plan:#}");
    let plan_id = plan["id"].to_string();
    let before = number(&s.json(&["veloconnect", "get-my-organization"]), "/balance");

    // `--all` pages by offset and keeps the user's filters on every page.
    let every = s.esim(&[
        "--sandbox",
        "veloconnect",
        "get-all-plans",
        "--area-ids",
        "1",
        "--all",
        "--limit",
        "2",
    ]);
    let every = every.json();
    let every = every.as_array().unwrap();
    assert_eq!(every.len() as i64, plans["count"].as_i64().unwrap(), "{plans:#}");
    assert!(every.len() > 2, "more than one page: {}", every.len());
    let covers_de = |p: &Value| p["areas"].as_array().unwrap().iter().any(|a| a["iso"] == "DE");
    assert!(every.iter().all(covers_de), "{every:#?}");

    let esim = s.json(&["veloconnect", "order-one", "--plan-id", &plan_id]);
    let iccid = text(&esim, "/iccid");
    assert_eq!(esim["assignedPlans"].as_array().unwrap().len(), 1);

    let top_ups = s.json(&["veloconnect", "get-esim-top-up-plans", "--iccid", iccid]);
    let top_up = &top_ups["rows"][0];
    let top_up_id = top_up["id"].to_string();
    s.json(&["veloconnect", "top-up-esim", "--iccid", iccid, "--plan-id", &top_up_id]);

    let topped = s.json(&["veloconnect", "get-one-esim", "--iccid", iccid]);
    let assigned: Vec<String> = topped["assignedPlans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["planId"].to_string())
        .collect();
    assert_eq!(assigned, [plan_id.clone(), top_up_id], "{topped:#}");
    let after = number(&s.json(&["veloconnect", "get-my-organization"]), "/balance");
    let spent = number(plan, "/price") + number(top_up, "/price");
    assert!((before - after - spent).abs() < 1e-9, "{before} - {spent} != {after}");

    let never_issued = sandbox::catalogue::iccid(32, 9999);
    let stderr = s.fails(&["veloconnect", "get-one-esim", "--iccid", &never_issued]);
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    let stderr = s.fails(&["veloconnect", "get-one-esim", "--iccid", "8988320000000009999"]);
    assert!(
        stderr.contains("HTTP 400") && stderr.contains("is not an ICCID"),
        "{stderr}"
    );
}

#[test]
fn veloconnect_sms_send_status_balance_and_a_one_time_code() {
    let s = Session::start();
    let before = number(&s.json(&["veloconnect-sms", "check-balance"]), "/BalanceAmount");
    let sms = [
        "veloconnect-sms",
        "send-sms",
        "--sms-type",
        "T",
        "--encoding",
        "T",
        "--sender-id",
        "VELOSMS",
        "--phonenumber",
        "919622333345",
        "--textmessage",
        "Your order has shipped.",
    ];
    let sent = s.json(&sms);
    assert_eq!(text(&sent, "/status"), "S", "{sent:#}");
    let id = sent["message_id"].to_string();
    let after = number(&s.json(&["veloconnect-sms", "check-balance"]), "/BalanceAmount");
    assert!(
        (before - after - 0.02).abs() < 1e-9,
        "one part debited: {before} -> {after}"
    );

    let pending = s.json(&["veloconnect-sms", "get-delivery-status", "--message-id", &id]);
    assert_eq!(text(&pending, "/DLRStatus"), "Pending");
    assert!(
        s.esim(&["sandbox", "skip", "1"]).ok,
        "an hour: past the simulated delivery"
    );
    let delivered = s.json(&["veloconnect-sms", "get-delivery-status", "--message-id", &id]);
    assert_eq!(text(&delivered, "/DLRStatus"), "Delivered");

    let code = s.json(&[
        "veloconnect-sms",
        "verify",
        "--brand",
        "Velo",
        "--phonenumber",
        "919622333345",
        "--sender-id",
        "VELOSMS",
    ]);
    let verification = code["verfication_id"].to_string();
    let outbox = s.sandbox.sms_outbox();
    let otp = outbox.last().unwrap().text.rsplit(' ').next().unwrap().to_owned();
    let check = [
        "veloconnect-sms",
        "verify-status",
        "--verfication-id",
        &verification,
        "--verfication-code",
        &otp,
    ];
    assert_eq!(text(&s.json(&check), "/status"), "V");
    assert_eq!(text(&s.json(&check), "/remarks"), "Code already used");

    // A refusal in a 200 body fails the command with the platform's reason.
    s.sandbox.set_sms_ip_whitelisted(false);
    let refused = s.fails(&["veloconnect-sms", "check-balance"]);
    assert!(refused.contains("IP not Whitelisted"), "{refused}");
}

#[test]
fn without_credentials_the_cli_says_which_variable_is_missing() {
    let s = Session::start();
    let run = s.esim_with(&["vellosim", "get-wallet-balance"], &[]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("VELLOSIM_API_KEY is not set") && run.stderr.contains("--sandbox"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_refused_credential_is_reported_without_echoing_it() {
    let s = Session::start();
    let secret = "vls_test_canary-7f3a9c";
    let base = s.sandbox.base_url(sandbox::Provider::Vellosim);
    let run = s.esim_with(
        &["vellosim", "get-wallet-balance"],
        &[("VELLOSIM_API_KEY", secret), ("VELLOSIM_BASE_URL", &base)],
    );
    assert!(!run.ok);
    assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
    assert!(
        !run.stderr.contains(secret) && !run.stdout.contains(secret),
        "{}",
        run.stderr
    );
}

#[test]
fn a_refused_token_request_is_one_error_line() {
    let s = Session::start();
    let base = s.sandbox.base_url(sandbox::Provider::Airalo);
    let run = s.esim_with(
        &["airalo", "get-balance"],
        &[
            ("AIRALO_CLIENT_ID", "not-a-client"),
            ("AIRALO_CLIENT_SECRET", "not-a-secret"),
            ("AIRALO_BASE_URL", &base),
        ],
    );
    assert!(!run.ok);
    assert!(
        run.stderr.starts_with("error: could not obtain an access token"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("rror").count(), 1, "said once:\n{}", run.stderr);
    assert!(!run.stderr.contains("not-a-secret"), "{}", run.stderr);
}

/// `RUST_LOG=info` prints each call's span on stderr, named after the spec's path template,
/// with OpenTelemetry's fields; stdout stays the JSON answer.
#[test]
fn rust_log_prints_each_call_as_an_opentelemetry_span() {
    let s = Session::start();
    let run = s.esim_with(
        &["--sandbox", "airalo", "get-balance"],
        &[("ESIM_SANDBOX_URL", s.sandbox.origin()), ("RUST_LOG", "info")],
    );
    run.json();
    let span = run
        .stderr
        .lines()
        .find(|l| l.contains("GET /balance{") && l.contains(": close "))
        .unwrap_or_else(|| panic!("no closed `GET /balance` span:\n{}", run.stderr));
    for field in [
        "http.response.status_code=200",
        "http.request.method=\"GET\"",
        "url.template=\"/balance\"",
        "provider=\"airalo\"",
        "operation=\"get_balance\"",
        "http.request.resend_count=0",
    ] {
        assert!(span.contains(field), "{field} missing from {span}");
    }
    // The token exchange the call needed is an event inside it.
    assert!(run.stderr.contains("token fetch"), "{}", run.stderr);
    assert!(s.esim(&["--sandbox", "airalo", "get-balance"]).stderr.is_empty());
}

/// Every operation of every spec is a subcommand (the generated commands are wired in for
/// each provider, none forgotten).
#[test]
fn every_operation_of_every_spec_is_a_subcommand() {
    let s = Session::start();
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    for provider in sandbox::Provider::ALL {
        let spec = std::fs::read_to_string(specs.join(format!("{}.yaml", provider.name()))).expect("spec");
        let help = s.esim(&[provider.name(), "--help"]);
        assert!(help.ok, "{}", help.stderr);
        let subcommands: Vec<&str> = help
            .stdout
            .lines()
            .filter_map(|line| line.strip_prefix("  ")?.split_whitespace().next())
            .collect();
        let operations: Vec<String> = spec
            .lines()
            .filter_map(|line| line.trim().strip_prefix("operationId:"))
            .map(|id| kebab(id.trim()))
            .collect();
        assert!(!operations.is_empty());
        for op in &operations {
            assert!(
                subcommands.contains(&op.as_str()),
                "{}: no `{op}` in\n{}",
                provider.name(),
                help.stdout
            );
        }
    }
}

/// `getEsimTopUpPlans` → `get-esim-top-up-plans`, `SendSMSMulti` → `send-sms-multi` (heck's
/// word splitting, as progenitor names methods), computed here from the spec's operationId.
fn kebab(id: &str) -> String {
    heck::ToKebabCase::to_kebab_case(id)
}
