//! Store and policy errors as gRPC statuses.

use tonic::Status;

use crate::policy::Denied;
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
            StoreError::Closed => Status::unavailable("the server is shutting down"),
            e @ (StoreError::Sqlite(_) | StoreError::Migration(_) | StoreError::Corrupt(_)) => {
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

/// A bad field: INVALID_ARGUMENT whose message starts with the field's name.
pub fn invalid(field: &str, message: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!("{field}: {message}"))
}
