use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::*;
use crate::domain::TicketStatus;
use crate::store::StoreOptions;

fn demo_store(now: i64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("demo.db"), &StoreOptions::default()).unwrap();
    load_at(&store, now).unwrap();
    (dir, store)
}

fn query<T: Send + 'static>(
    store: &Store,
    sql: &'static str,
    row: impl Fn(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Vec<T> {
    store
        .read_inline(|c| {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([], |r| row(r))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

fn count(store: &Store, sql: &'static str) -> i64 {
    query(store, sql, |r| r.get(0))[0]
}

#[test]
fn every_role_has_its_account_with_the_demo_password() {
    let (_dir, store) = demo_store(now_ms());
    let wanted = [
        ("user", "contact", "user"),
        ("manager", "contact", "manager"),
        ("admin", "contact", "admin"),
        ("technician", "staff", "technician"),
        ("dispatcher", "staff", "dispatcher"),
        ("provider-admin", "staff", "admin"),
    ];
    let accounts = query(
        &store,
        "SELECT c.email, 'contact', c.access, cr.password_hash, cr.must_change
           FROM contacts c JOIN credentials cr ON cr.kind = 'contact' AND cr.subject_id = c.id
         UNION ALL
         SELECT s.email, 'staff', s.role, cr.password_hash, cr.must_change
           FROM staff s JOIN credentials cr ON cr.kind = 'staff' AND cr.subject_id = s.id",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        },
    );
    for (role, kind, level) in wanted {
        let email = demo_email(role).unwrap();
        let (_, k, l, hash, must_change) = accounts
            .iter()
            .find(|a| a.0 == email)
            .unwrap_or_else(|| panic!("{email} has no credential"));
        assert_eq!((k.as_str(), l.as_str()), (kind, level), "{email}");
        assert!(!must_change, "{email}");
        assert!(password::verify(DEMO_PASSWORD, hash), "{email}");
    }
    assert_eq!(demo_email("nobody"), None);
    for email in [
        "ava@alderfinch.example",
        "max@alderfinch.example",
        "una@alderfinch.example",
    ] {
        assert!(accounts.iter().any(|a| a.0 == email), "{email}");
    }
    for email in [
        "cole@copperleaf.example",
        "mia@copperleaf.example",
        "ulf@copperleaf.example",
    ] {
        assert!(accounts.iter().any(|a| a.0 == email), "{email}");
    }
    // Contacts without portal access cannot sign in.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM contacts c JOIN credentials cr
               ON cr.kind = 'contact' AND cr.subject_id = c.id WHERE c.access = 'none'"
        ),
        0
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM staff WHERE role = 'technician' AND active"
        ) >= 3
    );
}

#[test]
fn companies_have_the_promised_preferences_and_people() {
    let (_dir, store) = demo_store(now_ms());
    let companies = query(
        &store,
        "SELECT name, require_po, users_see_all,
            (SELECT COUNT(*) FROM sites s WHERE s.company_id = c.id),
            (SELECT COUNT(*) FROM contacts p WHERE p.company_id = c.id AND p.access = 'none'),
            (SELECT COUNT(*) FROM contacts p WHERE p.company_id = c.id AND NOT p.active)
         FROM companies c ORDER BY id",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        },
    );
    assert!(companies.len() >= 3);
    let get = |name: &str| companies.iter().find(|c| c.0 == name).unwrap();
    let harbor = get("Harbor Dental Group");
    assert!(!harbor.1 && harbor.3 >= 2 && harbor.4 >= 1 && harbor.5 >= 1);
    assert!(get("Alder & Finch Architects").1);
    assert!(get("Copperleaf Logistics").2);
    assert!(count(&store, "SELECT COUNT(*) FROM contact_related_companies") >= 1);
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM contacts WHERE phones LIKE '%\"extension\":\"2%'"
        ) > 0,
        "phones carry extensions"
    );
    // Every Alder & Finch ticket has the PO number the company requires.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM tickets t JOIN companies c ON c.id = t.company_id
             WHERE c.require_po AND t.po_number = ''"
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM pending_requests WHERE resolved_at IS NULL"
        ),
        3
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'"
        ) > 0
    );
}

