//! The lists that name every provider, written by `cargo xtask regen` from `specs/` so that a
//! new spec is registered everywhere and `regen --check` fails when a list is stale: `esim`'s
//! subcommands, the facade's features, re-exports and `PROVIDERS`, the market adapters and
//! their features, the sandbox's `Provider` with its mounts, credentials and routers, and the
//! dependency lines of the crates that use every client.
//!
//! What a list holds is read from the specs and from which provider-owned files exist: a
//! facade module `crates/provider-clients/src/<module>.rs` (Airalo's flat catalogue) and a
//! market adapter `crates/esim-market/src/<module>.rs` are each the one place saying so. A
//! provider whose types other specs borrow (`x-rust-type`) may have `<module>_shaped.rs`
//! beside those: the code it shares with them, compiled when any of them is.

use std::path::Path;

use anyhow::{Context, bail};

use crate::generate::Output;
use crate::spec::Spec;

/// Every registry file and generated block of a hand-written manifest.
pub fn outputs(root: &Path, specs: &[Spec]) -> anyhow::Result<Vec<Output>> {
    let mut providers: Vec<Provider> = specs.iter().map(|spec| Provider::of(root, spec)).collect();
    for i in 0..providers.len() {
        let krate = providers[i].krate.clone();
        let borrowers: Vec<String> = providers
            .iter()
            .filter(|p| p.borrowed.contains(&krate))
            .map(|p| p.name.clone())
            .collect();
        providers[i].family.extend(borrowers);
    }
    let mut outputs = vec![
        esim_modules(root, &providers),
        facade(root, &providers),
        market(root, &providers),
        sandbox(root, &providers),
    ];
    let blocks: [(&str, &str, String); 8] = [
        ("Cargo.toml", "client-crates", workspace_dependencies(&providers)),
        (
            "crates/provider-clients/Cargo.toml",
            "provider-features",
            facade_features(&providers),
        ),
        (
            "crates/provider-clients/Cargo.toml",
            "provider-dependencies",
            facade_dependencies(&providers),
        ),
        (
            "crates/esim-market/Cargo.toml",
            "adapter-features",
            market_features(&providers),
        ),
        (
            "crates/esim-market/Cargo.toml",
            "adapter-dependencies",
            market_dependencies(&providers),
        ),
        ("crates/esim/Cargo.toml", "clients", esim_dependencies(&providers)),
        ("tests/Cargo.toml", "clients", tests_dependencies(&providers)),
        (
            "crates/sandbox/Cargo.toml",
            "clients",
            sandbox_dev_dependencies(&providers),
        ),
    ];
    // Several blocks of one manifest: each applies to the text the previous one left.
    for (file, tag, body) in blocks {
        let path = root.join(file);
        let current = match outputs.iter().position(|o| o.path == path) {
            Some(i) => outputs.remove(i).contents,
            None => std::fs::read_to_string(&path).with_context(|| format!("reading {file}"))?,
        };
        let contents = replace_block(&current, tag, &body).context(file)?;
        outputs.push(Output { path, contents });
    }
    Ok(outputs)
}

/// What the registries need to know about one spec.
struct Provider {
    /// `veloconnect-sms`: the spec's name, the CLI's provider name, the cargo feature.
    name: String,
    /// `veloconnect_sms`: the module name everywhere.
    module: String,
    /// `veloconnect-sms-client`.
    krate: String,
    /// `veloconnect_sms_client`.
    ident: String,
    /// `VeloConnectSms`: the sandbox variant and the market adapter's type.
    rust_name: String,
    title: String,
    /// Client crates whose types the spec borrows (`x-rust-type`): PressOne's Airalo types.
    borrowed: Vec<String>,
    rate_limits: bool,
    /// Where the sandbox serves it (the descriptor's `sandbox_mount`).
    mount: String,
    /// `crates/provider-clients/src/<module>.rs` exists: the facade adds helpers.
    facade_module: bool,
    /// `crates/esim-market/src/<module>.rs` exists: the provider sells data eSIMs.
    adapter: bool,
    /// The provider and those whose specs borrow its types: the features that compile its
    /// `<module>_shaped.rs`.
    family: Vec<String>,
    /// The client crate's default features other than a TLS backend.
    default_features: Vec<String>,
}

