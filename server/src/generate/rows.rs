//! Bulk row writers for `init`, `demo` and `gen`: plain inserts with cached
//! statements, run inside one `Store::write_blocking` transaction by the
//! caller. Nothing here checks business rules; the callers build consistent
//! data.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::Result;

pub struct ProviderRow<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub business_days: &'a str,
    pub business_start_minute: i64,
    pub business_end_minute: i64,
    pub labour_rate_cents: i64,
    pub payment_terms_days: i64,
    pub currency: &'a str,
    pub auto_close_days: i64,
}

pub fn put_provider(conn: &Connection, p: &ProviderRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO provider_settings (id, name, time_zone, business_days,
             business_start_minute, business_end_minute, labour_rate_cents,
             payment_terms_days, currency, auto_close_days)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.name,
        p.time_zone,
        p.business_days,
        p.business_start_minute,
        p.business_end_minute,
        p.labour_rate_cents,
        p.payment_terms_days,
        p.currency,
        p.auto_close_days
    ])?;
    Ok(())
}

pub fn put_holiday(conn: &Connection, day: &str, name: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO holidays (day, name) VALUES (?1, ?2)")?
        .execute(params![day, name])?;
    Ok(())
}

pub fn put_sla_target(
    conn: &Connection,
    priority: i64,
    name: &str,
    response_minutes: Option<i64>,
    resolution_minutes: Option<i64>,
    clock: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sla_targets (priority, name, response_minutes, resolution_minutes, clock)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![priority, name, response_minutes, resolution_minutes, clock])?;
    Ok(())
}

/// Inserts a service type; `fields` is the JSON described in `data/catalog.toml`.
pub fn insert_service_type(
    conn: &Connection,
    name: &str,
    description: &str,
    sort_order: i64,
    fields: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO service_types (name, description, sort_order, fields) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![name, description, sort_order, fields])?;
    Ok(conn.last_insert_rowid())
}

pub struct StaffRow<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// "technician", "dispatcher" or "admin".
    pub role: &'a str,
    pub active: bool,
    pub created_at: i64,
}

pub fn insert_staff(conn: &Connection, s: &StaffRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO staff (email, first_name, last_name, role, active, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        s.email,
        s.first_name,
        s.last_name,
        s.role,
        s.active,
        s.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub struct CompanyRow<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    /// JSON `{line1, line2, city, region, postal_code, country}`.
    pub address: &'a str,
    pub payment_terms_days: i64,
    pub require_po: bool,
    pub users_see_all: bool,
    pub created_at: i64,
}

pub fn insert_company(conn: &Connection, c: &CompanyRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO companies (name, phone, address, payment_terms_days, require_po,
             users_see_all, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        c.name,
        c.phone,
        c.address,
        c.payment_terms_days,
        c.require_po,
        c.users_see_all,
        c.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_site(conn: &Connection, company_id: i64, name: &str, address: &str) -> Result<i64> {
    conn.prepare_cached("INSERT INTO sites (company_id, name, address) VALUES (?1, ?2, ?3)")?
        .execute(params![company_id, name, address])?;
    Ok(conn.last_insert_rowid())
}

pub struct ContactRow<'a> {
    pub company_id: i64,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub title: &'a str,
    pub home_email: &'a str,
    pub private_email: &'a str,
    /// JSON `[{kind, number, extension}]`.
    pub phones: &'a str,
    pub use_company_address: bool,
    pub address: &'a str,
    /// JSON `{ticket_created, staff_reply, status_changed, ticket_completed, invoices}`.
    pub notifications: &'a str,
    /// "none", "user", "manager" or "admin".
    pub access: &'a str,
    pub active: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

pub fn insert_contact(conn: &Connection, c: &ContactRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO contacts (company_id, email, first_name, last_name, title, home_email,
             private_email, phones, use_company_address, address, notifications, access,
             active, created_at, last_login_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        c.company_id,
        c.email,
        c.first_name,
        c.last_name,
        c.title,
        c.home_email,
        c.private_email,
        c.phones,
        c.use_company_address,
        c.address,
        c.notifications,
        c.access,
        c.active,
        c.created_at,
        c.last_login_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn relate_contact(conn: &Connection, contact_id: i64, company_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO contact_related_companies (contact_id, company_id) VALUES (?1, ?2)",
    )?
    .execute(params![contact_id, company_id])?;
    Ok(())
}

pub fn add_default_subscriber(conn: &Connection, company_id: i64, contact_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO company_default_subscribers (company_id, contact_id) VALUES (?1, ?2)",
    )?
    .execute(params![company_id, contact_id])?;
    Ok(())
}

pub struct TicketRow<'a> {
    /// The ticket number.
    pub id: i64,
    pub company_id: i64,
    pub site_id: Option<i64>,
    pub contact_id: i64,
    pub service_type_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    /// JSON `[{key, value}]`.
    pub fields: &'a str,
    pub priority: i64,
    /// The stored status number (see `domain::TicketStatus`).
    pub status: i64,
    pub emergency: bool,
    pub due_date: Option<&'a str>,
    pub po_number: &'a str,
    pub assigned_staff_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub responded_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub response_due_at: Option<i64>,
    pub resolution_due_at: Option<i64>,
}

/// The next SLA deadline of a generated ticket, as the server would keep it
/// for a ticket that never waited on its client: `(kind, due, at risk from)`
/// with the default 25 % at-risk share.
fn next_deadline(t: &TicketRow) -> (Option<i64>, Option<i64>, Option<i64>) {
    if t.status > 4 {
        return (None, None, None);
    }
    let next = match (t.responded_at, t.response_due_at, t.resolution_due_at) {
        (None, Some(due), _) => Some((1, due)),
        (_, _, Some(due)) => Some((2, due)),
        _ => None,
    };
    next.map_or((None, None, None), |(kind, due)| {
        (Some(kind), Some(due), Some(due - (due - t.created_at) / 4))
    })
}

pub fn insert_ticket(conn: &Connection, t: &TicketRow) -> Result<()> {
    let (next_kind, next_due, next_risk) = next_deadline(t);
    conn.prepare_cached(
        "INSERT INTO tickets (id, company_id, site_id, contact_id, service_type_id, title,
             description, fields, priority, status, emergency, due_date, po_number,
             assigned_staff_id, created_at, updated_at, responded_at, completed_at, closed_at,
             response_due_at, resolution_due_at, sla_counted_at, next_due_kind, next_due_at,
             next_risk_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?15, ?22, ?23, ?24)",
    )?
    .execute(params![
        t.id,
        t.company_id,
        t.site_id,
        t.contact_id,
        t.service_type_id,
        t.title,
        t.description,
        t.fields,
        t.priority,
        t.status,
        t.emergency,
        t.due_date,
        t.po_number,
        t.assigned_staff_id,
        t.created_at,
        t.updated_at,
        t.responded_at,
        t.completed_at,
        t.closed_at,
        t.response_due_at,
        t.resolution_due_at,
        next_kind,
        next_due,
        next_risk
    ])?;
    Ok(())
}

pub fn subscribe(conn: &Connection, ticket_id: i64, contact_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ticket_subscribers (ticket_id, contact_id) VALUES (?1, ?2)",
    )?
    .execute(params![ticket_id, contact_id])?;
    Ok(())
}

