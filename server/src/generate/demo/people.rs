//! The provider's staff and the client companies with their sites and
//! contacts, from `data/demo.toml`; what the history generator draws on.

use rand::Rng;
use rand::rngs::StdRng;
use rusqlite::Connection;
use serde_json::json;

use super::clock::{DAY, HOUR};
use super::spec::{self, DemoSpec};
use crate::domain::SubjectKind;
use crate::generate::rows::{self, CompanyRow, ContactRow, StaffRow};
use crate::store::{Result, credentials};

pub struct StaffRef {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub active: bool,
}

pub struct ContactRef {
    pub id: i64,
    pub first: String,
    pub name: String,
    pub email: String,
    pub access: String,
    pub active: bool,
    pub site: Option<usize>,
}

impl ContactRef {
    pub fn can_sign_in(&self) -> bool {
        self.active && self.access != "none"
    }
}

pub struct CompanyRef {
    pub id: i64,
    pub name: String,
    pub require_po: bool,
    pub tickets: usize,
    pub sites: Vec<(i64, String)>,
    pub contacts: Vec<ContactRef>,
    pub default_subscribers: Vec<i64>,
    /// Contacts of other companies related to this one.
    pub related: Vec<i64>,
}

pub struct People {
    pub staff: Vec<StaffRef>,
    pub companies: Vec<CompanyRef>,
}

impl People {
    pub fn staff_by_role(&self, role: &str) -> Option<usize> {
        self.staff.iter().position(|s| s.role == role && s.active)
    }
}

/// When the demo's people and companies joined: three years ago.
fn joined(now: i64) -> i64 {
    now - 3 * 365 * DAY
}

/// Inserts staff, companies, sites and contacts with their credentials.
pub fn insert(
    conn: &Connection,
    spec: &DemoSpec,
    rng: &mut StdRng,
    password_hash: &str,
    now: i64,
) -> Result<People> {
    let since = joined(now);
    let staff = spec
        .staff
        .iter()
        .map(|s| insert_staff(conn, s, password_hash, since))
        .collect::<Result<Vec<_>>>()?;
    let mut companies = Vec::new();
    for c in &spec.companies {
        companies.push(insert_company(conn, c, rng, password_hash, now)?);
    }
    for (ci, c) in spec.companies.iter().enumerate() {
        for (pi, p) in c.contacts.iter().enumerate() {
            for other in &p.related {
                if let Some(oi) = companies.iter().position(|x| &x.name == other) {
                    let contact = companies[ci].contacts[pi].id;
                    rows::relate_contact(conn, contact, companies[oi].id)?;
                    companies[oi].related.push(contact);
                }
            }
        }
    }
    Ok(People { staff, companies })
}

fn insert_staff(
    conn: &Connection,
    s: &spec::Staff,
    password_hash: &str,
    since: i64,
) -> Result<StaffRef> {
    let id = rows::insert_staff(
        conn,
        &StaffRow {
            email: &s.email,
            first_name: &s.first,
            last_name: &s.last,
            role: &s.role,
            active: s.active,
            created_at: since,
        },
    )?;
    credentials::set_password(conn, SubjectKind::Staff, id, password_hash, false, since)?;
    Ok(StaffRef {
        id,
        name: format!("{} {}", s.first, s.last),
        role: s.role.clone(),
        active: s.active,
    })
}

/// A company with its sites, contacts and default subscribers.
fn insert_company(
    conn: &Connection,
    c: &spec::Company,
    rng: &mut StdRng,
    password_hash: &str,
    now: i64,
) -> Result<CompanyRef> {
    let since = joined(now);
    let id = rows::insert_company(
        conn,
        &CompanyRow {
            name: &c.name,
            phone: &c.phone,
            address: &c.address.json(),
            payment_terms_days: c.payment_terms_days,
            require_po: c.require_po,
            users_see_all: c.users_see_all,
            created_at: since,
        },
    )?;
    let sites = c
        .sites
        .iter()
        .map(|s| {
            Ok((
                rows::insert_site(conn, id, &s.name, &s.address.json())?,
                s.name.clone(),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut contacts = Vec::new();
    for p in &c.contacts {
        let contact_id = insert_contact(conn, id, p, rng, password_hash, now)?;
        contacts.push(ContactRef {
            id: contact_id,
            first: p.first.clone(),
            name: format!("{} {}", p.first, p.last),
            email: p.email.clone(),
            access: p.access.clone(),
            active: p.active,
            site: p
                .site
                .as_ref()
                .and_then(|n| c.sites.iter().position(|s| &s.name == n)),
        });
    }
    let default_subscribers = c
        .default_subscribers
        .iter()
        .filter_map(|e| contacts.iter().find(|p| &p.email == e).map(|p| p.id))
        .collect::<Vec<_>>();
    for &contact in &default_subscribers {
        rows::add_default_subscriber(conn, id, contact)?;
    }
    Ok(CompanyRef {
        id,
        name: c.name.clone(),
        require_po: c.require_po,
        tickets: c.tickets,
        sites,
        contacts,
        default_subscribers,
        related: Vec::new(),
    })
}

/// A contact, with a password when it has portal access.
fn insert_contact(
    conn: &Connection,
    company_id: i64,
    p: &spec::Contact,
    rng: &mut StdRng,
    password_hash: &str,
    now: i64,
) -> Result<i64> {
    let since = joined(now);
    let phones: Vec<_> = p
        .phones
        .iter()
        .map(|(kind, number, ext)| json!({"kind": kind, "number": number, "extension": ext}))
        .collect();
    let elevated = p.access == "manager" || p.access == "admin";
    let notifications = json!({
        "ticket_created": true,
        "staff_reply": true,
        "status_changed": elevated,
        "ticket_completed": true,
        "invoices": elevated,
    });
    let signs_in = p.active && p.access != "none";
    let contact_id = rows::insert_contact(
        conn,
        &ContactRow {
            company_id,
            email: &p.email,
            first_name: &p.first,
            last_name: &p.last,
            title: &p.title,
            home_email: &p.home_email,
            private_email: "",
            phones: &serde_json::Value::Array(phones).to_string(),
            use_company_address: true,
            address: "{}",
            notifications: &notifications.to_string(),
            access: &p.access,
            active: p.active,
            created_at: since,
            last_login_at: signs_in.then(|| now - rng.gen_range(HOUR..20 * DAY)),
        },
    )?;
    if p.access != "none" {
        credentials::set_password(
            conn,
            SubjectKind::Contact,
            contact_id,
            password_hash,
            false,
            since,
        )?;
    }
    Ok(contact_id)
}
