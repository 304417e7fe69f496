//! Fixtures for store unit tests: a migrated temporary database with two
//! companies, their contacts, staff and a service type.

use rusqlite::{Connection, params};
use tempfile::TempDir;

use super::MIGRATIONS;

pub const COMPANY_A: i64 = 1;
pub const COMPANY_B: i64 = 2;
/// Contacts: 1 Admin, 2 Manager, 3 User of A; 4 User of B; 5 inactive of A.
pub const ALICE: i64 = 1;
pub const MARK: i64 = 2;
pub const UMA: i64 = 3;
pub const BOB: i64 = 4;
pub const GONE: i64 = 5;
/// Staff: 1 Technician, 2 Dispatcher, 3 inactive Technician.
pub const TOM: i64 = 1;
pub const DINA: i64 = 2;
pub const OLD_TECH: i64 = 3;
pub const SERVICE_TYPE: i64 = 1;
pub const SITE_A: i64 = 1;
pub const SITE_B: i64 = 2;

pub fn temp_conn() -> (TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("t.db")).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    MIGRATIONS.to_latest(&mut conn).unwrap();
    conn.execute_batch(
        "INSERT INTO companies (id, name, created_at) VALUES (1, 'Alpha', 0), (2, 'Beta', 0);
         INSERT INTO sites (id, company_id, name) VALUES (1, 1, 'Alpha HQ'), (2, 2, 'Beta HQ');
         INSERT INTO contacts (id, company_id, email, first_name, last_name, access, active, created_at) VALUES
           (1, 1, 'alice@a.example', 'Alice', 'Able', 'admin', 1, 0),
           (2, 1, 'mark@a.example', 'Mark', 'Moss', 'manager', 1, 0),
           (3, 1, 'uma@a.example', 'Uma', 'Ulm', 'user', 1, 0),
           (4, 2, 'bob@b.example', 'Bob', 'Bent', 'user', 1, 0),
           (5, 1, 'gone@a.example', 'Gus', 'Gone', 'user', 0, 0);
         INSERT INTO staff (id, email, first_name, last_name, role, active, created_at) VALUES
           (1, 'tom@p.example', 'Tom', 'Tech', 'technician', 1, 0),
           (2, 'dina@p.example', 'Dina', 'Disp', 'dispatcher', 1, 0),
           (3, 'old@p.example', 'Old', 'Tech', 'technician', 0, 0);
         INSERT INTO service_types (id, name, fields) VALUES (1, 'Hardware', '[]');
         INSERT INTO sla_targets VALUES
           (1, 'Critical', 60, 240, '24x7'), (3, 'Medium', 60, 1620, 'business'),
           (5, 'Planned', NULL, NULL, 'none');",
    )
    .unwrap();
    (dir, conn)
}

/// Inserts a bare ticket straight into the table (bypassing validation).
pub fn raw_ticket(conn: &Connection, company: i64, contact: i64, title: &str, at: i64) -> i64 {
    conn.execute(
        "INSERT INTO tickets (company_id, contact_id, service_type_id, title, description,
           priority, status, created_at, updated_at)
         VALUES (?1, ?2, 1, ?3, '', 3, 1, ?4, ?4)",
        params![company, contact, title, at],
    )
    .unwrap();
    conn.last_insert_rowid()
}
