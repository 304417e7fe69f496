//! The service catalog.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::tickets::ServiceType;

const COLUMNS: &str = "id, name, description, sort_order, active, fields";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(ServiceType, String)> {
    Ok((
        ServiceType {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            sort_order: r.get(3)?,
            active: r.get(4)?,
            fields: Vec::new(),
        },
        r.get(5)?,
    ))
}

fn with_fields((mut st, json): (ServiceType, String)) -> Result<ServiceType> {
    st.fields = serde_json::from_str(&json)?;
    Ok(st)
}

/// The catalog in the order "new ticket" shows it: by sort order, then
/// name, with "Other" last.
pub fn list(conn: &Connection, include_inactive: bool) -> Result<Vec<ServiceType>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM service_types WHERE active OR ?1
         ORDER BY name = 'Other' COLLATE NOCASE, sort_order, name COLLATE NOCASE, id"
    ))?;
    let rows = stmt
        .query_map([include_inactive], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(with_fields).collect()
}

/// The id of the active service type called `name` (any case): the type
/// of tickets opened without a form, by mail or by chat
/// (`--default-service-type`).
pub fn active_id_by_name(conn: &Connection, name: &str) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM service_types WHERE active AND name = ?1 COLLATE NOCASE")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            StoreError::FailedPrecondition(format!(
                "the catalog has no active service type {name:?} (--default-service-type)"
            ))
        })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ServiceType>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM service_types WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()?
    .map(with_fields)
    .transpose()
}

/// Creates (`id` 0) or replaces a service type; the caller has validated it.
pub fn save(conn: &Connection, st: &ServiceType) -> Result<ServiceType> {
    let name = st.name.trim();
    let taken: Option<i64> = conn
        .prepare_cached("SELECT id FROM service_types WHERE name = ?1 AND id != ?2")?
        .query_row(params![name, st.id], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(StoreError::invalid(
            "name",
            "another service type has that name",
        ));
    }
    let fields = serde_json::to_string(&st.fields)?;
    let id = if st.id == 0 {
        conn.prepare_cached(
            "INSERT INTO service_types (name, description, sort_order, active, fields)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            name,
            st.description.trim(),
            st.sort_order,
            st.active,
            fields
        ])?;
        conn.last_insert_rowid()
    } else {
        let n = conn
            .prepare_cached(
                "UPDATE service_types SET name = ?2, description = ?3, sort_order = ?4,
                 active = ?5, fields = ?6 WHERE id = ?1",
            )?
            .execute(params![
                st.id,
                name,
                st.description.trim(),
                st.sort_order,
                st.active,
                fields
            ])?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        st.id
    };
    get(conn, id)?.ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::{FieldDef, FieldKind};
    use crate::store::testing::temp_conn;

    fn st(name: &str, sort_order: i32, active: bool) -> ServiceType {
        ServiceType {
            id: 0,
            name: name.into(),
            description: String::new(),
            sort_order,
            active,
            fields: vec![],
        }
    }

    #[test]
    fn catalog_orders_other_last_and_hides_inactive() {
        let (_dir, conn) = temp_conn();
        save(&conn, &st("Other", 0, true)).unwrap();
        save(&conn, &st("printer", 2, true)).unwrap();
        save(&conn, &st("E-mail", 2, true)).unwrap();
        save(&conn, &st("Network", 1, true)).unwrap();
        save(&conn, &st("Retired", 0, false)).unwrap();
        let names = |v: Vec<ServiceType>| v.into_iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(
            names(list(&conn, false).unwrap()),
            ["Hardware", "Network", "E-mail", "printer", "Other"]
        );
        assert_eq!(list(&conn, true).unwrap().len(), 6);
    }

    #[test]
    fn save_round_trips_fields_and_refuses_duplicate_names() {
        let (_dir, conn) = temp_conn();
        let mut a = st("Printer", 1, true);
        a.fields.push(FieldDef {
            key: "model".into(),
            label: "Model".into(),
            kind: FieldKind::Choice,
            required: true,
            choices: vec!["A".into(), "B".into()],
        });
        let saved = save(&conn, &a).unwrap();
        assert_eq!(get(&conn, saved.id).unwrap().unwrap().fields, a.fields);
        let err = save(&conn, &st("printer", 1, true)).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { ref field, .. } if field == "name"));
        let mut renamed = saved.clone();
        renamed.name = "Printers".into();
        assert_eq!(save(&conn, &renamed).unwrap().name, "Printers");
        renamed.id = 999;
        renamed.name = "Scanners".into();
        assert!(matches!(save(&conn, &renamed), Err(StoreError::NotFound)));
    }
}
