//! `sopsim serve`: a workshop page on this machine. The scenario's levers, grouped as
//! the file is, re-run live (a quick answer on a few trials, then all of them), drawn
//! over a baseline kept while the room tries variants, with the paired difference in
//! P(hit); variants saved as scenario files and the report downloaded.
//!
//! The server listens on 127.0.0.1 unless told otherwise, answers only requests
//! addressed to it by its own names and posts from its own page ([`guard`]), serves
//! only what is embedded in the binary, and writes no file: what the page downloads is
//! a response body. It stops on Ctrl-C (or SIGTERM): the runs in flight stop within a
//! few trials, the connections close, and the command exits with code 0.

mod api;
mod error;
pub mod guard;
mod levers;
pub mod linger;
pub mod state;

pub use api::{MAX_BODY_BYTES, router};
pub use error::Error;
pub use guard::Guard;
pub use linger::Lingering;
pub use state::Workshop;
