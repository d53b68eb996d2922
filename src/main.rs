//! The `sopsim` binary: parse arguments, call the library, map errors to exit codes.

use clap::Parser;
use sopsim::format::visible_lines;

fn main() {
    let cli = sopsim::cli::Cli::parse();
    // Ctrl-C leaves the previous outputs as they were, and says so (exit code 130).
    if let Some(target) = sopsim::app::target(&cli)
        && let Err(e) = sopsim::report::exit_on_interrupt(target)
    {
        eprintln!("warning: {}", visible_lines(&e.to_string()));
    }
    if let Err(e) = sopsim::app::main_with(cli) {
        // The message may quote the user's text: its control characters are shown, not obeyed.
        eprint!("{}", visible_lines(&e.to_string()));
        std::process::exit(e.code());
    }
}
