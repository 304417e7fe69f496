//! Eighteen months of ticket history ending now, generated from the problem
//! templates with a seeded RNG. Every decision (company, status, priority,
//! template, events) depends only on the RNG, never on the wall clock, so the
//! data set has the same shape whenever it is loaded; only times move.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde_json::json;

use super::clock::{self, DAY, HOUR, MINUTE};
use super::files::{self, File};
use super::people::{CompanyRef, ContactRef, People};
use super::spec::{DemoSpec, Lines, Problem};
use crate::domain::TicketStatus::{
    self, Cancelled, Closed, Completed, InProgress, New, NoActionRequired, Scheduled,
    WaitingOnClient,
};
use crate::domain::tickets::{FieldDef, FieldKind};
use crate::generate::rows::{self, AttachmentRow, TicketRow, TimelineRow};
use crate::generate::seed::files::{ServiceDef, SlaFile};
use crate::store::Result;

/// How far back the history goes.
const SPAN: i64 = 548 * DAY;
/// The first ticket number.
pub const FIRST_TICKET: i64 = 1001;

const NEW_HIRES: [&str; 8] = [
    "Jonah Thistlewood",
    "Marisol Ekberg",
    "Dev Anand-Cole",
    "Ingrid Paske",
    "Tobias Wren",
    "Lena Marchbank",
    "Caleb Osei-Lind",
    "Rosa Feldhaus",
];

pub struct Context<'a> {
    pub spec: &'a DemoSpec,
    pub people: &'a People,
    pub services: &'a [(i64, &'a ServiceDef)],
    pub sla: &'a SlaFile,
    pub now: i64,
}

struct Plan {
    company: usize,
    /// Seeds the ticket's own RNG, so its story does not depend on where
    /// the wall clock puts it in the numbering.
    seed: u64,
    nominal_age: i64,
    created: i64,
}

#[derive(Clone, Copy)]
enum Author {
    Contact(i64),
    Staff(usize),
    System,
}

struct Event {
    /// Minutes after the previous event, before fitting into the ticket's span.
    gap: f64,
    /// Stretched when the ticket's span is longer than the natural gaps.
    stretch: bool,
    kind: i64,
    author: Author,
    body: String,
    from: String,
    to: String,
}

/// Inserts every ticket with its timeline, tasks, subscribers and attachments.
pub fn insert(conn: &Connection, ctx: &Context, rng: &mut StdRng) -> Result<()> {
    let mut plans = Vec::new();
    for (company, c) in ctx.people.companies.iter().enumerate() {
        for _ in 0..c.tickets {
            // More tickets lately than long ago, as a growing client base
            // has, and a busy last three weeks so every open status shows.
            let window = pick(rng, &[(DAY, 0.03), (21 * DAY, 0.10), (SPAN, 0.87)]);
            let u: f64 = rng.r#gen();
            let nominal_age = (u.powf(1.5) * window as f64) as i64 + 5 * MINUTE;
            plans.push(Plan {
                company,
                seed: rng.r#gen(),
                nominal_age,
                created: clock::business_time(ctx.now - nominal_age),
            });
        }
    }
    // "This month" always has tickets, even on the first of the month.
    plans.sort_by_key(|p| p.nominal_age);
    let month = clock::month_start(ctx.now);
    for (rank, p) in plans.iter_mut().take(3).enumerate() {
        if p.created < month {
            p.created = month + (ctx.now - month) / (2 << rank);
        }
    }
    plans.sort_by_key(|p| (p.created, p.company));

    let mut guides = 0;
    for (number, plan) in (FIRST_TICKET..).zip(&plans) {
        let mut rng = StdRng::seed_from_u64(plan.seed);
        ticket(conn, ctx, &mut rng, number, plan, &mut guides)?;
    }
    Ok(())
}

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, f64)]) -> T {
    let total: f64 = weighted.iter().map(|w| w.1).sum();
    let mut r = rng.r#gen::<f64>() * total;
    for &(value, weight) in weighted {
        if r < weight {
            return value;
        }
        r -= weight;
    }
    weighted[weighted.len() - 1].0
}

