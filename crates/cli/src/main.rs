//! `simpul`: the headless Simpul device and admin tool.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
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

/// `simpul list | head` closes the pipe early; Rust ignores SIGPIPE and would then panic in
/// the next `println!`. Restore the default, so the process ends quietly as `cat` does.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
