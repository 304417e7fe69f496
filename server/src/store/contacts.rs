//! Contacts: the people of client companies, with or without portal access.

use rusqlite::{Connection, Row, params};

use super::{Result, StoreError, columns, credentials};
use crate::domain::{AccessLevel, Contact, ContactDetails, SubjectKind};

const SELECT: &str = "
    SELECT c.id, c.company_id, co.name, c.email, c.first_name, c.last_name, c.title,
           c.home_email, c.private_email, c.phones, c.use_company_address, c.address,
           c.notifications, c.access, c.active, c.created_at, c.last_login_at,
           COALESCE(cr.locked_until > ?1, 0),
           (SELECT group_concat(company_id) FROM contact_related_companies r
            WHERE r.contact_id = c.id)
    FROM contacts c
    JOIN companies co ON co.id = c.company_id
    LEFT JOIN credentials cr ON cr.kind = 'contact' AND cr.subject_id = c.id";

fn from_row(r: &Row) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        company_id: r.get(1)?,
        company_name: r.get(2)?,
        email: r.get(3)?,
        details: ContactDetails {
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            title: r.get(6)?,
            home_email: r.get(7)?,
            private_email: r.get(8)?,
            phones: columns::json(r, 9)?,
            use_company_address: r.get(10)?,
            address: columns::json(r, 11)?,
            notifications: columns::json(r, 12)?,
        },
        access: columns::access(r, 13)?,
        active: r.get(14)?,
        created_at: r.get(15)?,
        last_login_at: r.get(16)?,
        locked: r.get(17)?,
        related_company_ids: columns::ids(r, 18)?,
    })
}

/// One contact; `now` decides whether it counts as locked out.
pub fn get(conn: &Connection, id: i64, now: i64) -> Result<Contact> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE c.id = ?2"))?;
    let mut rows = stmt.query_map(params![now, id], from_row)?;
    rows.next().ok_or(StoreError::NotFound)?.map_err(Into::into)
}

/// Position in the contact list order (last name, first name, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactKey {
    pub last_name: String,
    pub first_name: String,
    pub id: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    pub company_id: i64,
    /// Matches names and e-mail, anywhere, ignoring ASCII case.
    pub text: String,
    pub include_inactive: bool,
    /// Only this contact (a User sees only itself).
    pub only: Option<i64>,
    pub after: Option<ContactKey>,
    pub limit: u32,
}

/// A page of a company's contacts, and how many match in all.
pub fn list(conn: &Connection, q: &ContactQuery, now: i64) -> Result<(Vec<Contact>, u64)> {
    const FILTER: &str = "
        c.company_id = ?2 AND (?3 OR c.active) AND (?4 IS NULL OR c.id = ?4)
        AND (?5 = '%%' OR c.first_name LIKE ?5 ESCAPE '\\' OR c.last_name LIKE ?5 ESCAPE '\\'
             OR c.email LIKE ?5 ESCAPE '\\'
             OR (c.first_name || ' ' || c.last_name) LIKE ?5 ESCAPE '\\')";
    let pattern = columns::like_anywhere(q.text.trim());
    let (after_last, after_first, after_id) = q.after.as_ref().map_or((None, None, None), |k| {
        (Some(&k.last_name), Some(&k.first_name), Some(k.id))
    });
    let contacts = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE {FILTER}
               AND (?6 IS NULL OR (c.last_name, c.first_name, c.id) > (?6, ?7, ?8))
             ORDER BY c.last_name, c.first_name, c.id LIMIT {}",
            q.limit
        ))?
        .query_map(
            params![
                now,
                q.company_id,
                q.include_inactive,
                q.only,
                pattern,
                after_last,
                after_first,
                after_id
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM contacts c WHERE {FILTER}" // ?1 (now) unused here
        ))?
        .query_row(
            params![now, q.company_id, q.include_inactive, q.only, pattern],
            |r| r.get(0),
        )?;
    Ok((contacts, u64::try_from(total).unwrap_or(0)))
}

pub fn insert(
    conn: &Connection,
    company_id: i64,
    email: &str,
    details: &ContactDetails,
    access: AccessLevel,
    now: i64,
) -> Result<i64> {
    credentials::ensure_email_free(conn, email, None)?;
    conn.prepare_cached(
        "INSERT INTO contacts (company_id, email, first_name, last_name, title, home_email,
            private_email, phones, use_company_address, address, notifications, access,
            created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        company_id,
        email,
        details.first_name,
        details.last_name,
        details.title,
        details.home_email,
        details.private_email,
        serde_json::to_string(&details.phones)?,
        details.use_company_address,
        serde_json::to_string(&details.address)?,
        serde_json::to_string(&details.notifications)?,
        access.as_str(),
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

fn changed(rows: usize) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub fn update_details(conn: &Connection, id: i64, details: &ContactDetails) -> Result<()> {
    changed(
        conn.prepare_cached(
            "UPDATE contacts SET first_name = ?2, last_name = ?3, title = ?4, home_email = ?5,
                private_email = ?6, phones = ?7, use_company_address = ?8, address = ?9,
                notifications = ?10
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            details.first_name,
            details.last_name,
            details.title,
            details.home_email,
            details.private_email,
            serde_json::to_string(&details.phones)?,
            details.use_company_address,
            serde_json::to_string(&details.address)?,
            serde_json::to_string(&details.notifications)?,
        ])?,
    )
}

pub fn set_email(conn: &Connection, id: i64, email: &str) -> Result<()> {
    credentials::ensure_email_free(conn, email, Some((SubjectKind::Contact, id)))?;
    changed(
        conn.prepare_cached("UPDATE contacts SET email = ?2 WHERE id = ?1")?
            .execute(params![id, email])?,
    )
}

pub fn set_access(conn: &Connection, id: i64, access: AccessLevel) -> Result<()> {
    changed(
        conn.prepare_cached("UPDATE contacts SET access = ?2 WHERE id = ?1")?
            .execute(params![id, access.as_str()])?,
    )
}

pub fn set_active(conn: &Connection, id: i64, active: bool) -> Result<()> {
    changed(
        conn.prepare_cached("UPDATE contacts SET active = ?2 WHERE id = ?1")?
            .execute(params![id, active])?,
    )
}

/// Which of `ids` are not contacts of `company_id`.
pub fn not_of_company(conn: &Connection, company_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT company_id FROM contacts WHERE id = ?1")?;
    let mut strangers = Vec::new();
    for &id in ids {
        let mut rows = stmt.query([id])?;
        let of_company = match rows.next()? {
            Some(r) => r.get::<_, i64>(0)? == company_id,
            None => false,
        };
        if !of_company {
            strangers.push(id);
        }
    }
    Ok(strangers)
}

/// Every contact id of a company (to sign them out when it is deactivated).
pub fn ids_of_company(conn: &Connection, company_id: i64) -> Result<Vec<i64>> {
    conn.prepare_cached("SELECT id FROM contacts WHERE company_id = ?1")?
        .query_map([company_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(Into::into)
}
