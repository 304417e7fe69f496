//! Running timers: at most one per staff member, kept on the server.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError};
use crate::domain::work::Timer;

/// The staff member's running timer.
pub fn get(conn: &Connection, staff_id: i64) -> Result<Option<Timer>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.staff_id, m.ticket_id, t.title, m.started_at
             FROM timers m JOIN tickets t ON t.id = m.ticket_id WHERE m.staff_id = ?1",
        )?
        .query_row([staff_id], |r| {
            Ok(Timer {
                staff_id: r.get(0)?,
                ticket_id: r.get(1)?,
                ticket_title: r.get(2)?,
                started_at: r.get(3)?,
            })
        })
        .optional()?)
}

/// Starts the staff member's timer on a ticket; refused while one runs.
pub fn start(conn: &Connection, staff_id: i64, ticket_id: i64, now: i64) -> Result<Timer> {
    if let Some(running) = get(conn, staff_id)? {
        return Err(StoreError::FailedPrecondition(format!(
            "a timer is running on #{}; stop it first",
            running.ticket_id
        )));
    }
    conn.prepare_cached(
        "INSERT INTO timers (staff_id, ticket_id, started_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![staff_id, ticket_id, now])?;
    get(conn, staff_id)?.ok_or(StoreError::NotFound)
}

/// Stops (removes) the staff member's timer and returns it as it ran;
/// refused when none runs.
pub fn stop(conn: &Connection, staff_id: i64) -> Result<Timer> {
    let timer = get(conn, staff_id)?
        .ok_or_else(|| StoreError::FailedPrecondition("no timer is running".into()))?;
    conn.prepare_cached("DELETE FROM timers WHERE staff_id = ?1")?
        .execute([staff_id])?;
    Ok(timer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn one_timer_per_staff_member_until_stopped() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let b = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        assert!(matches!(
            stop(&conn, TOM),
            Err(StoreError::FailedPrecondition(_))
        ));
        let t = start(&conn, TOM, a, 100).unwrap();
        assert_eq!(
            (t.ticket_id, t.ticket_title.as_str(), t.started_at),
            (a, "a", 100)
        );
        assert!(matches!(
            start(&conn, TOM, b, 200),
            Err(StoreError::FailedPrecondition(_))
        ));
        start(&conn, DINA, b, 150).unwrap();
        assert_eq!(stop(&conn, TOM).unwrap(), t);
        assert_eq!(get(&conn, TOM).unwrap(), None);
        assert_eq!(get(&conn, DINA).unwrap().unwrap().ticket_id, b);
    }
}