fn status_for_age(rng: &mut StdRng, age: i64) -> TicketStatus {
    let table: &[(TicketStatus, f64)] = if age < DAY {
        &[
            (New, 0.40),
            (InProgress, 0.30),
            (WaitingOnClient, 0.10),
            (Scheduled, 0.05),
            (Completed, 0.05),
            (Cancelled, 0.05),
            (NoActionRequired, 0.05),
        ]
    } else if age < 7 * DAY {
        &[
            (New, 0.08),
            (InProgress, 0.20),
            (WaitingOnClient, 0.18),
            (Scheduled, 0.10),
            (Completed, 0.30),
            (Closed, 0.05),
            (Cancelled, 0.05),
            (NoActionRequired, 0.05),
        ]
    } else if age < 21 * DAY {
        &[
            (InProgress, 0.06),
            (WaitingOnClient, 0.08),
            (Scheduled, 0.06),
            (Completed, 0.15),
            (Closed, 0.55),
            (Cancelled, 0.05),
            (NoActionRequired, 0.05),
        ]
    } else {
        &[(Closed, 0.86), (Cancelled, 0.08), (NoActionRequired, 0.06)]
    };
    pick(rng, table)
}

fn fill(text: &str, site: &str, colleague: &str) -> String {
    text.replace("{site}", site)
        .replace("{colleague}", colleague)
}

fn one<'a>(rng: &mut StdRng, lines: &'a [String]) -> &'a str {
    lines.choose(rng).map_or("", String::as_str)
}

/// Who and what one ticket is about, drawn before its story.
struct Cast<'a> {
    number: i64,
    created: i64,
    company: &'a CompanyRef,
    problem: &'a Problem,
    service_id: i64,
    service: &'a ServiceDef,
    status: TicketStatus,
    requester: &'a ContactRef,
    colleague: &'a str,
    site_id: i64,
    site_name: &'a str,
    /// The priority after the dispatcher's triage.
    priority: i64,
    /// The priority the ticket was raised with.
    first_priority: i64,
    emergency: bool,
    title: String,
    description: String,
    tech: usize,
    assigned: Option<usize>,
    dispatcher: usize,
}

impl Cast<'_> {
    fn fill(&self, text: &str) -> String {
        fill(text, self.site_name, self.colleague)
    }
}

/// The events of one ticket in order, with natural gaps in minutes, and
/// the status they have reached.
struct Story {
    events: Vec<Event>,
    current: TicketStatus,
}

