//! Tickets: creation, reading and the changes that are not posts.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::TicketFacts;
use crate::domain::sla::DeadlineKind;
use crate::domain::tickets::{Assignee, NewTicket, Ticket, validate_field_values};
use crate::domain::{Principal, StatusGroup, TicketStatus};
use crate::store::{assignees, catalog, sla};

/// The joined columns `from_row` reads, with `$desc` the description's
/// expression; `$more` adds columns after those.
macro_rules! select {
    ($desc:literal) => {
        select!($desc, "")
    };
    ($desc:literal, $more:literal) => {
        concat!(
            "SELECT t.id, t.company_id, co.name, t.site_id, COALESCE(si.name, ''),
                t.contact_id, c.first_name || ' ' || c.last_name, t.title, ",
            $desc,
            ", t.service_type_id, st.name, t.fields, t.priority, t.status, t.emergency,
                t.due_date, t.po_number, t.board, t.assigned_staff_id,
                COALESCE(sf.first_name || ' ' || sf.last_name, ''), t.created_at, t.updated_at,
                t.responded_at, t.completed_at, t.closed_at, t.response_due_at, t.resolution_due_at,
                t.next_due_kind, t.next_due_at, t.next_risk_at,
                (SELECT json_group_array(json_array(a.added_at, a.staff_id,
                        so.first_name || ' ' || so.last_name))
                 FROM ticket_assignees a JOIN staff so ON so.id = a.staff_id
                 WHERE a.ticket_id = t.id), t.chat_waiting_since",
            $more,
            " FROM tickets t
            JOIN companies co ON co.id = t.company_id
            JOIN contacts c ON c.id = t.contact_id
            JOIN service_types st ON st.id = t.service_type_id
            LEFT JOIN sites si ON si.id = t.site_id
            LEFT JOIN staff sf ON sf.id = t.assigned_staff_id"
        )
    };
}

/// The columns lists show: descriptions cut to 200 characters.
pub(super) const SELECT_BRIEF: &str = select!("substr(t.description, 1, 200)");

/// A ticket row with its `fields` and other assignees still JSON.
pub(super) type RawTicket = (Ticket, String, String);

/// Reads a row of `SELECT`; the JSON columns are parsed by `finish`.
pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<RawTicket> {
    let status: i64 = r.get(13)?;
    Ok((
        Ticket {
            number: r.get(0)?,
            company_id: r.get(1)?,
            company_name: r.get(2)?,
            site_id: r.get(3)?,
            site_name: r.get(4)?,
            contact_id: r.get(5)?,
            contact_name: r.get(6)?,
            title: r.get(7)?,
            description: r.get(8)?,
            service_type_id: r.get(9)?,
            service_type_name: r.get(10)?,
            fields: Vec::new(),
            priority: r.get(12)?,
            status: TicketStatus::from_i64(status).unwrap_or(TicketStatus::New),
            emergency: r.get(14)?,
            due_date: r.get(15)?,
            po_number: r.get(16)?,
            board: r.get(17)?,
            assigned_staff_id: r.get(18)?,
            assigned_staff_name: r.get(19)?,
            other_assignees: Vec::new(),
            created_at: r.get(20)?,
            updated_at: r.get(21)?,
            responded_at: r.get(22)?,
            completed_at: r.get(23)?,
            closed_at: r.get(24)?,
            response_due_at: r.get(25)?,
            resolution_due_at: r.get(26)?,
            next_due_kind: r
                .get::<_, Option<i64>>(27)?
                .and_then(DeadlineKind::from_i64),
            next_due_at: r.get(28)?,
            next_risk_at: r.get(29)?,
            chat_waiting_since: r.get(31)?,
        },
        r.get(11)?,
        r.get(30)?,
    ))
}

pub(super) fn finish((mut t, fields, others): RawTicket) -> Result<Ticket> {
    t.fields = serde_json::from_str(&fields)?;
    // Sorted here: an ordered aggregate would cost every list a sort.
    let mut others: Vec<(i64, i64, String)> = serde_json::from_str(&others)?;
    others.sort_unstable();
    t.other_assignees = others
        .into_iter()
        .map(|(_, staff_id, name)| Assignee { staff_id, name })
        .collect();
    Ok(t)
}

