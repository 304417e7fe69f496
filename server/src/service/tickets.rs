//! TicketService: the catalog, tickets, their timelines, tasks,
//! subscribers and attachments. Each change is authorized and applied in
//! one write, then published as an event.

mod attachments;
mod by_mail;
mod export;
mod knowledge;
mod ratings;
mod validate;

use std::sync::Arc;

use portal_proto::pb;
use rusqlite::Connection;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::{self, tickets as conv};
use super::events::{Audience, TicketEvent};
use super::outcome::Outcome;
use super::status::invalid;
use super::{input, keyset};
use crate::domain::input::{Max, at_most};
use crate::domain::sla::DeadlineKind;
use crate::domain::tickets::{
    Author, AuthorKind, DEFAULT_PRIORITY, NewTicket, Ticket, TicketCursor, TicketFilter,
    TimelineEntry, TimelineKind, illegal_move, priority_label,
};
use crate::domain::{Caller, Principal, TicketFacts, TicketScope, TicketStatus};
use crate::mail::notify;
use crate::policy::{self, Denied};
use crate::store::tickets::Mover;
use crate::store::timeline::Change;
use crate::store::{
    self, StoreError, assignees, catalog, companies, now_ms, saved_views, subscribers, tasks,
    ticket_list, tickets, timeline,
};

pub struct Tickets {
    state: AppState,
}

impl Tickets {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl Tickets {
    /// Closes, as the system, the Completed tickets nobody signed off or
    /// rejected within `Config::auto_close_after` (docs/TICKETS.md, "Who
    /// may move it where"); returns how many.
    pub async fn close_unanswered(&self, now: i64) -> Result<usize, Status> {
        let after = self.state.config.auto_close_after;
        let cutoff = now.saturating_sub(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
        let note = format!(
            "Closed automatically: completed {} days ago with no answer.",
            after.as_secs() / 86_400
        );
        let closed = self
            .state
            .write(move |conn| {
                let system = Author::system();
                let mut closed = Vec::new();
                for number in tickets::completed_before(conn, cutoff)? {
                    tickets::set_status(conn, number, TicketStatus::Closed, Mover::Other, now)?;
                    let change = Change {
                        kind: TimelineKind::StatusChange,
                        body: &note,
                        from: TicketStatus::Completed.label(),
                        to: TicketStatus::Closed.label(),
                    };
                    timeline::append(conn, number, &system, change, now)?;
                    let ticket = tickets::load(conn, number)?;
                    let from = (TicketStatus::Completed, system.name.as_str(), note.as_str());
                    notify::status_changed(conn, &ticket, from, now)?;
                    notify::rating_requested(conn, &ticket, now)?;
                    closed.push((number, audience(conn, number, false)?));
                }
                Ok(closed)
            })
            .await?;
        let count = closed.len();
        let actor = Author::system().name;
        for (number, audience) in closed {
            let summary = format!("#{number} closed automatically");
            self.publish(
                pb::EventKind::TicketUpdated,
                number,
                &actor,
                summary,
                audience,
                now,
            );
        }
        Ok(count)
    }

    /// Tells staff of the open tickets whose next deadline turned at risk
    /// or was breached in `(after, upto]`; returns how many.
    pub async fn announce_sla(&self, after: i64, upto: i64) -> Result<usize, Status> {
        let turned = self
            .state
            .read(move |conn| {
                let mut turned = Vec::new();
                for (number, kind, due) in store::sla::turned(conn, after, upto)? {
                    turned.push((number, kind, due, audience(conn, number, true)?));
                }
                Ok(turned)
            })
            .await?;
        let count = turned.len();
        let actor = Author::system().name;
        for (number, kind, due, audience) in turned {
            let what = if kind == DeadlineKind::Response as i64 {
                "response"
            } else {
                "resolution"
            };
            let state = if due <= upto { "breached" } else { "at risk" };
            let summary = format!("#{number} {what} {state}");
            self.publish(
                pb::EventKind::SlaChanged,
                number,
                &actor,
                summary,
                audience,
                upto,
            );
        }
        Ok(count)
    }

    fn publish(
        &self,
        kind: pb::EventKind,
        number: i64,
        actor_name: &str,
        summary: String,
        audience: Audience,
        at_ms: i64,
    ) {
        self.state.events.publish(TicketEvent {
            kind,
            ticket_number: number,
            at_ms,
            actor_name: actor_name.to_owned(),
            summary,
            audience,
        });
    }
}

/// What one change to a ticket did.
struct Applied<T> {
    result: T,
    /// What the ticket's audience hears; `None` when nothing changed.
    event: Option<(pb::EventKind, String)>,
    /// Only staff hear of it (an internal note).
    staff_only: bool,
    /// The staff member who became an assignee, told so on their own.
    assigned: Option<i64>,
}

impl<T> Applied<T> {
    fn changed(result: T, kind: pb::EventKind, summary: String) -> Self {
        Self {
            result,
            event: Some((kind, summary)),
            staff_only: false,
            assigned: None,
        }
    }

