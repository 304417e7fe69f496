//! People, companies and the security records around them: contacts, staff,
//! credentials and lockout, pending requests, the audit log.

use serde::{Deserialize, Serialize};

use super::{AccessLevel, Principal, StaffRole, SubjectKind};

/// A postal address (stored as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Direct,
    Home,
    Mobile,
    Pager,
    Fax,
    FaxHome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    pub kind: PhoneKind,
    pub number: String,
    #[serde(default)]
    pub extension: String,
}

/// Which mails a contact wants (stored as JSON; everything on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)] // five independent switches
pub struct Notifications {
    pub ticket_created: bool,
    pub staff_reply: bool,
    pub status_changed: bool,
    pub ticket_completed: bool,
    pub invoices: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            ticket_created: true,
            staff_reply: true,
            status_changed: true,
            ticket_completed: true,
            invoices: true,
        }
    }
}

/// What may be edited about a contact besides its login e-mail and access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDetails {
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub home_email: String,
    pub private_email: String,
    pub phones: Vec<Phone>,
    pub use_company_address: bool,
    pub address: Address,
    pub notifications: Notifications,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub email: String,
    pub details: ContactDetails,
    pub access: AccessLevel,
    pub active: bool,
    pub related_company_ids: Vec<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// Locked out after too many failed sign-ins, at the time of reading.
    pub locked: bool,
}

impl Contact {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.details.first_name, self.details.last_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: StaffRole,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// 0 for a site not stored yet.
    pub id: i64,
    pub name: String,
    pub address: Address,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyPreferences {
    pub require_po_number: bool,
    pub users_see_all_tickets: bool,
    pub default_subscriber_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// 0 for a company not stored yet.
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub address: Address,
    pub sites: Vec<Site>,
    pub payment_terms_days: u32,
    pub preferences: CompanyPreferences,
    pub active: bool,
    pub created_at: i64,
}

/// Failed sign-in bookkeeping for one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockState {
    pub failed_count: u32,
    pub window_start: Option<i64>,
    pub locked_until: Option<i64>,
}

/// How many failures lock an account, and for how long (milliseconds).
#[derive(Debug, Clone, Copy)]
pub struct LockoutRule {
    pub threshold: u32,
    pub window_ms: i64,
    pub duration_ms: i64,
}

impl LockState {
    /// Milliseconds of lockout left at `now`, if locked.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|u| u - now)
    }

    /// The state after one more failed sign-in at `now`. Failures count within
    /// a window that starts at the first one; reaching the threshold locks the
    /// account and starts counting afresh.
    #[must_use]
    pub fn after_failure(self, now: i64, rule: LockoutRule) -> Self {
        let in_window = self
            .window_start
            .is_some_and(|start| now - start < rule.window_ms);
        let (count, start) = if in_window {
            (self.failed_count.saturating_add(1), self.window_start)
        } else {
            (1, Some(now))
        };
        if count >= rule.threshold.max(1) {
            Self {
                failed_count: 0,
                window_start: None,
                locked_until: Some(now + rule.duration_ms),
            }
        } else {
            Self {
                failed_count: count,
                window_start: start,
                locked_until: self.locked_until.filter(|u| *u > now),
            }
        }
    }
}

/// A stored password and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub password_hash: String,
    pub must_change: bool,
    pub lock: LockState,
}

/// Someone who may try to sign in, found by e-mail or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub kind: SubjectKind,
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The person (and, for a contact, its company) is active.
    pub active: bool,
    pub access: Option<AccessLevel>,
    pub role: Option<StaffRole>,
    pub company_id: Option<i64>,
    pub company_name: String,
    pub credential: Option<Credential>,
    /// The provider's time zone (IANA), in which the account is shown times.
    pub time_zone: String,
    /// The provider's name, as clients are told whose move it is.
    pub provider_name: String,
}

impl Account {
    /// Who this account is when signed in; `None` when it may not sign in
    /// (inactive, or a contact without portal access).
    pub fn principal(&self) -> Option<Principal> {
        if !self.active {
            return None;
        }
        match self.kind {
            SubjectKind::Contact => match (self.company_id, self.access) {
                (Some(company_id), Some(access)) if access != AccessLevel::None => {
                    Some(Principal::Contact {
                        contact_id: self.id,
                        company_id,
                        access,
                    })
                }
                _ => None,
            },
            SubjectKind::Staff => self.role.map(|role| Principal::Staff {
                staff_id: self.id,
                role,
            }),
        }
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn must_change(&self) -> bool {
        self.credential.as_ref().is_some_and(|c| c.must_change)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    PasswordReset,
    Access,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::Access => "access",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "password_reset" => Some(Self::PasswordReset),
            "access" => Some(Self::Access),
            _ => None,
        }
    }
}

/// A password-reset or access request waiting for an Admin or staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: i64,
    pub kind: RequestKind,
    pub company_id: i64,
    pub company_name: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub email: String,
    pub message: String,
    pub created_at: i64,
    pub resolved: bool,
}

/// One security- or money-relevant event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub company_id: Option<i64>,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: LockoutRule = LockoutRule {
        threshold: 3,
        window_ms: 1000,
        duration_ms: 5000,
    };

    #[test]
    fn failures_within_the_window_lock() {
        let s = LockState::default()
            .after_failure(0, RULE)
            .after_failure(10, RULE);
        assert_eq!(s.failed_count, 2);
        assert_eq!(s.locked_for(10), None);
        let s = s.after_failure(20, RULE);
        assert_eq!(s.locked_until, Some(5020));
        assert_eq!(s.locked_for(1020), Some(4000));
        assert_eq!(s.locked_for(5020), None);
        assert_eq!(s.failed_count, 0);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let s = LockState::default()
            .after_failure(0, RULE)
            .after_failure(10, RULE)
            .after_failure(1500, RULE);
        assert_eq!(s.failed_count, 1);
        assert_eq!(s.window_start, Some(1500));
        assert_eq!(s.locked_until, None);
    }

    #[test]
    fn contacts_without_access_or_inactive_cannot_sign_in() {
        let mut a = Account {
            kind: SubjectKind::Contact,
            id: 7,
            email: "a@b.example".into(),
            first_name: "A".into(),
            last_name: "B".into(),
            active: true,
            access: Some(AccessLevel::User),
            role: None,
            company_id: Some(3),
            company_name: "C".into(),
            credential: None,
            time_zone: "UTC".into(),
            provider_name: String::new(),
        };
        assert!(a.principal().is_some());
        a.access = Some(AccessLevel::None);
        assert!(a.principal().is_none());
        a.access = Some(AccessLevel::Admin);
        a.active = false;
        assert!(a.principal().is_none());
    }
}