/// One ticket with every field.
pub fn get(conn: &Connection, number: i64) -> Result<Option<Ticket>> {
    conn.prepare_cached(concat!(select!("t.description"), " WHERE t.id = ?1"))?
        .query_row([number], from_row)
        .optional()?
        .map(finish)
        .transpose()
}

/// A ticket with every field, what the policy needs to judge it for `contact`
/// (None for staff), and which of its lists have anything: what a ticket's
/// page needs besides its timeline, in one statement.
pub struct TicketHead {
    pub ticket: Ticket,
    pub facts: TicketFacts,
    pub has_tasks: bool,
    pub has_attachments: bool,
    pub has_subscribers: bool,
}

/// The phone and e-mail the requester gave for ticket `number`.
pub fn reach(conn: &Connection, number: i64) -> Result<(String, String)> {
    Ok(conn
        .prepare_cached("SELECT contact_phone, contact_email FROM tickets WHERE id = ?1")?
        .query_row([number], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default())
}

pub fn head(conn: &Connection, number: i64, who: Option<&Principal>) -> Result<Option<TicketHead>> {
    let (contact, staff) = subject(who);
    conn.prepare_cached(concat!(
        select!(
            "t.description",
            ", co.users_see_all,
            EXISTS (SELECT 1 FROM ticket_subscribers s WHERE s.ticket_id = t.id AND s.contact_id = ?2),
            EXISTS (SELECT 1 FROM tasks WHERE ticket_id = t.id),
            EXISTS (SELECT 1 FROM attachments WHERE ticket_id = t.id),
            EXISTS (SELECT 1 FROM ticket_subscribers WHERE ticket_id = t.id)"
        ),
        " WHERE t.id = ?1"
    ))?
    .query_row(params![number, contact], |r| {
        Ok((from_row(r)?, r.get(32)?, r.get(33)?, r.get(34)?, r.get(35)?, r.get(36)?))
    })
    .optional()?
    .map(|(row, users_see_all, caller_subscribed, has_tasks, has_attachments, has_subscribers)| {
        let ticket = finish(row)?;
        Ok(TicketHead {
            facts: TicketFacts {
                company_id: ticket.company_id,
                contact_id: ticket.contact_id,
                status: ticket.status,
                assigned_staff_id: ticket.assigned_staff_id,
                users_see_all,
                caller_subscribed,
                caller_assigned: staff.is_some_and(|id| {
                    ticket.other_assignees.iter().any(|a| a.staff_id == id)
                }),
            },
            ticket,
            has_tasks,
            has_attachments,
            has_subscribers,
        })
    })
    .transpose()
}

/// `get`, for a ticket known to exist.
pub fn load(conn: &Connection, number: i64) -> Result<Ticket> {
    get(conn, number)?.ok_or(StoreError::NotFound)
}

/// The contact and the staff member `who` is (0 for neither: no row has id 0).
fn subject(who: Option<&Principal>) -> (i64, Option<i64>) {
    match who {
        Some(Principal::Contact { contact_id, .. }) => (*contact_id, None),
        Some(Principal::Staff { staff_id, .. }) => (0, Some(*staff_id)),
        None => (0, None),
    }
}

/// What the policy needs to judge `who` on a ticket (None: nobody in
/// particular, as event audiences do).
pub fn facts(
    conn: &Connection,
    number: i64,
    who: Option<&Principal>,
) -> Result<Option<TicketFacts>> {
    let (contact, staff) = subject(who);
    Ok(conn
        .prepare_cached(
            "SELECT t.company_id, t.contact_id, t.status, t.assigned_staff_id, co.users_see_all,
                    EXISTS (SELECT 1 FROM ticket_subscribers s
                            WHERE s.ticket_id = t.id AND s.contact_id = ?2),
                    EXISTS (SELECT 1 FROM ticket_assignees a
                            WHERE a.ticket_id = t.id AND a.staff_id = ?3)
             FROM tickets t JOIN companies co ON co.id = t.company_id WHERE t.id = ?1",
        )?
        .query_row(params![number, contact, staff.unwrap_or(0)], |r| {
            Ok(TicketFacts {
                company_id: r.get(0)?,
                contact_id: r.get(1)?,
                status: TicketStatus::from_i64(r.get(2)?).unwrap_or(TicketStatus::New),
                assigned_staff_id: r.get(3)?,
                users_see_all: r.get(4)?,
                caller_subscribed: r.get(5)?,
                caller_assigned: r.get(6)?,
            })
        })
        .optional()?)
}

/// A company's ticket preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyPrefs {
    pub require_po: bool,
    pub users_see_all: bool,
}

