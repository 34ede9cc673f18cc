//! `esim`: every operation of every provider in `specs/`, from a terminal.
//!
//! ```text
//! esim [--sandbox] [-o json|table] <airalo|pressone|vellosim|veloconnect|veloconnect-sms> <operation> [--all] [args]
//! esim [--sandbox] offers|buy|usage|topups|top-up [args]   # the data-eSIM providers through one interface
//! esim sandbox serve|skip|webhooks
//! ```
//!
//! The operations and their arguments are generated from the specs (`src/generated`);
//! credentials come from environment variables (`providers.rs`), or from the local sandbox
//! with `--sandbox` (`ESIM_SANDBOX_URL`, or one started in-process for the command).

// Generated from the specs; rustfmt leaves it as `cargo xtask regen` wrote it.
#[rustfmt::skip]
mod generated;
mod listing;
mod market;
mod output;
mod providers;
mod sandbox_cmd;
mod subcommands;
mod table;
mod token_cache;

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use output::{Format, Output};
use providers::Target;

/// Where each provider's credential comes from, from the descriptors.
fn credentials_help() -> String {
    let each: Vec<String> = provider_clients::PROVIDERS
        .iter()
        .map(|p| p.credential_variables().join("/"))
        .collect();
    let hostless: Vec<String> = provider_clients::PROVIDERS
        .iter()
        .filter(|p| p.production.is_none())
        .map(|p| p.base_url_variable())
        .collect();
    let required = match hostless.as_slice() {
        [] => String::new(),
        names => format!("; {} is required, as no public host is known", names.join(", ")),
    };
    format!(
        "Credentials come from the environment: {} (and <PROVIDER>_BASE_URL to point a client elsewhere{required}). \
         --sandbox needs none.",
        each.join(", ")
    )
}

fn command() -> Command {
    Command::new("esim")
        .about("Every operation of every eSIM provider we integrate, from a terminal")
        .after_help(credentials_help())
        .subcommand_required(true)
        .arg(
            Arg::new("sandbox")
                .long("sandbox")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Call the local sandbox: the one at ESIM_SANDBOX_URL, or one started for this command"),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .global(true)
                .value_parser(["json", "table"])
                .default_value("json")
                .help("json: the response as the provider sent it (decoded); table: lists as rows"),
        )
        .arg(
            Arg::new("columns")
                .long("columns")
                .global(true)
                .value_delimiter(',')
                .help("With -o table: the fields to show, in order (default: the telling ones, at most 8)"),
        )
        .subcommands(generated::commands())
        .subcommands(market::commands())
        .subcommand(sandbox_cmd::command())
}

async fn run(matches: &ArgMatches, out: &Output) -> anyhow::Result<()> {
    let (provider, sub) = matches.subcommand().expect("subcommand_required");
    if provider == sandbox_cmd::NAME {
        return sandbox_cmd::run(sub, out).await;
    }
    // Kept alive until the command is done when started here.
    let mut embedded = None;
    let target = if matches.get_flag("sandbox") {
        match std::env::var("ESIM_SANDBOX_URL") {
            Ok(origin) => Target::Sandbox {
                origin,
                embedded: false,
            },
            Err(_) => {
                let sandbox = sandbox::Sandbox::start(sandbox::Config::default()).await?;
                let origin = sandbox.origin().to_owned();
                embedded = Some(sandbox);
                Target::Sandbox { origin, embedded: true }
            }
        }
    } else {
        Target::Live
    };
    let result = if market::COMMANDS.contains(&provider) {
        // The offer table is what `offers` is for: JSON only when asked for by name.
        let format = match matches.value_source("output") {
            Some(clap::parser::ValueSource::DefaultValue) if provider == market::OFFERS => Format::Table,
            _ => out.format(),
        };
        market::run(provider, sub, &target, format).await
    } else {
        generated::run(provider, &target, out, sub).await
    };
    drop(embedded);
    result
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    trace_to_stderr();
    let format = match matches.get_one::<String>("output").map(String::as_str) {
        Some("table") => Format::Table,
        _ => Format::Json,
    };
    let columns = matches.get_many::<String>("columns").map(|c| c.cloned().collect());
    let out = Output::new(format, columns);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&matches, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if !out.reported() {
                eprintln!("error: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// With `RUST_LOG` set (`RUST_LOG=provider_core=debug`), spans and events go to stderr, each
/// span once when it closes, with every field it recorded. Without it nothing is traced.
fn trace_to_stderr() {
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        super::command().debug_assert();
    }

    /// Every provider's subcommands and their flags (`!` required, `…` repeatable): a spec
    /// change shows up here as a reviewed snapshot diff of what users type. The commands
    /// over all providers (`offers`, `buy`, `usage`) are one snapshot, `interface`.
    #[test]
    fn command_line_surface() {
        fn line(op: &clap::Command) -> String {
            let flags: Vec<String> = op
                .get_arguments()
                .filter_map(|arg| {
                    let long = arg.get_long()?;
                    let required = if arg.is_required_set() { "!" } else { "" };
                    let repeated = match arg.get_action() {
                        clap::ArgAction::Append => "…",
                        _ => "",
                    };
                    Some(format!("--{long}{required}{repeated}"))
                })
                .collect();
            format!("{} {}", op.get_name(), flags.join(" ")).trim_end().to_owned()
        }
        let mut interface = Vec::new();
        for command in super::command().get_subcommands().filter(|c| c.get_name() != "help") {
            if !command.has_subcommands() {
                interface.push(line(command));
                continue;
            }
            let lines: Vec<String> = command.get_subcommands().map(line).collect();
            insta::assert_snapshot!(command.get_name().to_owned(), lines.join("\n"));
        }
        insta::assert_snapshot!("interface", interface.join("\n"));
    }
}
