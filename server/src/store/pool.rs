//! One writer, a few readers.
//!
//! Durability: WAL with `synchronous = FULL`, so a commit is on disk (the WAL
//! is fsynced) before a write is acknowledged; it survives both a killed
//! process and a machine crash. To keep durable throughput high, the writer
//! thread takes every write that is waiting when it wakes and commits them in
//! one transaction (group commit); each write runs in its own savepoint, so a
//! failing write rolls back alone and the others still commit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::list_counts::{CountsAt, ListCounts};
use super::search_terms::SearchTerms;
use super::{MIGRATIONS, Result, StoreError};

/// Writes are committed in batches of at most this many.
const MAX_BATCH: usize = 512;

/// Prepared statements kept per connection. Queries write `LIMIT n` as a
/// literal: a bound LIMIT makes SQLite re-prepare the statement on every run.
const STATEMENT_CACHE: usize = 128;

type Job = Box<dyn FnOnce(&Connection) -> Box<dyn FnOnce(Result<()>) + Send> + Send>;

#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub readers: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { readers: 4 }
    }
}

/// The store handle; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: mpsc::UnboundedSender<Job>,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Semaphore,
    counts: Arc<ListCounts>,
    search_terms: Arc<SearchTerms>,
    /// Whether the writer's last commit succeeded (true until one fails).
    writable: watch::Receiver<bool>,
}

/// The metrics the store keeps (docs/RELIABILITY.md, "Metrics"); they cost
/// nothing unless `serve --metrics-listen` installed a recorder.
pub mod metric {
    /// Writes committed together, one sample per commit.
    pub const BATCH_SIZE: &str = "portal_writer_batch_size";
    /// Writes handed to the writer and not yet taken into a batch.
    pub const QUEUE_DEPTH: &str = "portal_writer_queue_depth";
    /// 1 while the writer's last commit succeeded, 0 after one failed.
    pub const WRITABLE: &str = "portal_store_writable";
    /// Seconds a read waited for a reader connection.
    pub const READER_WAIT: &str = "portal_reader_wait_seconds";
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -16_000)?; // 16 MB per connection
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Every list's filter combination is its own statement; keep them all.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the store at `path` and applies migrations.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        MIGRATIONS.to_latest(&mut conn)?;

        let readers = (0..options.readers.max(1))
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>>>()?;

        let (tx, rx) = mpsc::unbounded_channel();
        let counts = Arc::new(ListCounts::default());
        let changed = Arc::clone(&counts);
        let (writable_tx, writable) = watch::channel(true);
        thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer_loop(&conn, rx, &changed, &writable_tx))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer: {e}")))?;

        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: tx,
                reader_slots: Semaphore::new(readers.len()),
                readers: Mutex::new(readers),
                counts,
                search_terms: Arc::default(),
                writable,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Whether the store can be written: false from a failed commit (disk
    /// full, read-only, failing) until the next one succeeds.
    pub fn writable(&self) -> watch::Receiver<bool> {
        self.inner.writable.clone()
    }

    /// A write that changes nothing, to learn whether the store can be
    /// written: the header page is rewritten with the application id it
    /// already has, which puts a real frame in the WAL. The writer notes
    /// the outcome like any other (`writable`).
    pub async fn probe_write(&self) -> Result<()> {
        self.write(|conn| {
            let id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            conn.pragma_update(None, "application_id", id)?;
            Ok(())
        })
        .await
    }

    /// The ticket lists' counts as of now; take them before the read that
    /// uses them (`ListCounts::now`).
    pub fn list_counts(&self) -> CountsAt {
        self.inner.counts.now()
    }

    /// The words of the search index (`search_terms`), shared by every read.
    pub fn search_terms(&self) -> Arc<SearchTerms> {
        Arc::clone(&self.inner.search_terms)
    }

    /// Runs `f` in the writer's transaction; resolves once it is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let rx = self.submit(f)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// `write` for code outside the async runtime (the CLI's init, demo, gen).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let rx = self.submit(f)?;
        rx.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Queues `f` for the writer; the receiver answers once its batch committed.
    fn submit<T, F>(&self, f: F) -> Result<oneshot::Receiver<Result<T>>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = in_savepoint(conn, f);
            Box::new(move |commit: Result<()>| {
                let _ = tx.send(commit.and(outcome));
            })
        });
        self.inner
            .writer
            .send(job)
            .map_err(|_| StoreError::Closed)?;
        metrics::gauge!(metric::QUEUE_DEPTH).increment(1.0);
        Ok(rx)
    }

    /// Runs `f` on a reader connection off the async threads: for reads
    /// whose cost grows with the data (searches, counts, reports, downloads).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let asked = Instant::now();
        let _slot = self
            .inner
            .reader_slots
            .acquire()
            .await
            .map_err(|_| StoreError::Closed)?;
        metrics::histogram!(metric::READER_WAIT).record(asked.elapsed().as_secs_f64());
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.with_reader(f))
            .await
            .map_err(|e| StoreError::Corrupt(format!("reader task failed: {e}")))?
    }

    /// Runs `f` on a reader connection on the calling thread: for point reads
    /// and index-ordered pages, done in microseconds, where a hop to another
    /// thread would cost more than the read itself. Also the read of code
    /// outside the async runtime (CLI, tests).
    pub fn read_inline<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.inner.with_reader(f)
    }

    /// Copies the whole store to `dest` with SQLite's online backup; consistent
    /// while writes go on.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let conn = self.inner.checkout()?;
        let mut copy = Connection::open(dest)?;
        // One step copies every page: a paused, stepwise copy would start
        // over whenever a write lands in between, and never end on a busy store.
        let step = rusqlite::backup::Backup::new(&conn, &mut copy)?.step(-1);
        self.inner.checkin(conn);
        match step? {
            rusqlite::backup::StepResult::Done => {}
            other => {
                return Err(StoreError::FailedPrecondition(format!(
                    "the backup did not finish ({other:?}); try again"
                )));
            }
        }
        // One self-contained file, with no WAL beside it to lose or mix up.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    }
}

