//! Contacts who follow a ticket.

use rusqlite::{Connection, params};

use super::Result;
use crate::domain::Standing;
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

/// How `contact_id` stands to `company_id`: one of its contacts, a contact
/// of another company related to it, or neither (the only ones that may
/// subscribe are the first two).
pub fn standing(conn: &Connection, company_id: i64, contact_id: i64) -> Result<Standing> {
    let (own, related): (bool, bool) = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM contacts WHERE id = ?1 AND company_id = ?2),
                    EXISTS (SELECT 1 FROM contact_related_companies
                            WHERE contact_id = ?1 AND company_id = ?2)",
        )?
        .query_row(params![contact_id, company_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(if own {
        Standing::Own
    } else if related {
        Standing::Related
    } else {
        Standing::Stranger
    })
}

/// Whether `contact_id` subscribes to the ticket.
pub fn is_subscribed(conn: &Connection, ticket_id: i64, contact_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM ticket_subscribers WHERE ticket_id = ?1 AND contact_id = ?2)",
        )?
        .query_row(params![ticket_id, contact_id], |r| r.get(0))?)
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
        assert!(is_subscribed(&conn, t, MARK).unwrap());
        assert!(set(&conn, t, MARK, false).unwrap());
        assert!(!set(&conn, t, MARK, false).unwrap());
        assert!(!is_subscribed(&conn, t, MARK).unwrap());
        assert!(!is_subscribed(&conn, t, UMA).unwrap());
        assert_eq!(standing(&conn, COMPANY_A, UMA).unwrap(), Standing::Own);
        assert_eq!(standing(&conn, COMPANY_A, BOB).unwrap(), Standing::Stranger);
        assert_eq!(standing(&conn, COMPANY_A, 999).unwrap(), Standing::Stranger);
        conn.execute(
            "INSERT INTO contact_related_companies (contact_id, company_id) VALUES (?1, ?2)",
            params![BOB, COMPANY_A],
        )
        .unwrap();
        assert_eq!(standing(&conn, COMPANY_A, BOB).unwrap(), Standing::Related);
    }
}
