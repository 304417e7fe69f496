//! `portal sessions …`: where I am signed in, and signing out there.

use clap::Subcommand;
use portal_proto::pb;

use super::Ctx;
use super::exit::{Done, Failure};
use super::output::{Format, Out};
use crate::action::{AccountCall, Reply};
use crate::ui::format;

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// My sessions: client, address, signed in, last used; `*` marks this one.
    #[command(
        after_help = "Example:\n  portal sessions list --json | jq -r 'select(.current) | .id'"
    )]
    List,
    /// Sign one of my sessions out (its refresh token and live updates end too).
    #[command(after_help = "Example:\n  portal sessions revoke 42")]
    Revoke { id: i64 },
    /// Sign out everywhere; --keep-current keeps the session of this command.
    #[command(
        name = "signout-all",
        after_help = "Example:\n  portal sessions signout-all --keep-current"
    )]
    SignoutAll {
        #[arg(long)]
        keep_current: bool,
    },
}

fn row(s: &pb::MySession, out: &Out) -> Vec<String> {
    vec![
        s.id.to_string(),
        if s.current { "*" } else { "" }.to_owned(),
        s.client.clone(),
        s.address.clone(),
        format::time(s.signed_in_at.as_ref(), out.tz),
        format::time(s.last_used_at.as_ref(), out.tz),
    ]
}

pub async fn run(ctx: &Ctx, command: SessionsCommand, out: &mut Out) -> Done {
    let call = match command {
        SessionsCommand::List => AccountCall::Sessions,
        SessionsCommand::Revoke { id } => {
            if id <= 0 {
                return Err(Failure::invalid("session_id", "a session id, e.g. 42"));
            }
            AccountCall::RevokeSession { id }
        }
        SessionsCommand::SignoutAll { keep_current } => {
            AccountCall::SignOutEverywhere { keep_current }
        }
    };
    match ctx.client.request(call.into()).await? {
        Reply::Sessions(sessions) => match out.format {
            Format::Json => sessions.iter().try_for_each(|s| out.json(s)),
            Format::Table | Format::Csv => {
                let rows: Vec<Vec<String>> = sessions.iter().map(|s| row(s, out)).collect();
                out.rows(
                    &["id", "this", "client", "address", "signed in", "last used"],
                    &rows,
                )
            }
        },
        Reply::SessionRevoked { id } => {
            eprintln!("Session {id} is signed out.");
            Ok(())
        }
        Reply::SignedOutEverywhere {
            ended,
            keep_current,
        } => match out.format {
            Format::Json => out.json(&pb::SignOutEverywhereResponse { ended }),
            Format::Table | Format::Csv => {
                let kept = if keep_current {
                    "; this one is kept"
                } else {
                    ""
                };
                eprintln!("{ended} session(s) signed out{kept}.");
                Ok(())
            }
        },
        other => Err(Failure::other(format!("unexpected answer: {other:?}"))),
    }
}
