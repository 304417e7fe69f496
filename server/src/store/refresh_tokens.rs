//! "Remember me" refresh tokens, stored by hash. Each is used once: a
//! refresh revokes it and hands out a new one. Presenting a revoked token
//! again means it was copied, so every refresh token of that person ends.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::SubjectKind;

/// A new refresh token, carrying sign-in `sign_in` on (see `sign_ins`).
pub fn create(
    conn: &Connection,
    token_hash: &[u8; 32],
    (kind, subject_id): (SubjectKind, i64),
    sign_in: Option<i64>,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO refresh_tokens
             (token_hash, kind, subject_id, created_at, expires_at, sign_in_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        &token_hash[..],
        kind.as_str(),
        subject_id,
        now,
        expires_at,
        sign_in
    ])?;
    Ok(())
}

/// Uses up a refresh token: the person it belongs to when it was valid
/// (it is revoked now), `None` otherwise.
pub fn consume(
    conn: &Connection,
    token_hash: &[u8; 32],
    now: i64,
) -> Result<Option<(SubjectKind, i64)>> {
    Ok(consume_in(conn, token_hash, now)?.map(|(kind, id, _)| (kind, id)))
}

/// `consume`, with the sign-in the token carries on (none for a token
/// from before sign-ins were recorded).
pub fn consume_in(
    conn: &Connection,
    token_hash: &[u8; 32],
    now: i64,
) -> Result<Option<(SubjectKind, i64, Option<i64>)>> {
    let row = conn
        .prepare_cached(
            "SELECT id, kind, subject_id, expires_at, revoked_at, sign_in_id FROM refresh_tokens
             WHERE token_hash = ?1",
        )?
        .query_row([&token_hash[..]], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()?;
    let Some((id, kind, subject_id, expires_at, revoked_at, sign_in)) = row else {
        return Ok(None);
    };
    let Some(kind) = SubjectKind::parse(&kind) else {
        return Ok(None);
    };
    if revoked_at.is_some() {
        revoke_subject(conn, kind, subject_id, now)?;
        return Ok(None);
    }
    conn.prepare_cached("UPDATE refresh_tokens SET revoked_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok((expires_at > now).then_some((kind, subject_id, sign_in)))
}

/// Revokes one token; `owner` limits it to that person's tokens.
pub fn revoke(
    conn: &Connection,
    token_hash: &[u8; 32],
    owner: Option<(SubjectKind, i64)>,
    now: i64,
) -> Result<()> {
    let (kind, subject) = owner.map_or((None, None), |(k, id)| (Some(k.as_str()), Some(id)));
    conn.prepare_cached(
        "UPDATE refresh_tokens SET revoked_at = ?2
         WHERE token_hash = ?1 AND revoked_at IS NULL
           AND (?3 IS NULL OR (kind = ?3 AND subject_id = ?4))",
    )?
    .execute(params![&token_hash[..], now, kind, subject])?;
    Ok(())
}

/// Ends every refresh token of one person (password changed, disabled...).
pub fn revoke_subject(
    conn: &Connection,
    kind: SubjectKind,
    subject_id: i64,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE refresh_tokens SET revoked_at = ?3
         WHERE kind = ?1 AND subject_id = ?2 AND revoked_at IS NULL",
    )?
    .execute(params![kind.as_str(), subject_id, now])?;
    Ok(())
}

/// Deletes the tokens past their expiry, used or not: none can be
/// exchanged any more, and a copy presented later is simply unknown.
pub fn purge_expired(conn: &Connection, now: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM refresh_tokens WHERE expires_at <= ?1")?
        .execute([now])?)
}
