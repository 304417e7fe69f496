//! SSH public keys (docs/GATEWAY.md): each signs one person in through the
//! SSH gateway. Only public keys are kept, in `ssh_keys`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::SubjectKind;

/// Keys one person may register.
pub const MAX_PER_PERSON: i64 = 20;

/// A registered key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshKey {
    pub id: i64,
    pub algorithm: String,
    pub fingerprint: String,
    pub comment: String,
    pub added_at: i64,
    pub last_used_at: Option<i64>,
}

/// A key to register: `key_data` is the key without its comment.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub algorithm: String,
    pub key_data: String,
    pub fingerprint: String,
    pub comment: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SshKey> {
    Ok(SshKey {
        id: r.get(0)?,
        algorithm: r.get(1)?,
        fingerprint: r.get(2)?,
        comment: r.get(3)?,
        added_at: r.get(4)?,
        last_used_at: r.get(5)?,
    })
}

/// One person's keys, the latest added first.
pub fn of(conn: &Connection, kind: SubjectKind, subject_id: i64) -> Result<Vec<SshKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, algorithm, fingerprint, comment, added_at, last_used_at FROM ssh_keys
         WHERE kind = ?1 AND subject_id = ?2 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map(params![kind.as_str(), subject_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Registers `key` for the person; a key registered already (by anyone)
/// is `AlreadyExists`, one more than `MAX_PER_PERSON` is invalid.
pub fn add(
    conn: &Connection,
    (kind, subject_id): (SubjectKind, i64),
    key: &NewKey,
    now: i64,
) -> Result<SshKey> {
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM ssh_keys WHERE key_data = ?1)")?
        .query_row([&key.key_data], |r| r.get(0))?;
    if taken {
        // Whose it is stays unsaid: that would tell who holds the key.
        return Err(StoreError::AlreadyExists(
            "public_key: this key is registered already".into(),
        ));
    }
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM ssh_keys WHERE kind = ?1 AND subject_id = ?2")?
        .query_row(params![kind.as_str(), subject_id], |r| r.get(0))?;
    if count >= MAX_PER_PERSON {
        return Err(StoreError::Invalid {
            field: "public_key".into(),
            message: format!("at most {MAX_PER_PERSON} keys per person; remove one first"),
        });
    }
    conn.prepare_cached(
        "INSERT INTO ssh_keys (kind, subject_id, algorithm, key_data, fingerprint, comment, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        kind.as_str(),
        subject_id,
        key.algorithm,
        key.key_data,
        key.fingerprint,
        key.comment,
        now
    ])?;
    Ok(SshKey {
        id: conn.last_insert_rowid(),
        algorithm: key.algorithm.clone(),
        fingerprint: key.fingerprint.clone(),
        comment: key.comment.clone(),
        added_at: now,
        last_used_at: None,
    })
}

/// Whose key `id` is, and its fingerprint.
pub fn owner(conn: &Connection, id: i64) -> Result<Option<((SubjectKind, i64), String)>> {
    let row = conn
        .prepare_cached("SELECT kind, subject_id, fingerprint FROM ssh_keys WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(kind, subject, fp)| SubjectKind::parse(&kind).map(|k| ((k, subject), fp))))
}

pub fn remove(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM ssh_keys WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The owner of the key with `key_data`, marking it used now.
pub fn use_key(conn: &Connection, key_data: &str, now: i64) -> Result<Option<(SubjectKind, i64)>> {
    let row = conn
        .prepare_cached(
            "UPDATE ssh_keys SET last_used_at = ?2 WHERE key_data = ?1 RETURNING kind, subject_id",
        )?
        .query_row(params![key_data, now], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(kind, subject)| SubjectKind::parse(&kind).map(|k| (k, subject))))
}
