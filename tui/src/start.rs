//! Command line, config and start-up: what `main` runs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::action::{AuthCall, Request};
use crate::app::{self, App};
use crate::client::{self, Client, Target};
use crate::config::{Config, DEFAULT_SERVER};
use crate::demo::{self, DemoAs};
use crate::keys::KeyMap;
use crate::theme::Theme;

/// The Portal terminal client.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about)]
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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign out: revoke the remembered session on the server and forget it here.
    Logout,
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
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portal: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config_path = cli.config.clone().or_else(Config::path);
    let config = match &config_path {
        Some(path) => Config::load(path).map_err(anyhow::Error::msg)?,
        None => Config::default(),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::build(no_color, &config.theme).map_err(anyhow::Error::msg)?;
    let keys = KeyMap::with_overrides(&config.keys).map_err(anyhow::Error::msg)?;

    let demo_as = cli.demo_as.or(cli.demo.then_some(DemoAs::Admin));
    let (demo, url) = match demo_as {
        Some(_) => {
            let demo = demo::start().await?;
            let url = demo.url.clone();
            (Some(demo), url)
        }
        None => (
            None,
            cli.server
                .clone()
                .or(config.server.clone())
                .unwrap_or_else(|| DEFAULT_SERVER.to_owned()),
        ),
    };
    let target = Target {
        url: url.clone(),
        ca: cli.ca.clone().or(config.ca.clone()),
        use_keyring: demo.is_none(),
    };

    if let Some(Command::Logout) = cli.command {
        if client::forget(&target).await.map_err(anyhow::Error::msg)? {
            println!("Signed out of {url}.");
        } else {
            println!("Nobody is remembered for {url}.");
        }
        return Ok(());
    }

    let channel = client::channel(&target).map_err(anyhow::Error::msg)?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::new(channel, target, tx);
    let first = match demo_as {
        Some(who) => Request::Auth(AuthCall::Login {
            email: who.email()?.to_owned(),
            password: demo::DEMO_PASSWORD.to_owned(),
            remember: false,
        }),
        None => Request::Auth(AuthCall::Resume),
    };
    let app = App::new(theme, keys, url, first);
    let result = app::run(app, client, rx).await;
    drop(demo);
    result
}
