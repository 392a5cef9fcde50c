use std::process::ExitCode;

use clap::Parser;
use simpul_server::cli::{Cli, Command, run};
use simpul_server::error::Chain;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("simpul-server: {}", Chain(&error));
            ExitCode::FAILURE
        }
    }
}

/// `simpul-server conflicts | head` closes the pipe early; Rust ignores SIGPIPE and would
/// then panic in the next `println!`. The commands that print restore the default, so the
/// process ends quietly as `cat` does; `serve` keeps ignoring it (a client hanging up must
/// never end the server).
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called in main before the commands start any thread; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