impl Provider {
    fn of(root: &Path, spec: &Spec) -> Provider {
        let module = spec.module_name();
        Provider {
            name: spec.name.clone(),
            krate: spec.crate_name(),
            ident: spec.crate_ident(),
            rust_name: spec.rust_name(),
            title: spec.doc["info"]["title"].as_str().unwrap_or(&spec.name).to_owned(),
            borrowed: spec.borrowed_crates().into_iter().collect(),
            rate_limits: spec.has_rate_limits(),
            mount: spec.sandbox_mount(),
            facade_module: root.join(format!("crates/provider-clients/src/{module}.rs")).exists(),
            adapter: root.join(format!("crates/esim-market/src/{module}.rs")).exists(),
            family: vec![spec.name.clone()],
            default_features: default_features(&root.join("crates").join(spec.crate_name()).join("Cargo.toml")),
            module,
        }
    }
}

/// The TLS backends every client crate offers as features.
const TLS_FEATURES: [&str; 2] = ["rustls", "rustls-ring"];

/// `[features] default` of a client's manifest without its TLS backend (none yet for a
/// crate not written yet).
fn default_features(manifest: &Path) -> Vec<String> {
    let Some(manifest) = std::fs::read_to_string(manifest)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Vec::new();
    };
    manifest
        .get("features")
        .and_then(|f| f.get("default"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .filter(|f| !TLS_FEATURES.contains(f))
        .map(str::to_owned)
        .collect()
}

const HEADER: &str = "// @generated by `cargo xtask regen` from specs/";

/// `mod <module>_shaped;` for each provider with such a file in `dir`, compiled with any
/// provider of its family.
fn shared_modules(root: &Path, dir: &str, providers: &[Provider]) -> String {
    let mut text = String::new();
    for p in providers {
        if !root.join(dir).join(format!("{}_shaped.rs", p.module)).exists() {
            continue;
        }
        let features: Vec<String> = p.family.iter().map(|f| format!("feature = \"{f}\"")).collect();
        text.push_str(&format!(
            "\n/// What the providers with `{}`'s types share.\n#[cfg(any({}))]\nmod {}_shaped;\n",
            p.krate,
            features.join(", "),
            p.module
        ));
    }
    text
}

/// `crates/esim/src/generated/mod.rs`: one module of subcommands per spec and the dispatch
/// over all of them (`crate::subcommands` holds the generic part).
fn esim_modules(root: &Path, providers: &[Provider]) -> Output {
    let mut text = format!(
        "{HEADER}: one module of `esim` subcommands per spec\n\
         // (progenitor's clap CLI generator) and the list of them. Do not edit; add a spec and regenerate.\n"
    );
    for p in providers {
        text.push_str(&format!(
            "\n#[allow(clippy::all, clippy::pedantic, unused_imports, unused_variables, dead_code)]\npub mod {};\n",
            p.module
        ));
    }
    text.push_str("\n/// Every provider's subcommand, in the order of `specs/`.\npub fn commands() -> Vec<::clap::Command> {\n    vec![\n");
    for p in providers {
        text.push_str(&format!(
            "        crate::subcommands::command::<{}::Subcommands>(),\n",
            p.module
        ));
    }
    text.push_str(
        "    ]\n}\n\n/// Runs `matches`, the arguments of provider `name`'s subcommand.\n\
         pub async fn run(\n    name: &str,\n    target: &crate::providers::Target,\n    out: &crate::output::Output,\n    matches: &::clap::ArgMatches,\n) -> ::anyhow::Result<()> {\n    match name {\n",
    );
    for p in providers {
        text.push_str(&format!(
            "        \"{}\" => crate::subcommands::run::<{}::Subcommands>(target, out, matches).await,\n",
            p.name, p.module
        ));
    }
    text.push_str(
        "        other => unreachable!(\"clap only accepts the registered providers, not {other}\"),\n    }\n}\n",
    );
    Output {
        path: root.join("crates/esim/src/generated/mod.rs"),
        contents: text,
    }
}

/// `crates/provider-clients/src/generated_providers.rs`, included at the facade's root.
fn facade(root: &Path, providers: &[Provider]) -> Output {
    let mut text = format!(
        "{HEADER}: every provider the facade re-exports, each\n\
         // behind its cargo feature. Do not edit; add a spec and regenerate.\n\n\
         /// The descriptor of every enabled provider (generated from its spec): name, environment\n\
         /// variables, credential kind, sandbox mount, listings, rate limits and example decoder.\n\
         pub const PROVIDERS: &[&provider_core::Descriptor] = &[\n"
    );
    for p in providers {
        text.push_str(&format!(
            "    #[cfg(feature = \"{}\")]\n    &{}::PROVIDER,\n",
            p.name, p.ident
        ));
    }
    text.push_str("];\n");
    text.push_str(&shared_modules(root, "crates/provider-clients/src", providers));
    for p in providers {
        if p.facade_module {
            text.push_str(&format!(
                "\n/// {} (`{}`), with what the facade adds (`src/{}.rs`).\n#[cfg(feature = \"{}\")]\npub mod {};\n",
                p.title, p.krate, p.module, p.name, p.module
            ));
        } else {
            text.push_str(&format!(
                "\n/// {} (`{}`).\n#[cfg(feature = \"{}\")]\npub use {} as {};\n",
                p.title, p.krate, p.name, p.ident, p.module
            ));
        }
    }
    Output {
        path: root.join("crates/provider-clients/src/generated_providers.rs"),
        contents: text,
    }
}

/// `crates/esim-market/src/generated_adapters.rs`, included at esim-market's root.
fn market(root: &Path, providers: &[Provider]) -> Output {
    let adapters: Vec<&Provider> = providers.iter().filter(|p| p.adapter).collect();
    let mut text = format!(
        "{HEADER}: every market adapter (a provider with\n\
         // `crates/esim-market/src/<name>.rs`), each behind its cargo feature. Do not edit; regenerate.\n"
    );
    text.push_str(&shared_modules(root, "crates/esim-market/src", providers));
    for p in &adapters {
        text.push_str(&format!(
            "\n#[cfg(feature = \"{name}\")]\nmod {module};\n#[cfg(feature = \"{name}\")]\npub use {module}::{rust};\n",
            name = p.name,
            module = p.module,
            rust = p.rust_name
        ));
    }
    text.push_str(
        "\n/// Hands every adapter compiled in to `visitor`, in the order of `specs/`: how a tool builds\n\
         /// each one without naming it.\n\
         pub fn visit_adapters(visitor: &mut impl AdapterVisitor) {\n",
    );
    for p in &adapters {
        text.push_str(&format!(
            "    #[cfg(feature = \"{}\")]\n    visitor.visit::<{}>();\n",
            p.name, p.rust_name
        ));
    }
    text.push_str("}\n");
    Output {
        path: root.join("crates/esim-market/src/generated_adapters.rs"),
        contents: text,
    }
}

/// `crates/sandbox/src/generated_providers.rs`, included at the sandbox's root. Each
/// provider's module `src/<module>.rs` provides `router`, `credentials`, `CREDENTIAL`,
/// `announced_credential` and, where its spec documents rate limits, `documented_limits`.
fn sandbox(root: &Path, providers: &[Provider]) -> Output {
    let arms = |f: &dyn Fn(&Provider) -> String| -> String {
        providers
            .iter()
            .map(|p| format!("            Provider::{} => {},\n", p.rust_name, f(p)))
            .collect()
    };
    let mut text = format!(
        "{HEADER}: the providers the sandbox simulates, each\n\
         // in its module `src/<name>.rs`. Do not edit; add a spec and regenerate.\n\n"
    );
    for p in providers {
        text.push_str(&format!("mod {};\n", p.module));
    }
    text.push_str(
        "\n/// The providers the sandbox simulates, one per spec.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Provider {\n",
    );
    for p in providers {
        text.push_str(&format!("    /// `specs/{}.yaml`.\n    {},\n", p.name, p.rust_name));
    }
    let all: Vec<String> = providers.iter().map(|p| format!("Provider::{}", p.rust_name)).collect();
    text.push_str(&format!(
        "}}\n\nimpl Provider {{\n    /// Every provider, in the order of `specs/`.\n    pub const ALL: [Provider; {}] = [{}];\n\n",
        providers.len(),
        all.join(", ")
    ));
    text.push_str(&format!(
        "    /// The spec's file stem (`specs/<name>.yaml`), which is also the CLI's provider name.\n\
         \x20   pub fn name(self) -> &'static str {{\n        match self {{\n{}        }}\n    }}\n\n",
        arms(&|p| format!("\"{}\"", p.name))
    ));
    text.push_str(
        "    /// The provider named `name` (its spec's file stem), if the sandbox simulates it.\n\
         \x20   pub fn named(name: &str) -> Option<Provider> {\n        Provider::ALL.into_iter().find(|p| p.name() == name)\n    }\n\n",
    );
    text.push_str(&format!(
        "    /// The path under which this provider is mounted; the base URL its client is given.\n\
         \x20   /// It matches the spec's server path, so the client's paths follow unchanged.\n\
         \x20   pub fn mount(self) -> &'static str {{\n        match self {{\n{}        }}\n    }}\n\n",
        arms(&|p| format!("\"{}\"", p.mount))
    ));
    text.push_str(&format!(
        "    /// The credential the sandbox accepts, as the `sandbox` binary announces it: the header\n\
         \x20   /// a request carries, or the client id and secret a token is requested with.\n\
         \x20   pub fn credential(self) -> String {{\n        match self {{\n{}        }}\n    }}\n\n",
        arms(&|p| format!("{}::announced_credential()", p.module))
    ));
    text.push_str(&format!(
        "    /// The values of that credential, in the order its client's descriptor lists the\n\
         \x20   /// environment variables (`credential_variables`): what a tool passes for them.\n\
         \x20   pub fn credential_values(self) -> &'static [&'static str] {{\n        match self {{\n{}        }}\n    }}\n\n",
        arms(&|p| format!("{}::CREDENTIAL", p.module))
    ));
    text.push_str(&format!(
        "    /// The documented rate limits this simulation enforces, as (operation method name,\n\
         \x20   /// requests, per): the spec's `x-rate-limit`, which a test holds these equal to. A spec\n\
         \x20   /// without one has none here; the sandbox's own ceiling on it is not listed.\n\
         \x20   pub fn documented_limits(self) -> Vec<(&'static str, u32, std::time::Duration)> {{\n        match self {{\n{}        }}\n    }}\n}}\n\n",
        arms(&|p| if p.rate_limits {
            format!("{}::documented_limits()", p.module)
        } else {
            "Vec::new()".to_owned()
        })
    ));
    text.push_str("/// The credentials the sandbox accepts. Anything else is refused as the provider would.\npub mod credentials {\n");
    for p in providers {
        text.push_str(&format!("    pub use crate::{}::credentials::*;\n", p.module));
    }
    text.push_str("}\n\n/// Every provider's routes, each under its mount.\nfn provider_routes(app: axum::Router, shared: &Arc<Shared>) -> axum::Router {\n    app\n");
    for p in providers {
        text.push_str(&format!(
            "        .nest(Provider::{}.mount(), {}::router(shared.clone()))\n",
            p.rust_name, p.module
        ));
    }
    text.push_str("}\n");
    Output {
        path: root.join("crates/sandbox/src/generated_providers.rs"),
        contents: text,
    }
}

/// Each client with its default features but the TLS choice, which the facade and the
/// binaries make.
fn workspace_dependencies(providers: &[Provider]) -> String {
    providers
        .iter()
        .map(|p| {
            let features = match p.default_features.as_slice() {
                [] => String::new(),
                some => format!(", features = [{}]", quoted(some.iter().cloned())),
            };
            format!(
                "{k} = {{ path = \"crates/{k}\", default-features = false{features} }}\n",
                k = p.krate
            )
        })
        .collect()
}

fn quoted(items: impl IntoIterator<Item = String>) -> String {
    items
        .into_iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn facade_features(providers: &[Provider]) -> String {
    let mut text = format!(
        "default = [\"rustls\", \"all-providers\", \"market\"]\nall-providers = [{}]\n",
        quoted(providers.iter().map(|p| p.name.clone()))
    );
    for p in providers {
        let mut enables = vec![format!("dep:{}", p.krate)];
        enables.extend(p.borrowed.iter().map(|b| format!("dep:{b}")));
        if p.adapter {
            enables.push(format!("esim-market?/{}", p.name));
        }
        text.push_str(&format!("{} = [{}]\n", p.name, quoted(enables)));
    }
    text
}

fn facade_dependencies(providers: &[Provider]) -> String {
    providers
        .iter()
        .map(|p| format!("{} = {{ workspace = true, optional = true }}\n", p.krate))
        .collect()
}

fn market_features(providers: &[Provider]) -> String {
    let adapters: Vec<&Provider> = providers.iter().filter(|p| p.adapter).collect();
    let mut text = format!("default = [{}]\n", quoted(adapters.iter().map(|p| p.name.clone())));
    for p in &adapters {
        let mut enables = vec![format!("dep:{}", p.krate)];
        enables.extend(p.borrowed.iter().map(|b| format!("dep:{b}")));
        text.push_str(&format!("{} = [{}]\n", p.name, quoted(enables)));
    }
    text
}

fn market_dependencies(providers: &[Provider]) -> String {
    let mut crates: Vec<&str> = Vec::new();
    for p in providers.iter().filter(|p| p.adapter) {
        for krate in std::iter::once(&p.krate).chain(&p.borrowed) {
            if !crates.contains(&krate.as_str()) {
                crates.push(krate);
            }
        }
    }
    crates
        .into_iter()
        .map(|k| format!("{k} = {{ workspace = true, optional = true }}\n"))
        .collect()
}

fn every_feature(providers: &[Provider]) -> String {
    quoted(providers.iter().map(|p| p.name.clone()).chain(["market".to_owned()]))
}

fn esim_dependencies(providers: &[Provider]) -> String {
    let mut text = format!(
        "provider-clients = {{ workspace = true, features = [\"rustls\", {}] }}\n",
        every_feature(providers)
    );
    for p in providers {
        text.push_str(&format!("{}.workspace = true\n", p.krate));
    }
    text
}

fn tests_dependencies(providers: &[Provider]) -> String {
    let mut text: String = providers
        .iter()
        .map(|p| {
            format!(
                "{} = {{ workspace = true, features = [\"httpmock\", \"decode-components\"] }}\n",
                p.krate
            )
        })
        .collect();
    text.push_str(&format!(
        "# Its `PROVIDERS` names each client's decoder (`src/examples.rs`), on by `decode-components`.\n\
         provider-clients = {{ workspace = true, features = [{}] }}\n",
        every_feature(providers)
    ));
    text
}

/// The sandbox's tests call it through the clients (the library itself depends on none).
fn sandbox_dev_dependencies(providers: &[Provider]) -> String {
    let mut text: String = providers
        .iter()
        .map(|p| format!("{}.workspace = true\n", p.krate))
        .collect();
    text.push_str(&format!(
        "provider-clients = {{ workspace = true, features = [{}] }}\n",
        every_feature(providers)
    ));
    text
}

/// `text` with the lines between `# @generated begin <tag>` and `# @generated end <tag>`
/// replaced by `body`.
fn replace_block(text: &str, tag: &str, body: &str) -> anyhow::Result<String> {
    let begin = format!("# @generated begin {tag}");
    let end = format!("# @generated end {tag}\n");
    let Some(start) = text.find(&begin) else {
        bail!("has no `{begin}` line: the block regen writes its list of providers into");
    };
    let open_end = start + text[start..].find('\n').map_or(text.len() - start, |i| i + 1);
    let Some(close) = text[open_end..].find(&end) else {
        bail!("has `{begin}` without its `{}` line", end.trim_end());
    };
    Ok(format!("{}{body}{}", &text[..open_end], &text[open_end + close..]))
}

#[cfg(test)]
mod tests {
    use super::replace_block;

    #[test]
    fn a_block_is_replaced_between_its_markers_and_a_missing_one_is_named() {
        let text = "[features]\n# @generated begin f: one per provider\na = []\n# @generated end f\nrustls = []\n";
        let replaced = replace_block(text, "f", "a = []\nb = []\n").unwrap();
        assert_eq!(
            replaced,
            "[features]\n# @generated begin f: one per provider\na = []\nb = []\n# @generated end f\nrustls = []\n"
        );
        let err = replace_block("[features]\n", "f", "").unwrap_err().to_string();
        assert!(err.contains("# @generated begin f"), "{err}");
    }
}
