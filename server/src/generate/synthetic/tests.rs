use super::*;
use crate::store::StoreOptions;

fn count(store: &Store, sql: &str) -> i64 {
    store
        .read_inline(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn a_small_synthetic_store_is_complete_and_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("gen.db"), &StoreOptions::default()).unwrap();
    let spec = GenSpec {
        companies: 7,
        contacts_per_company: 4,
        tickets: 2500,
        days: 60,
        merge_search: true,
    };
    generate_in_batches(&store, &spec, 1000).unwrap();

    assert_eq!(count(&store, "SELECT COUNT(*) FROM companies"), 7);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM contacts"), 28);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM tickets"), 2500);
    assert_eq!(count(&store, "SELECT MIN(id) FROM tickets"), 1001);
    assert_eq!(count(&store, "SELECT MAX(id) FROM tickets"), 3500);
    assert_eq!(
        count(&store, "SELECT COUNT(DISTINCT status) FROM tickets"),
        8
    );
    assert_eq!(
        count(&store, "SELECT COUNT(DISTINCT company_id) FROM tickets"),
        7
    );
    let public = count(&store, "SELECT COUNT(*) FROM timeline WHERE kind IN (1, 2)");
    assert!((4000..=6000).contains(&public), "{public} public posts");
    assert!(count(&store, "SELECT COUNT(*) FROM timeline WHERE kind = 3") > 0);
    // Big clients have many open tickets, small ones few; nothing happens
    // after now, and Completed tickets close themselves within 7 days.
    let open_of = |company: i64| {
        count(
            &store,
            &format!("SELECT COUNT(*) FROM tickets WHERE status <= 4 AND company_id = {company}"),
        )
    };
    let (largest, smallest) = (open_of(1), open_of(7));
    assert!(
        largest >= 50 && largest > 2 * smallest,
        "open tickets: {largest} of the largest client, {smallest} of the smallest"
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT COUNT(*) FROM tickets WHERE updated_at > {}",
                now_ms()
            )
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM tickets WHERE status = 5 AND completed_at < (SELECT MAX(created_at) FROM tickets) - 7 * 86400000"
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM tickets t WHERE updated_at <> IFNULL((SELECT MAX(at) FROM timeline WHERE ticket_id = t.id), created_at)"
        ),
        0
    );
    // A common word matches a small share; the text is varied.
    let printer = count(
        &store,
        "SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH 'printer'",
    );
    let docs = count(&store, "SELECT COUNT(*) FROM tickets") + public;
    assert!(printer > 0 && printer * 10 < docs, "{printer} of {docs}");
    assert!(count(&store, "SELECT COUNT(DISTINCT title) FROM tickets") > 2400);
    // Asset tags name a few tickets each.
    let tagged = count(
        &store,
        "SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH 'asset'",
    );
    assert!((500..=1000).contains(&tagged), "{tagged} asset tags");

    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM pragma_foreign_key_check"),
        0
    );
    let check: String = store
        .read_inline(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(check, "ok");

    // The accounts the benchmarks sign in with.
    let (role, hash): (String, String) = store
        .read_inline(|c| {
            Ok(c.query_row(
                "SELECT s.role, cr.password_hash FROM staff s
                 JOIN credentials cr ON cr.kind = 'staff' AND cr.subject_id = s.id
                 WHERE s.email = 'bench-admin@provider.example'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(role, "admin");
    assert!(password::verify(DEMO_PASSWORD, &hash));
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM contacts WHERE email = 'u1@c1.example' AND access = 'admin'"
        ),
        1
    );
    assert!(generate(&store, &spec).is_err(), "a second run is refused");
}

#[test]
fn a_small_synthetic_store_has_money_billed_paid_and_its_last_month_left_to_bill() {
    use crate::domain::money::{Month, zone_day};
    use crate::store::billing_run::{self, RunBy};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("gen.db"), &StoreOptions::default()).unwrap();
    let spec = GenSpec {
        companies: 6,
        contacts_per_company: 3,
        tickets: 3000,
        days: 300,
        merge_search: false,
    };
    generate_in_batches(&store, &spec, 1000).unwrap();

    assert_eq!(
        count(&store, "SELECT COUNT(DISTINCT company_id) FROM agreements"),
        6
    );
    assert!(count(&store, "SELECT COUNT(*) FROM agreements WHERE kind = 4") > 0);
    // Time billed by the runs, and time of the last month not yet billed.
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM time_entries WHERE billed_at IS NOT NULL"
        ) > 500
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM time_entries WHERE billed_at IS NULL AND billable = 1"
        ) > 0
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM time_entries WHERE billable = 0"
        ) > 0
    );
    // Recurring lines, labour drawn on prepaid hours and labour at the rate.
    for kind in [1, 2] {
        assert!(
            count(
                &store,
                &format!("SELECT COUNT(*) FROM invoice_lines WHERE kind = {kind}")
            ) > 0,
            "lines of kind {kind}"
        );
    }
    assert!(count(&store, "SELECT COUNT(*) FROM time_draws") > 0);
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM invoice_lines WHERE kind = 2 AND unit_price_cents > 0"
        ) > 0
    );
    // Paid and unpaid invoices, confirmed payments.
    for status in [1, 3] {
        assert!(
            count(
                &store,
                &format!("SELECT COUNT(*) FROM invoices WHERE status = {status}")
            ) > 0,
            "invoices in status {status}"
        );
    }
    assert!(count(&store, "SELECT COUNT(*) FROM payments WHERE state = 2") > 0);

    // The last whole month is left for the benchmark: nothing billed for
    // it, and a preview of its run finds labour to bill.
    let (billed_last, planned) = store
        .read_inline(|c| {
            let zone = crate::store::billing_settings::get(c)?.zone;
            let today = zone_day(zone, now_ms());
            let last = Month::of(today).prev();
            let billed: i64 = c.query_row(
                "SELECT COUNT(*) FROM invoices WHERE period = ?1",
                [last.to_string()],
                |r| r.get(0),
            )?;
            let by = RunBy {
                actor: "test",
                now: now_ms(),
                today,
            };
            let plan = billing_run::run(c, last, None, true, by)?;
            Ok((billed, plan))
        })
        .unwrap();
    assert_eq!(billed_last, 0);
    assert_eq!(planned.len(), 6, "every company has something to bill");
    assert!(
        planned
            .iter()
            .flat_map(|(_, lines)| lines)
            .any(|l| l.kind == 2),
        "labour to bill"
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM pragma_foreign_key_check"),
        0
    );
}
