//! Keyset paging on the wire, for every list: page sizes and the one cursor
//! format, opaque to clients (hex of a small JSON value holding the last
//! row's sort key).

use portal_proto::pb;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::Status;

use super::status::invalid;
use crate::domain::input::NOT_A_CURSOR;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// The page size asked for (0 = the default).
pub fn page_size(page: Option<&pb::PageRequest>) -> Result<u32, Status> {
    match page.map_or(0, |p| p.page_size) {
        0 => Ok(DEFAULT_PAGE),
        n if n > MAX_PAGE => Err(invalid("page.page_size", format!("at most {MAX_PAGE}"))),
        n => Ok(n),
    }
}

/// Lists are read one row past the page (`page_size + 1` rows): that row,
/// dropped here, says whether a next page exists, so the last page never
/// hands out a cursor to an empty one. Returns the cursor after the page,
/// "" at the end.
pub fn finish<T, K: Serialize>(
    rows: &mut Vec<T>,
    page_size: u32,
    key: impl FnOnce(&T) -> K,
) -> String {
    let page_size = page_size as usize;
    if rows.len() <= page_size {
        return String::new();
    }
    rows.truncate(page_size);
    rows.last()
        .map(|last| encode(&key(last)))
        .unwrap_or_default()
}

pub fn encode<T: Serialize>(key: &T) -> String {
    serde_json::to_vec(key).map(hex::encode).unwrap_or_default()
}

/// The key in `page.cursor`, or `None` for the first page.
pub fn decode<T: DeserializeOwned>(page: Option<&pb::PageRequest>) -> Result<Option<T>, Status> {
    let cursor = page.map_or("", |p| p.cursor.as_str());
    if cursor.is_empty() {
        return Ok(None);
    }
    hex::decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| invalid("page.cursor", NOT_A_CURSOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = ("Lee".to_owned(), "Ann".to_owned(), 7_i64);
        let page = pb::PageRequest {
            page_size: 0,
            cursor: encode(&key),
        };
        assert_eq!(
            decode::<(String, String, i64)>(Some(&page)).ok(),
            Some(Some(key))
        );
        let bad = pb::PageRequest {
            page_size: 500,
            cursor: "zz".into(),
        };
        assert!(decode::<(String, String, i64)>(Some(&bad)).is_err());
        assert!(page_size(Some(&bad)).is_err());
        assert_eq!(page_size(None).ok(), Some(DEFAULT_PAGE));
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_follow() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(finish(&mut rows, 3, |r| *r), "");
        assert_eq!(rows, [1, 2, 3]);
        let mut rows = vec![1, 2, 3, 4];
        let cursor = finish(&mut rows, 3, |r| *r);
        assert_eq!(rows, [1, 2, 3]);
        let next = pb::PageRequest {
            page_size: 3,
            cursor,
        };
        assert_eq!(decode::<i32>(Some(&next)).ok(), Some(Some(3)));
    }
}
