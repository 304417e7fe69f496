//! The provider's staff members.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, columns, credentials};
use crate::domain::{StaffMember, StaffRole};

const SELECT: &str = "SELECT id, first_name, last_name, email, role, active, created_at FROM staff";

fn from_row(r: &Row) -> rusqlite::Result<StaffMember> {
    Ok(StaffMember {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        email: r.get(3)?,
        role: columns::role(r, 4)?,
        active: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<StaffMember> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Every staff member (the provider's staff is small), by name.
/// Staff by name, `limit` of them after the (last name, first name, id) key.
pub fn list(
    conn: &Connection,
    include_inactive: bool,
    after: Option<(String, String, i64)>,
    limit: u32,
) -> Result<Vec<StaffMember>> {
    let (last, first, id) =
        after.map_or((None, None, None), |(l, f, i)| (Some(l), Some(f), Some(i)));
    conn.prepare_cached(&format!(
        "{SELECT} WHERE (?1 OR active)
           AND (?2 IS NULL OR (last_name, first_name, id) > (?2, ?3, ?4))
         ORDER BY last_name, first_name, id LIMIT {limit}"
    ))?
    .query_map(params![include_inactive, last, first, id], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

pub fn insert(
    conn: &Connection,
    first_name: &str,
    last_name: &str,
    email: &str,
    role: StaffRole,
    now: i64,
) -> Result<i64> {
    credentials::ensure_email_free(conn, email, None)?;
    conn.prepare_cached(
        "INSERT INTO staff (email, first_name, last_name, role, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![email, first_name, last_name, role.as_str(), now])?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, member: &StaffMember) -> Result<()> {
    let rows = conn
        .prepare_cached(
            "UPDATE staff SET first_name = ?2, last_name = ?3, role = ?4, active = ?5 WHERE id = ?1",
        )?
        .execute(params![
            member.id,
            member.first_name,
            member.last_name,
            member.role.as_str(),
            member.active
        ])?;
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A staff member's own name change (My Account).
pub fn set_name(conn: &Connection, id: i64, first_name: &str, last_name: &str) -> Result<()> {
    let rows = conn
        .prepare_cached("UPDATE staff SET first_name = ?2, last_name = ?3 WHERE id = ?1")?
        .execute(params![id, first_name, last_name])?;
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