pub struct TimelineRow<'a> {
    pub ticket_id: i64,
    /// 1 discussion, 2 resolution, 3 internal note, 4 status, 5 priority, 6 assignment.
    pub kind: i64,
    pub at: i64,
    /// "contact", "staff" or "system".
    pub author_kind: &'a str,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
    pub body: &'a str,
    pub from_value: &'a str,
    pub to_value: &'a str,
}

pub fn insert_timeline(conn: &Connection, e: &TimelineRow) -> Result<i64> {
    let id = crate::store::timeline::next_id(conn, e.ticket_id)?;
    conn.prepare_cached(crate::store::timeline::INSERT)?
        .execute(params![
            id,
            e.ticket_id,
            e.kind,
            e.at,
            e.author_kind,
            e.author_id,
            e.author_name,
            e.body,
            e.from_value,
            e.to_value
        ])?;
    Ok(id)
}

pub fn insert_task(
    conn: &Connection,
    ticket_id: i64,
    text: &str,
    done: Option<(&str, i64)>,
    created_at: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO tasks (ticket_id, text, done, done_by, done_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        ticket_id,
        text,
        done.is_some(),
        done.map_or("", |d| d.0),
        done.map(|d| d.1),
        created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Stores content once per SHA-256 (hex); a second put of the same bytes is a no-op.
pub fn put_blob(conn: &Connection, sha256: &str, data: &[u8]) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?1, ?2, ?3)")?
        .execute(params![sha256, data.len() as i64, data])?;
    Ok(())
}

pub struct AttachmentRow<'a> {
    pub ticket_id: i64,
    pub title: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub uploader_kind: &'a str,
    pub uploader_id: i64,
    pub uploader_name: &'a str,
    pub uploaded_at: i64,
}

pub fn insert_attachment(conn: &Connection, a: &AttachmentRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO attachments (ticket_id, title, file_name, content_type, size, sha256,
             uploader_kind, uploader_id, uploader_name, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        a.ticket_id,
        a.title,
        a.file_name,
        a.content_type,
        a.size,
        a.sha256,
        a.uploader_kind,
        a.uploader_id,
        a.uploader_name,
        a.uploaded_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Whether the store already has a provider (so `init`/`demo` do not run twice).
pub fn has_provider(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM provider_settings WHERE id = 1")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A private connection for `gen`, which writes millions of rows into a new
/// file: durability is off (`synchronous = OFF`) and the cache is large.
/// That is safe only because the file is fresh and thrown away if anything
/// fails; a half-written synthetic store is worth nothing. Bulk transactions
/// run here directly rather than through the store's writer, whose
/// per-job savepoint makes each trigger-firing insert pay for the whole
/// transaction's statement journal.
pub fn bulk_connection(path: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -262_144)?; // 256 MB
    Ok(conn)
}

/// Runs `f` in one transaction on a bulk connection.
pub fn in_transaction<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            conn.execute_batch("COMMIT")?;
            Ok(value)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Merges the full-text index into one segment, as a long-lived store's
/// index tends to be after automatic merging.
pub fn optimize_search(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO ticket_search (ticket_search) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}
