//! The gRPC services. Handlers validate → authorize (`crate::policy`) →
//! call the store → convert; they never write SQL. How calls reach them
//! (listener, deadline, interceptors) is `crate::transport`.

mod account;
mod auth;
pub(crate) mod authn;
pub mod backups;
mod billing;
mod convert;
pub mod events;
mod file_stream;
mod input;
mod keyset;
pub mod mail_in;
mod my_sessions;
mod outbox;
mod outcome;
mod reports;
pub mod ssh_keys;
mod staff;
pub(crate) mod status;
mod sweep;
mod tickets;
mod work;

use std::sync::Arc;

pub use account::Accounts;
pub use auth::Auth;
pub use authn::SessionCache;
pub use billing::Billing;
pub use events::Events;
pub use reports::Reports;
pub use staff::StaffAdmin;
pub(crate) use sweep::sweep;
/// The ticket handlers, also for in-process benchmarks of the service layer.
pub use tickets::Tickets;
/// Estimates, sign-off and time, also for in-process benchmarks.
pub use work::Work;

use crate::config::Config;
use crate::store::Store;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub sessions: Arc<SessionCache>,
    pub events: events::EventBus,
    pub draining: Draining,
    /// When the last good scheduled backup was taken (also for metrics).
    pub last_backup: backups::LastBackup,
    /// The SSH gateway's credentials, once it runs (docs/GATEWAY.md).
    pub gateway: ssh_keys::Gateway,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            sessions: Arc::default(),
            events: events::EventBus::default(),
            draining: Draining::default(),
            last_backup: backups::LastBackup::default(),
            gateway: ssh_keys::Gateway::default(),
        }
    }
}

/// Set once the server starts to shut down: open streams end then, while
/// the calls under way finish.
#[derive(Clone, Default)]
pub struct Draining(Arc<tokio::sync::watch::Sender<bool>>);

impl Draining {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once the shutdown has begun.
    pub async fn begun(&self) {
        // The sender lives in `self`, so waiting cannot fail.
        let _ = self.0.subscribe().wait_for(|draining| *draining).await;
    }
}
