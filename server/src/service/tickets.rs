//! TicketService.

use portal_proto::pb;

use super::AppState;

pub struct Tickets {
    state: AppState,
}

impl Tickets {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::ticket_service_server::TicketService for Tickets {
    async fn list_service_types(
        &self,
        _request: tonic::Request<pb::ListServiceTypesRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListServiceTypesResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn create_ticket(
        &self,
        _request: tonic::Request<pb::CreateTicketRequest>,
    ) -> std::result::Result<tonic::Response<pb::Ticket>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn list_tickets(
        &self,
        _request: tonic::Request<pb::ListTicketsRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListTicketsResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn get_ticket(
        &self,
        _request: tonic::Request<pb::GetTicketRequest>,
    ) -> std::result::Result<tonic::Response<pb::TicketDetail>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn get_timeline(
        &self,
        _request: tonic::Request<pb::GetTimelineRequest>,
    ) -> std::result::Result<tonic::Response<pb::GetTimelineResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn add_post(
        &self,
        _request: tonic::Request<pb::AddPostRequest>,
    ) -> std::result::Result<tonic::Response<pb::TimelineEntry>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn change_status(
        &self,
        _request: tonic::Request<pb::ChangeStatusRequest>,
    ) -> std::result::Result<tonic::Response<pb::Ticket>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn set_priority(
        &self,
        _request: tonic::Request<pb::SetPriorityRequest>,
    ) -> std::result::Result<tonic::Response<pb::Ticket>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn assign(
        &self,
        _request: tonic::Request<pb::AssignRequest>,
    ) -> std::result::Result<tonic::Response<pb::Ticket>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn add_subscriber(
        &self,
        _request: tonic::Request<pb::SubscriberRequest>,
    ) -> std::result::Result<tonic::Response<pb::SubscribersResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn remove_subscriber(
        &self,
        _request: tonic::Request<pb::SubscriberRequest>,
    ) -> std::result::Result<tonic::Response<pb::SubscribersResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn add_task(
        &self,
        _request: tonic::Request<pb::AddTaskRequest>,
    ) -> std::result::Result<tonic::Response<pb::Task>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn set_task_done(
        &self,
        _request: tonic::Request<pb::SetTaskDoneRequest>,
    ) -> std::result::Result<tonic::Response<pb::Task>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn upload_attachment(
        &self,
        _request: tonic::Request<tonic::Streaming<pb::UploadAttachmentRequest>>,
    ) -> std::result::Result<tonic::Response<pb::Attachment>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    type DownloadAttachmentStream = tokio_stream::wrappers::ReceiverStream<
        Result<pb::DownloadAttachmentResponse, tonic::Status>,
    >;
    async fn download_attachment(
        &self,
        _request: tonic::Request<pb::DownloadAttachmentRequest>,
    ) -> std::result::Result<tonic::Response<Self::DownloadAttachmentStream>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
}
