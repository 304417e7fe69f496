//! Mail in the outbox: what caused it, to whom, and how far sending got
//! (docs/MAIL.md).

use super::Notifications;

/// What caused a message; stored as its `as_str` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    TicketCreated,
    StaffReply,
    StatusChanged,
    AwaitingSignOff,
    RatingRequested,
    EstimateAwaiting,
    PasswordResetRequested,
    AccessRequested,
    InvoiceSent,
}

impl MailKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket.created",
            Self::StaffReply => "ticket.staff_reply",
            Self::StatusChanged => "ticket.status_changed",
            Self::AwaitingSignOff => "ticket.awaiting_sign_off",
            Self::RatingRequested => "ticket.rating_requested",
            Self::EstimateAwaiting => "estimate.awaiting_approval",
            Self::PasswordResetRequested => "request.password_reset",
            Self::AccessRequested => "request.access",
            Self::InvoiceSent => "invoice.sent",
        }
    }

    /// Whether a contact with these preferences gets mail of this kind.
    /// Estimates count as the provider's replies; requests go to their
    /// resolvers whatever they prefer.
    pub fn wanted_by(self, n: &Notifications) -> bool {
        match self {
            Self::TicketCreated => n.ticket_created,
            Self::StaffReply | Self::EstimateAwaiting => n.staff_reply,
            Self::StatusChanged => n.status_changed,
            // Closing ends the completion the contact follows with this switch.
            Self::AwaitingSignOff | Self::RatingRequested => n.ticket_completed,
            Self::PasswordResetRequested | Self::AccessRequested | Self::InvoiceSent => true,
        }
    }
}

/// One message to one recipient, as queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub ticket_number: Option<i64>,
    /// The contact it goes to, when it is about a ticket: the sender gives
    /// them a reply address of their own (docs/MAIL.md).
    pub contact_id: Option<i64>,
}

/// A message of the outbox as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub ticket_number: Option<i64>,
    pub contact_id: Option<i64>,
    pub created_at: i64,
    pub attempts: u32,
    pub last_error: String,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
}
