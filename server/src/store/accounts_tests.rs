//! Tests of the account store functions against a temporary store.

use tempfile::TempDir;

use super::audit::{self, AuditEvent, AuditFilter};
use super::companies::{self, CompanyQuery};
use super::contacts::{self, ContactKey, ContactQuery};
use super::{Store, StoreError, credentials, refresh_tokens, requests, sessions, staff};
use crate::domain::{
    AccessLevel, Address, Company, CompanyPreferences, ContactDetails, LockState, RequestKind,
    Site, StaffRole, SubjectKind,
};

fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        Store::open(&dir.path().join("t.db"), &super::StoreOptions::default()).expect("open");
    (dir, store)
}

fn company(name: &str) -> Company {
    Company {
        id: 0,
        name: name.into(),
        phone: String::new(),
        address: Address::default(),
        sites: vec![Site {
            id: 0,
            name: "Main office".into(),
            address: Address {
                city: "Springfield".into(),
                ..Address::default()
            },
        }],
        payment_terms_days: 30,
        preferences: CompanyPreferences::default(),
        active: true,
        created_at: 0,
    }
}

fn details(first: &str, last: &str) -> ContactDetails {
    ContactDetails {
        first_name: first.into(),
        last_name: last.into(),
        ..ContactDetails::default()
    }
}

#[test]
fn accounts_are_found_by_email_ignoring_case_and_emails_are_unique_across_tables() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let co = companies::insert(c, &company("Acme"), 1)?;
            let id = contacts::insert(
                c,
                co,
                "Ann@Acme.example",
                &details("Ann", "Lee"),
                AccessLevel::Admin,
                1,
            )?;
            credentials::set_password(c, SubjectKind::Contact, id, "hash", true, 1)?;
            staff::insert(
                c,
                "Sam",
                "Tech",
                "sam@msp.example",
                StaffRole::Technician,
                1,
            )?;

            let a = credentials::find_by_email(c, "ann@ACME.example")?.expect("found");
            assert_eq!((a.kind, a.id), (SubjectKind::Contact, id));
            assert!(a.must_change());
            assert!(a.principal().is_some());
            let s = credentials::find_by_email(c, "SAM@msp.example")?.expect("found");
            assert_eq!(s.kind, SubjectKind::Staff);
            assert!(s.credential.is_none());
            assert!(credentials::find_by_email(c, "nobody@acme.example")?.is_none());

            let dup = contacts::insert(
                c,
                co,
                "SAM@msp.example",
                &details("X", "Y"),
                AccessLevel::User,
                1,
            );
            assert!(matches!(dup, Err(StoreError::AlreadyExists(m)) if m.starts_with("email:")));
            let dup = staff::insert(c, "X", "Y", "ann@acme.EXAMPLE", StaffRole::Admin, 1);
            assert!(matches!(dup, Err(StoreError::AlreadyExists(_))));
            // A contact keeping its own e-mail is no conflict.
            contacts::set_email(c, id, "ANN@acme.example")?;
            Ok(())
        })
        .expect("write");
}

#[test]
fn lock_state_is_saved_and_cleared_by_sign_in_and_password_change() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let co = companies::insert(c, &company("Acme"), 1)?;
            let id = contacts::insert(
                c,
                co,
                "a@acme.example",
                &details("A", "B"),
                AccessLevel::User,
                1,
            )?;
            credentials::set_password(c, SubjectKind::Contact, id, "h1", false, 1)?;
            let lock = LockState {
                failed_count: 0,
                window_start: None,
                locked_until: Some(5_000),
            };
            credentials::save_lock(c, SubjectKind::Contact, id, &lock)?;
            assert!(contacts::get(c, id, 4_000)?.locked);
            assert!(!contacts::get(c, id, 5_000)?.locked);
            let found = credentials::find(c, SubjectKind::Contact, id)?.expect("found");
            assert_eq!(found.credential.expect("credential").lock, lock);

            credentials::set_password(c, SubjectKind::Contact, id, "h2", true, 2)?;
            let found = credentials::find(c, SubjectKind::Contact, id)?.expect("found");
            let cred = found.credential.expect("credential");
            assert_eq!(
                (cred.password_hash.as_str(), cred.must_change),
                ("h2", true)
            );
            assert_eq!(cred.lock, LockState::default());

            credentials::signed_in(c, SubjectKind::Contact, id, 77)?;
            assert_eq!(contacts::get(c, id, 0)?.last_login_at, Some(77));
            Ok(())
        })
        .expect("write");
}

