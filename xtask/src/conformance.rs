//! `cargo xtask conformance`: an independent check that the sandbox answers as our specs
//! say. schemathesis (from PyPI, in a venv in cargo's target directory) generates requests from each
//! spec, valid and invalid, sends them to a freshly started sandbox and checks every
//! response against the spec: status documented, content type, headers, body schema, and
//! never a 5xx.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::background::{self, Background};
use crate::spec::{Credential, Spec};
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
    let work = background::target_dir(root)?.join("conformance");
    let schemathesis = tools::venv(&work.join("venv"), &PACKAGES)?.join("bin/schemathesis");
    let sandbox = Background::start(&background::build(root, "sandbox", "sandbox")?, &[])?;
    let mut failed = Vec::new();
    for spec in Spec::load_all(root)? {
        let (base_url, credential) = announced(&sandbox, &spec.name)?;
        let auth = match spec.credential().map_err(anyhow::Error::msg)? {
            // Fields of the body, which schemathesis fills from the schemas' examples (the
            // documented example credential, which the sandbox accepts); no header.
            Credential::BodyFields { .. } => String::new(),
            Credential::ApiKey { header } => {
                let sent = credential.split(':').next().unwrap_or_default();
                anyhow::ensure!(
                    sent.eq_ignore_ascii_case(&header),
                    "the sandbox takes {sent} for {}, the spec {header}",
                    spec.name
                );
                credential.to_owned()
            }
            Credential::ClientCredentials {
                token_path,
                token_pointer,
            } => format!(
                "Authorization: Bearer {}",
                token(&format!("{base_url}{token_path}"), credential, &token_pointer)?
            ),
        };
        println!("\n==> schemathesis: {} against {base_url}", spec.display_path());
        let status = Command::new(&schemathesis)
            // It keeps a cache (`.schemathesis/`) in its working directory: keep it in the target directory.
            .current_dir(&work)
            .args(["run", "--url", base_url, "--checks", CHECKS, "--mode", "all"])
            // One worker: with two, hypothesis' shared lambda-source cache races and the run
            // errors out inside the tool ("AST constructor recursion depth mismatch").
            .args(["--max-examples", EXAMPLES, "--seed", "1", "--workers", "1"])
            .args(if auth.is_empty() {
                vec![]
            } else {
                vec!["--header", &auth]
            })
            .args(["--warnings", "off"])
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

/// `(base URL, credential)` of `provider` from the sandbox's announcement
/// (`  vellosim     http://127.0.0.1:PORT/vellosim  X-API-Key: …`).
pub(crate) fn announced<'a>(sandbox: &'a Background, provider: &str) -> anyhow::Result<(&'a str, &'a str)> {
    sandbox
        .announced
        .iter()
        .find_map(|line| {
            let (name, rest) = line.split_once(' ')?;
            let (url, credential) = rest.trim_start().split_once("  ")?;
            (name == provider).then_some((url, credential.trim()))
        })
        .with_context(|| format!("the sandbox does not simulate {provider} yet (crates/sandbox)"))
}

/// The client-credentials exchange (`credential` is the sandbox's `client_id=… client_secret=…`),
/// done with Python's standard library (the venv is there anyway; the xtask stays free of an
/// HTTP client). The token is read at the spec's `x-token-pointer`.
fn token(url: &str, credential: &str, pointer: &str) -> anyhow::Result<String> {
    const EXCHANGE: &str = r#"
import json, sys, urllib.parse, urllib.request
url, credential, pointer = sys.argv[1:4]
form = dict(pair.split("=", 1) for pair in credential.split())
form["grant_type"] = "client_credentials"
with urllib.request.urlopen(urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())) as r:
    value = json.load(r)
for key in pointer.strip("/").split("/"):
    value = value[key]
print(value)
"#;
    let output = Command::new("python3")
        .args(["-c", EXCHANGE, url, credential, pointer])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "token exchange at {url} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}
