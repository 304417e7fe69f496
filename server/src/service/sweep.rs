//! Housekeeping while the server runs: closing unanswered Completed
//! tickets and deleting ended sessions and refresh tokens.

use std::time::Duration;

use super::AppState;
use super::authn;
use super::tickets::Tickets;

/// How often the housekeeping runs.
const SWEEP_EVERY: Duration = Duration::from_mins(10);

/// Runs the housekeeping at start and every `SWEEP_EVERY`, for ever.
pub async fn sweep(state: AppState) {
    let tickets = Tickets::new(state.clone());
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let closed = tickets.close_unanswered(crate::store::now_ms()).await;
        log_sweep("closed unanswered completed tickets", closed);
        let purged =
            authn::purge_expired(&state.store, &state.sessions, state.config.session_idle).await;
        log_sweep("deleted ended sessions and refresh tokens", purged);
    }
}

fn log_sweep(what: &str, done: Result<usize, impl std::fmt::Display>) {
    match done {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{what}"),
        Err(e) => tracing::warn!(error = %e, "sweep failed: {what}"),
    }
}
