//! Estimates, sign-offs, work types and time: domain -> pb.

use portal_proto::pb;

use super::{opt_timestamp, timestamp};
use crate::domain::work::{Estimate, EstimateState, SignOff, TimeEntry, Timer, WorkType};

/// An estimate as of `today` (YYYY-MM-DD, UTC): a pending one past its last
/// day shows as expired.
pub fn estimate(e: Estimate, today: &str, ticket_title: String) -> pb::Estimate {
    let state = match e.state {
        EstimateState::Pending if e.expired(today) => pb::EstimateState::Expired,
        EstimateState::Pending => pb::EstimateState::Pending,
        EstimateState::Approved => pb::EstimateState::Approved,
        EstimateState::Declined => pb::EstimateState::Declined,
    };
    pb::Estimate {
        id: e.id,
        ticket_number: e.ticket_id,
        description: e.description,
        amount_cents: e.amount_cents,
        expires_on: e.expires_on.unwrap_or_default(),
        proposed_by: e.proposed_by_name,
        proposed_at: Some(timestamp(e.proposed_at)),
        state: state.into(),
        decided_by: e.decided_by_name,
        decided_at: opt_timestamp(e.decided_at),
        comment: e.comment,
        ticket_title,
    }
}

pub fn sign_off(s: SignOff) -> pb::SignOffRecord {
    pb::SignOffRecord {
        ticket_number: s.ticket_id,
        signer_name: s.contact_name,
        typed_name: s.typed_name,
        comment: s.comment,
        signed_at: Some(timestamp(s.signed_at)),
        resolution: s.resolution,
    }
}

pub fn work_type(w: WorkType) -> pb::WorkType {
    pb::WorkType {
        id: w.id,
        name: w.name,
        active: w.active,
    }
}

/// A time entry; `me` is the caller's staff id, `public_only` hides an
/// internal note (a client's view).
pub fn time_entry(
    e: TimeEntry,
    me: Option<i64>,
    public_only: bool,
    ticket_title: String,
) -> pb::TimeEntry {
    let note = if public_only && !e.note_public {
        String::new()
    } else {
        e.note
    };
    pb::TimeEntry {
        id: e.id,
        ticket_number: e.ticket_id,
        staff_name: e.staff_name,
        work_type_id: e.work_type_id,
        work_type_name: e.work_type_name,
        started_at: opt_timestamp(e.started_at),
        ended_at: Some(timestamp(e.ended_at)),
        minutes: u32::try_from(e.minutes).unwrap_or(u32::MAX),
        billable: e.billable,
        note,
        note_public: e.note_public,
        billed: e.billed_at.is_some(),
        mine: me == Some(e.staff_id),
        ticket_title,
    }
}

/// A timer; `stopped_at` when it was just stopped.
pub fn timer(t: Option<Timer>, stopped_at: Option<i64>) -> pb::TimerState {
    match t {
        None => pb::TimerState::default(),
        Some(t) => pb::TimerState {
            running: stopped_at.is_none(),
            ticket_number: t.ticket_id,
            ticket_title: t.ticket_title,
            started_at: Some(timestamp(t.started_at)),
            stopped_at: opt_timestamp(stopped_at),
        },
    }
}
