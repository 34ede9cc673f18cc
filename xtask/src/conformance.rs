//! `cargo xtask conformance`: an independent check that the sandbox answers as our specs
//! say. schemathesis (from PyPI, in a venv under `target/`) generates requests from each
//! spec, valid and invalid, sends them to a freshly started sandbox and checks every
//! response against the spec: status documented, content type, headers, body schema, and
//! never a 5xx.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::background::{self, Background};
use crate::spec::Spec;
use crate::tools;

/// schemathesis and the generator under it, pinned together: the check must not change
/// because PyPI did.
const PACKAGES: [&str; 2] = ["schemathesis==4.32.5", "hypothesis==6.170.15"];

/// Responses are checked for these; `negative_data_rejection` and friends judge the
/// API's input validation, which a simulation need not match provider-for-provider.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

/// Test cases per operation and phase: enough to reach every documented branch of the
/// simulation (the examples and coverage phases add the spec's own values), small enough
/// for CI.
const EXAMPLES: &str = "25";

pub fn conformance(root: &Path) -> anyhow::Result<()> {
    let work = root.join("target/conformance");
    let schemathesis = tools::venv(&work.join("venv"), &PACKAGES)?.join("bin/schemathesis");
    background::build(root, "sandbox")?;
    let sandbox = Background::start(&root.join("target/debug/sandbox"), &[])?;
    let mut failed = Vec::new();
    for spec in Spec::load_all(root)? {
        let base_url = format!("{}{}", sandbox.origin, mount(&spec.name)?);
        let auth = auth_header(&spec.name, &base_url)?;
        println!("\n==> schemathesis: {} against {base_url}", spec.display_path());
        let status = Command::new(&schemathesis)
            // It keeps a cache (`.schemathesis/`) in its working directory: keep it in target/.
            .current_dir(&work)
            .args(["run", "--url", &base_url, "--checks", CHECKS, "--mode", "all"])
            // One worker: with two, hypothesis' shared lambda-source cache races and the run
            // errors out inside the tool ("AST constructor recursion depth mismatch").
            .args(["--max-examples", EXAMPLES, "--seed", "1", "--workers", "1"])
            .args(["--header", &auth, "--warnings", "off"])
            .arg(&spec.path)
            .status()
            .context("running schemathesis")?;
        if !status.success() {
            failed.push(spec.display_path());
        }
    }
    if !failed.is_empty() {
        bail!("the sandbox does not conform to: {}", failed.join(", "));
    }
    println!("\nthe sandbox conforms to every spec");
    Ok(())
}

/// Where the sandbox mounts each provider (`sandbox::Provider::mount`).
pub(crate) fn mount(provider: &str) -> anyhow::Result<&'static str> {
    Ok(match provider {
        "airalo" => "/airalo/v2",
        "pressone" => "/pressone",
        "vellosim" => "/vellosim",
        "veloconnect" => "/veloconnect",
        other => bail!("the sandbox does not simulate {other} yet (crates/sandbox)"),
    })
}

/// The credential header for every generated request: the sandbox's fixed keys, or a
/// token from the provider's own exchange (so expiry and refusal stay real).
fn auth_header(provider: &str, base_url: &str) -> anyhow::Result<String> {
    Ok(match provider {
        "vellosim" => "X-API-Key: vls_test_sandbox".to_owned(),
        "veloconnect" => "Authorization: Apikey sandbox-apikey".to_owned(),
        "airalo" => format!("Authorization: Bearer {}", token(&format!("{base_url}/token"))?),
        "pressone" => format!(
            "Authorization: Bearer {}",
            token(&format!("{base_url}/customer/v2/token"))?
        ),
        other => bail!("no sandbox credentials for {other}"),
    })
}

/// The client-credentials exchange, done with Python's standard library (the venv is
/// there anyway; the xtask stays free of an HTTP client).
fn token(url: &str) -> anyhow::Result<String> {
    const EXCHANGE: &str = r#"
import json, sys, urllib.parse, urllib.request
body = urllib.parse.urlencode({"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret",
                               "grant_type": "client_credentials"}).encode()
with urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=body)) as r:
    print(json.load(r)["data"]["access_token"])
"#;
    let output = Command::new("python3").args(["-c", EXCHANGE, url]).output()?;
    anyhow::ensure!(
        output.status.success(),
        "token exchange at {url} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}