#[test]
fn tickets_cover_every_status_priority_and_service_type() {
    let now = now_ms();
    let (_dir, store) = demo_store(now);
    let total = count(&store, "SELECT COUNT(*) FROM tickets");
    assert!((300..=800).contains(&total), "{total} tickets");
    assert_eq!(
        count(&store, "SELECT MIN(id) FROM tickets"),
        history::FIRST_TICKET
    );
    assert_eq!(
        count(&store, "SELECT MAX(id) - MIN(id) + 1 FROM tickets"),
        total
    );
    let statuses: HashSet<i64> = query(&store, "SELECT DISTINCT status FROM tickets", |r| r.get(0))
        .into_iter()
        .collect();
    for s in TicketStatus::ALL {
        assert!(statuses.contains(&(s as i64)), "no {} ticket", s.label());
    }
    let priorities: HashSet<i64> = query(&store, "SELECT DISTINCT priority FROM tickets", |r| {
        r.get(0)
    })
    .into_iter()
    .collect();
    assert_eq!(priorities.len(), 5);
    assert!(count(&store, "SELECT COUNT(*) FROM tickets WHERE emergency") > 0);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT service_type_id) FROM tickets"
        ),
        count(&store, "SELECT COUNT(*) FROM service_types")
    );
    assert!(count(&store, "SELECT COUNT(*) FROM tickets WHERE status = 3") >= 2);
    for kind in 1..=6 {
        let n: i64 = store
            .read_inline(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM timeline WHERE kind = ?1",
                    [kind],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert!(n > 0, "no timeline entries of kind {kind}");
    }
    assert!(count(&store, "SELECT COUNT(*) FROM tasks WHERE done") > 0);
    assert!(count(&store, "SELECT COUNT(*) FROM tasks WHERE NOT done") > 0);
    // The history spans eighteen months and this month has tickets.
    let oldest = count(&store, "SELECT MIN(created_at) FROM tickets");
    assert!(now - oldest > 500 * DAY && now - oldest < 560 * DAY);
    let month = clock::month_start(now);
    let this_month: i64 = store
        .read_inline(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM tickets WHERE created_at >= ?1",
                [month],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(this_month > 0);
    let future: i64 = store
        .read_inline(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM tickets WHERE MAX(created_at, updated_at, IFNULL(closed_at, 0)) > ?1",
                [now],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(future, 0, "nothing happens after the load time");
}

#[test]
fn fields_follow_the_catalog() {
    let (_dir, store) = demo_store(now_ms());
    let rows = query(
        &store,
        "SELECT t.id, t.fields, s.fields FROM tickets t JOIN service_types s ON s.id = t.service_type_id",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    );
    for (id, values, defs) in rows {
        let values: Vec<serde_json::Value> = serde_json::from_str(&values).unwrap();
        let defs: Vec<serde_json::Value> = serde_json::from_str(&defs).unwrap();
        for d in &defs {
            let value = values
                .iter()
                .find(|v| v["key"] == d["key"])
                .map(|v| v["value"].as_str().unwrap());
            if d["required"] == true {
                assert!(
                    value.is_some_and(|v| !v.is_empty()),
                    "#{id}: {} missing",
                    d["key"]
                );
            }
            let Some(value) = value else { continue };
            match d["kind"].as_str().unwrap() {
                "choice" => assert!(
                    d["choices"].as_array().unwrap().iter().any(|c| c == value),
                    "#{id}: {value}"
                ),
                "yes_no" => assert!(value == "yes" || value == "no"),
                "date" => assert!(
                    value.len() == 10 && value.as_bytes()[4] == b'-',
                    "#{id}: {value}"
                ),
                _ => {}
            }
        }
        for v in &values {
            assert!(
                defs.iter().any(|d| d["key"] == v["key"]),
                "#{id}: unknown field {}",
                v["key"]
            );
        }
    }
}

#[test]
fn timelines_are_ordered_and_agree_with_the_ticket() {
    let (_dir, store) = demo_store(now_ms());
    let tickets = query(
        &store,
        "SELECT id, status, created_at, updated_at, responded_at, completed_at, closed_at FROM tickets",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        },
    );
    let entries = query(
        &store,
        "SELECT ticket_id, kind, at, from_value, to_value FROM timeline ORDER BY ticket_id, id",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    );
    let mut by_ticket: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for e in entries {
        by_ticket.entry(e.0).or_default().push(e);
    }
    for (id, status, created, updated, responded, completed, closed) in tickets {
        let status = TicketStatus::from_i64(status).unwrap();
        let timeline = by_ticket.remove(&id).unwrap_or_default();
        let mut last = created;
        let mut current = TicketStatus::New.label().to_owned();
        for (_, kind, at, from, to) in &timeline {
            assert!(*at >= last, "#{id}: out of order");
            last = *at;
            if *kind == 4 {
                assert_eq!(from, &current, "#{id}: status chain broken");
                current.clone_from(to);
            }
        }
        assert_eq!(current, status.label(), "#{id}: last status change");
        assert_eq!(updated, last, "#{id}: updated_at is the last entry");
        if matches!(status, TicketStatus::Completed | TicketStatus::Closed) {
            assert!(completed.is_some() && responded.is_some(), "#{id}");
        }
        assert_eq!(
            closed.is_some(),
            status.group() == crate::domain::StatusGroup::Closed,
            "#{id}"
        );
        if status == TicketStatus::New {
            assert!(responded.is_none(), "#{id}");
        }
    }
}

#[test]
fn attachments_match_their_blobs_and_identical_files_are_stored_once() {
    let (_dir, store) = demo_store(now_ms());
    let blobs = query(&store, "SELECT sha256, size, data FROM blobs", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    });
    assert!(!blobs.is_empty());
    for (sha, size, data) in &blobs {
        assert_eq!(sha, &hex::encode(Sha256::digest(data)));
        assert_eq!(*size, data.len() as i64);
    }
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM attachments a JOIN blobs b USING (sha256) WHERE a.size <> b.size"
        ),
        0
    );
    assert!(
        count(
            &store,
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM attachments GROUP BY sha256)"
        ) >= 2
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM attachments WHERE content_type = 'image/png'"
        ) > 0
    );
}

