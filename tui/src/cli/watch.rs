//! `portal watch`: live events as JSON lines until interrupted. The stream
//! is the full-screen client's (`Client::follow_events`): it reconnects and
//! resumes after the last event seen, so none is lost or repeated.

use super::Ctx;
use super::exit::{Done, Exit, Failure};
use super::output::{Out, to_json};
use crate::action::Action;

pub async fn run(ctx: &Ctx, out: &mut Out) -> Done {
    let mut result = Ok(());
    let mut lost = false;
    let follow = ctx.client.follow_events(|action| match action {
        Action::Event(event) => {
            result = to_json(&event).and_then(|line| {
                out.line(&line)?;
                // Each event reaches a pipe as it happens.
                out.flush()
            });
            result.is_ok()
        }
        Action::Connected(true) => {
            if lost {
                eprintln!("portal: reconnected");
            }
            lost = false;
            true
        }
        Action::Connected(false) => {
            if !lost {
                eprintln!("portal: connection lost; reconnecting…");
            }
            lost = true;
            true
        }
        Action::SessionEnded => {
            result = Err(Failure::new(
                Exit::SignedOut,
                "the session ended (signed out, disabled or expired)",
            ));
            false
        }
        Action::Reply(_) => true,
    });
    tokio::select! {
        () = follow => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    result
}
