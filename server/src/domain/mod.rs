//! Plain domain types shared by the store, the policy and the services.

mod identity;
mod status;

pub use identity::{AccessLevel, Caller, Principal, StaffRole, SubjectKind};
pub use status::{StatusGroup, TicketStatus, client_moves, staff_moves};
