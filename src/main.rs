//! The `sopsim` binary: parse arguments, call the library, map errors to exit codes.

use clap::Parser;
use sopsim::format::visible_lines;

fn main() {
    let cli = sopsim::cli::Cli::parse();
    // Ctrl-C leaves the previous outputs as they were, and says so (exit code 130).
    if let Some(target) = sopsim::target(&cli)
        && let Err(e) = sopsim::report::exit_on_interrupt(target)
    {
        eprintln!("warning: {}", visible_lines(e.message()));
    }
    if let Err(e) = sopsim::main_with(cli) {
        // The message may quote the user's text: its control characters are shown, not obeyed.
        eprint!("{}", visible_lines(e.message()));
        if !e.message().ends_with('\n') {
            eprintln!();
        }
        std::process::exit(e.code());
    }
}
