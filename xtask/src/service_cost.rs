//! `cargo xtask compile-cost --service [spec] [--rounds N]`: what a service pays to build
//! against one provider crate, cold, for each TLS choice.
//!
//! A throwaway service crate outside the workspace depends on the client (path dependency,
//! default features off, one TLS feature on) and tokio, and makes one call (the spec's first
//! `GET` that needs no parameter, e.g. Airalo's balance). Its baseline is
//! the same service written on bare reqwest + serde + tokio with the same TLS backend. Every
//! build is cold (a fresh target directory; the registry's downloads are reused), and the
//! four services are built interleaved, the order turned every round, so a load that comes
//! and goes on a shared machine falls on every side alike. Reported: median wall time, the
//! number of crates compiled, and the ratios the TLS choice is judged by.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

/// A TLS choice: the client's feature, and what the bare service needs for the same backend.
struct Tls {
    name: &'static str,
    client_feature: &'static str,
    reqwest_features: &'static [&'static str],
    /// Extra dependency lines and the code that sets the backend up, for the bare service.
    bare_dependencies: &'static str,
    bare_setup: &'static str,
}

const CHOICES: [Tls; 2] = [
    Tls {
        name: "aws-lc-rs",
        client_feature: "rustls",
        reqwest_features: &["rustls"],
        bare_dependencies: "",
        bare_setup: "reqwest::Client::builder()",
    },
    Tls {
        name: "ring",
        client_feature: "rustls-ring",
        reqwest_features: &["rustls-no-provider"],
        bare_dependencies: "rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }\n",
        bare_setup: "{ let _ = rustls::crypto::ring::default_provider().install_default(); reqwest::Client::builder() }",
    },
];

struct Service {
    label: String,
    dir: std::path::PathBuf,
    times: Vec<Duration>,
    crates: usize,
}

pub fn service_cost(root: &Path, spec: &str, rounds: usize) -> anyhow::Result<()> {
    let work = crate::background::target_dir(root)?
        .join("compile-cost")
        .join("service");
    let client = format!("{spec}-client");
    let client_dir = root.join("crates").join(&client);
    anyhow::ensure!(client_dir.is_dir(), "no crate {client} (crates/{client})");
    let specs = crate::spec::Spec::load_all(root)?;
    let call = specs
        .iter()
        .find(|s| s.name == spec)
        .and_then(first_plain_get)
        .map(|op| format!("let _ = client.{}().send().await;", crate::spec::snake_case(op)))
        .with_context(|| format!("specs/{spec}.yaml has no GET without parameters for the service to call"))?;
    let mut services = Vec::new();
    for tls in &CHOICES {
        let ours = work.join(format!("{client}-{}", tls.name));
        write_service(
            root,
            &ours,
            &client_service(&client, &client_dir, tls),
            &OURS_MAIN.replace("CALL", &call),
        )?;
        let bare = work.join(format!("bare-{}", tls.name));
        write_service(
            root,
            &bare,
            &bare_service(tls),
            &BARE_MAIN.replace("CLIENT_BUILDER", tls.bare_setup),
        )?;
        for (label, dir) in [
            (format!("{client} ({})", tls.name), ours),
            (format!("bare reqwest ({})", tls.name), bare),
        ] {
            services.push(Service {
                label,
                dir,
                times: Vec::new(),
                crates: 0,
            });
        }
    }
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..services.len()).collect();
        order.rotate_left(round % services.len());
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let service = &mut services[i];
            eprintln!("round {}/{rounds}: cold build of {}", round + 1, service.label);
            let (time, crates) = cold_build(&service.dir)?;
            service.times.push(time);
            service.crates = crates;
        }
    }
    println!(
        "\n{:<34} {:>9} {:>8} {:>9}",
        "service (cold build)", "median s", "crates", "rounds s"
    );
    for service in &services {
        let all: Vec<String> = service
            .times
            .iter()
            .map(|t| format!("{:.1}", t.as_secs_f64()))
            .collect();
        println!(
            "{:<34} {:>9.1} {:>8} {:>9}",
            service.label,
            median(&service.times).as_secs_f64(),
            service.crates,
            all.join(" ")
        );
    }
    let ratio =
        |a: usize, b: usize| median(&services[a].times).as_secs_f64() / median(&services[b].times).as_secs_f64();
    // services: 0 ours aws-lc, 1 bare aws-lc, 2 ours ring, 3 bare ring.
    println!(
        "\n{client} with ring vs with aws-lc-rs: {:.2}× (target ≤ 0.6×)",
        ratio(2, 0)
    );
    println!("{client} vs bare reqwest, ring: {:.2}× (target ≤ 1.3×)", ratio(2, 3));
    println!("{client} vs bare reqwest, aws-lc-rs: {:.2}×", ratio(0, 1));
    // A client adds at least as much on ring as on aws-lc-rs (where its crates build beside
    // the C build), which keeps its service's ratio above this one.
    println!(
        "bare reqwest with ring vs with aws-lc-rs: {:.2}× (the floor of the first)",
        ratio(3, 1)
    );
    Ok(())
}

