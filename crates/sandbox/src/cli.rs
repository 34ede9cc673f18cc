//! The sandbox's command line, shared by the `sandbox` binary and `esim sandbox serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use crate::{Config, Provider, Sandbox};

/// Adds the sandbox's options to `command`.
pub fn args(command: Command) -> Command {
    command
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_parser(value_parser!(SocketAddr))
                .default_value("127.0.0.1:0")
                .help("Address to listen on; port 0 picks a free port"),
        )
        .arg(
            Arg::new("webhook")
                .long("webhook")
                .value_name("PROVIDER=URL")
                .value_parser(webhook)
                .action(ArgAction::Append)
                .help(format!(
                    "Deliver PROVIDER's webhooks to URL (PROVIDER: {})",
                    Provider::ALL.map(Provider::name).join(", ")
                )),
        )
        .arg(
            Arg::new("no-rate-limits")
                .long("no-rate-limits")
                .action(ArgAction::SetTrue)
                .help("Never answer 429"),
        )
        .arg(
            Arg::new("start")
                .long("start")
                .value_name("RFC3339")
                .value_parser(start)
                .help(
                    "Start simulated time at this instant (e.g. 2026-01-15T10:00:00Z) instead of now, \
                     so answers do not depend on the day",
                ),
        )
        .arg(
            Arg::new("tls")
                .long("tls")
                .value_name("CERT_FILE")
                .value_parser(value_parser!(PathBuf))
                .help(
                    "Serve HTTPS with a self-signed certificate made at start, written (PEM) to CERT_FILE \
                     for clients to trust (e.g. NODE_EXTRA_CA_CERTS=CERT_FILE)",
                ),
        )
}

fn webhook(value: &str) -> Result<(Provider, String), String> {
    let (name, url) = value.split_once('=').ok_or("expected PROVIDER=URL")?;
    let provider = Provider::named(name).ok_or_else(|| format!("unknown provider {name:?}"))?;
    Ok((provider, url.to_owned()))
}

fn start(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 instant such as 2026-01-15T10:00:00Z: {e}"))
}

/// The configuration the options given to [`args`] describe.
pub fn config(matches: &ArgMatches) -> Config {
    Config {
        listen: *matches.get_one::<SocketAddr>("listen").expect("has a default"),
        rate_limits: !matches.get_flag("no-rate-limits"),
        tls_certificate: matches.get_one::<PathBuf>("tls").cloned(),
        start: matches.get_one::<DateTime<Utc>>("start").copied(),
        webhook_urls: matches
            .get_many::<(Provider, String)>("webhook")
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        ..Config::default()
    }
}

/// Serves until interrupted. The first line printed is the origin (`http://127.0.0.1:PORT`,
/// `https://` with `--tls`),
/// so scripts can start it in the background and read where it listens.
pub async fn serve(config: Config) -> std::io::Result<()> {
    let sandbox = Sandbox::start(config).await?;
    let origin = sandbox.origin();
    println!("{origin}");
    // One line per provider: name, base URL, credential (`cargo xtask conformance` reads them).
    for provider in Provider::ALL {
        println!(
            "  {:<12} {}  {}",
            provider.name(),
            sandbox.base_url(provider),
            provider.credential()
        );
    }
    println!(
        "clock: simulated time started at {}",
        sandbox.clock().start().to_rfc3339()
    );
    println!("admin: POST {origin}/_sandbox/clock/skip {{\"seconds\":N}}, GET {origin}/_sandbox/webhooks");
    println!("esim: ESIM_SANDBOX_URL={origin} esim --sandbox <provider> <operation>");
    tokio::signal::ctrl_c().await
}
