//! Attachments and their content, stored once per distinct SHA-256.

use std::io::Read;

use rusqlite::{Connection, MAIN_DB, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::tickets::{Attachment, Author};

const COLUMNS: &str = "a.id, a.ticket_id, a.title, a.file_name, a.content_type, a.size, a.sha256,
    a.uploader_name, a.uploaded_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        title: r.get(2)?,
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get::<_, i64>(5)?.max(0) as u64,
        sha256: r.get(6)?,
        uploaded_by: r.get(7)?,
        uploaded_at: r.get(8)?,
    })
}

pub fn list(conn: &Connection, ticket_id: i64) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM attachments a WHERE a.ticket_id = ?1 ORDER BY a.id"
    ))?;
    let list = stmt
        .query_map([ticket_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// An attachment and the rowid of its content (for `read_chunk`).
pub fn get(conn: &Connection, id: i64) -> Result<Option<(Attachment, i64)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, b.rowid FROM attachments a JOIN blobs b ON b.sha256 = a.sha256
             WHERE a.id = ?1"
        ))?
        .query_row([id], |r| Ok((from_row(r)?, r.get(9)?)))
        .optional()?)
}

/// What an uploader says about a file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub title: String,
    pub file_name: String,
    pub content_type: String,
}

/// The bytes of a new attachment: `size` bytes to read from `data`.
pub struct Content<'a> {
    pub sha256: &'a str,
    pub size: u64,
    pub data: &'a mut dyn Read,
}

/// Stores an attachment; the bytes only when no blob has the same SHA-256,
/// copied into the blob in pieces rather than held in memory whole.
/// Bumps the ticket's `updated_at`.
pub fn add(
    conn: &Connection,
    ticket_id: i64,
    meta: &NewAttachment,
    content: Content<'_>,
    uploader: &Author,
    now: i64,
) -> Result<Attachment> {
    let Content { sha256, size, data } = content;
    let size = i64::try_from(size).map_err(|_| StoreError::invalid("data", "too large"))?;
    let new = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?1, ?2, zeroblob(?2))",
        )?
        .execute(params![sha256, size])?;
    if new == 1 {
        let rowid = conn.last_insert_rowid();
        let mut blob = conn.blob_open(MAIN_DB, c"blobs", c"data", rowid, false)?;
        let copied = std::io::copy(data, &mut blob)?;
        if copied != size as u64 {
            return Err(StoreError::Corrupt(format!(
                "the upload held {copied} bytes, not {size}"
            )));
        }
    }
    conn.prepare_cached(
        "INSERT INTO attachments (ticket_id, title, file_name, content_type, size, sha256,
            uploader_kind, uploader_id, uploader_name, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        ticket_id,
        meta.title,
        meta.file_name,
        meta.content_type,
        size,
        sha256,
        uploader.kind.as_str(),
        uploader.id,
        uploader.name,
        now,
    ])?;
    let id = conn.last_insert_rowid();
    super::tickets::touch(conn, ticket_id, now)?;
    get(conn, id)?.map(|(a, _)| a).ok_or(StoreError::NotFound)
}

/// Up to `len` bytes of a blob from `offset`, read incrementally.
pub fn read_chunk(
    conn: &Connection,
    blob_rowid: i64,
    offset: usize,
    len: usize,
) -> Result<Vec<u8>> {
    let blob = conn.blob_open(MAIN_DB, c"blobs", c"data", blob_rowid, true)?;
    let end = blob.len().min(offset.saturating_add(len));
    let mut buf = vec![0; end.saturating_sub(offset)];
    if !buf.is_empty() {
        blob.read_at_exact(&mut buf, offset)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::AuthorKind;
    use crate::store::testing::*;

    #[test]
    fn identical_content_is_stored_once_and_read_in_chunks() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let who = Author {
            kind: AuthorKind::Contact,
            id: UMA,
            name: "Uma Ulm".into(),
        };
        let meta = NewAttachment {
            title: "Log".into(),
            file_name: "log.txt".into(),
            content_type: "text/plain".into(),
        };
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let (mut first, mut second) = (&data[..], &data[..]);
        let content = |data| Content {
            sha256: "abc",
            size: 1000,
            data,
        };
        let a = add(&conn, t, &meta, content(&mut first), &who, 1).unwrap();
        let b = add(&conn, t, &meta, content(&mut second), &who, 2).unwrap();
        assert_ne!(a.id, b.id);
        let blobs: i64 = conn
            .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blobs, 1);
        let (got, rowid) = get(&conn, a.id).unwrap().unwrap();
        assert_eq!((got.size, got.uploaded_by.as_str()), (1000, "Uma Ulm"));
        let mut back = Vec::new();
        let mut offset = 0;
        loop {
            let chunk = read_chunk(&conn, rowid, offset, 300).unwrap();
            if chunk.is_empty() {
                break;
            }
            offset += chunk.len();
            back.extend(chunk);
        }
        assert_eq!(back, data);
        assert_eq!(list(&conn, t).unwrap().len(), 2);
    }
}
