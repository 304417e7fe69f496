//! Staff assigned to a ticket besides its primary assignee
//! (`tickets.assigned_staff_id`).

use rusqlite::{Connection, params};

use super::Result;

/// Adds (as of `now`) or removes `staff_id` as another assignee of ticket
/// `number`; returns whether anything changed.
pub fn set(conn: &Connection, number: i64, staff_id: i64, on: bool, now: i64) -> Result<bool> {
    let changed = if on {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO ticket_assignees (ticket_id, staff_id, added_at)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![number, staff_id, now])?
    } else {
        conn.prepare_cached("DELETE FROM ticket_assignees WHERE ticket_id = ?1 AND staff_id = ?2")?
            .execute(params![number, staff_id])?
    };
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::tickets;

    #[test]
    fn others_are_added_once_removed_once_and_shown_in_order() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        assert!(set(&conn, t, DINA, true, 5).unwrap());
        assert!(!set(&conn, t, DINA, true, 6).unwrap());
        assert!(set(&conn, t, TOM, true, 7).unwrap());
        let ticket = tickets::load(&conn, t).unwrap();
        let ids: Vec<i64> = ticket.other_assignees.iter().map(|a| a.staff_id).collect();
        assert_eq!(ids, vec![DINA, TOM]);
        assert!(!ticket.other_assignees[0].name.is_empty());
        // Made primary, a staff member leaves the others.
        tickets::assign(&conn, t, Some(TOM), "Service", 8).unwrap();
        let ticket = tickets::load(&conn, t).unwrap();
        assert_eq!(ticket.other_assignees.len(), 1);
        assert!(set(&conn, t, DINA, false, 9).unwrap());
        assert!(!set(&conn, t, DINA, false, 9).unwrap());
        assert!(tickets::load(&conn, t).unwrap().other_assignees.is_empty());
    }
}
