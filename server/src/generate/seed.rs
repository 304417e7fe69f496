//! A new store: provider settings, SLA defaults and the service catalog from
//! `data/`, and the first provider Admin.

pub mod files;

use anyhow::{Context, anyhow, bail};
use rusqlite::Connection;

use crate::domain::SubjectKind;
use crate::domain::input::{is_email, single_line};
use crate::generate::rows::{self, ProviderRow, StaffRow};
use crate::security::{password, password_policy};
use crate::store::{self, Store, credentials, now_ms};
use files::{Catalog, SlaFile};

/// Creates the provider and its first Admin; returns the Admin's temporary password.
pub fn init(store: &Store, provider: &str, admin_email: &str) -> anyhow::Result<String> {
    let provider = single_line("--provider", provider, 100, true)
        .map_err(|e| anyhow!("{}: {}", e.field, e.message))?;
    let email = admin_email.trim().to_owned();
    if !is_email(&email) {
        bail!("--admin-email: not an e-mail address: {admin_email}");
    }
    let (catalog, sla) = (Catalog::embedded()?, SlaFile::embedded()?);
    let temporary = password_policy::temporary();
    let hash = password::hash(&temporary);
    store
        .write_blocking(move |conn| {
            if rows::has_provider(conn)? {
                return Err(store::StoreError::FailedPrecondition(
                    "the store already has a provider".into(),
                ));
            }
            base(conn, &provider, &catalog, &sla)?;
            let now = now_ms();
            let id = rows::insert_staff(
                conn,
                &StaffRow {
                    email: &email,
                    first_name: "Provider",
                    last_name: "Admin",
                    role: "admin",
                    active: true,
                    created_at: now,
                },
            )?;
            credentials::set_password(conn, SubjectKind::Staff, id, &hash, true, now)
        })
        .context("cannot initialise the store")?;
    Ok(temporary)
}

/// Provider settings, SLA targets and the catalog; the part of a store every
/// provider starts with (also used by the demo and synthetic stores).
pub(crate) fn base(
    conn: &Connection,
    provider: &str,
    catalog: &Catalog,
    sla: &SlaFile,
) -> store::Result<Vec<i64>> {
    let p = &sla.provider;
    rows::put_provider(
        conn,
        &ProviderRow {
            name: provider,
            time_zone: &p.time_zone,
            business_days: &p.business_days_digits(),
            business_start_minute: p.start_minute(),
            business_end_minute: p.end_minute(),
            labour_rate_cents: p.labour_rate_cents,
            payment_terms_days: p.payment_terms_days,
            currency: &p.currency,
            auto_close_days: p.auto_close_days,
        },
    )?;
    for t in &sla.targets {
        rows::put_sla_target(
            conn,
            t.priority,
            &t.name,
            t.response_minutes,
            t.resolution_minutes,
            &t.clock,
        )?;
    }
    let work_types =
        files::WorkTypes::embedded().map_err(|e| store::StoreError::Corrupt(format!("{e:#}")))?;
    for name in &work_types.work_types {
        store::work_types::create(conn, name.trim())?;
    }
    catalog
        .services
        .iter()
        .zip(1..)
        .map(|(s, order)| {
            rows::insert_service_type(conn, &s.name, &s.description, order, &s.fields_json())
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    #[test]
    fn init_creates_provider_catalog_sla_and_an_admin_who_must_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), &StoreOptions::default()).unwrap();
        let pw = init(&store, "Acme IT", "Boss@Acme.example").unwrap();
        assert!(password_policy::check(&pw, None).is_empty(), "{pw}");
        let (name, rate, role, must, hash, types, slas, work_types) = store
            .read_inline(|c| {
                Ok(c.query_row(
                    "SELECT p.name, p.labour_rate_cents, s.role, cr.must_change, cr.password_hash,
                        (SELECT COUNT(*) FROM service_types), (SELECT COUNT(*) FROM sla_targets),
                        (SELECT COUNT(*) FROM work_types)
                     FROM provider_settings p, staff s
                     JOIN credentials cr ON cr.kind = 'staff' AND cr.subject_id = s.id
                     WHERE s.email = 'boss@acme.example'",
                    [],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, bool>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, i64>(7)?,
                        ))
                    },
                )?)
            })
            .unwrap();
        assert_eq!(
            (name.as_str(), rate, role.as_str(), must),
            ("Acme IT", 15000, "admin", true)
        );
        assert!(password::verify(&pw, &hash));
        assert_eq!((types, slas, work_types), (9, 5, 6));

        let again = init(&store, "Acme IT", "other@acme.example").unwrap_err();
        assert!(format!("{again:#}").contains("already has a provider"));
        assert!(init(&store, "Acme IT", "not-an-email").is_err());
    }
}
