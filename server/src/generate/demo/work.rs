//! Estimates (pending, approved, declined), time entries and a sign-off
//! record on a few of Harbor's newest tickets, so the screens that show
//! them have something to show. They add no timeline entries: the
//! generated timelines end where each ticket's history does.

use rusqlite::{Connection, OptionalExtension, params};

use super::clock::{DAY, HOUR, MINUTE};
use super::people::{CompanyRef, People, StaffRef};
use crate::domain::TicketStatus;
use crate::domain::work::{EstimateState, SignOff, TimeInput};
use crate::store::estimates::{self, Proposal};
use crate::store::time_entries::{self, Owner};
use crate::store::timeline;
use crate::store::{self, signoffs, tickets};

/// The newest ticket of `company` in `status`, if any.
fn newest(conn: &Connection, company: i64, status: TicketStatus) -> store::Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM tickets WHERE company_id = ?1 AND status = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![company, status as i64], |r| r.get(0))
        .optional()?)
}

/// An estimate on `number` by `staff`, decided by `decider` when given.
fn estimate(
    conn: &Connection,
    (number, company): (i64, &CompanyRef),
    staff: &StaffRef,
    (description, amount_cents): (&str, i64),
    decided: Option<(EstimateState, &str)>,
    now: i64,
) -> store::Result<()> {
    let ticket = tickets::load(conn, number)?;
    let proposed_at = (ticket.updated_at + 10 * MINUTE).min(now - 2 * HOUR);
    let proposal = Proposal {
        ticket_id: number,
        company_id: company.id,
        description,
        amount_cents,
        expires_on: None,
        staff_id: staff.id,
        staff_name: &staff.name,
    };
    let proposed = estimates::propose(conn, &proposal, proposed_at)?;
    let Some((state, comment)) = decided else {
        return Ok(());
    };
    // The company's Manager decides.
    let Some(manager) = company.contacts.iter().find(|c| c.access == "manager") else {
        return Ok(());
    };
    let at = proposed_at + HOUR;
    estimates::decide(
        conn,
        proposed.id,
        (state, manager.id, &manager.name),
        comment,
        at,
    )
    .map(drop)
}

/// Time `staff` spent on `number`, ending `ago` before now.
fn time(
    conn: &Connection,
    (number, company): (i64, &CompanyRef),
    staff: &StaffRef,
    (minutes, billable, note): (i64, bool, &str),
    (ago, now): (i64, i64),
) -> store::Result<()> {
    let work_type_id: i64 = conn
        .prepare_cached("SELECT id FROM work_types WHERE active = 1 ORDER BY id LIMIT 1")?
        .query_row([], |r| r.get(0))?;
    let ended_at = now - ago;
    let input = TimeInput {
        work_type_id,
        started_at: Some(ended_at - minutes * MINUTE),
        ended_at,
        minutes,
        billable,
        note: note.to_owned(),
        note_public: true,
    };
    let owner = Owner {
        ticket_id: number,
        company_id: company.id,
        staff_id: staff.id,
        staff_name: &staff.name,
    };
    time_entries::add(conn, owner, &input, ended_at).map(drop)
}

pub fn insert(conn: &Connection, people: &People, now: i64) -> store::Result<()> {
    let (Some(harbor), Some(tech)) = (
        people.companies.first(),
        people.staff_by_role("technician").map(|i| &people.staff[i]),
    ) else {
        return Ok(());
    };
    if let Some(open) = newest(conn, harbor.id, TicketStatus::InProgress)? {
        let on = (open, harbor);
        estimate(
            conn,
            on,
            tech,
            ("A replacement power supply, fitted", 18_500),
            None,
            now,
        )?;
        time(
            conn,
            on,
            tech,
            (45, true, "Diagnosed the failing unit"),
            (DAY, now),
        )?;
        time(
            conn,
            on,
            tech,
            (15, false, "Follow-up call"),
            (3 * HOUR, now),
        )?;
    }
    if let Some(done) = newest(conn, harbor.id, TicketStatus::Completed)? {
        let on = (done, harbor);
        let approved = Some((EstimateState::Approved, "Go ahead, thank you"));
        estimate(
            conn,
            on,
            tech,
            ("Two hours of on-site work", 30_000),
            approved,
            now,
        )?;
        let declined = Some((EstimateState::Declined, "Not this quarter"));
        estimate(
            conn,
            on,
            tech,
            ("A new switch for the back office", 64_900),
            declined,
            now,
        )?;
        time(
            conn,
            on,
            tech,
            (90, true, "On site: replaced and tested"),
            (2 * DAY, now),
        )?;
    }
    if let Some(closed) = newest(conn, harbor.id, TicketStatus::Closed)? {
        let ticket = tickets::load(conn, closed)?;
        if signoffs::get(conn, closed)?.is_none() {
            let resolution = timeline::latest_resolution(conn, closed)?;
            signoffs::record(
                conn,
                &SignOff {
                    ticket_id: closed,
                    contact_id: ticket.contact_id,
                    contact_name: ticket.contact_name.clone(),
                    typed_name: ticket.contact_name.clone(),
                    comment: "Works again, thanks.".into(),
                    signed_at: ticket.closed_at.unwrap_or(now),
                    resolution_entry_id: resolution.as_ref().map(|r| r.0),
                    resolution: resolution.map(|r| r.1).unwrap_or_default(),
                },
            )?;
        }
    }
    Ok(())
}
