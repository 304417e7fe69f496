//! Reading typed values out of rows: JSON columns and stored enum names.
//! A malformed stored value is a conversion error, never a panic.

use rusqlite::Row;
use rusqlite::types::Type;
use serde::de::DeserializeOwned;

use crate::domain::{AccessLevel, StaffRole};

fn bad(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, format!("bad {what}").into())
}

/// A JSON text column.
pub fn json<T: DeserializeOwned>(r: &Row, idx: usize) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub fn access(r: &Row, idx: usize) -> rusqlite::Result<AccessLevel> {
    let text: String = r.get(idx)?;
    AccessLevel::parse(&text).ok_or_else(|| bad(idx, "access level"))
}

pub fn role(r: &Row, idx: usize) -> rusqlite::Result<StaffRole> {
    let text: String = r.get(idx)?;
    StaffRole::parse(&text).ok_or_else(|| bad(idx, "staff role"))
}

/// A comma-separated list of ids (from `group_concat`), or NULL.
pub fn ids(r: &Row, idx: usize) -> rusqlite::Result<Vec<i64>> {
    let text: Option<String> = r.get(idx)?;
    text.unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| bad(idx, "id list")))
        .collect()
}

fn escape_like(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

/// `text` as a LIKE pattern matching it anywhere (escape character `\`).
pub fn like_anywhere(text: &str) -> String {
    format!("%{}%", escape_like(text))
}

/// `text` as a LIKE pattern matching what starts with it (escape character `\`).
pub fn like_prefix(text: &str) -> String {
    format!("{}%", escape_like(text))
}
