//! The `sopsim` binary: parse arguments, call the library, map errors to exit codes.

use clap::Parser;

fn main() {
    let cli = sopsim::cli::Cli::parse();
    if let Err(e) = sopsim::main_with(cli) {
        eprint!("{}", e.message());
        if !e.message().ends_with('\n') {
            eprintln!();
        }
        std::process::exit(e.code());
    }
}
