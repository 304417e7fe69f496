//! The one error map: store errors, policy refusals and bad input as gRPC
//! statuses. Handlers build no `Status` themselves; they return these
//! errors, or the few named refusals below.

use tonic::Status;

use super::outcome::Fail;
use crate::domain::Invalid;
use crate::export::RenderFailed;
use crate::policy::Denied;
use crate::security::password::HashFailed;
use crate::store::StoreError;

impl From<StoreError> for Status {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Status::not_found("not found"),
            StoreError::Invalid { field, message } => {
                Status::invalid_argument(format!("{field}: {message}"))
            }
            StoreError::FailedPrecondition(m) => Status::failed_precondition(m),
            StoreError::AlreadyExists(m) => Status::already_exists(m),
            StoreError::Closed => shutting_down(),
            StoreError::Unwritable(why) => {
                tracing::error!(error = %why, "a write was not stored");
                Status::unavailable("the store cannot be written at the moment; try again later")
            }
            e @ (StoreError::Sqlite(_)
            | StoreError::Migration(_)
            | StoreError::Corrupt(_)
            | StoreError::Io(_)) => {
                tracing::error!(error = %e, "store failure");
                Status::internal("internal error")
            }
        }
    }
}

impl From<Denied> for Status {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => Status::not_found("not found"),
            Denied::Forbidden(why) => Status::permission_denied(why),
        }
    }
}

impl From<Fail> for Status {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Store(e) => e.into(),
            Fail::Denied(d) => d.into(),
            Fail::Invalid(e) => e.into(),
        }
    }
}

impl From<Invalid> for Status {
    fn from(e: Invalid) -> Self {
        invalid(&e.field, e.message)
    }
}

impl From<RenderFailed> for Status {
    fn from(e: RenderFailed) -> Self {
        tracing::error!(error = %e, "export failed");
        Status::internal("internal error")
    }
}

impl From<HashFailed> for Status {
    fn from(e: HashFailed) -> Self {
        tracing::error!(error = %e, "password hashing failed");
        Status::internal("internal error")
    }
}

/// The answer to a call that needs a signed-in caller and has none.
pub fn sign_in_first() -> Status {
    Status::unauthenticated("sign in first")
}

/// The answer to a wrong password or an unknown e-mail, alike.
pub fn wrong_credentials() -> Status {
    Status::unauthenticated("wrong e-mail or password")
}

/// The answer to the right password of an account that may not sign in.
pub fn no_portal_access() -> Status {
    Status::unauthenticated(
        "this account is disabled or has no portal access; ask your company's Admin",
    )
}

/// The answer to a refresh token that is unknown, used or expired.
pub fn sign_in_ended() -> Status {
    Status::unauthenticated("this sign-in has ended; sign in again")
}

/// The answer to a locked account: a rate limit, with the minutes left.
pub fn locked(left_ms: i64) -> Status {
    let minutes = (left_ms + 59_999) / 60_000;
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    with_retry_after(
        Status::resource_exhausted(format!(
            "account locked after too many failed sign-ins; try again in {minutes} {unit}"
        )),
        left_ms,
    )
}

/// The answer to any sign-in from an address that must wait after too many
/// failures, whatever the e-mail and password.
pub fn address_throttled(left_ms: i64) -> Status {
    let seconds = (left_ms + 999) / 1_000;
    let unit = if seconds == 1 { "second" } else { "seconds" };
    with_retry_after(
        Status::resource_exhausted(format!(
            "too many failed sign-ins from your address; try again in {seconds} {unit}"
        )),
        left_ms,
    )
}

/// `status` with `retry-after` metadata: whole seconds to wait, rounded up.
fn with_retry_after(mut status: Status, left_ms: i64) -> Status {
    let seconds = (left_ms.max(0) + 999) / 1_000;
    if let Ok(value) = seconds.to_string().parse() {
        status.metadata_mut().insert("retry-after", value);
    }
    status
}

/// The answer to a token whose session has ended (revoked, idle or past
/// its expiry).
pub fn session_ended() -> Status {
    Status::unauthenticated("your session has ended; sign in again")
}

/// What open streams end with, and calls the store can no longer take.
pub fn shutting_down() -> Status {
    Status::unavailable("the server is shutting down")
}

/// A call refused at the door because the server already serves all it
/// can (`--max-in-flight`); sent by the transport, before any handler.
pub fn busy() -> Status {
    Status::resource_exhausted("the server is busy; try again in a moment")
}

/// The answer when the session could not be looked up.
pub fn session_lookup_failed(e: &StoreError) -> Status {
    tracing::error!(error = %e, "session lookup failed");
    Status::unavailable("try again")
}

/// The answer to anything but a password change from a session with a
/// temporary password.
pub fn change_password_first() -> Status {
    Status::permission_denied("change your temporary password before anything else")
}

/// The answer when an upload cannot be spooled to disk.
pub fn spool_failed(e: &std::io::Error) -> Status {
    tracing::error!(error = %e, "cannot spool an upload");
    Status::unavailable("the server cannot take files right now; try again")
}

/// The answer to an upload whose next piece did not come within `idle`.
pub fn upload_stalled(idle: std::time::Duration) -> Status {
    Status::deadline_exceeded(format!(
        "data: nothing arrived for {} s; send the file again",
        idle.as_secs()
    ))
}

/// The answer to an upload past the limit of `max` bytes.
pub fn upload_too_large(max: u64) -> Status {
    const MIB: u64 = 1024 * 1024;
    let limit = if max >= MIB && max.is_multiple_of(MIB) {
        format!("{} MiB", max / MIB)
    } else {
        format!("{max} bytes")
    };
    Status::resource_exhausted(format!(
        "data: the file is larger than the upload limit of {limit}"
    ))
}

/// A bad field: INVALID_ARGUMENT whose message starts with the field's name.
pub fn invalid(field: &str, message: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!("{field}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real SQLite failure, whose text names tables and SQL.
    fn sqlite_error() -> StoreError {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.prepare("SELECT password_hash FROM secret_table WHERE id = 1")
            .map(drop)
            .unwrap_err()
            .into()
    }

    #[test]
    fn internal_errors_reach_clients_as_a_generic_message() {
        let e = sqlite_error();
        assert!(e.to_string().contains("secret_table"), "{e}");
        for e in [
            e,
            StoreError::Corrupt("bad JSON in tickets.fields: SELECT fields FROM tickets".into()),
            serde_json::from_str::<i64>("{").unwrap_err().into(),
        ] {
            let s = Status::from(e);
            assert_eq!(s.code(), tonic::Code::Internal);
            assert_eq!(s.message(), "internal error");
            assert!(s.details().is_empty());
            assert!(s.metadata().is_empty());
        }
    }

    #[test]
    fn refusals_name_the_field_and_keep_their_meaning() {
        let s = Status::from(StoreError::invalid("po_number", "required"));
        assert_eq!(s.code(), tonic::Code::InvalidArgument);
        assert_eq!(s.message(), "po_number: required");
        assert_eq!(
            Status::from(StoreError::NotFound).message(),
            Status::from(Denied::NotFound).message()
        );
        assert_eq!(
            invalid("title", "at most 200 characters").message(),
            "title: at most 200 characters"
        );
    }
}
