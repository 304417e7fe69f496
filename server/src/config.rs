//! Server settings. Each is declared once, as a flag with its `PORTAL_*`
//! variable, default and meaning; the optional TOML file (`--config`) sets
//! the same settings under the flag's name with `_` for `-`. One order for
//! all of them: flag > environment > file > default (see `parse`).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::error::ErrorKind;
use clap::{Args, Command, FromArgMatches, Parser};

/// The global flag naming the TOML file.
const CONFIG_FLAG: &str = "config";

/// Where settings come from and in which order, shown by `--help`.
pub const SOURCES: &str = "Every setting is also read from its PORTAL_* variable \
    (shown as [env: ...]) and from the TOML file given by --config, under the flag's \
    name with _ for - (e.g. session_idle_minutes = 30). A flag wins over the \
    environment, the environment over the file, the file over the default. Durations \
    take fractions (--session-idle-minutes 0.5 is 30 seconds); zero is refused.";

/// Everything the running server is tuned by.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// A session ends after this many minutes without a call.
    #[arg(long = "session-idle-minutes", env = "PORTAL_SESSION_IDLE_MINUTES",
          value_name = "MINUTES", default_value = "60", value_parser = minutes)]
    pub session_idle: Duration,
    /// A session ends this many hours after sign-in, however busy.
    #[arg(long = "session-absolute-hours", env = "PORTAL_SESSION_ABSOLUTE_HOURS",
          value_name = "HOURS", default_value = "12", value_parser = hours)]
    pub session_absolute: Duration,
    /// A "remember me" refresh token lives this many days.
    #[arg(long = "refresh-days", env = "PORTAL_REFRESH_DAYS",
          value_name = "DAYS", default_value = "30", value_parser = days)]
    pub refresh_ttl: Duration,
    /// Failed sign-ins within the lockout window that lock an account.
    #[arg(long, env = "PORTAL_LOCKOUT_THRESHOLD", value_name = "COUNT",
          default_value = "5", value_parser = clap::value_parser!(u32).range(1..))]
    pub lockout_threshold: u32,
    /// The window, in minutes, in which failed sign-ins are counted.
    #[arg(long = "lockout-window-minutes", env = "PORTAL_LOCKOUT_WINDOW_MINUTES",
          value_name = "MINUTES", default_value = "15", value_parser = minutes)]
    pub lockout_window: Duration,
    /// How many minutes a locked account stays locked.
    #[arg(long = "lockout-minutes", env = "PORTAL_LOCKOUT_MINUTES",
          value_name = "MINUTES", default_value = "15", value_parser = minutes)]
    pub lockout_duration: Duration,
    /// Failed sign-ins from one address (whatever the e-mails) within the
    /// lockout window before that address must wait between attempts.
    #[arg(long, env = "PORTAL_SIGNIN_ADDRESS_FAILURES", value_name = "COUNT",
          default_value = "20", value_parser = clap::value_parser!(u32).range(1..))]
    pub signin_address_failures: u32,
    /// The longest wait, in minutes, imposed on an address; waits start at one
    /// second and double with each further failure.
    #[arg(long = "signin-address-max-wait-minutes", env = "PORTAL_SIGNIN_ADDRESS_MAX_WAIT_MINUTES",
          value_name = "MINUTES", default_value = "15", value_parser = minutes)]
    pub signin_address_max_wait: Duration,
    /// The largest attachment accepted, in MiB.
    #[arg(long = "max-upload-mib", env = "PORTAL_MAX_UPLOAD_MIB",
          value_name = "MIB", default_value = "25", value_parser = mib)]
    pub max_upload_bytes: u64,
    /// The largest gRPC message received or sent, in KiB.
    #[arg(long = "max-message-kib", env = "PORTAL_MAX_MESSAGE_KIB",
          value_name = "KIB", default_value = "4096", value_parser = kib)]
    pub max_message_bytes: usize,
    /// A call (an upload: between its pieces) is cut off after this many seconds.
    #[arg(long = "request-timeout-seconds", env = "PORTAL_REQUEST_TIMEOUT_SECONDS",
          value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub request_timeout: Duration,
    /// Reader connections to the store.
    #[arg(long, env = "PORTAL_READERS", value_name = "COUNT", default_value = "4",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub readers: usize,
    /// A Completed ticket nobody signs off or rejects closes after this many days.
    #[arg(long = "auto-close-days", env = "PORTAL_AUTO_CLOSE_DAYS",
          value_name = "DAYS", default_value = "7", value_parser = days)]
    pub auto_close_after: Duration,
    /// On SIGTERM or Ctrl-C, calls under way get this many seconds to finish.
    #[arg(long = "shutdown-grace-seconds", env = "PORTAL_SHUTDOWN_GRACE_SECONDS",
          value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub shutdown_grace: Duration,
    /// The SMTP server mail is sent through; without it mail stays in the outbox.
    #[arg(long, env = "PORTAL_SMTP_HOST", value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// The SMTP port; by default 25 (none), 587 (starttls) or 465 (tls).
    #[arg(long, env = "PORTAL_SMTP_PORT", value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// How the SMTP connection is secured: none, starttls or tls.
    #[arg(
        long,
        env = "PORTAL_SMTP_TLS",
        value_name = "MODE",
        default_value = "starttls"
    )]
    pub smtp_tls: SmtpTls,
    /// The SMTP user name; with --smtp-password, mail is sent signed in.
    #[arg(long, env = "PORTAL_SMTP_USERNAME", value_name = "NAME")]
    pub smtp_username: Option<String>,
    /// The SMTP password (better in the variable or the file than on the command line).
    #[arg(long, env = "PORTAL_SMTP_PASSWORD", value_name = "PASSWORD",
          hide_env_values = true, value_parser = secret)]
    pub smtp_password: Option<Secret>,
    /// The sender of every mail, e.g. "Service Desk <desk@msp.example>".
    #[arg(long, env = "PORTAL_MAIL_FROM", value_name = "MAILBOX",
          default_value = "Portal <portal@localhost>", value_parser = mailbox)]
    pub mail_from: lettre::message::Mailbox,
    /// Attempts at a message before it is given up (a provider Admin may retry it).
    #[arg(long, env = "PORTAL_MAIL_MAX_ATTEMPTS", value_name = "COUNT",
          default_value = "8", value_parser = clap::value_parser!(u32).range(1..))]
    pub mail_max_attempts: u32,
    /// Seconds before the first retry of a failed message; each next wait doubles.
    #[arg(long = "mail-retry-seconds", env = "PORTAL_MAIL_RETRY_SECONDS",
          value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    pub mail_retry_after: Duration,
    /// Take mail in over SMTP at ADDR: replies to ticket mail become posts, mail
    /// to the --mail-from address from a known contact opens a ticket. Off by default.
    #[arg(long, env = "PORTAL_MAIL_LISTEN", value_name = "ADDR")]
    pub mail_listen: Option<SocketAddr>,
    /// The service type of tickets opened by mail or by chat (a name in the catalog).
    #[arg(
        long,
        env = "PORTAL_DEFAULT_SERVICE_TYPE",
        value_name = "NAME",
        default_value = "Other"
    )]
    pub default_service_type: String,
    /// Scheduled backups go to this directory; without it the server takes none.
    #[arg(long, env = "PORTAL_BACKUP_DIR", value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Hours between scheduled backups.
    #[arg(long = "backup-every-hours", env = "PORTAL_BACKUP_EVERY_HOURS",
          value_name = "HOURS", default_value = "24", value_parser = hours)]
    pub backup_every: Duration,
    /// Scheduled backups kept: the newest this many.
    #[arg(long, env = "PORTAL_BACKUP_KEEP", value_name = "COUNT",
          default_value = "7", value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// Serve Prometheus metrics over plain HTTP at ADDR/metrics; without it nothing listens.
    #[arg(long, env = "PORTAL_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// How the log is written: text (one line per event) or json (one object per line).
    #[arg(
        long,
        env = "PORTAL_LOG_FORMAT",
        value_name = "FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Calls served at once (point reads have four times as many); more wait, then are refused.
    #[arg(long, env = "PORTAL_MAX_IN_FLIGHT", value_name = "COUNT", default_value = "4096",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_in_flight: usize,
    /// How long a call waits for a place among those served before RESOURCE_EXHAUSTED.
    #[arg(long = "queue-wait-ms", env = "PORTAL_QUEUE_WAIT_MS", value_name = "MS",
          default_value = "100", value_parser = millis)]
    pub queue_wait: Duration,
    /// Serve the terminal client over SSH on ADDR (docs/GATEWAY.md); without it nothing listens.
    #[arg(long, env = "PORTAL_SSH_LISTEN", value_name = "ADDR")]
    pub ssh_listen: Option<SocketAddr>,
    /// The `portal` client the SSH gateway runs; by default the one beside portal-server.
    #[arg(long, env = "PORTAL_SSH_CLIENT", value_name = "FILE")]
    pub ssh_client: Option<PathBuf>,
    /// SSH sessions open at once, from everyone.
    #[arg(long, env = "PORTAL_SSH_MAX_SESSIONS", value_name = "COUNT", default_value = "256",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub ssh_max_sessions: usize,
    /// SSH sessions open at once from one address.
    #[arg(long, env = "PORTAL_SSH_MAX_PER_ADDRESS", value_name = "COUNT", default_value = "8",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub ssh_max_per_address: usize,
    /// An SSH connection with nothing received for this many minutes is closed.
    #[arg(long = "ssh-idle-minutes", env = "PORTAL_SSH_IDLE_MINUTES",
          value_name = "MINUTES", default_value = "30", value_parser = minutes)]
    pub ssh_idle: Duration,
}

