//! `cargo xtask compile-cost`: what each client crate costs a service that depends on it,
//! next to the floor (an empty crate with the same dependencies) and a peer (the Rust
//! client openapi-generator makes from the same spec). Everything is built under
//! `compile-cost/` in cargo's target directory; nothing there is committed.
//!
//! Own compile times are a few seconds on a machine other builds share, so ours and the
//! peer's are measured interleaved, `ROUNDS` times each (the order swapped every round), and
//! compared by the median of the per-round ratios, shown with their min and max.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::spec::Spec;

const OAG_VERSION: &str = "7.26.0";
const ROUNDS: usize = 5;

struct Figures {
    lines: usize,
    own: Duration,
    cold: Duration,
}

/// A crate built once cold, then rebuilt alone after touching `touched`.
struct Built {
    lines: usize,
    cold: Duration,
    rebuild: Command,
    touched: PathBuf,
}

impl Built {
    fn own(&mut self) -> anyhow::Result<Duration> {
        std::fs::write(&self.touched, std::fs::read(&self.touched)?)?; // bump the mtime
        let started = Instant::now();
        let output = self.rebuild.output()?;
        anyhow::ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        Ok(started.elapsed())
    }
}

/// `only`: spec names (`airalo`) to measure; empty for all.
pub fn compile_cost(root: &Path, with_peer: bool, only: &[&str]) -> anyhow::Result<()> {
    let work = crate::background::target_dir(root)?.join("compile-cost");
    std::fs::create_dir_all(&work)?;
    let mut specs = Spec::load_all(root)?;
    specs.retain(|spec| only.is_empty() || only.contains(&spec.name.as_str()));
    let generator = if with_peer {
        Some(openapi_generator(&work)?)
    } else {
        None
    };
    let mut rows = Vec::new();
    for spec in &specs {
        eprintln!(
            "== {}: cold builds (ours, floor, openapi-generator's)",
            spec.crate_name()
        );
        let mut ours = build_ours(root, &work, spec)?;
        let floor = measure_floor(root, &work, spec)?;
        // The peer's output does not always compile; that is a finding, not a failure here.
        let mut peer = generator
            .as_ref()
            .map(|cli| build_peer(&work, spec, cli).map_err(|e| first_error(&e)));
        eprintln!("== {}: own compile, {ROUNDS} interleaved rounds", spec.crate_name());
        let (mut own, mut peer_own, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let Some(Ok(peer)) = peer.as_mut() else {
                own.push(ours.own()?);
                continue;
            };
            let (o, p) = if round % 2 == 0 {
                let o = ours.own()?;
                (o, peer.own()?)
            } else {
                let p = peer.own()?;
                (ours.own()?, p)
            };
            ratios.push(o.as_secs_f64() / p.as_secs_f64());
            own.push(o);
            peer_own.push(p);
        }
        let figures = |built: &Built, own: Vec<Duration>| Figures {
            lines: built.lines,
            own: median(own),
            cold: built.cold,
        };
        let ours_figures = figures(&ours, own);
        let peer = peer.map(|p| p.map(|p| figures(&p, peer_own)));
        rows.push((spec.crate_name(), ours_figures, floor, peer, ratios));
    }
    let edit_loop = measure_edit_loop(root)?;

    println!(
        "\n{:<20} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>10}  own/oag own, per round min/med/max",
        "crate", "gen lines", "own s", "cold s", "floor s", "cold/flr", "oag lines", "oag own s", "oag cold s"
    );
    let mut peer_failures = Vec::new();
    for (name, ours, floor, peer, mut ratios) in rows {
        let (peer_lines, peer_own, peer_cold) = match peer {
            Some(Ok(p)) => (
                p.lines.to_string(),
                format!("{:.1}", p.own.as_secs_f64()),
                format!("{:.1}", p.cold.as_secs_f64()),
            ),
            Some(Err(error)) => {
                peer_failures.push(format!("{name}: openapi-generator's client does not compile: {error}"));
                ("-".into(), "no build".into(), "no build".into())
            }
            None => ("-".into(), "-".into(), "-".into()),
        };
        ratios.sort_by(f64::total_cmp);
        let spread = match ratios.as_slice() {
            [] => "-".to_owned(),
            [first, .., last] => format!("{first:.2} / {:.2} / {last:.2}", ratios[ratios.len() / 2]),
            [only] => format!("{only:.2}"),
        };
        println!(
            "{name:<20} {:>9} {:>8.1} {:>8.1} {:>8.1} {:>8.2}× {peer_lines:>9} {peer_own:>9} {peer_cold:>10}  {spread}",
            ours.lines,
            ours.own.as_secs_f64(),
            ours.cold.as_secs_f64(),
            floor.as_secs_f64(),
            ours.cold.as_secs_f64() / floor.as_secs_f64()
        );
    }
    println!(
        "\nedit spec → regen → rebuild → rerun one test: {:.1} s (target ≤ 5 s)",
        edit_loop.as_secs_f64()
    );
    Ok(())
}

