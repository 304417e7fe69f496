//! The append-only ticket timeline.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::tickets::{Author, AuthorKind, TimelineEntry, TimelineKind};

/// A timeline entry to append.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub kind: TimelineKind,
    pub body: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

impl<'a> Change<'a> {
    pub fn post(kind: TimelineKind, body: &'a str) -> Self {
        Self {
            kind,
            body,
            from: "",
            to: "",
        }
    }
}

/// Entry ids hold their ticket in the bits above these (see the schema).
const ORDINAL_BITS: u32 = 20;

/// The ids a ticket's entries may take: `first..end`.
fn id_range(ticket_id: i64) -> (i64, i64) {
    let first = ticket_id << ORDINAL_BITS;
    (first + 1, first + (1 << ORDINAL_BITS))
}

/// The id the ticket's next entry takes; refused once a ticket is full.
pub(crate) fn next_id(conn: &Connection, ticket_id: i64) -> Result<i64> {
    let (first, end) = id_range(ticket_id);
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM timeline WHERE id >= ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([first, end], |r| r.get(0))
        .optional()?;
    let next = last.map_or(first, |id| id + 1);
    if next >= end {
        return Err(StoreError::FailedPrecondition(format!(
            "this ticket holds the most entries a ticket can ({}); open a new ticket",
            end - first
        )));
    }
    Ok(next)
}

/// Inserts an entry whose id `next_id` gave.
pub(crate) const INSERT: &str = "INSERT INTO timeline (id, ticket_id, kind, at, author_kind,
        author_id, author_name, body, from_value, to_value)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Appends an entry and bumps the ticket's `updated_at`.
pub fn append(
    conn: &Connection,
    ticket_id: i64,
    author: &Author,
    change: Change<'_>,
    now: i64,
) -> Result<TimelineEntry> {
    let id = next_id(conn, ticket_id)?;
    conn.prepare_cached(INSERT)?.execute(params![
        id,
        ticket_id,
        change.kind as i64,
        now,
        author.kind.as_str(),
        (author.kind != AuthorKind::System).then_some(author.id),
        author.name,
        change.body,
        change.from,
        change.to,
    ])?;
    super::tickets::touch(conn, ticket_id, now)?;
    Ok(TimelineEntry {
        id,
        ticket_id,
        kind: change.kind,
        at: now,
        author_name: author.name.clone(),
        author_is_staff: author.kind == AuthorKind::Staff,
        body: change.body.to_owned(),
        from_value: change.from.to_owned(),
        to_value: change.to.to_owned(),
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<(TimelineEntry, i64)> {
    Ok((
        TimelineEntry {
            id: r.get(0)?,
            ticket_id: r.get(1)?,
            kind: TimelineKind::Discussion,
            at: r.get(3)?,
            author_name: r.get(4)?,
            author_is_staff: r.get::<_, String>(5)? == "staff",
            body: r.get(6)?,
            from_value: r.get(7)?,
            to_value: r.get(8)?,
        },
        r.get(2)?,
    ))
}

/// A page of a ticket's timeline, newest first, of entries older than
/// `before` (an entry id; None = from the newest). Internal notes only when
/// `internal`. Returns the entries and whether older ones exist.
pub fn page(
    conn: &Connection,
    ticket_id: i64,
    before: Option<i64>,
    limit: usize,
    internal: bool,
) -> Result<(Vec<TimelineEntry>, bool)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, ticket_id, kind, at, author_name, author_kind, body, from_value, to_value
         FROM timeline
         WHERE id >= ?1 AND id < ?2 AND (?3 OR kind != 3)
         ORDER BY id DESC LIMIT {}",
        limit + 1
    ))?;
    let (first, end) = id_range(ticket_id);
    let rows = stmt.query_map(
        params![first, before.map_or(end, |b| b.min(end)), internal],
        from_row,
    )?;
    let mut out = Vec::with_capacity(limit);
    for row in rows {
        let (mut entry, kind) = row?;
        entry.kind = TimelineKind::from_i64(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("timeline kind {kind}")))?;
        out.push(entry);
    }
    let more = out.len() > limit;
    out.truncate(limit);
    Ok((out, more))
}

/// The ticket's latest resolution post: its id and text.
pub fn latest_resolution(conn: &Connection, ticket_id: i64) -> Result<Option<(i64, String)>> {
    let (first, end) = id_range(ticket_id);
    Ok(conn
        .prepare_cached(
            "SELECT id, body FROM timeline WHERE id >= ?1 AND id < ?2 AND kind = 2
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([first, end], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn pages_walk_back_and_hide_internal_notes() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "x", 0);
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom Tech".into(),
        };
        for i in 0..7 {
            let kind = if i % 3 == 0 {
                TimelineKind::InternalNote
            } else {
                TimelineKind::Discussion
            };
            append(&conn, t, &tom, Change::post(kind, &format!("p{i}")), i).unwrap();
        }
        let bodies = |v: &[TimelineEntry]| v.iter().map(|e| e.body.clone()).collect::<Vec<_>>();
        let (first, more) = page(&conn, t, None, 3, true).unwrap();
        assert_eq!(
            (bodies(&first), more),
            (vec!["p6".into(), "p5".into(), "p4".into()], true)
        );
        let (rest, more) = page(&conn, t, Some(first[2].id), 10, true).unwrap();
        assert_eq!(rest.len(), 4);
        assert!(!more);
        let (public, _) = page(&conn, t, None, 10, false).unwrap();
        assert_eq!(bodies(&public), ["p5", "p4", "p2", "p1"]);
        let updated: i64 = conn
            .query_row("SELECT updated_at FROM tickets WHERE id = ?1", [t], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(updated, 6);
    }
}
