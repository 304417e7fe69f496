//! Grouped sums for the reports, counted in Rust. SQLite has no hash
//! aggregate: a `GROUP BY` over a key its index is not ordered by sorts
//! every row of the period first, which cost more than the scan itself
//! (docs/BENCHMARKS.md, "Reports on the 1M store"). A map of the few groups
//! is filled as the rows stream past instead.

use std::collections::HashMap;
use std::hash::Hash;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};

use super::Result;

/// The sums of `N` figures per key over the rows of `sql`: `f` reads one
/// row's key and figures.
pub fn tally<K: Hash + Eq, const N: usize>(
    conn: &Connection,
    sql: &str,
    args: &[Value],
    mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<(K, [i64; N])>,
) -> Result<HashMap<K, [i64; N]>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut sums: HashMap<K, [i64; N]> = HashMap::new();
    while let Some(row) = rows.next()? {
        let (key, figures) = f(row)?;
        let sum = sums.entry(key).or_insert([0; N]);
        for (s, x) in sum.iter_mut().zip(figures) {
            *s += x;
        }
    }
    Ok(sums)
}

/// The text `sql` gives for one key (a name), or None.
pub fn label(conn: &Connection, sql: &str, key: &Value) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}
