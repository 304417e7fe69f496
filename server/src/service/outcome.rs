//! How every handler's work meets the store. A handler validates its
//! input, then runs one closure on a connection (`AppState::read`,
//! `read_inline` or `write`) that reads what it needs, authorises with
//! `crate::policy`, and changes or loads; its result is converted to `pb`.
//! Inside the closure a refusal is a `Fail`; every `Fail` reaches the
//! client through the one error map (`service::status`).

use rusqlite::Connection;
use tonic::Status;

use super::AppState;
use crate::domain::Invalid;
use crate::policy::Denied;
use crate::store::{self, StoreError};

/// Why work inside a store closure stopped.
///
/// `Store` errors roll a write back. `Denied` and `Invalid` must only be
/// returned before anything was written (authorization and checks come
/// first), since they let the (empty) write commit.
#[derive(Debug)]
pub enum Fail {
    Store(StoreError),
    Denied(Denied),
    Invalid(Invalid),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<Denied> for Fail {
    fn from(d: Denied) -> Self {
        Self::Denied(d)
    }
}

impl From<Invalid> for Fail {
    fn from(e: Invalid) -> Self {
        Self::Invalid(e)
    }
}

pub type Outcome<T> = Result<T, Fail>;

/// A refusal carried as a value, so the store commits or rolls back on
/// store errors alone.
enum Refusal {
    Denied(Denied),
    Invalid(Invalid),
}

impl From<Refusal> for Status {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Denied(d) => d.into(),
            Refusal::Invalid(e) => e.into(),
        }
    }
}

/// An outcome as the store carries it: a store error fails the store call (a
/// write rolls back), a refusal is a value.
fn nest<T>(outcome: Outcome<T>) -> store::Result<Result<T, Refusal>> {
    match outcome {
        Ok(v) => Ok(Ok(v)),
        Err(Fail::Store(e)) => Err(e),
        Err(Fail::Denied(d)) => Ok(Err(Refusal::Denied(d))),
        Err(Fail::Invalid(e)) => Ok(Err(Refusal::Invalid(e))),
    }
}

impl AppState {
    /// One write transaction (group-committed with others).
    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Outcome<T> + Send + 'static,
    ) -> Result<T, Status> {
        Ok(self.store.write(move |conn| nest(f(conn))).await??)
    }

    /// A read whose cost grows with the data, off the async threads.
    pub(super) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Outcome<T> + Send + 'static,
    ) -> Result<T, Status> {
        Ok(self.store.read(move |conn| nest(f(conn))).await??)
    }

    /// A point read or index-ordered page, on this thread (see
    /// `Store::read_inline`).
    pub(super) fn read_inline<T>(
        &self,
        f: impl FnOnce(&Connection) -> Outcome<T>,
    ) -> Result<T, Status> {
        Ok(self.store.read_inline(|conn| nest(f(conn)))??)
    }
}
