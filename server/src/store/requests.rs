//! Pending password-reset and access requests for company Admins and staff.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::{PendingRequest, RequestKind};

const SELECT: &str = "
    SELECT p.id, p.kind, p.company_id, co.name, p.contact_id,
           c.first_name || ' ' || c.last_name, c.email, p.message, p.created_at,
           p.resolved_at IS NOT NULL
    FROM pending_requests p
    JOIN companies co ON co.id = p.company_id
    JOIN contacts c ON c.id = p.contact_id";

fn from_row(r: &Row) -> rusqlite::Result<PendingRequest> {
    let kind: String = r.get(1)?;
    Ok(PendingRequest {
        id: r.get(0)?,
        kind: RequestKind::parse(&kind).unwrap_or(RequestKind::Access),
        company_id: r.get(2)?,
        company_name: r.get(3)?,
        contact_id: r.get(4)?,
        contact_name: r.get(5)?,
        email: r.get(6)?,
        message: r.get(7)?,
        created_at: r.get(8)?,
        resolved: r.get(9)?,
    })
}

/// Files a request unless the contact already has an open one of this kind
/// (then only its message is updated). Returns whether one was created.
pub fn open(
    conn: &Connection,
    kind: RequestKind,
    company_id: i64,
    contact_id: i64,
    message: &str,
    now: i64,
) -> Result<bool> {
    let updated = conn
        .prepare_cached(
            "UPDATE pending_requests SET message = ?3
             WHERE kind = ?1 AND contact_id = ?2 AND resolved_at IS NULL",
        )?
        .execute(params![kind.as_str(), contact_id, message])?;
    if updated > 0 {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO pending_requests (kind, company_id, contact_id, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![kind.as_str(), company_id, contact_id, message, now])?;
    Ok(true)
}

/// Open requests, oldest first, `limit` of them after request `after`; of
/// one company or of all.
pub fn list_open(
    conn: &Connection,
    company_id: Option<i64>,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<PendingRequest>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE p.resolved_at IS NULL AND (?1 IS NULL OR p.company_id = ?1)
           AND (?2 IS NULL OR p.id > ?2)
         ORDER BY p.id LIMIT {limit}"
    ))?
    .query_map(params![company_id, after], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

pub fn get(conn: &Connection, id: i64) -> Result<PendingRequest> {
    conn.prepare_cached(&format!("{SELECT} WHERE p.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Marks an open request resolved; refuses one already resolved.
pub fn resolve(conn: &Connection, id: i64, by: &str, approved: bool, now: i64) -> Result<()> {
    let rows = conn
        .prepare_cached(
            "UPDATE pending_requests SET resolved_at = ?2, resolved_by = ?3, approved = ?4
             WHERE id = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![id, now, by, approved])?;
    if rows == 0 {
        return Err(StoreError::FailedPrecondition(
            "this request has already been resolved".into(),
        ));
    }
    Ok(())
}