/// How the log is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain text, one line per event.
    Text,
    /// JSON, one object per line, its fields at the top level.
    Json,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Plain, then upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

/// A setting that is never printed (`Debug` shows it redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[allow(clippy::unnecessary_wraps)] // clap's value parsers return a Result
fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret(value.to_owned()))
}

fn mailbox(value: &str) -> Result<lettre::message::Mailbox, String> {
    value
        .parse()
        .map_err(|e| format!("expected a mailbox like \"Desk <desk@msp.example>\": {e}"))
}

impl Default for Config {
    /// The built-in defaults, whatever the flags, environment and file say.
    fn default() -> Self {
        let cmd = Self::augment_args(Command::new("defaults")).mut_args(|a| a.env(None::<&str>));
        cmd.try_get_matches_from(["defaults"])
            .and_then(|m| Self::from_arg_matches(&m))
            .expect("the built-in defaults are valid")
    }
}

/// Parses the command line as `P` with the file named by `--config` (or
/// `PORTAL_CONFIG`) as the defaults; clap's own errors and `--help` exit.
pub fn parse<P: Parser>() -> P {
    parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
}

/// `parse` over the given arguments.
pub fn parse_from<P: Parser>(args: impl IntoIterator<Item = OsString>) -> Result<P, clap::Error> {
    let args: Vec<OsString> = args.into_iter().collect();
    // A first pass only to find the file; the second reports any error.
    let file = P::command()
        .ignore_errors(true)
        .try_get_matches_from(&args)
        .ok()
        .and_then(|m| m.get_one::<PathBuf>(CONFIG_FLAG).cloned());
    let mut cmd = P::command();
    if let Some(path) = file {
        cmd = with_file_defaults(cmd, &path)?;
    }
    P::from_arg_matches(&cmd.try_get_matches_from(args)?)
}

