//! `ReportService`: ticket statistics for Home and Reports.

use portal_proto::pb::{self, report_service_client::ReportServiceClient};

use super::{Client, Res};
use crate::action::Reply;

/// What Home and the Reports tab ask.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCall {
    /// Ticket statistics over the last twelve months.
    Stats,
}

impl Client {
    pub fn reports(&self) -> ReportServiceClient<tonic::transport::Channel> {
        ReportServiceClient::new(self.channel.clone())
    }

    pub(super) async fn report_call(&self, call: ReportCall) -> Res<Reply> {
        match call {
            ReportCall::Stats => Ok(Reply::Stats(
                self.reports()
                    .ticket_stats(self.authed(pb::TicketStatsRequest {
                        company_id: 0,
                        months: 12,
                    }))
                    .await?
                    .into_inner(),
            )),
        }
    }
}
