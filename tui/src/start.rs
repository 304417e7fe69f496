//! Command line, config and start-up: what `main` runs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use crate::action::{AuthCall, Request};
use crate::app::{self, App};
use crate::cli;
use crate::client::{self, Client, Target};
use crate::config::{Config, DEFAULT_SERVER};
use crate::keys::KeyMap;
use crate::theme::Theme;

/// The Portal terminal client: with no command, the full-screen client;
/// with one, its scriptable twin (docs/CLI.md).
#[derive(Debug, Parser)]
#[command(
    name = "portal",
    version,
    about,
    after_help = "Examples:\n  portal                      the full-screen client\n  \
        portal login                sign in and remember the session\n  \
        portal tickets list --json  tickets as JSON lines\n\n\
        Exit codes: 0 ok, 1 other error, 2 usage, 3 not found, 4 not allowed, \
        5 invalid input, 6 unavailable or timeout, 7 not signed in."
)]
pub struct Cli {
    #[arg(
        long,
        env = "PORTAL_SERVER",
        global = true,
        value_name = "URL",
        help = "Server URL, e.g. https://portal.example.net:50051 (else the config file's server, else http://127.0.0.1:50051)"
    )]
    pub server: Option<String>,
    /// CA certificate (PEM) to trust for an https server.
    #[arg(long, value_name = "FILE", global = true)]
    pub ca: Option<PathBuf>,
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help = "Config file (default: $XDG_CONFIG_HOME/portal/config.toml, else ~/.config/portal/config.toml)"
    )]
    pub config: Option<PathBuf>,
    /// Start an embedded server with demo data and sign in to it.
    #[arg(long)]
    pub demo: bool,
    /// The demo account to sign in as (implies --demo).
    #[arg(long, value_enum, value_name = "WHO")]
    pub demo_as: Option<DemoAs>,
    /// Run for the SSH gateway: for someone else's terminal on the server's
    /// machine, so with none of its files, editor or keyring, signed in by
    /// PORTAL_GATEWAY_TOKEN when the SSH key is registered.
    #[arg(long, global = true, hide = true)]
    pub gateway: bool,
    #[command(flatten)]
    pub globals: cli::Globals,
    #[command(subcommand)]
    pub command: Option<cli::Command>,
}

/// Which demo account `--demo` signs in as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DemoAs {
    User,
    Manager,
    #[default]
    Admin,
    Technician,
    Dispatcher,
    ProviderAdmin,
}

pub fn main(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portal: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("portal: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut cli: Cli) -> anyhow::Result<ExitCode> {
    let gateway_token = if cli.gateway {
        match enter_gateway(&cli) {
            Ok(token) => token,
            Err(failure) => {
                eprintln!("{failure}");
                return Ok(failure.code());
            }
        }
    } else {
        None
    };
    // The gateway's machine's config file is not the user's.
    let config_path = cli.config.clone().or_else(Config::path);
    let config = match &config_path {
        Some(path) if !cli.gateway => Config::load(path).map_err(anyhow::Error::msg)?,
        _ => Config::default(),
    };
    if let Some(command) = cli.command {
        let target = Target {
            url: cli
                .server
                .or(config.server)
                .unwrap_or_else(|| DEFAULT_SERVER.to_owned()),
            ca: cli.ca.or(config.ca),
            use_keyring: !cli.gateway,
        };
        if gateway_token.is_some() {
            cli.globals.token = gateway_token;
        }
        return Ok(cli::run(command, cli.globals, target).await);
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::build(no_color, &config.theme).map_err(anyhow::Error::msg)?;
    let keys = KeyMap::with_overrides(&config.keys).map_err(anyhow::Error::msg)?;

    let demo_as = cli.demo_as.or(cli.demo.then_some(DemoAs::Admin));
    // The demo server, when there is one, runs until this function returns.
    let (demo, url, first) = match demo_as {
        Some(who) => {
            let (demo, url, login) = start_demo(who).await?;
            (Some(demo), url, login)
        }
        None => (
            None,
            cli.server
                .clone()
                .or(config.server.clone())
                .unwrap_or_else(|| DEFAULT_SERVER.to_owned()),
            Request::Auth(
                gateway_token.map_or(AuthCall::Resume, |token| AuthCall::Adopt { token }),
            ),
        ),
    };
    let target = Target {
        url: url.clone(),
        ca: cli.ca.clone().or(config.ca.clone()),
        use_keyring: demo.is_none() && !cli.gateway,
    };

    let channel = client::channel(&target).map_err(anyhow::Error::msg)?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::new(channel, target, tx);
    let mut app = App::new(theme, keys, url, first);
    app.page_sizes = config.page_size.clone();
    if !cli.gateway {
        app.config_path = config_path;
    }
    app::run(app, client, rx, config.mouse()).await?;
    Ok(ExitCode::SUCCESS)
}

/// `--gateway`: from here on no local file, editor or keyring (the SSH
/// user's arguments come after the gateway's own, so the options that read
/// this machine's files are refused); the session token the gateway gives
/// for a registered SSH key, if any.
fn enter_gateway(cli: &Cli) -> Result<Option<String>, cli::Failure> {
    let reads_files = [
        (cli.config.is_some(), "--config"),
        (cli.ca.is_some(), "--ca"),
        (cli.demo || cli.demo_as.is_some(), "--demo"),
    ];
    if let Some((_, option)) = reads_files.iter().find(|(given, _)| *given) {
        return Err(cli::Failure::usage(format!(
            "{option} is not available over SSH"
        )));
    }
    crate::local_files::refuse();
    let token = std::env::var("PORTAL_GATEWAY_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    // Completions and the manual print without signing in.
    let signs_in = cli
        .command
        .as_ref()
        .is_some_and(|c| !matches!(c, cli::Command::Completions { .. } | cli::Command::Man));
    if token.is_none() && signs_in {
        return Err(cli::Failure::new(
            cli::Exit::SignedOut,
            "commands over SSH sign in by your SSH key, and this one is not registered",
        ));
    }
    Ok(token)
}

/// Keeps the embedded demo server running while held.
#[cfg(feature = "demo")]
type DemoGuard = crate::demo::Demo;
/// A build without the `demo` feature has no demo server to hold.
#[cfg(not(feature = "demo"))]
type DemoGuard = std::convert::Infallible;

/// Starts the embedded demo server: what keeps it running, its URL and the
/// sign-in of the demo account `who`.
#[cfg(feature = "demo")]
async fn start_demo(who: DemoAs) -> anyhow::Result<(DemoGuard, String, Request)> {
    let demo = crate::demo::start().await?;
    let url = demo.url.clone();
    Ok((demo, url, crate::demo::login(who)?))
}

#[cfg(not(feature = "demo"))]
fn start_demo(_who: DemoAs) -> impl Future<Output = anyhow::Result<(DemoGuard, String, Request)>> {
    std::future::ready(Err(anyhow::anyhow!(
        "this build of portal has no embedded demo server (it was built without the \
         `demo` feature); run `portal-server demo --db demo.db` and `portal-server serve \
         --db demo.db`, then `portal --server http://127.0.0.1:50051`"
    )))
}
