//! Numbered migrations, applied atomically at open (version in `user_version`).
//! A shipped migration is never edited: add a new file instead.

use rusqlite_migration::{M, Migrations};

const STEPS: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_init.sql")),
    M::up(include_str!("migrations/0002_work.sql")),
    M::up(include_str!("migrations/0003_mail_outbox.sql")),
    M::up(include_str!("migrations/0004_sla_clock.sql")),
    M::up(include_str!("migrations/0005_billing.sql")),
    M::up(include_str!("migrations/0007_queue.sql")),
    M::up(include_str!("migrations/0008_sign_ins.sql")),
    M::up(include_str!("migrations/0009_report_indexes.sql")),
];

pub static MIGRATIONS: Migrations<'static> = Migrations::from_slice(STEPS);

/// The schema version (`user_version`) of a fully migrated store.
pub const LATEST_VERSION: usize = STEPS.len();

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn migrations_validate() {
        assert!(MIGRATIONS.validate().is_ok());
    }
}
