//! Who is calling.

use std::fmt;

/// A contact's portal access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    None,
    User,
    Manager,
    Admin,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::User => "user",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "none" => Self::None,
            "user" => Self::User,
            "manager" => Self::Manager,
            "admin" => Self::Admin,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    Technician,
    Dispatcher,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Technician => "technician",
            Self::Dispatcher => "dispatcher",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "technician" => Self::Technician,
            "dispatcher" => Self::Dispatcher,
            "admin" => Self::Admin,
            _ => return None,
        })
    }
}

/// Which table a person who signs in lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Contact,
    Staff,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contact" => Some(Self::Contact),
            "staff" => Some(Self::Staff),
            _ => None,
        }
    }
}

/// A signed-in person and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Contact {
        contact_id: i64,
        company_id: i64,
        access: AccessLevel,
    },
    Staff {
        staff_id: i64,
        role: StaffRole,
    },
}

impl Principal {
    pub fn kind(&self) -> SubjectKind {
        match self {
            Self::Contact { .. } => SubjectKind::Contact,
            Self::Staff { .. } => SubjectKind::Staff,
        }
    }

    pub fn subject_id(&self) -> i64 {
        match self {
            Self::Contact { contact_id, .. } => *contact_id,
            Self::Staff { staff_id, .. } => *staff_id,
        }
    }

    /// A contact's company; staff belong to none.
    pub fn company_id(&self) -> Option<i64> {
        match self {
            Self::Contact { company_id, .. } => Some(*company_id),
            Self::Staff { .. } => None,
        }
    }
}

/// The authenticated caller of one request, put in the request's extensions
/// by the authentication interceptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    pub session_id: i64,
    pub email: String,
    pub name: String,
    /// A temporary password must be changed before anything else is allowed.
    pub must_change_password: bool,
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.email)
    }
}
