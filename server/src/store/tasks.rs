//! Checklist items on tickets.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Result;
use crate::domain::tickets::Task;

const COLUMNS: &str = "id, ticket_id, text, done, done_by, done_at, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        text: r.get(2)?,
        done: r.get(3)?,
        done_by: r.get(4)?,
        done_at: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn list(conn: &Connection, ticket_id: i64) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks WHERE ticket_id = ?1 ORDER BY id"
    ))?;
    let tasks = stmt
        .query_map([ticket_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tasks)
}

/// Adds a task and bumps the ticket's `updated_at`.
pub fn add(conn: &Connection, ticket_id: i64, text: &str, now: i64) -> Result<Task> {
    conn.prepare_cached("INSERT INTO tasks (ticket_id, text, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![ticket_id, text, now])?;
    let id = conn.last_insert_rowid();
    super::tickets::touch(conn, ticket_id, now)?;
    Ok(Task {
        id,
        ticket_id,
        text: text.to_owned(),
        done: false,
        done_by: String::new(),
        done_at: None,
        created_at: now,
    })
}

/// Checks or unchecks a task of `ticket_id`; None when the ticket has no such task.
pub fn set_done(
    conn: &Connection,
    ticket_id: i64,
    task_id: i64,
    done: bool,
    by: &str,
    now: i64,
) -> Result<Option<Task>> {
    let task = conn
        .prepare_cached(&format!(
            "UPDATE tasks SET done = ?3,
                done_by = CASE WHEN ?3 THEN ?4 ELSE '' END,
                done_at = CASE WHEN ?3 THEN ?5 ELSE NULL END
             WHERE id = ?2 AND ticket_id = ?1 RETURNING {COLUMNS}"
        ))?
        .query_row(params![ticket_id, task_id, done, by, now], from_row)
        .optional()?;
    if task.is_some() {
        super::tickets::touch(conn, ticket_id, now)?;
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn tasks_are_added_checked_and_kept_to_their_ticket() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let b = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        let task = add(&conn, a, "Replace toner", 5).unwrap();
        assert!(
            set_done(&conn, b, task.id, true, "Tom", 6)
                .unwrap()
                .is_none()
        );
        let done = set_done(&conn, a, task.id, true, "Tom", 7)
            .unwrap()
            .unwrap();
        assert_eq!(
            (done.done, done.done_by.as_str(), done.done_at),
            (true, "Tom", Some(7))
        );
        let undone = set_done(&conn, a, task.id, false, "Tom", 8)
            .unwrap()
            .unwrap();
        assert_eq!((undone.done, undone.done_at), (false, None));
        assert_eq!(list(&conn, a).unwrap().len(), 1);
        assert!(list(&conn, b).unwrap().is_empty());
    }
}
