//! How a command ends: the documented exit codes (docs/CLI.md) and the one
//! line on stderr that says what went wrong and what to do.

use std::fmt;
use std::process::ExitCode;

use crate::action::ApiError;

/// The exit codes, a stable interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Other = 1,
    Usage = 2,
    NotFound = 3,
    NotAllowed = 4,
    Invalid = 5,
    Unavailable = 6,
    SignedOut = 7,
}

impl Exit {
    /// What to do about it, after the message.
    fn hint(self) -> &'static str {
        match self {
            Exit::Other => "",
            Exit::Usage => "see `portal --help`",
            Exit::NotFound => "check the number or id: you see only what you may",
            Exit::NotAllowed => "your role may not do this; ask your Admin or the provider",
            Exit::Invalid => "fix the value named and try again",
            Exit::Unavailable => {
                "check that the server is running and its address (--server or PORTAL_SERVER)"
            }
            // Over the SSH gateway there is no `portal login`: keys sign in.
            Exit::SignedOut if crate::local_files::check().is_err() => {
                "add your SSH key in My Account (K, SSH keys): `ssh` with no command opens it"
            }
            Exit::SignedOut => "run `portal login` (scripts: set PORTAL_TOKEN)",
        }
    }
}

/// A command that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

pub type Done = Result<(), Failure>;

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Exit::Other, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Bad input, naming the field as the server does (`field: message`).
    pub fn invalid(field: &str, message: impl fmt::Display) -> Self {
        Self::new(Exit::Invalid, format!("{field}: {message}"))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Exit::NotFound, message)
    }

    /// A local file could not be read or written.
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        Self::other(format!("{}: {e}", path.display()))
    }

    pub fn code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl fmt::Display for Failure {
    /// One line: the message, then what to do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match self.exit.hint() {
            "" => write!(f, "portal: {message}"),
            hint => write!(f, "portal: {message} ({hint})"),
        }
    }
}

/// A local file or the editor over the SSH gateway: not for this machine.
impl From<crate::local_files::Refused> for Failure {
    fn from(refused: crate::local_files::Refused) -> Self {
        Self::usage(refused.to_string())
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        use tonic::Code;
        let exit = match e.code {
            Code::NotFound => Exit::NotFound,
            Code::PermissionDenied | Code::FailedPrecondition => Exit::NotAllowed,
            Code::InvalidArgument | Code::AlreadyExists | Code::OutOfRange => Exit::Invalid,
            Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted => {
                Exit::Unavailable
            }
            Code::Unauthenticated => Exit::SignedOut,
            _ => Exit::Other,
        };
        // Scripts get the field as the server names it (`fields.device`).
        let message = if exit == Exit::Invalid && !e.message.is_empty() {
            e.message.clone()
        } else {
            e.text()
        };
        Self::new(exit, message)
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        ApiError::from_status(&status).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codes_map_to_the_documented_exits() {
        let exit = |code, message: &str| {
            Failure::from(ApiError {
                code,
                message: message.into(),
            })
        };
        assert_eq!(exit(tonic::Code::NotFound, "x").exit, Exit::NotFound);
        assert_eq!(
            exit(tonic::Code::PermissionDenied, "x").exit,
            Exit::NotAllowed
        );
        let bad = exit(tonic::Code::InvalidArgument, "title: must not be empty");
        assert_eq!(bad.exit, Exit::Invalid);
        assert_eq!(
            bad.to_string(),
            "portal: title: must not be empty (fix the value named and try again)"
        );
        assert_eq!(exit(tonic::Code::Unavailable, "x").exit, Exit::Unavailable);
        assert_eq!(
            exit(tonic::Code::Unauthenticated, "x").exit,
            Exit::SignedOut
        );
        assert_eq!(exit(tonic::Code::Internal, "x").exit, Exit::Other);
        assert_eq!(
            exit(tonic::Code::Internal, "a\nb").to_string(),
            "portal: a b"
        );
    }
}
