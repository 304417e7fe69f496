//! `portal-server`: init, serve, demo, gen, backup, restore and bill.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use portal_server::config::{self, Config, LogFormat};
use portal_server::generate::{demo, seed, synthetic};
use portal_server::store::{Store, StoreOptions, backup};
use portal_server::transport;
use tracing_subscriber::EnvFilter;

/// jemalloc, for Rust's allocations and (unprefixed) SQLite's: glibc's
/// arenas kept what readers on many threads freed (docs/BENCHMARKS.md,
/// "Memory"); its settings are in .cargo/config.toml.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "portal-server",
    version,
    about = "The Portal service-desk server"
)]
struct Cli {
    /// Optional TOML configuration file; flags and PORTAL_* variables win over it.
    #[arg(long, global = true, env = "PORTAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new store with a provider Admin; prints its temporary password once.
    Init {
        #[command(flatten)]
        db: DbArg,
        /// The provider Admin's e-mail.
        #[arg(long, default_value = "admin@provider.example")]
        admin_email: String,
        /// The provider's name.
        #[arg(long, default_value = "Your MSP")]
        provider: String,
    },
    /// Serve gRPC on ADDR, printing the bound address.
    #[command(after_help = config::SOURCES)]
    Serve(Box<ServeArgs>),
    /// Create a store filled with the demo data set.
    Demo {
        #[command(flatten)]
        db: DbArg,
    },
    /// Create a large synthetic store for benchmarks.
    Gen {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 1000)]
        companies: u32,
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Contacts per company.
        #[arg(long, default_value_t = 20)]
        contacts: u32,
        /// Days of history the tickets spread over, ending now.
        #[arg(long, default_value_t = 3 * 365)]
        days: u32,
        /// Leave the full-text index as the inserts left it, not merged
        /// into one segment (as a live store's index is).
        #[arg(long)]
        no_merge: bool,
    },
    /// Bill a month (docs/MONEY.md), for cron: recurring charges for the
    /// month after, labour and approved estimates of tickets completed by
    /// its end. Running it again bills nothing twice.
    Bill {
        #[command(flatten)]
        db: DbArg,
        /// The month billed, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        /// Bill only this company (its id).
        #[arg(long)]
        company: Option<i64>,
        /// Show what would be billed; store nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Copy the store with SQLite's online backup (safe while serving).
    Backup {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the store, once it passes its integrity and
    /// schema checks; refused while a server uses the store.
    Restore {
        /// The backup to restore.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Args)]
struct DbArg {
    /// The SQLite store.
    #[arg(long, env = "PORTAL_DB", value_name = "FILE")]
    db: Option<PathBuf>,
}

impl DbArg {
    fn path(&self) -> anyhow::Result<PathBuf> {
        self.db
            .clone()
            .context("--db (or PORTAL_DB, or db in the --config file) is required")
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on; port 0 picks a free one.
    #[arg(
        long,
        env = "PORTAL_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:50051"
    )]
    listen: SocketAddr,
    /// TLS certificate chain (PEM).
    #[arg(
        long,
        env = "PORTAL_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(
        long,
        env = "PORTAL_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// Allow plaintext on a non-loopback address.
    #[arg(long, env = "PORTAL_INSECURE")]
    insecure: bool,
    #[command(flatten)]
    config: Config,
}

fn main() -> anyhow::Result<()> {
    let cli: Cli = config::parse();
    init_log(match &cli.command {
        Command::Serve(args) => args.config.log_format,
        _ => LogFormat::Text,
    });

    match cli.command {
        Command::Init {
            db,
            admin_email,
            provider,
        } => {
            let path = db.path()?;
            refuse_existing(&path)?;
            let store = Store::open(&path, &StoreOptions::default())?;
            let password = seed::init(&store, &provider, &admin_email)?;
            println!(
                "Created {} with provider Admin {admin_email}",
                path.display()
            );
            println!(
                "Temporary password (shown once, must be changed at first sign-in): {password}"
            );
        }
        Command::Demo { db } => {
            let path = db.path()?;
            refuse_existing(&path)?;
            let store = Store::open(&path, &StoreOptions::default())?;
            demo::load(&store)?;
            println!(
                "Created demo store {}; every demo account's password is {}",
                path.display(),
                demo::DEMO_PASSWORD
            );
        }
        Command::Gen {
            db,
            companies,
            tickets,
            contacts,
            days,
            no_merge,
        } => {
            let path = db.path()?;
            refuse_existing(&path)?;
            let store = Store::open(&path, &StoreOptions::default())?;
            synthetic::generate(
                &store,
                &synthetic::GenSpec {
                    companies,
                    contacts_per_company: contacts,
                    tickets,
                    days,
                    merge_search: !no_merge,
                },
            )?;
            println!(
                "Generated {} companies and {tickets} tickets in {}",
                companies,
                path.display()
            );
        }
        Command::Backup { db, to } => {
            let path = db.path()?;
            if !path.exists() {
                bail!("no store at {}", path.display());
            }
            let store = Store::open(&path, &StoreOptions { readers: 1 })?;
            store.backup_to(&to)?;
            println!("Backed up {} to {}", path.display(), to.display());
        }
        Command::Restore { from, db } => {
            let path = db.path()?;
            let facts = backup::restore(&from, &path)?;
            println!(
                "Restored {} from {}: {} tickets, schema version {}",
                path.display(),
                from.display(),
                facts.tickets,
                facts.schema_version
            );
        }
        Command::Bill {
            db,
            month,
            company,
            preview,
        } => bill(&db.path()?, &month, company, preview)?,
        Command::Serve(args) => serve(*args)?,
    }
    Ok(())
}

fn bill(path: &Path, month: &str, company: Option<i64>, preview: bool) -> anyhow::Result<()> {
    use portal_server::domain::money::{Month, zone_day};
    use portal_server::store::billing_run::{self, RunBy};
    use portal_server::store::{StoreError, billing_settings, now_ms};

    if !path.exists() {
        bail!("no store at {}", path.display());
    }
    let month = Month::parse(month.trim()).context("--month: not a month (YYYY-MM)")?;
    let store = Store::open(path, &StoreOptions { readers: 1 })?;
    let now = now_ms();
    let billed = store.write_blocking(move |conn| {
        let today = zone_day(billing_settings::get(conn)?.zone, now);
        if month > Month::of(today) {
            return Err(StoreError::invalid(
                "--month",
                "a month not yet begun cannot be billed",
            ));
        }
        let by = RunBy {
            actor: "portal-server bill",
            now,
            today,
        };
        billing_run::run(conn, month, company, preview, by)
    })?;
    let lines: usize = billed.iter().map(|(_, l)| l.len()).sum();
    let total: i64 = billed.iter().map(|(i, _)| i.total_cents).sum();
    let numbers = match (billed.first(), billed.last()) {
        (Some((first, _)), Some((last, _))) if !preview => {
            format!(" (numbers {} to {})", first.number, last.number)
        }
        _ => String::new(),
    };
    let verb = if preview { "Would bill" } else { "Billed" };
    println!(
        "{verb} {month}: {} invoices{numbers}, {lines} lines, {} in total",
        billed.len(),
        portal_server::domain::work::money(total)
    );
    for (invoice, lines) in &billed {
        println!(
            "  {} {}: {} lines, {}",
            if preview {
                "new".to_owned()
            } else {
                invoice.number.to_string()
            },
            invoice.company_name,
            lines.len(),
            portal_server::domain::work::money(invoice.total_cents)
        );
    }
    Ok(())
}

/// The log on stderr, filtered by `RUST_LOG` (default `info`): text, or
/// one JSON object per line with the event's fields at the top level.
fn init_log(format: LogFormat) {
    let log = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal, not for a journal or a file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().flatten_event(true).init(),
    }
}

fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} already exists; choose a new path", path.display());
    }
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        db,
        listen: addr,
        tls_cert,
        tls_key,
        insecure,
        config,
    } = args;
    let path = db.path()?;
    if !path.exists() {
        bail!(
            "no store at {}; create one with `portal-server init` or `demo`",
            path.display()
        );
    }
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(transport::tls_from_files(&cert, &key)?),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    if tls.is_none() && !addr.ip().is_loopback() && !insecure {
        bail!("refusing plaintext on {addr}: give --tls-cert and --tls-key, or pass --insecure");
    }
    transport::run(&path, addr, tls, config)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// docs/CONFIG.md has a row for every `serve` setting, with the names
    /// and default `--help` shows.
    #[test]
    fn the_config_table_lists_every_setting() {
        let doc = include_str!("../../docs/CONFIG.md");
        let cli = Cli::command();
        let serve = cli.find_subcommand("serve").unwrap();
        for arg in serve.get_arguments() {
            let long = arg.get_long().unwrap();
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `--{long}` |")))
                .unwrap_or_else(|| panic!("docs/CONFIG.md lacks --{long}"));
            let env = arg.get_env().unwrap().to_str().unwrap();
            let key = long.replace('-', "_");
            assert!(row.contains(&format!("| `{env}` | `{key}` |")), "{row}");
            if let Some(default) = arg.get_default_values().first() {
                let default = default.to_str().unwrap();
                assert!(row.contains(&format!("| `{default}` |")), "{row}");
            }
        }
    }
}