pub fn company_prefs(conn: &Connection, company_id: i64) -> Result<Option<CompanyPrefs>> {
    Ok(conn
        .prepare_cached("SELECT require_po, users_see_all FROM companies WHERE id = ?1")?
        .query_row([company_id], |r| {
            Ok(CompanyPrefs {
                require_po: r.get(0)?,
                users_see_all: r.get(1)?,
            })
        })
        .optional()?)
}

/// The company of an active contact.
pub fn active_contact_company(conn: &Connection, contact_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT company_id FROM contacts WHERE id = ?1 AND active")?
        .query_row([contact_id], |r| r.get(0))
        .optional()?)
}

/// The name of an active staff member.
pub fn active_staff_name(conn: &Connection, staff_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT first_name || ' ' || last_name FROM staff WHERE id = ?1 AND active",
        )?
        .query_row([staff_id], |r| r.get(0))
        .optional()?)
}

/// Stores a new ticket after the checks only the store can make (service
/// type active, field values, site of the company, PO number where the
/// company requires one); subscribes the company's default subscribers.
pub fn create(conn: &Connection, new: &NewTicket, now: i64) -> Result<Ticket> {
    let prefs = company_prefs(conn, new.company_id)?.ok_or(StoreError::NotFound)?;
    let service_type = catalog::get(conn, new.service_type_id)?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::invalid("service_type_id", "no such service type"))?;
    let fields = validate_field_values(&service_type.fields, &new.fields)?;
    if let Some(site) = new.site_id {
        let site_company: Option<i64> = conn
            .prepare_cached("SELECT company_id FROM sites WHERE id = ?1")?
            .query_row([site], |r| r.get(0))
            .optional()?;
        if site_company != Some(new.company_id) {
            return Err(StoreError::invalid(
                "site_id",
                "not a site of the ticket's company",
            ));
        }
    }
    if prefs.require_po && new.po_number.is_empty() {
        return Err(StoreError::invalid(
            "po_number",
            "required by your company's preferences",
        ));
    }
    conn.prepare_cached(
        "INSERT INTO tickets (company_id, site_id, contact_id, service_type_id, title,
            description, fields, priority, status, emergency, due_date, po_number,
            created_at, updated_at, sla_counted_at, contact_phone, contact_email)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12, ?12, ?12, ?13, ?14)",
    )?
    .execute(params![
        new.company_id,
        new.site_id,
        new.contact_id,
        new.service_type_id,
        new.title,
        new.description,
        serde_json::to_string(&fields)?,
        new.priority,
        new.emergency,
        new.due_date,
        new.po_number,
        now,
        new.contact_phone,
        new.contact_email,
    ])?;
    let number = conn.last_insert_rowid();
    sla::recompute(conn, number, &sla::settings(conn)?)?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ticket_subscribers (ticket_id, contact_id)
         SELECT ?1, d.contact_id FROM company_default_subscribers d
         JOIN contacts c ON c.id = d.contact_id AND c.active
         WHERE d.company_id = ?2",
    )?
    .execute(params![number, new.company_id])?;
    load(conn, number)
}

/// Bumps `updated_at` (every change does).
pub fn touch(conn: &Connection, number: i64, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE tickets SET updated_at = max(updated_at, ?2) WHERE id = ?1")?
        .execute(params![number, now])?;
    Ok(())
}

/// Records the first response, if there was none yet: the next deadline
/// becomes the resolution.
pub fn mark_responded(conn: &Connection, number: i64, now: i64) -> Result<()> {
    sla::around(conn, number, now, || {
        conn.prepare_cached(
            "UPDATE tickets SET responded_at = ?2 WHERE id = ?1 AND responded_at IS NULL",
        )?
        .execute(params![number, now])?;
        Ok(())
    })
}

