//! The billing settings: labour rate, tax rate, the low-hours warning share
//! (provider Admins change them), the currency, the provider's name and
//! time zone.

use rusqlite::{Connection, params};

use super::{Result, StoreError};
use crate::domain::money::BillingSettings;

pub fn get(conn: &Connection) -> Result<BillingSettings> {
    let (rate, tax, low, currency, zone, provider_name) = conn
        .prepare_cached(
            "SELECT labour_rate_cents, tax_rate_basis_points, low_hours_percent, currency,
                time_zone, name
             FROM provider_settings WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            e => e.into(),
        })?;
    Ok(BillingSettings {
        labour_rate_cents: rate,
        tax_rate_basis_points: tax,
        low_hours_percent: low,
        currency,
        provider_name,
        // The seed refuses unknown zones; UTC only covers a store edited by hand.
        zone: zone.parse().unwrap_or(chrono_tz::Tz::UTC),
    })
}

pub fn update(conn: &Connection, labour_rate_cents: i64, tax: u32, low_hours: u32) -> Result<()> {
    conn.prepare_cached(
        "UPDATE provider_settings SET labour_rate_cents = ?1, tax_rate_basis_points = ?2,
            low_hours_percent = ?3 WHERE id = 1",
    )?
    .execute(params![labour_rate_cents, tax, low_hours])?;
    Ok(())
}
