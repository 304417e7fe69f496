//! ReportService.

use portal_proto::pb;

use super::AppState;

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
    async fn ticket_stats(
        &self,
        _request: tonic::Request<pb::TicketStatsRequest>,
    ) -> std::result::Result<tonic::Response<pb::TicketStats>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
}
