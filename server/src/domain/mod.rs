//! Plain domain types shared by the store, the policy and the services.

mod identity;
pub mod sla;
mod status;
pub mod tickets;

pub use identity::{AccessLevel, Caller, Principal, StaffRole, SubjectKind};
pub use status::{StatusGroup, TicketStatus, client_moves, staff_moves};
