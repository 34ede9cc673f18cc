//! `payload-check [--format table|json] [--provider NAME]… FILE.har…`, started by
//! `cargo xtask payload-check` (see `integration_tests::payload_check`). Exit status: 0
//! clean, 1 findings, 2 unreadable input or bad arguments.

use std::process::ExitCode;

use integration_tests::payload_check::Checker;

const USAGE: &str = "usage: cargo xtask payload-check [--format table|json] [--provider NAME]... FILE.har...";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut json, mut only, mut files) = (false, Vec::new(), Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => match args.next().as_deref() {
                Some("json") => json = true,
                Some("table") => json = false,
                _ => return usage(),
            },
            "--provider" => match args.next() {
                Some(name) => only.push(name),
                None => return usage(),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => return usage(),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return usage();
    }
    let specs = integration_tests::specs();
    if let Some(unknown) = only.iter().find(|p| !specs.iter().any(|(name, _)| name == *p)) {
        eprintln!("payload-check: no specs/{unknown}.yaml");
        return ExitCode::from(2);
    }
    let mut texts = Vec::new();
    for path in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => texts.push((path, text)),
            Err(err) => {
                eprintln!("payload-check: {path}: {err}");
                return ExitCode::from(2);
            }
        }
    }
    let report = match Checker::new(&specs, &only).check(&texts) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("payload-check: {err}");
            return ExitCode::from(2);
        }
    };
    if json {
        print!("{}", report.json_lines());
    } else if !report.findings.is_empty() {
        print!("{}", report.table());
    }
    println!("{}", report.summary());
    ExitCode::from(u8::from(!report.findings.is_empty()))
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}
