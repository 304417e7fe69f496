//! How many tickets a list's filters match, kept until the store next
//! changes. Pages of a list are asked for far more often than the store is
//! written, and counting every open ticket (Triage) or all of a large
//! client's on each page cost more than reading the page itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::Result;

/// Counts kept at once; past this the cache starts over.
const MAX_KEPT: usize = 4096;

/// The counts of the store's current state. The writer bumps `generation`
/// after each commit, so a count taken before it is never used after.
#[derive(Default)]
pub struct ListCounts {
    generation: AtomicU64,
    counts: Mutex<HashMap<String, (u64, i64)>>,
}

impl ListCounts {
    /// The store changed: every count kept so far is stale.
    pub(super) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The counts as of now. Take it before the read whose counts it keeps
    /// begins: that read's snapshot then holds at least every commit this
    /// generation has seen, so what it counts is never older than the
    /// generation it is kept under.
    pub fn now(self: &Arc<Self>) -> CountsAt {
        CountsAt {
            generation: self.generation.load(Ordering::Acquire),
            counts: Arc::clone(self),
        }
    }
}

/// The counts of one generation of the store (`ListCounts::now`).
pub struct CountsAt {
    generation: u64,
    counts: Arc<ListCounts>,
}

impl CountsAt {
    /// Counts that nothing else shares, for code that writes through its own
    /// connection (tests).
    #[cfg(test)]
    pub fn unshared() -> Self {
        Arc::new(ListCounts::default()).now()
    }

    /// The count kept for `key` in this generation, else `count()`, kept.
    pub fn get_or(&self, key: String, count: impl FnOnce() -> Result<i64>) -> Result<i64> {
        let lock = || {
            self.counts
                .counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(&(generation, n)) = lock().get(&key)
            && generation == self.generation
        {
            return Ok(n);
        }
        let n = count()?;
        let mut kept = lock();
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        // A newer generation's count stays: this one may be older.
        let entry = kept.entry(key).or_insert((self.generation, n));
        if entry.0 < self.generation {
            *entry = (self.generation, n);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_kept_until_the_store_changes() {
        let counts = Arc::new(ListCounts::default());
        let calls = std::cell::Cell::new(0);
        let count = |n| {
            calls.set(calls.get() + 1);
            Ok(n)
        };
        let at = counts.now();
        assert_eq!(at.get_or("open".into(), || count(7)).ok(), Some(7));
        assert_eq!(at.get_or("open".into(), || count(8)).ok(), Some(7));
        assert_eq!(
            counts.now().get_or("open".into(), || count(8)).ok(),
            Some(7)
        );
        assert_eq!(at.get_or("closed".into(), || count(3)).ok(), Some(3));
        assert_eq!(calls.get(), 2, "each key counted once");

        counts.changed();
        let after = counts.now();
        assert_eq!(after.get_or("open".into(), || count(8)).ok(), Some(8));
        // A read that began before the change does not take the newer count,
        // nor does it replace it with its own.
        assert_eq!(at.get_or("open".into(), || count(7)).ok(), Some(7));
        assert_eq!(after.get_or("open".into(), || count(9)).ok(), Some(8));
        assert_eq!(calls.get(), 4);
    }
}
