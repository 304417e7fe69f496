//! ReportService.

use portal_proto::pb;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::tickets as conv;
use super::input;
use super::status::invalid;
use crate::domain::{Principal, TicketScope};
use crate::policy;
use crate::store::{self, now_ms, tickets};

pub struct Reports {
    state: AppState,
}

impl Reports {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::report_service_server::ReportService for Reports {
    /// Figures over the tickets the caller may see.
    async fn ticket_stats(
        &self,
        request: Request<pb::TicketStatsRequest>,
    ) -> Result<Response<pb::TicketStats>, Status> {
        let p = caller(&request)?.principal.clone();
        let req = request.get_ref();
        let months = match req.months {
            0 => 12,
            n @ 1..=36 => n,
            _ => return Err(invalid("months", "at most 36")),
        };
        let company_id = input::optional_id("company_id", req.company_id)?;
        policy::ticket_stats(&p, company_id)?;
        let now = now_ms();
        let stats = self
            .state
            .store
            .read(move |conn| {
                let scope = match &p {
                    Principal::Contact { company_id, .. } => {
                        let see_all = tickets::company_prefs(conn, *company_id)?
                            .is_some_and(|c| c.users_see_all);
                        policy::ticket_scope(&p, see_all)
                    }
                    Principal::Staff { .. } => TicketScope::All,
                };
                store::reports::ticket_stats(conn, &scope, company_id, months, now)
            })
            .await?;
        Ok(Response::new(conv::stats(stats)))
    }
}
