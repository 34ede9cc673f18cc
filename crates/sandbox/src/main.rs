//! `sandbox`: serve every provider simulation until interrupted.
//!
//! The first line printed is the origin (`http://127.0.0.1:PORT`), so scripts can start it
//! in the background and read where it listens.

use std::net::SocketAddr;

use clap::{Arg, ArgAction, Command, value_parser};
use sandbox::{Config, Provider, Sandbox, credentials};

fn main() -> std::io::Result<()> {
    let matches = Command::new("sandbox")
        .about("A local simulation of every provider API (Airalo, PressOne, Vellosim, VeloConnect)")
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
                .action(ArgAction::Append)
                .help("Deliver PROVIDER's webhooks to URL (airalo, pressone, vellosim, veloconnect)"),
        )
        .arg(
            Arg::new("no-rate-limits")
                .long("no-rate-limits")
                .action(ArgAction::SetTrue)
                .help("Never answer 429"),
        )
        .get_matches();

    let mut config = Config {
        listen: *matches.get_one::<SocketAddr>("listen").expect("has a default"),
        rate_limits: !matches.get_flag("no-rate-limits"),
        ..Config::default()
    };
    for spec in matches.get_many::<String>("webhook").into_iter().flatten() {
        let Some((name, url)) = spec.split_once('=') else {
            eprintln!("--webhook expects PROVIDER=URL, got {spec:?}");
            std::process::exit(2);
        };
        let Some(provider) = Provider::ALL.into_iter().find(|p| p.name() == name) else {
            eprintln!("--webhook: unknown provider {name:?}");
            std::process::exit(2);
        };
        config.webhook_urls.push((provider, url.to_owned()));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let sandbox = Sandbox::start(config).await?;
        println!("{}", sandbox.origin());
        for provider in Provider::ALL {
            println!("  {:<12} {}", provider.name(), sandbox.base_url(provider));
        }
        println!(
            "credentials: client_id={} client_secret={} vellosim key={} veloconnect key={}",
            credentials::CLIENT_ID,
            credentials::CLIENT_SECRET,
            credentials::VELLOSIM_API_KEY,
            credentials::VELOCONNECT_API_KEY
        );
        println!(
            "admin: POST {0}/_sandbox/clock/skip {{\"seconds\":N}}, GET {0}/_sandbox/webhooks",
            sandbox.origin()
        );
        tokio::signal::ctrl_c().await?;
        drop(sandbox);
        Ok(())
    })
}
