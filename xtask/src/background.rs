//! A server the xtask starts for the length of a command (the sandbox), which prints its
//! address on its first line of output.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::Context;

pub struct Background {
    child: Child,
    pub origin: String,
    /// Held open: the server goes on printing, and a closed pipe would stop it.
    _stdout: BufReader<ChildStdout>,
}

impl Background {
    pub fn start(program: &Path, args: &[&str]) -> anyhow::Result<Background> {
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::piped())
            // What it says for a person starting it by hand would interleave with the output.
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first_line = String::new();
        stdout.read_line(&mut first_line)?;
        let origin = first_line.trim().to_owned();
        anyhow::ensure!(
            origin.starts_with("http://") || origin.starts_with("https://"),
            "{} printed {origin:?} instead of its address",
            program.display()
        );
        Ok(Background {
            child,
            origin,
            _stdout: stdout,
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo build --quiet --package <package>` in the workspace.
pub fn build(root: &Path, package: &str) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--quiet", "--package", package])
        .status()?;
    anyhow::ensure!(status.success(), "building {package} failed ({status})");
    Ok(())
}
