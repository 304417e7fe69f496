//! What mail in keeps (docs/MAIL.md, "Replies by e-mail"): the key that
//! signs reply addresses, and every message received by its Message-ID.

use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// What became of a received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Posted,
    Opened,
    Dropped,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Posted => "posted",
            Self::Opened => "opened",
            Self::Dropped => "dropped",
        }
    }
}

/// The key of reply addresses, made on first use. Kept in the store (not
/// beside it) so a restored backup still recognises the replies to mail
/// sent before it was taken.
pub fn reply_key(conn: &Connection) -> Result<[u8; 32]> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    conn.prepare_cached("INSERT OR IGNORE INTO server_keys (name, key) VALUES ('mail_reply', ?1)")?
        .execute([&fresh[..]])?;
    let key: Vec<u8> = conn
        .prepare_cached("SELECT key FROM server_keys WHERE name = 'mail_reply'")?
        .query_row([], |r| r.get(0))?;
    Ok(key.try_into().unwrap_or(fresh))
}

/// Whether a message with this id was received before.
pub fn seen(conn: &Connection, message_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM mail_received WHERE message_id = ?1")?
        .query_row([message_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Records what became of a message; a second record of the same id is
/// ignored.
pub fn record(
    conn: &Connection,
    (message_id, sender): (&str, &str),
    outcome: Outcome,
    ticket: Option<i64>,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO mail_received (message_id, received_at, sender, outcome, ticket_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![message_id, now, sender, outcome.as_str(), ticket])?;
    Ok(())
}

/// Tickets opened by mail from `sender` since `since`.
pub fn opened_since(conn: &Connection, sender: &str, since: i64) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM mail_received
             WHERE sender = ?1 AND received_at >= ?2 AND outcome = 'opened'",
        )?
        .query_row(params![sender, since], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_conn;

    #[test]
    fn the_key_is_made_once_and_kept() {
        let (_dir, conn) = temp_conn();
        let key = reply_key(&conn).unwrap();
        assert_eq!(reply_key(&conn).unwrap(), key);
        assert_ne!(key, [0; 32]);
    }

    #[test]
    fn a_message_is_recorded_once_and_openings_are_counted() {
        let (_dir, conn) = temp_conn();
        assert!(!seen(&conn, "<m1>").unwrap());
        record(&conn, ("<m1>", "a@x"), Outcome::Opened, Some(1), 100).unwrap();
        record(&conn, ("<m1>", "a@x"), Outcome::Dropped, None, 101).unwrap();
        record(&conn, ("<m2>", "a@x"), Outcome::Posted, Some(1), 102).unwrap();
        assert!(seen(&conn, "<m1>").unwrap());
        assert_eq!(opened_since(&conn, "a@x", 0).unwrap(), 1);
        assert_eq!(opened_since(&conn, "a@x", 101).unwrap(), 0);
    }
}
