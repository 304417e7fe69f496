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
    /// Also the contacts of other companies related to this one.
    pub include_related: bool,
    /// Only this contact (a User sees only itself).
    pub only: Option<i64>,
    pub after: Option<ContactKey>,
    pub limit: u32,
}

/// A page of a company's contacts, and how many match in all.
pub fn list(conn: &Connection, q: &ContactQuery, now: i64) -> Result<(Vec<Contact>, u64)> {
    const FILTER: &str = "
        (c.company_id = ?2 OR (?6 AND c.id IN
            (SELECT contact_id FROM contact_related_companies WHERE company_id = ?2)))
        AND (?3 OR c.active) AND (?4 IS NULL OR c.id = ?4)
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
               AND (?7 IS NULL OR (c.last_name, c.first_name, c.id) > (?7, ?8, ?9))
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
                q.include_related,
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
            params![
                now,
                q.company_id,
                q.include_inactive,
                q.only,
                pattern,
                q.include_related
            ],
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

/// Relates contact `id` (of `own_company`) to exactly `company_ids`: each
/// must exist and none be its own company (`related_company_ids` names the
/// first that does not fit). A company dropped from the list also drops the
/// contact's subscriptions to that company's tickets, so it sees none of
/// them any more. Returns the companies added and removed.
pub fn set_related_companies(
    conn: &Connection,
    id: i64,
    own_company: i64,
    company_ids: &[i64],
) -> Result<(Vec<i64>, Vec<i64>)> {
    const FIELD: &str = "related_company_ids";
    let mut exists =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM companies WHERE id = ?1)")?;
    for &company in company_ids {
        if company == own_company {
            return Err(StoreError::invalid(
                FIELD,
                format!("{company} is the contact's own company"),
            ));
        }
        if !exists.query_row([company], |r| r.get::<_, bool>(0))? {
            return Err(StoreError::invalid(
                FIELD,
                format!("{company} is not a known company"),
            ));
        }
    }
    let before: Vec<i64> = conn
        .prepare_cached("SELECT company_id FROM contact_related_companies WHERE contact_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let added: Vec<i64> = company_ids
        .iter()
        .copied()
        .filter(|c| !before.contains(c))
        .collect();
    let removed: Vec<i64> = before
        .iter()
        .copied()
        .filter(|c| !company_ids.contains(c))
        .collect();
    let mut insert = conn.prepare_cached(
        "INSERT INTO contact_related_companies (contact_id, company_id) VALUES (?1, ?2)",
    )?;
    for &company in &added {
        insert.execute(params![id, company])?;
    }
    let mut delete = conn.prepare_cached(
        "DELETE FROM contact_related_companies WHERE contact_id = ?1 AND company_id = ?2",
    )?;
    let mut unsubscribe = conn.prepare_cached(
        "DELETE FROM ticket_subscribers WHERE contact_id = ?1
           AND ticket_id IN (SELECT id FROM tickets WHERE company_id = ?2)",
    )?;
    for &company in &removed {
        delete.execute(params![id, company])?;
        unsubscribe.execute(params![id, company])?;
    }
    Ok((added, removed))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::subscribers;
    use crate::store::testing::*;

    #[test]
    fn related_companies_list_their_contacts_and_dropping_one_unsubscribes() {
        let (_dir, conn) = temp_conn();
        let on_b = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        let on_a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let bad = set_related_companies(&conn, ALICE, COMPANY_A, &[COMPANY_A]).unwrap_err();
        assert!(
            matches!(bad, StoreError::Invalid { ref field, .. } if field == "related_company_ids")
        );
        let bad = set_related_companies(&conn, ALICE, COMPANY_A, &[99]).unwrap_err();
        assert!(
            matches!(bad, StoreError::Invalid { ref field, .. } if field == "related_company_ids")
        );
        assert!(get(&conn, ALICE, 0).unwrap().related_company_ids.is_empty());

        let (added, removed) =
            set_related_companies(&conn, ALICE, COMPANY_A, &[COMPANY_B]).unwrap();
        assert_eq!((added, removed), (vec![COMPANY_B], vec![]));
        assert_eq!(
            get(&conn, ALICE, 0).unwrap().related_company_ids,
            vec![COMPANY_B]
        );
        let q = |include_related| ContactQuery {
            company_id: COMPANY_B,
            include_related,
            limit: 10,
            ..ContactQuery::default()
        };
        let ids = |q| {
            list(&conn, &q, 0)
                .unwrap()
                .0
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(q(false)), vec![BOB]);
        assert_eq!(ids(q(true)), vec![ALICE, BOB]);
        assert_eq!(list(&conn, &q(true), 0).unwrap().1, 2);

        subscribers::set(&conn, on_b, ALICE, true).unwrap();
        subscribers::set(&conn, on_a, ALICE, true).unwrap();
        let (added, removed) = set_related_companies(&conn, ALICE, COMPANY_A, &[]).unwrap();
        assert_eq!((added, removed), (vec![], vec![COMPANY_B]));
        assert!(subscribers::ids(&conn, on_b).unwrap().is_empty());
        assert_eq!(subscribers::ids(&conn, on_a).unwrap(), vec![ALICE]);
        assert_eq!(ids(q(true)), vec![BOB]);
    }
}
