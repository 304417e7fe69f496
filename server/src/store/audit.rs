//! The audit log: security- and money-relevant events, append-only.

use rusqlite::{Connection, params};

use super::{Result, columns};
use crate::domain::{AuditAction, AuditEntry, Caller};

/// An event to record. `actor` and `subject` are e-mails or object names.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: String,
    pub action: AuditAction,
    pub subject: String,
    pub company_id: Option<i64>,
    pub detail: String,
}

impl AuditEvent {
    /// An event by a signed-in caller.
    pub fn by(
        caller: &Caller,
        action: AuditAction,
        subject: &str,
        company_id: Option<i64>,
    ) -> Self {
        Self {
            actor: caller.email.clone(),
            action,
            subject: subject.to_owned(),
            company_id,
            detail: String::new(),
        }
    }

    /// An event by nobody signed in, about `subject`.
    pub fn anonymous(action: AuditAction, subject: String) -> Self {
        Self {
            actor: String::new(),
            action,
            subject,
            company_id: None,
            detail: String::new(),
        }
    }
}

pub fn record(conn: &Connection, now: i64, e: &AuditEvent) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, company_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now,
        e.actor,
        e.action.as_str(),
        e.subject,
        e.company_id,
        e.detail
    ])?;
    Ok(())
}

/// Which events a page of the log holds.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A prefix: "login" matches "login.ok".
    pub action: String,
    /// Part of the actor's e-mail.
    pub actor: String,
    pub company_id: Option<i64>,
    /// From this time (UTC ms) on, and before `until`.
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// Newest first; `before` is the id the previous page ended at.
pub fn list(
    conn: &Connection,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    let action = columns::like_prefix(&filter.action);
    let actor = columns::like_anywhere(&filter.actor);
    conn.prepare_cached(&format!(
        "SELECT id, at, actor, action, subject, company_id, detail FROM audit_log
         WHERE action LIKE ?1 ESCAPE '\\' AND (?2 IS NULL OR company_id = ?2)
           AND (?3 IS NULL OR id < ?3) AND actor LIKE ?4 ESCAPE '\\'
           AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6)
         ORDER BY id DESC LIMIT {limit}"
    ))?
    .query_map(
        params![
            action,
            filter.company_id,
            before,
            actor,
            filter.since,
            filter.until
        ],
        |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                company_id: r.get(5)?,
                detail: r.get(6)?,
            })
        },
    )?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}