impl Story {
    fn event(&mut self, gap: f64, kind: i64, author: Author, body: &str, from: &str, to: &str) {
        // Everything after the first status change stretches to fill the
        // ticket's span; triage and the first response keep their pace.
        let stretch = self.events.iter().any(|e| e.kind == 4);
        self.events.push(Event {
            gap,
            stretch,
            kind,
            author,
            body: body.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }

    fn post(&mut self, gap: f64, kind: i64, author: Author, body: &str) {
        self.event(gap, kind, author, body, "", "");
    }

    fn status_to(&mut self, to: TicketStatus, gap: f64, author: Author) {
        self.event(gap, 4, author, "", self.current.label(), to.label());
        self.current = to;
    }

    /// The technician's first answer, which starts the work.
    fn respond(&mut self, rng: &mut StdRng, cast: &Cast, lines: &Lines) {
        let gap = if cast.priority == 1 {
            rng.gen_range(5.0..30.0)
        } else {
            rng.gen_range(10.0..55.0)
        };
        let staff = Author::Staff(cast.tech);
        self.post(gap, 1, staff, one(rng, &lines.first_response));
        self.status_to(InProgress, 0.5, staff);
    }
}

/// When a ticket's milestones fell, as its timeline shows.
struct Milestones {
    responded: Option<i64>,
    completed: Option<i64>,
    closed: Option<i64>,
    updated: i64,
}

fn ticket(
    conn: &Connection,
    ctx: &Context,
    rng: &mut StdRng,
    number: i64,
    plan: &Plan,
    guides: &mut u32,
) -> Result<()> {
    let cast = cast(ctx, rng, plan, number)?;
    let mut story = Story {
        events: Vec::new(),
        current: New,
    };
    triage(&mut story, rng, ctx.people, &cast);
    match cast.status {
        New => story_of_new(&mut story, rng, &cast, &ctx.spec.lines),
        Cancelled | NoActionRequired => {
            story_ended_early(&mut story, rng, &cast, &ctx.spec.lines);
        }
        _ => story_worked(&mut story, rng, &cast, &ctx.spec.lines),
    }
    let times = timing(&mut story, rng, ctx, &cast, plan.nominal_age);
    debug_assert_eq!(story.current, cast.status);
    let when = milestones(&story.events, &times, &cast);

    insert_row(conn, ctx, rng, &cast, &when)?;
    insert_timeline(conn, ctx.people, &cast, &story.events, &times)?;
    subscribers(conn, rng, cast.company, cast.requester.id, number)?;
    insert_tasks(conn, rng, ctx.people, &cast, &when)?;
    insert_attachments(conn, rng, ctx.people, &cast, &when, guides)
}

/// Draws the ticket's company people, problem, status and priority.
fn cast<'a>(ctx: &Context<'a>, rng: &mut StdRng, plan: &Plan, number: i64) -> Result<Cast<'a>> {
    let people = ctx.people;
    let company = &people.companies[plan.company];
    let age = plan.nominal_age;

    let problem: &Problem = &ctx.spec.problems[rng.gen_range(0..ctx.spec.problems.len())];
    let (service_id, service) = ctx
        .services
        .iter()
        .find(|(_, s)| s.name == problem.service)
        .or_else(|| ctx.services.last())
        .copied()
        .ok_or_else(|| crate::store::StoreError::invalid("catalog", "is empty"))?;
    let status = status_for_age(rng, age);

    // The requester: someone who can sign in, now and then a contact without
    // portal access (phoned in) or, long ago, one who has since left.
    let candidates: Vec<usize> = company
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.can_sign_in() || (!p.active && age > 200 * DAY))
        .map(|(i, _)| i)
        .collect();
    let phoned: Vec<usize> = company
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.active && p.access == "none")
        .map(|(i, _)| i)
        .collect();
    let by_phone = rng.gen_bool(0.08);
    let requester_idx = if by_phone && !phoned.is_empty() {
        phoned[rng.gen_range(0..phoned.len())]
    } else {
        candidates[rng.gen_range(0..candidates.len())]
    };
    let requester = &company.contacts[requester_idx];
    let colleague = company
        .contacts
        .iter()
        .filter(|p| p.id != requester.id)
        .nth(rng.gen_range(0..company.contacts.len().saturating_sub(1).max(1)))
        .map_or("a colleague", |p| p.first.as_str());
    let site_idx = requester
        .site
        .filter(|_| rng.gen_bool(0.8))
        .unwrap_or_else(|| rng.gen_range(0..company.sites.len()));
    let (site_id, site_name) = &company.sites[site_idx];

    let priority = problem
        .priority
        .filter(|_| rng.gen_bool(0.75))
        .unwrap_or_else(|| {
            pick(
                rng,
                &[(1, 0.03), (2, 0.12), (3, 0.55), (4, 0.22), (5, 0.08)],
            )
        });
    let emergency = priority == 1 && rng.gen_bool(0.5);
    let title = fill(
        &problem.titles[rng.gen_range(0..problem.titles.len())],
        site_name,
        colleague,
    );
    let description = fill(&problem.description, site_name, colleague);

    let techs: Vec<usize> = (0..people.staff.len())
        .filter(|&i| {
            people.staff[i].role == "technician" && (people.staff[i].active || age > 365 * DAY)
        })
        .collect();
    let tech = techs[rng.gen_range(0..techs.len())];
    let assigned = (status != New || rng.gen_bool(0.5)).then_some(tech);
    let dispatcher = people.staff_by_role("dispatcher").unwrap_or(tech);

    // The dispatcher's triage.
    let (mut first_priority, mut triaged) = (priority, priority);
    if emergency && rng.gen_bool(0.4) {
        triaged = 2; // reviewed: urgent, but not business-down
    } else if (3..=4).contains(&priority) && rng.gen_bool(0.1) {
        first_priority = priority + 1;
    }
    Ok(Cast {
        number,
        created: plan.created,
        company,
        problem,
        service_id,
        service,
        status,
        requester,
        colleague,
        site_id: *site_id,
        site_name,
        priority: triaged,
        first_priority,
        emergency,
        title,
        description,
        tech,
        assigned,
        dispatcher,
    })
}

