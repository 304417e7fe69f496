//! The checks after a kill, on the store the dead server left.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::load::{Ledger, Outcome};

/// What one cycle's checks found.
pub struct Report {
    acknowledged: usize,
    refused: usize,
    in_flight: usize,
    /// Every problem: an integrity error, a lost or refused-but-stored
    /// write, a wrong attachment or status, an unexpected answer.
    pub problems: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn line(&self) -> String {
        format!(
            "{} acknowledged, {} refused, {} in flight at the kill; {}",
            self.acknowledged,
            self.refused,
            self.in_flight,
            if self.passed() {
                "integrity ok, all present, none refused stored".to_owned()
            } else {
                format!("{} problems", self.problems.len())
            }
        )
    }
}

/// Checks the store at `db` against everything acknowledged so far
/// (`ledger`, which takes this cycle's `outcome` in first).
pub fn store(db: &Path, ledger: &mut Ledger, outcome: Outcome) -> anyhow::Result<Report> {
    let mut report = Report {
        acknowledged: outcome.ledger.acknowledged(),
        refused: outcome.ledger.refused.len(),
        in_flight: outcome.in_flight,
        problems: outcome.unexpected,
    };
    ledger.absorb(outcome.ledger);
    // Opening runs SQLite's recovery of the WAL, as the next server's would.
    let conn = Connection::open(db)?;
    let integrity: Vec<String> = column(&conn, "PRAGMA integrity_check", [])?;
    if integrity != ["ok"] {
        report
            .problems
            .push(format!("integrity_check: {}", integrity.join("; ")));
    }
    let orphans: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    if orphans > 0 {
        report
            .problems
            .push(format!("foreign_key_check: {orphans} rows"));
    }
    let titles: HashSet<String> = column(
        &conn,
        "SELECT title FROM tickets WHERE title LIKE 'cl %'",
        [],
    )?;
    let bodies: HashSet<String> = column(
        &conn,
        "SELECT body FROM timeline WHERE body LIKE 'cl %'",
        [],
    )?;
    let notes: HashSet<String> = column(
        &conn,
        "SELECT note FROM time_entries WHERE note LIKE 'cl %'",
        [],
    )?;
    missing(&mut report, "ticket", &ledger.tickets, &titles);
    missing(&mut report, "post", &ledger.posts, &bodies);
    let references: HashSet<String> = column(
        &conn,
        "SELECT reference FROM payments WHERE reference LIKE 'cl %'",
        [],
    )?;
    missing(&mut report, "time entry", &ledger.times, &notes);
    missing(&mut report, "payment", &ledger.payments, &references);
    for marker in &ledger.refused {
        if titles.contains(marker) || bodies.contains(marker) || references.contains(marker) {
            report
                .problems
                .push(format!("refused write stored: {marker}"));
        }
    }
    attachments(&conn, &mut report, ledger)?;
    statuses(&conn, &mut report, ledger)?;
    Ok(report)
}

fn column<T: rusqlite::types::FromSql, C: FromIterator<T>>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> anyhow::Result<C> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<C>>()?)
}

fn missing(
    report: &mut Report,
    what: &str,
    acknowledged: &HashSet<String>,
    stored: &HashSet<String>,
) {
    let lost: Vec<&String> = acknowledged.difference(stored).collect();
    if !lost.is_empty() {
        report.problems.push(format!(
            "{} acknowledged {what}s lost, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(5)]
        ));
    }
}

/// Every acknowledged attachment is stored, and its bytes hash to what the
/// client sent.
fn attachments(conn: &Connection, report: &mut Report, ledger: &Ledger) -> anyhow::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT a.file_name, a.sha256, b.data FROM attachments a \
         JOIN blobs b ON b.sha256 = a.sha256 WHERE a.file_name LIKE 'cl-%'",
    )?;
    let stored: HashMap<String, (String, String)> = stmt
        .query_map([], |r| {
            let data: Vec<u8> = r.get(2)?;
            Ok((r.get(0)?, (r.get(1)?, hex::encode(Sha256::digest(&data)))))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (name, sent) in &ledger.attachments {
        match stored.get(name) {
            None => report.problems.push(format!("attachment lost: {name}")),
            Some((recorded, actual)) if recorded != sent || actual != sent => {
                report.problems.push(format!(
                    "attachment {name}: sent {sent}, recorded {recorded}, bytes hash to {actual}"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Every ticket's status is its last acknowledged one, or the one a call
/// in flight at the kill asked for; that becomes the acknowledged one.
fn statuses(conn: &Connection, report: &mut Report, ledger: &mut Ledger) -> anyhow::Result<()> {
    let mut stmt = conn.prepare_cached("SELECT status FROM tickets WHERE id = ?1")?;
    for (number, facts) in &mut ledger.statuses {
        let stored: Option<i32> = stmt
            .query_map([*number], |r| r.get(0))?
            .next()
            .transpose()?;
        match stored {
            Some(s) if s == facts.acknowledged || Some(s) == facts.pending => {
                facts.acknowledged = s;
                facts.pending = None;
            }
            other => report.problems.push(format!(
                "ticket #{number}: status {other:?}, acknowledged {} (in flight: {:?})",
                facts.acknowledged, facts.pending
            )),
        }
    }
    Ok(())
}
