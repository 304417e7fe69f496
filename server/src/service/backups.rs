//! Scheduled backups (docs/RELIABILITY.md, "Scheduled backups"): every
//! `backup_every_hours`, a checked copy of the store in `backup_dir`,
//! keeping the newest `backup_keep`; and StaffService.GetBackupStatus,
//! which shows a provider Admin when the last good one was taken.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use portal_proto::pb;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::timestamp;
use crate::policy;
use crate::store::{Store, StoreError, backup, now_ms};

/// A finished backup is `portal-<UTC time>.db`; one being written ends in
/// `.partial` until it passed its check.
const PREFIX: &str = "portal-";
const SUFFIX: &str = ".db";
const PARTIAL: &str = ".partial";
const TIME_FORMAT: &str = "%Y%m%dT%H%M%S%3fZ";

/// When the last good backup was taken (ms since the epoch; 0: none yet).
#[derive(Clone, Default)]
pub struct LastBackup(Arc<AtomicI64>);

impl LastBackup {
    pub fn at(&self) -> Option<i64> {
        Some(self.0.load(Ordering::Relaxed)).filter(|&ms| ms > 0)
    }

    fn set(&self, ms: i64) {
        self.0.fetch_max(ms, Ordering::Relaxed);
    }
}

/// Takes a backup into `dir` whenever one is due, for ever: at start if
/// the newest one there is older than `every` (or there is none), then
/// every `every`.
pub async fn run(state: AppState, dir: PathBuf, every: Duration, keep: usize) {
    if let Some(at) = newest(&dir) {
        state.last_backup.set(at);
    }
    loop {
        let since = state.last_backup.at().map_or(Duration::MAX, elapsed_since);
        if let Some(wait) = every.checked_sub(since) {
            tokio::time::sleep(wait).await;
        }
        let store = state.store.clone();
        let into = dir.clone();
        let taken = tokio::task::spawn_blocking(move || take(&store, &into, keep)).await;
        match taken {
            Ok(Ok((path, at))) => {
                state.last_backup.set(at);
                tracing::info!(path = %path.display(), "backup taken");
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, dir = %dir.display(), "scheduled backup failed");
                // Try again after a tenth of the period, not at once.
                tokio::time::sleep(every / 10).await;
            }
            Err(e) => tracing::error!(error = %e, "scheduled backup task failed"),
        }
    }
}

fn elapsed_since(at_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(now_ms() - at_ms).unwrap_or(0))
}

/// One backup into `dir`: written as `.partial`, checked (integrity and
/// schema), synced, renamed to its final name; then all but the newest
/// `keep` are deleted. Returns its path and time.
fn take(store: &Store, dir: &Path, keep: usize) -> Result<(PathBuf, i64), StoreError> {
    std::fs::create_dir_all(dir)?;
    let at = now_ms();
    let name = chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .format(TIME_FORMAT)
        .to_string();
    let done = dir.join(format!("{PREFIX}{name}{SUFFIX}"));
    let partial = dir.join(format!("{PREFIX}{name}{SUFFIX}{PARTIAL}"));
    let result = store
        .backup_to(&partial)
        .and_then(|()| backup::check(&partial).map(drop))
        .and_then(|()| Ok(std::fs::File::open(&partial)?.sync_all()?))
        .and_then(|()| Ok(std::fs::rename(&partial, &done)?))
        .and_then(|()| Ok(std::fs::File::open(dir)?.sync_all()?));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let mut finished = finished(dir)?;
    finished.sort();
    let old = finished.len().saturating_sub(keep);
    for (_, path) in finished.into_iter().take(old) {
        std::fs::remove_file(&path)?;
    }
    Ok((done, at))
}

/// The finished backups in `dir` with their times, in no order.
fn finished(dir: &Path) -> Result<Vec<(i64, PathBuf)>, StoreError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if let Some(at) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(PREFIX)?.strip_suffix(SUFFIX))
            .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, TIME_FORMAT).ok())
        {
            found.push((at.and_utc().timestamp_millis(), path));
        }
    }
    Ok(found)
}

/// The time of the newest finished backup in `dir`.
fn newest(dir: &Path) -> Option<i64> {
    finished(dir).ok()?.into_iter().map(|(at, _)| at).max()
}

/// StaffService.GetBackupStatus: provider Admins only.
pub fn status(
    state: &AppState,
    request: &Request<pb::Empty>,
) -> Result<Response<pb::BackupStatus>, Status> {
    let caller = caller(request)?;
    policy::view_backups(&caller.principal)?;
    let config = &state.config;
    Ok(Response::new(pb::BackupStatus {
        scheduled: config.backup_dir.is_some(),
        directory: config
            .backup_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        every_hours: config.backup_every.as_secs_f64() / 3600.0,
        keep: config.backup_keep,
        last_backup_at: state.last_backup.at().map(timestamp),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    #[test]
    fn a_backup_is_checked_named_by_its_time_and_only_the_newest_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("p.db"), &StoreOptions::default()).expect("store");
        let into = dir.path().join("backups");
        let mut taken = Vec::new();
        for _ in 0..4 {
            let (path, at) = take(&store, &into, 2).expect("backup");
            assert!(backup::check(&path).is_ok());
            taken.push((at, path));
            // Names are by the millisecond.
            std::thread::sleep(Duration::from_millis(2));
        }
        let mut left = finished(&into).expect("list");
        left.sort();
        assert_eq!(left, taken[2..].to_vec());
        assert_eq!(newest(&into), Some(taken[3].0));
        // Nothing else is left behind.
        assert_eq!(std::fs::read_dir(&into).expect("dir").count(), 2);
    }
}