/// The dispatcher's priority change and assignment, if any.
fn triage(story: &mut Story, rng: &mut StdRng, people: &People, cast: &Cast) {
    let dispatcher = Author::Staff(cast.dispatcher);
    if cast.first_priority != cast.priority {
        let gap = rng.gen_range(5.0..25.0);
        let (from, to) = (
            format!("P{}", cast.first_priority),
            format!("P{}", cast.priority),
        );
        story.event(gap, 5, dispatcher, "", &from, &to);
    }
    if let Some(a) = cast.assigned {
        let gap = rng.gen_range(3.0..40.0);
        story.event(gap, 6, dispatcher, "", "", &people.staff[a].name);
    }
}

/// A new ticket: perhaps a word more from the requester.
fn story_of_new(story: &mut Story, rng: &mut StdRng, cast: &Cast, lines: &Lines) {
    if rng.gen_bool(0.3) {
        let gap = rng.gen_range(30.0..120.0);
        let reply = cast.fill(one(rng, &lines.client_reply));
        story.post(gap, 1, Author::Contact(cast.requester.id), &reply);
    }
}

/// Cancelled or needing no action: the requester says why.
fn story_ended_early(story: &mut Story, rng: &mut StdRng, cast: &Cast, lines: &Lines) {
    if rng.gen_bool(0.5) {
        story.respond(rng, cast, lines);
    }
    let why = if cast.status == Cancelled {
        &lines.cancel
    } else {
        &lines.no_action
    };
    let me = Author::Contact(cast.requester.id);
    let gap = rng.gen_range(30.0..600.0);
    story.post(gap, 1, me, one(rng, why));
    story.status_to(cast.status, 0.5, me);
}

/// Worked on: answered, perhaps a question to the requester, notes, and
/// then scheduled, still in progress, or resolved.
fn story_worked(story: &mut Story, rng: &mut StdRng, cast: &Cast, lines: &Lines) {
    let (me, staff) = (Author::Contact(cast.requester.id), Author::Staff(cast.tech));
    let problem = cast.problem;
    story.respond(rng, cast, lines);
    let asks = cast.status == WaitingOnClient || rng.gen_bool(0.45);
    if asks {
        let question = problem
            .ask
            .as_deref()
            .unwrap_or_else(|| one(rng, &lines.waiting));
        let gap = rng.gen_range(20.0..120.0);
        story.post(gap, 1, staff, &cast.fill(question));
        story.status_to(WaitingOnClient, 0.5, staff);
    }
    if cast.status == WaitingOnClient {
        return;
    }
    if asks {
        let answer = problem
            .answer
            .as_deref()
            .unwrap_or_else(|| one(rng, &lines.client_reply));
        let gap = rng.gen_range(30.0..300.0);
        story.post(gap, 1, me, &cast.fill(answer));
        let gap = rng.gen_range(5.0..60.0);
        story.status_to(InProgress, gap, staff);
    }
    if let Some(note) = problem.note.as_deref().filter(|_| rng.gen_bool(0.8)) {
        let gap = rng.gen_range(10.0..90.0);
        story.post(gap, 3, staff, note);
    } else if rng.gen_bool(0.3) {
        let gap = rng.gen_range(10.0..90.0);
        story.post(gap, 3, staff, one(rng, &lines.internal));
    }
    match cast.status {
        Scheduled => {
            let gap = rng.gen_range(20.0..200.0);
            story.post(gap, 1, staff, one(rng, &lines.scheduled));
            story.status_to(Scheduled, 0.5, staff);
        }
        InProgress => {
            if rng.gen_bool(0.3) {
                let gap = rng.gen_range(60.0..600.0);
                let reply = cast.fill(one(rng, &lines.client_reply));
                story.post(gap, 1, me, &reply);
            }
        }
        _ => story_resolved(story, rng, cast),
    }
}

