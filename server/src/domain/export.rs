//! What a ticket's export holds (docs/TICKETS.md, "Save and print").

use super::tickets::{Attachment, Task, Ticket, TimelineEntry};
use super::work::{Estimate, SignOff};

/// Everything a ticket's exported documents show: all public, never an
/// internal note.
#[derive(Debug, Clone)]
pub struct TicketRecord {
    /// Who the documents come from.
    pub provider_name: String,
    /// The provider's time zone, in which times are shown.
    pub zone: chrono_tz::Tz,
    pub ticket: Ticket,
    /// The service type's form fields as (label, value), in the form's order.
    pub fields: Vec<(String, String)>,
    /// The public timeline, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub tasks: Vec<Task>,
    pub attachments: Vec<Attachment>,
    /// Its estimates, oldest first, with their decisions.
    pub estimates: Vec<Estimate>,
    /// The client's sign-off, once signed.
    pub sign_off: Option<SignOff>,
}
