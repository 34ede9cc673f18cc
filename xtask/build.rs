// Empty: the xtask has build dependencies only to unify features with the workspace
// (see Cargo.toml), and cargo resolves build dependencies only for a package with a build script.
fn main() {}
