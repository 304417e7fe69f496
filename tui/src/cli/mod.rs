//! `portal <noun> <verb>`: the scriptable twin of the full-screen client.
//! It connects, reads the config and signs in through the same code
//! (`crate::client`, `crate::config`, `crate::keyring`); its output and exit
//! codes are a stable interface, described in docs/CLI.md.

mod billing;
mod exit;
mod knowledge;
mod output;
mod people;
mod reports;
mod session;
mod sessions;
mod subscriptions;
mod text;
mod ticket_changes;
mod tickets;
mod watch;
mod work;

use std::process::ExitCode;

use clap::{Args, CommandFactory, Subcommand};

pub use exit::{Exit, Failure};
use output::{Format, Out};

use crate::client::{self, Client, Target};

/// Options every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct Globals {
    /// A session token to use instead of the remembered sign-in (prefer
    /// PORTAL_TOKEN: arguments are visible to other users of the machine).
    #[arg(long, env = "PORTAL_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// Print JSON: one document, or one message per line for lists and
    /// streams, with the gRPC messages' field names (docs/CLI.md).
    #[arg(long, global = true, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV with a header row, for commands whose output is rows.
    #[arg(long, global = true)]
    pub csv: bool,
}

impl Globals {
    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in and remember the session in the keyring (shared with the
    /// full-screen client).
    #[command(after_help = "Examples:\n  portal login\n  \
        pass show portal | portal login --email tom@keystone.example --password-stdin")]
    Login {
        /// The account's e-mail (asked for when not given).
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Sign out: revoke the remembered session on the server and forget it here.
    #[command(after_help = "Example:\n  portal logout")]
    Logout,
    /// Tickets: list, show, raise, reply, change.
    #[command(subcommand)]
    Tickets(tickets::TicketsCommand),
    /// Staff: the server's timer and time entries.
    #[command(subcommand)]
    Time(work::TimeCommand),
    /// My sessions: where I am signed in; sign out there.
    #[command(subcommand)]
    Sessions(sessions::SessionsCommand),
    /// Your company's users (Admins).
    #[command(subcommand)]
    Users(people::UsersCommand),
    /// Client companies (staff).
    #[command(subcommand)]
    Companies(people::CompaniesCommand),
    /// Invoices: list, show, save as PDF or text, pay.
    #[command(subcommand)]
    Invoices(billing::InvoicesCommand),
    /// Agreements and their prepaid hours.
    #[command(subcommand)]
    Agreements(billing::AgreementsCommand),
    /// Subscriptions and renewals; request a change.
    #[command(subcommand)]
    Subscriptions(subscriptions::SubscriptionsCommand),
    /// The knowledge library: articles from your provider.
    #[command(subcommand)]
    Kb(knowledge::KbCommand),
    /// Your company's account team: who looks after you, the after-hours line.
    #[command(after_help = "Example:\n  portal team")]
    Team,
    /// Home's ticket figures, and the reports of the Reports tab.
    #[command(
        after_help = "Examples:\n  portal reports monthly --csv > tickets.csv\n  \
        portal reports sla-monthly --period 2025-01..2025-12 --csv > sla.csv\n  \
        portal reports times --company 12 --json | jq '.rows'"
    )]
    Reports(reports::ReportArgs),
    /// Live changes as JSON lines until interrupted; reconnects and resumes
    /// without losing or repeating an event.
    #[command(
        after_help = "Example:\n  portal watch | jq -c 'select(.kind == \"EVENT_KIND_POST_ADDED\")'"
    )]
    Watch,
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  portal completions bash > ~/.local/share/bash-completion/completions/portal"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    #[command(after_help = "Example:\n  portal man > portal.1 && man ./portal.1")]
    Man,
}

/// Runs one command against `target` and says how it ended.
pub async fn run(command: Command, globals: Globals, target: Target) -> ExitCode {
    match run_command(command, &globals, target).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            failure.code()
        }
    }
}

async fn run_command(command: Command, globals: &Globals, target: Target) -> exit::Done {
    let mut out = Out::new(globals.format());
    // What needs no server.
    match &command {
        Command::Completions { shell } => {
            let mut cli = crate::start::Cli::command();
            let mut buffer = Vec::new();
            clap_complete::generate(*shell, &mut cli, "portal", &mut buffer);
            return out.bytes(&buffer);
        }
        Command::Man => {
            let mut buffer = Vec::new();
            clap_mangen::Man::new(crate::start::Cli::command())
                .render(&mut buffer)
                .map_err(|e| Failure::other(e.to_string()))?;
            return out.bytes(&buffer);
        }
        _ => {}
    }
    let channel = client::channel(&target).map_err(|e| Failure::new(Exit::Usage, e))?;
    let client = Client::for_command(channel, target);
    if matches!(command, Command::Login { .. } | Command::Logout) {
        // They keep or forget the session in this machine's keyring.
        crate::local_files::check()?;
    }
    match command {
        Command::Login {
            email,
            password_stdin,
        } => return session::login(&client, email, password_stdin).await,
        Command::Logout => return session::logout(&client).await,
        _ => {}
    }
    let me = session::sign_in(&client, globals.token.as_deref()).await?;
    out.tz = me.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let ctx = Ctx { client, me };
    let done = match command {
        Command::Tickets(command) => tickets::run(&ctx, command, &mut out).await,
        Command::Users(command) => people::users(&ctx, command, &mut out).await,
        Command::Sessions(command) => sessions::run(&ctx, command, &mut out).await,
        Command::Time(command) => work::time(&ctx, command, &mut out).await,
        Command::Companies(command) => people::companies(&ctx, command, &mut out).await,
        Command::Reports(args) => reports::run(&ctx, &args, &mut out).await,
        Command::Invoices(command) => billing::invoices(&ctx, command, &mut out).await,
        Command::Agreements(command) => billing::agreements(&ctx, command, &mut out).await,
        Command::Subscriptions(command) => subscriptions::run(&ctx, command, &mut out).await,
        Command::Watch => watch::run(&ctx, &mut out).await,
        Command::Kb(command) => knowledge::kb(&ctx, command, &mut out).await,
        Command::Team => knowledge::team(&ctx, &mut out).await,
        Command::Login { .. } | Command::Logout | Command::Completions { .. } | Command::Man => {
            Ok(())
        }
    };
    out.flush()?;
    done
}

/// Refuses saving to a file where local files are not allowed (the SSH
/// gateway); `-o -` (stdout) is the user's own terminal, so it stays.
fn may_save_to(output: Option<&std::path::Path>) -> exit::Done {
    if output == Some(std::path::Path::new("-")) {
        return Ok(());
    }
    crate::local_files::check()
        .map_err(|refused| Failure::usage(format!("{refused}; `-o -` writes to stdout")))
}

/// What every signed-in command has.
pub struct Ctx {
    pub client: Client,
    pub me: portal_proto::pb::Identity,
}