/// Who moves a ticket: only staff moving it to In Progress responds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Staff,
    /// The requester's side (a rejected completion is not a response) or
    /// the system.
    Other,
}

/// Moves a ticket to `to` (the policy has judged the move) and keeps the
/// completion, closing and response times and the SLA clock in step.
pub fn set_status(
    conn: &Connection,
    number: i64,
    to: TicketStatus,
    by: Mover,
    now: i64,
) -> Result<()> {
    let completed = to == TicketStatus::Completed;
    let closed = to.group() == StatusGroup::Closed;
    let responds = by == Mover::Staff && to == TicketStatus::InProgress;
    sla::around(conn, number, now, || {
        // A closed ticket's chat waits for nobody.
        conn.prepare_cached(
            "UPDATE tickets SET status = ?2, updated_at = max(updated_at, ?3),
                completed_at = CASE WHEN ?4 THEN ?3 WHEN ?2 <= 4 THEN NULL ELSE completed_at END,
                closed_at = CASE WHEN ?5 THEN ?3 ELSE NULL END,
                chat_waiting_since = CASE WHEN ?5 THEN NULL ELSE chat_waiting_since END,
                responded_at = CASE WHEN ?6 THEN COALESCE(responded_at, ?3) ELSE responded_at END
             WHERE id = ?1",
        )?
        .execute(params![number, to as i64, now, completed, closed, responds])?;
        Ok(())
    })
}

/// Marks the ticket's chat as waiting for staff since `now` (when it was
/// not already), or answered when `waiting` is false (docs/TICKETS.md,
/// "Chat").
pub fn set_chat_waiting(conn: &Connection, number: i64, waiting: bool, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tickets
         SET chat_waiting_since = CASE WHEN ?2 THEN coalesce(chat_waiting_since, ?3) END
         WHERE id = ?1",
    )?
    .execute(params![number, waiting, now])?;
    Ok(())
}

