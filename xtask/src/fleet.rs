//! `cargo xtask fleet [N]`: N replica processes against a fresh sandbox, with and without a
//! shared Valkey/Redis store (the driver is `tests/examples/fleet.rs`, which has the
//! clients, the sandbox and the server helper the tests use). Cargo's build progress shows.

use std::path::Path;
use std::process::Command;

pub fn fleet(root: &Path, processes: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        processes.parse::<usize>().is_ok_and(|n| n > 0),
        "fleet: the number of processes must be a positive number, not {processes:?}"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--package",
            "integration-tests",
            "--example",
            "fleet",
            "--",
            processes,
        ])
        .status()?;
    anyhow::ensure!(status.success(), "the fleet run failed ({status})");
    Ok(())
}