fn timed(mut command: Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(started.elapsed())
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .args(args);
    command
}

fn lines(paths: &[PathBuf]) -> usize {
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.lines().count())
        .sum()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Cold: a fresh target directory, dependencies included. Own (`Built::own`): the crate
/// alone, rebuilt after touching its source with dependencies already built.
fn build_ours(root: &Path, work: &Path, spec: &Spec) -> anyhow::Result<Built> {
    let target = work.join(format!("ours-{}", spec.name));
    let _ = std::fs::remove_dir_all(&target);
    let name = spec.crate_name();
    let cold = timed(cargo(root, &target, &["build", "--quiet", "-p", &name]))?;
    let generated = ["src/generated.rs", "src/generated_httpmock.rs"].map(|f| spec.crate_dir().join(f));
    Ok(Built {
        lines: lines(&generated),
        cold,
        rebuild: cargo(root, &target, &["build", "--quiet", "-p", &name]),
        touched: spec.crate_dir().join("src/lib.rs"),
    })
}

/// An empty library with the client crate's exact dependency list (workspace entries
/// resolved, the same Cargo.lock), built cold.
fn measure_floor(root: &Path, work: &Path, spec: &Spec) -> anyhow::Result<Duration> {
    let workspace: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml"))?)?;
    let shared = workspace["workspace"]["dependencies"]
        .as_table()
        .context("workspace.dependencies")?;
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(spec.crate_dir().join("Cargo.toml"))?)?;
    let mut deps = toml::Table::new();
    for (name, entry) in manifest["dependencies"].as_table().context("dependencies")? {
        let optional = entry.get("optional").and_then(toml::Value::as_bool).unwrap_or(false);
        if optional {
            continue; // the feature-gated httpmock helpers are not part of a service's build
        }
        let mut resolved = match entry.get("workspace") {
            Some(_) => shared[name].clone(),
            None => entry.clone(),
        };
        if let Some(table) = resolved.as_table_mut()
            && let Some(path) = table.get("path").and_then(toml::Value::as_str)
        {
            table.insert("path".into(), root.join(path).display().to_string().into());
        }
        deps.insert(name.clone(), resolved);
    }
    // The client's default features switch on features of its dependencies (TLS): so must the floor.
    let features = manifest.get("features").and_then(toml::Value::as_table);
    let defaults = features
        .and_then(|f| f.get("default"))
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for feature in defaults.iter().filter_map(toml::Value::as_str) {
        let enables = features
            .and_then(|f| f.get(feature))
            .and_then(toml::Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (dep, dep_feature) in enables
            .iter()
            .filter_map(toml::Value::as_str)
            .filter_map(|e| e.split_once('/'))
        {
            if let Some(toml::Value::Table(entry)) = deps.get_mut(dep) {
                let list = entry
                    .entry("features")
                    .or_insert_with(|| toml::Value::Array(Vec::new()));
                if let toml::Value::Array(list) = list {
                    list.push(dep_feature.into());
                }
            }
        }
    }
    let dir = work.join(format!("floor-{}", spec.name));
    std::fs::create_dir_all(dir.join("src"))?;
    let mut package = toml::Table::new();
    package.insert("name".into(), format!("floor-{}", spec.name).into());
    package.insert("version".into(), "0.0.0".into());
    package.insert("edition".into(), "2024".into());
    let mut doc = toml::Table::new();
    doc.insert("package".into(), package.into());
    doc.insert("dependencies".into(), deps.into());
    doc.insert("workspace".into(), toml::Table::new().into());
    std::fs::write(dir.join("Cargo.toml"), toml::to_string(&doc)?)?;
    std::fs::write(dir.join("src/lib.rs"), "")?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    timed(cargo(&dir, &target, &["build", "--quiet"]))
}

