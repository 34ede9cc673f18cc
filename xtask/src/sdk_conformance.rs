//! `cargo xtask sdk-conformance`: Airalo's official Python SDK (PyPI `airalo-sdk`, pinned,
//! in a venv under `target/`) against a freshly started sandbox, as a new user would use it:
//! every public method that calls the API, the documented errors, and the SDK's own check of
//! a sandbox webhook's signature (`xtask/sdk-journeys/airalo_python.py`). Then the sandbox
//! restarts and the SDK's cached token must still work.
//!
//! One line per check; a method is OK when all its checks are. The SDK's own bugs are named
//! in the journey with the reason (KNOWN), and fail the run only once they stop reproducing
//! (STALE), so that the list is kept true. Not covered: the Node SDK (npm `airalo-sdk`) calls
//! only `https://`, which the sandbox does not serve.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context;

use crate::background::{self, Background};
use crate::conformance::mount;
use crate::venv;

/// The SDK and what it imports, pinned: the check must not change because PyPI did.
const PACKAGES: [&str; 3] = ["airalo-sdk==1.0.3", "requests==2.34.2", "cryptography==50.0.2"];

pub fn sdk_conformance(root: &Path) -> anyhow::Result<()> {
    let python = venv::venv(&root.join("target/sdk-conformance/venv"), &PACKAGES)?.join("bin/python");
    let journey = root.join("xtask/sdk-journeys/airalo_python.py");
    background::build(root, "sandbox")?;
    let sandbox = root.join("target/debug/sandbox");
    let mut lines = Vec::new();
    {
        let running = Background::start(&sandbox, &[])?;
        let base_url = format!("{}{}", running.origin, mount("airalo")?);
        println!("==> airalo-sdk (Python) against {base_url}");
        lines.extend(run(&python, &journey, &["journey", &base_url, &running.origin])?);
    }
    let restarted = Background::start(&sandbox, &[])?;
    let base_url = format!("{}{}", restarted.origin, mount("airalo")?);
    println!("==> the sandbox restarted: {base_url}");
    lines.extend(run(&python, &journey, &["after-restart", &base_url])?);
    summarize(&lines)
}

/// Runs one journey, echoing its lines as they come; the `(status, method)` of each.
fn run(python: &Path, journey: &Path, args: &[&str]) -> anyhow::Result<Vec<(String, String)>> {
    let mut child = Command::new(python)
        .arg(journey)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", journey.display()))?;
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        let mut words = line.splitn(2, ' ');
        let status = words.next().unwrap_or_default().to_owned();
        // `order [unknown package]` counts towards `order`.
        let method = words.next().unwrap_or_default().trim_start();
        let method = method.split("  ").next().unwrap_or_default();
        let method = method.split(" [").next().unwrap_or_default().trim().to_owned();
        lines.push((status, method));
    }
    let status = child.wait()?;
    let explained = lines.iter().any(|(status, _)| status == "FAIL" || status == "STALE");
    anyhow::ensure!(
        status.success() || explained,
        "{} stopped ({status}) before checking everything",
        journey.display()
    );
    Ok(lines)
}

fn summarize(lines: &[(String, String)]) -> anyhow::Result<()> {
    let mut methods: BTreeMap<&str, &str> = BTreeMap::new();
    for (status, method) in lines {
        let worst = methods.entry(method).or_insert("OK");
        if status != "OK" && *worst != "FAIL" && *worst != "STALE" {
            *worst = status;
        }
    }
    let ok = methods.values().filter(|s| **s == "OK").count();
    let names =
        |wanted: &str| -> Vec<&str> { methods.iter().filter(|(_, s)| **s == wanted).map(|(m, _)| *m).collect() };
    let (known, failed, stale) = (names("KNOWN"), names("FAIL"), names("STALE"));
    if !known.is_empty() {
        println!("known SDK bugs (reasons above): {}", known.join(", "));
    }
    println!("sdk-conformance: {ok}/{} methods OK", methods.len());
    anyhow::ensure!(failed.is_empty(), "the sandbox fails the SDK in: {}", failed.join(", "));
    anyhow::ensure!(
        stale.is_empty(),
        "listed as SDK bugs but now passing (update KNOWN_BUGS): {}",
        stale.join(", ")
    );
    Ok(())
}
