//! The demo data set (`data/demo.toml` plus generated history) and an
//! embedded demo server for `portal --demo`.

mod clock;
mod files;
mod history;
mod knowledge;
pub(crate) mod money;
mod people;
mod ratings;
mod server;
mod spec;
mod work;

use anyhow::Context as _;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rusqlite::Connection;

pub use server::{DemoServer, serve_demo};

use crate::domain::{AuditAction, RequestKind, SubjectKind};
use crate::generate::rows;
use crate::generate::seed::{self, files::Catalog, files::SlaFile};
use crate::security::password;
use crate::store::audit::{self, AuditEvent};
use crate::store::{self, Store, credentials, now_ms, requests};
use clock::{DAY, HOUR, MINUTE};
use people::People;
use spec::DemoSpec;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Portal-Demo-2026!";

/// The generator's fixed seed: the same data set every time.
const SEED: u64 = 2026;

/// The demo account for a role: `user`, `manager`, `admin` (Harbor Dental
/// Group's contacts), `technician`, `dispatcher`, `provider-admin` (Keystone
/// staff).
pub fn demo_email(role: &str) -> Option<&'static str> {
    Some(match role {
        "user" => "uma@harbor.example",
        "manager" => "mark@harbor.example",
        "admin" => "alice@harbor.example",
        "technician" => "tom@keystone.example",
        "dispatcher" => "dina@keystone.example",
        "provider-admin" => "paula@keystone.example",
        _ => return None,
    })
}

/// Fills a new store with the demo data set, its history ending now.
pub fn load(store: &Store) -> anyhow::Result<()> {
    load_at(store, now_ms())
}

fn load_at(store: &Store, now: i64) -> anyhow::Result<()> {
    let spec = DemoSpec::embedded()?;
    let catalog = Catalog::embedded()?;
    let sla = SlaFile::embedded()?;
    // One hash for every account: argon2 is slow on purpose.
    let hash = password::hash(DEMO_PASSWORD);
    store
        .write_blocking(move |conn| {
            if rows::has_provider(conn)? {
                return Err(store::StoreError::FailedPrecondition(
                    "the store already has a provider".into(),
                ));
            }
            fill(conn, &spec, &catalog, &sla, &hash, now)
        })
        .context("cannot load the demo data set")
}

fn fill(
    conn: &Connection,
    spec: &DemoSpec,
    catalog: &Catalog,
    sla: &SlaFile,
    hash: &str,
    now: i64,
) -> store::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let type_ids = seed::base(conn, &spec.provider.name, catalog, sla)?;
    let year = clock::date(now)[..4].parse::<i32>().unwrap_or(2026);
    for y in year - 2..=year + 1 {
        for (day, name) in &spec.provider.holidays {
            rows::put_holiday(conn, &format!("{y}-{day}"), name)?;
        }
    }
    let people = people::insert(conn, spec, &mut rng, hash, now)?;
    let services: Vec<_> = type_ids.into_iter().zip(catalog.services.iter()).collect();
    history::insert(
        conn,
        &history::Context {
            spec,
            people: &people,
            services: &services,
            sla,
            now,
        },
        &mut rng,
    )?;
    // The clock of every ticket as the server would have counted it, its
    // waits on the client paused.
    let settings = store::sla::settings(conn)?;
    let numbers: Vec<i64> = conn
        .prepare("SELECT id FROM tickets ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for n in numbers {
        store::sla::replay(conn, n, now, &settings)?;
    }
    ratings::insert(conn, &spec.lines, now)?;
    work::insert(conn, &people, now)?;
    knowledge::insert(conn, spec, &people, now)?;
    requests_and_audit(conn, &people, now)?;
    last_updates(conn, &people, now)?;
    money::insert(conn, &people, &mut rng, now)
}

/// My Account's "last updated" for the people the audit entries change,
/// and Alice's own edit.
fn last_updates(conn: &Connection, people: &People, now: i64) -> store::Result<()> {
    let id = |email: &str| {
        people
            .companies
            .iter()
            .flat_map(|c| &c.contacts)
            .find(|p| p.email == email)
            .map(|p| p.id)
    };
    for (ago, who, by) in [
        (300 * DAY, "mark@harbor.example", "Paula Esterhazy"),
        (95 * DAY, "greta@harbor.example", "Alice Marchetti"),
        (20 * DAY, "alice@harbor.example", "Alice Marchetti"),
    ] {
        if let Some(id) = id(who) {
            credentials::touched(conn, SubjectKind::Contact, id, by, now - ago)?;
        }
    }
    Ok(())
}

/// Pending password-reset and access requests, and a few weeks of audit log.
fn requests_and_audit(conn: &Connection, people: &People, now: i64) -> store::Result<()> {
    let contact = |email: &str| {
        people.companies.iter().find_map(|c| {
            c.contacts
                .iter()
                .find(|p| p.email == email)
                .map(|p| (c.id, p.id, p.email.as_str()))
        })
    };
    let pending = [
        (
            RequestKind::PasswordReset,
            "priya@harbor.example",
            "",
            3 * HOUR,
        ),
        (
            RequestKind::Access,
            "walt@harbor.example",
            "I'd like to follow the billing tickets I phone in.",
            DAY + 2 * HOUR,
        ),
        (
            RequestKind::PasswordReset,
            "tess@copperleaf.example",
            "",
            2 * DAY,
        ),
    ];
    for (kind, email, message, ago) in pending {
        if let Some((company, id, _)) = contact(email) {
            requests::open(conn, kind, company, id, message, now - ago)?;
        }
    }

    let audit = |ago: i64, actor: &str, action: AuditAction, subject: &str, detail: &str| {
        let company = contact(subject).or_else(|| contact(actor)).map(|c| c.0);
        audit::record(
            conn,
            now - ago,
            &AuditEvent {
                actor: actor.to_owned(),
                action,
                subject: subject.to_owned(),
                company_id: company,
                detail: detail.to_owned(),
            },
        )
    };
    audit(
        400 * DAY,
        "alice@harbor.example",
        AuditAction::UserAdded,
        "greta@harbor.example",
        "access user",
    )?;
    audit(
        300 * DAY,
        "paula@keystone.example",
        AuditAction::RoleChange,
        "mark@harbor.example",
        "user -> manager",
    )?;
    audit(
        95 * DAY,
        "alice@harbor.example",
        AuditAction::UserDisabled,
        "greta@harbor.example",
        "",
    )?;
    audit(
        40 * DAY,
        "cole@copperleaf.example",
        AuditAction::PasswordReset,
        "omar@copperleaf.example",
        "temporary password issued",
    )?;
    audit(
        12 * DAY,
        "una@alderfinch.example",
        AuditAction::PasswordChange,
        "una@alderfinch.example",
        "",
    )?;
    for (ago, who) in [
        (6 * DAY, "alice@harbor.example"),
        (5 * DAY, "ava@alderfinch.example"),
        (3 * DAY, "cole@copperleaf.example"),
        (2 * DAY, "mark@harbor.example"),
        (DAY, "tom@keystone.example"),
        (5 * HOUR, "dina@keystone.example"),
    ] {
        audit(ago, who, AuditAction::LoginOk, who, "")?;
    }
    for ago in [26 * HOUR, 26 * HOUR - 2 * MINUTE] {
        audit(
            ago,
            "uma@harbor.example",
            AuditAction::LoginFailed,
            "uma@harbor.example",
            "wrong password",
        )?;
    }
    audit(
        26 * HOUR - 4 * MINUTE,
        "uma@harbor.example",
        AuditAction::LoginOk,
        "uma@harbor.example",
        "",
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests;