/// openapi-generator-cli from PyPI (it bundles its jar; Java runs it), in a venv here.
fn openapi_generator(work: &Path) -> anyhow::Result<PathBuf> {
    let venv = work.join("venv");
    let cli = venv.join("bin/openapi-generator-cli");
    if !cli.exists() {
        timed({
            let mut c = Command::new("python3");
            c.args(["-m", "venv"]).arg(&venv);
            c
        })?;
        timed({
            let mut c = Command::new(venv.join("bin/pip"));
            c.args(["install", "--quiet", &format!("openapi-generator-cli=={OAG_VERSION}")]);
            c
        })?;
    }
    Ok(cli)
}

fn build_peer(work: &Path, spec: &Spec, cli: &Path) -> anyhow::Result<Built> {
    let dir = work.join(format!("oag-{}", spec.name));
    let _ = std::fs::remove_dir_all(&dir);
    timed({
        let mut c = Command::new(cli);
        c.args(["generate", "--skip-validate-spec", "-g", "rust", "-i"])
            .arg(&spec.path)
            .arg("-o")
            .arg(&dir)
            .arg(format!(
                "--additional-properties=packageName=oag_{},library=reqwest,supportAsync=true",
                spec.name
            ));
        c
    })?;
    // openapi-generator 7.26's Rust output qualifies some enums as `models::models::X`.
    for source in walk(&dir.join("src")) {
        let text = std::fs::read_to_string(&source)?;
        if text.contains("models::models::") {
            std::fs::write(&source, text.replace("models::models::", "models::"))?;
        }
    }
    // A standalone crate: keep it out of any parent workspace.
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest)?;
    if !text.contains("[workspace]") {
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text)?;
    }
    let target = dir.join("target");
    let cold = timed(cargo(&dir, &target, &["build", "--quiet"]))?;
    let sources: Vec<PathBuf> = walk(&dir.join("src"));
    Ok(Built {
        lines: lines(&sources),
        cold,
        rebuild: cargo(&dir, &target, &["build", "--quiet"]),
        touched: dir.join("src/lib.rs"),
    })
}

/// The first compiler error of a failed build, for the report.
fn first_error(err: &anyhow::Error) -> String {
    let text = err.to_string();
    text.lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("unknown failure")
        .to_owned()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Change a description in the Vellosim spec, regenerate, rebuild and rerun one test; then
/// put everything back. Measured in the workspace's own target directory (warm).
fn measure_edit_loop(root: &Path) -> anyhow::Result<Duration> {
    let spec = root.join("specs/vellosim.yaml");
    let original = std::fs::read_to_string(&spec)?;
    let test = |root: &Path| {
        let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        c.current_dir(root).args([
            "test",
            "--quiet",
            "-p",
            "integration-tests",
            "--test",
            "vellosim",
            "get_regions",
        ]);
        timed(c)
    };
    test(root)?; // warm
    let edited = original.replacen(
        "List the regions packages are sold for.",
        "List the regions that packages are sold for.",
        1,
    );
    anyhow::ensure!(
        edited != original,
        "the edit-loop anchor text is gone from specs/vellosim.yaml"
    );
    std::fs::write(&spec, edited)?;
    let started = Instant::now();
    let result = crate::generate::regen(root, false).and_then(|()| test(root));
    let elapsed = started.elapsed();
    std::fs::write(&spec, original)?;
    crate::generate::regen(root, false)?;
    result?;
    Ok(elapsed)
}
