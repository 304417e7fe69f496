//! The demo data set from `data/`, and an embedded demo server.

use crate::store::Store;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Portal-Demo-2026!";

/// Fills a new store with the demo data set.
pub fn load(_store: &Store) -> anyhow::Result<()> {
    anyhow::bail!("the demo data set is not built yet")
}
