//! Whether this process may use the files of the machine it runs on. Under
//! the SSH gateway (`portal --gateway`) that machine is the server: its
//! files, its `$EDITOR` (a shell escape) and its keyring belong to no one at
//! the other end, so every place that would read or write one asks [`check`]
//! first and shows [`Refused`] when it says no.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once at start-up for the whole process: the gateway runs one client
/// process per SSH session.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// From now on this process uses no local files (`--gateway`).
pub fn refuse() {
    REFUSED.store(true, Ordering::Relaxed);
}

/// Whether this process serves an SSH session (`--gateway`).
pub fn over_ssh() -> bool {
    REFUSED.load(Ordering::Relaxed)
}

/// Whether local files, the editor and the keyring may be used.
pub fn check() -> Result<(), Refused> {
    if over_ssh() { Err(Refused) } else { Ok(()) }
}

/// The answer wherever a local file or the editor was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

impl Refused {
    /// The answer in lines short enough for a small popup.
    pub fn lines(self) -> Vec<String> {
        [
            "Files and $EDITOR are not available over SSH:",
            "use the built-in editor, or the installed portal",
            "client for files.",
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join(" "))
    }
}

impl From<Refused> for tonic::Status {
    fn from(refused: Refused) -> Self {
        tonic::Status::failed_precondition(refused.to_string())
    }
}

impl From<Refused> for String {
    fn from(refused: Refused) -> Self {
        refused.to_string()
    }
}
