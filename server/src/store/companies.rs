//! Client companies, their sites and preferences.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, columns, contacts};
use crate::domain::{Company, CompanyPreferences, Site};

const SELECT: &str = "
    SELECT co.id, co.name, co.phone, co.address, co.payment_terms_days, co.require_po,
           co.users_see_all, co.active, co.created_at,
           (SELECT group_concat(contact_id) FROM company_default_subscribers d
            WHERE d.company_id = co.id)
    FROM companies co";

fn from_row(r: &Row) -> rusqlite::Result<Company> {
    Ok(Company {
        id: r.get(0)?,
        name: r.get(1)?,
        phone: r.get(2)?,
        address: columns::json(r, 3)?,
        payment_terms_days: r.get(4)?,
        preferences: CompanyPreferences {
            require_po_number: r.get(5)?,
            users_see_all_tickets: r.get(6)?,
            default_subscriber_ids: columns::ids(r, 9)?,
        },
        active: r.get(7)?,
        created_at: r.get(8)?,
        sites: Vec::new(),
    })
}

fn sites_of(conn: &Connection, company_id: i64) -> Result<Vec<Site>> {
    conn.prepare_cached(
        "SELECT id, name, address FROM sites WHERE company_id = ?1 ORDER BY name, id",
    )?
    .query_map([company_id], |r| {
        Ok(Site {
            id: r.get(0)?,
            name: r.get(1)?,
            address: columns::json(r, 2)?,
        })
    })?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// One company with its sites.
pub fn get(conn: &Connection, id: i64) -> Result<Company> {
    let mut company = conn
        .prepare_cached(&format!("{SELECT} WHERE co.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    company.sites = sites_of(conn, id)?;
    Ok(company)
}

/// Position in the company list order (name ignoring case, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyKey {
    pub name: String,
    pub id: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CompanyQuery {
    pub text: String,
    pub include_inactive: bool,
    pub after: Option<CompanyKey>,
    pub limit: u32,
}

/// A page of companies (with sites), and how many match in all.
pub fn list(conn: &Connection, q: &CompanyQuery) -> Result<(Vec<Company>, u64)> {
    const FILTER: &str = "(?1 OR co.active) AND (?2 = '%%' OR co.name LIKE ?2 ESCAPE '\\')";
    let pattern = columns::like_anywhere(q.text.trim());
    let (after_name, after_id) = q
        .after
        .as_ref()
        .map_or((None, None), |k| (Some(k.name.as_str()), Some(k.id)));
    let mut companies = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE {FILTER}
               AND (?3 IS NULL OR co.name COLLATE NOCASE > ?3
                    OR (co.name COLLATE NOCASE = ?3 AND co.id > ?4))
             ORDER BY co.name COLLATE NOCASE, co.id LIMIT {}",
            q.limit
        ))?
        .query_map(
            params![q.include_inactive, pattern, after_name, after_id],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut sites: HashMap<i64, Vec<Site>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT company_id, id, name, address FROM sites WHERE company_id = ?1 ORDER BY name, id",
        )?;
        for company in &companies {
            let rows = stmt.query_map([company.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Site {
                        id: r.get(1)?,
                        name: r.get(2)?,
                        address: columns::json(r, 3)?,
                    },
                ))
            })?;
            for row in rows {
                let (company_id, site) = row?;
                sites.entry(company_id).or_default().push(site);
            }
        }
    }
    for company in &mut companies {
        company.sites = sites.remove(&company.id).unwrap_or_default();
    }
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM companies co WHERE {FILTER}"))?
        .query_row(params![q.include_inactive, pattern], |r| r.get(0))?;
    Ok((companies, u64::try_from(total).unwrap_or(0)))
}

fn ensure_name_free(conn: &Connection, name: &str, except: i64) -> Result<()> {
    let taken = conn
        .prepare_cached("SELECT 1 FROM companies WHERE name = ?1 COLLATE NOCASE AND id <> ?2")?
        .exists(params![name, except])?;
    if taken {
        return Err(StoreError::AlreadyExists(
            "name: a company with this name already exists".into(),
        ));
    }
    Ok(())
}