/// Completed or Closed: resolved, perhaps reopened once.
fn story_resolved(story: &mut Story, rng: &mut StdRng, cast: &Cast) {
    let (me, staff) = (Author::Contact(cast.requester.id), Author::Staff(cast.tech));
    let gap = rng.gen_range(30.0..600.0);
    story.post(gap, 2, staff, &cast.fill(&cast.problem.resolution));
    story.status_to(Completed, 0.5, staff);
    if cast.status == Closed && rng.gen_bool(0.06) {
        let gap = rng.gen_range(60.0..900.0);
        story.post(
            gap,
            1,
            me,
            "This is still happening for me, so I'm reopening it.",
        );
        story.status_to(InProgress, 0.5, me);
        let gap = rng.gen_range(30.0..300.0);
        story.post(
            gap,
            1,
            staff,
            "Sorry about that. I found a second cause and have fixed it too; please check again.",
        );
        let gap = rng.gen_range(5.0..60.0);
        story.post(
            gap,
            2,
            staff,
            "Fixed the remaining cause and confirmed with the user.",
        );
        story.status_to(Completed, 0.5, staff);
    }
}

/// When each event happened: the story is fitted between creation and an
/// end that suits its status and priority, then a Closed ticket is signed
/// off by the requester or closed by the system.
fn timing(story: &mut Story, rng: &mut StdRng, ctx: &Context, cast: &Cast, age: i64) -> Vec<i64> {
    let (now, created, status) = (ctx.now, cast.created, cast.status);
    let natural = match cast.priority {
        1 => rng.gen_range(60..240),
        2 => rng.gen_range(120..600),
        3 => rng.gen_range(240..4320),
        4 => rng.gen_range(600..8640),
        _ => rng.gen_range(4320..28800),
    } * MINUTE;
    let auto_close = status == Closed && age >= 10 * DAY && rng.gen_bool(0.4);
    let signs_off = status == Closed && !auto_close;
    let thanks = signs_off && rng.gen_bool(0.6);
    let completion_fraction: f64 = rng.r#gen();
    let room = (now - created).max(2 * MINUTE);
    let end = match status {
        Completed => {
            let earliest = created.max(now - 6 * DAY);
            earliest
                + ((now - 10 * MINUTE - earliest).max(MINUTE) as f64 * completion_fraction) as i64
        }
        Closed if auto_close => (created + natural).min(now - 7 * DAY - HOUR),
        Closed | Cancelled | NoActionRequired => (created + natural).min(now - 5 * MINUTE),
        _ => created + natural.min(room * 4 / 5),
    }
    .max(created + MINUTE);
    let mut times = fit(&story.events, created, end);

    let me = Author::Contact(cast.requester.id);
    if signs_off {
        let at = end
            + rng
                .gen_range(HOUR..2 * DAY)
                .min((now - end) / 2)
                .max(MINUTE);
        if thanks {
            story.post(0.0, 1, me, one(rng, &ctx.spec.lines.closing_thanks));
            times.push(at);
        }
        story.status_to(Closed, 0.0, me);
        times.push(at);
    } else if auto_close {
        story.status_to(Closed, 0.0, Author::System);
        times.push(end + 7 * DAY);
    }
    times
}

