//! `taprain`: parse the command line, set up logging, run the chosen command.
#![forbid(unsafe_code)]

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = taprain::config::Cli::parse();
    taprain::telemetry::init();
    match taprain::cli::run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
