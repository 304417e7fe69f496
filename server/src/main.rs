//! `portal-server`: init, serve, demo, gen, backup and restore.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use portal_server::config::{self, Config};
use portal_server::generate::{demo, seed, synthetic};
use portal_server::store::{Store, StoreOptions, backup};
use portal_server::transport;
use tracing_subscriber::EnvFilter;

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
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli: Cli = config::parse();

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
        Command::Serve(args) => serve(*args)?,
    }
    Ok(())
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
