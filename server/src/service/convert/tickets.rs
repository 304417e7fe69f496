//! Tickets, the catalog and figures: domain <-> pb.

use portal_proto::pb;
use tonic::Status;

use super::{opt_timestamp, status_to_pb, timestamp};
use crate::domain::StatusGroup;
use crate::domain::sla::{self, DeadlineKind, SlaState, WhoseMove};
use crate::domain::tickets::{
    Attachment, FieldDef, FieldKind, FieldValue, SavedView, ServiceType, Subscriber, Task, Ticket,
    TicketSort, TicketStats, TimelineEntry, TimelineKind,
};
use crate::service::input;
use crate::service::status::invalid;

/// A ticket as replies carry it, its SLA state as of now.
pub fn ticket(t: Ticket) -> pb::Ticket {
    let state = sla::state_at(t.next_due_at, t.next_risk_at, crate::store::now_ms());
    pb::Ticket {
        number: t.number,
        company_id: t.company_id,
        company_name: t.company_name,
        site_id: t.site_id.unwrap_or(0),
        site_name: t.site_name,
        contact_id: t.contact_id,
        contact_name: t.contact_name,
        title: t.title,
        description: t.description,
        service_type_id: t.service_type_id,
        service_type_name: t.service_type_name,
        fields: t.fields.into_iter().map(field_value).collect(),
        priority: t.priority,
        status: status_to_pb(t.status).into(),
        emergency: t.emergency,
        due_date: t.due_date.unwrap_or_default(),
        po_number: t.po_number,
        board: t.board,
        assigned_staff_id: t.assigned_staff_id.unwrap_or(0),
        assigned_staff_name: t.assigned_staff_name,
        created_at: Some(timestamp(t.created_at)),
        updated_at: Some(timestamp(t.updated_at)),
        responded_at: opt_timestamp(t.responded_at),
        completed_at: opt_timestamp(t.completed_at),
        closed_at: opt_timestamp(t.closed_at),
        response_due_at: opt_timestamp(t.response_due_at),
        resolution_due_at: opt_timestamp(t.resolution_due_at),
        next_due_kind: match t.next_due_kind {
            None => pb::SlaDeadline::None,
            Some(DeadlineKind::Response) => pb::SlaDeadline::Response,
            Some(DeadlineKind::Resolution) => pb::SlaDeadline::Resolution,
        }
        .into(),
        next_due_at: opt_timestamp(t.next_due_at),
        sla_state: match state {
            SlaState::None => pb::SlaState::None,
            SlaState::OnTime => pb::SlaState::OnTime,
            SlaState::AtRisk => pb::SlaState::AtRisk,
            SlaState::Breached => pb::SlaState::Breached,
        }
        .into(),
        whose_move: match sla::whose_move(t.status) {
            WhoseMove::Nobody => pb::WhoseMove::Nobody,
            WhoseMove::Provider => pb::WhoseMove::Provider,
            WhoseMove::Client => pb::WhoseMove::Client,
        }
        .into(),
        next_risk_at: opt_timestamp(t.next_risk_at),
        chat_waiting_since: opt_timestamp(t.chat_waiting_since),
        other_assignees: t
            .other_assignees
            .into_iter()
            .map(|a| pb::Assignee {
                staff_id: a.staff_id,
                name: a.name,
            })
            .collect(),
    }
}

fn field_value(v: FieldValue) -> pb::FieldValue {
    pb::FieldValue {
        key: v.key,
        value: v.value,
    }
}

pub fn field_values(values: Vec<pb::FieldValue>) -> Vec<FieldValue> {
    values
        .into_iter()
        .map(|v| FieldValue {
            key: v.key,
            value: v.value,
        })
        .collect()
}

