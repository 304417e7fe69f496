//! Saved views: each staff member's named Triage filters and sort.

use rusqlite::types::Type;
use rusqlite::{Connection, Row, params};

use super::Result;
use crate::domain::tickets::SavedView;

/// A staff member keeps at most this many views.
pub const MAX_PER_STAFF: i64 = 50;

fn from_row(r: &Row<'_>) -> rusqlite::Result<SavedView> {
    let sort: String = r.get(7)?;
    Ok(SavedView {
        id: r.get(0)?,
        name: r.get(1)?,
        unassigned: r.get(2)?,
        mine: r.get(3)?,
        company_id: r.get(4)?,
        priority: r.get(5)?,
        breached: r.get(6)?,
        sort: serde_json::from_str(&sort)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, Type::Text, e.into()))?,
        descending: r.get(8)?,
    })
}

/// `staff_id`'s views, by name.
pub fn list(conn: &Connection, staff_id: i64) -> Result<Vec<SavedView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, unassigned, mine, company_id, priority, breached, sort, descending
         FROM saved_views WHERE staff_id = ?1 ORDER BY name COLLATE NOCASE, id",
    )?;
    let views = stmt
        .query_map([staff_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(views)
}

/// Saves `view` under its name for `staff_id`, replacing a view of the same
/// name; `None` when the staff member already has `MAX_PER_STAFF` others.
pub fn save(
    conn: &Connection,
    staff_id: i64,
    view: &SavedView,
    now: i64,
) -> Result<Option<SavedView>> {
    let others: i64 = conn
        .prepare_cached("SELECT count(*) FROM saved_views WHERE staff_id = ?1 AND name <> ?2")?
        .query_row(params![staff_id, view.name], |r| r.get(0))?;
    if others >= MAX_PER_STAFF {
        return Ok(None);
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO saved_views (staff_id, name, unassigned, mine, company_id, priority,
                 breached, sort, descending, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (staff_id, name) DO UPDATE SET unassigned = excluded.unassigned,
                 mine = excluded.mine, company_id = excluded.company_id,
                 priority = excluded.priority, breached = excluded.breached,
                 sort = excluded.sort, descending = excluded.descending
             RETURNING id",
        )?
        .query_row(
            params![
                staff_id,
                view.name,
                view.unassigned,
                view.mine,
                view.company_id,
                view.priority,
                view.breached,
                serde_json::to_string(&view.sort)?,
                view.descending,
                now
            ],
            |r| r.get(0),
        )?;
    Ok(Some(SavedView { id, ..view.clone() }))
}

/// Deletes `staff_id`'s view `id`; false when they have no such view.
pub fn delete(conn: &Connection, staff_id: i64, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM saved_views WHERE id = ?1 AND staff_id = ?2")?
        .execute(params![id, staff_id])?
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::TicketSort;
    use crate::store::testing::*;

    fn view(name: &str) -> SavedView {
        SavedView {
            id: 0,
            name: name.into(),
            unassigned: false,
            mine: true,
            company_id: Some(COMPANY_A),
            priority: Some(2),
            breached: true,
            sort: TicketSort::Priority,
            descending: true,
        }
    }

    #[test]
    fn views_are_saved_by_name_listed_and_deleted_per_staff_member() {
        let (_dir, conn) = temp_conn();
        let first = save(&conn, TOM, &view("Urgent"), 1).unwrap().unwrap();
        let again = save(
            &conn,
            TOM,
            &SavedView {
                breached: false,
                ..view("Urgent")
            },
            2,
        )
        .unwrap()
        .unwrap();
        assert_eq!(first.id, again.id, "the same name replaces the view");
        save(&conn, TOM, &view("anything"), 3).unwrap().unwrap();
        let names: Vec<String> = list(&conn, TOM)
            .unwrap()
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, ["anything", "Urgent"]);
        let stored = &list(&conn, TOM).unwrap()[1];
        assert_eq!(
            (stored.sort, stored.breached),
            (TicketSort::Priority, false)
        );
        assert!(list(&conn, DINA).unwrap().is_empty());
        assert!(
            !delete(&conn, DINA, first.id).unwrap(),
            "only the owner deletes"
        );
        assert!(delete(&conn, TOM, first.id).unwrap());
        assert_eq!(list(&conn, TOM).unwrap().len(), 1);
    }

    #[test]
    fn a_staff_member_keeps_a_bounded_number_of_views() {
        let (_dir, conn) = temp_conn();
        for i in 0..MAX_PER_STAFF {
            save(&conn, TOM, &view(&format!("v{i}")), i)
                .unwrap()
                .unwrap();
        }
        assert!(save(&conn, TOM, &view("one more"), 99).unwrap().is_none());
        assert!(
            save(&conn, TOM, &view("v3"), 99).unwrap().is_some(),
            "replacing is fine"
        );
    }
}
