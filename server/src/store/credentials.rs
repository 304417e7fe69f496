//! Who may sign in: accounts found by e-mail or id (contacts and staff alike),
//! their password hashes, the must-change flag and lockout counters.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::{AccessLevel, Account, Credential, LockState, StaffRole, SubjectKind};

macro_rules! account_select {
    ($contact_where:literal, $staff_where:literal) => {
        concat!(
            "SELECT x.kind, x.id, x.email, x.first_name, x.last_name, x.active, x.access,
                    x.role, x.company_id, x.company_name, cr.password_hash, cr.must_change,
                    cr.failed_count, cr.failed_window_start, cr.locked_until,
                    coalesce((SELECT time_zone FROM provider_settings WHERE id = 1), 'UTC'),
                    coalesce((SELECT name FROM provider_settings WHERE id = 1), '')
             FROM (
                SELECT 'contact' AS kind, c.id, c.email, c.first_name, c.last_name,
                       c.active AND co.active AS active, c.access, NULL AS role,
                       c.company_id, co.name AS company_name
                FROM contacts c JOIN companies co ON co.id = c.company_id
                WHERE ",
            $contact_where,
            "
                UNION ALL
                SELECT 'staff', s.id, s.email, s.first_name, s.last_name, s.active, NULL,
                       s.role, NULL, '' FROM staff s
                WHERE ",
            $staff_where,
            "
             ) x
             LEFT JOIN credentials cr ON cr.kind = x.kind AND cr.subject_id = x.id"
        )
    };
}

fn account_from_row(r: &Row) -> rusqlite::Result<Account> {
    let kind: String = r.get(0)?;
    let hash: Option<String> = r.get(10)?;
    let credential = match hash {
        Some(password_hash) => Some(Credential {
            password_hash,
            must_change: r.get(11)?,
            lock: LockState {
                failed_count: r.get(12)?,
                window_start: r.get(13)?,
                locked_until: r.get(14)?,
            },
        }),
        None => None,
    };
    Ok(Account {
        kind: if kind == "staff" {
            SubjectKind::Staff
        } else {
            SubjectKind::Contact
        },
        id: r.get(1)?,
        email: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        active: r.get(5)?,
        access: r
            .get::<_, Option<String>>(6)?
            .as_deref()
            .and_then(AccessLevel::parse),
        role: r
            .get::<_, Option<String>>(7)?
            .as_deref()
            .and_then(StaffRole::parse),
        company_id: r.get(8)?,
        company_name: r.get(9)?,
        credential,
        time_zone: r.get(15)?,
        provider_name: r.get(16)?,
    })
}

/// The contact or staff member with this login e-mail (case-insensitive).
pub fn find_by_email(conn: &Connection, email: &str) -> Result<Option<Account>> {
    Ok(conn
        .prepare_cached(account_select!("c.email = ?1", "s.email = ?1"))?
        .query_row([email], account_from_row)
        .optional()?)
}

/// One account by kind and id.
pub fn find(conn: &Connection, kind: SubjectKind, id: i64) -> Result<Option<Account>> {
    let sql = match kind {
        SubjectKind::Contact => account_select!("c.id = ?1", "0"),
        SubjectKind::Staff => account_select!("0", "s.id = ?1"),
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], account_from_row)
        .optional()?)
}

/// Login e-mails are unique across contacts and staff, ignoring case.
/// `except` is the account whose own e-mail this may be.
pub fn ensure_email_free(
    conn: &Connection,
    email: &str,
    except: Option<(SubjectKind, i64)>,
) -> Result<()> {
    match find_by_email(conn, email)? {
        Some(a) if except != Some((a.kind, a.id)) => Err(StoreError::AlreadyExists(
            "email: already in use by another account".into(),
        )),
        _ => Ok(()),
    }
}

/// Sets (or creates) the password; clears lockout.
pub fn set_password(
    conn: &Connection,
    kind: SubjectKind,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO credentials (kind, subject_id, password_hash, must_change, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, subject_id) DO UPDATE SET
            password_hash = excluded.password_hash, must_change = excluded.must_change,
            changed_at = excluded.changed_at, failed_count = 0,
            failed_window_start = NULL, locked_until = NULL",
    )?
    .execute(params![kind.as_str(), id, password_hash, must_change, now])?;
    Ok(())
}

pub fn save_lock(conn: &Connection, kind: SubjectKind, id: i64, lock: &LockState) -> Result<()> {
    conn.prepare_cached(
        "UPDATE credentials SET failed_count = ?3, failed_window_start = ?4, locked_until = ?5
         WHERE kind = ?1 AND subject_id = ?2",
    )?
    .execute(params![
        kind.as_str(),
        id,
        lock.failed_count,
        lock.window_start,
        lock.locked_until
    ])?;
    Ok(())
}

/// A successful sign-in: the failure count starts over; `last_login_at` is set.
pub fn signed_in(conn: &Connection, kind: SubjectKind, id: i64, now: i64) -> Result<()> {
    save_lock(conn, kind, id, &LockState::default())?;
    let sql = match kind {
        SubjectKind::Contact => "UPDATE contacts SET last_login_at = ?2 WHERE id = ?1",
        SubjectKind::Staff => "UPDATE staff SET last_login_at = ?2 WHERE id = ?1",
    };
    conn.prepare_cached(sql)?.execute(params![id, now])?;
    Ok(())
}

/// Records that a person's profile or account changed, and who changed it.
pub fn touched(conn: &Connection, kind: SubjectKind, id: i64, by: &str, now: i64) -> Result<()> {
    let sql = match kind {
        SubjectKind::Contact => {
            "UPDATE contacts SET updated_at = ?2, updated_by = ?3 WHERE id = ?1"
        }
        SubjectKind::Staff => "UPDATE staff SET updated_at = ?2, updated_by = ?3 WHERE id = ?1",
    };
    conn.prepare_cached(sql)?.execute(params![id, now, by])?;
    Ok(())
}

/// When a person's profile or account last changed, and by whom (None:
/// not since that was recorded).
pub fn last_touched(
    conn: &Connection,
    kind: SubjectKind,
    id: i64,
) -> Result<Option<(i64, String)>> {
    let sql = match kind {
        SubjectKind::Contact => "SELECT updated_at, updated_by FROM contacts WHERE id = ?1",
        SubjectKind::Staff => "SELECT updated_at, updated_by FROM staff WHERE id = ?1",
    };
    let row: Option<(Option<i64>, String)> = conn
        .prepare_cached(sql)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(at, by)| at.map(|at| (at, by))))
}

/// Ends every session and refresh token of one person (disabled, password
/// reset, access removed). The caller also forgets the cached sessions.
pub fn end_sign_ins(conn: &Connection, kind: SubjectKind, id: i64, now: i64) -> Result<()> {
    super::sessions::revoke_subject(conn, kind, id)?;
    super::refresh_tokens::revoke_subject(conn, kind, id, now)
}