/// Creates a company with its sites; returns its id. Default subscribers
/// must be contacts of the company, so a new one has none.
pub fn insert(conn: &Connection, company: &Company, now: i64) -> Result<i64> {
    ensure_name_free(conn, &company.name, 0)?;
    if !company.preferences.default_subscriber_ids.is_empty() {
        return Err(StoreError::invalid(
            "preferences.default_subscriber_ids",
            "a new company has no contacts yet",
        ));
    }
    conn.prepare_cached(
        "INSERT INTO companies (name, phone, address, payment_terms_days, require_po,
            users_see_all, active, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        company.name,
        company.phone,
        serde_json::to_string(&company.address)?,
        company.payment_terms_days,
        company.preferences.require_po_number,
        company.preferences.users_see_all_tickets,
        company.active,
        now
    ])?;
    let id = conn.last_insert_rowid();
    save_sites(conn, id, &company.sites)?;
    Ok(id)
}

/// Replaces a company's fields, sites and preferences with `company`'s.
pub fn update(conn: &Connection, company: &Company) -> Result<()> {
    ensure_name_free(conn, &company.name, company.id)?;
    let rows = conn
        .prepare_cached(
            "UPDATE companies SET name = ?2, phone = ?3, address = ?4, payment_terms_days = ?5,
                active = ?6
             WHERE id = ?1",
        )?
        .execute(params![
            company.id,
            company.name,
            company.phone,
            serde_json::to_string(&company.address)?,
            company.payment_terms_days,
            company.active
        ])?;
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    save_sites(conn, company.id, &company.sites)?;
    set_preferences(conn, company.id, &company.preferences)
}

/// Sites with id 0 are added, known ones updated, missing ones removed
/// unless a ticket names them.
fn save_sites(conn: &Connection, company_id: i64, sites: &[Site]) -> Result<()> {
    let existing = sites_of(conn, company_id)?;
    for site in sites.iter().filter(|s| s.id != 0) {
        if !existing.iter().any(|e| e.id == site.id) {
            return Err(StoreError::invalid(
                "sites",
                format!("site {} is not a site of this company", site.id),
            ));
        }
    }
    for gone in existing
        .iter()
        .filter(|e| sites.iter().all(|s| s.id != e.id))
    {
        let used = conn
            .prepare_cached("SELECT 1 FROM tickets WHERE site_id = ?1 LIMIT 1")?
            .exists([gone.id])?;
        if used {
            return Err(StoreError::FailedPrecondition(format!(
                "site \"{}\" is named by tickets and cannot be removed",
                gone.name
            )));
        }
        conn.prepare_cached("DELETE FROM sites WHERE id = ?1")?
            .execute([gone.id])?;
    }
    for site in sites {
        let address = serde_json::to_string(&site.address)?;
        if site.id == 0 {
            conn.prepare_cached(
                "INSERT INTO sites (company_id, name, address) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![company_id, site.name, address])?;
        } else {
            conn.prepare_cached("UPDATE sites SET name = ?2, address = ?3 WHERE id = ?1")?
                .execute(params![site.id, site.name, address])?;
        }
    }
    Ok(())
}

/// Sets the preferences; every default subscriber must be a contact of the company.
pub fn set_preferences(conn: &Connection, id: i64, prefs: &CompanyPreferences) -> Result<()> {
    let strangers = contacts::not_of_company(conn, id, &prefs.default_subscriber_ids)?;
    if let Some(first) = strangers.first() {
        return Err(StoreError::invalid(
            "preferences.default_subscriber_ids",
            format!("{first} is not a contact of this company"),
        ));
    }
    let rows = conn
        .prepare_cached("UPDATE companies SET require_po = ?2, users_see_all = ?3 WHERE id = ?1")?
        .execute(params![
            id,
            prefs.require_po_number,
            prefs.users_see_all_tickets
        ])?;
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    conn.prepare_cached("DELETE FROM company_default_subscribers WHERE company_id = ?1")?
        .execute([id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO company_default_subscribers (company_id, contact_id) VALUES (?1, ?2)",
    )?;
    for contact in &prefs.default_subscriber_ids {
        insert.execute(params![id, contact])?;
    }
    Ok(())
}
