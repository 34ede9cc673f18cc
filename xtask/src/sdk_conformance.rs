//! `cargo xtask sdk-conformance`: Airalo's official SDKs against freshly started sandboxes,
//! as a new user would use them: every public method that calls the API, the documented
//! errors, and the SDK's own check of a sandbox webhook's signature; then the sandbox
//! restarts and the token the SDK cached must still work. The journeys are
//! `xtask/sdk-journeys/airalo_{python.py,node.js}`:
//! - Python: PyPI `airalo-sdk`, pinned, in a venv in cargo's target directory, over HTTP;
//! - Node: npm `airalo-sdk`, pinned, installed there too; it only calls `https://`, so its
//!   sandbox runs with `--tls` and the SDK trusts the certificate through
//!   `NODE_EXTRA_CA_CERTS`.
//!
//! One line per check; a method is OK when all its checks are. The SDKs' own bugs are named
//! in the journeys with the reason (KNOWN), and fail the run only once they stop reproducing
//! (STALE), so that the lists are kept true.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context;

use crate::background::{self, Background};
use crate::conformance::announced;
use crate::tools;

/// The Python SDK and what it imports, pinned: the check must not change because PyPI did.
const PYTHON_PACKAGES: [&str; 3] = ["airalo-sdk==1.0.3", "requests==2.34.2", "cryptography==50.0.2"];

/// The Node SDK, pinned (it has no dependencies).
const NODE_PACKAGES: [&str; 1] = ["airalo-sdk@1.2.2"];

pub fn sdk_conformance(root: &Path) -> anyhow::Result<()> {
    let work = background::target_dir(root)?.join("sdk-conformance");
    let journeys = root.join("xtask/sdk-journeys");
    let python = tools::venv(&work.join("venv"), &PYTHON_PACKAGES)?.join("bin/python");
    let node_modules = tools::npm(&work.join("node"), &NODE_PACKAGES)?;
    let sandbox = background::build(root, "sandbox", "sandbox")?;

    let mut checks = journey(&sandbox, "python", None, |args| {
        let mut command = Command::new(&python);
        command.arg(journeys.join("airalo_python.py")).args(args);
        command
    })?;
    let certificate = work.join("sandbox-certificate.pem");
    let token_cache = work.join("node-token-cache");
    if token_cache.exists() {
        // A fresh user: no token cached by an earlier run.
        std::fs::remove_dir_all(&token_cache)?;
    }
    checks.extend(journey(&sandbox, "node", Some(&certificate), |args| {
        let mut command = Command::new("node");
        command
            .arg(journeys.join("airalo_node.js"))
            .args(args)
            .env("NODE_PATH", &node_modules)
            .env("NODE_EXTRA_CA_CERTS", &certificate)
            .env("AIRALO_SDK_CACHE_PATH", &token_cache);
        command
    })?);
    summarize(&checks)
}

/// One SDK's journey against a fresh sandbox (`--tls` with a certificate file), then its
/// after-restart check against a second one; the `(status, "sdk: method")` of each check.
fn journey(
    sandbox: &Path,
    sdk: &str,
    certificate: Option<&Path>,
    command: impl Fn(&[&str]) -> Command,
) -> anyhow::Result<Vec<(String, String)>> {
    let tls: Vec<&str> = match certificate {
        Some(file) => vec!["--tls", file.to_str().context("a UTF-8 target path")?],
        None => Vec::new(),
    };
    let mut checks = Vec::new();
    {
        let running = Background::start(sandbox, &tls)?;
        let (base_url, _) = announced(&running, "airalo")?;
        println!("\n==> Airalo's {sdk} SDK against {base_url}");
        checks.extend(run(command(&["journey", base_url, &running.origin]), sdk)?);
    }
    let restarted = Background::start(sandbox, &tls)?;
    let (base_url, _) = announced(&restarted, "airalo")?;
    println!("==> the sandbox restarted: {base_url}");
    checks.extend(run(command(&["after-restart", base_url]), sdk)?);
    Ok(checks)
}

/// Runs a journey, echoing its lines as they come.
fn run(mut command: Command, sdk: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let mut checks = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        let (status, rest) = line.split_once(' ').unwrap_or((&line, ""));
        // The method column is padded: `order [unknown package]` counts towards `order`.
        let method = rest.trim_start().split("  ").next().unwrap_or_default();
        let method = method.split(" [").next().unwrap_or_default().trim();
        checks.push((status.to_owned(), format!("{sdk}: {method}")));
    }
    let status = child.wait()?;
    let explained = checks.iter().any(|(status, _)| status == "FAIL" || status == "STALE");
    anyhow::ensure!(
        status.success() || explained,
        "{command:?} stopped ({status}) before checking everything"
    );
    Ok(checks)
}

fn summarize(checks: &[(String, String)]) -> anyhow::Result<()> {
    let mut methods: BTreeMap<&str, &str> = BTreeMap::new();
    for (status, method) in checks {
        let worst = methods.entry(method).or_insert("OK");
        if status != "OK" && *worst != "FAIL" && *worst != "STALE" {
            *worst = status;
        }
    }
    let names =
        |wanted: &str| -> Vec<&str> { methods.iter().filter(|(_, s)| **s == wanted).map(|(m, _)| *m).collect() };
    let (known, failed, stale) = (names("KNOWN"), names("FAIL"), names("STALE"));
    println!();
    for sdk in ["python", "node"] {
        let of_sdk: Vec<&&str> = methods
            .iter()
            .filter(|(m, _)| m.starts_with(sdk))
            .map(|(_, s)| s)
            .collect();
        let ok = of_sdk.iter().filter(|s| ***s == "OK").count();
        println!("{sdk}: {ok}/{} methods OK", of_sdk.len());
    }
    if !known.is_empty() {
        println!("known SDK bugs (reasons above): {}", known.join(", "));
    }
    let ok = methods.values().filter(|s| **s == "OK").count();
    println!("sdk-conformance: {ok}/{} methods OK", methods.len());
    anyhow::ensure!(
        failed.is_empty(),
        "the sandbox fails the SDKs in: {}",
        failed.join(", ")
    );
    anyhow::ensure!(
        stale.is_empty(),
        "listed as SDK bugs but now passing (update KNOWN_BUGS): {}",
        stale.join(", ")
    );
    Ok(())
}
