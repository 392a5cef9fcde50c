//! `simpul`: the headless Simpul device and admin tool.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let lang = cli.lang;
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}", output::error_message(&err, lang));
            ExitCode::FAILURE
        }
    }
}
