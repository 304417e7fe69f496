//! ReportService.

use portal_proto::pb;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::reports;
use super::convert::tickets as conv;
use super::input;
use super::status::invalid;
use crate::domain::money::zone_day;
use crate::domain::reports::{Period, ReportKind, Table};
use crate::domain::{Principal, TicketScope};
use crate::policy;
use crate::store::ratings::{self, SatisfactionBy};
use crate::store::ticket_reports::{self, Breakdown, Scope, SlaBy};
use crate::store::{self, billing_settings, money_reports, now_ms, tickets, time_reports};
use chrono::{TimeZone, Utc};
use rusqlite::Connection;

/// Home asks a requester to rate the tickets closed this long ago at most.
const RATE_WITHIN_MS: i64 = 30 * 86_400_000;

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
                let stats = store::reports::ticket_stats(conn, &scope, company_id, months, now)?;
                // A requester's closed tickets still to rate (docs/TICKETS.md, "Ratings").
                let awaiting = match p {
                    Principal::Contact { contact_id, .. } => {
                        ratings::awaiting(conn, contact_id, now - RATE_WITHIN_MS)?
                    }
                    Principal::Staff { .. } => 0,
                };
                Ok((stats, awaiting))
            })
            .await?;
        let (stats, awaiting_rating) = stats;
        Ok(Response::new(pb::TicketStats {
            awaiting_rating,
            ..conv::stats(stats)
        }))
    }

    /// One report as a table (docs/REPORTS.md).
    async fn get_report(
        &self,
        request: Request<pb::ReportRequest>,
    ) -> Result<Response<pb::Report>, Status> {
        let p = caller(&request)?.principal.clone();
        let req = request.get_ref();
        let kind = reports::kind_from_pb(req.kind)?;
        let company_id = input::optional_id("company_id", req.company_id)?;
        let now = now_ms();
        let today = Utc
            .timestamp_millis_opt(now)
            .single()
            .unwrap_or_default()
            .date_naive();
        let period = Period::parse(&req.from, &req.to, today)?;
        let company = policy::report(&p, kind.subject(), company_id)?;
        let table = self
            .state
            .store
            .read(move |conn| {
                if let Some(id) = company {
                    // A company that does not exist answers not found.
                    store::companies::get(conn, id)?;
                }
                report(conn, kind, company, period, now)
            })
            .await?;
        Ok(Response::new(reports::report(
            req.kind, period, company, table,
        )))
    }
}

/// The store query behind each report.
fn report(
    conn: &Connection,
    kind: ReportKind,
    company: Option<i64>,
    period: Period,
    now: i64,
) -> store::Result<Table> {
    let scope = Scope::new(company, period);
    let breakdown = |by| ticket_reports::breakdown(conn, &scope, by);
    match kind {
        ReportKind::RequestsByMonth => ticket_reports::requests_by_month(conn, company, period.to),
        ReportKind::ByStatus => breakdown(Breakdown::Status),
        ReportKind::ByPriority => breakdown(Breakdown::Priority),
        ReportKind::ByServiceType => breakdown(Breakdown::ServiceType),
        ReportKind::BySite => breakdown(Breakdown::Site),
        ReportKind::ByContact => breakdown(Breakdown::Contact),
        ReportKind::SlaByMonth => {
            ticket_reports::sla_compliance(conn, &scope, period, SlaBy::Month, now)
        }
        ReportKind::SlaByPriority => {
            ticket_reports::sla_compliance(conn, &scope, period, SlaBy::Priority, now)
        }
        ReportKind::ResponseTimes => ticket_reports::response_times(conn, &scope, now),
        ReportKind::OpenAging => ticket_reports::open_aging(conn, company, now),
        ReportKind::TimeLogged => time_reports::time_logged(conn, company, period),
        ReportKind::SatisfactionByMonth => {
            ratings::satisfaction(conn, company, period, SatisfactionBy::Month)
        }
        ReportKind::SatisfactionByTechnician => {
            ratings::satisfaction(conn, company, period, SatisfactionBy::Technician)
        }
        ReportKind::SatisfactionByCompany => {
            ratings::satisfaction(conn, company, period, SatisfactionBy::Company)
        }
        ReportKind::AgreementHours | ReportKind::InvoiceAging => {
            // Money goes by the provider's zone's days (docs/MONEY.md).
            let zone = billing_settings::get(conn)?.zone;
            let today = zone_day(zone, now);
            if kind == ReportKind::AgreementHours {
                money_reports::agreement_hours(conn, company, period, zone, today)
            } else {
                money_reports::invoice_aging(conn, company, today)
            }
        }
    }
}
