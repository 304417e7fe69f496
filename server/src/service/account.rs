//! AccountService.

use portal_proto::pb;

use super::AppState;

pub struct Accounts {
    state: AppState,
}

impl Accounts {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Accounts {
    async fn get_my_profile(
        &self,
        _request: tonic::Request<pb::Empty>,
    ) -> std::result::Result<tonic::Response<pb::MyProfile>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn update_my_profile(
        &self,
        _request: tonic::Request<pb::UpdateMyProfileRequest>,
    ) -> std::result::Result<tonic::Response<pb::MyProfile>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn change_password(
        &self,
        _request: tonic::Request<pb::ChangePasswordRequest>,
    ) -> std::result::Result<tonic::Response<pb::Empty>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn get_company(
        &self,
        _request: tonic::Request<pb::GetCompanyRequest>,
    ) -> std::result::Result<tonic::Response<pb::Company>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn update_company_preferences(
        &self,
        _request: tonic::Request<pb::UpdateCompanyPreferencesRequest>,
    ) -> std::result::Result<tonic::Response<pb::Company>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn list_users(
        &self,
        _request: tonic::Request<pb::ListUsersRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListUsersResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn get_user(
        &self,
        _request: tonic::Request<pb::GetUserRequest>,
    ) -> std::result::Result<tonic::Response<pb::Contact>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn add_user(
        &self,
        _request: tonic::Request<pb::AddUserRequest>,
    ) -> std::result::Result<tonic::Response<pb::AddUserResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn update_user(
        &self,
        _request: tonic::Request<pb::UpdateUserRequest>,
    ) -> std::result::Result<tonic::Response<pb::Contact>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn set_access_level(
        &self,
        _request: tonic::Request<pb::SetAccessLevelRequest>,
    ) -> std::result::Result<tonic::Response<pb::Contact>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn set_user_active(
        &self,
        _request: tonic::Request<pb::SetUserActiveRequest>,
    ) -> std::result::Result<tonic::Response<pb::Contact>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn reset_user_password(
        &self,
        _request: tonic::Request<pb::ResetUserPasswordRequest>,
    ) -> std::result::Result<tonic::Response<pb::TemporaryPassword>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn list_pending_requests(
        &self,
        _request: tonic::Request<pb::ListPendingRequestsRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListPendingRequestsResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn resolve_pending_request(
        &self,
        _request: tonic::Request<pb::ResolvePendingRequestRequest>,
    ) -> std::result::Result<tonic::Response<pb::ResolvePendingRequestResponse>, tonic::Status>
    {
        Err(tonic::Status::unimplemented("not yet"))
    }
}
