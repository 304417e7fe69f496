//! A company's account team: the provider's account manager, primary
//! technician and after-hours line for it (docs/KNOWLEDGE.md).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::knowledge::{AccountTeam, TeamMember};

/// The staff member `id` names, if any.
fn member(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<TeamMember>> {
    let Some(staff_id) = r.get::<_, Option<i64>>(at)? else {
        return Ok(None);
    };
    Ok(Some(TeamMember {
        staff_id,
        name: r.get(at + 1)?,
        email: r.get(at + 2)?,
    }))
}

/// The team of `company_id` (empty parts when never set); `NotFound` for
/// a company that does not exist.
pub fn get(conn: &Connection, company_id: i64) -> Result<AccountTeam> {
    conn.prepare_cached(
        "SELECT co.id, co.name,
            m.id, m.first_name || ' ' || m.last_name, m.email,
            t.id, t.first_name || ' ' || t.last_name, t.email,
            coalesce(at.after_hours_phone, ''), at.updated_at, coalesce(at.updated_by, '')
         FROM companies co
         LEFT JOIN account_teams at ON at.company_id = co.id
         LEFT JOIN staff m ON m.id = at.account_manager_id
         LEFT JOIN staff t ON t.id = at.technician_id
         WHERE co.id = ?1",
    )?
    .query_row([company_id], |r| {
        Ok(AccountTeam {
            company_id: r.get(0)?,
            company_name: r.get(1)?,
            account_manager: member(r, 2)?,
            technician: member(r, 5)?,
            after_hours_phone: r.get(8)?,
            updated_at: r.get(9)?,
            updated_by: r.get(10)?,
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound)
}

/// Checks that `id` names an active staff member; the error names `field`.
fn active_staff(conn: &Connection, id: Option<i64>, field: &str) -> Result<()> {
    if let Some(id) = id {
        let active = conn
            .prepare_cached("SELECT 1 FROM staff WHERE id = ?1 AND active = 1")?
            .exists([id])?;
        if !active {
            return Err(StoreError::invalid(field, "no such active staff member"));
        }
    }
    Ok(())
}

/// Who is on a team: the account manager, the primary technician (staff
/// ids, `None` for nobody) and the after-hours phone ("" for none).
pub struct TeamChoice {
    pub account_manager_id: Option<i64>,
    pub technician_id: Option<i64>,
    pub after_hours_phone: String,
}

/// Sets the team of `company_id`, which must exist.
pub fn set(
    conn: &Connection,
    company_id: i64,
    team: &TeamChoice,
    (now, by): (i64, &str),
) -> Result<()> {
    get(conn, company_id)?;
    active_staff(conn, team.account_manager_id, "account_manager_staff_id")?;
    active_staff(conn, team.technician_id, "technician_staff_id")?;
    conn.prepare_cached(
        "INSERT INTO account_teams (company_id, account_manager_id, technician_id,
            after_hours_phone, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (company_id) DO UPDATE SET account_manager_id = excluded.account_manager_id,
            technician_id = excluded.technician_id,
            after_hours_phone = excluded.after_hours_phone,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )?
    .execute(params![
        company_id,
        team.account_manager_id,
        team.technician_id,
        team.after_hours_phone,
        now,
        by
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{COMPANY_A, COMPANY_B, DINA, OLD_TECH, TOM, temp_conn};

    fn choice(manager: Option<i64>, tech: Option<i64>) -> TeamChoice {
        TeamChoice {
            account_manager_id: manager,
            technician_id: tech,
            after_hours_phone: "+1 555 0100".into(),
        }
    }

    #[test]
    fn a_team_is_empty_until_set_and_each_company_has_its_own() {
        let (_dir, conn) = temp_conn();
        let empty = get(&conn, COMPANY_A).unwrap();
        assert_eq!((empty.account_manager, empty.updated_at), (None, None));
        assert_eq!(empty.company_name, "Alpha");
        set(
            &conn,
            COMPANY_A,
            &choice(Some(DINA), Some(TOM)),
            (5, "admin@p"),
        )
        .unwrap();
        let team = get(&conn, COMPANY_A).unwrap();
        assert_eq!(team.account_manager.unwrap().name, "Dina Disp");
        assert_eq!(team.technician.unwrap().email, "tom@p.example");
        assert_eq!(
            (team.updated_at, team.after_hours_phone.as_str()),
            (Some(5), "+1 555 0100")
        );
        assert_eq!(get(&conn, COMPANY_B).unwrap().technician, None);
        set(&conn, COMPANY_A, &choice(None, Some(TOM)), (6, "admin@p")).unwrap();
        assert_eq!(get(&conn, COMPANY_A).unwrap().account_manager, None);
    }

    #[test]
    fn unknown_companies_and_inactive_staff_are_refused() {
        let (_dir, conn) = temp_conn();
        assert!(matches!(get(&conn, 99), Err(StoreError::NotFound)));
        assert!(matches!(
            set(&conn, 99, &choice(None, None), (1, "a")),
            Err(StoreError::NotFound)
        ));
        let Err(StoreError::Invalid { field, .. }) =
            set(&conn, COMPANY_A, &choice(None, Some(OLD_TECH)), (1, "a"))
        else {
            panic!("an inactive technician was accepted");
        };
        assert_eq!(field, "technician_staff_id");
        assert_eq!(get(&conn, COMPANY_A).unwrap().updated_at, None);
    }
}