#[test]
fn the_store_is_consistent() {
    let (_dir, store) = demo_store(now_ms());
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM pragma_foreign_key_check"),
        0
    );
    assert_eq!(
        query(&store, "PRAGMA integrity_check", |r| r.get::<_, String>(0)),
        vec!["ok".to_owned()]
    );
    // Full-text search finds public posts and titles, never internal notes.
    let hits: i64 = store
        .read_inline(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH 'printer'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(hits > 0);
    assert!(load(&store).is_err(), "a second load is refused");
}

#[test]
fn the_data_set_is_deterministic() {
    let now = now_ms();
    let snapshot = |store: &Store| {
        query(
            store,
            "SELECT t.id, t.company_id, t.status, t.priority, t.title, t.created_at, t.updated_at,
                (SELECT group_concat(kind || ':' || at || ':' || body, '|') FROM timeline WHERE ticket_id = t.id)
             FROM tickets t ORDER BY t.id",
            |r| {
                Ok(format!(
                    "{}/{}/{}/{}/{}/{}/{}/{:?}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?
                ))
            },
        )
    };
    let shape = |store: &Store| {
        query(
            store,
            "SELECT company_id, status, priority, COUNT(*) FROM tickets GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
    };
    let (_a, a) = demo_store(now);
    let (_b, b) = demo_store(now);
    assert_eq!(snapshot(&a), snapshot(&b));
    // Loaded at another time (here three and a half days later), times move
    // but the shape stays.
    let (_c, c) = demo_store(now + 3 * DAY + 12 * HOUR);
    assert_eq!(shape(&a), shape(&c));
}

#[tokio::test]
async fn the_demo_server_serves_and_stops_on_drop() {
    let demo = serve_demo().await.unwrap();
    let addr = demo.addr;
    assert!(addr.ip().is_loopback());
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let reply = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(reply.into_inner().status, 1, "SERVING");
    drop(demo);
    // The listener closes once the server has stopped.
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(refused, "still listening after drop");
}

#[test]
fn a_backup_taken_while_writes_go_on_is_consistent() {
    let (dir, store) = demo_store(now_ms());
    let tickets = count(&store, "SELECT COUNT(*) FROM tickets");
    let before = count(&store, "SELECT COUNT(*) FROM timeline");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                store
                    .write_blocking(move |c| {
                        rows::insert_timeline(
                            c,
                            &rows::TimelineRow {
                                ticket_id: history::FIRST_TICKET,
                                kind: 3,
                                at: now_ms(),
                                author_kind: "system",
                                author_id: None,
                                author_name: "Portal",
                                body: "written during the backup",
                                from_value: "",
                                to_value: "",
                            },
                        )
                    })
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    // Let some writes land first, so the backup overlaps them.
    while count(&store, "SELECT COUNT(*) FROM timeline") < before + 20 {
        std::thread::yield_now();
    }
    let copy = dir.path().join("copy.db");
    store.backup_to(&copy).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    let after = count(&store, "SELECT COUNT(*) FROM timeline");
    assert_eq!(after, before + written);

    let conn = rusqlite::Connection::open(&copy).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    let copied: i64 = conn
        .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(copied, tickets);
    let entries: i64 = conn
        .query_row("SELECT COUNT(*) FROM timeline", [], |r| r.get(0))
        .unwrap();
    assert!(
        (before + 20..=after).contains(&entries),
        "{before} <= {entries} <= {after}"
    );
    // The copy is a working store.
    drop(conn);
    let reopened = Store::open(&copy, &StoreOptions::default()).unwrap();
    assert_eq!(count(&reopened, "SELECT COUNT(*) FROM tickets"), tickets);
}

/// The clock stops while a ticket waits on its client (docs/TICKETS.md,
/// "SLA"): no demo ticket waiting now has a deadline still to come.
#[test]
fn tickets_waiting_on_the_client_have_their_clock_stopped() {
    let now = now_ms();
    let (_dir, store) = demo_store(now);
    let waiting = query(
        &store,
        "SELECT id, next_due_at FROM tickets WHERE status = 3",
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)),
    );
    assert!(!waiting.is_empty());
    for (id, due) in &waiting {
        assert!(due.is_none_or(|due| due <= now), "#{id} due {due:?}");
    }
}
