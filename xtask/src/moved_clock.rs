//! `cargo xtask moved-clock [--at "YYYY-MM-DD hh:mm:ss"]… [--locked]`: the whole test suite
//! again with the wall clock moved, so a test that depends on the date or the time of day
//! fails here instead of one day in seven.
//!
//! The test binaries are built by cargo with the real clock (`cargo test --no-run`, the same
//! build as `cargo test --workspace`), then each is run from its package directory, as cargo
//! runs it, under Debian's `faketime` (libfaketime). Monotonic clocks stay real
//! (`FAKETIME_DONT_FAKE_MONOTONIC=1`), so timeouts and tokio's timers behave. The servers the
//! tests start keep the real clock too: `redis-server` hangs under libfaketime, so a shim
//! earlier on `PATH` runs it without the preload.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::background::target_dir;

/// The default moved date: a leap day, ten seconds before midnight, so a run crosses into
/// 1 March as well.
pub const DEFAULT_AT: &str = "2028-02-29 23:59:50";

/// Servers the tests start that must keep the real clock.
const REAL_CLOCK_PROGRAMS: [&str; 2] = ["redis-server", "valkey-server"];

pub fn moved_clock(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let (dates, cargo_flags) = parse_args(args)?;
    which("faketime").context("`faketime` is missing (Debian: apt-get install faketime)")?;
    let binaries = build_test_binaries(root, &cargo_flags)?;
    let shims = write_shims(&target_dir(root)?.join("moved-clock"))?;
    let path = std::env::join_paths(
        std::iter::once(shims).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )?;
    let mut failed = Vec::new();
    for at in &dates {
        eprintln!("moved-clock: {} test binaries with the clock at {at}", binaries.len());
        for (n, binary) in binaries.iter().enumerate() {
            let started = Instant::now();
            let output = Command::new("faketime")
                .arg(at)
                .arg(&binary.executable)
                .current_dir(&binary.package_dir)
                .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                .env("PATH", &path)
                .env("CARGO_MANIFEST_DIR", &binary.package_dir)
                .env("CARGO_PKG_NAME", &binary.package)
                .env("INSTA_WORKSPACE_ROOT", root)
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", binary.executable.display()))?;
            let passed = output.status.success();
            eprintln!(
                "  [{}/{}] {} {} ({:.1} s): {}",
                n + 1,
                binaries.len(),
                binary.package,
                binary.name,
                started.elapsed().as_secs_f64(),
                if passed { "ok" } else { "FAILED" }
            );
            if !passed {
                eprintln!("{}", String::from_utf8_lossy(&output.stdout));
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                failed.push(format!("{} {} at {at}", binary.package, binary.name));
            }
        }
    }
    if !failed.is_empty() {
        bail!("under a moved clock these test binaries failed: {}", failed.join("; "));
    }
    println!("moved-clock: every test binary passed at {}", dates.join(", "));
    Ok(())
}

struct TestBinary {
    package: String,
    /// The target's name (`lib`'s crate name, a test file's stem).
    name: String,
    package_dir: PathBuf,
    executable: PathBuf,
}

/// `--at DATE` (repeatable; `DEFAULT_AT` when none) and the flags passed on to cargo.
fn parse_args<'a>(args: &[&'a str]) -> anyhow::Result<(Vec<String>, Vec<&'a str>)> {
    let mut dates = Vec::new();
    let mut cargo_flags = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--at" => dates.push(
                rest.next()
                    .context("--at takes a date: \"YYYY-MM-DD hh:mm:ss\"")?
                    .to_string(),
            ),
            "--locked" | "--offline" | "--frozen" => cargo_flags.push(*arg),
            other => bail!("moved-clock: unknown argument {other:?} (--at DATE, --locked)"),
        }
    }
    if dates.is_empty() {
        dates.push(DEFAULT_AT.to_owned());
    }
    Ok((dates, cargo_flags))
}

/// Builds what `cargo test --workspace` runs, with cargo's progress on stderr, and lists the
/// test executables with their packages.
fn build_test_binaries(root: &Path, cargo_flags: &[&str]) -> anyhow::Result<Vec<TestBinary>> {
    let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "test",
            "--workspace",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .args(cargo_flags)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting cargo test --no-run")?;
    let mut binaries = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let message: serde_json::Value = serde_json::from_str(&line?).context("reading cargo's messages")?;
        let (Some(executable), Some(manifest)) = (message["executable"].as_str(), message["manifest_path"].as_str())
        else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
            continue;
        }
        let package_dir = Path::new(manifest).parent().context("a manifest has a directory")?;
        binaries.push(TestBinary {
            package: package_name(&message["package_id"]),
            name: message["target"]["name"].as_str().unwrap_or_default().to_owned(),
            package_dir: package_dir.to_path_buf(),
            executable: PathBuf::from(executable),
        });
    }
    let status = child.wait()?;
    anyhow::ensure!(status.success(), "building the tests failed ({status})");
    binaries.sort_by(|a, b| (&a.package, &a.name).cmp(&(&b.package, &b.name)));
    Ok(binaries)
}

/// `path+file:///…/crates/esim#0.1.0` or `path+file:///…#name@0.1.0` → the package name.
fn package_name(id: &serde_json::Value) -> String {
    let id = id.as_str().unwrap_or_default();
    let Some((path, version)) = id.rsplit_once('#') else {
        return id.to_owned();
    };
    match version.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => path.rsplit('/').next().unwrap_or(path).to_owned(),
    }
}

/// A directory of shims, one per real-clock program installed, each running the real program
/// without libfaketime's preload.
fn write_shims(dir: &Path) -> anyhow::Result<PathBuf> {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).with_context(|| format!("creating {}", bin.display()))?;
    for program in REAL_CLOCK_PROGRAMS {
        let shim = bin.join(program);
        let _ = std::fs::remove_file(&shim);
        let Some(real) = which(program) else { continue };
        let script = format!(
            "#!/bin/sh\n# Written by `cargo xtask moved-clock`: {program} keeps the real clock.\n\
             unset LD_PRELOAD FAKETIME\nexec '{}' \"$@\"\n",
            real.display()
        );
        std::fs::write(&shim, script).with_context(|| format!("writing {}", shim.display()))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(bin)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_come_from_either_id_form() {
        let old = serde_json::json!("path+file:///w/crates/esim#0.1.0");
        let new = serde_json::json!("path+file:///w/tests#integration-tests@0.1.0");
        assert_eq!(package_name(&old), "esim");
        assert_eq!(package_name(&new), "integration-tests");
    }

    #[test]
    fn dates_default_to_a_leap_day_before_midnight() {
        assert_eq!(parse_args(&[]).unwrap().0, vec![DEFAULT_AT]);
        let (dates, flags) = parse_args(&["--at", "2027-12-31 23:59:50", "--locked"]).unwrap();
        assert_eq!(dates, vec!["2027-12-31 23:59:50"]);
        assert_eq!(flags, vec!["--locked"]);
        assert!(parse_args(&["--at"]).is_err());
        assert!(parse_args(&["--soon"]).is_err());
    }
}
