//! Large synthetic stores for benchmarks (`portal-server gen`).
//!
//! What is in one: the catalog and SLA from `data/`; staff
//! `bench-admin@provider.example` (Admin), `dispatch1..2@provider.example`
//! and `tech1..30@provider.example`; companies 1..N, each with 1 to 3 sites
//! and contacts `u{k}@c{n}.example` (k = 1 is the company's Admin, 2 its
//! Manager, the rest Users); tickets from #1001 over three years (`days`)
//! ending now, about two public posts each plus internal notes and status
//! changes; and money at the same scale: agreements, logged time, billing
//! runs and payments (`money`). Every account's password is the demo
//! password.
//!
//! How tickets spread, as at a managed service provider (docs/BENCHMARKS.md
//! says why):
//! - client sizes fall off as a power of their rank (Zipf, exponent 0.8):
//!   with 1,000 companies the largest raises 6.5 % of all tickets, the
//!   tenth 1 %, the smallest 0.04 %;
//! - a ticket's working life depends on its priority (hours to a week),
//!   and 15 % also wait one to eight weeks on the client or a visit, 4 %
//!   run one to six months; a ticket is open until its life ends, so about
//!   1 % of a three-year store is open (twelve days of intake), and the
//!   largest clients have hundreds of open tickets each;
//! - a Completed ticket is signed off or closes itself within 7 days.
//!
//! Rows go in on a private bulk connection (see
//! `generate::rows::bulk_connection` for why durability is off there) in
//! transactions of `BATCH` tickets, about 50,000 rows with posts and index
//! entries. The search index is merged at the end unless `merge_search` is
//! off (a live store's index is never merged in one piece).

mod money;
mod words;

use std::time::Instant;

use anyhow::{Context, ensure};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde_json::json;

use crate::domain::SubjectKind;
use crate::domain::TicketStatus::{
    self, Cancelled, Closed, Completed, InProgress, New, NoActionRequired, Scheduled,
    WaitingOnClient,
};
use crate::generate::demo::DEMO_PASSWORD;
use crate::generate::rows::{self, CompanyRow, ContactRow, StaffRow, TicketRow, TimelineRow};
use crate::generate::seed::{self, files::Catalog, files::SlaFile};
use crate::security::password;
use crate::store::{self, Store, credentials, now_ms};
use words::Vocabulary;

pub struct GenSpec {
    pub companies: u32,
    pub contacts_per_company: u32,
    pub tickets: u64,
    /// The days of history the tickets spread over, ending now.
    pub days: u32,
    /// Merge the full-text index into one segment at the end.
    pub merge_search: bool,
}

/// Tickets per transaction.
const BATCH: u64 = 10_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const TECHNICIANS: usize = 30;
/// Client sizes fall off as rank to this power.
const SIZE_EXPONENT: f64 = 0.8;
/// A Completed ticket closes itself after this long (`auto_close_days`).
const AUTO_CLOSE: i64 = 7 * DAY;
const VOCABULARY: usize = 4000;

struct Company {
    id: i64,
    require_po: bool,
    sites: Vec<i64>,
    /// Ids and names.
    contacts: Vec<(i64, String)>,
}

/// What the ticket generator needs between batches.
struct State {
    rng: StdRng,
    vocabulary: Vocabulary,
    companies: Vec<Company>,
    /// Running sums of the companies' weights, for drawing one.
    company_weights: Vec<f64>,
    /// Staff ids and names: technicians first, then dispatchers.
    techs: Vec<(i64, String)>,
    service_types: Vec<i64>,
    next_ticket: i64,
    done: u64,
    total: u64,
    start: i64,
    span: i64,
    now: i64,
}

/// Creates the synthetic store described in the module docs, printing
/// progress to stderr.
pub fn generate(store: &Store, spec: &GenSpec) -> anyhow::Result<()> {
    generate_in_batches(store, spec, BATCH)
}

