//! Workspace automation. `cargo xtask regen [--check]` turns every `specs/*.yaml` into the
//! generated modules of its client crate and the lists that name every provider;
//! `cargo xtask new-provider` starts a provider; `cargo xtask lint` only checks the specs.

mod background;
mod builders;
mod compile_cost;
mod conformance;
mod coverage;
mod decode;
mod docs_check;
mod fleet;
mod generate;
mod lint;
mod mend;
mod moved_clock;
mod new_provider;
mod pagination;
mod payload_check;
mod rate_limits;
mod registries;
mod sdk_conformance;
mod service_cost;
mod spec;
mod spec_lint;
mod tools;
mod tour;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <regen [--check] | new-provider NAME --auth header|bearer|body-fields | lint | coverage | conformance | sdk-conformance | spec-lint | tour | fleet [N] | compile-cost [--no-peer] [spec...] | compile-cost --service [spec] [--rounds N] | moved-clock [--at DATE]... [--locked] | docs-check [--offline] [--accept [PAGE...]] ... | payload-check [--format table|json] [--provider NAME]... FILE.har...>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let ["docs-check", rest @ ..] = args.as_slice() {
        return docs_check::main(&workspace_root(), rest);
    }
    if let ["new-provider", rest @ ..] = args.as_slice() {
        return report(new_provider::new_provider(&workspace_root(), rest));
    }
    if let ["payload-check", rest @ ..] = args.as_slice() {
        return payload_check::payload_check(&workspace_root(), rest);
    }
    let result = match args.as_slice() {
        ["regen"] => generate::regen(&workspace_root(), false),
        ["regen", "--check"] => generate::regen(&workspace_root(), true),
        ["lint"] => lint_all(&workspace_root()),
        ["coverage"] => coverage::coverage(&workspace_root()),
        ["conformance"] => conformance::conformance(&workspace_root()),
        ["sdk-conformance"] => sdk_conformance::sdk_conformance(&workspace_root()),
        ["spec-lint"] => spec_lint::spec_lint(&workspace_root()),
        ["fleet"] => fleet::fleet(&workspace_root(), "50"),
        ["fleet", processes] => fleet::fleet(&workspace_root(), processes),
        ["compile-cost", "--service", rest @ ..] => service_cost_args(rest)
            .and_then(|(spec, rounds)| service_cost::service_cost(&workspace_root(), spec, rounds)),
        // An unknown flag is refused rather than taken for a spec name: a run builds for minutes.
        ["compile-cost", rest @ ..] if rest.iter().all(|a| *a == "--no-peer" || !a.starts_with('-')) => {
            let only: Vec<&str> = rest.iter().copied().filter(|a| !a.starts_with('-')).collect();
            compile_cost::compile_cost(&workspace_root(), !rest.contains(&"--no-peer"), &only)
        }
        ["moved-clock", rest @ ..] => moved_clock::moved_clock(&workspace_root(), rest),
        ["tour"] => generate::regen(&workspace_root(), false).and_then(|()| tour::tour(&workspace_root())),
        _ => Err(anyhow::anyhow!(USAGE)),
    };
    report(result)
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace the xtask works on: its own, or `XTASK_ROOT`. CI's scaffolder check runs
/// this build on a copy of the workspace: a copy's own xtask, built into the shared target
/// directory, would take the place of this one's binary there.
fn workspace_root() -> PathBuf {
    if let Some(root) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// `[spec] [--rounds N]` of `compile-cost --service`: Airalo, 3 rounds by default.
fn service_cost_args<'a>(args: &[&'a str]) -> anyhow::Result<(&'a str, usize)> {
    match args {
        [] => Ok(("airalo", 3)),
        [spec] => Ok((spec, 3)),
        ["--rounds", n] => Ok(("airalo", n.parse()?)),
        [spec, "--rounds", n] => Ok((spec, n.parse()?)),
        _ => Err(anyhow::anyhow!(USAGE)),
    }
}

fn lint_all(root: &Path) -> anyhow::Result<()> {
    for spec in spec::Spec::load_all(root)? {
        spec.lint()?;
        println!("{}: ok", spec.display_path());
    }
    Ok(())
}
