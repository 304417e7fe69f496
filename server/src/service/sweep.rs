//! Housekeeping while the server runs: closing unanswered Completed
//! tickets, deleting ended sessions and refresh tokens, and announcing
//! SLA deadlines that turned at risk or were breached.

use std::time::Duration;

use super::AppState;
use super::authn;
use super::tickets::Tickets;
use crate::store::now_ms;

/// How often the housekeeping runs.
const SWEEP_EVERY: Duration = Duration::from_mins(10);

/// How often SLA state changes are looked for (and so how late an
/// announcement may come).
const SLA_EVERY: Duration = Duration::from_secs(30);

/// Runs the housekeeping at start and every `SWEEP_EVERY`, and the SLA
/// announcements every `SLA_EVERY`, for ever.
pub async fn sweep(state: AppState) {
    let tickets = Tickets::new(state.clone());
    let mut every = tokio::time::interval(SWEEP_EVERY);
    let mut sla_every = tokio::time::interval(SLA_EVERY);
    let mut sla_seen = now_ms();
    loop {
        tokio::select! {
            _ = every.tick() => {
                let closed = tickets.close_unanswered(now_ms()).await;
                log_sweep("closed unanswered completed tickets", closed);
                let purged =
                    authn::purge_expired(&state.store, &state.sessions, state.config.session_idle)
                        .await;
                log_sweep("deleted ended sessions and refresh tokens", purged);
            }
            _ = sla_every.tick() => {
                let now = now_ms();
                log_sweep("announced SLA changes", tickets.announce_sla(sla_seen, now).await);
                sla_seen = now;
            }
        }
    }
}

fn log_sweep(what: &str, done: Result<usize, impl std::fmt::Display>) {
    match done {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{what}"),
        Err(e) => tracing::warn!(error = %e, "sweep failed: {what}"),
    }
}
