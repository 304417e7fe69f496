//! `portal-server`: init, serve, demo, gen and backup.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use portal_server::config::{Config, FileConfig};
use portal_server::service::{self, AppState};
use portal_server::store::{Store, StoreOptions};
use portal_server::{demo, seed, synthetic};
use tonic::transport::{Identity, ServerTlsConfig};
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
    Serve(ServeArgs),
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
    },
    /// Copy the store with SQLite's online backup (safe while serving).
    Backup {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Args)]
struct DbArg {
    /// The SQLite store.
    #[arg(long, env = "PORTAL_DB")]
    db: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "PORTAL_LISTEN")]
    listen: Option<String>,
    /// TLS certificate chain (PEM).
    #[arg(long, env = "PORTAL_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "PORTAL_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow plaintext on a non-loopback address.
    #[arg(long, env = "PORTAL_INSECURE")]
    insecure: bool,
    /// Upload size limit in MiB.
    #[arg(long, env = "PORTAL_MAX_UPLOAD_MIB")]
    max_upload_mib: Option<u64>,
    /// Failed sign-ins within the window that lock an account.
    #[arg(long, env = "PORTAL_LOCKOUT_THRESHOLD")]
    lockout_threshold: Option<u32>,
    /// Lockout duration in minutes.
    #[arg(long, env = "PORTAL_LOCKOUT_MINUTES")]
    lockout_minutes: Option<u64>,
    /// Lockout duration in seconds (wins over --lockout-minutes; for tests).
    #[arg(long, env = "PORTAL_LOCKOUT_SECONDS", hide = true)]
    lockout_seconds: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let file = match &cli.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let mut config = Config::default();
    file.apply(&mut config);
    let db_path = |arg: &DbArg| -> anyhow::Result<PathBuf> {
        arg.db
            .clone()
            .or_else(|| file.db.clone())
            .context("--db (or PORTAL_DB) is required")
    };

    match cli.command {
        Command::Init {
            db,
            admin_email,
            provider,
        } => {
            let path = db_path(&db)?;
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
            let path = db_path(&db)?;
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
        } => {
            let path = db_path(&db)?;
            refuse_existing(&path)?;
            let store = Store::open(&path, &StoreOptions::default())?;
            synthetic::generate(
                &store,
                &synthetic::GenSpec {
                    companies,
                    contacts_per_company: contacts,
                    tickets,
                },
            )?;
            println!(
                "Generated {} companies and {tickets} tickets in {}",
                companies,
                path.display()
            );
        }
        Command::Backup { db, to } => {
            let path = db_path(&db)?;
            if !path.exists() {
                bail!("no store at {}", path.display());
            }
            let store = Store::open(&path, &StoreOptions { readers: 1 })?;
            store.backup_to(&to)?;
            println!("Backed up {} to {}", path.display(), to.display());
        }
        Command::Serve(args) => serve(args, &file, config, &db_path)?,
    }
    Ok(())
}

fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} already exists; choose a new path", path.display());
    }
    Ok(())
}

fn serve(
    args: ServeArgs,
    file: &FileConfig,
    mut config: Config,
    db_path: &dyn Fn(&DbArg) -> anyhow::Result<PathBuf>,
) -> anyhow::Result<()> {
    if let Some(m) = args.max_upload_mib {
        config.max_upload_bytes = m * 1024 * 1024;
    }
    if let Some(n) = args.lockout_threshold {
        config.lockout_threshold = n;
    }
    if let Some(m) = args.lockout_minutes {
        config.lockout_duration = std::time::Duration::from_secs(m * 60);
    }
    if let Some(s) = args.lockout_seconds {
        config.lockout_duration = std::time::Duration::from_secs(s);
    }
    let path = db_path(&args.db)?;
    if !path.exists() {
        bail!(
            "no store at {}; create one with `portal-server init` or `demo`",
            path.display()
        );
    }
    let listen = args
        .listen
        .or_else(|| file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:50051".into());
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen: not an address: {listen}"))?;
    let cert = args.tls_cert.or_else(|| file.tls_cert.clone());
    let key = args.tls_key.or_else(|| file.tls_key.clone());
    let tls = match (cert, key) {
        (Some(cert), Some(key)) => Some(ServerTlsConfig::new().identity(Identity::from_pem(
            std::fs::read(&cert).with_context(|| format!("--tls-cert: {}", cert.display()))?,
            std::fs::read(&key).with_context(|| format!("--tls-key: {}", key.display()))?,
        ))),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    if tls.is_none() && !addr.ip().is_loopback() && !args.insecure {
        bail!("refusing plaintext on {addr}: give --tls-cert and --tls-key, or pass --insecure");
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let store = Store::open(
            &path,
            &StoreOptions {
                readers: config.readers,
            },
        )?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // Tests and scripts read this line to find the port.
        println!("listening on {scheme}://{bound}");
        tracing::info!(%bound, db = %path.display(), "serving");
        service::serve(
            AppState::new(store, config),
            listener,
            tls,
            shutdown_signal(),
        )
        .await
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}
