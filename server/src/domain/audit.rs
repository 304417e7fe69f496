//! What the audit log records: one name per kind of event, stored as the
//! dotted text the audit log's filter matches by prefix ("login" finds
//! "login.ok" and "login.failed").

/// A kind of audited event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditAction {
    #[default]
    LoginOk,
    LoginFailed,
    LoginRefresh,
    Lockout,
    PasswordChange,
    PasswordChangeFailed,
    PasswordReset,
    PasswordResetRequested,
    AccessRequested,
    RequestDismissed,
    UserAdded,
    UserUpdated,
    UserEmailChanged,
    UserEnabled,
    UserDisabled,
    RoleChange,
    CompanyCreated,
    CompanyUpdated,
    StaffAdded,
    StaffEnabled,
    StaffDisabled,
    EstimateProposed,
    EstimateApproved,
    EstimateDeclined,
    SignedOff,
    WorkTypeChanged,
    WorkSettingsChanged,
    SlaChanged,
    MailRetried,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginOk => "login.ok",
            Self::LoginFailed => "login.failed",
            Self::LoginRefresh => "login.refresh",
            Self::Lockout => "lockout",
            Self::PasswordChange => "password.change",
            Self::PasswordChangeFailed => "password.change_failed",
            Self::PasswordReset => "password.reset",
            Self::PasswordResetRequested => "password.reset_requested",
            Self::AccessRequested => "access.requested",
            Self::RequestDismissed => "request.dismissed",
            Self::UserAdded => "user.added",
            Self::UserUpdated => "user.updated",
            Self::UserEmailChanged => "user.email_changed",
            Self::UserEnabled => "user.enabled",
            Self::UserDisabled => "user.disabled",
            Self::RoleChange => "role.change",
            Self::CompanyCreated => "company.created",
            Self::CompanyUpdated => "company.updated",
            Self::StaffAdded => "staff.added",
            Self::StaffEnabled => "staff.enabled",
            Self::StaffDisabled => "staff.disabled",
            Self::EstimateProposed => "estimate.proposed",
            Self::EstimateApproved => "estimate.approved",
            Self::EstimateDeclined => "estimate.declined",
            Self::SignedOff => "ticket.signed_off",
            Self::WorkTypeChanged => "work_type.changed",
            Self::WorkSettingsChanged => "settings.work",
            Self::SlaChanged => "sla.changed",
            Self::MailRetried => "mail.retried",
        }
    }
}
