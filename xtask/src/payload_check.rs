//! `cargo xtask payload-check [--format table|json] [--provider NAME]… FILE.har…`: recorded
//! traffic (HAR, from a browser, mitmproxy, Charles, Proxyman or Postman) checked against the
//! specs: undeclared fields, values that do not decode, unlisted statuses, unmatched entries.
//!
//! The check decodes with the generated clients, which the xtask must not depend on (it is
//! what regenerates them: a stale client must not stop `regen` from building). So it lives in
//! the tests crate (`tests/src/payload_check.rs`, which reads `specs/` itself) and the xtask
//! builds and starts its `payload-check` binary, passing the arguments and the exit status
//! through: 0 clean, 1 findings, 2 unreadable input.

use std::path::Path;
use std::process::{Command, ExitCode};

pub fn payload_check(root: &Path, args: &[&str]) -> ExitCode {
    let program = match crate::background::build(root, "integration-tests", "payload-check") {
        Ok(program) => program,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    match Command::new(&program).args(args).status() {
        Ok(status) => ExitCode::from(status.code().map_or(2, |c| c.clamp(0, 255) as u8)),
        Err(err) => {
            eprintln!("error: starting {}: {err}", program.display());
            ExitCode::from(2)
        }
    }
}
