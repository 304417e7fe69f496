//! Conversions between domain types and `pb` messages, in one place.

use portal_proto::pb;
use prost_types::Timestamp;
use tonic::Status;

use super::status::invalid;

use crate::domain::{AccessLevel, StaffRole, TicketStatus};

/// A stored time (UTC milliseconds) as a protobuf timestamp.
pub fn timestamp(ms: i64) -> Timestamp {
    Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
    }
}

pub fn opt_timestamp(ms: Option<i64>) -> Option<Timestamp> {
    ms.map(timestamp)
}

pub fn access_to_pb(a: AccessLevel) -> pb::AccessLevel {
    match a {
        AccessLevel::None => pb::AccessLevel::None,
        AccessLevel::User => pb::AccessLevel::User,
        AccessLevel::Manager => pb::AccessLevel::Manager,
        AccessLevel::Admin => pb::AccessLevel::Admin,
    }
}

pub fn access_from_pb(a: pb::AccessLevel) -> Option<AccessLevel> {
    match a {
        pb::AccessLevel::Unspecified => None,
        pb::AccessLevel::None => Some(AccessLevel::None),
        pb::AccessLevel::User => Some(AccessLevel::User),
        pb::AccessLevel::Manager => Some(AccessLevel::Manager),
        pb::AccessLevel::Admin => Some(AccessLevel::Admin),
    }
}

pub fn role_to_pb(r: StaffRole) -> pb::StaffRole {
    match r {
        StaffRole::Technician => pb::StaffRole::Technician,
        StaffRole::Dispatcher => pb::StaffRole::Dispatcher,
        StaffRole::Admin => pb::StaffRole::Admin,
    }
}

/// A required security level sent as a raw number: an unknown number is
/// named as such, UNSPECIFIED is missing.
pub fn required_access(field: &str, raw: i32) -> Result<AccessLevel, Status> {
    let level =
        pb::AccessLevel::try_from(raw).map_err(|_| invalid(field, "not a known security level"))?;
    access_from_pb(level).ok_or_else(|| invalid(field, "required"))
}

/// A required staff role sent as a raw number, like [`required_access`].
pub fn required_role(field: &str, raw: i32) -> Result<StaffRole, Status> {
    let role = pb::StaffRole::try_from(raw).map_err(|_| invalid(field, "not a known role"))?;
    role_from_pb(role).ok_or_else(|| invalid(field, "required"))
}

pub fn role_from_pb(r: pb::StaffRole) -> Option<StaffRole> {
    match r {
        pb::StaffRole::Unspecified => None,
        pb::StaffRole::Technician => Some(StaffRole::Technician),
        pb::StaffRole::Dispatcher => Some(StaffRole::Dispatcher),
        pb::StaffRole::Admin => Some(StaffRole::Admin),
    }
}

pub fn status_to_pb(s: TicketStatus) -> pb::TicketStatus {
    match s {
        TicketStatus::New => pb::TicketStatus::New,
        TicketStatus::InProgress => pb::TicketStatus::InProgress,
        TicketStatus::WaitingOnClient => pb::TicketStatus::WaitingOnClient,
        TicketStatus::Scheduled => pb::TicketStatus::Scheduled,
        TicketStatus::Completed => pb::TicketStatus::Completed,
        TicketStatus::Closed => pb::TicketStatus::Closed,
        TicketStatus::Cancelled => pb::TicketStatus::Cancelled,
        TicketStatus::NoActionRequired => pb::TicketStatus::NoActionRequired,
    }
}

pub fn status_from_pb(s: pb::TicketStatus) -> Option<TicketStatus> {
    TicketStatus::from_i64(i64::from(s as i32))
}

// People, companies, requests and the audit log.
mod accounts;
pub mod billing;
pub mod knowledge;
pub mod sla;
pub use accounts::*;

// ---------------------------------------------------------------- tickets

pub mod reports;
pub mod tickets;
pub mod work;