    fn unchanged(result: T) -> Self {
        Self {
            result,
            event: None,
            staff_only: false,
            assigned: None,
        }
    }

    fn assigning(self, staff_id: Option<i64>) -> Self {
        Self {
            assigned: staff_id,
            ..self
        }
    }
}

impl Tickets {
    /// Applies one change to ticket `number` in one write: `apply` gets the
    /// facts of a ticket the caller may see (NOT_FOUND otherwise), authorizes
    /// and makes the change. Whoever may hear of it is then told.
    async fn change<T: Send + 'static>(
        &self,
        who: &Caller,
        number: i64,
        now: i64,
        apply: impl FnOnce(&Connection, &Principal, &TicketFacts) -> Outcome<Applied<T>>
        + Send
        + 'static,
    ) -> Result<T, Status> {
        let p = who.principal.clone();
        let (result, event) = self
            .state
            .write(move |conn| {
                let facts = visible(conn, number, &p)?;
                let applied = apply(conn, &p, &facts)?;
                let event = match applied.event {
                    Some((kind, summary)) => {
                        Some((kind, summary, audience(conn, number, applied.staff_only)?))
                    }
                    None => None,
                };
                // Nobody is told of assigning themselves.
                let assigned = applied.assigned.filter(
                    |id| !matches!(p, Principal::Staff { staff_id, .. } if staff_id == *id),
                );
                Ok((applied.result, event.map(|e| (e, assigned))))
            })
            .await?;
        if let Some(((kind, summary, audience), assigned)) = event {
            if let Some(staff_id) = assigned {
                let to_them = audience.only_to(staff_id);
                let summary = format!("#{number} assigned to you by {}", who.name);
                let kind = pb::EventKind::AssignedToMe;
                self.publish(kind, number, &who.name, summary, to_them, now);
            }
            self.publish(kind, number, &who.name, summary, audience, now);
        }
        Ok(result)
    }
}

/// A client's public answer to a ticket waiting on it hands the ticket
/// back: the system moves it to In Progress, which starts the SLA clock
/// again (docs/TICKETS.md, "Whose move"). A summary's ending saying so
/// when it moved, else "".
pub(super) fn back_with_us(
    conn: &Connection,
    number: i64,
    status: TicketStatus,
    now: i64,
) -> Outcome<&'static str> {
    if status != TicketStatus::WaitingOnClient {
        return Ok("");
    }
    tickets::set_status(conn, number, TicketStatus::InProgress, Mover::Other, now)?;
    let change = Change {
        kind: TimelineKind::StatusChange,
        body: "The client answered.",
        from: TicketStatus::WaitingOnClient.label(),
        to: TicketStatus::InProgress.label(),
    };
    timeline::append(conn, number, &Author::system(), change, now)?;
    Ok("; it is back In Progress")
}