#[test]
fn contact_lists_page_by_name_filter_and_count() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let co = companies::insert(c, &company("Acme"), 1)?;
            let other = companies::insert(c, &company("Other"), 1)?;
            for (i, (first, last)) in [
                ("Zed", "Adams"),
                ("Amy", "Adams"),
                ("Bob", "Brown"),
                ("Cy", "Cole"),
                ("Di", "Dunn"),
            ]
            .into_iter()
            .enumerate()
            {
                contacts::insert(
                    c,
                    co,
                    &format!("p{i}@acme.example"),
                    &details(first, last),
                    AccessLevel::User,
                    1,
                )?;
            }
            contacts::insert(
                c,
                other,
                "x@other.example",
                &details("Al", "Adams"),
                AccessLevel::User,
                1,
            )?;
            let dunn = contacts::list(
                c,
                &ContactQuery {
                    company_id: co,
                    text: "dunn".into(),
                    limit: 10,
                    ..ContactQuery::default()
                },
                0,
            )?;
            contacts::set_active(c, dunn.0[0].id, false)?;

            let mut q = ContactQuery {
                company_id: co,
                limit: 2,
                ..ContactQuery::default()
            };
            let mut names = Vec::new();
            loop {
                let (page, total) = contacts::list(c, &q, 0)?;
                assert_eq!(total, 4);
                let Some(last) = page.last() else { break };
                q.after = Some(ContactKey {
                    last_name: last.details.last_name.clone(),
                    first_name: last.details.first_name.clone(),
                    id: last.id,
                });
                names.extend(page.iter().map(|p| p.details.first_name.clone()));
            }
            assert_eq!(names, ["Amy", "Zed", "Bob", "Cy"]);

            let q = ContactQuery {
                company_id: co,
                text: "ADA".into(),
                include_inactive: true,
                limit: 10,
                ..ContactQuery::default()
            };
            let (page, total) = contacts::list(c, &q, 0)?;
            assert_eq!((page.len(), total), (2, 2));
            let q = ContactQuery {
                company_id: co,
                text: "%".into(),
                limit: 10,
                ..ContactQuery::default()
            };
            assert_eq!(contacts::list(c, &q, 0)?.1, 0);
            let q = ContactQuery {
                company_id: co,
                text: "amy adams".into(),
                limit: 10,
                ..ContactQuery::default()
            };
            assert_eq!(contacts::list(c, &q, 0)?.1, 1);
            Ok(())
        })
        .expect("write");
}

