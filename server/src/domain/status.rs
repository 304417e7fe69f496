//! Ticket statuses and their groups. The numbers are the stored values.

/// A ticket's status (docs/TICKETS.md, "Statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TicketStatus {
    New = 1,
    InProgress = 2,
    WaitingOnClient = 3,
    Scheduled = 4,
    Completed = 5,
    Closed = 6,
    Cancelled = 7,
    NoActionRequired = 8,
}

impl TicketStatus {
    pub const ALL: [Self; 8] = [
        Self::New,
        Self::InProgress,
        Self::WaitingOnClient,
        Self::Scheduled,
        Self::Completed,
        Self::Closed,
        Self::Cancelled,
        Self::NoActionRequired,
    ];

    pub fn from_i64(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as i64 == n)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::InProgress => "In Progress",
            Self::WaitingOnClient => "Waiting on Client",
            Self::Scheduled => "Scheduled",
            Self::Completed => "Completed",
            Self::Closed => "Closed",
            Self::Cancelled => "Cancelled",
            Self::NoActionRequired => "No Action Required",
        }
    }

    pub fn group(self) -> StatusGroup {
        match self {
            Self::New | Self::InProgress | Self::WaitingOnClient | Self::Scheduled => {
                StatusGroup::Open
            }
            Self::Completed => StatusGroup::Completed,
            Self::Closed | Self::Cancelled | Self::NoActionRequired => StatusGroup::Closed,
        }
    }

    pub fn is_open(self) -> bool {
        self.group() == StatusGroup::Open
    }
}

/// The stored `status_group` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusGroup {
    Open = 1,
    Completed = 2,
    Closed = 3,
}

/// The moves a client may make from `from` (docs/TICKETS.md, "Who may
/// move it where"): cancel or mark an open ticket as needing no action;
/// reject completion (→ In Progress) of a completed one. Closing is signing
/// off, with the signer's name (WorkService.SignOff), never a bare move.
pub fn client_moves(from: TicketStatus) -> &'static [TicketStatus] {
    use TicketStatus::{Cancelled, InProgress, NoActionRequired};
    match from.group() {
        StatusGroup::Open => &[Cancelled, NoActionRequired],
        StatusGroup::Completed => &[InProgress],
        StatusGroup::Closed => &[],
    }
}

/// The moves staff may make from `from`: between open states (never back to
/// New) and to Completed; a completed ticket may be reopened.
pub fn staff_moves(from: TicketStatus) -> &'static [TicketStatus] {
    use TicketStatus::{Completed, InProgress, New, Scheduled, WaitingOnClient};
    match from {
        New => &[InProgress, WaitingOnClient, Scheduled, Completed],
        InProgress => &[WaitingOnClient, Scheduled, Completed],
        WaitingOnClient => &[InProgress, Scheduled, Completed],
        Scheduled => &[InProgress, WaitingOnClient, Completed],
        Completed => &[InProgress],
        _ => &[],
    }
}
