//! A bounded run of the decoding fuzzer (the full run: `cargo run --release -p
//! integration-tests --example fuzz -- 1000000`), and a check that it can find a panic.

use integration_tests::fuzz::targets;

#[test]
fn decoding_never_panics_on_mutated_examples() {
    for target in targets() {
        let report = target.run(5_000, 0x5eed);
        assert_eq!(report.panic_count, 0, "{}: {:?}", target.provider, report.panics);
        assert!(
            report.decoded > 0 && report.rejected > 0,
            "{}: the mutations reach both outcomes: {report:?}",
            target.provider
        );
    }
}

#[test]
fn the_harness_reports_a_panicking_decoder() {
    fn panics_on_braces(
        _: &str,
        body: &[u8],
        _: &mut dyn FnMut(provider_clients::core::observe::Undeclared),
    ) -> Option<Result<(), provider_clients::core::observe::Undecodable>> {
        assert!(!body.starts_with(b"{"), "a decoder bug");
        Some(Ok(()))
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let target = targets().into_iter().next().unwrap().with_decoder(panics_on_braces);
    let report = target.run(200, 1);
    std::panic::set_hook(previous);
    assert!(report.panic_count > 0, "{report:?}");
}
