//! Who is mailed about what (docs/MAIL.md, "Who gets what").

use rusqlite::{Connection, params};

use super::{Result, columns};
use crate::domain::Notifications;

/// A contact who follows a ticket, with the mails they want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follower {
    pub contact_id: i64,
    pub email: String,
    pub notifications: Notifications,
}

fn follower(r: &rusqlite::Row<'_>) -> rusqlite::Result<Follower> {
    Ok(Follower {
        contact_id: r.get(0)?,
        email: r.get(1)?,
        notifications: columns::json(r, 2)?,
    })
}

/// The ticket's requester and subscribers who are active, requester first.
pub fn ticket_followers(conn: &Connection, ticket_id: i64) -> Result<Vec<Follower>> {
    let list = conn
        .prepare_cached(
            "SELECT c.id, c.email, c.notifications
             FROM contacts c
             WHERE c.active = 1 AND (
                 c.id = (SELECT contact_id FROM tickets WHERE id = ?1)
                 OR c.id IN (SELECT contact_id FROM ticket_subscribers WHERE ticket_id = ?1))
             ORDER BY c.id = (SELECT contact_id FROM tickets WHERE id = ?1) DESC, c.id",
        )?
        .query_map([ticket_id], follower)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// A company's active Managers and Admins: those who decide its estimates.
pub fn company_deciders(conn: &Connection, company_id: i64) -> Result<Vec<Follower>> {
    let list = conn
        .prepare_cached(
            "SELECT id, email, notifications FROM contacts
             WHERE company_id = ?1 AND access IN ('manager', 'admin') AND active = 1
             ORDER BY id",
        )?
        .query_map([company_id], follower)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// The e-mails of those who resolve a company's password-reset and access
/// requests: its active Admins (but `requester`) and the provider's active
/// Admins.
pub fn request_resolvers(
    conn: &Connection,
    company_id: i64,
    requester: i64,
) -> Result<Vec<String>> {
    let list = conn
        .prepare_cached(
            "SELECT email FROM contacts
             WHERE company_id = ?1 AND access = 'admin' AND active = 1 AND id != ?2
             UNION ALL
             SELECT email FROM staff WHERE role = 'admin' AND active = 1",
        )?
        .query_map(params![company_id, requester], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::subscribers;
    use crate::store::testing::*;

    #[test]
    fn followers_are_the_active_requester_and_subscribers() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        subscribers::set(&conn, t, ALICE, true).unwrap();
        subscribers::set(&conn, t, GONE, true).unwrap();
        conn.execute(
            "UPDATE contacts SET notifications = '{\"staff_reply\": false}' WHERE id = ?1",
            [ALICE],
        )
        .unwrap();
        let got = ticket_followers(&conn, t).unwrap();
        let ids: Vec<i64> = got.iter().map(|f| f.contact_id).collect();
        assert_eq!(ids, vec![UMA, ALICE]);
        assert!(got[0].notifications.staff_reply);
        assert!(!got[1].notifications.staff_reply);
        assert!(got[1].notifications.status_changed);
    }

    #[test]
    fn resolvers_are_the_company_admins_and_provider_admins() {
        let (_dir, conn) = temp_conn();
        conn.execute_batch(
            "INSERT INTO staff (email, first_name, last_name, role, created_at)
             VALUES ('boss@p.example', 'Bo', 'Ss', 'admin', 0)",
        )
        .unwrap();
        assert_eq!(
            request_resolvers(&conn, COMPANY_A, UMA).unwrap(),
            vec!["alice@a.example", "boss@p.example"]
        );
        assert_eq!(
            request_resolvers(&conn, COMPANY_A, ALICE).unwrap(),
            vec!["boss@p.example"]
        );
    }
}
