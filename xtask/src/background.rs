//! A server the xtask starts for the length of a command (the sandbox), which prints its
//! address on its first line of output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::Context;

pub struct Background {
    child: Child,
    pub origin: String,
    /// The indented lines it printed after its address (the sandbox: one per provider).
    pub announced: Vec<String>,
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
        let mut announced = Vec::new();
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line)? == 0 || !line.starts_with("  ") {
                break;
            }
            announced.push(line.trim().to_owned());
        }
        Ok(Background {
            child,
            origin,
            announced,
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

/// `cargo build --package <package>` in the workspace, with cargo's own progress on stderr
/// (a cold build takes minutes), returning the path of the binary `bin` it built.
pub fn build(root: &Path, package: &str, bin: &str) -> anyhow::Result<PathBuf> {
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--package", package, "--bin", bin])
        .status()
        .context("starting cargo build")?;
    anyhow::ensure!(status.success(), "building {package} failed ({status})");
    Ok(target_dir(root)?.join("debug").join(bin))
}

/// Cargo's target directory, as `cargo metadata` reports it: `CARGO_TARGET_DIR`, a
/// `build.target-dir` setting, or `<workspace>/target`.
pub fn target_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .context("starting cargo metadata")?;
    anyhow::ensure!(output.status.success(), "cargo metadata failed ({})", output.status);
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata names no target_directory")?;
    Ok(PathBuf::from(dir))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The tour's build: every binary, test and example of the workspace, so that the README's next
/// command (`cargo test --workspace`) finds it done; returns the path of the binary `bin`. One
/// invocation resolves features the way `cargo test --workspace` does; building `esim` alone
/// resolved them differently and made the tests rebuild 68 shared dependencies.
pub fn build_for_tests(root: &Path, bin: &str) -> anyhow::Result<PathBuf> {
    eprintln!("building the workspace (binaries, tests, examples; `cargo test --workspace` reuses it)");
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--workspace", "--bins", "--tests", "--examples"])
        .status()
        .context("starting cargo build")?;
    anyhow::ensure!(status.success(), "building the workspace failed ({status})");
    Ok(target_dir(root)?.join("debug").join(bin))
}