/// Records a change of the ticket's fields in its timeline; the ticket as
/// it is now, announced to its audience as `summary` says.
fn recorded(
    conn: &Connection,
    number: i64,
    (by, change, now): (&Author, Change<'_>, i64),
    summary: impl FnOnce(&Ticket) -> String,
) -> Outcome<Applied<Ticket>> {
    timeline::append(conn, number, by, change, now)?;
    let ticket = tickets::load(conn, number)?;
    let summary = summary(&ticket);
    Ok(Applied::changed(
        ticket,
        pb::EventKind::TicketUpdated,
        summary,
    ))
}

pub(super) fn author(c: &Caller) -> Author {
    Author {
        kind: match c.principal {
            Principal::Staff { .. } => AuthorKind::Staff,
            Principal::Contact { .. } => AuthorKind::Contact,
        },
        id: c.principal.subject_id(),
        name: c.name.clone(),
    }
}

/// The ticket's facts when the caller may see it; NOT_FOUND otherwise,
/// exactly as for a ticket that does not exist.
pub(super) fn visible(conn: &Connection, number: i64, p: &Principal) -> Outcome<TicketFacts> {
    let facts = tickets::facts(conn, number, Some(p))?.ok_or(Denied::NotFound)?;
    policy::view_ticket(p, &facts)?;
    Ok(facts)
}

/// Who may hear about a change to a ticket.
pub(super) fn audience(conn: &Connection, number: i64, staff_only: bool) -> Outcome<Audience> {
    let facts = tickets::facts(conn, number, None)?.ok_or(StoreError::NotFound)?;
    Ok(Audience::Ticket {
        facts,
        subscribers: Arc::from(subscribers::ids(conn, number)?),
        staff_only,
        only_staff_id: None,
    })
}

/// The list scope of a caller, reading its company's preference.
fn scope(conn: &Connection, p: &Principal) -> Outcome<TicketScope> {
    let users_see_all = match p {
        Principal::Contact { company_id, .. } => {
            tickets::company_prefs(conn, *company_id)?.is_some_and(|c| c.users_see_all)
        }
        Principal::Staff { .. } => false,
    };
    Ok(policy::ticket_scope(p, users_see_all))
}

/// The cursor after a page of the timeline (newest first): the id of the
/// oldest entry shown, "" when there is nothing older.
fn timeline_cursor(entries: &[TimelineEntry], more: bool) -> String {
    match entries.last() {
        Some(e) if more => keyset::encode(&e.id),
        _ => String::new(),
    }
}

fn permissions(p: &Principal, t: &TicketFacts) -> pb::TicketPermissions {
    pb::TicketPermissions {
        allowed_statuses: policy::allowed_statuses(p, t)
            .iter()
            .map(|s| convert::status_to_pb(*s).into())
            .collect(),
        can_post: policy::post(p, t).is_ok(),
        can_add_internal_note: policy::internal_note(p, t).is_ok(),
        can_set_priority: policy::set_priority_or_assign(p, t).is_ok(),
        can_assign: policy::set_priority_or_assign(p, t).is_ok(),
        can_manage_tasks: policy::manage_tasks(p, t).is_ok(),
        can_manage_subscribers: policy::manage_subscribers(p, t).is_ok(),
        can_rate: false,
    }
}

/// Who a new ticket is for, as the request names it.
fn requester(
    conn: &Connection,
    p: &Principal,
    contact_id: Option<i64>,
    company_id: Option<i64>,
) -> Outcome<(i64, i64)> {
    match *p {
        Principal::Staff { .. } => {
            let contact = contact_id.ok_or_else(|| {
                StoreError::invalid(
                    "contact_id",
                    "staff must name the contact the ticket is for",
                )
            })?;
            let company = tickets::active_contact_company(conn, contact)?
                .filter(|c| company_id.is_none_or(|want| want == *c))
                .ok_or_else(|| {
                    StoreError::invalid("contact_id", "no such active contact of that company")
                })?;
            Ok((company, contact))
        }
        Principal::Contact {
            contact_id: me,
            company_id: mine,
            ..
        } => {
            if company_id.is_some_and(|c| c != mine) {
                return Err(Denied::NotFound.into());
            }
            let contact = contact_id.unwrap_or(me);
            // Another company's contact, or an inactive one, is not there.
            if tickets::active_contact_company(conn, contact)? != Some(mine) {
                return Err(Denied::NotFound.into());
            }
            policy::create_ticket(p, mine, contact)?;
            Ok((mine, contact))
        }
    }
}

#[tonic::async_trait]
impl pb::ticket_service_server::TicketService for Tickets {
    async fn list_service_types(
        &self,
        request: Request<pb::ListServiceTypesRequest>,
    ) -> Result<Response<pb::ListServiceTypesResponse>, Status> {
        let who = caller(&request)?;
        let include_inactive = request.get_ref().include_inactive;
        if include_inactive {
            policy::administer_provider(&who.principal)?;
        }
        let list = self
            .state
            .read_inline(|conn| Ok(catalog::list(conn, include_inactive)?))?;
        Ok(Response::new(pb::ListServiceTypesResponse {
            service_types: list.into_iter().map(conv::service_type).collect(),
        }))
    }

    async fn create_ticket(
        &self,
        request: Request<pb::CreateTicketRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let now = now_ms();
        let title = input::text("title", &req.title, 200, true)?;
        let description = input::long_text("description", &req.description, false)?;
        // A chat opened from Home names no type: it takes the default.
        let service_type_id = if req.chat && req.service_type_id == 0 {
            None
        } else {
            Some(input::id("service_type_id", req.service_type_id)?)
        };
        let default_type = self.state.config.default_service_type.clone();
        let site_id = input::optional_id("site_id", req.site_id)?;
        let contact_id = input::optional_id("contact_id", req.contact_id)?;
        let company_id = input::optional_id("company_id", req.company_id)?;
        let due_date = validate::due_date(&req.due_date, now)?;
        let po_number = input::text("po_number", &req.po_number, 50, false)?;
        let (contact_phone, contact_email) =
            validate::reach(&req.contact_phone, &req.contact_email)?;
        if req.fields.len() > 100 {
            return Err(invalid("fields", "at most 100 values"));
        }
        let priority = validate::priority("priority", req.priority, false)?;
        if priority.is_some() {
            policy::prioritise_new_ticket(&who.principal)?;
        }
        let priority = priority.unwrap_or(if req.emergency { 1 } else { DEFAULT_PRIORITY });
        let fields = conv::field_values(req.fields);
        let emergency = req.emergency;
        // Only a client's chat waits for staff (docs/TICKETS.md, "Chat").
        let chat = req.chat && matches!(who.principal, Principal::Contact { .. });

        let p = who.principal.clone();
        let (ticket, audience) = self
            .state
            .write(move |conn| {
                let (company_id, contact_id) = requester(conn, &p, contact_id, company_id)?;
                let service_type_id = match service_type_id {
                    Some(id) => id,
                    None => catalog::active_id_by_name(conn, &default_type)?,
                };
                let new = NewTicket {
                    company_id,
                    site_id,
                    contact_id,
                    service_type_id,
                    title,
                    description,
                    fields,
                    priority,
                    emergency,
                    due_date,
                    po_number,
                    contact_phone,
                    contact_email,
                };
                let mut ticket = tickets::create(conn, &new, now)?;
                if chat {
                    tickets::set_chat_waiting(conn, ticket.number, true, now)?;
                    ticket.chat_waiting_since = Some(now);
                }
                notify::ticket_created(conn, &ticket, now)?;
                let audience = audience(conn, ticket.number, false)?;
                Ok((ticket, audience))
            })
            .await?;
        self.publish(
            pb::EventKind::TicketCreated,
            ticket.number,
            &who.name,
            format!("New ticket #{}: {}", ticket.number, ticket.title),
            audience,
            now,
        );
        Ok(Response::new(conv::ticket(ticket)))
    }

    async fn list_tickets(
        &self,
        request: Request<pb::ListTicketsRequest>,
    ) -> Result<Response<pb::ListTicketsResponse>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let limit = keyset::page_size(req.page.as_ref())? as usize;
        let cursor = keyset::decode::<TicketCursor>(req.page.as_ref())?;
        let text = req.text.trim();
        at_most("text", text, Max::Chars(1000))?;
        let search = ticket_list::SearchText::parse(text);
        if !text.is_empty() && search.is_none() {
            // Nothing searchable (only punctuation): nothing matches.
            return Ok(Response::new(pb::ListTicketsResponse::default()));
        }
        let status = match validate::known::<pb::TicketStatus>("status", req.status)? {
            pb::TicketStatus::Unspecified => None,
            s => convert::status_from_pb(s),
        };
        let mut filter = TicketFilter {
            text: search.as_ref().map(ticket_list::SearchText::native),
            status_group: conv::status_group_from_pb(validate::known(
                "status_group",
                req.status_group,
            )?),
            status,
            number: input::optional_id("number", req.number)?,
            contact_id: input::optional_id("contact_id", req.contact_id)?,
            priority: validate::priority("priority", req.priority, false)?,
            service_type_id: input::optional_id("service_type_id", req.service_type_id)?,
            created: validate::date_range(
                ("created_from", &req.created_from),
                ("created_to", &req.created_to),
            )?,
            updated: validate::date_range(
                ("updated_from", &req.updated_from),
                ("updated_to", &req.updated_to),
            )?,
            company_id: input::optional_id("company_id", req.company_id)?,
            assigned_staff_id: input::optional_id("assigned_staff_id", req.assigned_staff_id)?,
            unassigned: req.unassigned,
            breached_at: req.breached.then_some(now_ms()),
            chat_waiting: req.chat_waiting,
        };
        let (sort, descending) = conv::order_from_pb(
            validate::known("sort", req.sort)?,
            req.descending,
            filter.text.is_some(),
        );
        let p = who.principal;
        // Before the read begins (store::list_counts).
        let counts = self.state.store.list_counts();
        let terms = self.state.store.search_terms();
        let page = self
            .state
            .read(move |conn| {
                let scope = scope(conn, &p)?;
                if let Some(search) = &search {
                    filter.text = Some(terms.query(conn, search)?);
                }
                Ok(ticket_list::list(
                    conn,
                    &counts,
                    &scope,
                    &filter,
                    sort,
                    descending,
                    cursor.as_ref(),
                    limit,
                )?)
            })
            .await?;
        Ok(Response::new(pb::ListTicketsResponse {
            tickets: page.tickets.into_iter().map(conv::ticket).collect(),
            next_cursor: page.next.as_ref().map(keyset::encode).unwrap_or_default(),
            total: page.total,
            total_is_lower_bound: page.total_is_lower_bound,
        }))
    }

    async fn get_ticket(
        &self,
        request: Request<pb::GetTicketRequest>,
    ) -> Result<Response<pb::TicketDetail>, Status> {
        let p = caller(&request)?.principal.clone();
        let number = validate::number(request.get_ref().number)?;
        let detail = self.state.read_inline(|conn| {
            let head = tickets::head(conn, number, Some(&p))?.ok_or(Denied::NotFound)?;
            policy::view_ticket(&p, &head.facts)?;
            let internal = policy::sees_internal_notes(&p);
            let (entries, more) =
                timeline::page(conn, number, None, keyset::DEFAULT_PAGE as usize, internal)?;
            let timeline_cursor = timeline_cursor(&entries, more);
            // Most tickets have no tasks, attachments or subscribers: those
            // lists are read only when the head says there is something.
            let tasks = if head.has_tasks {
                tasks::list(conn, number)?
            } else {
                Vec::new()
            };
            let attachments = if head.has_attachments {
                store::attachments::list(conn, number)?
            } else {
                Vec::new()
            };
            let subscribers = if head.has_subscribers {
                subscribers::list(conn, number)?
            } else {
                Vec::new()
            };
            // Only a closed ticket has a rating to read.
            let rating = if head.facts.status == TicketStatus::Closed {
                store::ratings::get(conn, number)?
            } else {
                None
            };
            let mut permissions = permissions(&p, &head.facts);
            permissions.can_rate = rating.is_none()
                && policy::rate_ticket(&p, &head.facts).is_ok()
                && head.facts.status == TicketStatus::Closed;
            let (contact_phone, contact_email) = if policy::sees_internal_notes(&p) {
                tickets::reach(conn, number)?
            } else {
                Default::default()
            };
            Ok(pb::TicketDetail {
                contact_phone,
                contact_email,
                permissions: Some(permissions),
                rating: rating.map(conv::rating),
                ticket: Some(conv::ticket(head.ticket)),
                timeline: entries.into_iter().map(conv::timeline_entry).collect(),
                timeline_cursor,
                tasks: tasks.into_iter().map(conv::task).collect(),
                attachments: attachments.into_iter().map(conv::attachment).collect(),
                subscribers: subscribers.into_iter().map(conv::subscriber).collect(),
            })
        })?;
        Ok(Response::new(detail))
    }

    async fn get_timeline(
        &self,
        request: Request<pb::GetTimelineRequest>,
    ) -> Result<Response<pb::GetTimelineResponse>, Status> {
        let p = caller(&request)?.principal.clone();
        let req = request.get_ref();
        let number = validate::number(req.number)?;
        let limit = keyset::page_size(req.page.as_ref())? as usize;
        let before = keyset::decode::<i64>(req.page.as_ref())?;
        let (entries, more) = self.state.read_inline(|conn| {
            visible(conn, number, &p)?;
            let internal = policy::sees_internal_notes(&p);
            Ok(timeline::page(conn, number, before, limit, internal)?)
        })?;
        Ok(Response::new(pb::GetTimelineResponse {
            next_cursor: timeline_cursor(&entries, more),
            entries: entries.into_iter().map(conv::timeline_entry).collect(),
        }))
    }

    async fn add_post(
        &self,
        request: Request<pb::AddPostRequest>,
    ) -> Result<Response<pb::TimelineEntry>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let kind = conv::post_kind(validate::known("kind", req.kind)?);
        let body = input::long_text("body", &req.body, true)?;
        let now = now_ms();
        let by = author(&who);
        let internal = kind == TimelineKind::InternalNote;
        let chat = req.chat;
        let entry = self
            .change(&who, number, now, move |conn, p, facts| {
                if internal {
                    policy::internal_note(p, facts)?;
                } else {
                    policy::post(p, facts)?;
                }
                let entry = timeline::append(conn, number, &by, Change::post(kind, &body), now)?;
                // docs/TICKETS.md, "Chat": a client's chat message waits
                // for staff; any public post by staff answers it.
                if chat && by.kind == AuthorKind::Contact {
                    tickets::set_chat_waiting(conn, number, true, now)?;
                }
                let back = if by.kind == AuthorKind::Contact {
                    back_with_us(conn, number, facts.status, now)?
                } else {
                    ""
                };
                if by.kind == AuthorKind::Staff && !internal {
                    tickets::set_chat_waiting(conn, number, false, now)?;
                    tickets::mark_responded(conn, number, now)?;
                    let ticket = tickets::load(conn, number)?;
                    notify::staff_post(conn, &ticket, &by.name, &body, now)?;
                }
                let what = match kind {
                    TimelineKind::Resolution => "a resolution",
                    TimelineKind::InternalNote => "an internal note",
                    _ if chat => "a chat message",
                    _ => "a post",
                };
                let summary = format!("{} added {what} to #{number}{back}", by.name);
                Ok(Applied {
                    staff_only: internal,
                    ..Applied::changed(entry, pb::EventKind::PostAdded, summary)
                })
            })
            .await?;
        Ok(Response::new(conv::timeline_entry(entry)))
    }

    async fn change_status(
        &self,
        request: Request<pb::ChangeStatusRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let to = convert::status_from_pb(validate::known("status", req.status)?)
            .ok_or_else(|| invalid("status", "required"))?;
        let note = input::long_text("note", &req.note, false)?;
        let now = now_ms();
        let by = author(&who);
        let ticket = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::change_status(p, facts)?;
                let allowed = policy::allowed_statuses(p, facts);
                if !allowed.contains(&to) {
                    return Err(StoreError::FailedPrecondition(illegal_move(
                        facts.status,
                        to,
                        allowed,
                    ))
                    .into());
                }
                if note.is_empty() && policy::move_needs_note(p, facts.status, to) {
                    return Err(
                        StoreError::invalid("note", "say why the work is not complete").into(),
                    );
                }
                let mover = match p {
                    Principal::Staff { .. } => Mover::Staff,
                    Principal::Contact { .. } => Mover::Other,
                };
                tickets::set_status(conn, number, to, mover, now)?;
                let change = Change {
                    kind: TimelineKind::StatusChange,
                    body: &note,
                    from: facts.status.label(),
                    to: to.label(),
                };
                let from = facts.status.label();
                let applied = recorded(conn, number, (&by, change, now), |ticket| {
                    format!("#{number} moved from {from} to {}", ticket.status.label())
                })?;
                if by.kind == AuthorKind::Staff {
                    let change = (facts.status, by.name.as_str(), note.as_str());
                    notify::status_changed(conn, &applied.result, change, now)?;
                }
                Ok(applied)
            })
            .await?;
        Ok(Response::new(conv::ticket(ticket)))
    }

    async fn set_priority(
        &self,
        request: Request<pb::SetPriorityRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let priority =
            validate::priority("priority", req.priority, true)?.unwrap_or(DEFAULT_PRIORITY);
        let note = input::long_text("note", &req.note, false)?;
        let now = now_ms();
        let by = author(&who);
        let ticket = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::set_priority_or_assign(p, facts)?;
                let before = tickets::load(conn, number)?;
                if before.priority == priority {
                    return Ok(Applied::unchanged(before));
                }
                tickets::set_priority(conn, number, priority, now)?;
                let change = Change {
                    kind: TimelineKind::PriorityChange,
                    body: &note,
                    from: &priority_label(before.priority),
                    to: &priority_label(priority),
                };
                recorded(conn, number, (&by, change, now), |ticket| {
                    format!(
                        "#{number} priority {} → {}",
                        priority_label(before.priority),
                        priority_label(ticket.priority)
                    )
                })
            })
            .await?;
        Ok(Response::new(conv::ticket(ticket)))
    }

    async fn assign(
        &self,
        request: Request<pb::AssignRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let staff_id = input::optional_id("staff_id", req.staff_id)?;
        let board = input::text("board", &req.board, 50, false)?;
        let now = now_ms();
        let by = author(&who);
        let ticket = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::set_priority_or_assign(p, facts)?;
                let to_name = match staff_id {
                    Some(id) => tickets::active_staff_name(conn, id)?.ok_or_else(|| {
                        StoreError::invalid("staff_id", "no such active staff member")
                    })?,
                    None => "Unassigned".to_owned(),
                };
                let before = tickets::load(conn, number)?;
                let board = if board.is_empty() {
                    before.board.clone()
                } else {
                    board
                };
                if before.assigned_staff_id == staff_id && before.board == board {
                    return Ok(Applied::unchanged(before));
                }
                tickets::assign(conn, number, staff_id, &board, now)?;
                let from_name = if before.assigned_staff_id.is_some() {
                    before.assigned_staff_name.clone()
                } else {
                    "Unassigned".to_owned()
                };
                let note = if before.board == board {
                    String::new()
                } else {
                    format!("Board: {} → {board}", before.board)
                };
                let change = Change {
                    kind: TimelineKind::AssignmentChange,
                    body: &note,
                    from: &from_name,
                    to: &to_name,
                };
                let newly = staff_id.filter(|_| before.assigned_staff_id != staff_id);
                let applied = recorded(conn, number, (&by, change, now), |ticket| {
                    format!("#{number} assigned to {to_name} ({})", ticket.board)
                })?;
                Ok(applied.assigning(newly))
            })
            .await?;
        Ok(Response::new(conv::ticket(ticket)))
    }

    async fn add_assignee(
        &self,
        request: Request<pb::AssigneeRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        self.set_assignee(request, true).await
    }

    async fn remove_assignee(
        &self,
        request: Request<pb::AssigneeRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        self.set_assignee(request, false).await
    }

    async fn list_saved_views(
        &self,
        request: Request<pb::ListSavedViewsRequest>,
    ) -> Result<Response<pb::ListSavedViewsResponse>, Status> {
        let owner = policy::saved_views_owner(&caller(&request)?.principal)?;
        let views = self
            .state
            .read(move |conn| Ok(saved_views::list(conn, owner)?))
            .await?;
        Ok(Response::new(pb::ListSavedViewsResponse {
            views: views.into_iter().map(conv::saved_view).collect(),
        }))
    }

    async fn save_view(
        &self,
        request: Request<pb::SaveViewRequest>,
    ) -> Result<Response<pb::SavedView>, Status> {
        let owner = policy::saved_views_owner(&caller(&request)?.principal)?;
        let view = validate::saved_view(&request.into_inner().view.unwrap_or_default())?;
        let now = now_ms();
        let saved = self
            .state
            .write(move |conn| {
                if let Some(id) = view.company_id {
                    companies::get(conn, id).map_err(|e| match e {
                        StoreError::NotFound => {
                            StoreError::invalid("view.company_id", "no such company")
                        }
                        e => e,
                    })?;
                }
                Ok(saved_views::save(conn, owner, &view, now)?.ok_or_else(|| {
                    StoreError::invalid(
                        "view.name",
                        format!(
                            "at most {} saved views; delete one first",
                            saved_views::MAX_PER_STAFF
                        ),
                    )
                })?)
            })
            .await?;
        Ok(Response::new(conv::saved_view(saved)))
    }

    async fn delete_saved_view(
        &self,
        request: Request<pb::DeleteSavedViewRequest>,
    ) -> Result<Response<pb::DeleteSavedViewResponse>, Status> {
        let owner = policy::saved_views_owner(&caller(&request)?.principal)?;
        let id = input::id("id", request.into_inner().id)?;
        self.state
            .write(move |conn| {
                if saved_views::delete(conn, owner, id)? {
                    Ok(())
                } else {
                    Err(Denied::NotFound.into())
                }
            })
            .await?;
        Ok(Response::new(pb::DeleteSavedViewResponse {}))
    }

    async fn add_subscriber(
        &self,
        request: Request<pb::SubscriberRequest>,
    ) -> Result<Response<pb::SubscribersResponse>, Status> {
        self.set_subscriber(request, true).await
    }

    async fn remove_subscriber(
        &self,
        request: Request<pb::SubscriberRequest>,
    ) -> Result<Response<pb::SubscribersResponse>, Status> {
        self.set_subscriber(request, false).await
    }

    async fn add_task(
        &self,
        request: Request<pb::AddTaskRequest>,
    ) -> Result<Response<pb::Task>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let text = input::text("text", &req.text, 500, true)?;
        let now = now_ms();
        let task = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::manage_tasks(p, facts)?;
                let task = tasks::add(conn, number, &text, now)?;
                let summary = format!("Task added to #{number}: {}", task.text);
                Ok(Applied::changed(task, pb::EventKind::TaskChanged, summary))
            })
            .await?;
        Ok(Response::new(conv::task(task)))
    }

    async fn set_task_done(
        &self,
        request: Request<pb::SetTaskDoneRequest>,
    ) -> Result<Response<pb::Task>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let task_id = input::id("task_id", req.task_id)?;
        let done = req.done;
        let now = now_ms();
        let name = who.name.clone();
        let task = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::manage_tasks(p, facts)?;
                let task = tasks::set_done(conn, number, task_id, done, &name, now)?
                    .ok_or(StoreError::NotFound)?;
                let summary = format!(
                    "Task on #{number} {}: {}",
                    if task.done { "done" } else { "reopened" },
                    task.text
                );
                Ok(Applied::changed(task, pb::EventKind::TaskChanged, summary))
            })
            .await?;
        Ok(Response::new(conv::task(task)))
    }

    async fn upload_attachment(
        &self,
        request: Request<tonic::Streaming<pb::UploadAttachmentRequest>>,
    ) -> Result<Response<pb::Attachment>, Status> {
        self.upload(request).await.map(Response::new)
    }

    async fn download_attachment(
        &self,
        request: Request<pb::DownloadAttachmentRequest>,
    ) -> Result<Response<BoxStream<pb::DownloadAttachmentResponse>>, Status> {
        self.download(&request)
            .map(|stream| Response::new(Box::pin(stream) as BoxStream<_>))
    }

    async fn rate_ticket(
        &self,
        request: Request<pb::RateTicketRequest>,
    ) -> Result<Response<pb::Rating>, Status> {
        self.rate(request).await.map(Response::new)
    }

    async fn list_ratings(
        &self,
        request: Request<pb::ListRatingsRequest>,
    ) -> Result<Response<pb::ListRatingsResponse>, Status> {
        self.ratings(&request).map(Response::new)
    }

    async fn list_articles(
        &self,
        request: Request<pb::ListArticlesRequest>,
    ) -> Result<Response<pb::ListArticlesResponse>, Status> {
        self.articles(&request).map(Response::new)
    }

    async fn get_article(
        &self,
        request: Request<pb::GetArticleRequest>,
    ) -> Result<Response<pb::Article>, Status> {
        self.article(&request).map(Response::new)
    }

    async fn create_article(
        &self,
        request: Request<pb::CreateArticleRequest>,
    ) -> Result<Response<pb::Article>, Status> {
        self.new_article(request).await.map(Response::new)
    }

    async fn update_article(
        &self,
        request: Request<pb::UpdateArticleRequest>,
    ) -> Result<Response<pb::Article>, Status> {
        self.edit_article(request).await.map(Response::new)
    }

    async fn archive_article(
        &self,
        request: Request<pb::ArchiveArticleRequest>,
    ) -> Result<Response<pb::Article>, Status> {
        self.archive_or_restore(request).await.map(Response::new)
    }

    async fn export_ticket(
        &self,
        request: Request<pb::ExportTicketRequest>,
    ) -> Result<Response<BoxStream<pb::ExportTicketResponse>>, Status> {
        self.export(request)
            .await
            .map(|stream| Response::new(Box::pin(stream) as BoxStream<_>))
    }
}

