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
    let esim = background::build_for_tests(root, "esim")?;
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
    pressone(&session, &background::target_dir(root)?.join("tour"))?;
    vellosim(&session)?;
    veloconnect(&session)?;
    veloconnect_sms(&session)?;
    one_interface(&session)?;
    println!("\nEvery operation of every provider: `esim <provider> --help`. Against a provider, drop --sandbox");
    println!("and set its credentials (`esim --help` lists the variables).");
    Ok(())
}

struct Session {
    esim: PathBuf,
    origin: String,
}

impl Session {
    /// Runs `esim <line>` (arguments split at spaces), printing the command and what it
    /// printed, as a terminal would.
    fn show(&self, line: &str) -> anyhow::Result<String> {
        println!("$ esim {line}");
        let stdout = self.run(line)?;
        println!("{}", stdout.trim_end());
        Ok(stdout)
    }

    /// `show`, for a command whose JSON output the session reads on.
    fn show_json(&self, line: &str) -> anyhow::Result<Value> {
        let stdout = self.show(line)?;
        serde_json::from_str(&stdout).with_context(|| format!("`esim {line}` did not print JSON"))
    }

    /// Runs `esim <line>` without showing it (to pick an id out of a listing shown as a table).
    fn quiet_json(&self, line: &str) -> anyhow::Result<Value> {
        let stdout = self.run(line)?;
        serde_json::from_str(&stdout).with_context(|| format!("`esim {line}` did not print JSON"))
    }

    fn run(&self, line: &str) -> anyhow::Result<String> {
        let output = Command::new(&self.esim)
            .args(line.split_whitespace())
            .env("ESIM_SANDBOX_URL", &self.origin)
            .output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!("`esim {line}` failed ({}):\n{stderr}", output.status);
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
    let list = "--sandbox airalo get-packages --filter-country DE";
    s.show(&format!("-o table {list}"))?;
    let package = s.quiet_json(list)?;
    let package_id = text(&package, "/data/0/operators/0/packages/0/id")?;
    let order = s.show_json(&format!(
        "--sandbox airalo submit-order --package-id {package_id} --quantity 1 --description tour"
    ))?;
    let iccid = text(&order, "/data/sims/0/iccid")?;
    s.show(&format!(
        "--sandbox airalo get-installation-instructions --sim-iccid {iccid}"
    ))?;
    s.show(&format!("--sandbox airalo get-usage --sim-iccid {iccid}"))?;
    s.show("sandbox skip 24")?;
    s.show(&format!("--sandbox airalo get-usage --sim-iccid {iccid}"))?;
    s.show("--sandbox airalo get-balance")?;
    Ok(())
}

fn pressone(s: &Session, work: &Path) -> anyhow::Result<()> {
    s.heading("PressOne: the same shape of API on its own host; a body from a file");
    let list = "--sandbox pressone get-packages --filter-country FR";
    s.show(&format!("-o table {list}"))?;
    let package = s.quiet_json(list)?;
    let package_id = text(&package, "/data/0/operators/0/packages/0/id")?;
    // PressOne's bodies are Airalo's types, which the generated flags do not unfold.
    let body = work.join("order.json");
    let json = serde_json::json!({ "package_id": package_id, "quantity": 1 }).to_string();
    std::fs::create_dir_all(work)?;
    std::fs::write(&body, &json)?;
    println!("$ cat {}\n{json}", body.display());
    let order = s.show_json(&format!(
        "--sandbox pressone submit-order --json-body {}",
        body.display()
    ))?;
    let iccid = text(&order, "/data/sims/0/iccid")?;
    s.show(&format!("--sandbox pressone get-usage --iccid {iccid}"))?;
    Ok(())
}

fn vellosim(s: &Session) -> anyhow::Result<()> {
    s.heading("Vellosim: buy a package, then page through every eSIM of the account");
    let list = "--sandbox vellosim get-packages --region-code JP";
    s.show(&format!("-o table {list}"))?;
    let packages = s.quiet_json(list)?;
    let code = text(&packages, "/0/packageCode")?;
    s.show(&format!(
        "--sandbox vellosim purchase-esim --package-code {code} --package-type BASE --payment-method WALLET"
    ))?;
    s.show("--sandbox -o table vellosim get-my-esims --all --limit 10")?;
    Ok(())
}

fn veloconnect_sms(s: &Session) -> anyhow::Result<()> {
    s.heading("VeloConnect SMS: a text, its delivery report, the balance");
    let sent = s.show_json(
        "--sandbox veloconnect-sms send-sms --sms-type T --encoding T --sender-id VELOSMS \
         --phonenumber 919622333345 --textmessage Hello",
    )?;
    let id = sent
        .get("message_id")
        .map(Value::to_string)
        .context("the sandbox answered no message_id")?;
    s.show(&format!(
        "--sandbox veloconnect-sms get-delivery-status --message-id {id}"
    ))?;
    s.show("sandbox skip 1")?;
    s.show(&format!(
        "--sandbox veloconnect-sms get-delivery-status --message-id {id}"
    ))?;
    s.show("--sandbox veloconnect-sms check-balance")?;
    Ok(())
}

fn veloconnect(s: &Session) -> anyhow::Result<()> {
    s.heading("VeloConnect: a wholesale order, then a top-up");
    s.show("--sandbox -o table veloconnect get-all-plans --area-ids 1")?;
    let plans = s.quiet_json("--sandbox veloconnect get-all-plans --area-ids 1 --limit 1")?;
    let plan = plans
        .pointer("/rows/0/id")
        .map(Value::to_string)
        .context("no plan in the sandbox")?;
    let esim = s.show_json(&format!("--sandbox veloconnect order-one --plan-id {plan}"))?;
    let iccid = text(&esim, "/iccid")?;
    s.show(&format!(
        "--sandbox -o table veloconnect get-esim-top-up-plans --iccid {iccid}"
    ))?;
    s.show("--sandbox veloconnect get-my-organization")?;
    Ok(())
}

fn one_interface(s: &Session) -> anyhow::Result<()> {
    s.heading("All four data-eSIM providers through one interface: the best offer for a trip, bought, used, topped up");
    s.show("--sandbox offers --country DE --min-data 5GB --days 7..30")?;
    // Compared in another currency: only through a rate a provider's own endpoint gave, named.
    s.show("--sandbox offers --country DE --min-data 10GB --currency EUR --providers airalo,vellosim")?;
    let found = s.quiet_json("--sandbox -o json offers --country DE --min-data 5GB --days 7..30")?;
    let best = found.pointer("/ranked/0").context("no offer ranked")?;
    let offer = format!("{}:{}", text(best, "/provider")?, text(best, "/id")?);
    let purchase = s.show_json(&format!("--sandbox buy {offer} --reference tour-trip-1"))?;
    let esim = format!(
        "{}:{}",
        text(&purchase, "/provider")?,
        text(&purchase, "/esims/0/iccid")?
    );
    s.show("sandbox skip 12")?;
    s.show(&format!("--sandbox usage {esim}"))?;
    let topups = s.quiet_json(&format!("--sandbox topups {esim}"))?;
    let topup = text(&topups, "/0/id")?;
    s.show(&format!("--sandbox top-up {esim} {topup} --reference tour-trip-1-more"))?;
    s.show(&format!("--sandbox usage {esim}"))?;
    Ok(())
}
