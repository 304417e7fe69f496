//! Time staff log on tickets. Billing sets `billed_at`; a billed entry is
//! never changed again.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::work::{TimeEntry, TimeInput};

const COLUMNS: &str = "e.id, e.ticket_id, e.company_id, e.staff_id, e.staff_name,
        e.work_type_id, w.name, e.started_at, e.ended_at, e.minutes, e.billable, e.note,
        e.note_public, e.created_at, e.billed_at";
const FROM: &str = "FROM time_entries e JOIN work_types w ON w.id = e.work_type_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TimeEntry> {
    Ok(TimeEntry {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        company_id: r.get(2)?,
        staff_id: r.get(3)?,
        staff_name: r.get(4)?,
        work_type_id: r.get(5)?,
        work_type_name: r.get(6)?,
        started_at: r.get(7)?,
        ended_at: r.get(8)?,
        minutes: r.get(9)?,
        billable: r.get(10)?,
        note: r.get(11)?,
        note_public: r.get(12)?,
        created_at: r.get(13)?,
        billed_at: r.get(14)?,
    })
}

/// Whose entry it is and on what.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub ticket_id: i64,
    pub company_id: i64,
    pub staff_id: i64,
    pub staff_name: &'a str,
}

pub fn add(conn: &Connection, owner: Owner<'_>, t: &TimeInput, now: i64) -> Result<TimeEntry> {
    conn.prepare_cached(
        "INSERT INTO time_entries (ticket_id, company_id, staff_id, staff_name, work_type_id,
            started_at, ended_at, minutes, billable, note, note_public, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    )?
    .execute(params![
        owner.ticket_id,
        owner.company_id,
        owner.staff_id,
        owner.staff_name,
        t.work_type_id,
        t.started_at,
        t.ended_at,
        t.minutes,
        t.billable,
        t.note,
        t.note_public,
        now
    ])?;
    get(conn, conn.last_insert_rowid())?.ok_or(StoreError::NotFound)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<TimeEntry>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} {FROM} WHERE e.id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

fn billed() -> StoreError {
    StoreError::FailedPrecondition("this time was billed already and can no longer change".into())
}

/// Changes an unbilled entry.
pub fn update(conn: &Connection, id: i64, t: &TimeInput, now: i64) -> Result<TimeEntry> {
    let changed = conn
        .prepare_cached(
            "UPDATE time_entries SET work_type_id = ?2, started_at = ?3, ended_at = ?4,
                minutes = ?5, billable = ?6, note = ?7, note_public = ?8, updated_at = ?9
             WHERE id = ?1 AND billed_at IS NULL",
        )?
        .execute(params![
            id,
            t.work_type_id,
            t.started_at,
            t.ended_at,
            t.minutes,
            t.billable,
            t.note,
            t.note_public,
            now
        ])?;
    if changed == 0 {
        return Err(billed());
    }
    get(conn, id)?.ok_or(StoreError::NotFound)
}

/// Deletes an unbilled entry.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let gone = conn
        .prepare_cached("DELETE FROM time_entries WHERE id = ?1 AND billed_at IS NULL")?
        .execute([id])?;
    if gone == 0 {
        return Err(billed());
    }
    Ok(())
}

/// A ticket's entries, oldest first; only billable ones when `billable_only`.
pub fn list(conn: &Connection, ticket_id: i64, billable_only: bool) -> Result<Vec<TimeEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM} WHERE e.ticket_id = ?1 AND (e.billable OR NOT ?2) ORDER BY e.ended_at, e.id"
    ))?;
    let rows = stmt
        .query_map(params![ticket_id, billable_only], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A staff member's entries that ended in `from..to` (ms), oldest first,
/// with their tickets' titles.
pub fn of_staff(
    conn: &Connection,
    staff_id: i64,
    (from, to): (i64, i64),
) -> Result<Vec<(TimeEntry, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, t.title {FROM} JOIN tickets t ON t.id = e.ticket_id
         WHERE e.staff_id = ?1 AND e.ended_at >= ?2 AND e.ended_at < ?3
         ORDER BY e.ended_at, e.id"
    ))?;
    let rows = stmt
        .query_map(params![staff_id, from, to], |r| {
            Ok((from_row(r)?, r.get(15)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    fn input(work_type_id: i64, ended_at: i64, minutes: i64, billable: bool) -> TimeInput {
        TimeInput {
            work_type_id,
            started_at: None,
            ended_at,
            minutes,
            billable,
            note: "fixed".into(),
            note_public: false,
        }
    }

    #[test]
    fn entries_change_until_billed_and_list_by_ticket_and_by_staff() {
        let (_dir, conn) = temp_conn();
        let wt = super::super::work_types::create(&conn, "Remote")
            .unwrap()
            .id;
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let owner = Owner {
            ticket_id: a,
            company_id: COMPANY_A,
            staff_id: TOM,
            staff_name: "Tom Tech",
        };
        let e1 = add(&conn, owner, &input(wt, 1_000, 30, true), 1).unwrap();
        let e2 = add(&conn, owner, &input(wt, 2_000, 15, false), 2).unwrap();
        assert_eq!(e1.work_type_name, "Remote");
        let changed = update(&conn, e1.id, &input(wt, 1_000, 45, true), 3).unwrap();
        assert_eq!(changed.minutes, 45);
        assert_eq!(list(&conn, a, false).unwrap().len(), 2);
        assert_eq!(
            list(&conn, a, true).unwrap(),
            std::slice::from_ref(&changed)
        );
        let mine = of_staff(&conn, TOM, (0, 1_500)).unwrap();
        assert_eq!(
            mine.into_iter().map(|(e, t)| (e.id, t)).collect::<Vec<_>>(),
            [(e1.id, "a".to_owned())]
        );
        assert!(of_staff(&conn, DINA, (0, 10_000)).unwrap().is_empty());
        conn.execute(
            "UPDATE time_entries SET billed_at = 9 WHERE id = ?1",
            [e1.id],
        )
        .unwrap();
        assert!(matches!(
            update(&conn, e1.id, &input(wt, 1_000, 60, true), 4),
            Err(StoreError::FailedPrecondition(_))
        ));
        assert!(matches!(
            delete(&conn, e1.id),
            Err(StoreError::FailedPrecondition(_))
        ));
        delete(&conn, e2.id).unwrap();
        assert_eq!(get(&conn, e2.id).unwrap(), None);
        assert_eq!(get(&conn, e1.id).unwrap().unwrap().minutes, 45);
    }
}