#[test]
fn companies_keep_unique_names_sync_sites_and_check_subscribers() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let id = companies::insert(c, &company("Acme"), 1)?;
            let other = companies::insert(c, &company("Beta"), 1)?;
            assert!(matches!(
                companies::insert(c, &company("ACME"), 1),
                Err(StoreError::AlreadyExists(_))
            ));

            let mut acme = companies::get(c, id)?;
            assert_eq!(acme.sites.len(), 1);
            acme.sites[0].name = "Head office".into();
            acme.sites.push(Site {
                id: 0,
                name: "Warehouse".into(),
                address: Address::default(),
            });
            companies::update(c, &acme)?;
            let acme2 = companies::get(c, id)?;
            assert_eq!(
                acme2
                    .sites
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>(),
                ["Head office", "Warehouse"]
            );

            let mut removed = acme2.clone();
            removed.sites.retain(|s| s.name == "Warehouse");
            companies::update(c, &removed)?;
            assert_eq!(companies::get(c, id)?.sites.len(), 1);

            let mut foreign = companies::get(c, id)?;
            foreign
                .sites
                .push(companies::get(c, other)?.sites[0].clone());
            assert!(matches!(
                companies::update(c, &foreign),
                Err(StoreError::Invalid { .. })
            ));
            let mut renamed = companies::get(c, id)?;
            renamed.name = "beta".into();
            assert!(matches!(
                companies::update(c, &renamed),
                Err(StoreError::AlreadyExists(_))
            ));

            let mine = contacts::insert(
                c,
                id,
                "a@acme.example",
                &details("A", "B"),
                AccessLevel::User,
                1,
            )?;
            let theirs = contacts::insert(
                c,
                other,
                "b@beta.example",
                &details("B", "C"),
                AccessLevel::User,
                1,
            )?;
            let prefs = CompanyPreferences {
                require_po_number: true,
                users_see_all_tickets: true,
                default_subscriber_ids: vec![mine],
            };
            companies::set_preferences(c, id, &prefs)?;
            assert_eq!(companies::get(c, id)?.preferences, prefs);
            let bad = CompanyPreferences {
                default_subscriber_ids: vec![theirs],
                ..prefs
            };
            assert!(matches!(
                companies::set_preferences(c, id, &bad),
                Err(StoreError::Invalid { .. })
            ));

            let (page, total) = companies::list(
                c,
                &CompanyQuery {
                    limit: 1,
                    ..CompanyQuery::default()
                },
            )?;
            assert_eq!((page[0].name.as_str(), total), ("Acme", 2));
            assert_eq!(page[0].sites.len(), 1);
            let after = companies::CompanyKey {
                name: page[0].name.clone(),
                id: page[0].id,
            };
            let (page, _) = companies::list(
                c,
                &CompanyQuery {
                    limit: 5,
                    after: Some(after),
                    ..CompanyQuery::default()
                },
            )?;
            assert_eq!(
                page.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                ["Beta"]
            );
            Ok(())
        })
        .expect("write");
}

#[test]
fn refresh_tokens_are_single_use_and_reuse_revokes_all() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let a = [1u8; 32];
            let b = [2u8; 32];
            refresh_tokens::create(c, &a, (SubjectKind::Staff, 4), None, 10, 1_000)?;
            refresh_tokens::create(c, &b, (SubjectKind::Staff, 4), None, 10, 1_000)?;
            assert_eq!(
                refresh_tokens::consume(c, &a, 20)?,
                Some((SubjectKind::Staff, 4))
            );
            // Presented again: refused, and the person's other token ends too.
            assert_eq!(refresh_tokens::consume(c, &a, 30)?, None);
            assert_eq!(refresh_tokens::consume(c, &b, 40)?, None);

            let d = [4u8; 32];
            refresh_tokens::create(c, &d, (SubjectKind::Contact, 5), None, 10, 1_000)?;
            refresh_tokens::revoke(c, &d, Some((SubjectKind::Contact, 6)), 50)?;
            assert_eq!(refresh_tokens::consume(c, &d, 1_000)?, None, "expired");
            let e = [5u8; 32];
            refresh_tokens::create(c, &e, (SubjectKind::Contact, 5), None, 10, 1_000)?;
            refresh_tokens::revoke(c, &e, None, 50)?;
            assert_eq!(refresh_tokens::consume(c, &e, 60)?, None);
            Ok(())
        })
        .expect("write");
}

#[test]
fn ended_sessions_and_refresh_tokens_are_purged() {
    let (_dir, store) = store();
    let idle_ms = 100;
    store
        .write_blocking(move |c| {
            let staff = SubjectKind::Staff;
            sessions::create(c, &[1; 32], (staff, 4), None, 0, 1_000)?; // idle since 0
            sessions::create(c, &[2; 32], (staff, 4), None, 150, 1_000)?; // in use
            sessions::create(c, &[3; 32], (staff, 4), None, 190, 200)?; // past its expiry
            refresh_tokens::create(c, &[4; 32], (staff, 4), None, 0, 150)?; // expired
            refresh_tokens::create(c, &[5; 32], (staff, 4), None, 0, 1_000)?;
            assert_eq!(sessions::purge_expired(c, 50, idle_ms)?, 0);
            assert_eq!(sessions::purge_expired(c, 200, idle_ms)?, 2);
            assert_eq!(refresh_tokens::purge_expired(c, 200)?, 1);
            let left = |table: &str| -> rusqlite::Result<Vec<Vec<u8>>> {
                c.prepare(&format!("SELECT token_hash FROM {table}"))?
                    .query_map([], |r| r.get(0))?
                    .collect()
            };
            assert_eq!(left("sessions")?, [vec![2; 32]]);
            assert_eq!(left("refresh_tokens")?, [vec![5; 32]]);
            Ok(())
        })
        .expect("write");
}

