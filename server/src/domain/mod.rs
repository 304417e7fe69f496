//! Plain domain types shared by the store, the policy and the services.

mod accounts;
mod audit;
pub mod export;
mod identity;
pub mod input;
pub mod knowledge;
pub mod mail;
pub mod money;
pub mod ratings;
pub mod reports;
pub mod sla;
mod status;
pub mod subscriptions;
mod ticket_access;
pub mod tickets;
pub mod work;

pub use accounts::{
    Account, Address, AuditEntry, Company, CompanyPreferences, Contact, ContactDetails, Credential,
    LockState, LockoutRule, Notifications, PendingRequest, Phone, PhoneKind, RequestKind, Site,
    StaffMember,
};
pub use audit::AuditAction;
pub use identity::{AccessLevel, Caller, Principal, StaffRole, SubjectKind};
pub use input::Invalid;
pub use status::{StatusGroup, TicketStatus, client_moves, staff_moves};
pub use ticket_access::{Standing, TicketFacts, TicketScope};
