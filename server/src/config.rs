//! Server settings: defaults, overridden by an optional TOML file, then by
//! `PORTAL_*` environment variables and flags (see `main.rs`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// Everything the running server is tuned by.
#[derive(Debug, Clone)]
pub struct Config {
    /// A session ends after this long without a call.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute: Duration,
    /// How long a "remember me" refresh token lives.
    pub refresh_ttl: Duration,
    /// Failed sign-ins within `lockout_window` that lock the account.
    pub lockout_threshold: u32,
    pub lockout_window: Duration,
    pub lockout_duration: Duration,
    pub max_upload_bytes: u64,
    pub max_message_bytes: usize,
    pub request_timeout: Duration,
    pub readers: usize,
    /// A Completed ticket nobody signs off or rejects closes after this long.
    pub auto_close_after: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_hours(1),
            session_absolute: Duration::from_hours(12),
            refresh_ttl: Duration::from_hours(30 * 24),
            lockout_threshold: 5,
            lockout_window: Duration::from_mins(15),
            lockout_duration: Duration::from_mins(15),
            max_upload_bytes: 25 * 1024 * 1024,
            max_message_bytes: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            readers: 4,
            auto_close_after: Duration::from_hours(7 * 24),
        }
    }
}

/// The optional TOML file; every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<PathBuf>,
    pub listen: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub session_idle_minutes: Option<u64>,
    pub session_absolute_hours: Option<u64>,
    pub refresh_days: Option<u64>,
    pub lockout_threshold: Option<u32>,
    pub lockout_window_minutes: Option<u64>,
    pub lockout_minutes: Option<u64>,
    pub max_upload_mib: Option<u64>,
    pub request_timeout_seconds: Option<u64>,
    pub readers: Option<usize>,
    pub auto_close_days: Option<u64>,
}

impl FileConfig {
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Applies the file's values over `config`.
    pub fn apply(&self, config: &mut Config) {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        if let Some(m) = self.session_idle_minutes {
            config.session_idle = minutes(m);
        }
        if let Some(h) = self.session_absolute_hours {
            config.session_absolute = minutes(h * 60);
        }
        if let Some(d) = self.refresh_days {
            config.refresh_ttl = minutes(d * 24 * 60);
        }
        if let Some(n) = self.lockout_threshold {
            config.lockout_threshold = n;
        }
        if let Some(m) = self.lockout_window_minutes {
            config.lockout_window = minutes(m);
        }
        if let Some(m) = self.lockout_minutes {
            config.lockout_duration = minutes(m);
        }
        if let Some(m) = self.max_upload_mib {
            config.max_upload_bytes = m * 1024 * 1024;
        }
        if let Some(s) = self.request_timeout_seconds {
            config.request_timeout = Duration::from_secs(s);
        }
        if let Some(n) = self.readers {
            config.readers = n;
        }
        if let Some(d) = self.auto_close_days {
            config.auto_close_after = minutes(d * 24 * 60);
        }
    }
}
