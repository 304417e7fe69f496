//! What decides who sees a ticket, as plain facts: the scope a list is
//! read in, and what the store knows about one ticket. `crate::policy`
//! decides with them; `crate::store` reads them.

use super::TicketStatus;

/// Which tickets a list may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketScope {
    /// Staff: every company.
    All,
    /// The company's tickets, plus any where the contact is requester or subscriber.
    Company { company_id: i64, contact_id: i64 },
    /// Only tickets where the contact is requester or subscriber.
    Own { contact_id: i64 },
}

/// What the store knows about one ticket, relative to the caller.
#[derive(Debug, Clone, Copy)]
pub struct TicketFacts {
    pub company_id: i64,
    pub contact_id: i64,
    pub status: TicketStatus,
    pub assigned_staff_id: Option<i64>,
    /// The caller (a contact) subscribes to it.
    pub caller_subscribed: bool,
    /// The caller (a staff member) is one of its other assignees.
    pub caller_assigned: bool,
    /// The ticket's company lets Users see all its tickets.
    pub users_see_all: bool,
}

/// How a contact stands to a ticket's company, for making it a subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A contact of the company.
    Own,
    /// A contact of another company, related to this one.
    Related,
    /// Anyone else, or no contact at all.
    Stranger,
}
