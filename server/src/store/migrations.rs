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
    M::up(include_str!("migrations/0010_draws_ended.sql")),
    M::up(include_str!("migrations/0011_ratings.sql")),
    M::up(include_str!("migrations/0012_ssh_keys.sql")),
    M::up(include_str!("migrations/0013_mail_in.sql")),
    M::up(include_str!("migrations/0014_chat.sql")),
    M::up(include_str!("migrations/0015_subscriptions.sql")),
    M::up(include_str!("migrations/0016_knowledge.sql")),
    M::up(include_str!("migrations/0017_search_prefixes.sql")),
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

    #[test]
    fn draws_made_before_0010_get_their_entrys_end() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        // Version 8: every migration before 0010 (there is no 0006).
        MIGRATIONS.to_version(&mut conn, 8).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO time_entries (id, ticket_id, company_id, staff_id, staff_name,
               work_type_id, ended_at, minutes, billable, created_at, updated_at, billed_at)
               VALUES (7, 1, 1, 1, 'Tom', 1, 1767225600000, 60, 1, 0, 0, 1);
             INSERT INTO time_draws (time_entry_id, agreement_id, minutes) VALUES (7, 3, 60);",
        )
        .unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let ended: i64 = conn
            .query_row(
                "SELECT ended_at FROM time_draws WHERE time_entry_id = 7",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ended, 1_767_225_600_000);
    }

    #[test]
    fn the_search_index_rebuilt_in_0017_holds_what_it_held() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        // Version 15: every migration before 0017 (there is no 0006).
        MIGRATIONS.to_version(&mut conn, 15).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO tickets (id, company_id, contact_id, service_type_id, title, description,
               priority, status, created_at, updated_at)
               VALUES (3, 1, 1, 1, 'Printer jams', 'In the hall', 3, 1, 0, 0);
             INSERT INTO timeline (id, ticket_id, kind, at, author_kind, author_id,
               author_name, body)
               VALUES ((3 << 20) + 1, 3, 1, 0, 'staff', 1, 'Tom', 'router replaced'),
                      ((3 << 20) + 2, 3, 3, 0, 'staff', 1, 'Tom', 'internal secret');",
        )
        .unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let found = |q: &str| -> Vec<i64> {
            conn.prepare("SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?1")
                .unwrap()
                .query_map([q], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(found("hall"), [3 << 20]);
        assert_eq!(found("\"r\" *"), [(3 << 20) + 1]);
        assert!(found("secret").is_empty());
    }
}
