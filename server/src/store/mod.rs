//! The SQLite store: one writer thread that group-commits, and a small pool
//! of reader connections. Nothing here knows about gRPC.

pub mod backup;
mod error;
mod migrations;
mod pool;
pub mod sessions;
pub mod sign_ins;
pub mod ssh_keys;

// Accounts: sign-in, people, companies, requests, audit.
pub mod account_team;
pub mod audit;
mod columns;
pub mod companies;
pub mod contacts;
pub mod credentials;
pub mod mail_in;
pub mod outbox;
pub mod recipients;
pub mod refresh_tokens;
pub mod requests;
pub mod staff;

// Tickets and what hangs off them.
pub mod assignees;
pub mod attachments;
pub mod catalog;
pub mod knowledge;
pub mod list_counts;
pub mod reports;
pub mod saved_views;
pub mod search_terms;
pub mod sla;
pub mod subscribers;
mod tally;
pub mod tasks;
#[cfg(test)]
pub(crate) mod testing;
pub mod ticket_list;
pub mod ticket_record;
pub mod ticket_reports;
pub mod tickets;
pub mod timeline;

// Estimates, sign-offs and time.
pub mod estimates;
pub mod ratings;
pub mod signoffs;
pub mod time_entries;
pub mod time_reports;
pub mod timers;
pub mod work_settings;
pub mod work_types;

// Agreements, billing runs, invoices and payments.
pub mod agreements;
pub mod billing_run;
pub mod billing_settings;
pub mod invoices;
pub mod money_reports;
pub mod payments;
pub mod subscriptions;

pub use error::{Result, StoreError};
pub use migrations::MIGRATIONS;
pub use pool::{Store, StoreOptions, metric};

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC: how the store keeps every time.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod accounts_tests;
