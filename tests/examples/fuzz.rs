//! The decoding fuzzer, at length: `cargo run --release -p integration-tests --example fuzz
//! -- [inputs per provider, default 1000000] [seed]`. Exits non-zero on any panic.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs: u64 = args
        .next()
        .map(|a| a.parse().expect("inputs: a number"))
        .unwrap_or(1_000_000);
    let seed: u64 = args
        .next()
        .map(|a| a.parse().expect("seed: a number"))
        .unwrap_or(0x5eed);
    // Findings are reported below; the default hook would print each one as it happens.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8}",
        "provider", "inputs", "decoded", "rejected", "panics", "seconds"
    );
    for target in integration_tests::fuzz::targets() {
        let started = Instant::now();
        let report = target.run(inputs, seed);
        println!(
            "{:<12} {:>10} {:>10} {:>10} {:>7} {:>8.1}",
            target.provider,
            report.inputs,
            report.decoded,
            report.rejected,
            report.panic_count,
            started.elapsed().as_secs_f64()
        );
        for (schema, input) in &report.panics {
            println!("  panic decoding {schema}: {}", String::from_utf8_lossy(input));
        }
        failed |= report.panic_count > 0;
    }
    std::process::exit(i32::from(failed));
}
