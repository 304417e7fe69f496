//! Sign-ins: where a person is signed in. A Login starts one; each refresh
//! token carries it on into the next session, so one sign-in is one place
//! (a laptop's full-screen client, a script's CLI), however often its
//! sessions are renewed. Ending a sign-in ends its sessions and refresh
//! tokens at once.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::SubjectKind;

/// Where a sign-in comes from, as recorded at sign-in and refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub client: String,
    pub address: String,
}

/// A sign-in that can still be used: a session open, or a refresh token left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub id: i64,
    pub client: String,
    pub address: String,
    pub signed_in_at: i64,
    pub last_used_at: i64,
    /// It has a refresh token left ("remember me").
    pub remembered: bool,
}

pub fn start(
    conn: &Connection,
    kind: SubjectKind,
    subject_id: i64,
    origin: &Origin,
    now: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO sign_ins (kind, subject_id, client, address, signed_in_at, last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        kind.as_str(),
        subject_id,
        origin.client,
        origin.address,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A refresh carries sign-in `id` on: from where, and when. False when it
/// is gone (ended meanwhile).
pub fn carry_on(conn: &Connection, id: i64, origin: &Origin, now: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE sign_ins SET client = ?2, address = ?3, last_used_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id, origin.client, origin.address, now])?
        == 1)
}

/// Whose sign-in `id` is, if it exists.
pub fn owner(conn: &Connection, id: i64) -> Result<Option<(SubjectKind, i64)>> {
    let row = conn
        .prepare_cached("SELECT kind, subject_id FROM sign_ins WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .optional()?;
    Ok(row.and_then(|(kind, subject)| SubjectKind::parse(&kind).map(|k| (k, subject))))
}

/// The sign-in session `session_id` belongs to.
pub fn of_session(conn: &Connection, session_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT sign_in_id FROM sessions WHERE id = ?1")?
        .query_row([session_id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// One person's sign-ins still in use at `now` (a session neither expired
/// nor idle for `idle_ms`, or a refresh token left), the latest sign-in first.
pub fn live(
    conn: &Connection,
    kind: SubjectKind,
    subject_id: i64,
    now: i64,
    idle_ms: i64,
) -> Result<Vec<SignIn>> {
    let mut stmt = conn.prepare_cached(
        "SELECT si.id, si.client, si.address, si.signed_in_at,
                MAX(si.last_used_at, COALESCE(
                    (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.sign_in_id = si.id), 0)),
                EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.sign_in_id = si.id
                        AND r.revoked_at IS NULL AND r.expires_at > ?3) AS remembered,
                EXISTS (SELECT 1 FROM sessions s WHERE s.sign_in_id = si.id
                        AND s.expires_at > ?3 AND s.last_seen_at > ?4) AS open
         FROM sign_ins si
         WHERE si.kind = ?1 AND si.subject_id = ?2
         ORDER BY si.signed_in_at DESC, si.id DESC",
    )?;
    let rows = stmt.query_map(
        params![kind.as_str(), subject_id, now, now.saturating_sub(idle_ms)],
        |r| {
            Ok((
                SignIn {
                    id: r.get(0)?,
                    client: r.get(1)?,
                    address: r.get(2)?,
                    signed_in_at: r.get(3)?,
                    last_used_at: r.get(4)?,
                    remembered: r.get(5)?,
                },
                r.get::<_, bool>(6)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (sign_in, open) = row?;
        if open || sign_in.remembered {
            out.push(sign_in);
        }
    }
    Ok(out)
}

/// Ends sign-in `id`: its sessions and refresh tokens go. The refresh
/// tokens are deleted, not marked used, so one presented later is simply
/// unknown (not taken for a copied token). Returns the ended sessions' ids.
pub fn end(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let sessions = conn
        .prepare_cached("DELETE FROM sessions WHERE sign_in_id = ?1 RETURNING id")?
        .query_map([id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    conn.prepare_cached("DELETE FROM refresh_tokens WHERE sign_in_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM sign_ins WHERE id = ?1")?
        .execute([id])?;
    Ok(sessions)
}

/// Ends every sign-in of one person but `keep` (with its sessions and
/// refresh tokens; also those that belong to no sign-in, from before
/// sign-ins were recorded).
pub fn end_all_except(
    conn: &Connection,
    kind: SubjectKind,
    subject_id: i64,
    keep: Option<i64>,
) -> Result<()> {
    let keep = keep.unwrap_or(0);
    conn.prepare_cached(
        "DELETE FROM sessions WHERE kind = ?1 AND subject_id = ?2
         AND sign_in_id IS NOT ?3",
    )?
    .execute(params![kind.as_str(), subject_id, keep])?;
    conn.prepare_cached(
        "DELETE FROM refresh_tokens WHERE kind = ?1 AND subject_id = ?2
         AND sign_in_id IS NOT ?3",
    )?
    .execute(params![kind.as_str(), subject_id, keep])?;
    conn.prepare_cached("DELETE FROM sign_ins WHERE kind = ?1 AND subject_id = ?2 AND id <> ?3")?
        .execute(params![kind.as_str(), subject_id, keep])?;
    Ok(())
}

/// Deletes the sign-ins with no session and no refresh token left.
pub fn purge_unused(conn: &Connection) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM sign_ins WHERE
             NOT EXISTS (SELECT 1 FROM sessions s WHERE s.sign_in_id = sign_ins.id)
             AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.sign_in_id = sign_ins.id)",
        )?
        .execute([])?)
}
