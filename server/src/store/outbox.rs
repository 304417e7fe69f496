//! The mail outbox (docs/MAIL.md): queued in the transaction of the change
//! that causes a message, then sent, retried or given up by the sender.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Result;
use crate::domain::mail::{OutgoingMail, QueuedMail};

const SELECT: &str = "
    SELECT id, kind, recipient, subject, body, ticket_id, created_at, attempts,
           last_error, sent_at, failed_at, contact_id
    FROM mail_outbox";

fn from_row(r: &Row) -> rusqlite::Result<QueuedMail> {
    Ok(QueuedMail {
        id: r.get(0)?,
        kind: r.get(1)?,
        recipient: r.get(2)?,
        subject: r.get(3)?,
        body: r.get(4)?,
        ticket_number: r.get(5)?,
        created_at: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        sent_at: r.get(9)?,
        failed_at: r.get(10)?,
        contact_id: r.get(11)?,
    })
}

/// Queues `mail`, due at once.
pub fn enqueue(conn: &Connection, mail: &OutgoingMail, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO mail_outbox (kind, recipient, subject, body, ticket_id, created_at,
                                  next_attempt_at, contact_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
    )?
    .execute(params![
        mail.kind.as_str(),
        mail.recipient,
        mail.subject,
        mail.body,
        mail.ticket_number,
        now,
        mail.contact_id
    ])?;
    Ok(())
}

/// Up to `limit` messages due by `now`, oldest due first.
pub fn due(conn: &Connection, now: i64, limit: usize) -> Result<Vec<QueuedMail>> {
    let sql = format!(
        "{SELECT} WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2"
    );
    let list = conn
        .prepare_cached(&sql)?
        .query_map(params![now, limit as i64], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// The messages still to be sent (neither sent nor given up), and those
/// given up; both counted on their partial indexes.
pub fn backlog(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL),
                    (SELECT count(*) FROM mail_outbox WHERE failed_at IS NOT NULL)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Records a delivered message; it is never sent again.
pub fn mark_sent(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE mail_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = ''
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up for
/// good when that is `None`.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE mail_outbox
         SET attempts = attempts + 1, last_error = ?2,
             next_attempt_at = coalesce(?3, next_attempt_at),
             failed_at = CASE WHEN ?3 IS NULL THEN ?4 END
         WHERE id = ?1",
    )?
    .execute(params![id, error, retry_at, now])?;
    Ok(())
}

/// Messages given up on, newest first, `limit` of them before id `before`.
pub fn failed(conn: &Connection, before: Option<i64>, limit: usize) -> Result<Vec<QueuedMail>> {
    let sql = format!("{SELECT} WHERE failed_at IS NOT NULL AND id < ?1 ORDER BY id DESC LIMIT ?2");
    let list = conn
        .prepare_cached(&sql)?
        .query_map(params![before.unwrap_or(i64::MAX), limit as i64], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// Queues a message that was given up on again, with its attempts counted
/// from zero; `None` when there is no such failed message.
pub fn retry(conn: &Connection, id: i64, now: i64) -> Result<Option<QueuedMail>> {
    let changed = conn
        .prepare_cached(
            "UPDATE mail_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?2
             WHERE id = ?1 AND failed_at IS NOT NULL",
        )?
        .execute(params![id, now])?;
    if changed == 0 {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mail::MailKind;
    use crate::store::testing::temp_conn;

    fn mail(to: &str) -> OutgoingMail {
        OutgoingMail {
            kind: MailKind::TicketCreated,
            recipient: to.into(),
            subject: "s".into(),
            body: "b".into(),
            ticket_number: None,
            contact_id: None,
        }
    }

    #[test]
    fn a_message_is_due_until_sent_or_given_up() {
        let (_dir, conn) = temp_conn();
        enqueue(&conn, &mail("a@x.example"), 100).unwrap();
        enqueue(&conn, &mail("b@x.example"), 100).unwrap();
        assert!(due(&conn, 99, 10).unwrap().is_empty());
        let queued = due(&conn, 100, 10).unwrap();
        assert_eq!(queued.len(), 2);
        let (a, b) = (queued[0].id, queued[1].id);

        mark_sent(&conn, a, 101).unwrap();
        mark_failed(&conn, b, "refused", Some(200), 101).unwrap();
        assert!(due(&conn, 150, 10).unwrap().is_empty());
        let again = due(&conn, 200, 10).unwrap();
        assert_eq!((again[0].id, again[0].attempts), (b, 1));
        assert_eq!(again[0].last_error, "refused");

        mark_failed(&conn, b, "refused again", None, 201).unwrap();
        assert!(due(&conn, i64::MAX, 10).unwrap().is_empty());
        let gave_up = failed(&conn, None, 10).unwrap();
        assert_eq!(gave_up.len(), 1);
        assert_eq!(gave_up[0].failed_at, Some(201));

        assert!(
            retry(&conn, a, 300).unwrap().is_none(),
            "a sent message stays sent"
        );
        let retried = retry(&conn, b, 300).unwrap().unwrap();
        assert_eq!((retried.attempts, retried.failed_at), (0, None));
        assert_eq!(due(&conn, 300, 10).unwrap()[0].id, b);
        assert!(failed(&conn, None, 10).unwrap().is_empty());
    }
}
