//! The demo's knowledge articles and account teams (`data/demo.toml`).

use rusqlite::Connection;

use super::clock::DAY;
use super::people::People;
use super::spec::DemoSpec;
use crate::domain::knowledge::ArticleText;
use crate::store::account_team::{self, TeamChoice};
use crate::store::{Result, StoreError, knowledge};

/// The staff member of `email`: id and name.
fn staff(spec: &DemoSpec, people: &People, email: &str) -> Result<(i64, String)> {
    spec.staff
        .iter()
        .position(|s| s.email == email)
        .and_then(|i| people.staff.get(i))
        .map(|s| (s.id, s.name.clone()))
        .ok_or_else(|| StoreError::Corrupt(format!("data/demo.toml: no staff {email}")))
}

fn company(people: &People, name: &str) -> Result<i64> {
    people
        .companies
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.id)
        .ok_or_else(|| StoreError::Corrupt(format!("data/demo.toml: no company {name}")))
}

pub fn insert(conn: &Connection, spec: &DemoSpec, people: &People, now: i64) -> Result<()> {
    for a in &spec.articles {
        let (author, name) = staff(spec, people, &a.author)?;
        let text = ArticleText {
            title: a.title.clone(),
            body: a.body.trim().to_owned(),
            company_id: a
                .company
                .as_deref()
                .map(|c| company(people, c))
                .transpose()?,
        };
        knowledge::create(conn, &text, (author, &name), now - a.days_ago * DAY)?;
    }
    // Set by the provider's Admin.
    let set_by = people
        .staff_by_role("admin")
        .and_then(|i| people.staff.get(i))
        .map_or_else(String::new, |s| s.name.clone());
    for t in &spec.teams {
        let choice = TeamChoice {
            account_manager_id: Some(staff(spec, people, &t.manager)?.0),
            technician_id: Some(staff(spec, people, &t.technician)?.0),
            after_hours_phone: t.after_hours.clone(),
        };
        account_team::set(
            conn,
            company(people, &t.company)?,
            &choice,
            (now - 60 * DAY, &set_by),
        )?;
    }
    Ok(())
}
