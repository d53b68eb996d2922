//! What a Ctrl-C (or SIGTERM) does: it waits for a write in progress to finish or be
//! undone, says what became of the command's outputs, and exits with code 130. The
//! writers of this module's parent hold [`state`] while they write, so an interrupt
//! never sees a half-written folder.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use super::Error;
use crate::format::visible_path;

/// Where a command puts what it writes, for the message of an interrupt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An output folder.
    Folder(PathBuf),
    /// One file (a shard's partial file).
    File(PathBuf),
    /// Not known yet (`merge` learns its folder from the parts); a write says where.
    Later,
}

/// What has been written, and where; the lock is held while a write is in progress, so
/// an interrupt waits for it to finish or be undone.
pub(super) struct State {
    pub(super) target: Option<Target>,
    pub(super) written: bool,
}

static STATE: Mutex<State> = Mutex::new(State { target: None, written: false });

pub(super) fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// On Ctrl-C (or SIGTERM), waits for a write in progress to finish or be undone, says
/// what became of the outputs of `target`, and exits with code 130. No temporary file
/// or folder is left behind: the writers remove their own before they return.
pub fn exit_on_interrupt(target: Target) -> Result<(), Error> {
    state().target = Some(target);
    ctrlc::set_handler(move || {
        let s = state();
        let message = match (&s.target, s.written) {
            (Some(Target::Folder(d)), false) => format!("the previous outputs in {} are unchanged", visible_path(d)),
            (Some(Target::Folder(d)), true) => {
                format!("the new outputs in {} were already written whole", visible_path(d))
            }
            (Some(Target::File(f)), false) => format!("{} is unchanged", visible_path(f)),
            (Some(Target::File(f)), true) => format!("{} was already written whole", visible_path(f)),
            (Some(Target::Later) | None, _) => "nothing was written".to_string(),
        };
        eprintln!("interrupted; {message}");
        std::process::exit(130);
    })
    .map_err(|e| Error::Interrupt(e.to_string()))
}