fn timeline_kind(k: TimelineKind) -> pb::TimelineKind {
    match k {
        TimelineKind::Discussion => pb::TimelineKind::Discussion,
        TimelineKind::Resolution => pb::TimelineKind::Resolution,
        TimelineKind::InternalNote => pb::TimelineKind::InternalNote,
        TimelineKind::StatusChange => pb::TimelineKind::StatusChange,
        TimelineKind::PriorityChange => pb::TimelineKind::PriorityChange,
        TimelineKind::AssignmentChange => pb::TimelineKind::AssignmentChange,
        TimelineKind::Estimate => pb::TimelineKind::Estimate,
        TimelineKind::Rating => pb::TimelineKind::Rating,
    }
}

pub fn post_kind(k: pb::PostKind) -> TimelineKind {
    match k {
        pb::PostKind::Unspecified | pb::PostKind::Discussion => TimelineKind::Discussion,
        pb::PostKind::Resolution => TimelineKind::Resolution,
        pb::PostKind::InternalNote => TimelineKind::InternalNote,
    }
}

pub fn timeline_entry(e: TimelineEntry) -> pb::TimelineEntry {
    pb::TimelineEntry {
        id: e.id,
        kind: timeline_kind(e.kind).into(),
        at: Some(timestamp(e.at)),
        author_name: e.author_name,
        author_is_staff: e.author_is_staff,
        body: e.body,
        from_value: e.from_value,
        to_value: e.to_value,
    }
}

pub fn task(t: Task) -> pb::Task {
    pb::Task {
        id: t.id,
        text: t.text,
        done: t.done,
        done_by: t.done_by,
        done_at: opt_timestamp(t.done_at),
        created_at: Some(timestamp(t.created_at)),
    }
}

pub fn attachment(a: Attachment) -> pb::Attachment {
    pb::Attachment {
        id: a.id,
        ticket_number: a.ticket_id,
        title: a.title,
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        uploaded_by: a.uploaded_by,
        uploaded_at: Some(timestamp(a.uploaded_at)),
    }
}

pub fn subscriber(s: Subscriber) -> pb::Subscriber {
    pb::Subscriber {
        contact_id: s.contact_id,
        name: s.name,
        email: s.email,
    }
}

fn field_kind_to_pb(k: FieldKind) -> pb::FieldKind {
    match k {
        FieldKind::Text => pb::FieldKind::Text,
        FieldKind::Multiline => pb::FieldKind::Multiline,
        FieldKind::Date => pb::FieldKind::Date,
        FieldKind::Choice => pb::FieldKind::Choice,
        FieldKind::YesNo => pb::FieldKind::YesNo,
    }
}

fn field_kind_from_pb(k: pb::FieldKind) -> Option<FieldKind> {
    match k {
        pb::FieldKind::Unspecified => None,
        pb::FieldKind::Text => Some(FieldKind::Text),
        pb::FieldKind::Multiline => Some(FieldKind::Multiline),
        pb::FieldKind::Date => Some(FieldKind::Date),
        pb::FieldKind::Choice => Some(FieldKind::Choice),
        pb::FieldKind::YesNo => Some(FieldKind::YesNo),
    }
}

pub fn service_type(s: ServiceType) -> pb::ServiceType {
    pb::ServiceType {
        id: s.id,
        name: s.name,
        description: s.description,
        sort_order: s.sort_order,
        active: s.active,
        fields: s
            .fields
            .into_iter()
            .map(|f| pb::FieldDef {
                key: f.key,
                label: f.label,
                kind: field_kind_to_pb(f.kind).into(),
                required: f.required,
                choices: f.choices,
            })
            .collect(),
    }
}

/// A catalog entry as a provider Admin sends it; every field kind must be set.
pub fn service_type_from_pb(s: pb::ServiceType) -> Result<ServiceType, Status> {
    input::optional_id("id", s.id)?;
    let fields = s
        .fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let kind = pb::FieldKind::try_from(f.kind)
                .ok()
                .and_then(field_kind_from_pb)
                .ok_or_else(|| invalid(&format!("fields[{i}].kind"), "required"))?;
            Ok(FieldDef {
                key: f.key,
                label: f.label.trim().to_owned(),
                kind,
                required: f.required,
                choices: f.choices,
            })
        })
        .collect::<Result<_, Status>>()?;
    Ok(ServiceType {
        id: s.id,
        name: s.name.trim().to_owned(),
        description: s.description.trim().to_owned(),
        sort_order: s.sort_order,
        active: s.active,
        fields,
    })
}

