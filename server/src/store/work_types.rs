//! The kinds of work time is logged as; provider Admins edit the list.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::work::WorkType;

fn from_row(r: &Row<'_>) -> rusqlite::Result<WorkType> {
    Ok(WorkType {
        id: r.get(0)?,
        name: r.get(1)?,
        active: r.get(2)?,
    })
}

/// By name; retired ones only when `include_retired`.
pub fn list(conn: &Connection, include_retired: bool) -> Result<Vec<WorkType>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, active FROM work_types WHERE ?1 OR active
         ORDER BY name COLLATE NOCASE, id",
    )?;
    let rows = stmt
        .query_map([include_retired], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn taken(e: rusqlite::Error, name: &str) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::AlreadyExists(format!("a work type named {name:?} exists already"))
        }
        other => other.into(),
    }
}

pub fn create(conn: &Connection, name: &str) -> Result<WorkType> {
    conn.prepare_cached("INSERT INTO work_types (name) VALUES (?1) RETURNING id, name, active")?
        .query_row([name], from_row)
        .map_err(|e| taken(e, name))
}

/// None when there is no such work type.
pub fn rename(conn: &Connection, id: i64, name: &str) -> Result<Option<WorkType>> {
    conn.prepare_cached("UPDATE work_types SET name = ?2 WHERE id = ?1 RETURNING id, name, active")?
        .query_row(params![id, name], from_row)
        .optional()
        .map_err(|e| taken(e, name))
}

/// Retires (`active` false) or restores a work type; its entries keep it.
pub fn set_active(conn: &Connection, id: i64, active: bool) -> Result<Option<WorkType>> {
    Ok(conn
        .prepare_cached(
            "UPDATE work_types SET active = ?2 WHERE id = ?1 RETURNING id, name, active",
        )?
        .query_row(params![id, active], from_row)
        .optional()?)
}

/// Whether time may be logged as `id` (it exists and is not retired).
pub fn is_active(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT active FROM work_types WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn work_types_are_created_renamed_and_retired() {
        let (_dir, conn) = temp_conn();
        let remote = create(&conn, "Remote support").unwrap();
        let onsite = create(&conn, "On-site").unwrap();
        assert!(matches!(
            create(&conn, "remote SUPPORT"),
            Err(StoreError::AlreadyExists(_))
        ));
        assert!(matches!(
            rename(&conn, onsite.id, "Remote support"),
            Err(StoreError::AlreadyExists(_))
        ));
        let renamed = rename(&conn, onsite.id, "On site").unwrap().unwrap();
        assert_eq!(renamed.name, "On site");
        assert!(rename(&conn, 99, "x").unwrap().is_none());
        set_active(&conn, remote.id, false).unwrap().unwrap();
        assert!(!is_active(&conn, remote.id).unwrap());
        assert!(!is_active(&conn, 99).unwrap());
        let names = |v: Vec<WorkType>| v.into_iter().map(|w| w.name).collect::<Vec<_>>();
        assert_eq!(names(list(&conn, false).unwrap()), ["On site"]);
        assert_eq!(
            names(list(&conn, true).unwrap()),
            ["On site", "Remote support"]
        );
    }
}
