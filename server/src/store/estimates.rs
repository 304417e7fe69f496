//! Estimates on tickets: proposed by staff, decided once by the client.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::work::{Estimate, EstimateState};

const COLUMNS: &str = "id, ticket_id, company_id, description, amount_cents, expires_on,
    proposed_by, proposed_by_name, proposed_at, state, decided_by_name, decided_at, comment";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Estimate> {
    let state: String = r.get(9)?;
    Ok(Estimate {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        company_id: r.get(2)?,
        description: r.get(3)?,
        amount_cents: r.get(4)?,
        expires_on: r.get(5)?,
        proposed_by: r.get(6)?,
        proposed_by_name: r.get(7)?,
        proposed_at: r.get(8)?,
        state: EstimateState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                9,
                rusqlite::types::Type::Text,
                format!("estimate state {state}").into(),
            )
        })?,
        decided_by_name: r.get(10)?,
        decided_at: r.get(11)?,
        comment: r.get(12)?,
    })
}

/// What staff propose.
#[derive(Debug, Clone)]
pub struct Proposal<'a> {
    pub ticket_id: i64,
    pub company_id: i64,
    pub description: &'a str,
    pub amount_cents: i64,
    pub expires_on: Option<&'a str>,
    pub staff_id: i64,
    pub staff_name: &'a str,
}

pub fn propose(conn: &Connection, p: &Proposal<'_>, now: i64) -> Result<Estimate> {
    Ok(conn
        .prepare_cached(&format!(
            "INSERT INTO estimates (ticket_id, company_id, description, amount_cents, expires_on,
                proposed_by, proposed_by_name, proposed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {COLUMNS}"
        ))?
        .query_row(
            params![
                p.ticket_id,
                p.company_id,
                p.description,
                p.amount_cents,
                p.expires_on,
                p.staff_id,
                p.staff_name,
                now
            ],
            from_row,
        )?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Estimate>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM estimates WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// A ticket's estimates, oldest first.
pub fn list(conn: &Connection, ticket_id: i64) -> Result<Vec<Estimate>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM estimates WHERE ticket_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([ticket_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Approves or declines a pending estimate; refused when it was decided
/// already (a decision is final).
pub fn decide(
    conn: &Connection,
    id: i64,
    (state, contact_id, name): (EstimateState, i64, &str),
    comment: &str,
    now: i64,
) -> Result<Estimate> {
    conn.prepare_cached(&format!(
        "UPDATE estimates SET state = ?2, decided_by = ?3, decided_by_name = ?4,
            decided_at = ?5, comment = ?6
         WHERE id = ?1 AND state = 'pending' RETURNING {COLUMNS}"
    ))?
    .query_row(
        params![id, state.as_str(), contact_id, name, now, comment],
        from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::FailedPrecondition("this estimate was decided already".into()))
}

/// A company's estimates awaiting its decision, oldest first, with their
/// tickets' titles; at most `limit`. Expired ones are left out (`today`
/// is YYYY-MM-DD, UTC).
pub fn awaiting(
    conn: &Connection,
    company_id: i64,
    today: &str,
    limit: usize,
) -> Result<Vec<(Estimate, String)>> {
    let cols = COLUMNS
        .split(',')
        .map(|c| format!("e.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {cols}, t.title FROM estimates e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.company_id = ?1 AND e.state = 'pending'
           AND (e.expires_on IS NULL OR e.expires_on >= ?2)
         ORDER BY e.id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![company_id, today, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((from_row(r)?, r.get(13)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    fn proposal(ticket_id: i64, company_id: i64, expires_on: Option<&str>) -> Proposal<'_> {
        Proposal {
            ticket_id,
            company_id,
            description: "New switch",
            amount_cents: 45_000,
            expires_on,
            staff_id: TOM,
            staff_name: "Tom Tech",
        }
    }

    #[test]
    fn an_estimate_is_decided_once_and_awaits_only_its_company() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let b = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        let e = propose(&conn, &proposal(a, COMPANY_A, None), 5).unwrap();
        let old = propose(&conn, &proposal(a, COMPANY_A, Some("2026-01-01")), 6).unwrap();
        propose(&conn, &proposal(b, COMPANY_B, None), 7).unwrap();
        assert_eq!(e.state, EstimateState::Pending);
        let waiting = awaiting(&conn, COMPANY_A, "2026-03-01", 10).unwrap();
        assert_eq!(
            waiting
                .iter()
                .map(|(e, t)| (e.id, t.as_str()))
                .collect::<Vec<_>>(),
            [(e.id, "a")]
        );
        let done = decide(
            &conn,
            e.id,
            (EstimateState::Approved, MARK, "Mark Moss"),
            "go",
            9,
        )
        .unwrap();
        assert_eq!(
            (done.state, done.decided_at, done.comment.as_str()),
            (EstimateState::Approved, Some(9), "go")
        );
        let again = decide(
            &conn,
            e.id,
            (EstimateState::Declined, MARK, "Mark Moss"),
            "",
            10,
        );
        assert!(matches!(again, Err(StoreError::FailedPrecondition(_))));
        assert_eq!(
            get(&conn, e.id).unwrap().unwrap().state,
            EstimateState::Approved
        );
        assert_eq!(list(&conn, a).unwrap().len(), 2);
        assert_eq!(
            get(&conn, old.id).unwrap().unwrap().expires_on.as_deref(),
            Some("2026-01-01")
        );
        assert!(
            awaiting(&conn, COMPANY_A, "2026-03-01", 10)
                .unwrap()
                .is_empty()
        );
    }
}
