//! One provider's subcommands, written once for every provider: each generated module
//! (`src/generated/<provider>.rs`) implements [`Subcommands`] for its operations, and the
//! generated list (`src/generated/mod.rs`) registers and dispatches through [`command`] and
//! [`run`].

use std::future::Future;

use clap::{Arg, ArgAction, ArgMatches, Command};
use heck::ToKebabCase;
use provider_clients::paginate::Listing;
use provider_core::{Connect, FromParts};

use crate::listing;
use crate::output::{Capture, Output, Printer};
use crate::providers::{self, Target};

/// A provider's generated subcommands (progenitor's `Cli` and `CliCommand`).
pub trait Subcommands {
    type Client: Connect + Clone;
    type Operation: Copy;

    fn operations() -> impl Iterator<Item = Self::Operation>;

    /// The operation's method name (`get_packages`), which `LISTINGS` is keyed by.
    fn operation_id(operation: Self::Operation) -> &'static str;

    /// The operation's generated arguments.
    fn command(operation: Self::Operation) -> Command;

    /// Sends the operation with the arguments in `matches` and prints the answer.
    fn execute<P: Printer + ?Sized>(
        client: Self::Client,
        printer: &P,
        operation: Self::Operation,
        matches: &ArgMatches,
    ) -> impl Future<Output = anyhow::Result<()>>;
}

/// `esim <provider>`: a subcommand per operation, named after its `operationId`, with `--all`
/// on the paginated listings.
pub fn command<S: Subcommands>() -> Command {
    let name = <S::Client as FromParts>::DESCRIPTOR.name;
    let about = format!("Every {name} operation (see specs/{name}.yaml)");
    let mut command = Command::new(name).about(about).subcommand_required(true);
    for op in S::operations() {
        let mut sub = one_line_about(S::command(op)).name(S::operation_id(op).to_kebab_case());
        if paged::<S>(op).is_some() {
            sub = sub.arg(all_arg());
        }
        command = command.subcommand(sub);
    }
    command
}

/// Runs the operation `matches` names, every page of it with `--all`.
pub async fn run<S: Subcommands>(target: &Target, out: &Output, matches: &ArgMatches) -> anyhow::Result<()> {
    let (name, sub) = matches.subcommand().expect("subcommand_required");
    let op = S::operations()
        .find(|op| S::operation_id(*op).to_kebab_case() == name)
        .expect("clap only accepts the registered names");
    let client = providers::client::<S::Client>(target)?;
    match paged::<S>(op) {
        Some(listing) if sub.get_flag("all") => {
            let per_page = sub.get_one::<i64>("limit").map_or(50, |l| (*l).max(1) as u64);
            let command = S::command(op);
            listing::walk(listing, out, per_page, |position| {
                let page = position.apply(&command, sub);
                let client = client.clone();
                async move {
                    let capture = Capture::new(out);
                    S::execute(client, &capture, op, &page?).await?;
                    Ok(capture.into_page())
                }
            })
            .await
        }
        _ => S::execute(client, out, op, sub).await,
    }
}

fn paged<S: Subcommands>(op: S::Operation) -> Option<&'static Listing> {
    Listing::find(<S::Client as FromParts>::DESCRIPTOR.listings, S::operation_id(op))
}

/// The generated `about` is the summary and the description in one; listings show the
/// summary and `--help` the whole.
fn one_line_about(command: Command) -> Command {
    let Some(about) = command.get_about().map(ToString::to_string) else {
        return command;
    };
    let summary = about.lines().next().unwrap_or_default().to_owned();
    command.about(summary).long_about(about)
}

fn all_arg() -> Arg {
    Arg::new("all")
        .long("all")
        .action(ArgAction::SetTrue)
        .help("Fetch every page (`--limit` items at a time, 50 by default) and print them as one list")
}