impl Tickets {
    /// Adds or removes another assignee (docs/TICKETS.md, "Assignees").
    async fn set_assignee(
        &self,
        request: Request<pb::AssigneeRequest>,
        add: bool,
    ) -> Result<Response<pb::Ticket>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let staff_id = input::id("staff_id", req.staff_id)?;
        let now = now_ms();
        let by = author(&who);
        let ticket = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::set_priority_or_assign(p, facts)?;
                let before = tickets::load(conn, number)?;
                let name = if add {
                    let name = tickets::active_staff_name(conn, staff_id)?.ok_or_else(|| {
                        StoreError::invalid("staff_id", "no such active staff member")
                    })?;
                    let refusal = if before.assigned_staff_id.is_none() {
                        Some("the ticket has no primary assignee: assign one first")
                    } else if before.assigned_staff_id == Some(staff_id) {
                        Some("already the primary assignee")
                    } else if before
                        .other_assignees
                        .iter()
                        .any(|a| a.staff_id == staff_id)
                    {
                        Some("already assigned")
                    } else {
                        None
                    };
                    if let Some(why) = refusal {
                        return Err(StoreError::invalid("staff_id", why).into());
                    }
                    name
                } else {
                    before
                        .other_assignees
                        .iter()
                        .find(|a| a.staff_id == staff_id)
                        .map(|a| a.name.clone())
                        .ok_or_else(|| {
                            StoreError::invalid("staff_id", "not one of the other assignees")
                        })?
                };
                assignees::set(conn, number, staff_id, add, now)?;
                tickets::touch(conn, number, now)?;
                let after = tickets::load(conn, number)?;
                let note = if add {
                    format!("{name} added")
                } else {
                    format!("{name} removed")
                };
                let change = Change {
                    kind: TimelineKind::AssignmentChange,
                    body: &note,
                    from: &before.assigned_label(),
                    to: &after.assigned_label(),
                };
                let applied = recorded(conn, number, (&by, change, now), |ticket| {
                    format!("#{number} assigned to {}", ticket.assigned_label())
                })?;
                Ok(applied.assigning(add.then_some(staff_id)))
            })
            .await?;
        Ok(Response::new(conv::ticket(ticket)))
    }

    async fn set_subscriber(
        &self,
        request: Request<pb::SubscriberRequest>,
        subscribe: bool,
    ) -> Result<Response<pb::SubscribersResponse>, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let contact_id = input::id("contact_id", req.contact_id)?;
        let now = now_ms();
        let name = who.name.clone();
        let list = self
            .change(&who, number, now, move |conn, p, facts| {
                let standing = subscribers::standing(conn, facts.company_id, contact_id)?;
                if subscribe {
                    policy::add_subscriber(p, facts, standing)?;
                } else {
                    let subscribed = subscribers::is_subscribed(conn, number, contact_id)?;
                    policy::remove_subscriber(p, facts, standing, subscribed)?;
                }
                if !subscribers::set(conn, number, contact_id, subscribe)? {
                    return Ok(Applied::unchanged(subscribers::list(conn, number)?));
                }
                tickets::touch(conn, number, now)?;
                let summary = format!("Subscribers of #{number} changed by {name}");
                Ok(Applied::changed(
                    subscribers::list(conn, number)?,
                    pb::EventKind::TicketUpdated,
                    summary,
                ))
            })
            .await?;
        Ok(Response::new(pb::SubscribersResponse {
            subscribers: list.into_iter().map(conv::subscriber).collect(),
        }))
    }
}