/// Times that follow from the timeline.
fn milestones(events: &[Event], times: &[i64], cast: &Cast) -> Milestones {
    let status = cast.status;
    let staff_public = |e: &Event| matches!(e.author, Author::Staff(_)) && matches!(e.kind, 1 | 2);
    let to_in_progress = |e: &Event| e.kind == 4 && e.to == InProgress.label();
    let responded_at = events
        .iter()
        .zip(times)
        .find(|(e, _)| staff_public(e) || to_in_progress(e))
        .map(|(_, &t)| t);
    let last_status = |to: TicketStatus| {
        events
            .iter()
            .zip(times)
            .filter(|(e, _)| e.kind == 4 && e.to == to.label())
            .map(|(_, &t)| t)
            .next_back()
    };
    let completed_at = matches!(status, Completed | Closed)
        .then(|| last_status(Completed))
        .flatten();
    let closed_at = match status {
        Closed | Cancelled | NoActionRequired => last_status(status),
        _ => None,
    };
    Milestones {
        responded: responded_at,
        completed: completed_at,
        closed: closed_at,
        updated: times.last().copied().unwrap_or(cast.created),
    }
}

/// The ticket's own row, with its form's field values, due dates and PO.
fn insert_row(
    conn: &Connection,
    ctx: &Context,
    rng: &mut StdRng,
    cast: &Cast,
    when: &Milestones,
) -> Result<()> {
    let (number, created) = (cast.number, cast.created);
    let target = ctx.sla.target(cast.priority);
    let due = |minutes: Option<i64>| {
        let t = target?;
        clock::add_on_clock(created, minutes?, &t.clock)
    };
    let fields = field_values(
        rng,
        cast.service,
        cast.requester,
        cast.site_name,
        created,
        number,
    );
    let due_date = fields
        .iter()
        .find(|(k, _)| k == "start_date")
        .map(|(_, v)| v.clone())
        .or_else(|| {
            rng.gen_bool(0.12)
                .then(|| clock::date(created + rng.gen_range(3..15) * DAY))
        });
    let po = if cast.company.require_po || rng.gen_bool(0.04) {
        format!("PO-{}", rng.gen_range(20_000..40_000))
    } else {
        String::new()
    };
    let fields_json = serde_json::Value::Array(
        fields
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
    .to_string();
    rows::insert_ticket(
        conn,
        &TicketRow {
            id: number,
            company_id: cast.company.id,
            site_id: Some(cast.site_id),
            contact_id: cast.requester.id,
            service_type_id: cast.service_id,
            title: &cast.title,
            description: &cast.description,
            fields: &fields_json,
            priority: cast.priority,
            status: cast.status as i64,
            emergency: cast.emergency,
            due_date: due_date.as_deref(),
            po_number: &po,
            assigned_staff_id: cast.assigned.map(|a| ctx.people.staff[a].id),
            created_at: created,
            updated_at: when.updated,
            responded_at: when.responded,
            completed_at: when.completed,
            closed_at: when.closed,
            response_due_at: due(target.and_then(|t| t.response_minutes)),
            resolution_due_at: due(target.and_then(|t| t.resolution_minutes)),
        },
    )
}

fn insert_timeline(
    conn: &Connection,
    people: &People,
    cast: &Cast,
    events: &[Event],
    times: &[i64],
) -> Result<()> {
    for (e, &at) in events.iter().zip(times) {
        let (author_kind, author_id, author_name) = match e.author {
            Author::Contact(id) => {
                let name = cast
                    .company
                    .contacts
                    .iter()
                    .find(|p| p.id == id)
                    .map_or("", |p| p.name.as_str());
                ("contact", Some(id), name)
            }
            Author::Staff(i) => (
                "staff",
                Some(people.staff[i].id),
                people.staff[i].name.as_str(),
            ),
            Author::System => ("system", None, "Portal"),
        };
        rows::insert_timeline(
            conn,
            &TimelineRow {
                ticket_id: cast.number,
                kind: e.kind,
                at,
                author_kind,
                author_id,
                author_name,
                body: &e.body,
                from_value: &e.from,
                to_value: &e.to,
            },
        )?;
    }
    Ok(())
}

/// Tasks: created when work starts, checked off as it goes.
fn insert_tasks(
    conn: &Connection,
    rng: &mut StdRng,
    people: &People,
    cast: &Cast,
    when: &Milestones,
) -> Result<()> {
    let started = when.responded.unwrap_or(cast.created);
    let finished = when.completed.unwrap_or(when.updated);
    let tasks: Vec<&str> = if cast.problem.tasks.is_empty() {
        if cast.status != New && rng.gen_bool(0.1) {
            vec!["Confirm the fix with the requester"]
        } else {
            Vec::new()
        }
    } else {
        cast.problem.tasks.iter().map(String::as_str).collect()
    };
    let done_count = match cast.status {
        Completed | Closed => tasks.len(),
        InProgress | WaitingOnClient | Scheduled => tasks.len() / 2,
        _ => 0,
    };
    let tech_name = people.staff[cast.tech].name.as_str();
    for (i, task) in tasks.iter().enumerate() {
        let done_at = started + (finished - started) * (i as i64 + 1) / (tasks.len() as i64 + 1);
        let done = (i < done_count).then_some((tech_name, done_at));
        rows::insert_task(conn, cast.number, &cast.fill(task), done, started)?;
    }
    Ok(())
}

/// Attachments: a client's screenshot, log or list; the remote-access
/// guide on network tickets (the same bytes each time, stored once).
fn insert_attachments(
    conn: &Connection,
    rng: &mut StdRng,
    people: &People,
    cast: &Cast,
    when: &Milestones,
    guides: &mut u32,
) -> Result<()> {
    let (requester, number, created) = (cast.requester, cast.number, cast.created);
    if rng.gen_bool(0.14) {
        let host = format!(
            "{}-{:03}",
            initials(&cast.company.name),
            rng.gen_range(1..200)
        );
        let file = files::client_file(rng, number, &host);
        attach(
            conn,
            number,
            &file,
            "contact",
            requester.id,
            &requester.name,
            created + MINUTE / 2,
        )?;
    }
    let wants_guide = rng.gen_bool(0.3);
    if cast.service.name == "Network/Internet" && cast.status != New && (wants_guide || *guides < 2)
    {
        *guides += 1;
        let staff = &people.staff[cast.tech];
        attach(
            conn,
            number,
            &files::remote_access_guide(),
            "staff",
            staff.id,
            &staff.name,
            when.responded.unwrap_or(created),
        )?;
    }
    Ok(())
}

/// Spreads the events' gaps over `created..=end`: the early ones (triage,
/// first response) keep their natural pace when there is room, the rest
/// stretch or shrink to fill it.
fn fit(events: &[Event], created: i64, end: i64) -> Vec<i64> {
    let span = (end - created) as f64 / MINUTE as f64;
    let fixed: f64 = events.iter().filter(|e| !e.stretch).map(|e| e.gap).sum();
    let stretchy: f64 = events.iter().filter(|e| e.stretch).map(|e| e.gap).sum();
    let (fixed_scale, stretch_scale) = if fixed + stretchy <= 0.0 {
        (0.0, 0.0)
    } else if fixed < span && stretchy > 0.0 {
        (1.0, (span - fixed) / stretchy)
    } else {
        let s = span / (fixed + stretchy);
        (s, s)
    };
    let mut t = 0.0;
    events
        .iter()
        .map(|e| {
            t += e.gap
                * if e.stretch {
                    stretch_scale
                } else {
                    fixed_scale
                };
            created + (t * MINUTE as f64) as i64
        })
        .collect()
}

fn subscribers(
    conn: &Connection,
    rng: &mut StdRng,
    company: &CompanyRef,
    requester: i64,
    number: i64,
) -> Result<()> {
    for &c in &company.default_subscribers {
        if c != requester {
            rows::subscribe(conn, number, c)?;
        }
    }
    if rng.gen_bool(0.2) {
        let others: Vec<i64> = company
            .contacts
            .iter()
            .filter(|p| p.can_sign_in() && p.id != requester)
            .map(|p| p.id)
            .collect();
        if let Some(&c) = others.choose(rng) {
            rows::subscribe(conn, number, c)?;
        }
    }
    if rng.gen_bool(0.05) {
        for &c in &company.related {
            rows::subscribe(conn, number, c)?;
        }
    }
    Ok(())
}

fn attach(
    conn: &Connection,
    ticket: i64,
    file: &File,
    uploader_kind: &str,
    uploader_id: i64,
    uploader_name: &str,
    at: i64,
) -> Result<()> {
    let sha = file.sha256_hex();
    rows::put_blob(conn, &sha, &file.data)?;
    rows::insert_attachment(
        conn,
        &AttachmentRow {
            ticket_id: ticket,
            title: &file.title,
            file_name: &file.name,
            content_type: file.content_type,
            size: file.data.len() as i64,
            sha256: &sha,
            uploader_kind,
            uploader_id,
            uploader_name,
            uploaded_at: at,
        },
    )?;
    Ok(())
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}

/// Plausible values for a service type's extra fields: every required one,
/// most optional ones.
fn field_values(
    rng: &mut StdRng,
    service: &ServiceDef,
    requester: &ContactRef,
    site: &str,
    created: i64,
    number: i64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &service.fields {
        if !f.required && rng.gen_bool(0.3) {
            continue;
        }
        out.push((
            f.key.clone(),
            field_value(rng, f, requester, site, created, number),
        ));
    }
    out
}

fn field_value(
    rng: &mut StdRng,
    f: &FieldDef,
    requester: &ContactRef,
    site: &str,
    created: i64,
    number: i64,
) -> String {
    let choose = |rng: &mut StdRng, xs: &[&str]| xs[rng.gen_range(0..xs.len())].to_owned();
    match f.kind {
        FieldKind::Choice => f.choices.choose(rng).cloned().unwrap_or_default(),
        FieldKind::YesNo => if rng.gen_bool(0.5) { "yes" } else { "no" }.to_owned(),
        FieldKind::Date => {
            let days = match f.key.as_str() {
                "start_date" => rng.gen_range(7..22),
                "needed_by" => rng.gen_range(2..11),
                _ => -rng.gen_range(0..3),
            };
            clock::date(created + days * DAY)
        }
        FieldKind::Multiline => match f.key.as_str() {
            "computers" => choose(
                rng,
                &[
                    "Reception PC and the two office laptops.",
                    "All workstations in the studio.",
                    "Just mine.",
                ],
            ),
            "details" => choose(
                rng,
                &[
                    "The sender name looked right but the address was different.\nThe link went to a page asking for my password.",
                    "Pop-up appeared twice this morning.\nNothing else unusual.",
                ],
            ),
            _ => choose(
                rng,
                &[
                    "Prefers a laptop with a larger screen.\nWill work from the second site on Fridays.",
                    "Needs access to the shared calendar as well.",
                ],
            ),
        },
        FieldKind::Text => match f.key.as_str() {
            "username" => requester
                .email
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned(),
            "mailbox" => requester.email.clone(),
            "full_name" => choose(rng, &NEW_HIRES),
            "department" => choose(
                rng,
                &[
                    "Front office",
                    "Clinical",
                    "Billing",
                    "Design",
                    "Operations",
                    "Finance",
                ],
            ),
            "job_title" => choose(
                rng,
                &[
                    "Assistant",
                    "Coordinator",
                    "Associate",
                    "Technician",
                    "Analyst",
                ],
            ),
            "copy_access_from" => requester.first.clone(),
            "software" => choose(
                rng,
                &[
                    "PDF editor 2025",
                    "Drafting suite 2026",
                    "Imaging viewer 7.2",
                    "Accounting desktop 2026",
                    "Video meetings app",
                ],
            ),
            "asset_tag" => format!("AT-{:05}", 10_000 + number * 7 % 90_000),
            "printer" => format!("{site} copier"),
            "error" => choose(
                rng,
                &[
                    "Paper jam in tray 2",
                    "Offline",
                    "Toner low",
                    "SMTP authentication failed",
                ],
            ),
            _ => "See the description".to_owned(),
        },
    }
}
