//! `sandbox`: serve every provider simulation until interrupted (options: `sandbox::cli`).

fn main() -> std::io::Result<()> {
    let command = clap::Command::new("sandbox").about("A local simulation of every provider API in specs/");
    let matches = sandbox::cli::args(command).get_matches();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(sandbox::cli::serve(sandbox::cli::config(&matches)))
}
