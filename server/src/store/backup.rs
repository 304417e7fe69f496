//! Copies of the store: checking that one is whole, restoring one in place
//! of a store, and the lock that keeps a restore (or a second server) off a
//! store a server is using. docs/RELIABILITY.md has the drill.
//!
//! Attachments are rows of the store (`blobs`), so a copy of the one file
//! holds every ticket and every attachment byte together, at one instant.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::migrations::LATEST_VERSION;
use super::{Result, StoreError};

/// An exclusive lock on a store, held by `serve` and `restore` for as long
/// as they use it. It is an advisory lock (`flock`) on `<store>.lock`: the
/// kernel drops it when the process ends, however it ends, so a killed
/// server never leaves a stale lock behind.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the lock of the store at `db`, or says who holds it.
    pub fn acquire(db: &Path) -> Result<Self> {
        let path = lock_path(db);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(StoreError::FailedPrecondition(format!(
                "{} is in use by a running portal-server (it holds {}); stop it first",
                db.display(),
                path.display()
            ))),
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

/// The lock file beside the store at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// What a whole copy holds: its schema version and its ticket count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyFacts {
    pub schema_version: usize,
    pub tickets: i64,
}

/// Checks the store file at `path`: SQLite's `integrity_check` and
/// `foreign_key_check` find nothing, and its schema version is one this
/// server can serve (older versions are migrated when served).
pub fn check(path: &Path) -> Result<CopyFacts> {
    if !path.is_file() {
        return Err(StoreError::FailedPrecondition(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if problems != ["ok"] {
        return Err(StoreError::Corrupt(format!(
            "{} fails its integrity check: {}",
            path.display(),
            problems.join("; ")
        )));
    }
    let orphans: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    if orphans > 0 {
        return Err(StoreError::Corrupt(format!(
            "{} has {orphans} rows whose references are missing",
            path.display()
        )));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(0);
    if version == 0 || version > LATEST_VERSION {
        return Err(StoreError::FailedPrecondition(format!(
            "{} has schema version {version}; this portal-server serves versions 1 to \
             {LATEST_VERSION}{}",
            path.display(),
            if version == 0 {
                " (is it a Portal store?)"
            } else {
                " (it was written by a newer portal-server)"
            }
        )));
    }
    let tickets = conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?;
    Ok(CopyFacts {
        schema_version: version,
        tickets,
    })
}

/// Puts the copy at `from` in place of the store at `db` (which may be
/// missing): checks the copy, takes the store's lock (refused while a
/// server holds it), writes the copy beside the store, syncs it, removes
/// the old store's WAL and shared-memory files (their frames belong to the
/// old store) and renames the copy over the store.
pub fn restore(from: &Path, db: &Path) -> Result<CopyFacts> {
    let facts = check(from)?;
    let _lock = StoreLock::acquire(db)?;
    let staged = sibling(db, ".restoring");
    let _ = std::fs::remove_file(&staged);
    {
        let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut copy = Connection::open(&staged)?;
        rusqlite::backup::Backup::new(&source, &mut copy)?.step(-1)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
    }
    File::open(&staged)?.sync_all()?;
    for stale in [sibling(db, "-wal"), sibling(db, "-shm")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staged, db)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(facts)
}

/// `db` with `suffix` appended to its file name.
fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreOptions};

    #[test]
    fn a_lock_is_refused_while_held_and_free_once_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("p.db");
        let held = StoreLock::acquire(&db).expect("first");
        let refused = StoreLock::acquire(&db).expect_err("second");
        assert!(refused.to_string().contains("in use"), "{refused}");
        drop(held);
        StoreLock::acquire(&db).expect("after drop");
    }

    #[test]
    fn restore_replaces_the_store_and_drops_its_stale_wal() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("p.db");
        let copy = dir.path().join("copy.db");
        let store = Store::open(&db, &StoreOptions::default()).expect("open");
        store.backup_to(&copy).expect("backup");
        store
            .write_blocking(|c| {
                c.execute(
                    "INSERT INTO holidays (day, name) VALUES ('2026-12-25', 'x')",
                    [],
                )?;
                Ok(())
            })
            .expect("write after the backup");
        drop(store);
        let facts = restore(&copy, &db).expect("restore");
        assert_eq!(facts.schema_version, LATEST_VERSION);
        let conn = Connection::open(&db).expect("reopen");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM holidays", [], |r| r.get(0))
            .expect("count");
        assert_eq!(
            n, 0,
            "the write after the backup is gone with the old store"
        );
    }

    #[test]
    fn check_refuses_garbage_and_a_newer_schema() {
        let dir = tempfile::tempdir().expect("dir");
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![7u8; 8192]).expect("write");
        assert!(check(&junk).is_err());
        let newer = dir.path().join("newer.db");
        drop(Store::open(&newer, &StoreOptions::default()).expect("open"));
        Connection::open(&newer)
            .and_then(|c| c.pragma_update(None, "user_version", 999))
            .expect("bump");
        let e = check(&newer).expect_err("newer").to_string();
        assert!(e.contains("schema version 999"), "{e}");
    }
}
