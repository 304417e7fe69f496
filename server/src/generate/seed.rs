//! A new store: provider settings, SLA defaults and the service catalog from
//! `data/`, and the first provider Admin.

pub mod files;

use anyhow::{Context, bail};
use rand::Rng;
use rand::seq::SliceRandom;
use rusqlite::Connection;

use crate::domain::SubjectKind;
use crate::generate::rows::{self, ProviderRow, StaffRow};
use crate::security::password;
use crate::store::{self, Store, credentials, now_ms};
use files::{Catalog, SlaFile};

/// Creates the provider and its first Admin; returns the Admin's temporary password.
pub fn init(store: &Store, provider: &str, admin_email: &str) -> anyhow::Result<String> {
    let provider = provider.trim().to_owned();
    if provider.is_empty() || provider.chars().count() > 100 {
        bail!("--provider: 1 to 100 characters");
    }
    let email = admin_email.trim().to_owned();
    if !plausible_email(&email) {
        bail!("--admin-email: not an e-mail address: {admin_email}");
    }
    let (catalog, sla) = (Catalog::embedded()?, SlaFile::embedded()?);
    let temporary = temporary_password();
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
    catalog
        .services
        .iter()
        .zip(1..)
        .map(|(s, order)| {
            rows::insert_service_type(conn, &s.name, &s.description, order, &s.fields_json())
        })
        .collect()
}

fn plausible_email(s: &str) -> bool {
    s.len() <= 254
        && !s.contains(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// A random 16-character password that meets the policy: upper and lower
/// case, a digit, a special character, and no character three times in a row.
pub fn temporary_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"!#%+-=?@_";
    let mut rng = rand::rngs::OsRng;
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SPECIAL].concat();
    loop {
        let mut chars: Vec<u8> = [UPPER, LOWER, DIGIT, SPECIAL]
            .iter()
            .map(|set| set[rng.gen_range(0..set.len())])
            .collect();
        chars.extend((0..12).map(|_| all[rng.gen_range(0..all.len())]));
        chars.shuffle(&mut rng);
        if !chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
            return chars.into_iter().map(char::from).collect();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    pub(crate) fn meets_policy(p: &str) -> bool {
        p.chars().count() >= 12
            && p.chars().any(|c| c.is_ascii_uppercase())
            && p.chars().any(|c| c.is_ascii_lowercase())
            && p.chars().any(|c| c.is_ascii_digit())
            && p.chars().any(|c| !c.is_alphanumeric())
            && !p
                .as_bytes()
                .windows(3)
                .any(|w| w[0] == w[1] && w[1] == w[2])
    }

    #[test]
    fn temporary_passwords_meet_the_policy_and_differ() {
        let a = temporary_password();
        assert!(meets_policy(&a), "{a}");
        for _ in 0..200 {
            assert!(meets_policy(&temporary_password()));
        }
        assert_ne!(a, temporary_password());
    }

    #[test]
    fn init_creates_provider_catalog_sla_and_an_admin_who_must_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), &StoreOptions::default()).unwrap();
        let pw = init(&store, "Acme IT", "Boss@Acme.example").unwrap();
        assert!(meets_policy(&pw));
        let (name, rate, role, must, hash, types, slas) = store
            .read_inline(|c| {
                Ok(c.query_row(
                    "SELECT p.name, p.labour_rate_cents, s.role, cr.must_change, cr.password_hash,
                        (SELECT COUNT(*) FROM service_types), (SELECT COUNT(*) FROM sla_targets)
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
        assert_eq!((types, slas), (9, 5));

        let again = init(&store, "Acme IT", "other@acme.example").unwrap_err();
        assert!(format!("{again:#}").contains("already has a provider"));
        assert!(init(&store, "Acme IT", "not-an-email").is_err());
    }
}
