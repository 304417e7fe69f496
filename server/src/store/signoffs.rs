//! Sign-offs: a client's acceptance of a Completed ticket, kept as signed.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Result;
use crate::domain::work::SignOff;

const COLUMNS: &str = "ticket_id, contact_id, contact_name, typed_name, comment, signed_at,
    resolution_entry_id, resolution";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SignOff> {
    Ok(SignOff {
        ticket_id: r.get(0)?,
        contact_id: r.get(1)?,
        contact_name: r.get(2)?,
        typed_name: r.get(3)?,
        comment: r.get(4)?,
        signed_at: r.get(5)?,
        resolution_entry_id: r.get(6)?,
        resolution: r.get(7)?,
    })
}

/// Stores a sign-off; a ticket is signed off at most once (the caller has
/// checked it is Completed, and it is Closed, a final status, after).
pub fn record(conn: &Connection, s: &SignOff) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO signoffs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute(params![
        s.ticket_id,
        s.contact_id,
        s.contact_name,
        s.typed_name,
        s.comment,
        s.signed_at,
        s.resolution_entry_id,
        s.resolution
    ])?;
    Ok(())
}

/// The ticket's sign-off, if it was signed off.
pub fn get(conn: &Connection, ticket_id: i64) -> Result<Option<SignOff>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM signoffs WHERE ticket_id = ?1"
        ))?
        .query_row([ticket_id], from_row)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn a_signoff_is_kept_as_signed_and_only_once() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        assert_eq!(get(&conn, t).unwrap(), None);
        let s = SignOff {
            ticket_id: t,
            contact_id: UMA,
            contact_name: "Uma Ulm".into(),
            typed_name: "uma ulm".into(),
            comment: "thanks".into(),
            signed_at: 5,
            resolution_entry_id: None,
            resolution: String::new(),
        };
        record(&conn, &s).unwrap();
        assert_eq!(get(&conn, t).unwrap(), Some(s.clone()));
        assert!(record(&conn, &s).is_err());
    }
}
