//! The store as the sweep checks it: a digest of every table, read over a
//! read-only connection beside the running server (WAL lets it read while
//! the server writes), and SQLite's `data_version`, which changes whenever
//! another connection commits, so the digest is taken only then.
//!
//! What a refused call may still change, by design, is left out of the
//! digest: the audit rows of refused sign-ins and password changes
//! (`login.failed`, `lockout`, `password.change_failed`), the failure
//! counters and lockout time of credentials, and a session's `last_seen_at`
//! (every authenticated call is activity, written at most once a minute).
//! The server's own housekeeping (every 10 minutes it deletes ended
//! sessions and the sign-ins left without one) may land beside any call:
//! `main.rs` tells it from the call's by the server's log line.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest as _, Sha256};

/// Columns a refused call may change, by table.
const EXEMPT_COLUMNS: &[(&str, &str)] = &[
    ("sessions", "last_seen_at"),
    ("credentials", "failed_count"),
    ("credentials", "failed_window_start"),
    ("credentials", "locked_until"),
];

/// Audit actions a refused call records.
const REFUSAL_ACTIONS: &str = "'login.failed', 'lockout', 'password.change_failed'";

/// Each table's digest: an order-free sum of the hashes of its rows.
pub type Digest = BTreeMap<String, (u64, u128)>;

pub struct StoreReader {
    conn: Connection,
    /// The `SELECT` of each table.
    queries: Vec<(String, String)>,
}

impl StoreReader {
    pub fn open(db: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'
                 ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut queries = Vec::new();
        for table in tables {
            let columns: Vec<(String, String)> = conn
                .prepare(&format!("PRAGMA table_info(\"{table}\")"))?
                .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let selected: Vec<String> = columns
                .iter()
                .filter(|(c, _)| !EXEMPT_COLUMNS.contains(&(table.as_str(), c.as_str())))
                .map(|(c, ty)| {
                    // Attachment bytes are stored under their SHA-256, so
                    // their key and length stand for them.
                    if ty.eq_ignore_ascii_case("BLOB") {
                        format!("length(\"{c}\")")
                    } else {
                        format!("\"{c}\"")
                    }
                })
                .collect();
            if selected.is_empty() {
                continue;
            }
            let mut query = format!("SELECT {} FROM \"{table}\"", selected.join(", "));
            if table == "audit_log" {
                query.push_str(" WHERE action NOT IN (");
                query.push_str(REFUSAL_ACTIONS);
                query.push(')');
            }
            queries.push((table, query));
        }
        Ok(Self { conn, queries })
    }

    /// Changes whenever another connection has committed since the last call.
    pub fn data_version(&self) -> anyhow::Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn digest(&self) -> anyhow::Result<Digest> {
        let tx = self.conn.unchecked_transaction()?;
        let mut digest = Digest::new();
        for (table, query) in &self.queries {
            let mut stmt = tx.prepare_cached(query)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            let (mut count, mut sum) = (0_u64, 0_u128);
            while let Some(row) = rows.next()? {
                let mut h = Sha256::new();
                for i in 0..n {
                    match row.get_ref(i)? {
                        ValueRef::Null => h.update([0]),
                        ValueRef::Integer(v) => {
                            h.update([1]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Real(v) => {
                            h.update([2]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Text(v) => {
                            h.update([3]);
                            h.update((v.len() as u64).to_le_bytes());
                            h.update(v);
                        }
                        ValueRef::Blob(v) => {
                            h.update([4]);
                            h.update((v.len() as u64).to_le_bytes());
                            h.update(v);
                        }
                    }
                }
                let out = h.finalize();
                let mut first = [0_u8; 16];
                first.copy_from_slice(&out[..16]);
                sum = sum.wrapping_add(u128::from_le_bytes(first));
                count += 1;
            }
            digest.insert(table.clone(), (count, sum));
        }
        drop(tx);
        Ok(digest)
    }
}

/// The tables whose digests differ.
pub fn changed(before: &Digest, after: &Digest) -> Vec<String> {
    after
        .iter()
        .filter(|(table, d)| before.get(*table) != Some(d))
        .map(|(table, _)| table.clone())
        .chain(before.keys().filter(|t| !after.contains_key(*t)).cloned())
        .collect()
}
