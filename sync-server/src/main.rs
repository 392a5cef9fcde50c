use std::process::ExitCode;

use clap::Parser;
use simpul_server::cli::{Cli, run};
use simpul_server::error::Chain;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("simpul-server: {}", Chain(&error));
            ExitCode::FAILURE
        }
    }
}