/// The operation id of the spec's first `GET` that takes no parameter and no body.
fn first_plain_get(spec: &crate::spec::Spec) -> Option<&str> {
    spec.operations()
        .into_iter()
        .filter(|op| op.method == "get" && op.node.get("requestBody").is_none())
        .find(|op| {
            let none =
                |params: Option<&serde_yaml::Value>| params.and_then(|p| p.as_sequence()).is_none_or(|p| p.is_empty());
            none(op.node.get("parameters")) && none(spec.doc["paths"][op.path].get("parameters"))
        })
        .map(|op| op.node["operationId"].as_str().unwrap_or_default())
        .filter(|id| !id.is_empty())
}

/// Any client crate's generic constructor: the spec's own (`Client::config(..)`) differs in
/// its arguments. `CALL`: the one call, as the bare service makes one.
const OURS_MAIN: &str = r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = service_client::ClientConfig::<service_client::Client>::new("https://127.0.0.1:9");
    let client = config.build().expect("a client");
    CALL
}
"#;

const BARE_MAIN: &str = r#"#[derive(Debug, serde::Deserialize)]
struct Balance {
    #[allow(dead_code)]
    data: serde_json::Value,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = CLIENT_BUILDER.build().expect("a client");
    if let Ok(answer) = client.get("https://127.0.0.1:9/v2/balance").send().await {
        let _ = answer.json::<Balance>().await;
    }
}
"#;

fn client_service(client: &str, client_dir: &Path, tls: &Tls) -> String {
    format!(
        "service_client = {{ package = \"{client}\", path = \"{}\", default-features = false, features = [\"{}\"] }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n",
        client_dir.display(),
        tls.client_feature
    )
}

fn bare_service(tls: &Tls) -> String {
    let features: Vec<String> = ["json"]
        .iter()
        .chain(tls.reqwest_features)
        .map(|f| format!("\"{f}\""))
        .collect();
    format!(
        "reqwest = {{ version = \"0.13.5\", default-features = false, features = [{}] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n{}",
        features.join(", "),
        tls.bare_dependencies
    )
}

/// A binary crate of its own (an empty `[workspace]`), locked to the workspace's versions.
fn write_service(root: &Path, dir: &Path, dependencies: &str, main: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("creating {}", dir.display()))?;
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .context("a service directory name")?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{dependencies}\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src/main.rs"), main)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

/// Wall time of `cargo build` in a fresh target directory, and the crates it compiled.
fn cold_build(dir: &Path) -> anyhow::Result<(Duration, usize)> {
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    let started = std::time::Instant::now();
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .args(["build", "--offline"])
        .output()
        .with_context(|| format!("building {}", dir.display()))?;
    let elapsed = started.elapsed();
    let log = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "building {} failed:\n{log}", dir.display());
    let crates = log.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count();
    Ok((elapsed, crates))
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}
