//! Bad input to the queue's calls (other assignees, saved views): each bad
//! field is named and nothing changes.

use portal_proto::pb;

use super::{Case, Fixture, long};

/// What the queue cases need: a Harbor ticket assigned to Tom with Raj as
/// another assignee, the inactive Gus, and one of Dina's saved views.
pub struct QueueFixture {
    pub ticket: i64,
    pub tom: i64,
    pub raj: i64,
    pub gus: i64,
}

impl QueueFixture {
    pub async fn new(f: &Fixture) -> anyhow::Result<Self> {
        let staff = f
            .dina
            .staff()
            .list_staff(pb::ListStaffRequest {
                include_inactive: true,
                page: None,
            })
            .await?
            .into_inner()
            .staff;
        let id = |first: &str| {
            staff
                .iter()
                .find(|s| s.first_name == first)
                .map(|s| s.id)
                .ok_or_else(|| anyhow::anyhow!("no staff member {first}"))
        };
        let (tom, raj, gus) = (id("Tom")?, id("Raj")?, id("Gus")?);
        let t = f.dina.tickets();
        let ticket = t
            .clone()
            .create_ticket(pb::CreateTicketRequest {
                title: "Queue input".into(),
                description: "x".into(),
                service_type_id: f.service_type,
                company_id: f.harbor,
                contact_id: f.alice_id,
                ..Default::default()
            })
            .await?
            .into_inner()
            .number;
        t.clone()
            .assign(pb::AssignRequest {
                number: ticket,
                staff_id: tom,
                board: String::new(),
            })
            .await?;
        t.clone()
            .add_assignee(pb::AssigneeRequest {
                number: ticket,
                staff_id: raj,
            })
            .await?;
        Ok(Self {
            ticket,
            tom,
            raj,
            gus,
        })
    }
}

#[rustfmt::skip]
pub fn queue_cases(f: &Fixture, q: &QueueFixture, cases: &mut Vec<Case>) {
    let dina = || f.dina.tickets();
    let who = |number: i64, staff_id: i64| pb::AssigneeRequest { number, staff_id };
    let number = q.ticket;
    case!(cases, "AddAssignee", "number", "0", dina(), add_assignee, who(0, q.raj));
    case!(cases, "AddAssignee", "staff_id", "0", dina(), add_assignee, who(number, 0));
    case!(cases, "AddAssignee", "staff_id", "-1", dina(), add_assignee, who(number, -1));
    case!(cases, "AddAssignee", "staff_id", "unknown", dina(), add_assignee, who(number, 9_999_999));
    case!(cases, "AddAssignee", "staff_id", "inactive", dina(), add_assignee, who(number, q.gus));
    case!(cases, "AddAssignee", "staff_id", "the primary", dina(), add_assignee, who(number, q.tom));
    case!(cases, "AddAssignee", "staff_id", "already assigned", dina(), add_assignee, who(number, q.raj));
    case!(cases, "RemoveAssignee", "staff_id", "0", dina(), remove_assignee, who(number, 0));
    case!(cases, "RemoveAssignee", "staff_id", "the primary", dina(), remove_assignee, who(number, q.tom));
    case!(cases, "RemoveAssignee", "staff_id", "not assigned", dina(), remove_assignee, who(number, q.gus));

    let view = |g: &dyn Fn(&mut pb::SavedView)| {
        let mut v = pb::SavedView {
            name: "Breached, mine".into(),
            mine: true,
            breached: true,
            sort: pb::TicketSort::NextDue.into(),
            ..Default::default()
        };
        g(&mut v);
        pb::SaveViewRequest { view: Some(v) }
    };
    case!(cases, "SaveView", "view.name", "blank", dina(), save_view, view(&|v| v.name = "  ".into()));
    case!(cases, "SaveView", "view.name", "41 characters", dina(), save_view, view(&|v| v.name = long(41)));
    case!(cases, "SaveView", "view.name", "control character", dina(), save_view, view(&|v| v.name = "Mine\x1b".into()));
    case!(cases, "SaveView", "view.priority", "9", dina(), save_view, view(&|v| v.priority = 9));
    case!(cases, "SaveView", "view.company_id", "-1", dina(), save_view, view(&|v| v.company_id = -1));
    case!(cases, "SaveView", "view.company_id", "unknown", dina(), save_view, view(&|v| v.company_id = 9_999_999));
    case!(cases, "SaveView", "view.sort", "unknown 99", dina(), save_view, view(&|v| v.sort = 99));
    case!(cases, "DeleteSavedView", "id", "0", dina(), delete_saved_view, pb::DeleteSavedViewRequest { id: 0 });
}
