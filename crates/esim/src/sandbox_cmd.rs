//! `esim sandbox`: run the local sandbox, and drive the one at `ESIM_SANDBOX_URL`
//! (skip simulated time, read the webhooks it sent).

use anyhow::Context as _;
use clap::{Arg, ArgMatches, Command, value_parser};
use std::time::Duration;

use crate::output::Output;

pub const NAME: &str = "sandbox";

pub fn command() -> Command {
    Command::new(NAME)
        .about("The local sandbox of every provider (no credentials needed)")
        .subcommand_required(true)
        .subcommand(sandbox::cli::args(
            Command::new("serve").about("Serve the sandbox until interrupted; prints its address first"),
        ))
        .subcommand(
            Command::new("skip")
                .about("Move the sandbox's simulated time forward (usage grows, packages and tokens expire)")
                .arg(
                    Arg::new("hours")
                        .required(true)
                        .value_parser(value_parser!(u64))
                        .help("Hours to skip"),
                ),
        )
        .subcommand(Command::new("webhooks").about("The webhooks the sandbox has sent so far"))
}

fn origin() -> anyhow::Result<String> {
    std::env::var("ESIM_SANDBOX_URL").context("ESIM_SANDBOX_URL is not set: start one with `esim sandbox serve`")
}

pub async fn run(matches: &ArgMatches, out: &Output) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    match matches.subcommand().expect("subcommand_required") {
        ("serve", args) => Ok(sandbox::cli::serve(sandbox::cli::config(args)).await?),
        ("skip", args) => {
            let hours = *args.get_one::<u64>("hours").expect("required");
            let response = http
                .post(format!("{}/_sandbox/clock/skip", origin()?))
                .json(&serde_json::json!({ "seconds": hours * 3600 }))
                .send()
                .await?
                .error_for_status()?;
            out.print(&response.json().await?);
            Ok(())
        }
        ("webhooks", _) => {
            let response = http
                .get(format!("{}/_sandbox/webhooks", origin()?))
                .send()
                .await?
                .error_for_status()?;
            out.print(&response.json().await?);
            Ok(())
        }
        (other, _) => unreachable!("clap only accepts the registered subcommands, not {other}"),
    }
}