/// Makes each `key = value` of the TOML file at `path` the default of the
/// flag `--key` in the subcommands that have it, so the environment and
/// the flag still win and the value is checked like theirs.
fn with_file_defaults(mut cmd: Command, path: &Path) -> Result<Command, clap::Error> {
    let fail = |what: String| clap::Error::raw(ErrorKind::InvalidValue, format!("{what}\n"));
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| fail(format!("{}: {e}", path.display())))?;
    for (key, value) in table {
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                value.to_string()
            }
            _ => {
                return Err(fail(format!(
                    "{}: {key}: expected a string, number or boolean",
                    path.display()
                )));
            }
        };
        let long = key.replace('_', "-");
        let mut known = false;
        let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().into()).collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |sub| {
                let id = sub
                    .get_arguments()
                    .find(|a| a.get_long() == Some(long.as_str()))
                    .map(|a| a.get_id().to_string());
                match id {
                    Some(id) if !key.contains('-') => {
                        known = true;
                        sub.mut_arg(id, |a| a.default_value(value.clone()))
                    }
                    _ => sub,
                }
            });
        }
        if !known {
            return Err(fail(format!("{}: unknown setting {key}", path.display())));
        }
    }
    Ok(cmd)
}

/// A positive number of `unit`s, fractions allowed.
fn duration(value: &str, unit: Duration) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|n| Duration::try_from_secs_f64(n * unit.as_secs_f64()).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "expected a number greater than zero".into())
}

