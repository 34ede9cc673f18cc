//! Each provider's journey through the `esim` binary against an in-process sandbox: the
//! commands a user types, their exit status and what they print.

use std::process::Command;

use sandbox::{Config, Sandbox};
use serde_json::Value;

/// A sandbox on a random port, served by its own runtime while the test runs `esim`.
struct Session {
    sandbox: Sandbox,
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

const CREDENTIAL_VARIABLES: [&str; 10] = [
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
];

impl Session {
    fn start() -> Session {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sandbox = runtime
            .block_on(Sandbox::start(Config::default()))
            .expect("sandbox starts");
        Session {
            sandbox,
            _runtime: runtime,
        }
    }

    /// `esim <args>` with `ESIM_SANDBOX_URL` pointing at this session's sandbox.
    fn esim(&self, args: &[&str]) -> Run {
        self.esim_with(args, &[("ESIM_SANDBOX_URL", self.sandbox.origin())])
    }

    fn esim_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_esim"));
        command.args(args).env_remove("ESIM_SANDBOX_URL");
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
    assert!(
        used >= 10.0 * USAGE_MB_PER_HOUR * MIB && used < (10.0 * USAGE_MB_PER_HOUR + 1.0) * MIB,
        "{used}"
    );

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
            assert!(subcommands.contains(&op.as_str()), "{}: no `{op}` in\n{}", provider.name(), help.stdout);
        }
    }
}

/// `getEsimTopUpPlans` → `get-esim-top-up-plans`, computed here independently of the binary.
fn kebab(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
