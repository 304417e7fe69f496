//! Estimates, sign-offs and time (docs/TICKETS.md "Estimates" and
//! "Sign-off", docs/MONEY.md "Time entries"): plain types and their rules.

/// Where an estimate stands. Expiry is not a state: a pending estimate past
/// its last day simply cannot be decided any more (`Estimate::expired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimateState {
    Pending,
    Approved,
    Declined,
}

impl EstimateState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "declined" => Self::Declined,
            _ => return None,
        })
    }

    /// What the timeline and the client show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Proposed",
            Self::Approved => "Approved",
            Self::Declined => "Declined",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub id: i64,
    pub ticket_id: i64,
    pub company_id: i64,
    pub description: String,
    pub amount_cents: i64,
    /// YYYY-MM-DD, the last day it may be decided (UTC).
    pub expires_on: Option<String>,
    pub proposed_by: i64,
    pub proposed_by_name: String,
    pub proposed_at: i64,
    pub state: EstimateState,
    pub decided_by_name: String,
    pub decided_at: Option<i64>,
    pub comment: String,
}

impl Estimate {
    /// Still pending after its last day (`today` is YYYY-MM-DD, UTC).
    pub fn expired(&self, today: &str) -> bool {
        self.state == EstimateState::Pending
            && self.expires_on.as_deref().is_some_and(|last| last < today)
    }
}

/// The UTC date of an instant (milliseconds), as YYYY-MM-DD: the day
/// estimate expiry is judged by.
pub fn utc_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An amount of cents as the provider's currency shows it: `1,234.50`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// A client's sign-off of a Completed ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub ticket_id: i64,
    pub contact_id: i64,
    /// The signer's name on record when it signed.
    pub contact_name: String,
    pub typed_name: String,
    pub comment: String,
    pub signed_at: i64,
    /// The latest resolution post when it signed, and its text.
    pub resolution_entry_id: Option<i64>,
    pub resolution: String,
}

/// The typed name matches the name on record: the same words in the same
/// order, ignoring case and spacing (docs/TICKETS.md "Sign-off").
pub fn name_matches(typed: &str, on_record: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let typed = words(typed);
    !typed.is_empty() && typed == words(on_record)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkType {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// Time logged on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub company_id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub work_type_id: i64,
    pub work_type_name: String,
    /// None: logged as a duration.
    pub started_at: Option<i64>,
    pub ended_at: i64,
    pub minutes: i64,
    pub billable: bool,
    pub note: String,
    /// The client may read the note.
    pub note_public: bool,
    pub created_at: i64,
    pub billed_at: Option<i64>,
}

/// What a staff member logs (or changes an entry to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeInput {
    pub work_type_id: i64,
    pub started_at: Option<i64>,
    pub ended_at: i64,
    pub minutes: i64,
    pub billable: bool,
    pub note: String,
    pub note_public: bool,
}

/// A staff member's running timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    pub staff_id: i64,
    pub ticket_id: i64,
    pub ticket_title: String,
    pub started_at: i64,
}

/// Whole minutes from `start` to `end` (milliseconds), rounded to the
/// nearest minute and at least one (docs/MONEY.md: hours are whole minutes).
pub fn minutes_between(start: i64, end: i64) -> i64 {
    ((end - start + 30_000) / 60_000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(123_456_789), "1,234,567.89");
        assert_eq!(money(-100_000), "-1,000.00");
    }

    #[test]
    fn names_match_by_words_ignoring_case_and_spacing() {
        assert!(name_matches("  uma   ULM ", "Uma Ulm"));
        assert!(!name_matches("Uma", "Uma Ulm"));
        assert!(!name_matches("", ""));
        assert!(!name_matches("Ulm Uma", "Uma Ulm"));
    }

    #[test]
    fn minutes_round_to_the_nearest_and_never_to_zero() {
        assert_eq!(minutes_between(0, 10_000), 1);
        assert_eq!(minutes_between(0, 89_999), 1);
        assert_eq!(minutes_between(0, 90_000), 2);
        assert_eq!(minutes_between(0, 3_600_000), 60);
    }

    #[test]
    fn an_estimate_expires_after_its_last_day_only_while_pending() {
        let mut e = Estimate {
            id: 1,
            ticket_id: 1,
            company_id: 1,
            description: String::new(),
            amount_cents: 1,
            expires_on: Some("2026-03-10".into()),
            proposed_by: 1,
            proposed_by_name: String::new(),
            proposed_at: 0,
            state: EstimateState::Pending,
            decided_by_name: String::new(),
            decided_at: None,
            comment: String::new(),
        };
        assert!(!e.expired("2026-03-10"));
        assert!(e.expired("2026-03-11"));
        e.state = EstimateState::Approved;
        assert!(!e.expired("2026-03-11"));
    }
}