fn generate_in_batches(store: &Store, spec: &GenSpec, batch: u64) -> anyhow::Result<()> {
    ensure!(spec.companies >= 1, "--companies: at least 1");
    ensure!(spec.contacts_per_company >= 1, "--contacts: at least 1");
    ensure!(spec.days >= 1, "--days: at least 1");
    let began = Instant::now();
    let catalog = Catalog::embedded()?;
    let sla = SlaFile::embedded()?;
    let hash = password::hash(DEMO_PASSWORD);
    let conn = rows::bulk_connection(store.path())?;
    let mut state = rows::in_transaction(&conn, |conn| {
        if rows::has_provider(conn)? {
            return Err(store::StoreError::FailedPrecondition(
                "the store already has a provider".into(),
            ));
        }
        people(
            conn,
            &catalog,
            &sla,
            &hash,
            spec.companies,
            spec.contacts_per_company,
            (now_ms(), i64::from(spec.days) * DAY),
        )
    })
    .context("cannot create the companies")?;
    eprintln!(
        "gen: {} companies, {} contacts ({:.1} s)",
        spec.companies,
        u64::from(spec.companies) * u64::from(spec.contacts_per_company),
        began.elapsed().as_secs_f64()
    );
    state.total = spec.tickets;
    while state.done < state.total {
        let n = batch.min(state.total - state.done);
        rows::in_transaction(&conn, |conn| {
            for _ in 0..n {
                ticket(conn, &mut state)?;
            }
            Ok(())
        })
        .context("cannot write tickets")?;
        state.done += n;
        eprintln!(
            "gen: {}/{} tickets ({:.1} s)",
            state.done,
            state.total,
            began.elapsed().as_secs_f64()
        );
    }
    let made = rows::in_transaction(&conn, |conn| money::insert(conn, &mut state))
        .context("cannot write the money")?;
    eprintln!(
        "gen: {} agreements, {} time entries, {} invoices, {} payments ({:.1} s)",
        made.agreements,
        made.time_entries,
        made.invoices,
        made.payments,
        began.elapsed().as_secs_f64()
    );
    if spec.merge_search {
        rows::optimize_search(&conn).context("cannot merge the search index")?;
        eprintln!(
            "gen: search index merged ({:.1} s)",
            began.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn people(
    conn: &Connection,
    catalog: &Catalog,
    sla: &SlaFile,
    hash: &str,
    companies: u32,
    contacts_per: u32,
    (now, span): (i64, i64),
) -> store::Result<State> {
    let mut rng = StdRng::seed_from_u64(7);
    let vocabulary = Vocabulary::new(VOCABULARY, &mut rng);
    let service_types = seed::base(conn, "Synthetic MSP", catalog, sla)?;
    let start = now - span;

    let mut techs = Vec::new();
    let staff = std::iter::once(("bench-admin@provider.example".to_owned(), "admin"))
        .chain((1..=2).map(|i| (format!("dispatch{i}@provider.example"), "dispatcher")))
        .chain((1..=TECHNICIANS).map(|i| (format!("tech{i}@provider.example"), "technician")));
    for (email, role) in staff {
        let first = capitalised(&vocabulary, &mut rng);
        let last = capitalised(&vocabulary, &mut rng);
        let id = rows::insert_staff(
            conn,
            &StaffRow {
                email: &email,
                first_name: &first,
                last_name: &last,
                role,
                active: true,
                created_at: start,
            },
        )?;
        credentials::set_password(conn, SubjectKind::Staff, id, hash, false, start)?;
        if role == "technician" {
            techs.push((id, format!("{first} {last}")));
        }
    }

    let mut companies_made = Vec::with_capacity(companies as usize);
    for n in 1..=companies {
        let name = format!(
            "{} {} {} {n}",
            capitalised(&vocabulary, &mut rng),
            capitalised(&vocabulary, &mut rng),
            ["Ltd", "Inc", "Group", "Partners", "Co"][rng.gen_range(0..5)]
        );
        let address = json!({"line1": format!("{} {} Street", rng.gen_range(1..999), capitalised(&vocabulary, &mut rng)),
            "line2": "", "city": capitalised(&vocabulary, &mut rng), "region": "", "postal_code": format!("{:05}", rng.gen_range(10_000..99_999)), "country": "US"})
        .to_string();
        let require_po = rng.gen_bool(0.2);
        let id = rows::insert_company(
            conn,
            &CompanyRow {
                name: &name,
                phone: &format!("+1 555 01{:02}", n % 100),
                address: &address,
                payment_terms_days: [0, 0, 15, 30][rng.gen_range(0..4)],
                require_po,
                users_see_all: rng.gen_bool(0.3),
                created_at: start,
            },
        )?;
        let sites = (1..=rng.gen_range(1..=3))
            .map(|s| rows::insert_site(conn, id, &format!("Site {s}"), &address))
            .collect::<store::Result<Vec<_>>>()?;
        let mut contacts = Vec::with_capacity(contacts_per as usize);
        for k in 1..=contacts_per {
            let access = match k {
                1 => "admin",
                2 => "manager",
                _ => "user",
            };
            let email = format!("u{k}@c{n}.example");
            let first = capitalised(&vocabulary, &mut rng);
            let last = capitalised(&vocabulary, &mut rng);
            let contact = rows::insert_contact(
                conn,
                &ContactRow {
                    company_id: id,
                    email: &email,
                    first_name: &first,
                    last_name: &last,
                    title: "",
                    home_email: "",
                    private_email: "",
                    phones: "[]",
                    use_company_address: true,
                    address: "{}",
                    notifications: "{}",
                    access,
                    active: true,
                    created_at: start,
                    last_login_at: None,
                },
            )?;
            credentials::set_password(conn, SubjectKind::Contact, contact, hash, false, start)?;
            contacts.push((contact, format!("{first} {last}")));
        }
        companies_made.push(Company {
            id,
            require_po,
            sites,
            contacts,
        });
    }
    let company_weights = (1..=companies)
        .scan(0.0, |sum, rank| {
            *sum += f64::from(rank).powf(-SIZE_EXPONENT);
            Some(*sum)
        })
        .collect();
    Ok(State {
        rng,
        vocabulary,
        companies: companies_made,
        company_weights,
        techs,
        service_types,
        next_ticket: 1001,
        done: 0,
        total: 0,
        start,
        span,
        now,
    })
}

fn capitalised(v: &Vocabulary, rng: &mut StdRng) -> String {
    let mut out = String::new();
    // Three words in: a name from the rarer end of the vocabulary.
    let w = loop {
        let w = v.word(rng);
        if w.len() > 3 {
            break w;
        }
    };
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
    out
}

struct Event {
    kind: i64,
    author: (&'static str, i64),
    body: String,
    from: &'static str,
    to: &'static str,
}

fn ticket(conn: &Connection, s: &mut State) -> store::Result<()> {
    let id = s.next_ticket;
    s.next_ticket += 1;
    let rng = &mut s.rng;
    // Evenly through time, in number order; the newest ends near now.
    let created = s.start
        + ((id - 1001) as f64 / s.total as f64 * s.span as f64) as i64
        + rng.gen_range(0..MINUTE);
    let created = created.min(s.now - MINUTE);
    let age = s.now - created;
    // Big clients and small ones: companies drawn by weight.
    let heaviest = s.company_weights.last().copied().unwrap_or(0.0);
    let draw = rng.r#gen::<f64>() * heaviest;
    let company = &s.companies[s
        .company_weights
        .partition_point(|&w| w <= draw)
        .min(s.companies.len() - 1)];
    let (contact, contact_name) = &company.contacts[rng.gen_range(0..company.contacts.len())];
    let contact = *contact;
    let site = company.sites[rng.gen_range(0..company.sites.len())];
    let service_type = s.service_types[rng.gen_range(0..s.service_types.len())];
    let (tech_id, tech_name) = &s.techs[rng.gen_range(0..s.techs.len())];

    let priority = [1, 2, 3, 3, 3, 3, 4, 4, 5][rng.gen_range(0..9)];
    let (life, status) = life_and_status(rng, priority, age);

    let mut title = String::with_capacity(64);
    let title_words = rng.gen_range(4..=8);
    s.vocabulary.sentence(rng, title_words, &mut title);
    let words = rng.gen_range(15..=40);
    let mut description = s.vocabulary.text(rng, words);
    s.vocabulary.identifiers(rng, &mut description);

    // The timeline: times spread over the ticket's working life so far.
    let life = life.min(age * 9 / 10).max(MINUTE);
    let events = timeline(
        rng,
        &s.vocabulary,
        status,
        ("staff", *tech_id),
        ("contact", contact),
    );
    let n = events.len() as i64;
    let times: Vec<i64> = (1..=n).map(|i| created + life * i / n).collect();
    let status_time = |to: TicketStatus| {
        events
            .iter()
            .zip(&times)
            .rfind(|(e, _)| e.kind == 4 && e.to == to.label())
            .map(|(_, &t)| t)
    };
    let responded_at = (status != New).then(|| times[0]);
    let completed_at = status_time(Completed);
    let closed_at = if status.group() == crate::domain::StatusGroup::Closed {
        status_time(status)
    } else {
        None
    };
    let po = if company.require_po {
        format!("PO-{}", rng.gen_range(10_000..99_999))
    } else {
        String::new()
    };

    rows::insert_ticket(
        conn,
        &TicketRow {
            id,
            company_id: company.id,
            site_id: Some(site),
            contact_id: contact,
            service_type_id: service_type,
            title: &title,
            description: &description,
            fields: "[]",
            priority,
            status: status as i64,
            emergency: priority == 1 && rng.gen_bool(0.3),
            due_date: None,
            po_number: &po,
            assigned_staff_id: (status != New || rng.gen_bool(0.5)).then_some(*tech_id),
            created_at: created,
            updated_at: times.last().copied().unwrap_or(created),
            responded_at,
            completed_at,
            closed_at,
            response_due_at: Some(created + 60 * MINUTE),
            resolution_due_at: Some(
                created + [240, 480, 1620, 2700, 10_080][priority as usize - 1] * MINUTE,
            ),
        },
    )?;
    insert_timeline(conn, id, &events, &times, (tech_name, contact_name))
}

/// A ticket's status by its age: recent ones in every open status, older
/// ones mostly closed.
/// A ticket's working life (creation to completion) and, `age` after its
/// creation, its status: open until its life ends, then Completed until it
/// is signed off or closes itself, then closed for good.
fn life_and_status(rng: &mut StdRng, priority: i64, age: i64) -> (i64, TicketStatus) {
    let work = match priority {
        1 => rng.gen_range(60..240),
        2 => rng.gen_range(120..960),
        _ => rng.gen_range(240..7 * 24 * 60),
    } * MINUTE;
    let r: f64 = rng.r#gen();
    // Some wait on the client or a scheduled visit; a few are projects.
    let (waits, life) = if r < 0.04 {
        (true, work + rng.gen_range(30..180) * DAY)
    } else if r < 0.19 {
        (true, work + rng.gen_range(7..56) * DAY)
    } else {
        (false, work)
    };
    let answered_after = rng.gen_range(5..120) * MINUTE;
    let status = if age < answered_after {
        New
    } else if age < life {
        match (waits, rng.gen_range(0..3)) {
            (true, 0) => Scheduled,
            (true, _) => WaitingOnClient,
            (false, _) => InProgress,
        }
    } else if age - life < AUTO_CLOSE && rng.gen_bool(0.6) {
        Completed
    } else {
        let r: f64 = rng.r#gen();
        if r < 0.88 {
            Closed
        } else if r < 0.95 {
            Cancelled
        } else {
            NoActionRequired
        }
    };
    (life, status)
}

/// The events that bring a ticket to `status`: posts, perhaps a client
/// answer and an internal note, and the status changes.
fn timeline(
    rng: &mut StdRng,
    vocabulary: &Vocabulary,
    status: TicketStatus,
    staff: (&'static str, i64),
    client: (&'static str, i64),
) -> Vec<Event> {
    let post = |kind, author, body| Event {
        kind,
        author,
        body,
        from: "",
        to: "",
    };
    let change = |author, from: TicketStatus, to: TicketStatus| Event {
        kind: 4,
        author,
        body: String::new(),
        from: from.label(),
        to: to.label(),
    };
    let mut events = Vec::with_capacity(6);
    if status == New {
        events.push(post(1, client, vocabulary.post(rng)));
        return events;
    }
    events.push(post(1, staff, vocabulary.post(rng)));
    events.push(change(staff, New, InProgress));
    if rng.gen_bool(0.15) {
        events.push(post(1, client, vocabulary.post(rng)));
    }
    if rng.gen_bool(0.3) {
        events.push(post(3, staff, vocabulary.post(rng)));
    }
    match status {
        WaitingOnClient | Scheduled => events.push(change(staff, InProgress, status)),
        Cancelled | NoActionRequired => events.push(change(client, InProgress, status)),
        Completed | Closed => {
            events.push(post(2, staff, vocabulary.post(rng)));
            events.push(change(staff, InProgress, Completed));
            if status == Closed {
                events.push(change(client, Completed, Closed));
            }
        }
        _ => {}
    }
    events
}

/// The events at their times, authored by the ticket's technician or
/// requester (`names`).
fn insert_timeline(
    conn: &Connection,
    id: i64,
    events: &[Event],
    times: &[i64],
    (tech_name, contact_name): (&str, &str),
) -> store::Result<()> {
    for (e, &at) in events.iter().zip(times) {
        let (author_kind, author_id) = e.author;
        let author_name = if author_kind == "staff" {
            tech_name
        } else {
            contact_name
        };
        rows::insert_timeline(
            conn,
            &TimelineRow {
                ticket_id: id,
                kind: e.kind,
                at,
                author_kind,
                author_id: Some(author_id),
                author_name,
                body: &e.body,
                from_value: e.from,
                to_value: e.to,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests;
