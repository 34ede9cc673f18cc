//! `cargo xtask tour`: the newcomer's main job. After regenerating the clients it starts the
//! local sandbox and runs a short `esim` session against it, one provider after another:
//! list packages, buy one, read its install instructions and usage, let time pass.
//! Nothing here needs a credential or the internet.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::background::{self, Background};

pub fn tour(root: &Path) -> anyhow::Result<()> {
    background::build(root, "esim")?;
    let esim = root.join("target/debug/esim");
    let sandbox = Background::start(&esim, &["sandbox", "serve"])?;
    let session = Session {
        esim,
        origin: sandbox.origin.clone(),
    };
    println!(
        "$ esim sandbox serve &        # the sandbox of every provider, at {}",
        session.origin
    );
    println!("$ export ESIM_SANDBOX_URL={}\n", session.origin);

    airalo(&session)?;
    pressone(&session)?;
    vellosim(&session)?;
    veloconnect(&session)?;
    println!("\nEvery operation of every provider: `esim <provider> --help`. Against a provider, drop --sandbox");
    println!("and set its credentials (`esim --help` lists the variables).");
    Ok(())
}

struct Session {
    esim: PathBuf,
    origin: String,
}

impl Session {
    /// Runs `esim args`, printing the command and what it printed, as a terminal would.
    fn show(&self, args: &[&str]) -> anyhow::Result<String> {
        println!("$ esim {}", args.join(" "));
        let stdout = self.run(args)?;
        println!("{}", stdout.trim_end());
        Ok(stdout)
    }

    /// `show`, for a command whose JSON output the session reads on.
    fn show_json(&self, args: &[&str]) -> anyhow::Result<Value> {
        let stdout = self.show(args)?;
        serde_json::from_str(&stdout).with_context(|| format!("`esim {}` did not print JSON", args.join(" ")))
    }

    /// Runs `esim args` without showing it (to pick an id out of a listing shown as a table).
    fn quiet_json(&self, args: &[&str]) -> anyhow::Result<Value> {
        let stdout = self.run(args)?;
        serde_json::from_str(&stdout).with_context(|| format!("`esim {}` did not print JSON", args.join(" ")))
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.esim)
            .args(args)
            .env("ESIM_SANDBOX_URL", &self.origin)
            .output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!("`esim {}` failed ({}):\n{stderr}", args.join(" "), output.status);
        }
        for line in stderr.lines() {
            println!("  {line}");
        }
        Ok(String::from_utf8(output.stdout)?)
    }

    fn heading(&self, text: &str) {
        println!("\n### {text}\n");
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> anyhow::Result<&'a str> {
    match value.pointer(pointer) {
        Some(Value::String(s)) => Ok(s),
        other => bail!("expected a string at {pointer}, found {other:?}"),
    }
}

fn airalo(s: &Session) -> anyhow::Result<()> {
    s.heading("Airalo: packages for Germany, buy one, install it, watch its usage");
    let list = ["--sandbox", "airalo", "get-packages", "--filter-country", "DE"];
    s.show(&[&["-o", "table"][..], &list].concat())?;
    let package = s.quiet_json(&list)?;
    let package_id = text(&package, "/data/0/operators/0/packages/0/id")?;
    let order = s.show_json(&[
        "--sandbox",
        "airalo",
        "submit-order",
        "--package-id",
        package_id,
        "--quantity",
        "1",
        "--description",
        "tour",
    ])?;
    let iccid = text(&order, "/data/sims/0/iccid")?;
    s.show(&[
        "--sandbox",
        "-o",
        "table",
        "airalo",
        "get-installation-instructions",
        "--sim-iccid",
        iccid,
    ])?;
    s.show(&["--sandbox", "airalo", "get-usage", "--sim-iccid", iccid])?;
    s.show(&["sandbox", "skip", "24"])?;
    s.show(&["--sandbox", "airalo", "get-usage", "--sim-iccid", iccid])?;
    s.show(&["--sandbox", "airalo", "get-balance"])?;
    Ok(())
}

fn pressone(s: &Session) -> anyhow::Result<()> {
    s.heading("PressOne: the same shape of API on its own host");
    let list = ["--sandbox", "pressone", "get-packages", "--filter-country", "FR"];
    s.show(&[&["-o", "table"][..], &list].concat())?;
    let package = s.quiet_json(&list)?;
    let package_id = text(&package, "/data/0/operators/0/packages/0/id")?;
    let order = s.show_json(&[
        "--sandbox",
        "pressone",
        "submit-order",
        "--package-id",
        package_id,
        "--quantity",
        "1",
    ])?;
    let iccid = text(&order, "/data/sims/0/iccid")?;
    s.show(&["--sandbox", "pressone", "get-usage", "--iccid", iccid])?;
    Ok(())
}

fn vellosim(s: &Session) -> anyhow::Result<()> {
    s.heading("Vellosim: buy a package, then page through every eSIM of the account");
    let list = ["--sandbox", "vellosim", "get-packages", "--region-code", "JP"];
    s.show(&[&["-o", "table"][..], &list].concat())?;
    let packages = s.quiet_json(&list)?;
    let code = text(&packages, "/0/packageCode")?;
    s.show(&[
        "--sandbox",
        "vellosim",
        "purchase-esim",
        "--package-code",
        code,
        "--package-type",
        "BASE",
    ])?;
    s.show(&[
        "--sandbox",
        "-o",
        "table",
        "vellosim",
        "get-my-esims",
        "--all",
        "--limit",
        "10",
    ])?;
    Ok(())
}

fn veloconnect(s: &Session) -> anyhow::Result<()> {
    s.heading("VeloConnect: a wholesale order, then a top-up");
    s.show(&[
        "--sandbox",
        "-o",
        "table",
        "veloconnect",
        "get-all-plans",
        "--all",
        "--limit",
        "10",
    ])?;
    let plans = s.quiet_json(&["--sandbox", "veloconnect", "get-all-plans", "--limit", "1"])?;
    let plan = plans
        .pointer("/rows/0/id")
        .map(Value::to_string)
        .context("no plan in the sandbox")?;
    let esim = s.show_json(&["--sandbox", "veloconnect", "order-one", "--plan-id", &plan])?;
    let iccid = text(&esim, "/iccid")?;
    s.show(&[
        "--sandbox",
        "-o",
        "table",
        "veloconnect",
        "get-esim-top-up-plans",
        "--iccid",
        iccid,
    ])?;
    s.show(&["--sandbox", "veloconnect", "get-my-organization"])?;
    Ok(())
}
