//! Sessions: bearer tokens (by hash) tied to a contact or staff member.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::{AccessLevel, Principal, StaffRole, SubjectKind};

/// A live session as the authentication layer needs it.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    pub principal: Principal,
    pub email: String,
    pub name: String,
    pub must_change_password: bool,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// A new session, part of sign-in `sign_in` (see `sign_ins`).
pub fn create(
    conn: &Connection,
    token_hash: &[u8; 32],
    (kind, subject_id): (SubjectKind, i64),
    sign_in: Option<i64>,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO sessions
             (token_hash, kind, subject_id, created_at, last_seen_at, expires_at, sign_in_id)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
    )?
    .execute(params![
        &token_hash[..],
        kind.as_str(),
        subject_id,
        now,
        expires_at,
        sign_in
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The session with this token hash, if its person may still sign in
/// (active, with portal access). Expiry is the caller's to judge.
pub fn lookup(conn: &Connection, token_hash: &[u8; 32]) -> Result<Option<SessionRow>> {
    let row = conn
        .prepare_cached(
            "SELECT s.id, s.kind, s.subject_id, s.last_seen_at, s.expires_at,
                    COALESCE(cr.must_change, 0),
                    COALESCE(c.email, st.email), COALESCE(c.first_name, st.first_name),
                    COALESCE(c.last_name, st.last_name), c.company_id, c.access, st.role
             FROM sessions s
             LEFT JOIN credentials cr ON cr.kind = s.kind AND cr.subject_id = s.subject_id
             LEFT JOIN contacts c ON s.kind = 'contact' AND c.id = s.subject_id AND c.active
             LEFT JOIN staff st ON s.kind = 'staff' AND st.id = s.subject_id AND st.active
             WHERE s.token_hash = ?1",
        )?
        .query_row([&token_hash[..]], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<i64>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
            ))
        })
        .optional()?;
    let Some((
        id,
        kind,
        subject_id,
        last_seen_at,
        expires_at,
        must_change,
        email,
        first,
        last,
        company,
        access,
        role,
    )) = row
    else {
        return Ok(None);
    };
    let principal = match SubjectKind::parse(&kind) {
        Some(SubjectKind::Contact) => {
            match (company, access.as_deref().and_then(AccessLevel::parse)) {
                (Some(company_id), Some(access)) if access != AccessLevel::None => {
                    Principal::Contact {
                        contact_id: subject_id,
                        company_id,
                        access,
                    }
                }
                _ => return Ok(None),
            }
        }
        Some(SubjectKind::Staff) => match role.as_deref().and_then(StaffRole::parse) {
            Some(role) => Principal::Staff {
                staff_id: subject_id,
                role,
            },
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    Ok(Some(SessionRow {
        id,
        principal,
        email: email.unwrap_or_default(),
        name: format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default()),
        must_change_password: must_change,
        last_seen_at,
        expires_at,
    }))
}

pub fn touch(conn: &Connection, session_id: i64, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1")?
        .execute(params![session_id, now])?;
    Ok(())
}

pub fn revoke(conn: &Connection, session_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
        .execute([session_id])?;
    Ok(())
}

/// Ends every session of one person (disabled, password reset, role changed).
pub fn revoke_subject(conn: &Connection, kind: SubjectKind, subject_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE kind = ?1 AND subject_id = ?2")?
        .execute(params![kind.as_str(), subject_id])?;
    Ok(())
}

/// Deletes the sessions that have ended by `now`: past their absolute
/// expiry, or unused for `idle_ms` (as `authn` judges them).
pub fn purge_expired(conn: &Connection, now: i64, idle_ms: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2")?
        .execute([now, now.saturating_sub(idle_ms)])?)
}

/// The sessions that have not ended by `now` (as `purge_expired` judges
/// them): the people signed in, give or take the minute `last_seen_at` may
/// lag behind.
pub fn count_live(conn: &Connection, now: i64, idle_ms: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM sessions WHERE expires_at > ?1 AND last_seen_at > ?2",
        )?
        .query_row([now, now.saturating_sub(idle_ms)], |r| r.get(0))?)
}

/// Ends every session of one person except `keep` (the one changing its password).
pub fn revoke_subject_except(
    conn: &Connection,
    kind: SubjectKind,
    subject_id: i64,
    keep: i64,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE kind = ?1 AND subject_id = ?2 AND id <> ?3")?
        .execute(params![kind.as_str(), subject_id, keep])?;
    Ok(())
}