/// Completed tickets completed at or before `cutoff`, oldest number first.
pub fn completed_before(conn: &Connection, cutoff: i64) -> Result<Vec<i64>> {
    let numbers = conn
        .prepare_cached(
            "SELECT id FROM tickets
             WHERE status_group = ?1 AND status = ?2 AND completed_at <= ?3 ORDER BY id",
        )?
        .query_map(
            params![
                StatusGroup::Completed as i64,
                TicketStatus::Completed as i64,
                cutoff
            ],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(numbers)
}

/// Sets the priority: the clock counted so far stays, the deadlines not yet
/// reached follow the new priority's targets.
pub fn set_priority(conn: &Connection, number: i64, priority: i32, now: i64) -> Result<()> {
    sla::around(conn, number, now, || {
        let changed = conn
            .prepare_cached(
                "UPDATE tickets SET priority = ?2, updated_at = max(updated_at, ?3) WHERE id = ?1",
            )?
            .execute(params![number, priority, now])?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    })
}

pub fn assign(
    conn: &Connection,
    number: i64,
    staff_id: Option<i64>,
    board: &str,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tickets SET assigned_staff_id = ?2, board = ?3, updated_at = max(updated_at, ?4)
         WHERE id = ?1",
    )?
    .execute(params![number, staff_id, board, now])?;
    // The new primary is no longer one of the others.
    if let Some(id) = staff_id {
        assignees::set(conn, number, id, false, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::{FieldDef, FieldKind, FieldValue, ServiceType};
    use crate::store::testing::*;

    pub(crate) fn new_ticket(company: i64, contact: i64) -> NewTicket {
        NewTicket {
            company_id: company,
            site_id: None,
            contact_id: contact,
            service_type_id: SERVICE_TYPE,
            title: "Printer jams".into(),
            description: "Paper everywhere".into(),
            fields: vec![],
            priority: 3,
            emergency: false,
            due_date: None,
            po_number: String::new(),
            contact_phone: String::new(),
            contact_email: String::new(),
        }
    }

    #[test]
    fn create_stores_everything_and_subscribes_defaults() {
        let (_dir, conn) = temp_conn();
        conn.execute(
            "INSERT INTO company_default_subscribers VALUES (1, 2), (1, 5)",
            [],
        )
        .unwrap();
        let mut new = new_ticket(COMPANY_A, UMA);
        new.site_id = Some(SITE_A);
        new.priority = 1;
        new.emergency = true;
        let t = create(&conn, &new, 1_000).unwrap();
        assert_eq!(t.number, 1);
        assert_eq!(t.company_name, "Alpha");
        assert_eq!(t.site_name, "Alpha HQ");
        assert_eq!(t.contact_name, "Uma Ulm");
        assert_eq!(t.service_type_name, "Hardware");
        assert_eq!(t.status, TicketStatus::New);
        assert_eq!(t.response_due_at, Some(1_000 + 3_600_000));
        assert_eq!(t.resolution_due_at, Some(1_000 + 4 * 3_600_000));
        let subs: Vec<i64> = conn
            .prepare("SELECT contact_id FROM ticket_subscribers WHERE ticket_id = 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // The inactive default subscriber is left out.
        assert_eq!(subs, vec![MARK]);
    }

    #[test]
    fn create_refuses_what_only_the_store_can_judge() {
        let (_dir, conn) = temp_conn();
        let field = |r: Result<Ticket>| match r {
            Err(StoreError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        };
        let mut new = new_ticket(COMPANY_A, UMA);
        new.site_id = Some(SITE_B);
        assert_eq!(field(create(&conn, &new, 0)), "site_id");
        new.site_id = None;
        new.service_type_id = 99;
        assert_eq!(field(create(&conn, &new, 0)), "service_type_id");
        conn.execute("UPDATE companies SET require_po = 1 WHERE id = 1", [])
            .unwrap();
        new.service_type_id = SERVICE_TYPE;
        assert_eq!(field(create(&conn, &new, 0)), "po_number");
        catalog::save(
            &conn,
            &ServiceType {
                id: SERVICE_TYPE,
                name: "Hardware".into(),
                description: String::new(),
                sort_order: 0,
                active: true,
                fields: vec![FieldDef {
                    key: "asset".into(),
                    label: "Asset tag".into(),
                    kind: FieldKind::Text,
                    required: true,
                    choices: vec![],
                }],
            },
        )
        .unwrap();
        new.po_number = "PO-1".into();
        assert_eq!(field(create(&conn, &new, 0)), "fields.asset");
        new.fields = vec![FieldValue {
            key: "asset".into(),
            value: "A-7".into(),
        }];
        assert_eq!(create(&conn, &new, 0).unwrap().fields, new.fields);
    }

    #[test]
    fn status_changes_keep_times_in_step() {
        let (_dir, conn) = temp_conn();
        let n = create(&conn, &new_ticket(COMPANY_A, UMA), 0)
            .unwrap()
            .number;
        set_status(&conn, n, TicketStatus::InProgress, Mover::Staff, 10).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!((t.responded_at, t.updated_at), (Some(10), 10));
        set_status(&conn, n, TicketStatus::Completed, Mover::Staff, 20).unwrap();
        assert_eq!(load(&conn, n).unwrap().completed_at, Some(20));
        set_status(&conn, n, TicketStatus::InProgress, Mover::Staff, 30).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!((t.completed_at, t.responded_at), (None, Some(10)));
        set_status(&conn, n, TicketStatus::Completed, Mover::Staff, 40).unwrap();
        set_status(&conn, n, TicketStatus::Closed, Mover::Staff, 50).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!((t.completed_at, t.closed_at), (Some(40), Some(50)));
        assert_eq!(t.status, TicketStatus::Closed);
    }

    #[test]
    fn priority_keeps_the_time_counted_and_moves_the_deadlines() {
        let (_dir, conn) = temp_conn();
        // Medium (business hours) at 07:00 on Monday 2 March 2026: nothing
        // counts before 08:00.
        let monday_7 = 1_772_434_800_000;
        let n = create(&conn, &new_ticket(COMPANY_A, UMA), monday_7)
            .unwrap()
            .number;
        let t = load(&conn, n).unwrap();
        assert_eq!(t.response_due_at, Some(monday_7 + 2 * 3_600_000));
        assert_eq!(t.next_due_kind, Some(DeadlineKind::Response));
        // Made Critical (24×7) at 08:30: 30 business minutes were used, so
        // 30 of the 60 minutes are left from then.
        let at = monday_7 + 90 * 60_000;
        set_priority(&conn, n, 1, at).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!((t.priority, t.response_due_at), (1, Some(at + 30 * 60_000)));
        assert_eq!(t.next_due_at, t.response_due_at);
        assert_eq!(t.next_risk_at, Some(at + 15 * 60_000));
        // Planned has no target: no deadline runs.
        set_priority(&conn, n, 5, at + 1).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!((t.response_due_at, t.next_due_at), (None, None));
    }

    #[test]
    fn waiting_on_the_client_stops_the_clock_and_only_staff_respond() {
        let (_dir, conn) = temp_conn();
        let mut new = new_ticket(COMPANY_A, UMA);
        new.priority = 1;
        let n = create(&conn, &new, 0).unwrap().number;
        // Staff ask the client at 10 min; the client answers at 70 min.
        set_status(
            &conn,
            n,
            TicketStatus::WaitingOnClient,
            Mover::Staff,
            600_000,
        )
        .unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!(
            (t.next_due_kind, t.next_due_at),
            (Some(DeadlineKind::Response), None)
        );
        set_status(&conn, n, TicketStatus::Completed, Mover::Staff, 1_200_000).unwrap();
        // The client rejecting completion is not a response.
        set_status(&conn, n, TicketStatus::InProgress, Mover::Other, 4_200_000).unwrap();
        let t = load(&conn, n).unwrap();
        assert_eq!(t.responded_at, None);
        // 10 of 60 minutes were used: 50 are left from 70 min.
        assert_eq!(t.next_due_at, Some(4_200_000 + 3_000_000));
        mark_responded(&conn, n, 4_300_000).unwrap();
        let t = load(&conn, n).unwrap();
        // Resolution: 240 minutes, 10 + (4_300_000 - 4_200_000) ms used.
        assert_eq!(t.next_due_kind, Some(DeadlineKind::Resolution));
        assert_eq!(t.next_due_at, Some(4_300_000 + 240 * 60_000 - 700_000));
        assert_eq!(t.response_due_at, Some(7_200_000));
    }

    #[test]
    fn only_active_people_are_found() {
        let (_dir, conn) = temp_conn();
        assert_eq!(active_contact_company(&conn, UMA).unwrap(), Some(COMPANY_A));
        assert_eq!(active_contact_company(&conn, GONE).unwrap(), None);
        assert_eq!(
            active_staff_name(&conn, DINA).unwrap().unwrap(),
            "Dina Disp"
        );
        assert_eq!(active_staff_name(&conn, OLD_TECH).unwrap(), None);
    }

    #[test]
    fn facts_see_the_callers_subscription_and_assignment() {
        let (_dir, conn) = temp_conn();
        let n = create(&conn, &new_ticket(COMPANY_A, UMA), 0)
            .unwrap()
            .number;
        conn.execute("INSERT INTO ticket_subscribers VALUES (?1, ?2)", [n, BOB])
            .unwrap();
        let contact = |contact_id| Principal::Contact {
            contact_id,
            company_id: COMPANY_A,
            access: crate::domain::AccessLevel::User,
        };
        let staff = |staff_id| Principal::Staff {
            staff_id,
            role: crate::domain::StaffRole::Technician,
        };
        let facts_of = |p: &Principal| facts(&conn, n, Some(p)).unwrap().unwrap();
        assert!(facts_of(&contact(BOB)).caller_subscribed);
        assert!(!facts_of(&contact(MARK)).caller_subscribed);
        assignees::set(&conn, n, DINA, true, 1).unwrap();
        assert!(facts_of(&staff(DINA)).caller_assigned);
        assert!(!facts_of(&staff(TOM)).caller_assigned);
        assert!(facts(&conn, n + 1, None).unwrap().is_none());
    }
}