impl Inner {
    /// Runs `f` in one read transaction: one snapshot for all its statements,
    /// and one lock on the WAL index instead of one per statement.
    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.checkout()?;
        conn.prepare_cached("BEGIN")?.execute([])?;
        let out = f(&conn);
        // A connection whose transaction would not end is dropped, not reused.
        conn.prepare_cached("COMMIT")?.execute([])?;
        self.checkin(conn);
        out
    }

    fn checkout(&self) -> Result<Connection> {
        let idle = self.readers.lock().map_err(|_| StoreError::Closed)?.pop();
        // Past the pool's size (more inline readers at once than expected)
        // a reader is opened, and kept afterwards.
        idle.map_or_else(|| open_reader(&self.path), Ok)
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut readers) = self.readers.lock() {
            readers.push(conn);
        }
    }
}

fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(conn)
}

fn in_savepoint<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.execute_batch("SAVEPOINT job")?;
    match f(conn) {
        Ok(value) => {
            conn.execute_batch("RELEASE job")?;
            Ok(value)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(e)
        }
    }
}

fn writer_loop(
    conn: &Connection,
    mut rx: mpsc::UnboundedReceiver<Job>,
    counts: &ListCounts,
    writable: &watch::Sender<bool>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics::gauge!(metric::QUEUE_DEPTH).decrement(batch.len() as f64);
        metrics::histogram!(metric::BATCH_SIZE).record(batch.len() as f64);
        let replies: Vec<_>;
        let commit = match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                replies = batch.drain(..).map(|job| job(conn)).collect();
                conn.execute_batch("COMMIT").map_err(StoreError::from)
            }
            Err(e) => {
                replies = Vec::new();
                batch.clear();
                tracing::error!(error = %e, "cannot begin a write transaction");
                Err(StoreError::from(e))
            }
        };
        match &commit {
            // Before anyone hears of the write, no count taken before it is
            // used again.
            Ok(()) => counts.changed(),
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
        note_writable(writable, commit.is_ok());
        for reply in replies {
            reply(match &commit {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Unwritable(format!("commit failed: {e}"))),
            });
        }
    }
}

/// Records whether the last commit succeeded, saying so in the log (and,
/// through `Store::writable`, to the health service) when that changes.
fn note_writable(writable: &watch::Sender<bool>, ok: bool) {
    let changed = writable.send_if_modified(|was| std::mem::replace(was, ok) != ok);
    if changed {
        if ok {
            tracing::warn!("the store is writable again");
        } else {
            tracing::error!(
                "the store cannot be written; health says NOT_SERVING until a write succeeds"
            );
        }
        metrics::gauge!(metric::WRITABLE).set(f64::from(u8::from(ok)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("t.db"), &StoreOptions::default()).expect("open");
        (dir, store)
    }

    fn insert_holiday(conn: &Connection, day: &str) -> Result<()> {
        conn.execute("INSERT INTO holidays (day, name) VALUES (?1, 'x')", [day])?;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_all_commit_and_a_failing_one_rolls_back_alone() {
        let (_dir, store) = temp_store();
        let mut tasks = Vec::new();
        for i in 0..200 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .write(move |c| {
                        insert_holiday(c, &format!("day-{i}"))?;
                        if i % 10 == 0 {
                            // Fails after writing: its row must vanish with it.
                            insert_holiday(c, &format!("day-{i}"))?;
                        }
                        Ok(i)
                    })
                    .await
            }));
        }
        let mut failed = 0;
        for t in tasks {
            if t.await.expect("join").is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 20);
        let count = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM holidays", [], |r| r.get::<_, i64>(0))?))
            .await
            .expect("count");
        assert_eq!(count, 180);
    }

    #[test]
    fn pragmas_are_durable_wal_with_foreign_keys() {
        let (_dir, store) = temp_store();
        // The writer's connection: the one whose commits must be synced.
        let (mode, sync, fk) = store
            .write_blocking(|c| {
                Ok((
                    c.pragma_query_value(None, "journal_mode", |r| r.get::<_, String>(0))?,
                    c.pragma_query_value(None, "synchronous", |r| r.get::<_, i64>(0))?,
                    c.pragma_query_value(None, "foreign_keys", |r| r.get::<_, i64>(0))?,
                ))
            })
            .expect("pragmas");
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous = FULL");
        assert_eq!(fk, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_probe_write_changes_nothing_and_keeps_the_store_writable() {
        let (_dir, store) = temp_store();
        store.probe_write().await.expect("probe");
        assert!(*store.writable().borrow());
        let id: i64 = store
            .read(|c| Ok(c.pragma_query_value(None, "application_id", |r| r.get(0))?))
            .await
            .expect("application id");
        assert_eq!(id, 0);
    }

    #[test]
    fn backup_copies_a_consistent_store() {
        let (dir, store) = temp_store();
        store
            .write_blocking(|c| insert_holiday(c, "2026-12-25"))
            .expect("write");
        let copy = dir.path().join("copy.db");
        store.backup_to(&copy).expect("backup");
        let conn = Connection::open(&copy).expect("open copy");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM holidays", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 1);
    }
}