fn millis(value: &str) -> Result<Duration, String> {
    duration(value, Duration::from_millis(1))
}

fn seconds(value: &str) -> Result<Duration, String> {
    duration(value, Duration::from_secs(1))
}

fn minutes(value: &str) -> Result<Duration, String> {
    duration(value, Duration::from_mins(1))
}

fn hours(value: &str) -> Result<Duration, String> {
    duration(value, Duration::from_hours(1))
}

fn days(value: &str) -> Result<Duration, String> {
    duration(value, Duration::from_hours(24))
}

/// A positive whole number of `unit` bytes.
fn bytes(value: &str, unit: u64) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&b| b > 0)
        .ok_or_else(|| "expected a whole number greater than zero".into())
}

fn mib(value: &str) -> Result<u64, String> {
    bytes(value, 1024 * 1024)
}

fn kib(value: &str) -> Result<usize, String> {
    bytes(value, 1024).and_then(|b| usize::try_from(b).map_err(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Parser, Debug)]
    struct Cli {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand, Debug)]
    enum Sub {
        Serve(Config),
    }

    fn serve(args: &[&str], toml: Option<&str>) -> Result<Config, clap::Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.toml");
        let mut command_line = vec!["portal-server".to_string(), "serve".into()];
        if let Some(toml) = toml {
            std::fs::write(&path, toml).unwrap();
            command_line.extend(["--config".into(), path.to_string_lossy().into_owned()]);
        }
        command_line.extend(args.iter().map(ToString::to_string));
        parse_from::<Cli>(command_line.into_iter().map(OsString::from)).map(|cli| {
            match cli.command {
                Sub::Serve(config) => config,
            }
        })
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let config = Config::default();
        assert_eq!(config.session_idle, Duration::from_hours(1));
        assert_eq!(config.session_absolute, Duration::from_hours(12));
        assert_eq!(config.lockout_threshold, 5);
        assert_eq!(config.max_message_bytes, 4 * 1024 * 1024);
        assert_eq!(config.max_upload_bytes, 25 * 1024 * 1024);
    }

    #[test]
    fn a_flag_wins_over_the_file_which_wins_over_the_default() {
        let toml = "lockout_threshold = 3\nsession_idle_minutes = 0.5\n";
        let config = serve(&["--lockout-threshold", "7"], Some(toml)).unwrap();
        assert_eq!(config.lockout_threshold, 7);
        assert_eq!(config.session_idle, Duration::from_secs(30));
        assert_eq!(config.readers, 4);
    }

    #[test]
    fn bad_values_are_refused_naming_the_setting() {
        for (args, toml, named) in [
            (
                &["--session-idle-minutes", "0"][..],
                None,
                "--session-idle-minutes",
            ),
            (&["--readers", "many"], None, "--readers"),
            (&["--max-message-kib=-1"], None, "--max-message-kib"),
            (&[], Some("lockout_minutes = 0\n"), "--lockout-minutes"),
            (&[], Some("readers = \"four\"\n"), "--readers"),
            (
                &[],
                Some("sesion_idle_minutes = 5\n"),
                "sesion_idle_minutes",
            ),
            (&[], Some("config = \"other.toml\"\n"), "config"),
            (&[], Some("[server]\nreaders = 2\n"), "server"),
        ] {
            let error = serve(args, toml).expect_err(named).to_string();
            assert!(error.contains(named), "{named}: {error}");
        }
    }
}
