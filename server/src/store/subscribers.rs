//! Contacts who follow a ticket.

use rusqlite::{Connection, params};

use super::Result;
use crate::domain::tickets::Subscriber;

pub fn list(conn: &Connection, ticket_id: i64) -> Result<Vec<Subscriber>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.first_name || ' ' || c.last_name, c.email
         FROM ticket_subscribers s JOIN contacts c ON c.id = s.contact_id
         WHERE s.ticket_id = ?1 ORDER BY c.last_name, c.first_name, c.id",
    )?;
    let subs = stmt
        .query_map([ticket_id], |r| {
            Ok(Subscriber {
                contact_id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(subs)
}

/// The contact ids subscribed to a ticket (for event audiences).
pub fn ids(conn: &Connection, ticket_id: i64) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT contact_id FROM ticket_subscribers WHERE ticket_id = ?1")?;
    let ids = stmt
        .query_map([ticket_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Whether `contact_id` is a contact of `company_id` (the only ones that may subscribe).
pub fn is_company_contact(conn: &Connection, company_id: i64, contact_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM contacts WHERE id = ?1 AND company_id = ?2)")?
        .query_row(params![contact_id, company_id], |r| r.get(0))?)
}

/// Adds or removes a subscriber; returns whether anything changed.
pub fn set(conn: &Connection, ticket_id: i64, contact_id: i64, subscribed: bool) -> Result<bool> {
    let sql = if subscribed {
        "INSERT OR IGNORE INTO ticket_subscribers (ticket_id, contact_id) VALUES (?1, ?2)"
    } else {
        "DELETE FROM ticket_subscribers WHERE ticket_id = ?1 AND contact_id = ?2"
    };
    Ok(conn
        .prepare_cached(sql)?
        .execute(params![ticket_id, contact_id])?
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn subscribing_is_idempotent() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        assert!(set(&conn, t, MARK, true).unwrap());
        assert!(!set(&conn, t, MARK, true).unwrap());
        assert_eq!(list(&conn, t).unwrap()[0].name, "Mark Moss");
        assert_eq!(ids(&conn, t).unwrap(), vec![MARK]);
        assert!(set(&conn, t, MARK, false).unwrap());
        assert!(!set(&conn, t, MARK, false).unwrap());
        assert!(is_company_contact(&conn, COMPANY_A, UMA).unwrap());
        assert!(!is_company_contact(&conn, COMPANY_A, BOB).unwrap());
    }
}