#[test]
fn pending_requests_open_once_and_resolve_once() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            let co = companies::insert(c, &company("Acme"), 1)?;
            let other = companies::insert(c, &company("Beta"), 1)?;
            let id = contacts::insert(
                c,
                co,
                "a@acme.example",
                &details("A", "B"),
                AccessLevel::User,
                1,
            )?;
            let b = contacts::insert(
                c,
                other,
                "b@beta.example",
                &details("B", "C"),
                AccessLevel::None,
                1,
            )?;
            assert!(requests::open(
                c,
                RequestKind::PasswordReset,
                co,
                id,
                "",
                5
            )?);
            assert!(!requests::open(
                c,
                RequestKind::PasswordReset,
                co,
                id,
                "again",
                6
            )?);
            assert!(requests::open(
                c,
                RequestKind::Access,
                other,
                b,
                "please",
                7
            )?);
            let mine = requests::list_open(c, Some(co), None, 50)?;
            assert_eq!(mine.len(), 1);
            assert_eq!(
                (mine[0].message.as_str(), mine[0].email.as_str()),
                ("again", "a@acme.example")
            );
            assert_eq!(requests::list_open(c, None, None, 50)?.len(), 2);
            requests::resolve(c, mine[0].id, "admin@acme.example", true, 8)?;
            assert!(matches!(
                requests::resolve(c, mine[0].id, "x", false, 9),
                Err(StoreError::FailedPrecondition(_))
            ));
            assert!(requests::get(c, mine[0].id)?.resolved);
            assert_eq!(requests::list_open(c, Some(co), None, 50)?.len(), 0);
            Ok(())
        })
        .expect("write");
}

#[test]
fn audit_lists_newest_first_by_action_prefix_and_company() {
    let (_dir, store) = store();
    store
        .write_blocking(|c| {
            use crate::domain::AuditAction::{LoginFailed, LoginOk, RoleChange};
            for (i, action) in [LoginOk, LoginFailed, RoleChange, LoginOk]
                .into_iter()
                .enumerate()
            {
                let event = AuditEvent {
                    actor: "x@y.example".into(),
                    action,
                    subject: format!("s{i}"),
                    company_id: (i % 2 == 0).then_some(1),
                    detail: String::new(),
                };
                audit::record(c, i as i64, &event)?;
            }
            let by = |action: &str, company_id| AuditFilter {
                action: action.into(),
                company_id,
                ..AuditFilter::default()
            };
            let subjects = |entries: &[crate::domain::AuditEntry]| {
                entries
                    .iter()
                    .map(|e| e.subject.clone())
                    .collect::<Vec<_>>()
            };
            let all = audit::list(c, &by("", None), None, 10)?;
            assert_eq!(subjects(&all), ["s3", "s2", "s1", "s0"]);
            let logins = audit::list(c, &by("login", None), None, 2)?;
            assert_eq!(subjects(&logins), ["s3", "s1"]);
            let rest = audit::list(c, &by("login", None), Some(logins[1].id), 2)?;
            assert_eq!(subjects(&rest), ["s0"]);
            let company = audit::list(c, &by("", Some(1)), None, 10)?;
            assert_eq!(company.len(), 2);
            // Who did it (any part of the e-mail) and when (from, before).
            let filter = AuditFilter {
                actor: "Y.EX".into(),
                since: Some(1),
                until: Some(3),
                ..AuditFilter::default()
            };
            assert_eq!(subjects(&audit::list(c, &filter, None, 10)?), ["s2", "s1"]);
            let nobody = AuditFilter {
                actor: "z@".into(),
                ..AuditFilter::default()
            };
            assert!(audit::list(c, &nobody, None, 10)?.is_empty());
            assert!(audit::list(c, &by("login_", None), None, 10)?.is_empty());
            Ok(())
        })
        .expect("write");
}
