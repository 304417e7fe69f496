//! The store's one error type.

/// What can go wrong in the store; mapped to gRPC codes in `service::status`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such object, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// Bad input that only the store can judge (e.g. a PO number the company requires).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The object is in a state that forbids the change; the message says what is allowed.
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration error: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    /// Reading a spooled upload failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the store is shutting down")]
    Closed,
    /// The writer's commit failed (disk full, a read-only or failing
    /// disk): nothing of the write was stored, and a later one may succeed.
    #[error("the store cannot be written: {0}")]
    Unwritable(String),
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error with an `Invalid` field named as part of `parent`
    /// (`sites` becomes `company.sites`), for callers whose wire message
    /// nests the value the store checked.
    #[must_use]
    pub fn within(self, parent: &str) -> Self {
        match self {
            Self::Invalid { field, message } => Self::Invalid {
                field: format!("{parent}.{field}"),
                message,
            },
            other => other,
        }
    }
}

impl From<crate::domain::Invalid> for StoreError {
    fn from(e: crate::domain::Invalid) -> Self {
        Self::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
