//! `ReportService`: Home's ticket statistics and the Reports tab's reports.

use std::path::PathBuf;

use portal_proto::pb::{self, report_service_client::ReportServiceClient};
use tokio::io::AsyncWriteExt;

use super::{Client, Res};
use crate::action::Reply;
use crate::local_files;

/// What Home and the Reports tab ask.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCall {
    /// Ticket statistics over the last twelve months.
    Stats,
    /// One report (docs/REPORTS.md).
    Get(pb::ReportRequest),
    /// Writes a report's CSV to a new file (never over an existing one).
    SaveCsv { csv: String, path: PathBuf },
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
            ReportCall::Get(request) => Ok(Reply::Report {
                report: self
                    .reports()
                    .get_report(self.authed(request.clone()))
                    .await?
                    .into_inner(),
                request,
            }),
            ReportCall::SaveCsv { csv, path } => {
                local_files::check()?;
                let io = |e: std::io::Error| {
                    tonic::Status::invalid_argument(format!("{}: {e}", path.display()))
                };
                let mut file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .await
                    .map_err(io)?;
                file.write_all(csv.as_bytes()).await.map_err(io)?;
                file.flush().await.map_err(io)?;
                Ok(Reply::Downloaded {
                    bytes: csv.len() as u64,
                    path,
                })
            }
        }
    }
}
