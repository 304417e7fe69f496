//! WorkService: estimates, sign-off and time on tickets (docs/TICKETS.md
//! "Estimates" and "Sign-off", docs/MONEY.md "Time entries"). Ticket
//! changes are authorized and applied in one write, then published.

mod estimates;
mod time;
mod validate;

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::work as conv;
use super::events::TicketEvent;
use super::outcome::Outcome;
use super::tickets::{audience, visible};
use crate::domain::tickets::Author;
use crate::domain::work::utc_day;
use crate::domain::{Principal, TicketFacts};
use crate::policy::{self, TimeView};
use crate::store::{estimates as estimate_store, now_ms, signoffs, time_entries, work_settings};

pub struct Work {
    state: AppState,
}

impl Work {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// The event a change to ticket `number` makes: for everyone who may see
/// the ticket, or (`staff_only`) for staff.
fn event(
    conn: &Connection,
    (number, staff_only): (i64, bool),
    kind: pb::EventKind,
    by: &Author,
    summary: String,
    now: i64,
) -> Outcome<TicketEvent> {
    Ok(TicketEvent {
        kind,
        ticket_number: number,
        at_ms: now,
        actor_name: by.name.clone(),
        summary,
        audience: audience(conn, number, staff_only)?,
    })
}

fn staff_id(p: &Principal) -> Option<i64> {
    match p {
        Principal::Staff { staff_id, .. } => Some(*staff_id),
        Principal::Contact { .. } => None,
    }
}

fn permissions(p: &Principal, t: &TicketFacts) -> pb::WorkPermissions {
    pb::WorkPermissions {
        can_propose_estimate: policy::propose_estimate(p, t).is_ok()
            && t.status.group() != crate::domain::StatusGroup::Closed,
        can_decide_estimates: policy::decide_estimate(p, t).is_ok(),
        can_sign_off: policy::sign_off(p, t).is_ok()
            && t.status == crate::domain::TicketStatus::Completed,
        can_log_time: policy::log_time(p, t).is_ok(),
    }
}

impl Work {
    fn ticket_work(&self, p: &Principal, number: i64) -> Result<pb::TicketWork, Status> {
        let today = utc_day(now_ms());
        self.state.read_inline(|conn| {
            let facts = visible(conn, number, p)?;
            let settings = work_settings::get(conn)?;
            let view = policy::visible_time(p, settings.clients_see_time);
            let entries = match view {
                Some(view) => time_entries::list(conn, number, view == TimeView::Billable)?,
                None => Vec::new(),
            };
            let billable_minutes: i64 = entries
                .iter()
                .filter(|e| e.billable)
                .map(|e| e.minutes)
                .sum();
            let me = staff_id(p);
            Ok(pb::TicketWork {
                estimates: estimate_store::list(conn, number)?
                    .into_iter()
                    .map(|e| conv::estimate(e, &today, String::new()))
                    .collect(),
                sign_off: signoffs::get(conn, number)?.map(conv::sign_off),
                time_entries: entries
                    .into_iter()
                    .map(|e| {
                        conv::time_entry(e, me, view == Some(TimeView::Billable), String::new())
                    })
                    .collect(),
                billable_minutes: u32::try_from(billable_minutes).unwrap_or(u32::MAX),
                permissions: Some(permissions(p, &facts)),
            })
        })
    }
}

#[tonic::async_trait]
impl pb::work_service_server::WorkService for Work {
    async fn get_ticket_work(
        &self,
        request: Request<pb::TicketWorkRequest>,
    ) -> Result<Response<pb::TicketWork>, Status> {
        let p = caller(&request)?.principal.clone();
        let number = super::input::id("number", request.get_ref().number)?;
        self.ticket_work(&p, number).map(Response::new)
    }

    async fn propose_estimate(
        &self,
        request: Request<pb::ProposeEstimateRequest>,
    ) -> Result<Response<pb::Estimate>, Status> {
        self.propose(request).await.map(Response::new)
    }

    async fn decide_estimate(
        &self,
        request: Request<pb::DecideEstimateRequest>,
    ) -> Result<Response<pb::Estimate>, Status> {
        self.decide(request).await.map(Response::new)
    }

    async fn list_awaiting_estimates(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::ListAwaitingEstimatesResponse>, Status> {
        self.awaiting(&request).map(Response::new)
    }

    async fn sign_off(
        &self,
        request: Request<pb::SignOffRequest>,
    ) -> Result<Response<pb::SignOffRecord>, Status> {
        self.sign(request).await.map(Response::new)
    }

    async fn log_time(
        &self,
        request: Request<pb::LogTimeRequest>,
    ) -> Result<Response<pb::TimeEntry>, Status> {
        self.log(request).await.map(Response::new)
    }

    async fn update_time_entry(
        &self,
        request: Request<pb::UpdateTimeEntryRequest>,
    ) -> Result<Response<pb::TimeEntry>, Status> {
        self.update(request).await.map(Response::new)
    }

    async fn delete_time_entry(
        &self,
        request: Request<pb::TimeEntryRef>,
    ) -> Result<Response<pb::Empty>, Status> {
        self.delete(request).await.map(Response::new)
    }

    async fn list_my_time(
        &self,
        request: Request<pb::ListMyTimeRequest>,
    ) -> Result<Response<pb::MyTime>, Status> {
        self.my_time(&request).await.map(Response::new)
    }

    async fn get_timer(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::TimerState>, Status> {
        self.timer(&request).map(Response::new)
    }

    async fn start_timer(
        &self,
        request: Request<pb::StartTimerRequest>,
    ) -> Result<Response<pb::TimerState>, Status> {
        self.start(&request).await.map(Response::new)
    }

    async fn stop_timer(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::TimerState>, Status> {
        self.stop(&request).await.map(Response::new)
    }

    async fn list_work_types(
        &self,
        request: Request<pb::ListWorkTypesRequest>,
    ) -> Result<Response<pb::ListWorkTypesResponse>, Status> {
        self.work_types(&request).map(Response::new)
    }

    async fn create_work_type(
        &self,
        request: Request<pb::CreateWorkTypeRequest>,
    ) -> Result<Response<pb::WorkType>, Status> {
        self.create_type(&request).await.map(Response::new)
    }

    async fn rename_work_type(
        &self,
        request: Request<pb::RenameWorkTypeRequest>,
    ) -> Result<Response<pb::WorkType>, Status> {
        self.rename_type(&request).await.map(Response::new)
    }

    async fn set_work_type_active(
        &self,
        request: Request<pb::SetWorkTypeActiveRequest>,
    ) -> Result<Response<pb::WorkType>, Status> {
        self.retire_type(&request).await.map(Response::new)
    }

    async fn get_work_settings(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::WorkSettings>, Status> {
        self.settings(&request, None).await.map(Response::new)
    }

    async fn set_work_settings(
        &self,
        request: Request<pb::WorkSettings>,
    ) -> Result<Response<pb::WorkSettings>, Status> {
        let on = request.get_ref().clients_see_time;
        self.settings(&request, Some(on)).await.map(Response::new)
    }
}