/// A list's order from the request. UNSPECIFIED is by update, except for a
/// search (`searching`): newest tickets first, the order the full-text index
/// serves without sorting.
pub fn order_from_pb(s: pb::TicketSort, descending: bool, searching: bool) -> (TicketSort, bool) {
    let sort = match s {
        pb::TicketSort::Unspecified if searching => return (TicketSort::Number, true),
        pb::TicketSort::Unspecified | pb::TicketSort::Updated => TicketSort::Updated,
        pb::TicketSort::Number => TicketSort::Number,
        pb::TicketSort::Title => TicketSort::Title,
        pb::TicketSort::Status => TicketSort::Status,
        pb::TicketSort::Priority => TicketSort::Priority,
        pb::TicketSort::Contact => TicketSort::Contact,
        pb::TicketSort::Created => TicketSort::Created,
        pb::TicketSort::Company => TicketSort::Company,
        pb::TicketSort::NextDue => TicketSort::NextDue,
    };
    (sort, descending)
}

fn sort_to_pb(s: TicketSort) -> pb::TicketSort {
    match s {
        TicketSort::Number => pb::TicketSort::Number,
        TicketSort::Title => pb::TicketSort::Title,
        TicketSort::Status => pb::TicketSort::Status,
        TicketSort::Priority => pb::TicketSort::Priority,
        TicketSort::Contact => pb::TicketSort::Contact,
        TicketSort::Updated => pb::TicketSort::Updated,
        TicketSort::Created => pb::TicketSort::Created,
        TicketSort::Company => pb::TicketSort::Company,
        TicketSort::NextDue => pb::TicketSort::NextDue,
    }
}

pub fn saved_view(v: SavedView) -> pb::SavedView {
    pb::SavedView {
        id: v.id,
        name: v.name,
        unassigned: v.unassigned,
        mine: v.mine,
        company_id: v.company_id.unwrap_or(0),
        priority: v.priority.unwrap_or(0),
        breached: v.breached,
        sort: sort_to_pb(v.sort).into(),
        descending: v.descending,
    }
}

pub fn status_group_from_pb(g: pb::StatusGroup) -> Option<StatusGroup> {
    match g {
        pb::StatusGroup::Unspecified | pb::StatusGroup::All => None,
        pb::StatusGroup::Open => Some(StatusGroup::Open),
        pb::StatusGroup::Completed => Some(StatusGroup::Completed),
        pb::StatusGroup::Closed => Some(StatusGroup::Closed),
    }
}

pub fn stats(s: TicketStats) -> pb::TicketStats {
    pb::TicketStats {
        open: s.open,
        created_this_month: s.created_this_month,
        created_this_year: s.created_this_year,
        awaiting_client: s.awaiting_client,
        awaiting_rating: 0,
        by_month: s
            .by_month
            .into_iter()
            .map(|(month, created, completed)| pb::MonthCount {
                month,
                created,
                completed,
            })
            .collect(),
        by_status: s
            .by_status
            .into_iter()
            .map(|(status, count)| pb::StatusCount {
                status: status_to_pb(status).into(),
                count,
            })
            .collect(),
    }
}

/// A ticket's rating (docs/TICKETS.md, "Ratings").
pub fn rating(r: crate::domain::ratings::Rating) -> pb::Rating {
    pb::Rating {
        ticket_number: r.ticket_id,
        score: u32::try_from(r.score).unwrap_or(0),
        comment: r.comment,
        rated_at: Some(timestamp(r.rated_at)),
        contact_id: r.contact_id,
        contact_name: r.contact_name,
        company_id: r.company_id,
        company_name: r.company_name,
        staff_id: r.staff_id.unwrap_or_default(),
        staff_name: r.staff_name,
        ticket_title: r.ticket_title,
    }
}
